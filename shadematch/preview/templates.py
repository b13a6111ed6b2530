"""Hairline templates: starting shapes for the treatment area, to be edited on the photo.

Each template is a polygon in coordinates relative to a box over the scalp (0..1 across, 0..1
down; the front hairline is the box's lower edge for a photo from the front), scaled into the box
the practitioner gives (usually around the hair regions, or dragged over the scalp).
"""

from __future__ import annotations

import math

from shadematch.errors import PreviewError
from shadematch.imaging.regions import Region

TEMPLATES = ("straight", "soft", "receded", "crown", "scar-strip")
LABELS = {"straight": "Straight hairline", "soft": "Soft (rounded) hairline",
          "receded": "Receded, temple points", "crown": "Crown only",
          "scar-strip": "Scar strip"}
CURVE_POINTS = 24


def _front(shape: str) -> list[tuple[float, float]]:
    """The front edge, left to right (y grows downwards: 1 is the front of the box)."""
    xs = [i / CURVE_POINTS for i in range(CURVE_POINTS + 1)]
    if shape == "straight":
        return [(x, 0.96) for x in xs]
    if shape == "soft":
        return [(x, 0.78 + 0.2 * math.sin(math.pi * x)) for x in xs]
    # receded: the corners (temples) recede, the centre comes forward a little (a widow's peak
    # softened), the temple points at about a quarter from each side
    out = []
    for x in xs:
        temple = min(abs(x - 0.22), abs(x - 0.78))
        recession = 0.3 * math.exp(-(temple / 0.1) ** 2)
        centre = 0.08 * math.exp(-((x - 0.5) / 0.12) ** 2)
        out.append((x, 0.9 - recession + centre))
    return out


def template_points(name: str) -> list[tuple[float, float]]:
    """The template's polygon, box-relative (0..1), clockwise from the top left."""
    if name not in TEMPLATES:
        raise PreviewError(f"unknown hairline template {name!r}: use one of {', '.join(TEMPLATES)}")
    if name == "crown":
        return [(0.5 + 0.3 * math.cos(t), 0.42 + 0.3 * math.sin(t))
                for t in (2 * math.pi * i / 32 for i in range(32))]
    if name == "scar-strip":
        return [(0.1, 0.46), (0.9, 0.46), (0.9, 0.54), (0.1, 0.54)]
    top = [(0.0, 0.05), (1.0, 0.05)]
    return top + list(reversed(_front(name)))


def template_region(name: str, box: tuple[float, float, float, float]) -> Region:
    """The template as a polygon region (class "skin", as treatment areas are) in ``box`` =
    (x, y, w, h) photo pixels."""
    x, y, w, h = (float(v) for v in box)
    if not (w > 0 and h > 0) or not all(math.isfinite(v) for v in (x, y, w, h)):
        raise PreviewError("the box for the hairline template has no area: drag it over the scalp")
    points = [[round(x + u * w, 2), round(y + v * h, 2)] for u, v in template_points(name)]
    return Region("skin", "polygon", {"points": points})
