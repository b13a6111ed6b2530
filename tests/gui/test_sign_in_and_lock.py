"""Who is working: sign-in at start when the records have users, lock on Ctrl+L and when idle,
the lock screen hides client data, the role decides what is offered (issue 15)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from shadematch.gui.clients.clients_view import ClientRecords
from shadematch.gui.clients.lock_screen import ClientLock
from shadematch.records import open_store


def _idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=10000)
    qtbot.wait(20)


def _clinic() -> int:
    """Records with an admin, a practitioner and a front-desk user, and one client."""
    with open_store() as store:
        store.add_user("Ada", "admin", "9999")
        store.sign_in("Ada", "9999")
        store.add_user("Pat", "practitioner", "1234")
        store.add_user("Fran", "front_desk", "5678")
        return store.add_client("Gil Green", notes="latex allergy")


def _window(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    records = getattr(window, "client_records", None)
    if records is None:
        records = window.client_records = ClientRecords(window)
    records.dock.show()
    records.dock.raise_()
    _idle(qtbot, window)
    return window, records


def _sign_in(qtbot, window, screen, name: str, pin: str) -> None:
    screen.name.clear()
    qtbot.keyClicks(screen.name, name)
    qtbot.keyClicks(screen.pin, pin)
    qtbot.keyClick(screen.pin, Qt.Key_Return)
    _idle(qtbot, window)


def test_starts_locked_signs_in_and_locks_on_ctrl_l(qtbot, make_window, photo_file):
    _clinic()
    window, records = _window(qtbot, make_window, photo_file)
    lock = records.access_lock
    screen = lock.screen
    qtbot.waitUntil(lambda: screen.isVisible(), timeout=10000)
    assert screen.geometry() == window.rect()           # covers menus, photo and docks
    assert records.view.list.count() == 0
    _sign_in(qtbot, window, screen, "Pat", "0000")
    assert screen.isVisible() and "wrong PIN" in screen.problem.text()
    assert "\n" not in screen.problem.text() and screen.pin.text() == ""
    _sign_in(qtbot, window, screen, "Pat", "1234")
    assert not screen.isVisible()
    qtbot.waitUntil(lambda: records.view.list.count() == 1, timeout=5000)
    assert "Signed in as Pat (practitioner)" in window.statusBar().currentMessage()
    assert not records.view.delete_button.isVisible()    # only an admin erases
    assert not window.actions["audit_log"].isEnabled()
    qtbot.keyClick(window, Qt.Key_L, Qt.ControlModifier)
    qtbot.waitUntil(lambda: screen.isVisible(), timeout=5000)
    assert records.view.list.count() == 0 and records.view.client is None
    assert records.store().user is None                  # the records refuse until a sign-in
    # Behind the lock screen no shortcut opens, shows or changes anything; Ctrl+L and Quit stay.
    assert not window.actions["open"].isEnabled() and not window.actions["save_to_client"].isEnabled()
    assert window.actions["lock"].isEnabled() and window.actions["quit"].isEnabled()
    _sign_in(qtbot, window, screen, "Ada", "9999")
    assert not screen.isVisible() and window.actions["audit_log"].isEnabled()
    assert window.actions["open"].isEnabled() and window.actions["save_to_client"].isEnabled()
    qtbot.waitUntil(lambda: records.view.list.count() == 1, timeout=5000)


def test_front_desk_is_offered_no_visit_saving(qtbot, make_window, photo_file):
    _clinic()
    window, records = _window(qtbot, make_window, photo_file)
    screen = records.access_lock.screen
    qtbot.waitUntil(lambda: screen.isVisible(), timeout=10000)
    _sign_in(qtbot, window, screen, "Fran", "5678")
    assert not screen.isVisible()
    assert not window.actions["save_to_client"].isEnabled()
    assert not records.view.export_button.isVisible()
    view = records.view
    qtbot.waitUntil(lambda: view.list.count() == 1, timeout=5000)
    item = view.list.item(0)
    qtbot.mouseClick(view.list.viewport(), Qt.LeftButton,
                     pos=view.list.visualItemRect(item).center())
    qtbot.waitUntil(lambda: view.client is not None, timeout=5000)
    _idle(qtbot, window)
    qtbot.mouseClick(view.edit_button, Qt.LeftButton)
    dialog = view.dialog
    qtbot.waitExposed(dialog)
    assert not dialog.screening_box.isVisible() and dialog.contact.isVisible()
    assert dialog.notes.toPlainText() == ""          # the records leave the notes out
    qtbot.keyClicks(dialog.contact, "0777")
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Save),
                     Qt.LeftButton)
    _idle(qtbot, window)
    assert window.statusBar().currentMessage() == "Client saved"
    with open_store() as admin:
        admin.sign_in("Ada", "9999")
        saved = admin.search_clients()[0]
    assert (saved.contact, saved.notes) == ("0777", "latex allergy")   # notes not wiped


def test_locks_when_idle(qtbot, make_window, photo_file, monkeypatch):
    monkeypatch.setattr(ClientLock, "idle_ms", lambda self: 600)   # 0.6 s, not minutes
    _clinic()
    window, records = _window(qtbot, make_window, photo_file)
    screen = records.access_lock.screen
    qtbot.waitUntil(lambda: screen.isVisible(), timeout=10000)
    _sign_in(qtbot, window, screen, "Pat", "1234")
    assert not screen.isVisible() and records.access_lock.idle.isActive()
    qtbot.waitUntil(lambda: screen.isVisible(), timeout=10000)
    assert records.view.list.count() == 0


def test_without_users_nothing_locks(qtbot, make_window, photo_file):
    window, records = _window(qtbot, make_window, photo_file)
    qtbot.wait(100)
    _idle(qtbot, window)
    assert not records.access_lock.screen.isVisible()
    qtbot.keyClick(window, Qt.Key_L, Qt.ControlModifier)
    assert not records.access_lock.screen.isVisible()
    assert "no named users" in window.statusBar().currentMessage()


def test_the_idle_time_comes_from_preferences(qtbot, make_window, photo_file):
    from shadematch.gui.common.settings import Settings
    from shadematch.gui.preferences.preferences_dialog import PreferencesDialog

    window, records = _window(qtbot, make_window, photo_file)
    assert records.access_lock.idle_ms() == 10 * 60_000         # no settings: 10 minutes
    settings = Settings()                                       # in the test's data folder
    window.settings = settings
    assert settings.idle_lock_minutes == 10                     # the default
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    spin = dialog.idle_lock_spin
    assert spin.value() == 10
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "3")
    assert dialog.values()["idle_lock_minutes"] == 3
    settings.idle_lock_minutes = 3
    assert records.access_lock.idle_ms() == 3 * 60_000
    assert Settings.options()["idle_lock_minutes"].default == 10



def _users_dialog(qtbot, window, records):
    window.actions["users"].trigger()
    qtbot.waitUntil(lambda: getattr(records.view, "dialog", None) is not None
                    and records.view.dialog.objectName() == "usersDialog", timeout=5000)
    dialog = records.view.dialog
    qtbot.waitExposed(dialog)
    _idle(qtbot, window)
    return dialog


def _add(qtbot, window, dialog, name, role_index, pin):
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, name)
    dialog.role.setCurrentIndex(role_index)
    dialog.pin.clear()
    qtbot.keyClicks(dialog.pin, pin)
    qtbot.mouseClick(dialog.add_button, Qt.LeftButton)
    _idle(qtbot, window)


def test_users_dialog_adds_the_first_admin_then_locks_and_manages_users(
        qtbot, make_window, photo_file):
    from shadematch.records.access import ROLES

    window, records = _window(qtbot, make_window, photo_file)
    dialog = _users_dialog(qtbot, window, records)
    assert dialog.table.rowCount() == 0
    _add(qtbot, window, dialog, "Pat", ROLES.index("practitioner"), "1234")
    assert "first user must be an admin" in dialog.status.text()
    _add(qtbot, window, dialog, "Ada", ROLES.index("admin"), "9999")
    assert dialog.status.text().startswith("Added Ada (admin). Close this window and sign in")
    assert dialog.table.rowCount() == 1
    qtbot.keyClick(dialog, Qt.Key_Escape)
    screen = records.access_lock.screen
    qtbot.waitUntil(lambda: screen.isVisible(), timeout=5000)   # users exist now: who is it?
    _sign_in(qtbot, window, screen, "Ada", "9999")
    assert not screen.isVisible(), screen.problem.text()
    dialog = _users_dialog(qtbot, window, records)
    _add(qtbot, window, dialog, "Pat", ROLES.index("practitioner"), "1234")
    assert dialog.table.rowCount() == 2
    row = [dialog.table.item(r, 0).text() for r in range(2)].index("Pat")
    qtbot.mouseClick(dialog.table.viewport(), Qt.LeftButton,
                     pos=dialog.table.visualItemRect(dialog.table.item(row, 0)).center())
    qtbot.mouseClick(dialog.toggle_button, Qt.LeftButton)
    _idle(qtbot, window)
    assert dialog.status.text() == "Pat is now disabled."
    assert not any(u.name == "Ada" and u.disabled for u in dialog.users)
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Close)
    qtbot.mouseClick(close, Qt.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    window.activateWindow()                    # the shortcut goes to the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key_L, Qt.ControlModifier)
    qtbot.waitUntil(lambda: screen.isVisible(), timeout=5000)
    _sign_in(qtbot, window, screen, "Pat", "1234")
    assert screen.isVisible() and "disabled" in screen.problem.text()
