"""Who is working: the sign-in / lock screen over the main window, and the idle lock.

When the records have named users, the window starts locked and asks for a name and PIN; it
locks again after an idle time (``ClientLock.idle_minutes``, default 10) and on demand
(File > Lock, Ctrl+L). The lock screen covers the whole window (menus, photo, docks), so no
client data shows, and the store is signed out (the records refuse every call until a sign-in).
With no users defined nothing locks: a single practitioner works as before.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shadematch.errors import ShadematchError
from shadematch.gui.clients.client_dialog import FLAG_STYLE

IDLE_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                         QEvent.Type.MouseMove, QEvent.Type.Wheel})


def has_users(records) -> bool:
    return records.store().has_users()


def sign_in(records, name: str, pin: str):
    return records.store().sign_in(name, pin)


class LockScreen(QFrame):
    """An opaque panel over the whole window with the sign-in form."""

    sign_in_requested = Signal(str, str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        title = QLabel("<h2>Locked</h2>Sign in to see the client records.", self)
        title.setObjectName("lockTitle")
        self.name = QLineEdit(self)
        self.name.setObjectName("lockName")
        self.pin = QLineEdit(self)
        self.pin.setObjectName("lockPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.button = QPushButton("&Sign in", self)
        self.button.setObjectName("lockSignIn")
        self.button.setDefault(True)
        self.problem = QLabel("", self)
        self.problem.setObjectName("lockProblem")
        self.problem.setStyleSheet(FLAG_STYLE)
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&PIN:", self.pin)
        box = QWidget(self)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addLayout(form)
        inner.addWidget(self.button)
        inner.addWidget(self.problem)
        box.setFixedWidth(360)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.button.clicked.connect(self._submit)
        self.name.returnPressed.connect(self._submit)
        self.pin.returnPressed.connect(self._submit)
        window.installEventFilter(self)
        self.hide()

    def _submit(self) -> None:
        if not self.name.text().strip():
            self.problem.setText("Enter your name.")
            self.name.setFocus()
            return
        self.button.setEnabled(False)
        self.sign_in_requested.emit(self.name.text().strip(), self.pin.text())

    def cover(self) -> None:
        window = self.parentWidget()
        if window is None:
            return
        self.setGeometry(0, 0, window.width(), window.height())
        self.raise_()
        self.show()
        self.pin.clear()
        self.button.setEnabled(True)
        (self.pin if self.name.text() else self.name).setFocus()

    def refused(self, text: str) -> None:
        self.button.setEnabled(True)
        self.problem.setText(text)
        self.pin.clear()
        self.pin.setFocus()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt name
        parent = self.parentWidget()
        if parent is not None and watched is parent and event.type() == QEvent.Type.Resize \
                and self.isVisible():
            self.setGeometry(0, 0, parent.width(), parent.height())
        return False


class ClientLock(QObject):
    """Sign-in at start, idle lock and File > Lock for a window's client records."""

    #: Minutes without keyboard or mouse input before the window locks, when Preferences
    #: (Client records > Lock when idle for) say nothing.
    idle_minutes = 10.0

    # Offered behind the lock screen: nothing that opens, shows or changes client data.
    WHILE_LOCKED = frozenset({"lock", "quit", "about"})

    def __init__(self, records) -> None:
        super().__init__(records)
        self.records = records
        self.services = records.services
        self.users_exist = False
        self.user = None
        self._suspended: dict = {}     # actions disabled while locked, given back at sign-in
        self._idle_ms = self.idle_ms()
        self.screen = LockScreen(self.services.main_widget())
        self.screen.sign_in_requested.connect(self._sign_in)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.lock)
        self.services.actions.bind("lock", self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        QTimer.singleShot(0, self.check)

    @property
    def locked(self) -> bool:
        return self.screen.isVisible()

    def check(self) -> None:
        """At start (and after users were added): lock when the records have named users."""
        # A problem opening the records (damaged, unreachable) is said in the records panel,
        # as the list's own refresh would say it: this check may be the first to meet it.
        self.records.submit(has_users, "records-users", self._users_known)

    def _users_known(self, exist: bool) -> None:
        self.users_exist = bool(exist)
        if self.users_exist and self.user is None:
            self.lock()

    def lock(self) -> None:
        """Hide the client data behind the sign-in screen and sign the store out."""
        if not self.users_exist:
            text = ("Nothing to lock: the records have no named users (an admin adds them "
                    "with `shadematch records add-user`).")
            self.services.show_status(text, 8000)
            return
        self.idle.stop()
        self.user = None
        store = self.records._store
        if store is not None:
            store.lock()
        dialog = getattr(self.records.view, "dialog", None)
        if dialog is not None and dialog.isVisible():
            dialog.reject()
        self.records.view.show_clients([])
        self.records.view.clear_selection()
        self._suspend_actions()
        self.screen.cover()

    def _suspend_actions(self) -> None:
        """Disable every window action but :attr:`WHILE_LOCKED` (a shortcut such as Ctrl+O
        would otherwise reach the window behind the lock screen); :meth:`_resume_actions`
        gives them back as they were."""
        if self._suspended:
            return
        for key, action in self.services.actions.items():
            if key not in self.WHILE_LOCKED and action.isEnabled():
                self._suspended[key] = action
                action.setEnabled(False)

    def _resume_actions(self) -> None:
        for action in self._suspended.values():
            action.setEnabled(True)
        self._suspended = {}

    def _sign_in(self, name: str, pin: str) -> None:
        self.records.submit(sign_in, "records-sign-in", self._signed_in,
                            on_expected=self._refused, name=name, pin=pin)

    def _refused(self, exc: ShadematchError) -> None:
        self.screen.refused(str(exc))

    def _signed_in(self, user) -> None:
        self.user = user
        self.screen.problem.setText("")
        self.screen.hide()
        self._resume_actions()
        self.apply_role(user.role)
        self.services.show_status(f"Signed in as {user.name} ({user.role.replace('_', ' ')})",
                                  8000)
        self.records.view.refresh()
        self._restart_idle()

    def apply_role(self, role: str | None) -> None:
        """Offer only what the role may do (the records refuse the rest anyway)."""
        actions = self.services.actions
        admin = role in (None, "admin")
        clinical = role in (None, "admin", "practitioner")
        for key, allowed in (("save_to_client", clinical), ("audit_log", admin),
                             ("users", admin)):
            action = actions.get(key)
            if action is not None:
                action.setEnabled(allowed)
        self.records.view.delete_button.setVisible(admin)
        self.records.view.export_button.setVisible(clinical)

    def idle_ms(self) -> int:
        """The idle time: Preferences (idle_lock_minutes), else :attr:`idle_minutes`."""
        settings = self.services.settings
        minutes = self.idle_minutes
        if settings is not None:
            minutes = settings.idle_lock_minutes
        return max(1, int(float(minutes) * 60_000))

    def _restart_idle(self) -> None:
        if self.users_exist and self.user is not None:
            self._idle_ms = self.idle_ms()  # read once per sign-in, not on every mouse move
            self.idle.start(self._idle_ms)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt name
        if event.type() in IDLE_EVENTS and self.user is not None and self.idle.isActive():
            self.idle.start(self._idle_ms)
        return False
