"""Region tools driven by real mouse and key events on the photo view."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import HAIR_RGB, SCAR_RGB, SKIN_RGB, expected_Lab, wait_measured
from PySide6.QtCore import QPoint, QPointF, Qt

from shadematch.gui.regions.region_tools import CLASS_COLORS


def vp(window, x: float, y: float) -> QPoint:
    """Viewport position of photo pixel (x, y)."""
    return window.view.mapFromScene(QPointF(x, y))


def drag(qtbot, window, points, modifier=Qt.NoModifier) -> None:
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, modifier, vp(window, *points[0]))
    for p in points[1:]:
        qtbot.mouseMove(viewport, vp(window, *p))
    qtbot.mouseRelease(viewport, Qt.LeftButton, modifier, vp(window, *points[-1]))


def click(qtbot, window, x, y, modifier=Qt.NoModifier) -> None:
    qtbot.mouseClick(window.view.viewport(), Qt.LeftButton, modifier, vp(window, x, y))


def key(qtbot, window, k, modifier=Qt.NoModifier) -> None:
    qtbot.keyClick(window.view, k, modifier)


def assert_sample(window, region_class, rgb, tol=2.0) -> None:
    sample = window.workspace.samples[region_class]
    assert np.allclose(sample.Lab, expected_Lab(rgb), atol=tol), (sample.Lab, expected_Lab(rgb))


@pytest.fixture
def window(make_window, photo_file):
    return make_window(photo_file)


def test_rectangle_measures_hair_and_ranks(qtbot, window):
    ws = window.workspace
    key(qtbot, window, Qt.Key_R)
    key(qtbot, window, Qt.Key_1)
    drag(qtbot, window, [(20, 30), (60, 80), (120, 200)])
    wait_measured(qtbot, window)
    assert len(ws.regions) == 1
    region = ws.regions[0]
    assert (region.shape, region.region_class) == ("rect", "hair")
    x, y, w, h = (region.params[k] for k in ("x", "y", "w", "h"))
    assert abs(x - 20) < 2 and abs(y - 30) < 2 and abs(w - 100) < 3 and abs(h - 170) < 3
    assert_sample(window, "hair", HAIR_RGB)
    assert ws.ranking == [] and "skin" in ws.ranking_problem      # healed needs the skin
    ws.add_region("ellipse", {"cx": 300, "cy": 100, "rx": 50, "ry": 40}, "skin")
    wait_measured(qtbot, window)
    assert ws.ranking and ws.ranking[0].delta_E <= ws.ranking[-1].delta_E
    table = window.matching_panel.model
    assert table.rowCount() == len(ws.ranking)
    assert table.item(0, 2).text() == ws.ranking[0].entry.pigment_name
    assert ws.can_undo() and ws.undo_label().startswith("Add")


def test_ellipse_on_skin_and_sample_panel(qtbot, window):
    ws = window.workspace
    key(qtbot, window, Qt.Key_E)
    key(qtbot, window, Qt.Key_2)
    drag(qtbot, window, [(230, 20), (300, 120), (360, 180)])
    wait_measured(qtbot, window)
    region = ws.regions[0]
    assert (region.shape, region.region_class) == ("ellipse", "skin")
    assert_sample(window, "skin", SKIN_RGB)
    card = window.sample_panel.cards["skin"]
    L = ws.samples["skin"].Lab[0]
    assert card.values["lab"].text().startswith(f"{L:.1f}")
    assert "°" in card.values["ita"].text() and card.values["ita"].isVisible()
    # the large swatch shows the sample's colour
    image = card.swatch.grab().toImage()
    color = image.pixelColor(image.width() // 2, image.height() // 3)
    assert abs(color.red() - SKIN_RGB[0]) <= 3 and abs(color.green() - SKIN_RGB[1]) <= 3


def test_polygon_clicks_and_lasso_drag(qtbot, window):
    ws = window.workspace
    key(qtbot, window, Qt.Key_P)
    key(qtbot, window, Qt.Key_3)
    for x, y in [(310, 220), (390, 220), (390, 290)]:
        click(qtbot, window, x, y)
    click(qtbot, window, 310, 290)
    key(qtbot, window, Qt.Key_Return)
    wait_measured(qtbot, window)
    polygon = ws.regions[0]
    assert (polygon.shape, polygon.region_class) == ("polygon", "scar")
    assert len(polygon.params["points"]) == 4
    assert_sample(window, "scar", SCAR_RGB)
    # a lasso: press, drag around, release closes it
    key(qtbot, window, Qt.Key_1)
    drag(qtbot, window, [(20, 20), (60, 25), (100, 40), (110, 90), (70, 120), (30, 90)])
    wait_measured(qtbot, window)
    lasso = ws.regions[1]
    assert lasso.shape == "polygon" and lasso.region_class == "hair"
    assert len(lasso.params["points"]) >= 5
    assert_sample(window, "hair", HAIR_RGB)
    # Esc abandons a polygon being drawn
    click(qtbot, window, 150, 150)
    click(qtbot, window, 180, 150)
    key(qtbot, window, Qt.Key_Escape)
    assert len(ws.regions) == 2


def test_brush_with_adjustable_size(qtbot, window):
    ws = window.workspace
    key(qtbot, window, Qt.Key_B)
    key(qtbot, window, Qt.Key_1)
    before = window.tools.brush_radius
    key(qtbot, window, Qt.Key_BracketRight)
    key(qtbot, window, Qt.Key_BracketRight)
    assert window.tools.brush_radius == pytest.approx(before * 1.25 ** 2)
    drag(qtbot, window, [(40, 50), (60, 80), (80, 120), (100, 160)])
    wait_measured(qtbot, window)
    brush = ws.regions[0]
    assert brush.shape == "brush" and brush.region_class == "hair"
    assert brush.params["radius"] == pytest.approx(before * 1.25 ** 2, abs=0.01)
    assert len(brush.params["strokes"]) == 1 and len(brush.params["strokes"][0]) >= 3
    assert_sample(window, "hair", HAIR_RGB)
    # Shift adds a stroke to the selected brush region (one more undo step)
    drag(qtbot, window, [(40, 200), (90, 220)], Qt.ShiftModifier)
    wait_measured(qtbot, window)
    assert len(ws.regions) == 1 and len(ws.regions[0].params["strokes"]) == 2
    ws.undo()
    assert len(ws.regions[0].params["strokes"]) == 1


def test_live_estimate_while_drawing_then_full_precision(qtbot, window):
    ws = window.workspace
    key(qtbot, window, Qt.Key_R)
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, vp(window, 20, 20))
    qtbot.mouseMove(viewport, vp(window, 60, 60))
    qtbot.mouseMove(viewport, vp(window, 100, 100))
    qtbot.waitUntil(lambda: "hair" in ws.samples, timeout=5000)
    assert ws.samples["hair"].quick  # the estimate while the button is still down
    assert ws.editing and not ws.can_undo()
    qtbot.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, vp(window, 100, 100))
    wait_measured(qtbot, window)
    assert not ws.samples["hair"].quick and ws.can_undo()


def test_select_move_resize_delete_and_undo_redo(qtbot, window):
    ws = window.workspace
    ws.add_region("rect", {"x": 40, "y": 40, "w": 60, "h": 60}, "hair")
    wait_measured(qtbot, window)
    key(qtbot, window, Qt.Key_V)
    click(qtbot, window, 10, 10)
    assert ws.selected == ()
    drag(qtbot, window, [(70, 70), (80, 80), (100, 90)])  # move by (30, 20)
    wait_measured(qtbot, window)
    p = ws.regions[0].params
    assert abs(p["x"] - 70) < 2 and abs(p["y"] - 60) < 2 and p["w"] == 60
    assert ws.selected == (ws.regions[0].id,)
    # resize by the bottom-right handle
    drag(qtbot, window, [(130, 120), (140, 130), (150, 160)])
    wait_measured(qtbot, window)
    p = ws.regions[0].params
    assert abs(p["w"] - 80) < 3 and abs(p["h"] - 100) < 3 and abs(p["x"] - 70) < 2
    # undo / redo with the keyboard
    key(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert ws.regions[0].params["w"] == pytest.approx(60, abs=0.5)
    key(qtbot, window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert ws.regions[0].params["w"] == pytest.approx(80, abs=3)
    # a class key sets the next region's class only; Shift+2 reclassifies the selection
    key(qtbot, window, Qt.Key_2)
    assert ws.regions[0].region_class == "hair"
    key(qtbot, window, Qt.Key_2, Qt.ShiftModifier)
    assert ws.regions[0].region_class == "skin"
    wait_measured(qtbot, window)
    assert "skin" in ws.samples and "hair" not in ws.samples
    key(qtbot, window, Qt.Key_Delete)
    assert ws.regions == []
    wait_measured(qtbot, window)
    assert ws.samples == {} and ws.ranking == []
    key(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert len(ws.regions) == 1


def test_region_list_show_hide_and_overlay_pixels(qtbot, window):
    ws = window.workspace
    window.view.set_zoom(1.0)
    ws.add_region("rect", {"x": 250, "y": 40, "w": 100, "h": 80}, "hair")
    wait_measured(qtbot, window)
    ws.select([])
    window.view.centerOn(300, 80)
    qtbot.wait(50)
    edge = vp(window, 250, 80)  # a point on the left outline

    def near_class_colour() -> bool:
        image = window.view.viewport().grab().toImage()
        target = CLASS_COLORS["hair"]
        for dx in range(-3, 4):
            c = image.pixelColor(edge.x() + dx, edge.y())
            if (abs(c.red() - target.red()) < 40 and abs(c.green() - target.green()) < 40
                    and abs(c.blue() - target.blue()) < 40):
                return True
        return False

    assert near_class_colour()
    panel = window.region_panel
    assert panel.list.count() == 1
    item = panel.list.item(0)
    rect = panel.list.visualItemRect(item)
    # the check box sits at the left of the row
    qtbot.mouseClick(panel.list.viewport(), Qt.LeftButton, Qt.NoModifier,
                     QPoint(rect.left() + 10, rect.center().y()))
    assert not ws.visible(ws.regions[0].id)
    assert not window.tools.overlay.items[ws.regions[0].id].isVisible()
    assert not near_class_colour()
    assert "hair" in ws.samples  # hidden regions are still measured
    ws.undo()
    assert ws.visible(ws.regions[0].id) and near_class_colour()


def test_tiny_or_outside_drawing_is_refused_with_a_message(qtbot, window):
    ws = window.workspace
    key(qtbot, window, Qt.Key_R)
    click(qtbot, window, 50, 50)  # a click is not a rectangle
    assert ws.regions == [] and not ws.can_undo()


def test_drawing_without_a_photo_says_what_to_do(qtbot, make_window):
    window = make_window()
    key(qtbot, window, Qt.Key_R)
    drag(qtbot, window, [(0, 0), (10, 10), (20, 20)])
    assert window.workspace.regions == []
    assert "Open a photo" in window.statusBar().currentMessage()


def test_backspace_takes_back_polygon_corners_not_regions(qtbot, window):
    ws = window.workspace
    ws.add_region("rect", {"x": 10, "y": 10, "w": 30, "h": 30}, "hair")
    key(qtbot, window, Qt.Key_P)
    for x, y in [(210, 20), (300, 20), (300, 100), (210, 100)]:
        click(qtbot, window, x, y)
    assert len(ws.regions) == 2  # the polygon being drawn is previewed
    key(qtbot, window, Qt.Key_Backspace)
    assert len(window.tools.points) == 3 and len(ws.regions) == 2
    assert len(ws.regions[1].params["points"]) == 3
    key(qtbot, window, Qt.Key_Backspace)
    assert len(ws.regions) == 1 and ws.regions[0].shape == "rect"  # not enough corners left
    click(qtbot, window, 250, 150)
    key(qtbot, window, Qt.Key_Return)
    wait_measured(qtbot, window)
    assert [r.shape for r in ws.regions] == ["rect", "polygon"]
    assert len(ws.regions[1].params["points"]) == 3
    assert ws.undo() and [r.shape for r in ws.regions] == ["rect"]


def test_no_drawing_on_a_preview_of_the_next_photo(qtbot, window):
    ws = window.workspace
    ws.add_region("rect", {"x": 10, "y": 10, "w": 30, "h": 30}, "hair")
    wait_measured(qtbot, window)
    window.view.set_image(np.zeros((60, 80, 3), dtype=np.uint8), preview=True)
    window.tools.overlay.set_visible(False)
    key(qtbot, window, Qt.Key_R)
    drag(qtbot, window, [(5, 5), (20, 20), (40, 40)])
    assert len(ws.regions) == 1
    assert "still loading" in window.statusBar().currentMessage()
    assert not window.tools.overlay.items[ws.regions[0].id].isVisible()


def test_select_tool_cursor_shows_move_and_resize(qtbot, window):
    ws = window.workspace
    ws.add_region("rect", {"x": 40, "y": 40, "w": 60, "h": 60}, "hair")
    key(qtbot, window, Qt.Key_V)
    viewport = window.view.viewport()
    qtbot.mouseMove(viewport, vp(window, 70, 70))
    assert viewport.cursor().shape() == Qt.SizeAllCursor
    qtbot.mouseMove(viewport, vp(window, 100, 100))  # bottom-right handle of the selection
    assert viewport.cursor().shape() == Qt.SizeFDiagCursor
    qtbot.mouseMove(viewport, vp(window, 200, 200))
    assert viewport.cursor().shape() == Qt.ArrowCursor


def test_double_click_in_the_list_centres_the_region(qtbot, window):
    ws = window.workspace
    ws.add_region("ellipse", {"cx": 220, "cy": 160, "rx": 10, "ry": 10}, "scar")
    window.view.set_zoom(4.0)
    window.view.centerOn(QPointF(50, 50))
    panel = window.region_panel
    rect = panel.list.visualItemRect(panel.list.item(0))
    qtbot.mouseClick(panel.list.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    qtbot.mouseDClick(panel.list.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    assert abs(centre.x() - 220) < 3 and abs(centre.y() - 160) < 3


def test_arrow_keys_nudge_the_selection(qtbot, window):
    ws = window.workspace
    ws.add_region("rect", {"x": 40, "y": 40, "w": 60, "h": 60}, "hair")
    key(qtbot, window, Qt.Key_V)
    key(qtbot, window, Qt.Key_Right)
    key(qtbot, window, Qt.Key_Down, Qt.ShiftModifier)
    assert (ws.regions[0].params["x"], ws.regions[0].params["y"]) == (41, 50)
    ws.undo()
    assert (ws.regions[0].params["x"], ws.regions[0].params["y"]) == (41, 40)


def _amber(c) -> bool:
    return c.red() > 200 and 150 < c.green() < 230 and c.blue() < 90


def _green(c) -> bool:
    return c.green() > 150 and c.red() < 170 and c.blue() < 170 and c.green() - c.red() > 40


def test_sample_panel_states_calibration_and_quick_estimates(qtbot, window, tmp_path):
    from gui_helpers import count_pixels
    from PIL import Image

    from shadematch.calibration.model import Calibration, identity_transform

    ws, panel = window.workspace, window.sample_panel
    card = panel.cards["hair"]
    assert panel.calibration_label.text().startswith("Not calibrated: colours are as the camera "
                                                     "recorded them")
    # While the button is down the hair card says its sample is a quick estimate.
    key(qtbot, window, Qt.Key_R)
    key(qtbot, window, Qt.Key_1)
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, vp(window, 20, 20))
    qtbot.mouseMove(viewport, vp(window, 60, 60))
    qtbot.mouseMove(viewport, vp(window, 120, 150))
    qtbot.waitUntil(lambda: "hair" in ws.samples, timeout=5000)
    assert "Quick estimate" in card.status.text() and card.status.isVisible()
    qtbot.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, vp(window, 120, 150))
    wait_measured(qtbot, window)
    qtbot.waitUntil(lambda: "Quick estimate" not in card.status.text(), timeout=5000)
    assert card.values["calibrated"].text() == "not calibrated"

    # Calibrated on this photo: every sample is measured again, calibrated, and the panel says so.
    cal = Calibration(chart="colorchecker24", reference="test", model="matrix-3x3",
                      mean_delta_e=0.8412, max_delta_e=2.0, transform=identity_transform(),
                      source_photo_sha256=ws.photo.sha256)
    ws.set_calibration(cal)
    wait_measured(qtbot, window)
    assert ws.samples["hair"].calibrated
    qtbot.waitUntil(lambda: card.values["calibrated"].text() == "calibrated", timeout=5000)
    assert panel.calibration_label.text() == ("Calibrated with ColorChecker 24 (matrix-3x3, fit "
                                              "mean dE00 0.84).")
    assert count_pixels(panel.calibration_label, _green) > 20
    assert count_pixels(panel.calibration_label, _amber) == 0

    # Another photo of the shoot, the calibration kept (ticked by mouse): reused, said in amber.
    from PySide6.QtWidgets import QDockWidget

    dock = window.findChild(QDockWidget, "calibrationDock")
    dock.show()
    dock.raise_()
    tick = window.calibration_tool.panel.keep_for_shoot
    qtbot.waitUntil(tick.isVisible, timeout=2000)
    qtbot.mouseClick(tick, Qt.LeftButton, pos=QPoint(8, tick.height() // 2))
    assert tick.isChecked() and ws.keep_calibration_for_shoot
    second = tmp_path / "second.png"
    Image.fromarray(np.ascontiguousarray(window.workspace.photo.rgb[:, ::-1])).save(second)
    window.open_path(second)
    qtbot.waitUntil(lambda: ws.photo.path.name == "second.png", timeout=10000)
    assert ws.calibration.reused and ws.calibration.applied_to_photo_sha256 == ws.photo.sha256
    text = panel.calibration_label.text()
    assert text.startswith("Calibrated with ColorChecker 24") and "Reused from another photo" in text
    assert count_pixels(panel.calibration_label, _amber) > 20
    assert "reused" in window.statusBar().currentMessage()
    drag(qtbot, window, [(250, 20), (300, 60), (330, 100)])     # rectangle, hair class: skin side
    wait_measured(qtbot, window)
    assert ws.samples["hair"].calibrated
    qtbot.waitUntil(lambda: card.values["calibrated"].text() == "calibrated (reused)", timeout=5000)

    # Untick: the next photo of another scene drops the calibration, and says so.
    qtbot.mouseClick(tick, Qt.LeftButton, pos=QPoint(8, tick.height() // 2))
    third = tmp_path / "third.png"
    Image.fromarray(np.ascontiguousarray(window.workspace.photo.rgb[::-1])).save(third)
    window.open_path(third)
    qtbot.waitUntil(lambda: ws.photo.path.name == "third.png", timeout=10000)
    assert ws.calibration is None
    assert panel.calibration_label.text().startswith("Not calibrated")
    assert "removed" in window.statusBar().currentMessage()
    wait_measured(qtbot, window)


def test_draw_hair_press_2_draw_skin_keeps_the_hair(qtbot, window):
    """(issue 13) A new region stays selected: the class key must not turn it into skin."""
    ws = window.workspace
    key(qtbot, window, Qt.Key_R)
    key(qtbot, window, Qt.Key_1)
    drag(qtbot, window, [(20, 30), (60, 80), (120, 200)])
    assert [r.region_class for r in ws.regions] == ["hair"] and ws.selected
    key(qtbot, window, Qt.Key_2)
    drag(qtbot, window, [(250, 40), (300, 90), (350, 150)])
    assert [r.region_class for r in ws.regions] == ["hair", "skin"]
    # reclassifying is explicit, one undo step
    key(qtbot, window, Qt.Key_1, Qt.ShiftModifier)
    assert [r.region_class for r in ws.regions] == ["hair", "hair"]
    key(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert [r.region_class for r in ws.regions] == ["hair", "skin"]
