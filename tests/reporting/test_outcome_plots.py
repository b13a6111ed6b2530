"""Plots of healed results: built from the data they show, drawn to PNG and PDF."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from shadematch.errors import ReportError
from shadematch.reporting.outcome_plots import (
    draw_plot,
    plot_png,
    timeline_plot,
    track_record_plot,
)

VISITS = [{"months": 38, "measured_lab": (49, 0.2, 2), "predicted_lab": (47, 0, 2),
           "target_lab": (36, 2, 5)},
          {"months": 1.5, "measured_lab": (40, 1, 4), "predicted_lab": (41, 0, 3),
           "target_lab": (36, 2, 5)},
          {"months": 14, "measured_lab": (44, 0.5, 3), "target_lab": (36, 2, 5)}]


def test_the_timeline_holds_the_visits_in_time_order_with_the_target():
    plot = timeline_plot(VISITS)
    measured, predicted, target = plot.series
    assert [p[0] for p in measured.points] == [1.5, 14, 38]
    assert [p[1] for p in measured.points] == [40, 44, 49]
    assert len(predicted.points) == 2 and target.points[0][1] == 36
    assert plot.y_range[0] < 36 and plot.y_range[1] > 49
    hue = timeline_plot(VISITS, "h")
    assert hue.series[0].points[0][1] == pytest.approx(np.degrees(np.arctan2(4, 1)))
    with pytest.raises(ReportError, match="no follow-up"):
        timeline_plot([{"months": 1, "measured_lab": None}])


def test_the_track_record_compares_prediction_with_measurement():
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(20):
        m = rng.uniform(30, 60)
        rows.append({"measured_lab": [m, 0, 0], "current_lab": [m + 4, 0, 0],
                     "held_out_lab": [m + 0.5, 0, 0]})
    plot = track_record_plot(rows)
    identity, current, held = plot.series
    assert identity.points[0][0] == identity.points[0][1]
    assert all(b - a == pytest.approx(4) for a, b in current.points)
    assert "4.0" in plot.notes[0] and "0.5" in plot.notes[1]
    with pytest.raises(ReportError, match="no outcomes"):
        track_record_plot([])


def test_plots_draw_to_png_and_pdf():
    png = plot_png(timeline_plot(VISITS))
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert image.shape == (420, 640, 3)
    # the measured series is drawn (its dark ink), and the target's blue line
    assert np.count_nonzero(np.all(image < 60, axis=2)) > 200
    assert np.count_nonzero((image[..., 2] > 100) & (image[..., 0] < 40)) > 50
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    c = Canvas(buffer)
    draw_plot(c, track_record_plot([{"measured_lab": [40, 0, 0], "current_lab": [43, 0, 0]}]),
              40, 100, 400, 300)
    c.save()
    assert buffer.getvalue().startswith(b"%PDF")

