"""Consultation preview, Qt-free: design a treatment area and density, and draw the client's own
photo with SMP dots in the shade being discussed, coloured by the appearance model.

* :class:`TreatmentDesign` - the area, density (dots per cm2), dot size (mm), feathered edge;
* :func:`lay_out_dots` - irregular, follicle-like dot positions (never a grid, never outside);
* :func:`render_preview` / :func:`preview_photo` - the photo with the dots composited in linear
  light (fresh, healed or faded; first session or final plan).
"""

from __future__ import annotations

from shadematch.preview.consultation import (
    FIRST_SESSION_DENSITY,
    Preview,
    ShadeChoice,
    choose_shade,
    density_from_hair,
    preview_photo,
    render_preview,
)
from shadematch.preview.design import STAGES, TreatmentDesign, scale_from_chart, scale_from_line
from shadematch.preview.dot_layout import DotLayout, lay_out_dots

__all__ = ["FIRST_SESSION_DENSITY", "STAGES", "DotLayout", "Preview", "ShadeChoice",
           "TreatmentDesign", "choose_shade", "density_from_hair", "lay_out_dots",
           "preview_photo", "render_preview", "scale_from_chart",
           "scale_from_line"]
