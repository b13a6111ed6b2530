"""Quitting or closing the photo with unsaved work asks: Save to client… / Keep as session /
Discard / Cancel; Keep as session writes the session and says where (issue 13)."""

from __future__ import annotations

from gui_helpers import idle, wait_measured
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from shadematch.photo_sessions import list_kept, store_dir
from shadematch.sessions import list_recoverable


def _mark(qtbot, window) -> None:
    ws = window.workspace
    ws.add_region("rect", {"x": 20, "y": 20, "w": 120, "h": 150}, "hair")
    wait_measured(qtbot, window)
    idle(qtbot, window)
    assert ws.has_unsaved_work


def _press(qtbot, window, key, modifier=Qt.ControlModifier) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=3000)
    qtbot.keyClick(window.view, key, modifier)


def _menu_quit(qtbot, window) -> None:
    """File > Quit, clicked in the menu (the platform may give Quit no shortcut)."""
    from PySide6.QtCore import QPoint

    menu = window.menus["file"]
    menu.popup(window.mapToGlobal(QPoint(10, 10)))
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    rect = menu.actionGeometry(window.actions["quit"])
    qtbot.mouseClick(menu, Qt.LeftButton, pos=rect.center())


def _question(qtbot, window) -> QMessageBox:
    qtbot.waitUntil(lambda: window.features.leaving.question is not None
                    and window.features.leaving.question.isVisible(), timeout=3000)
    return window.features.leaving.question


def _answer(qtbot, box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    qtbot.mouseClick(button, Qt.LeftButton)


def test_quit_asks_cancel_stays_keep_writes_the_session_and_says_where(qtbot, make_window,
                                                                       photo_file):
    window = make_window(photo_file)
    _mark(qtbot, window)
    _menu_quit(qtbot, window)
    box = _question(qtbot, window)
    assert sorted(b.text() for b in box.buttons()) == ["Cancel", "Discard", "Keep as session",
                                                       "Save to client…"]
    assert "client.png" in box.text() and str(store_dir()) in box.informativeText()
    _answer(qtbot, box, "Cancel")
    qtbot.wait(50)
    assert window.isVisible() and len(window.workspace.regions) == 1

    _menu_quit(qtbot, window)
    _answer(qtbot, _question(qtbot, window), "Keep as session")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert f"kept as a session in {store_dir()}" in window.info_bar.label.text()
    kept = list_kept()
    assert [(e.photo_name, e.regions) for e in kept] == [("client.png", 1)]
    assert list_recoverable() == []  # one copy of the work, not an autosave besides

    again = make_window(photo_file)    # the next start: reopening the photo brings it back
    qtbot.waitUntil(lambda: len(again.workspace.regions) == 1, timeout=10000)
    assert again.workspace.modified


def test_quit_discard_leaves_nothing_and_no_work_means_no_question(qtbot, make_window,
                                                                   photo_file):
    window = make_window(photo_file)
    _mark(qtbot, window)
    _menu_quit(qtbot, window)
    _answer(qtbot, _question(qtbot, window), "Discard")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert list_recoverable() == [] and list_kept() == []

    untouched = make_window(photo_file)
    _menu_quit(qtbot, untouched)
    qtbot.waitUntil(lambda: not untouched.isVisible(), timeout=5000)
    assert untouched.features.leaving.question is None


def test_close_photo_asks_and_save_to_client_starts_that_flow(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    _mark(qtbot, window)
    started = []
    window.actions["save_to_client"].triggered.connect(lambda *_: started.append(True))
    _press(qtbot, window, Qt.Key_W)
    _answer(qtbot, _question(qtbot, window), "Save to client…")
    idle(qtbot, window)
    assert started == [True]
    assert window.workspace.photo is not None  # nothing closed until the visit is saved
    for box in window.findChildren(QMessageBox):
        if box.isVisible() and box is not window.features.leaving.question:
            box.close()
    from PySide6.QtWidgets import QDialog

    for dialog in window.findChildren(QDialog):
        if dialog.isVisible():
            dialog.reject()

    _press(qtbot, window, Qt.Key_W)
    _answer(qtbot, _question(qtbot, window), "Keep as session")
    qtbot.waitUntil(lambda: window.workspace.photo is None, timeout=3000)
    assert window.workspace.regions == [] and not window.workspace.modified
    assert "kept as a session" in window.info_bar.label.text()
    assert [(e.photo_name, e.regions) for e in list_kept()] == [("client.png", 1)]
    assert window.windowTitle().replace("[*]", "") == "shadematch"
