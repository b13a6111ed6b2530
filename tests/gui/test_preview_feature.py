"""The consultation preview and palette tools in the main window: menu actions, the design kept
with the analysis and its session file."""

from __future__ import annotations

import json

from PIL import Image
from preview_fixtures import HAIR_REGION, SKIN_REGION, scalp_rgb

from shadematch.imaging.regions import Region


def _measured_window(make_window, qtbot, tmp_path):
    path = tmp_path / "scalp.png"
    Image.fromarray(scalp_rgb()).save(path)
    window = make_window(path)
    ws = window.workspace
    ws.add_region("rect", dict(zip("xywh", HAIR_REGION, strict=True)), "hair")
    ws.add_region("rect", dict(zip("xywh", SKIN_REGION, strict=True)), "skin")
    ws.measure_now()
    qtbot.waitUntil(lambda: {"hair", "skin"} <= set(ws.samples), timeout=15000)
    return window


def test_the_menus_hold_the_preview_and_the_palette_tools(make_window):
    window = make_window()
    menus = {m.title().replace("&", ""): [a.text().replace("&", "") for a in m.actions()]
             for m in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))}
    assert "Consultation preview…" in menus["Tools"]
    assert menus["Palettes"][:1] == ["Import palette file…"]
    assert "Read a swatch card photo…" in menus["Palettes"]


def test_without_samples_the_preview_says_what_to_mark(make_window, qtbot):
    window = make_window()
    window.actions["preview"].trigger()
    assert window.features.preview.dialog is None


def test_the_design_made_in_the_preview_is_kept_with_the_session(make_window, qtbot, tmp_path):
    window = _measured_window(make_window, qtbot, tmp_path)
    ws = window.workspace
    window.actions["preview"].trigger()
    dialog = window.features.preview.dialog
    qtbot.waitUntil(lambda: dialog.choice is not None, timeout=15000)
    dialog.editor.set_area([Region("skin", "rect", {"x": 300, "y": 60, "w": 500, "h": 240})])
    dialog.editor.set_scale(10.0)
    dialog.editor.set_density(55)
    qtbot.waitUntil(lambda: dialog.last_preview is not None, timeout=20000)
    dialog.accept()
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=20000)
    assert ws.treatment["density_per_cm2"] == 55 and ws.modified
    record = ws.to_dict()
    assert record["treatment"]["pixels_per_mm"] == 10.0
    # reopening starts from the saved design
    window.actions["preview"].trigger()
    again = window.features.preview.dialog
    assert again.editor.state.density_per_cm2 == 55 and again.editor.state.area
    again.reject()
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=20000)
    from shadematch.sessions import read_session, save_session

    path = save_session(tmp_path / "with-design.shadematch", ws.to_dict(), ws.settings())
    assert json.loads(path.read_text())["treatment"]["density_per_cm2"] == 55
    assert read_session(path)
