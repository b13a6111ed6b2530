"""The calibration tool in the main window, driven by real mouse and key events."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import wait_measured
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "calibration"))
from calib_synth import dE00, render_chart  # noqa: E402

from shadematch.calibration import chart_reference, patch_centres  # noqa: E402

REF = chart_reference()


def vp(window, x: float, y: float) -> QPoint:
    return window.view.mapFromScene(QPointF(x, y))


def click(qtbot, window, x, y) -> None:
    qtbot.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, vp(window, x, y))


def drag(qtbot, window, start, end, steps: int = 4) -> None:
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, vp(window, *start))
    for t in np.linspace(0, 1, steps + 1)[1:]:
        p = (start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))
        qtbot.mouseMove(viewport, vp(window, *p))
    qtbot.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, vp(window, *end))


def pixel(window, x, y):
    image = window.view.viewport().grab().toImage()
    p = vp(window, x, y) * window.view.viewport().devicePixelRatioF()
    colour = image.pixelColor(p.x(), p.y())
    return np.array([colour.red(), colour.green(), colour.blue()])


def wait_idle(qtbot, window, timeout=15000) -> None:
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=timeout)
    qtbot.wait(20)  # let the queued result callbacks run


@pytest.fixture
def chart_photo(tmp_path):
    img, corners = render_chart(cast="warm", tone="gamma1.8", exposure=0.8, noise=0.02,
                                jpeg_quality=None, pitch=60)
    path = tmp_path / "chart.png"
    Image.fromarray(img).save(path)
    return path, corners, img


@pytest.fixture
def window(make_window, chart_photo):
    return make_window(chart_photo[0], size=(1300, 900))


def place_corners(qtbot, window, corners) -> None:
    window.actions["calibrate"].trigger()
    assert window.calibration_tool.active
    for x, y in corners:
        click(qtbot, window, x, y)
    wait_idle(qtbot, window)


def test_click_four_corners_calibrates_and_draws_the_grid(qtbot, window, chart_photo):
    _, corners, img = chart_photo
    tool, ws = window.calibration_tool, window.workspace
    window.actions["calibrate"].trigger()
    assert tool.dock.isVisible() and tool.active
    assert "dark skin" in tool.panel.instruction.text()
    for x, y in corners[:3]:
        click(qtbot, window, x, y)
    assert "white" in tool.panel.instruction.text()
    centre = patch_centres(corners)[7]          # purplish blue, middle of the chart
    quad_edge = (centre[0] + 0.25 * 60, centre[1])  # right edge of its sampled square
    before = pixel(window, *quad_edge)
    click(qtbot, window, *corners[3])
    qtbot.waitUntil(lambda: ws.calibration is not None, timeout=15000)
    wait_idle(qtbot, window)
    cal = ws.calibration
    assert cal.chart == "colorchecker24" and cal.mean_delta_e < 1.5
    assert np.allclose(cal.corners, corners, atol=1.5)
    assert cal.source_photo_sha256 == ws.photo.sha256
    # The grid is drawn: the square's edge now shows the patch's reference colour (or its halo).
    after = pixel(window, *quad_edge)
    assert np.abs(after.astype(int) - before.astype(int)).max() > 30
    panel = tool.panel
    assert panel.table.rowCount() == 24
    assert panel.table.item(1, 0).text() == "light skin"
    assert float(panel.table.item(1, 1).text()) < 2.0
    assert cal.model in panel.status.text()
    # Escape leaves chart mode and gives the view back to the region tools.
    qtbot.keyClick(window.view, Qt.Key_Escape)
    assert not tool.active and window.view.tool is window.tools
    assert not tool.grid.isVisible()


def test_dragging_a_corner_refits(qtbot, window, chart_photo):
    _, corners, _ = chart_photo
    ws = window.workspace
    place_corners(qtbot, window, corners)
    good = ws.calibration
    wrong = (corners[2][0] - 60, corners[2][1])   # black corner dragged onto neutral 3.5
    drag(qtbot, window, corners[2], wrong)
    qtbot.waitUntil(lambda: ws.calibration is not good, timeout=15000)
    wait_idle(qtbot, window)
    bad = ws.calibration
    assert np.allclose(bad.corners[2], wrong, atol=1.5)
    assert bad.mean_delta_e > good.mean_delta_e + 1.0
    drag(qtbot, window, wrong, corners[2])
    qtbot.waitUntil(lambda: ws.calibration is not bad, timeout=15000)
    wait_idle(qtbot, window)
    assert ws.calibration.mean_delta_e == pytest.approx(good.mean_delta_e, abs=0.3)


def test_mirrored_clicks_are_refused_inline(qtbot, window, chart_photo):
    _, corners, _ = chart_photo
    place_corners(qtbot, window, [corners[0], corners[3], corners[2], corners[1]])
    assert window.workspace.calibration is None
    assert "mirror" in window.calibration_tool.panel.problem.text()
    # Backspace removes clicks; the right corners then work.
    for _ in range(4):
        qtbot.keyClick(window.view, Qt.Key_Backspace)
    assert window.calibration_tool.click_tool.corners == []
    for x, y in corners:
        click(qtbot, window, x, y)
    qtbot.waitUntil(lambda: window.workspace.calibration is not None, timeout=15000)
    wait_idle(qtbot, window)
    assert window.calibration_tool.panel.problem.text() == ""


def test_samples_use_the_calibration_and_the_corrected_view_is_neutral(qtbot, window,
                                                                       chart_photo):
    _, corners, _ = chart_photo
    ws = window.workspace
    place_corners(qtbot, window, corners)
    qtbot.keyClick(window.view, Qt.Key_Escape)
    x, y = patch_centres(corners)[1]                 # light skin, drawn as a skin rectangle
    qtbot.keyClick(window.view, Qt.Key_R)
    qtbot.keyClick(window.view, Qt.Key_2)
    drag(qtbot, window, (x - 10, y - 10), (x + 10, y + 10))
    wait_measured(qtbot, window)
    assert dE00(ws.samples["skin"].Lab, REF.Lab[1]) < 2.0
    assert ws.to_dict()["calibration"]["model"] == ws.calibration.model

    wx, wy = patch_centres(corners)[19]             # neutral 8
    warm = pixel(window, wx, wy).astype(int)
    assert warm[0] - warm[2] > 40
    window.calibration_tool.panel.show_corrected.setChecked(True)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.calibration_tool._corrected_shown, timeout=5000)
    neutral = pixel(window, wx, wy).astype(int)
    assert abs(neutral[0] - neutral[2]) < 12 and abs(neutral[0] - neutral[1]) < 12
    window.calibration_tool.panel.show_corrected.setChecked(False)
    wait_idle(qtbot, window)
    assert pixel(window, wx, wy).astype(int)[0] - pixel(window, wx, wy).astype(int)[2] > 40


def test_reuse_for_the_next_photo_of_the_shoot(qtbot, window, chart_photo, tmp_path):
    _, corners, img = chart_photo
    ws, panel = window.workspace, window.calibration_tool.panel
    place_corners(qtbot, window, corners)
    first = ws.calibration
    second = tmp_path / "second.png"
    Image.fromarray(np.ascontiguousarray(img[:, ::-1])).save(second)   # another photo
    panel.keep_for_shoot.setChecked(True)
    window.open_path(second)
    qtbot.waitUntil(lambda: ws.photo is not None and ws.photo.path.name == "second.png",
                    timeout=15000)
    qtbot.waitUntil(lambda: ws.calibration is not None and ws.calibration.reused, timeout=5000)
    wait_idle(qtbot, window)
    assert ws.calibration.applied_to_photo_sha256 == ws.photo.sha256
    assert ws.calibration.source_photo_sha256 == first.source_photo_sha256
    assert "reused" in panel.status.text()
    assert any("same shoot" in w for w in ws.calibration.warnings)
    assert ws.to_dict()["calibration"]["reused"] is True

    # Back on the photo it was made on: its own calibration again, not "reused".
    window.open_path(chart_photo[0])
    qtbot.waitUntil(lambda: ws.photo is not None and ws.photo.path.name == "chart.png",
                    timeout=15000)
    qtbot.waitUntil(lambda: ws.calibration is not None and not ws.calibration.reused,
                    timeout=5000)
    wait_idle(qtbot, window)

    panel.keep_for_shoot.setChecked(False)
    third = tmp_path / "third.png"
    Image.fromarray(np.ascontiguousarray(img[::-1])).save(third)
    window.open_path(third)
    qtbot.waitUntil(lambda: ws.photo is not None and ws.photo.path.name == "third.png",
                    timeout=15000)
    qtbot.waitUntil(lambda: ws.calibration is None, timeout=5000)
    wait_idle(qtbot, window)
    assert "Not calibrated" in panel.status.text()


def test_grey_card_from_a_selected_region(qtbot, window, chart_photo):
    _, corners, _ = chart_photo
    ws, tool = window.workspace, window.calibration_tool
    tool.panel.grey_button.click()
    assert "select it" in tool.panel.problem.text()
    x, y = patch_centres(corners)[21]                # neutral 5 as the card
    ws.add_region("rect", {"x": x - 12, "y": y - 12, "w": 24, "h": 24}, "skin")
    ws.select([ws.regions[-1].id])
    tool.panel.grey_button.click()
    qtbot.waitUntil(lambda: ws.calibration is not None, timeout=15000)
    wait_idle(qtbot, window)
    assert ws.calibration.model == "white-balance"
    assert "greycard" in tool.panel.status.text()
    tool.panel.remove_button.click()
    assert ws.calibration is None
    assert "Not calibrated" in tool.panel.status.text()
    wait_idle(qtbot, window)


def test_chart_mode_needs_a_photo(qtbot, make_window):
    window = make_window()
    window.actions["calibrate"].trigger()
    assert not window.calibration_tool.active
    assert "Open a photo" in window.calibration_tool.panel.problem.text()


def test_find_chart_places_the_grid_and_calibrates(qtbot, window, chart_photo):
    _, corners, _ = chart_photo
    ws, tool = window.workspace, window.calibration_tool
    window.actions["calibrate"].trigger()
    qtbot.mouseClick(tool.panel.find_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: ws.calibration is not None, timeout=15000)
    wait_idle(qtbot, window)
    assert tool.active and tool.grid.isVisible()
    assert np.allclose(ws.calibration.corners, corners, atol=2.5)
    assert ws.calibration.mean_delta_e < 1.5
    assert "drag a numbered corner" in tool.panel.instruction.text()


def test_find_chart_on_a_photo_without_one_says_to_click(qtbot, make_window, tmp_path):
    from skimage import data

    path = tmp_path / "coffee.png"
    Image.fromarray(data.coffee()).save(path)
    window = make_window(path)
    tool = window.calibration_tool
    qtbot.mouseClick(tool.panel.find_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "click the centres" in tool.panel.problem.text(), timeout=15000)
    wait_idle(qtbot, window)
    assert window.workspace.calibration is None
