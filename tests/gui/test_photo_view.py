"""The photo view: fit, zoom (keys and wheel), 1:1, pan, preview then full photo, overview."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from shadematch.gui.photo.photo_view import (
    OVERVIEW_SIDE,
    PhotoView,
    format_readout,
    prepare_display,
)


@pytest.fixture
def view(qtbot):
    v = PhotoView()
    qtbot.addWidget(v)
    v.resize(600, 400)
    v.show()
    qtbot.waitExposed(v)
    rgb = np.zeros((800, 1200, 3), dtype=np.uint8)
    rgb[..., 0] = np.linspace(0, 255, 1200, dtype=np.uint8)[None, :]
    rgb[..., 1] = np.linspace(0, 255, 800, dtype=np.uint8)[:, None]
    v.set_image(rgb)
    return v


def test_fit_shows_the_whole_photo(view):
    rect = view.mapFromScene(view.sceneRect()).boundingRect()
    assert rect.width() <= view.viewport().width() + 1
    assert rect.height() <= view.viewport().height() + 1
    assert max(rect.width() / view.viewport().width(),
               rect.height() / view.viewport().height()) > 0.97
    assert view.zoom() == pytest.approx(0.5, abs=0.01)  # 1200 px in 600 px


def test_keys_zoom_and_one_to_one(qtbot, view):
    z = view.zoom()
    view.zoom_in()
    assert view.zoom() == pytest.approx(z * 1.25)
    view.zoom_out()
    view.zoom_out()
    assert view.zoom() == pytest.approx(z / 1.25)
    view.actual_pixels()
    assert view.zoom() == pytest.approx(1.0)
    # 1:1 means one photo pixel per device pixel
    assert view.transform().m11() * view.device_ratio() == pytest.approx(1.0)
    view.fit()
    assert view.zoom() == pytest.approx(z)


def test_wheel_zooms(qtbot, view):
    z = view.zoom()
    pos = QPointF(300, 200)
    event = QWheelEvent(pos, view.viewport().mapToGlobal(pos), QPoint(0, 0), QPoint(0, 240),
                        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom() == pytest.approx(z * 1.25 ** 2, rel=1e-3)


def test_space_drag_and_middle_button_pan(qtbot, view):
    view.actual_pixels()
    bar_x, bar_y = view.horizontalScrollBar(), view.verticalScrollBar()
    x0, y0 = bar_x.value(), bar_y.value()
    viewport = view.viewport()
    qtbot.keyPress(view, Qt.Key_Space)
    qtbot.mousePress(viewport, Qt.LeftButton, pos=QPoint(300, 200))
    qtbot.mouseMove(viewport, QPoint(250, 170))
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=QPoint(250, 170))
    qtbot.keyRelease(view, Qt.Key_Space)
    assert bar_x.value() == x0 + 50 and bar_y.value() == y0 + 30
    qtbot.mousePress(viewport, Qt.MiddleButton, pos=QPoint(250, 170))
    qtbot.mouseMove(viewport, QPoint(300, 200))
    qtbot.mouseRelease(viewport, Qt.MiddleButton, pos=QPoint(300, 200))
    assert bar_x.value() == x0 and bar_y.value() == y0


def test_cursor_position_signal(qtbot, view):
    with qtbot.waitSignal(view.cursor_moved) as blocker:
        qtbot.mouseMove(view.viewport(), view.mapFromScene(QPointF(600.5, 400.5)))
    x, y = blocker.args
    assert abs(x - 600.5) < 2.5 and abs(y - 400.5) < 2.5


def test_preview_stretched_over_full_size_keeps_coordinates(qtbot, view):
    small = np.full((100, 150, 3), 200, dtype=np.uint8)
    view.set_image(small, photo_size=(1200, 800), preview=True)
    assert view.showing_preview and view.photo_size == (1200, 800)
    assert view.sceneRect().width() == 1200
    assert view.photo_item.image_size() == (150, 100)
    image = view.viewport().grab().toImage()
    centre = view.mapFromScene(QPointF(600, 400))
    assert image.pixelColor(centre.x(), centre.y()).red() == 200


def test_big_photo_gets_an_overview_used_when_zoomed_out(qtbot, view):
    rgb = np.zeros((3000, 4500, 3), dtype=np.uint8)
    rgb[::2, :, :] = 255  # 1-pixel stripes: nearest-neighbour shrinking would alias them
    display = prepare_display(rgb)
    assert display.overview is not None
    assert OVERVIEW_SIDE // 2 < max(display.overview.width(), display.overview.height()) <= OVERVIEW_SIDE
    view.set_display(display, (4500, 3000))
    image = view.viewport().grab().toImage()
    centre = view.mapFromScene(QPointF(2250, 1500))
    # area-averaged: mid grey, not black or white stripes
    assert 90 < image.pixelColor(centre.x(), centre.y()).red() < 170


def test_readout_text():
    text = format_readout(10.7, 20.2, np.array([255, 255, 255], dtype=np.uint8))
    assert text.startswith("x 10  y 20") and "sRGB 255 255 255" in text and "L* 100.0" in text
    text16 = format_readout(1, 2, np.array([65535, 0, 0], dtype=np.uint16), 65535)
    assert "sRGB 255 0 0" in text16 and "L* 53.2" in text16
    assert format_readout(-1, -1, None) == ""


def test_one_to_one_counts_device_pixels_on_high_dpi(view, monkeypatch):
    monkeypatch.setattr(PhotoView, "device_ratio", lambda self: 2.0)
    view.actual_pixels()
    assert view.transform().m11() == pytest.approx(0.5)  # 1 photo px = 1 of the 2x2 device px
    assert view.zoom() == pytest.approx(1.0)


def test_full_photo_replacing_a_zoomed_preview_keeps_place_and_size(qtbot, view):
    preview = np.zeros((200, 300, 3), dtype=np.uint8)
    view.set_image(preview, preview=True)
    view.set_zoom(view.zoom() * 4)
    view.centerOn(QPointF(100, 50))
    apparent = view.zoom() * 300  # device pixels across the whole photo
    full = np.zeros((800, 1200, 3), dtype=np.uint8)
    view.set_image(full, keep_view=True)
    assert not view.showing_preview
    assert view.zoom() * 1200 == pytest.approx(apparent, rel=1e-3)
    centre = view.mapToScene(view.viewport().rect().center())
    assert abs(centre.x() - 400) < 8 and abs(centre.y() - 200) < 8
