"""Messages a practitioner sees speak of the chart, its patches and their outlined squares, never
of a "grid" (issue 9): chart fit warnings, patch notes and the grey-card refusal."""

from __future__ import annotations

import numpy as np
import pytest
from calib_synth import render_chart

from shadematch.calibration import calibrate_from_chart
from shadematch.errors import CalibrationError


def test_a_misplaced_chart_warns_without_speaking_of_grids():
    img, corners = render_chart(cast="warm", tone="srgb", exposure=0.8, noise=0.02,
                                jpeg_quality=85, pitch=60)
    shifted = [(x + 40.0, y + 40.0) for x, y in corners]   # squares across the patch borders
    cal = calibrate_from_chart(img, shifted)
    poor = [w for w in cal.warnings if "fits the chart poorly" in w]
    assert poor
    text = " ".join(cal.warnings).lower()
    assert "grid" not in text and "outlined squares sit on the patches" in poor[0]


def test_grey_card_as_a_chart_is_refused_without_speaking_of_grids():
    img, corners = render_chart()
    with pytest.raises(CalibrationError) as info:
        calibrate_from_chart(img, corners, chart="greycard")
    assert "grid" not in str(info.value).lower()


def test_gui_tooltip_speaks_of_squares_not_grids():
    # the GUI's strings are read from the source: this core test must not import Qt
    from pathlib import Path

    import shadematch

    source = (Path(shadematch.__file__).parent / "gui" / "calibration_tool.py").read_text()
    start = source.index("self.find_button.setToolTip(")
    tooltip = source[start:source.index(")\n", start)]
    assert "grid" not in tooltip.lower() and "squares" in tooltip
    assert np is not None
