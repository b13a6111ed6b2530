"""Draw a treatment design's dots into the client's photo, coloured by the appearance model.

Each dot is composited optically into the photo's own skin. The appearance model gives, for
the client's fitted skin, the reflectance of the skin without pigment and of the skin with the
pigment layer of this pigment and dilution at a stage (fresh, healed, faded). Their ratio, per
linear sRGB channel, is what the pigment layer does to the light the skin returns:

    T = linear_sRGB(dot_Lab) / linear_sRGB(skin_model_Lab)

and a pixel covered by a dot to a fraction ``alpha`` (1 in the dot's core, falling to 0 over a
soft edge) becomes, in linear light,

    out = in * (1 - alpha + alpha * T)

so a dot on skin of the measured colour has the model's dot colour, and the photo's shading,
texture and pores stay (a dot in a shadow is darker, as it is on the scalp). Pixels outside the
treatment area are never written: they keep their exact code values.

A wide-gamut photo (Display P3, Adobe RGB ... :class:`~shadematch.imaging.measurement_source.
SourcePixels`) is drawn in its own encoding: its codes are taken to linear sRGB-primaries values
without clipping, composited the same way, and encoded back through its profile, so the preview
keeps the photo's profile and the colours sRGB cannot hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shadematch.color.conversion import Lab_to_XYZ, XYZ_to_linear_sRGB
from shadematch.errors import PreviewError
from shadematch.preview.dot_layout import DotLayout

# Width (in dot radii) of the soft edge of a dot; healed SMP impressions are not hard discs.
EDGE_FRACTION = 0.35
MIN_EDGE_PX = 1.0          # at least one pixel of soft edge, so small dots are antialiased
MIN_TRANSMISSION = 1e-3    # a channel is never taken to zero (out-of-gamut predictions)
CHUNK = 4096               # dots stamped per batch (bounded memory)


@dataclass(frozen=True)
class Tint:
    """What one pigment layer does to the skin: the modelled dot and skin colours (Lab) and the
    per-channel linear-light factor ``transmission``."""

    dot_Lab: tuple[float, float, float]
    skin_Lab: tuple[float, float, float]
    transmission: tuple[float, float, float]


def tint_for(dot_Lab, skin_Lab) -> Tint:
    """The linear-sRGB factor that turns the modelled skin into the modelled dot."""
    dot = np.asarray(dot_Lab, dtype=np.float64).reshape(3)
    skin = np.asarray(skin_Lab, dtype=np.float64).reshape(3)
    if not (np.all(np.isfinite(dot)) and np.all(np.isfinite(skin))):
        raise PreviewError("the predicted dot or skin colour is not a number: re-measure the "
                           "skin and hair regions")
    dot_lin = np.maximum(XYZ_to_linear_sRGB(Lab_to_XYZ(dot)), 0.0)
    skin_lin = np.maximum(XYZ_to_linear_sRGB(Lab_to_XYZ(skin)), 1e-6)
    factor = np.clip(dot_lin / skin_lin, MIN_TRANSMISSION, 1.5)
    return Tint(tuple(float(v) for v in dot), tuple(float(v) for v in skin),
                tuple(float(v) for v in factor))


def dot_alpha(layout: DotLayout, box: tuple[int, int, int, int],
              cancelled: Callable[[], bool] | None = None) -> np.ndarray:
    """Coverage (0..1, float32) of the dots over the pixels of ``box`` = (r0, r1, c0, c1).

    A dot of radius r covers a pixel whose centre lies at distance d fully for d <= r - w/2 and
    not at all for d >= r + w/2, with a smoothstep between (edge width w, at least a pixel).
    Overlapping dots take the larger coverage (they are the same pigment, not two layers).
    """
    r0, r1, c0, c1 = box
    height, width = r1 - r0, c1 - c0
    alpha = np.zeros(height * width, dtype=np.float32)
    if layout.count == 0:
        return alpha.reshape(height, width)
    edge = np.maximum(EDGE_FRACTION * layout.radius, MIN_EDGE_PX)
    reach = np.ceil(layout.radius + edge / 2 + 1).astype(int)
    # Dots are grouped by reach so each group is one vectorised stamp of a fixed window.
    for k in np.unique(reach):
        which = np.flatnonzero(reach == k)
        offs = np.arange(-k, k + 1)
        oy, ox = np.meshgrid(offs, offs, indexing="ij")
        oy, ox = oy.ravel(), ox.ravel()
        for start in range(0, which.size, CHUNK):
            if cancelled is not None and cancelled():
                raise PreviewError("the preview was cancelled")
            i = which[start:start + CHUNK]
            cx = layout.x[i] - c0            # dot centre in box pixels (pixel centres at +0.5)
            cy = layout.y[i] - r0
            px = np.floor(cx).astype(int)[:, None] + ox[None, :]
            py = np.floor(cy).astype(int)[:, None] + oy[None, :]
            d = np.hypot(px + 0.5 - cx[:, None], py + 0.5 - cy[:, None])
            w = edge[i][:, None]
            t = np.clip((layout.radius[i][:, None] + w / 2 - d) / w, 0.0, 1.0)
            a = (t * t * (3.0 - 2.0 * t)).astype(np.float32)
            ok = (px >= 0) & (px < width) & (py >= 0) & (py < height) & (a > 0)
            np.maximum.at(alpha, (py[ok] * width + px[ok]), a[ok])
    return alpha.reshape(height, width)


def composite(pixels: np.ndarray, alpha: np.ndarray, transmission, source=None) -> np.ndarray:
    """``pixels`` (n, 3) uint8/uint16 sRGB with the pigment laid in to coverage ``alpha`` (n,),
    in linear light: ``out = in * (1 - alpha + alpha * T)``.

    With ``source`` (a SourcePixels), ``pixels`` are codes in the source profile's encoding and
    the result is too."""
    from shadematch.color.conversion import linear_to_sRGB, sRGB_to_linear

    a = alpha.astype(np.float32)[:, None]
    factor = 1.0 - a + a * np.asarray(transmission, dtype=np.float32)[None, :]
    if source is not None:
        lin, _clipped = source.linear_of_codes(pixels)
        return source.codes_of_linear(lin * factor).astype(pixels.dtype)
    top = 65535.0 if pixels.dtype == np.uint16 else 255.0
    lin = sRGB_to_linear(pixels)
    encoded = linear_to_sRGB(np.clip(lin * factor, 0.0, 1.0))
    return np.clip(np.rint(encoded * top), 0, top).astype(pixels.dtype)


def draw_dots(rgb: np.ndarray, layout: DotLayout, area_mask: np.ndarray,
              box: tuple[int, int, int, int], tint: Tint,
              cancelled: Callable[[], bool] | None = None, source=None) -> np.ndarray:
    """A copy of the photo ``rgb`` (H, W, 3) with the dots of ``layout`` drawn in ``tint``.

    ``area_mask`` (bool or 0..1) is the treatment area's mask within ``box``: a dot's soft edge
    never spills outside it, so every pixel outside the area keeps its code values. Only the
    pixels the dots touch are converted. With ``source`` (a SourcePixels), ``rgb`` holds a
    wide-gamut photo's own codes and is drawn in its encoding (see the module docstring).
    """
    r0, r1, c0, c1 = box
    alpha = dot_alpha(layout, box, cancelled).ravel()
    touched = np.flatnonzero(alpha)
    values = alpha[touched] * np.asarray(area_mask).ravel()[touched].astype(np.float32)
    touched, values = touched[values > 0], values[values > 0]
    box_width = c1 - c0
    flat = (touched // box_width + r0) * rgb.shape[1] + (touched % box_width + c0)
    out = np.array(rgb, copy=True, order="C")
    pixels = out.reshape(-1, 3)
    pixels[flat] = composite(pixels[flat], values, tint.transmission, source)
    return out
