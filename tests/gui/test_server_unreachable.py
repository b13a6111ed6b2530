"""The records server goes away mid-consultation: the window says so, keeps the visit, retries
in the background and saves it when the server is back, saying so (issue 15). Uses a real
PostgreSQL server, stopped and started again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from shadematch.gui.clients.clients_view import ClientRecords
from shadematch.records import open_store
from shadematch.records.pending import PendingSaves


def _idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=30000)
    qtbot.wait(20)


def test_a_visit_saved_while_the_server_is_down_is_kept_then_saved(
        qtbot, make_window, photo_file, monkeypatch, pg_server):
    url = pg_server.create_database()
    monkeypatch.setenv("SHADEMATCH_DATABASE_URL", url)
    monkeypatch.setattr(ClientRecords, "retry_seconds", 0.5)
    monkeypatch.setattr(ClientRecords, "watch_interval", 0.5)
    window = make_window(photo_file)
    records = getattr(window, "client_records", None) or ClientRecords(window)
    window.client_records = records
    with open_store() as other:
        cid = other.add_client("Uma Up")
    records.dock.show()
    records.dock.raise_()
    view = records.view
    # Every message the panel shows, in order: a later refresh may replace one before a poll.
    said: list[str] = []
    show_message = view.show_message
    monkeypatch.setattr(view, "show_message", lambda text: (said.append(text),
                                                            show_message(text)))
    qtbot.waitUntil(lambda: view.list.count() == 1, timeout=10000)
    assert records.store().backend == "postgres"
    item = view.list.item(0)
    qtbot.mouseClick(view.list.viewport(), Qt.LeftButton,
                     pos=view.list.visualItemRect(item).center())
    qtbot.waitUntil(lambda: view.client is not None and view.client.id == cid, timeout=5000)
    _idle(qtbot, window)
    pending = PendingSaves.for_data_dir(records.data_dir)
    try:
        pg_server.stop("immediate")                      # the server goes away
        window.actions["save_to_client"].trigger()
        dialog = view.dialog
        qtbot.waitExposed(dialog)
        qtbot.keyClicks(dialog.batch, "LOT-9")
        qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Save),
                         Qt.LeftButton)
        qtbot.waitUntil(lambda: any("unreachable" in text for text in said), timeout=30000)
        assert any("kept on this workstation" in text for text in said), said
        assert len(pending) == 1
        qtbot.wait(1500)                                 # a few retries, still down
        assert len(pending) == 1 and records._retry.isActive()
    finally:
        pg_server.start()                                # the server is back
    qtbot.waitUntil(lambda: any(text.startswith("The records server is back") for text in said), timeout=60000)
    assert any("1 kept visit was saved" in text for text in said), said
    assert len(pending) == 0 and not records._retry.isActive()
    _idle(qtbot, window)
    with open_store() as other:
        visits = other.visits(cid)
    assert [v.batch for v in visits] == ["LOT-9"] and visits[0].photo is not None
    records.close()
    pg_server.drop_database(url)
