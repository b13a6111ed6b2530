"""The shade choice is part of undo/redo and can be cleared (issue 13)."""

from __future__ import annotations

from gui_helpers import drag, idle, wait_measured
from PySide6.QtCore import Qt


def _mark_hair_and_skin(qtbot, window) -> None:
    tool = window.toolbar.widgetForAction(window.actions["tool_rect"])
    qtbot.mouseClick(tool, Qt.LeftButton)
    drag(qtbot, window, [(20, 30), (60, 80), (120, 200)])
    qtbot.mouseClick(window.toolbar.widgetForAction(window.actions["class_skin"]), Qt.LeftButton)
    drag(qtbot, window, [(230, 20), (300, 120), (360, 180)])
    wait_measured(qtbot, window)
    qtbot.waitUntil(lambda: window.matching_panel.model.rowCount() > 2
                    and bool(window.workspace.ranking), timeout=15000)
    idle(qtbot, window)


def _undo(qtbot, window) -> None:
    window.activateWindow()
    qtbot.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)


def _redo(qtbot, window) -> None:
    window.activateWindow()
    qtbot.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)


def test_choose_undo_redo_and_clear_choice(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    _mark_hair_and_skin(qtbot, window)
    ws, panel = window.workspace, window.matching_panel
    assert len(ws.regions) == 2
    assert not panel.clear_choice_button.isEnabled()
    first, second = ws.ranking[0].entry, ws.ranking[1].entry

    panel.table.selectRow(0)
    qtbot.mouseClick(panel.choose_button, Qt.LeftButton)
    panel.table.selectRow(1)
    qtbot.mouseClick(panel.choose_button, Qt.LeftButton)
    assert ws.picks["primary"]["entry_id"] == second.id
    assert window.actions["undo"].text().replace("&", "") == "Undo Choose shade"

    _undo(qtbot, window)                         # back to the first choice
    assert ws.picks["primary"]["entry_id"] == first.id
    assert first.name in panel.picks_label.text()
    _undo(qtbot, window)                         # no choice at all; the regions stay
    assert ws.picks["primary"] is None and len(ws.regions) == 2
    assert panel.picks_label.text() == "No shade chosen yet."
    _redo(qtbot, window)
    _redo(qtbot, window)
    assert ws.picks["primary"]["entry_id"] == second.id

    # Clear choice: a button, one undo step, the action in the Edit menu too
    assert panel.clear_choice_button.isEnabled()
    qtbot.mouseClick(panel.clear_choice_button, Qt.LeftButton)
    assert ws.picks == {"primary": None, "first_session": None}
    assert panel.picks_label.text() == "No shade chosen yet."
    assert not panel.clear_choice_button.isEnabled()
    assert ws.modified and ws.to_dict()["picks"].get("primary") is None
    _undo(qtbot, window)
    assert ws.picks["primary"]["entry_id"] == second.id
    assert window.actions["clear_choice"] in window.menus["edit"].actions()
    window.actions["clear_choice"].trigger()
    assert ws.picks["primary"] is None

    # undoing past the choices reaches the region edits again
    _undo(qtbot, window)     # the clear
    _undo(qtbot, window)     # choose second
    _undo(qtbot, window)     # choose first
    _undo(qtbot, window)     # the skin region
    assert ws.picks["primary"] is None and len(ws.regions) == 1
