"""The Clients dock: new client with screening and consent, search, Save to client, the visit
timeline, reopening a visit, touch-up comparison, under-18 block, damaged database."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import wait_measured
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from shadematch.gui.clients.clients_view import ClientRecords
from shadematch.gui.common.theme import ERROR_COLOUR


def records_of(window) -> ClientRecords:
    """The window's client records (installed here when the window does not do it itself)."""
    records = getattr(window, "client_records", None)
    if records is None:
        records = window.client_records = ClientRecords(window)
    return records


def show_clients(qtbot, window) -> ClientRecords:
    records = records_of(window)
    records.dock.show()
    records.dock.raise_()
    qtbot.waitUntil(lambda: records._loaded, timeout=10000)
    idle(qtbot, window)
    return records


def click_client(qtbot, view, row: int = 0) -> None:
    qtbot.waitUntil(lambda: view.list.count() > row, timeout=5000)
    item = view.list.item(row)
    qtbot.mouseClick(view.list.viewport(), Qt.LeftButton,
                     pos=view.list.visualItemRect(item).center())
    qtbot.waitUntil(lambda: view.client is not None
                    and view.client.id == item.data(Qt.UserRole), timeout=5000)


def idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=10000)
    qtbot.wait(20)  # let the queued on_done callbacks run


def mark_and_pick(qtbot, window) -> str:
    ws = window.workspace
    ws.add_region("rect", {"x": 20, "y": 20, "w": 120, "h": 150}, "hair")
    ws.add_region("ellipse", {"cx": 300, "cy": 100, "rx": 50, "ry": 40}, "skin")
    wait_measured(qtbot, window)
    qtbot.waitUntil(lambda: bool(ws.ranking), timeout=10000)
    entry_id = ws.ranking[0].entry.id
    ws.choose(entry_id)
    return entry_id


def reddish_pixels(widget) -> int:
    image = widget.grab().toImage()
    count = 0
    for y in range(0, image.height(), 1):
        for x in range(0, image.width(), 1):
            c = image.pixelColor(x, y)
            if c.red() > 150 and c.green() < 110 and c.blue() < 110:
                count += 1
    return count


def click_save(qtbot, dialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(box.button(QDialogButtonBox.Save), Qt.LeftButton)


def test_new_client_save_visit_timeline_and_reopen(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    records = show_clients(qtbot, window)
    view = records.view
    assert view.list.count() == 0 and not view.save_button.isEnabled()

    qtbot.mouseClick(view.new_button, Qt.LeftButton)
    dialog = view.dialog
    qtbot.waitExposed(dialog)
    click_save(qtbot, dialog)                       # no name: the dialog says so and stays
    assert dialog.isVisible() and "name" in dialog.problem.text()
    qtbot.keyClicks(dialog.name, "Ann Smith")
    qtbot.keyClicks(dialog.dob, "03/02/1980")
    click_save(qtbot, dialog)
    assert dialog.isVisible() and "YYYY-MM-DD" in dialog.problem.text()
    dialog.dob.selectAll()
    qtbot.keyClicks(dialog.dob, "1980-02-03")
    keloid = dialog.rows["keloid"]
    assert reddish_pixels(keloid.label) == 0
    qtbot.mouseClick(keloid.buttons["yes"], Qt.LeftButton)
    qtbot.keyClicks(keloid.note, "small, left ear")
    qtbot.mouseClick(dialog.rows["clotting"].buttons["no"], Qt.LeftButton)
    assert reddish_pixels(keloid.label) > 5        # the flag stands out at once
    qtbot.mouseClick(dialog.consent_check, Qt.LeftButton)
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: view.client is not None, timeout=10000)
    idle(qtbot, window)

    client = records.store().get_client(view.client.id)
    assert (client.name, client.dob, client.flags()) == ("Ann Smith", "1980-02-03", ["keloid"])
    assert client.screening.answers["keloid"] == {"answer": "yes", "note": "small, left ear"}
    assert client.screening.answers["clotting"]["answer"] == "no"
    assert client.consent_at is not None
    item = view.list.item(0)
    assert item.text().startswith("⚠ Ann Smith") and item.foreground().color() == ERROR_COLOUR
    assert "Keloid scarring" in view.flags.text() and reddish_pixels(view.flags) > 5

    pick = mark_and_pick(qtbot, window)
    qtbot.mouseClick(view.save_button, Qt.LeftButton)
    visit_dialog = view.dialog
    qtbot.waitExposed(visit_dialog)
    assert "Keloid" in visit_dialog.flags.text()
    qtbot.keyClick(visit_dialog.kind, Qt.Key_Down)   # Consultation -> Session
    assert visit_dialog.kind.currentData() == "session" and visit_dialog.session.value() == 1
    qtbot.keyClicks(visit_dialog.batch, "LOT-7")
    click_save(qtbot, visit_dialog)
    qtbot.waitUntil(lambda: view.timeline.count() == 1, timeout=10000)
    idle(qtbot, window)

    saved = records.store().visits(client.id)[0]
    ws = window.workspace
    assert (saved.kind, saved.session_number, saved.batch, saved.chosen_entry_id) == (
        "session", 1, "LOT-7", pick)
    assert saved.analysis["samples"]["hair"]["lab"] == ws.to_dict()["samples"]["hair"]["lab"]
    assert saved.photo.original_path == str(photo_file)
    entry = view.timeline.item(0)
    assert entry.text().startswith("Session 1") and "batch LOT-7" in entry.text()
    # One pigment and one dilution (never the entry name's dilution beside the visit's).
    assert saved.dilution and saved.chosen_name and saved.dilution not in saved.chosen_name
    assert f"{saved.chosen_name}, {saved.dilution}" in entry.text()
    assert entry.text().count(saved.dilution) == 1
    assert not entry.icon().isNull()
    hair_lab = list(saved.analysis["samples"]["hair"]["lab"])

    # A PDF report exported now is linked to the visit just saved.
    report = str(photo_file.with_suffix(".pdf"))
    window.report_exporter.exported.emit(report)
    qtbot.waitUntil(lambda: "report" in view.timeline.item(0).text(), timeout=10000)
    idle(qtbot, window)
    assert records.store().get_visit(saved.id).report_path == report
    entry = view.timeline.item(0)

    # Change the workspace, then double-click the visit: its analysis comes back.
    ws.delete_regions([r.id for r in ws.regions])
    ws.choose(None)
    assert not ws.regions
    rect = view.timeline.visualItemRect(entry)
    # A real double-click: press/release, then the second press arrives as a double-click.
    qtbot.mouseClick(view.timeline.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.timeline.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: len(ws.regions) == 2, timeout=10000)
    wait_measured(qtbot, window)
    assert ws.picks["primary"]["entry_id"] == pick
    assert ws.photo is not None and str(ws.photo.path) == str(saved.photo.stored_path)
    # The photo is named by its own file name, never the store copy's hash name.
    title = window.windowTitle()
    assert title.startswith(photo_file.name) and saved.photo.sha256[:12] not in title
    assert ws.photo_name == photo_file.name
    assert ws.to_dict()["photo"]["name"] == photo_file.name
    assert ws.session_path is None
    assert np.allclose(ws.to_dict()["samples"]["hair"]["lab"], hair_lab, atol=0.05)


def test_search_filters_as_you_type(qtbot, make_window):
    window = make_window()
    records = records_of(window)
    store = records.store()
    for name in ("Bea Black", "Cal Brown", "Dee Black"):
        store.add_client(name)
    records = show_clients(qtbot, window)
    view = records.view
    assert view.list.count() == 3
    qtbot.keyClicks(view.search, "black")
    qtbot.waitUntil(lambda: view.list.count() == 2, timeout=5000)
    assert [view.list.item(i).text().split("  ")[0] for i in range(2)] == ["Bea Black",
                                                                          "Dee Black"]
    view.search.selectAll()
    qtbot.keyClick(view.search, Qt.Key_Backspace)
    qtbot.waitUntil(lambda: view.list.count() == 3, timeout=5000)
    idle(qtbot, window)


def test_under_18_session_is_refused_inline(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    records = records_of(window)
    minor = records.store().add_client("Eli Young", dob="2015-06-01")
    records = show_clients(qtbot, window)
    view = records.view
    click_client(qtbot, view)
    assert view.client.id == minor
    mark_and_pick(qtbot, window)
    qtbot.mouseClick(view.save_button, Qt.LeftButton)
    assert "under 18" in view.message.text()
    dialog = view.dialog
    qtbot.keyClick(dialog.kind, Qt.Key_Down)  # a session
    click_save(qtbot, dialog)
    qtbot.waitUntil(lambda: "treatment visit" in view.message.text(), timeout=10000)
    assert view.message.isVisible() and reddish_pixels(view.message) > 5
    assert records.store().visits(minor) == []
    qtbot.mouseClick(view.save_button, Qt.LeftButton)
    click_save(qtbot, view.dialog)   # a consultation is allowed
    qtbot.waitUntil(lambda: view.timeline.count() == 1, timeout=10000)
    idle(qtbot, window)
    assert [v.kind for v in records.store().visits(minor)] == ["consultation"]


def test_touch_up_comparison_for_a_returning_client(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    records = records_of(window)
    store = records.store()
    cid = store.add_client("Fay Return", dob="1970-01-01")
    earlier = {"format": "shadematch-analysis", "created": "2024-01-01T10:00:00+00:00",
               "samples": {"hair": {"lab": [40.0, 2.0, 4.0]}, "skin": {"lab": [70.0, 10.0,
                                                                              14.0]}},
               "picks": {"primary": {"entry_id": "espresso@2:1", "name": "Espresso 2:1",
                                     "dilution": "2:1"}}}
    store.save_visit(cid, earlier, None, kind="session", batch="OLD-1", visit_date="2024-01-01")
    records = show_clients(qtbot, window)
    view = records.view
    click_client(qtbot, view)
    mark_and_pick(qtbot, window)
    qtbot.waitUntil(lambda: "Touch-up" in view.touch_up.text(), timeout=10000)
    idle(qtbot, window)
    text = view.touch_up.text()
    assert "Session 1 2024-01-01" in text and "Espresso, 2:1" in text and "batch OLD-1" in text
    assert "now darker" in text  # the synthetic hair (L* ~ 16) is darker than L* 40


def test_damaged_records_are_reported_inline(qtbot, make_window, tmp_path, monkeypatch):
    data = tmp_path / "user-data" / "records"
    data.mkdir(parents=True)
    (data / "records.db").write_bytes(b"not a database" * 200)
    window = make_window()
    records = show_clients(qtbot, window)
    qtbot.waitUntil(lambda: "is damaged" in records.view.message.text(), timeout=20000)
    assert records.view.message.isVisible()
    assert str(data / "records.db") in records.view.message.text()


@pytest.mark.parametrize("shortcut_key", ["save_to_client"])
def test_save_to_client_action_needs_a_client(qtbot, make_window, shortcut_key):
    window = make_window()
    records = show_clients(qtbot, window)
    action = window.actions[shortcut_key]
    assert action in window.menus["file"].actions() and not action.shortcut().isEmpty()
    action.trigger()
    assert "Select the client" in records.view.message.text()


def _client_with_a_visit(qtbot, window, photo_file, name="Fay Gone"):
    records = records_of(window)
    store = records.store()
    keep = store.add_client("Gus Stays")
    client_id = store.add_client(name)
    mark_and_pick(qtbot, window)
    visit_id = store.save_visit(client_id, window.workspace.to_dict(), str(photo_file))
    photo = store.get_visit(visit_id).photo
    return records, client_id, keep, photo


def _visible_box(window, name: str):
    from PySide6.QtWidgets import QMessageBox

    boxes = [b for b in window.findChildren(QMessageBox)
             if b.isVisible() and b.objectName() == name]
    return boxes[0] if boxes else None


def test_delete_client_asks_naming_what_is_erased_then_erases(qtbot, make_window, photo_file):
    from PySide6.QtWidgets import QMessageBox

    window = make_window(photo_file)
    records, client_id, keep, photo = _client_with_a_visit(qtbot, window, photo_file)
    assert photo.stored_path.is_file() and photo.thumbnail_path.is_file()
    records = show_clients(qtbot, window)
    view = records.view
    assert not view.delete_button.isEnabled()
    row = next(i for i in range(view.list.count())
               if view.list.item(i).data(Qt.UserRole) == client_id)
    click_client(qtbot, view, row)
    assert view.delete_button.isEnabled() and view.export_button.isEnabled()

    # Cancel (Esc) keeps everything.
    qtbot.mouseClick(view.delete_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: _visible_box(window, "deleteClientDialog") is not None, timeout=3000)
    box = _visible_box(window, "deleteClientDialog")
    assert "Fay Gone" in box.text()
    info = box.informativeText()
    for words in ("1 visit", "photo copies", "thumbnails", "cannot be undone"):
        assert words in info, words
    qtbot.keyClick(box, Qt.Key_Escape)
    idle(qtbot, window)
    assert records.store().get_client(client_id).name == "Fay Gone"

    # Confirmed by mouse: erased off the GUI thread, list and files follow.
    qtbot.mouseClick(view.delete_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: _visible_box(window, "deleteClientDialog") is not None, timeout=3000)
    box = _visible_box(window, "deleteClientDialog")
    erase = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.DestructiveRole)
    qtbot.mouseClick(erase, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.list.count() == 1, timeout=5000)
    assert view.list.item(0).data(Qt.UserRole) == keep
    assert [c.id for c in records.store().search_clients("")] == [keep]
    assert not photo.stored_path.exists() and not photo.thumbnail_path.exists()
    assert view.client is None and not view.delete_button.isEnabled()
    assert "Deleted Fay Gone: 1 visit" in window.statusBar().currentMessage()
    idle(qtbot, window)


def _shown_and_selected(qtbot, window, client_id):
    """Show the Clients dock, click ``client_id`` in the list and wait until all is idle."""
    records = show_clients(qtbot, window)
    view = records.view
    row = next(i for i in range(view.list.count())
               if view.list.item(i).data(Qt.UserRole) == client_id)
    click_client(qtbot, view, row)
    idle(qtbot, window)
    return records, view, row


def test_late_work_for_an_erased_client_is_dropped(qtbot, make_window, photo_file, monkeypatch):
    """A touch-up comparison and a timeline asked for before the erase, finishing after it, leave
    the "Deleted ..." confirmation alone (this race made the delete test flaky)."""
    import threading

    from PySide6.QtWidgets import QMessageBox

    import shadematch.gui.clients.clients_view as clients_view

    window = make_window(photo_file)
    records, client_id, keep, _photo = _client_with_a_visit(qtbot, window, photo_file)
    records, view, row = _shown_and_selected(qtbot, window, client_id)
    release = threading.Event()
    started = []
    real_touch_up, real_timeline = clients_view.touch_up, clients_view.client_timeline

    def slow(real):
        def run(records, client_id, **kwargs):
            started.append(client_id)
            release.wait(10)
            return real(records, client_id, **kwargs)
        return run

    monkeypatch.setattr(clients_view, "touch_up", slow(real_touch_up))
    monkeypatch.setattr(clients_view, "client_timeline", slow(real_timeline))
    records.refresh_touch_up()                    # held in the worker until the erase is done
    qtbot.waitUntil(lambda: client_id in started, timeout=3000)
    monkeypatch.setattr(clients_view, "client_timeline", real_timeline)

    qtbot.mouseClick(view.delete_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: _visible_box(window, "deleteClientDialog") is not None, timeout=3000)
    box = _visible_box(window, "deleteClientDialog")
    erase = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.DestructiveRole)
    qtbot.mouseClick(erase, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.list.count() == 1, timeout=5000)
    # A timeline for the erased client, as a late selection would ask for it.
    records.submit(slow(real_timeline), "records-timeline", view.show_timeline,
                   client_id=client_id)
    release.set()
    idle(qtbot, window)
    assert "Deleted Fay Gone: 1 visit" in window.statusBar().currentMessage()
    assert not view.message.isVisible(), view.message.text()
    assert view.client is None and view.list.item(0).data(Qt.UserRole) == keep


def test_a_client_erased_elsewhere_is_said_in_gui_words(qtbot, make_window, photo_file,
                                                        monkeypatch):
    # A list not yet refreshed by the change watcher (it polls every watch_interval seconds).
    monkeypatch.setattr(ClientRecords, "watch_interval", 3600.0)
    window = make_window(photo_file)
    records, client_id, _keep, _photo = _client_with_a_visit(qtbot, window, photo_file)
    records, view, row = _shown_and_selected(qtbot, window, client_id)
    records.store().delete_client(client_id)      # as another window or the command line would
    click_client(qtbot, view, 1 - row)            # the list is stale: the erased client is there
    item = view.list.item(row)
    qtbot.mouseClick(view.list.viewport(), Qt.LeftButton,
                     pos=view.list.visualItemRect(item).center())
    status = window.statusBar()
    qtbot.waitUntil(lambda: "no longer in the records" in status.currentMessage(), timeout=5000)
    text = status.currentMessage()
    assert f"#{client_id}" in text
    assert "shadematch clients" not in text       # no command-line hint inside the GUI
    qtbot.waitUntil(lambda: view.list.count() == 1, timeout=5000)
    idle(qtbot, window)
    assert view.client is None or view.client.id != client_id


def test_export_client_to_a_new_folder(qtbot, make_window, photo_file, tmp_path, monkeypatch):
    import json as _json

    window = make_window(photo_file)
    records, client_id, _keep, photo = _client_with_a_visit(qtbot, window, photo_file,
                                                            name="Hal Moves")
    records = show_clients(qtbot, window)
    view = records.view
    row = next(i for i in range(view.list.count())
               if view.list.item(i).data(Qt.UserRole) == client_id)
    click_client(qtbot, view, row)
    target = tmp_path / "exports"
    target.mkdir()
    asked = []
    monkeypatch.setattr(records, "choose_export_folder",
                        lambda client: asked.append(client.name) or str(target))
    for expected_suffix in ("", "-2"):                # a second export gets a new folder
        records.last_export = None
        qtbot.mouseClick(view.export_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: records.last_export is not None, timeout=10000)
        out = records.last_export
        assert out.parent == target and out.name.endswith(expected_suffix)
        assert out.name.startswith(f"shadematch-client-{client_id}-Hal-Moves")
        manifest = _json.loads((out / "client.json").read_text(encoding="utf-8"))
        assert manifest["client"]["name"] == "Hal Moves"
        assert any(p.is_file() for p in (out / "photos").iterdir())
        assert str(out) in window.statusBar().currentMessage()
    assert asked == ["Hal Moves", "Hal Moves"]
    # The exported folder imports back as a client (what the export is for).
    records.store().delete_client(client_id)
    new_id = records.store().import_client(records.last_export)
    assert records.store().get_client(new_id).name == "Hal Moves"
    idle(qtbot, window)
