"""Records > Audit log…: an admin's viewer of the audit log, with filters and a CSV export.

Who viewed, created, changed, exported or erased which record and when. The entries are read
and the CSV written off the GUI thread (the window's TaskRunner, through the client records);
a user who may not read the log is told so in one line (the records API refuses it).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shadematch.errors import RecordsError, ShadematchError
from shadematch.gui.clients.client_dialog import FLAG_STYLE

ACTIONS = ("", "view", "create", "change", "erase", "export", "import", "add user",
           "change user", "purge audit")
SHOWN_LIMIT = 5000


def audit_entries(records, filters: dict) -> list[dict]:
    """The entries matching ``filters`` (worker side)."""
    return records.store().audit_log(limit=SHOWN_LIMIT, **filters)


def write_audit_csv(records, path: str, filters: dict) -> tuple[Path, int]:
    """Every entry matching ``filters`` to ``path`` as CSV, written whole or not at all."""
    from shadematch.atomic_files import write_text_atomic
    from shadematch.records.audit_export import audit_csv

    entries = records.store().audit_log(**filters)
    return write_text_atomic(path, audit_csv(entries)), len(entries)


class AuditLogDialog(QDialog):
    """Filters (client id, user, action, from / to date), the entries, Export CSV…."""

    def __init__(self, records, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditLogDialog")
        self.setWindowTitle("Audit log")
        self.records = records
        self.client = QLineEdit(self)
        self.client.setObjectName("auditClient")
        self.client.setPlaceholderText("client id, e.g. 12")
        self.user = QLineEdit(self)
        self.user.setObjectName("auditUser")
        self.action = QComboBox(self)
        self.action.setObjectName("auditAction")
        self.action.setEditable(True)
        self.action.addItems(ACTIONS)
        self.since = QLineEdit(self)
        self.since.setObjectName("auditSince")
        self.since.setPlaceholderText("YYYY-MM-DD")
        self.until = QLineEdit(self)
        self.until.setObjectName("auditUntil")
        self.until.setPlaceholderText("YYYY-MM-DD")
        dates = QHBoxLayout()
        dates.addWidget(self.since)
        dates.addWidget(QLabel("to", self))
        dates.addWidget(self.until)
        form = QFormLayout()
        form.addRow("&Client:", self.client)
        form.addRow("&User:", self.user)
        form.addRow("&Action:", self.action)
        since_label = QLabel("&From:", self)
        since_label.setBuddy(self.since)
        form.addRow(since_label, dates)
        self.show_button = QPushButton("&Show", self)
        self.show_button.setObjectName("auditShow")
        self.show_button.setDefault(True)
        self.export_button = QPushButton("&Export CSV…", self)
        self.export_button.setObjectName("auditExport")
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels(["Time (UTC)", "User", "Action", "Record",
                                              "Detail"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel("", self)
        self.status.setObjectName("auditStatus")
        self.status.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.show_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export)
        for field in (self.client, self.user, self.since, self.until):
            field.returnPressed.connect(self.refresh)
        self.entries: list[dict] = []
        self.resize(860, 560)

    # -- filters ---------------------------------------------------------------------------------
    def filters(self) -> dict:
        """The filters as ``audit_log`` takes them; RecordsError for an unreadable client id."""
        client = self.client.text().strip().lstrip("#")
        if client and not client.isdigit():
            raise RecordsError(f"{self.client.text().strip()!r} is not a client id; write the "
                               f"number shown after # in the Clients list.")
        return {"client": int(client) if client else None,
                "user": self.user.text().strip() or None,
                "action": self.action.currentText().strip() or None,
                "since": self.since.text().strip() or None,
                "until": self.until.text().strip() or None}

    def _problem(self, exc: ShadematchError) -> None:
        self.status.setStyleSheet(FLAG_STYLE)
        self.status.setText(str(exc))

    def _say(self, text: str) -> None:
        self.status.setStyleSheet("")
        self.status.setText(text)

    # -- reading and exporting (off the GUI thread) -------------------------------------------
    def refresh(self) -> None:
        try:
            filters = self.filters()
        except RecordsError as exc:
            self._problem(exc)
            return
        self._say("Reading the audit log…")
        self.records.submit(audit_entries, "records-audit", self.show_entries,
                            on_expected=self._problem, filters=filters)

    def show_entries(self, entries: list[dict]) -> None:
        self.entries = entries
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            for col, key in enumerate(("at", "actor", "action", "record", "detail")):
                value = entry.get(key)
                self.table.setItem(row, col, QTableWidgetItem("" if value is None else
                                                              str(value)))
        self.table.resizeColumnsToContents()
        more = " (the newest shown; narrow the filters)" if len(entries) >= SHOWN_LIMIT else ""
        self._say(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}{more}.")

    def choose_csv_path(self) -> str | None:
        """Ask where to write the CSV; None: cancelled."""
        path, _ = QFileDialog.getSaveFileName(self, "Export the audit log",
                                              str(Path.home() / "audit-log.csv"),
                                              "CSV files (*.csv)")
        return path or None

    def export(self) -> None:
        try:
            filters = self.filters()
        except RecordsError as exc:
            self._problem(exc)
            return
        path = self.choose_csv_path()
        if not path:
            return

        def written(result) -> None:
            target, count = result
            self._say(f"Wrote {count} entr{'y' if count == 1 else 'ies'} to {target}.")

        self.records.submit(write_audit_csv, "records-audit-export", written,
                            on_expected=self._problem, path=path, filters=filters)
