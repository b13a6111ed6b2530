"""The ranking table fits its dock: Direction and Band are visible without a horizontal
scrollbar at 1280 x 720, in short words with the full words in the tooltips."""

from __future__ import annotations

from gui_helpers import wait_measured
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtWidgets import QToolTip

from shadematch.vocabulary import band_short_label, direction_short_label


def _ranked(qtbot, window):
    ws = window.workspace
    ws.add_region("rect", {"x": 20, "y": 20, "w": 120, "h": 150}, "hair")
    ws.add_region("ellipse", {"cx": 300, "cy": 100, "rx": 50, "ry": 40}, "skin")
    wait_measured(qtbot, window)
    qtbot.waitUntil(lambda: window.matching_panel.model.rowCount() > 0, timeout=5000)
    return window.matching_panel


def _column(panel, name):
    from shadematch.gui.consultation.matching_panel import COLUMNS

    return COLUMNS.index(name)


def test_short_words_for_the_narrow_columns():
    assert direction_short_label(["noticeably lighter", "slightly cooler"]) == \
        "much lighter, cooler"
    assert direction_short_label([]) == "–"
    assert band_short_label("visible difference") == "visible"
    assert band_short_label("unacceptable") == "visible"  # format-1 records, same neutral word


def test_direction_and_band_are_visible_at_1280_by_720(qtbot, make_window, photo_file):
    window = make_window(photo_file, size=(1280, 720))
    panel = _ranked(qtbot, window)
    table = panel.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0, timeout=2000)
    header = table.horizontalHeader()
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible(), timeout=3000)
    width = table.viewport().width()
    for name in ("Direction", "Band"):
        col = _column(panel, name)
        left = header.sectionViewportPosition(col)
        assert left >= 0 and left + header.sectionSize(col) <= width, name
        assert header.sectionSize(col) >= 40, name
    assert header.sectionSize(_column(panel, "Direction")) >= 90
    pigment = _column(panel, "Pigment")
    assert header.sectionSize(pigment) >= table.sizeHintForColumn(pigment)  # names not elided
    band_col = _column(panel, "Band")
    band = table.model().index(0, band_col)
    text = band.data()
    assert table.fontMetrics().horizontalAdvance(text) <= header.sectionSize(band_col)

    # the full words are a hover away (a real mouse move over the cell)
    direction_col = _column(panel, "Direction")
    index = table.model().index(0, direction_col)
    full = index.data(Qt.ToolTipRole)
    assert full and not full.startswith("No direction") and "ΔL*" in full
    rect = table.visualRect(index)
    qtbot.mouseMove(table.viewport(), rect.center())
    QToolTip.hideText()
    event = QHelpEvent(QEvent.ToolTip, rect.center(), table.viewport().mapToGlobal(rect.center()))
    QGuiApplication.sendEvent(table.viewport(), event)
    qtbot.waitUntil(lambda: QToolTip.isVisible() and QToolTip.text() == full, timeout=3000)
    QToolTip.hideText()


def test_a_wide_matching_dock_shows_every_column_again(qtbot, make_window, photo_file):
    from PySide6.QtWidgets import QDockWidget

    window = make_window(photo_file, size=(1280, 720))
    panel = _ranked(qtbot, window)
    table = panel.table
    qtbot.waitUntil(lambda: table.isColumnHidden(_column(panel, "ΔH*")), timeout=3000)
    window.resize(2400, 1000)
    dock = window.findChild(QDockWidget, "matchingDock")
    window.resizeDocks([dock], [1100], Qt.Horizontal)
    qtbot.waitUntil(lambda: not any(table.isColumnHidden(c) for c in range(10)), timeout=3000)
    assert not table.horizontalScrollBar().isVisible()
