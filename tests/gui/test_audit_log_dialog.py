"""File > Audit log…: filters, the entries, CSV export; a non-admin is refused in one line
(issue 15)."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt

from shadematch.gui.clients.clients_view import ClientRecords


def _idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=10000)
    qtbot.wait(20)


def _records(qtbot, window) -> ClientRecords:
    records = getattr(window, "client_records", None)
    if records is None:
        records = window.client_records = ClientRecords(window)
    records.dock.show()
    records.dock.raise_()
    qtbot.waitUntil(lambda: records._loaded, timeout=10000)
    _idle(qtbot, window)
    return records


def _open_from_menu(qtbot, window, records):
    action = window.actions["audit_log"]
    assert action.isVisible() and action in window.menuBar().actions()[0].menu().actions()
    action.trigger()
    qtbot.waitUntil(lambda: getattr(records.view, "dialog", None) is not None
                    and records.view.dialog.objectName() == "auditLogDialog", timeout=5000)
    dialog = records.view.dialog
    qtbot.waitExposed(dialog)
    _idle(qtbot, window)
    return dialog


def _column(dialog, col: int) -> list[str]:
    return [dialog.table.item(r, col).text() for r in range(dialog.table.rowCount())]


def test_filter_by_client_and_action_then_export_csv(qtbot, make_window, photo_file, tmp_path,
                                                     monkeypatch):
    window = make_window(photo_file)
    records = _records(qtbot, window)
    store = records.store()
    ann = store.add_client("Ann")
    bob = store.add_client("Bob")
    store.update_client(bob, notes="n")
    dialog = _open_from_menu(qtbot, window, records)
    assert set(_column(dialog, 2)) >= {"create", "change"}
    qtbot.keyClicks(dialog.client, str(bob))
    qtbot.keyClick(dialog.client, Qt.Key_Return)
    _idle(qtbot, window)
    assert set(_column(dialog, 3)) == {f"client #{bob}"}
    dialog.action.setCurrentText("")
    qtbot.keyClicks(dialog.action.lineEdit(), "change")
    qtbot.mouseClick(dialog.show_button, Qt.LeftButton)
    _idle(qtbot, window)
    assert _column(dialog, 2) == ["change"] and "1 entry." == dialog.status.text()
    target = tmp_path / "audit.csv"
    monkeypatch.setattr(dialog, "choose_csv_path", lambda: str(target))
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    _idle(qtbot, window)
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0][:3] == ["time (UTC)", "user", "action"]
    assert [r[2:4] for r in rows[1:]] == [["change", f"client #{bob}"]]
    assert f"Wrote 1 entry to {target}" in dialog.status.text()
    # A bad filter is said in one line, nothing is asked of the records.
    dialog.client.setText("Ann")
    qtbot.mouseClick(dialog.show_button, Qt.LeftButton)
    assert "is not a client id" in dialog.status.text()
    assert f"client #{ann}" not in _column(dialog, 3)


def test_a_practitioner_is_refused_in_one_line(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    records = _records(qtbot, window)
    store = records.store()
    store.add_user("Ada", "admin", "9999")
    store.sign_in("Ada", "9999")
    store.add_user("Pat", "practitioner", "1234")
    store.lock()
    store.sign_in("Pat", "1234")
    dialog = _open_from_menu(qtbot, window, records)
    text = dialog.status.text()
    assert "may not see the audit log" in text and "\n" not in text
    assert "Traceback" not in text and dialog.table.rowCount() == 0
