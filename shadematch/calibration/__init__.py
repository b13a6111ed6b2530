"""Colour calibration from a reference chart (ColorChecker 24) or a grey card in the photo.

Qt-free. Typical use::

    from shadematch.calibration import calibrate_from_chart, parse_corners
    cal = calibrate_from_chart(photo.rgb, parse_corners("120,80;620,85;615,390;118,385"),
                               photo_sha256=photo.sha256)
    XYZ = cal.linear_RGB_to_XYZ(RGB_lin)      # what sample_region uses
    record["calibration"] = cal.to_dict()

``detect_chart(photo.rgb)`` suggests the four corners automatically (show the grid to the user).

See docs/CALIBRATION.md.
"""

from __future__ import annotations

from shadematch.calibration.chart_fit import calibrate_from_chart
from shadematch.calibration.charts import (
    CHARTS,
    CORNER_NAMES,
    REFERENCES,
    chart_reference,
    format_corners,
    parse_corners,
    patch_centres,
    patch_quads,
    validate_corners,
)
from shadematch.calibration.detect import detect_chart
from shadematch.calibration.grey_card import DEFAULT_CARD_L, calibrate_from_grey_card
from shadematch.calibration.model import Calibration, PatchResult, exposure_warning

__all__ = [
    "CHARTS",
    "CORNER_NAMES",
    "DEFAULT_CARD_L",
    "REFERENCES",
    "Calibration",
    "PatchResult",
    "calibrate_from_chart",
    "calibrate_from_grey_card",
    "chart_reference",
    "detect_chart",
    "exposure_warning",
    "format_corners",
    "parse_corners",
    "patch_centres",
    "patch_quads",
    "validate_corners",
]
