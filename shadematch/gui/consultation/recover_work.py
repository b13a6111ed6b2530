"""File > Recover work…: every autosave and every kept per-photo analysis, listed, to open or delete.

Autosaves (:func:`shadematch.sessions.list_recoverable`) are the work a crash or a quit left
behind; kept analyses (:func:`shadematch.photo_sessions.list_kept`) are the photos left for
another one. Each row names the photo by its own file name, the time and the region count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

PATH_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class RecoverableWork:
    """One row of the dialog: an autosave or a kept analysis."""

    path: Path
    kind: str          # "autosaved" or "kept"
    photo_name: str
    regions: int
    saved: object      # datetime (UTC)

    def describe(self) -> str:
        noun = "region" if self.regions == 1 else "regions"
        local = self.saved.astimezone()
        return (f"{self.photo_name or 'an analysis without a photo'} — {self.regions} {noun} — "
                f"{self.kind} {local:%Y-%m-%d %H:%M}")


def recoverable_work(skip: Path | None = None) -> list[RecoverableWork]:
    """Every autosave and kept analysis, newest first (``skip``: the open analysis' autosave)."""
    from shadematch.photo_sessions import list_kept
    from shadematch.sessions import list_recoverable

    rows = [RecoverableWork(e.path, "autosaved", e.photo_name, e.regions, e.saved)
            for e in list_recoverable() if e.has_work and e.path != skip]
    rows += [RecoverableWork(e.path, "kept", e.photo_name, e.regions, e.saved)
             for e in list_kept()]
    rows.sort(key=lambda r: r.saved, reverse=True)
    return rows


class RecoverWorkDialog(QDialog):
    """The list of recoverable work with Open and Delete.

    Parameters
    ----------
    open_work : ``open_work(path)`` opens an autosave or kept analysis as unsaved work.
    skip : the open analysis' own autosave (not listed).
    """

    def __init__(self, open_work: Callable[[Path], None], skip: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoverWorkDialog")
        self.setWindowTitle("Recover work")
        self._open_work, self._skip = open_work, skip
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Autosaved and kept analyses, newest first. Open one to go on "
                                "with it, or delete what you no longer need."))
        self.list = QListWidget()
        self.list.setObjectName("recoverList")
        self.list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        layout.addWidget(self.list, 1)
        self.empty_label = QLabel("Nothing to recover: every analysis is saved.")
        layout.addWidget(self.empty_label)
        buttons = QDialogButtonBox()
        self.open_button = QPushButton("Open")
        self.delete_button = QPushButton("Delete")
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        layout.addWidget(buttons)
        self.resize(560, 360)
        self.refresh()

    def refresh(self) -> None:
        """List the recoverable work again (the first row selected)."""
        self.list.clear()
        for row in recoverable_work(self._skip):
            item = QListWidgetItem(row.describe())
            item.setData(PATH_ROLE, str(row.path))
            self.list.addItem(item)
        self.empty_label.setVisible(self.list.count() == 0)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def rows(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _update_buttons(self) -> None:
        chosen = self.list.currentItem() is not None
        self.open_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def _current_path(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(PATH_ROLE)) if item is not None else None

    def open_selected(self) -> None:
        path = self._current_path()
        if path is not None:
            self.accept()
            self._open_work(path)

    def delete_selected(self) -> None:
        from shadematch.sessions import discard_autosave

        path = self._current_path()
        if path is not None:
            discard_autosave(path)
            self.refresh()
