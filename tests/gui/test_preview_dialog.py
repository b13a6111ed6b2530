"""The consultation preview window, driven with real mouse and key events."""

from __future__ import annotations

import numpy as np
import pytest
from preview_fixtures import HAIR_REGION, SKIN_REGION, scalp_rgb
from PySide6.QtCore import QPoint, Qt

from shadematch.analysis import measure_regions
from shadematch.color.conversion import sRGB_to_Lab
from shadematch.imaging.regions import Region
from shadematch.palettes import load_palette

BOX = (250, 40, 600, 330)


@pytest.fixture
def dialog(qtbot):
    from shadematch.gui.preview.preview_dialog import PreviewDialog

    rgb = scalp_rgb()
    regions = [Region("hair", "rect", dict(zip("xywh", HAIR_REGION, strict=True))),
               Region("skin", "rect", dict(zip("xywh", SKIN_REGION, strict=True)))]
    samples, _ = measure_regions(rgb, regions, pixels_per_mm=10.0)
    window = PreviewDialog(rgb, samples, load_palette(), hair_box=BOX)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.choice is not None, timeout=10000)
    yield window
    window.done(0)
    window.runner.shutdown()


def _shows_the_state(window) -> bool:
    """The last full render is of the state being edited (not one from before the last edit)."""
    preview, state = window.last_preview, window.editor.state
    if state.ready() is not None:
        return True
    return (preview is not None and preview.rgb.shape == window.rgb8.shape
            and preview.stage == state.stage and preview.session == state.session
            and preview.design == state.design()
            and window.choice is not None and preview.entry.id == window.choice.entry.id)


def _idle(qtbot, window):
    qtbot.waitUntil(lambda: window.runner.active_count() == 0 and not window._quick.isActive()
                    and not window._full.isActive() and _shows_the_state(window),
                    timeout=20000)


def _view_point(window, x, y) -> QPoint:
    return window.view.mapFromScene(x, y)


def _ready(qtbot, window, template=0):
    window.template.setCurrentIndex(template)
    apply = next(b for b in window.findChildren(type(window.draw_button))
                 if b.text() == "Use template")
    qtbot.mouseClick(apply, Qt.LeftButton)
    window.ppm.setFocus()
    window.ppm.selectAll()
    qtbot.keyClicks(window.ppm, "10")
    qtbot.keyClick(window.ppm, Qt.Key_Return)
    _idle(qtbot, window)


def test_without_area_or_scale_it_says_what_is_missing(dialog):
    assert "Draw the treatment area" in dialog.status.text()
    assert not dialog.export_button.isEnabled()
    dialog._apply_template()
    assert "no scale" in dialog.status.text()


def test_the_preview_draws_dots_inside_the_area_only(qtbot, dialog):
    _ready(qtbot, dialog)
    assert dialog.editor.state.pixels_per_mm == pytest.approx(10.0)
    preview = dialog.last_preview
    assert preview is not None and preview.rgb.shape == dialog.rgb8.shape   # the full render
    outside = ~dialog.editor.state.area[0].mask(*dialog.rgb8.shape[:2])
    assert np.array_equal(preview.rgb[outside], dialog.rgb8[outside])
    assert preview.layout.count > 200
    assert "dots of 0.4 mm" in dialog.status.text()
    assert dialog.export_button.isEnabled()


def test_stage_and_session_radios_change_what_is_drawn(qtbot, dialog):
    _ready(qtbot, dialog)
    # a diluted shade (a neat ink is near opaque: fresh and healed look alike)
    index = next(i for i in range(dialog.shade.count())
                 if "@6:1" in str(dialog.shade.itemData(i)))
    dialog.shade.setCurrentIndex(index)
    dialog.shade.activated.emit(index)
    qtbot.waitUntil(lambda: dialog.choice.entry.id == dialog.shade.itemData(index), timeout=10000)
    _idle(qtbot, dialog)
    healed = dialog.last_preview
    assert healed.entry.id.endswith("@6:1")
    fresh_button = next(b for b in dialog.stage_group.buttons()
                        if b.objectName() == "stage_fresh")
    qtbot.mouseClick(fresh_button, Qt.LeftButton)
    _idle(qtbot, dialog)
    assert dialog.editor.state.stage == "fresh"
    fresh = dialog.last_preview
    assert fresh.tint.dot_Lab[0] < healed.tint.dot_Lab[0] - 2
    first = next(b for b in dialog.session_group.buttons() if b.objectName() == "session_1")
    qtbot.mouseClick(first, Qt.LeftButton)
    _idle(qtbot, dialog)
    assert dialog.last_preview.layout.count < 0.75 * fresh.layout.count
    # undo twice with the keyboard: back to the healed final plan
    qtbot.keyClick(dialog.view, Qt.Key_Z, Qt.ControlModifier)
    assert dialog.editor.state.session == "final" and dialog.editor.state.stage == "fresh"
    qtbot.keyClick(dialog.view, Qt.Key_Z, Qt.ControlModifier)
    assert dialog.editor.state.stage == "healed" and dialog.editor.state.shade is not None
    assert not fresh_button.isChecked()          # the radio buttons follow the undo
    _idle(qtbot, dialog)


def test_dragging_a_hairline_point_is_one_undo_step(qtbot, dialog):
    _ready(qtbot, dialog, template=0)
    x, y = dialog.editor.state.area[0].params["points"][0]
    start = _view_point(dialog, x, y)
    end = _view_point(dialog, x + 40, y + 60)
    viewport = dialog.view.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(viewport, start + (end - start) * (k / 5))
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=end)
    moved = dialog.editor.state.area[0].params["points"][0]
    assert moved[0] == pytest.approx(x + 40, abs=3) and moved[1] == pytest.approx(y + 60, abs=3)
    assert dialog.editor.undo_label == "Move hairline point"
    qtbot.keyClick(dialog.view, Qt.Key_Z, Qt.ControlModifier)
    assert dialog.editor.state.area[0].params["points"][0] == [x, y]


def test_drawing_an_area_and_a_scale_line_with_the_mouse(qtbot, dialog):
    viewport = dialog.view.viewport()
    qtbot.mouseClick(dialog.draw_button, Qt.LeftButton)
    assert dialog.tool.mode == "draw"
    corners = [(300, 60), (800, 60), (800, 300), (300, 300)]
    for x, y in corners:
        qtbot.mouseClick(viewport, Qt.LeftButton, pos=_view_point(dialog, x, y))
    qtbot.keyClick(dialog.view, Qt.Key_Return)
    assert dialog.tool.mode == "edit"
    points = dialog.editor.state.area[0].params["points"]
    assert len(points) == 4 and points[0] == pytest.approx([300, 60], abs=2)
    qtbot.mouseClick(dialog.scale_button, Qt.LeftButton)
    a, b = _view_point(dialog, 100, 350), _view_point(dialog, 300, 350)
    qtbot.mousePress(viewport, Qt.LeftButton, pos=a)
    qtbot.mouseMove(viewport, b)
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=b)
    assert dialog.editor.state.pixels_per_mm == pytest.approx(20.0, rel=0.03)   # 200 px / 10 mm
    _idle(qtbot, dialog)
    assert dialog.last_preview is not None


def test_before_after_and_match_density(qtbot, dialog):
    _ready(qtbot, dialog)
    assert dialog.show_after
    qtbot.keyClick(dialog.view, Qt.Key_Backslash)
    assert not dialog.show_after and not dialog.after.isChecked()
    qtbot.keyClick(dialog.view, Qt.Key_Backslash)
    assert dialog.show_after
    qtbot.mouseClick(dialog.match_density, Qt.LeftButton)
    assert dialog.editor.state.density_per_cm2 == pytest.approx(60, rel=0.15)


def test_export_writes_the_full_resolution_image(qtbot, dialog, tmp_path):
    from PIL import Image

    _ready(qtbot, dialog)
    out = tmp_path / "client-preview.png"
    dialog.export_to(str(out))
    _idle(qtbot, dialog)
    with Image.open(out) as im:
        assert im.size == (900, 600) and im.info.get("icc_profile")
        drawn = np.asarray(im.convert("RGB"))
    inside = dialog.editor.state.area[0].mask(600, 900)
    darker = sRGB_to_Lab(drawn[inside])[:, 0] < sRGB_to_Lab(dialog.rgb8[inside])[:, 0] - 5
    assert darker.mean() > 0.02
    assert "written" in dialog.status.text()


def test_export_of_a_wide_gamut_photo_keeps_its_profile(qtbot, tmp_path):
    import io

    from PIL import Image, ImageCms

    from shadematch.gui.preview.preview_dialog import PreviewDialog
    from shadematch.imaging.icc_profiles import named_profile
    from shadematch.imaging.measurement_source import SourcePixels

    rgb = scalp_rgb()
    p3 = named_profile("Display P3")
    to_p3 = ImageCms.buildTransform(ImageCms.createProfile("sRGB"),
                                    ImageCms.ImageCmsProfile(io.BytesIO(p3)), "RGB", "RGB")
    codes = np.asarray(ImageCms.applyTransform(Image.fromarray(rgb), to_p3)).copy()
    source = SourcePixels.maybe(codes, 1, p3, "Display P3")
    regions = [Region("hair", "rect", dict(zip("xywh", HAIR_REGION, strict=True))),
               Region("skin", "rect", dict(zip("xywh", SKIN_REGION, strict=True)))]
    samples, _ = measure_regions(rgb, regions, pixels_per_mm=10.0)
    window = PreviewDialog(rgb, samples, load_palette(), hair_box=BOX, source=source)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.choice is not None, timeout=10000)
        _ready(qtbot, window)
        out = tmp_path / "p3-preview.png"
        window.export_to(str(out))
        _idle(qtbot, window)
        with Image.open(out) as im:
            assert im.info.get("icc_profile") == p3
            drawn = np.asarray(im.convert("RGB"))
        inside = window.editor.state.area[0].mask(600, 900)
        assert np.array_equal(drawn[~inside], codes[~inside])
        assert np.any(drawn[inside] != codes[inside], axis=1).mean() > 0.02
    finally:
        window.done(0)
        window.runner.shutdown()


def test_the_scale_comes_from_the_chart_with_its_measured_row(qtbot):
    from PySide6.QtWidgets import QApplication

    from shadematch.gui.preview.preview_dialog import PreviewDialog

    rgb = scalp_rgb()
    regions = [Region("hair", "rect", dict(zip("xywh", HAIR_REGION, strict=True))),
               Region("skin", "rect", dict(zip("xywh", SKIN_REGION, strict=True)))]
    samples, _ = measure_regions(rgb, regions, pixels_per_mm=10.0)
    corners = [(100, 500), (320, 500), (320, 632), (100, 632)]   # 44 px per patch spacing
    window = PreviewDialog(rgb, samples, load_palette(), hair_box=BOX, chart_corners=corners)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.choice is not None, timeout=10000)
        assert window.chart_scale.isEnabled()
        qtbot.mouseClick(window.chart_scale, Qt.LeftButton)
        assert "ruler" in window.status.text() and window.editor.state.pixels_per_mm is None
        window.chart_row.setFocus()
        window.chart_row.selectAll()
        qtbot.keyClicks(window.chart_row, "22")
        qtbot.keyClick(window.chart_row, Qt.Key_Return)
        QApplication.processEvents()
        qtbot.mouseClick(window.chart_scale, Qt.LeftButton)
        assert window.editor.state.pixels_per_mm == pytest.approx(10.0, rel=1e-6)
        assert "10.00 px/mm" in window.status.text()
        qtbot.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)       # undo: no scale again
        assert window.editor.state.pixels_per_mm is None
    finally:
        window.done(0)
        window.runner.shutdown()


def test_without_a_chart_the_chart_scale_is_not_offered(dialog):
    assert not dialog.chart_scale.isEnabled()
    assert "Calibrate" in dialog.chart_scale.toolTip()
