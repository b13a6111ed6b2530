"""What a GUI feature receives from the window it is installed in: the window services.

A feature (the clients dock, the report export, the calibration tool, the session actions...) is
given a :class:`WindowServices` instead of the window itself: the model, the task runner, the
settings, the declared actions, a way to add a dock, to say something in the status bar or above
the photo, and to restore a saved analysis. It never looks for other attributes on the window,
never calls its private methods, and never reaches another feature through it: the composition
(:mod:`shadematch.gui.shell.composition`) connects features to each other explicitly.

:class:`~shadematch.gui.shell.main_window.MainWindow` provides these services; a test may
provide them with any object that has the same methods.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QWidget

if TYPE_CHECKING:
    from shadematch.gui.common.settings import Settings
    from shadematch.gui.common.workers import TaskRunner
    from shadematch.workspace import Workspace


class Actions(Protocol):
    """The declared actions (:mod:`shadematch.gui.shell.actions`) as features see them."""

    def bind(self, key: str, slot: Callable[..., Any], *, toggled: bool = False) -> QAction:
        """Connect ``slot`` to the declared action ``key`` and show it."""
        ...

    def submenu(self, key: str) -> QMenu:
        """The declared submenu ``key``, to fill."""
        ...

    def __getitem__(self, key: str) -> QAction: ...


class WindowServices(Protocol):
    """The services of the main window that features use (and nothing else of it)."""

    workspace: Workspace
    settings: Settings | None
    runner: TaskRunner
    actions: Actions

    def main_widget(self) -> QMainWindow:
        """The window as a widget: the parent of a feature's dialogs, watched for closing."""
        ...

    def add_dock(self, widget: QWidget, title: str,
                 area: Qt.DockWidgetArea = Qt.DockWidgetArea.LeftDockWidgetArea,
                 object_name: str = "", tab_with: str = "") -> QDockWidget:
        """Put ``widget`` in a dock (a tab beside the dock named ``tab_with`` when given)."""
        ...

    def show_status(self, text: str, msecs: int = 4000) -> None:
        """Say ``text`` in the status bar for ``msecs`` (0: until replaced)."""
        ...

    def show_message(self, text: str, buttons: tuple = (), error: bool = False) -> None:
        """Say ``text`` above the photo, with (label, callback) ``buttons``."""
        ...

    def show_error(self, action: str, exc: BaseException) -> None:
        """``action`` failed with ``exc``: say so above the photo and in a dialog."""
        ...

    def refresh_title(self) -> None:
        """The session's file or saved state changed: show it in the title."""
        ...

    def open_path(self, path: str | Path) -> None:
        """Open a photo, a session or a folder."""
        ...

    def restore_analysis(self, record: dict, photo: Any = None, display: Any = None, *,
                         session_path: str | Path | None = None, autosave: bool = False,
                         missing_photo_note: str = ...) -> list[str]:
        """Replace the open analysis with a saved one; returns the notes shown."""
        ...
