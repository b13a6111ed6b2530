"""The dialog shown when a client was changed elsewhere while it was being edited here.

The save was refused by the records (row versions), nothing was overwritten. The dialog says who
changed the client and when, lists each differing field (what it was, theirs, yours) and offers
Merge (theirs for the fields you did not change, yours for the ones you did), Reload (start again
from their version) or Cancel (drop your changes).
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shadematch.records.conflicts import FieldChange, field_changes, merged_fields

MERGE, RELOAD, CANCEL = "merge", "reload", "cancel"


def _shown(value: str | None) -> str:
    return value if value is not None else "(blank)"


class EditConflictDialog(QDialog):
    """Old / theirs / yours for a stale client edit; ``choice`` is MERGE, RELOAD or CANCEL.

    Parameters
    ----------
    conflict : the :class:`~shadematch.records.backends.errors.EditConflict` of the save.
    original : the client as the edit started from.
    yours : the client fields as typed.
    """

    def __init__(self, parent: QWidget | None, conflict, original, yours: dict) -> None:
        super().__init__(parent)
        self.setObjectName("editConflictDialog")
        self.setWindowTitle("Client changed elsewhere")
        self.conflict = conflict
        self.original = original
        self.yours = dict(yours)
        self.choice = CANCEL
        theirs = conflict.current
        who = conflict.by or "someone on another workstation"
        when = (conflict.at or "")[:16].replace("T", " ")
        self.rows: list[FieldChange] = field_changes(original, theirs, self.yours)
        clashes = [row.label for row in self.rows if row.clash]
        text = (f"<b>{html.escape(theirs.name)}</b> was changed by <b>{html.escape(who)}</b>"
                + (f" at {html.escape(when)} UTC" if when else "")
                + " while you were editing. Your changes are not saved yet; nothing was "
                  "overwritten.")
        if clashes:
            text += (f"<br>You both changed <b>{html.escape(', '.join(clashes))}</b>: a merge "
                     f"keeps yours there.")
        self.summary = QLabel(text, self)
        self.summary.setObjectName("editConflictSummary")
        self.summary.setWordWrap(True)

        self.table = QTableWidget(len(self.rows), 4, self)
        self.table.setObjectName("editConflictTable")
        self.table.setHorizontalHeaderLabels(["Field", "Was", f"Theirs ({who})", "Yours"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, row in enumerate(self.rows):
            for c, value in enumerate((row.label, _shown(row.old), _shown(row.theirs),
                                       _shown(row.yours))):
                item = QTableWidgetItem(value)
                if (c == 2 and row.changed_there) or (c == 3 and row.changed_here):
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)

        self.buttons = QDialogButtonBox(self)
        self.merge_button = QPushButton("&Merge and save", self)
        self.merge_button.setObjectName("conflictMerge")
        self.merge_button.setToolTip("Keep their changes to fields you did not change and "
                                     "yours to the fields you changed, then save.")
        self.reload_button = QPushButton("&Reload theirs", self)
        self.reload_button.setObjectName("conflictReload")
        self.reload_button.setToolTip("Drop your changes and edit their version.")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("conflictCancel")
        self.buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.merge_button.clicked.connect(lambda: self._choose(MERGE))
        self.reload_button.clicked.connect(lambda: self._choose(RELOAD))
        self.cancel_button.clicked.connect(lambda: self._choose(CANCEL))
        self.merge_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.resize(680, 140 + 30 * max(1, len(self.rows)))

    def _choose(self, choice: str) -> None:
        self.choice = choice
        if choice == CANCEL:
            self.reject()
        else:
            self.accept()

    def merged(self) -> dict:
        """The fields to save on a merge (against the conflict's current version)."""
        return merged_fields(self.original, self.conflict.current, self.yours)
