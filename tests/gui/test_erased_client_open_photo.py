"""Erasing a client whose visit's photo is open in the window: the window's autosave and kept
analysis of that photo are removed and never written again (issue 16 leftover, issue 13)."""

from __future__ import annotations

from gui_helpers import consultation_rgb, wait_measured
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from shadematch.photo_sessions import keep_analysis, list_kept, store_dir
from shadematch.sessions import list_recoverable


def _idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=10000)
    qtbot.wait(20)


def _box(window, name: str):
    boxes = [b for b in window.findChildren(QMessageBox)
             if b.isVisible() and b.objectName() == name]
    return boxes[0] if boxes else None


def test_erasing_the_open_photos_client_removes_and_stops_its_autosave(qtbot, make_window,
                                                                      photo_file, tmp_path):
    window = make_window(photo_file)
    ws = window.workspace
    window.autosaver.delay = 0.1
    ws.add_region("rect", {"x": 20, "y": 20, "w": 120, "h": 150}, "hair")
    ws.add_region("ellipse", {"cx": 300, "cy": 100, "rx": 50, "ry": 40}, "skin")
    wait_measured(qtbot, window)
    qtbot.waitUntil(lambda: bool(ws.ranking), timeout=10000)
    ws.choose(ws.ranking[0].entry.id)
    records = window.client_records
    store = records.store()
    store.add_client("Gus Stays")
    client_id = store.add_client("Fay Gone")
    visit_id = store.save_visit(client_id, ws.to_dict(), str(photo_file))
    ws.link_visit(visit_id, client_id)      # as Save to client… leaves it
    ws.set_notes("changed after saving")    # unsaved work on the client's photo
    keep_analysis(ws.to_dict(), ws.settings())  # an earlier kept copy of it
    qtbot.waitUntil(lambda: window.autosaver.path.is_file(), timeout=5000)
    assert len(list_kept()) == 1 and len(list_recoverable()) == 1

    records.dock.show()
    records.dock.raise_()
    qtbot.waitUntil(lambda: records._loaded, timeout=10000)
    _idle(qtbot, window)
    view = records.view
    qtbot.waitUntil(lambda: view.list.count() == 2, timeout=5000)
    row = next(i for i in range(view.list.count())
               if view.list.item(i).data(Qt.UserRole) == client_id)
    item = view.list.item(row)
    qtbot.mouseClick(view.list.viewport(), Qt.LeftButton,
                     pos=view.list.visualItemRect(item).center())
    qtbot.waitUntil(lambda: view.client is not None and view.client.id == client_id,
                    timeout=5000)
    qtbot.mouseClick(view.delete_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: _box(window, "deleteClientDialog") is not None, timeout=3000)
    box = _box(window, "deleteClientDialog")
    erase = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.DestructiveRole)
    qtbot.mouseClick(erase, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.list.count() == 1, timeout=5000)
    _idle(qtbot, window)
    assert list_recoverable() == [] and list_kept() == []
    assert ws.saved_visit is None

    # more edits, autosave ticks, another photo opened, the window closed: nothing comes back
    ws.set_notes("still editing after the erasure")
    ws.add_region("rect", {"x": 200, "y": 200, "w": 40, "h": 40}, "hair")
    qtbot.wait(1300)
    _idle(qtbot, window)
    assert list_recoverable() == []
    other = tmp_path / "other.png"
    Image.fromarray(consultation_rgb(seed=12)).save(other)
    window.open_path(other)
    qtbot.waitUntil(lambda: ws.photo_name == "other.png", timeout=15000)
    _idle(qtbot, window)
    assert list_kept() == [] and list_recoverable() == []
    assert not any(store_dir().iterdir())
    window.close()
    assert list_recoverable() == []
