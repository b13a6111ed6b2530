"""File > Users…: an admin lists the named users, adds one (name, role, PIN), changes a role
or disables / enables a user. The records API enforces who may (admins only, or anyone while
no user exists: the first must be an admin); a refusal is shown in one line."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shadematch.errors import ShadematchError
from shadematch.gui.clients.client_dialog import FLAG_STYLE
from shadematch.records.access import ROLES

ROLE_LABELS = {"practitioner": "Practitioner", "front_desk": "Front desk", "admin": "Admin"}


def list_users(records):
    return records.store().users()


def add_user(records, name: str, role: str, pin: str):
    from shadematch.records.access import AccessDenied

    store = records.store()
    user = store.add_user(name, role, pin)
    text = f"Added {user.name} ({ROLE_LABELS[user.role].lower()})."
    try:
        return store.users(), text
    except AccessDenied:  # the first user: from now on the records need a sign-in
        return [user], text + f" Close this window and sign in as {user.name}."


def change_user(records, name: str, role: str | None, disabled: bool | None):
    store = records.store()
    user = store.set_user_role(name, role, disabled=disabled)
    state = "disabled" if user.disabled else ROLE_LABELS[user.role].lower()
    return store.users(), f"{user.name} is now {state}."


class UsersDialog(QDialog):
    def __init__(self, records, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersDialog")
        self.setWindowTitle("Users")
        self.records = records
        self.users: list = []
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels(["Name", "Role", "State"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.role_of_selected = QComboBox(self)
        self.role_of_selected.setObjectName("usersSelectedRole")
        for role in ROLES:
            self.role_of_selected.addItem(ROLE_LABELS[role], role)
        self.set_role_button = QPushButton("Set &role", self)
        self.set_role_button.setObjectName("usersSetRole")
        self.toggle_button = QPushButton("&Disable / enable", self)
        self.toggle_button.setObjectName("usersToggle")
        change = QHBoxLayout()
        change.addWidget(self.role_of_selected)
        change.addWidget(self.set_role_button)
        change.addWidget(self.toggle_button)
        change.addStretch(1)

        add_box = QGroupBox("Add a user", self)
        form = QFormLayout(add_box)
        self.name = QLineEdit(add_box)
        self.name.setObjectName("usersName")
        self.role = QComboBox(add_box)
        self.role.setObjectName("usersRole")
        for role in ROLES:
            self.role.addItem(ROLE_LABELS[role], role)
        self.pin = QLineEdit(add_box)
        self.pin.setObjectName("usersPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_button = QPushButton("&Add user", add_box)
        self.add_button.setObjectName("usersAdd")
        form.addRow("&Name:", self.name)
        form.addRow("R&ole:", self.role)
        form.addRow("&PIN:", self.pin)
        form.addRow(self.add_button)

        self.status = QLabel("", self)
        self.status.setObjectName("usersStatus")
        self.status.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(change)
        layout.addWidget(add_box)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.add_button.clicked.connect(self._add)
        self.set_role_button.clicked.connect(self._set_role)
        self.toggle_button.clicked.connect(self._toggle)
        self.resize(520, 480)

    def refresh(self) -> None:
        self.records.submit(list_users, "records-users-list", self.show_users,
                            on_expected=self._problem)

    def show_users(self, users) -> None:
        self.users = list(users)
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            for col, text in enumerate((user.name, ROLE_LABELS.get(user.role, user.role),
                                        "disabled" if user.disabled else "active")):
                self.table.setItem(row, col, QTableWidgetItem(text))

    def _done(self, result) -> None:
        users, text = result
        self.show_users(users)
        self.status.setStyleSheet("")
        self.status.setText(text)
        self.pin.clear()

    def _problem(self, exc: ShadematchError) -> None:
        self.status.setStyleSheet(FLAG_STYLE)
        self.status.setText(str(exc))

    def _selected(self):
        row = self.table.currentRow()
        if 0 <= row < len(self.users):
            return self.users[row]
        self._problem(ShadematchError("Select a user in the list first."))
        return None

    def _add(self) -> None:
        name = " ".join(self.name.text().split())
        if not name:
            self._problem(ShadematchError("Enter the new user's name."))
            return
        self.records.submit(add_user, "records-users", self._done, on_expected=self._problem,
                            name=name, role=self.role.currentData(), pin=self.pin.text())

    def _set_role(self) -> None:
        user = self._selected()
        if user is not None:
            self.records.submit(change_user, "records-users", self._done,
                                on_expected=self._problem, name=user.name,
                                role=self.role_of_selected.currentData(), disabled=None)

    def _toggle(self) -> None:
        user = self._selected()
        if user is not None:
            self.records.submit(change_user, "records-users", self._done,
                                on_expected=self._problem, name=user.name, role=None,
                                disabled=not user.disabled)
