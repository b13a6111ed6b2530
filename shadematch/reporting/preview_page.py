"""The report's consultation-preview page: the client's photo before, and with the planned SMP as
the appearance model predicts it healed (first session and final plan), in plain words.

Made only when the analysis holds a treatment design (its ``treatment`` block) and the photo is
available; the dots are drawn by :mod:`shadematch.preview` into the photo reduced for the page
(the same dots as a full-resolution preview), in the chosen shade (else the plan's final shade).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np

from shadematch.errors import ShadematchError

log = logging.getLogger(__name__)

MAX_SIDE = 1400
JPEG_QUALITY = 88
PROMISE = ("A prediction, not a promise: these pictures show how the appearance model expects "
           "the pigment to look in your skin once healed. Every scalp heals a little differently; "
           "your practitioner checks the result at each visit and adjusts.")


@dataclass(frozen=True)
class PreviewImages:
    before: bytes            # JPEG
    first: bytes | None      # first session, healed
    final: bytes             # final plan, healed
    size: tuple[int, int]    # (width, height) of each
    shade_final: str
    shade_first: str | None
    density: float
    dot_mm: float


def _jpeg(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, "JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()


def _reduced(rgb: np.ndarray) -> np.ndarray:
    from PIL import Image

    h, w = rgb.shape[:2]
    factor = -(-max(h, w) // MAX_SIDE)
    if factor <= 1:
        return rgb
    return np.asarray(Image.fromarray(rgb).reduce(factor))


def preview_images(analysis: dict, photo_rgb: np.ndarray | None) -> PreviewImages | None:
    """The before / first-session / final pictures for the report, or None (no design, no
    photo, or a design that cannot be drawn: then logged, and the report goes on without it)."""
    treatment = analysis.get("treatment")
    if not treatment or photo_rgb is None:
        return None
    try:
        return _render(analysis, treatment, photo_rgb)
    except ShadematchError as exc:
        log.warning("report: the consultation preview is left out: %s", exc)
        return None


def _render(analysis: dict, treatment: dict, photo_rgb: np.ndarray) -> PreviewImages | None:
    from shadematch.color.region_statistics import Sample
    from shadematch.palettes import load_palette
    from shadematch.preview import choose_shade, render_preview
    from shadematch.preview.design_editor import PreviewState

    state = PreviewState.from_dict(treatment)
    if not state.area or not state.pixels_per_mm:
        return None
    samples = {c: Sample.from_dict(s) for c, s in (analysis.get("samples") or {}).items()
               if c in ("hair", "skin", "scar")}
    matching = analysis.get("matching") or {}
    palette = load_palette((matching.get("palette") or {}).get("name") or None)
    area = "scar" if matching.get("area") == "scar" else "scalp"
    pick = (analysis.get("picks") or {}).get("primary") or {}
    plan = analysis.get("plan") or {}
    shade = (pick.get("entry_id") or state.shade
             or (plan.get("final") or {}).get("entry_id"))
    rgb = np.asarray(photo_rgb)
    if rgb.dtype == np.uint16:
        rgb = (rgb >> 8).astype(np.uint8)
    small = _reduced(rgb)
    shape = rgb.shape[:2]
    final_choice = choose_shade(samples, palette, shade, "final", area)
    final = render_preview(small, state.design(), state.pixels_per_mm, final_choice.skin,
                           final_choice.entry, "healed", "final", photo_shape=shape)
    first_choice = choose_shade(samples, palette, shade, "1", area)
    first = render_preview(small, state.design(), state.pixels_per_mm, first_choice.skin,
                           first_choice.entry, "healed", "1", photo_shape=shape)
    h, w = small.shape[:2]
    return PreviewImages(before=_jpeg(small), first=_jpeg(first.rgb), final=_jpeg(final.rgb),
                         size=(w, h), shade_final=final_choice.entry.name,
                         shade_first=first_choice.entry.name,
                         density=state.density_per_cm2, dot_mm=state.dot_mm)


def draw_page(page, images: PreviewImages) -> None:
    """A new page: before, first session and final plan side by side, with the words."""
    from reportlab.lib.utils import ImageReader

    from shadematch.reporting import text
    from shadematch.reporting.canvas import INK, MUTED, RULE, heading

    page.new_page()
    heading(page, "What your SMP could look like")
    c = page.canvas
    pictures = [("Before", images.before),
                (f"After the first session, healed ({images.shade_first})", images.first),
                (f"The final plan, healed ({images.shade_final})", images.final)]
    pictures = [(label, data) for label, data in pictures if data is not None]
    w, h = images.size
    # one picture across for the final plan, the before and first session side by side above
    gap = 10.0
    half_w = (page.content_width - gap) / 2
    scale = min(half_w / w, 230.0 / h)
    pw, ph = w * scale, h * scale
    top = page.y - 4
    for i, (label, data) in enumerate(pictures[:2]):
        x = page.left + i * (half_w + gap)
        c.drawImage(ImageReader(io.BytesIO(data)), x, top - ph, pw, ph)
        c.setStrokeColorRGB(*RULE)
        c.rect(x, top - ph, pw, ph, stroke=1, fill=0)
        text.draw(c, x, top - ph - 11, label, 8.5, text.BOLD, color=INK)
    top = top - ph - 28
    if len(pictures) > 2:
        label, data = pictures[2]
        scale = min(page.content_width / w, (top - page.bottom - 90) / h)
        fw, fh = w * scale, h * scale
        c.drawImage(ImageReader(io.BytesIO(data)), page.left, top - fh, fw, fh)
        c.setStrokeColorRGB(*RULE)
        c.rect(page.left, top - fh, fw, fh, stroke=1, fill=0)
        text.draw(c, page.left, top - fh - 11, label, 8.5, text.BOLD, color=INK)
        top = top - fh - 26
    text.draw(c, page.left, top, f"About {images.density:g} impressions per cm², each about "
                                 f"{images.dot_mm:g} mm, fading in softly at the hairline.",
              8.5, color=INK)
    page.y = top - 14
    page.y = text.draw_wrapped(c, page.left, page.y, PROMISE, 8.5, page.content_width,
                               color=MUTED)
