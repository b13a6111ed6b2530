"""Saving a client that another workstation changed meanwhile: never a silent overwrite; the
dialog shows old / theirs / yours and merges, reloads or cancels (issue 15)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from shadematch.gui.clients.clients_view import ClientRecords
from shadematch.records import open_store


def _idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=10000)
    qtbot.wait(20)


def _editing(qtbot, window, monkeypatch):
    """A client selected in the Clients dock, their edit dialog open; then another
    workstation ("room 2") changes the contact and the notes."""
    records = getattr(window, "client_records", None)
    if records is None:
        records = window.client_records = ClientRecords(window)
    records.dock.show()
    records.dock.raise_()
    qtbot.waitUntil(lambda: records._loaded, timeout=10000)
    _idle(qtbot, window)
    cid = records.store().add_client("Nora North", contact="0101", notes="first")
    records.view.refresh()
    view = records.view
    qtbot.waitUntil(lambda: view.list.count() == 1, timeout=5000)
    item = view.list.item(0)
    qtbot.mouseClick(view.list.viewport(), Qt.LeftButton,
                     pos=view.list.visualItemRect(item).center())
    qtbot.waitUntil(lambda: view.client is not None and view.client.id == cid, timeout=5000)
    _idle(qtbot, window)
    qtbot.mouseClick(view.edit_button, Qt.LeftButton)
    dialog = view.dialog
    qtbot.waitExposed(dialog)
    monkeypatch.setenv("SHADEMATCH_USER", "room 2")
    with open_store(records.data_dir) as other:   # the same data folder, another connection
        other.update_client(cid, expected=other.get_client(cid), contact="0202",
                            notes="theirs")
    return records, view, dialog, cid


def _save(qtbot, window, records, dialog):
    box = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(box.button(QDialogButtonBox.Save), Qt.LeftButton)
    qtbot.waitUntil(lambda: records.view.dialog is not dialog
                    and records.view.dialog.objectName() == "editConflictDialog",
                    timeout=10000)
    conflict = records.view.dialog
    qtbot.waitExposed(conflict)
    return conflict


def _table(conflict) -> dict[str, list[str]]:
    table = conflict.table
    return {table.item(r, 0).text(): [table.item(r, c).text() for c in (1, 2, 3)]
            for r in range(table.rowCount())}


def test_merge_keeps_their_contact_and_your_pattern(qtbot, make_window, photo_file,
                                                    monkeypatch, backend):
    window = make_window(photo_file)
    records, view, dialog, cid = _editing(qtbot, window, monkeypatch)
    assert records.store().backend == backend
    qtbot.keyClicks(dialog.pattern.lineEdit(), "Norwood 4")
    conflict = _save(qtbot, window, records, dialog)
    assert "changed by <b>room 2</b>" in conflict.summary.text()
    assert "nothing was overwritten" in conflict.summary.text()
    assert _table(conflict) == {"Contact": ["0101", "0202", "0101"],
                                "Hair loss": ["(blank)", "(blank)", "Norwood 4"],
                                "Notes": ["first", "theirs", "first"]}
    assert records.store().get_client(cid).hair_loss_pattern is None  # not saved yet
    qtbot.mouseClick(conflict.merge_button, Qt.LeftButton)
    _idle(qtbot, window)
    saved = records.store().get_client(cid)
    assert (saved.contact, saved.notes, saved.hair_loss_pattern) == ("0202", "theirs",
                                                                     "Norwood 4")
    assert window.statusBar().currentMessage() == "Client saved"


def test_both_changed_the_notes_names_the_clash_and_merge_keeps_yours(
        qtbot, make_window, photo_file, monkeypatch):
    window = make_window(photo_file)
    records, view, dialog, cid = _editing(qtbot, window, monkeypatch)
    dialog.notes.selectAll()
    qtbot.keyClicks(dialog.notes, "mine")
    conflict = _save(qtbot, window, records, dialog)
    assert "You both changed <b>Notes</b>" in conflict.summary.text()
    assert _table(conflict)["Notes"] == ["first", "theirs", "mine"]
    qtbot.keyClick(conflict, Qt.Key_Return)   # Merge is the default button
    _idle(qtbot, window)
    saved = records.store().get_client(cid)
    assert (saved.contact, saved.notes) == ("0202", "mine")


@pytest.mark.parametrize("how", ["cancel", "reload"])
def test_cancel_or_reload_leaves_their_version(qtbot, make_window, photo_file, monkeypatch,
                                               how):
    window = make_window(photo_file)
    records, view, dialog, cid = _editing(qtbot, window, monkeypatch)
    dialog.notes.selectAll()
    qtbot.keyClicks(dialog.notes, "mine")
    conflict = _save(qtbot, window, records, dialog)
    button = conflict.cancel_button if how == "cancel" else conflict.reload_button
    qtbot.mouseClick(button, Qt.LeftButton)
    _idle(qtbot, window)
    saved = records.store().get_client(cid)
    assert (saved.contact, saved.notes) == ("0202", "theirs")
    if how == "cancel":
        assert "were not saved" in view.message.text()
        return
    again = view.dialog
    assert again is not conflict and again.objectName() == "clientDialog"
    qtbot.waitExposed(again)
    assert again.contact.text() == "0202" and again.notes.toPlainText() == "theirs"
    again.notes.selectAll()
    qtbot.keyClicks(again.notes, "after reload")
    qtbot.mouseClick(again.findChild(QDialogButtonBox).button(QDialogButtonBox.Save),
                     Qt.LeftButton)
    _idle(qtbot, window)
    assert records.store().get_client(cid).notes == "after reload"


def test_the_list_refreshes_when_another_workstation_saves(qtbot, make_window, photo_file,
                                                           monkeypatch, backend):
    monkeypatch.setattr(ClientRecords, "watch_interval", 0.2)
    window = make_window(photo_file)
    records = window.client_records = getattr(window, "client_records", None) or ClientRecords(
        window)
    records.dock.show()
    records.dock.raise_()
    qtbot.waitUntil(lambda: records._loaded and records._watcher is not None, timeout=10000)
    _idle(qtbot, window)
    assert records.store().backend == backend
    view = records.view
    assert view.list.count() == 0
    with open_store(records.data_dir) as other:      # another workstation, nothing asked here
        cid = other.add_client("Olga Ortiz")
    qtbot.waitUntil(lambda: view.list.count() == 1, timeout=10000)
    assert "Olga Ortiz" in view.list.item(0).text()
    item = view.list.item(0)
    qtbot.mouseClick(view.list.viewport(), Qt.LeftButton,
                     pos=view.list.visualItemRect(item).center())
    qtbot.waitUntil(lambda: view.client is not None and view.client.id == cid, timeout=5000)
    with open_store(records.data_dir) as other:
        other.update_client(cid, hair_loss_pattern="Ludwig 2")
    qtbot.waitUntil(lambda: "Ludwig 2" in view.header.text(), timeout=10000)
    records.close()
    assert records._watcher is None
