"""The fourth region class, healed SMP: key 4 draws it, Shift+4 reclassifies, the legend shows it
(real key and mouse events on the photo view)."""

from __future__ import annotations

import pytest
from gui_helpers import wait_measured
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from shadematch.imaging.regions import CLASS_COLOURS


def vp(window, x: float, y: float) -> QPoint:
    return window.view.mapFromScene(QPointF(x, y))


def drag(qtbot, window, points) -> None:
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, vp(window, *points[0]))
    for p in points[1:]:
        qtbot.mouseMove(viewport, vp(window, *p))
    qtbot.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, vp(window, *points[-1]))


@pytest.fixture
def window(make_window, photo_file):
    return make_window(photo_file)


def test_key_4_draws_healed_smp_and_shift_4_reclassifies(qtbot, window):
    ws = window.workspace
    qtbot.keyClick(window.view, Qt.Key_R)
    qtbot.keyClick(window.view, Qt.Key_1)
    drag(qtbot, window, [(20, 30), (60, 80), (120, 200)])
    qtbot.keyClick(window.view, Qt.Key_4)
    drag(qtbot, window, [(250, 40), (300, 90), (350, 150)])
    assert [r.region_class for r in ws.regions] == ["hair", "healed"]
    wait_measured(qtbot, window)
    assert "healed" in ws.samples and ws.samples["healed"].region_class == "healed"
    # Shift+4 makes the selected (last drawn) region healed SMP: select the hair first
    ws.select([ws.regions[0].id])
    qtbot.keyClick(window.view, Qt.Key_4, Qt.ShiftModifier)
    assert [r.region_class for r in ws.regions] == ["healed", "healed"]
    qtbot.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert [r.region_class for r in ws.regions] == ["hair", "healed"]
    wait_measured(qtbot, window)


def test_the_legend_has_a_healed_smp_button_in_its_own_colour(qtbot, window):
    from shadematch.gui.regions.region_tools import CLASS_COLORS, RegionListPanel

    (legend,) = window.findChildren(RegionListPanel)
    button = legend.class_buttons["healed"]
    assert button.text() == "Healed SMP" and "(4)" in button.toolTip()
    assert CLASS_COLORS["healed"].getRgb()[:3] == CLASS_COLOURS["healed"]
    assert len(set(CLASS_COLOURS.values())) == len(CLASS_COLOURS)
    QTest.mouseClick(button, Qt.LeftButton)
    qtbot.keyClick(window.view, Qt.Key_R)
    drag(qtbot, window, [(250, 40), (300, 90), (350, 150)])
    assert ws_classes(window) == ["healed"]


def ws_classes(window) -> list[str]:
    return [r.region_class for r in window.workspace.regions]
