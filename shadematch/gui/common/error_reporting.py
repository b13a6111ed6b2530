"""Where errors go: the log file, one excepthook for the unexpected, dialogs for failed actions.

* Expected problems (a ``ShadematchError``: unreadable photo, missing folder...) are shown where
  they belong: inline near their widget, or by :func:`show_action_error` when a user action
  failed as a whole.
* Unexpected exceptions (bugs) reach :class:`ExceptionHook`: the traceback goes to the log file
  and one dialog says so; the application keeps running. While that dialog is open, further
  exceptions are logged and counted in it rather than stacking new dialogs.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QtMsgType, QUrl, Signal, Slot, qInstallMessageHandler
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from shadematch.errors import ShadematchError

log = logging.getLogger("shadematch")

LOG_FILE_NAME = "shadematch.log"
_HANDLER_NAME = "shadematch-file"


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are owner-only (0600): the log names the reports written,
    which carry client names."""

    def _open(self):
        stream = super()._open()
        try:
            os.chmod(self.baseFilename, 0o600)
        except OSError:
            pass
        return stream


def setup_logging(folder: str | Path | None = None, level: str = "INFO") -> Path:
    """Log to a rotating file ``shadematch.log`` (1 MB x 5) in ``folder`` (default the user's
    log folder, :func:`shadematch.resources.log_dir`). Calling it again re-targets the file.

    Returns
    -------
    Path : the log file.
    """
    if folder is None:
        from shadematch.resources import log_dir

        folder = log_dir()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE_NAME
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
    handler = _PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=5,
                                          encoding="utf-8")
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"))
    root.addHandler(handler)
    root.setLevel(getattr(logging, level, logging.INFO))
    return path


def current_log_file() -> Path | None:
    """The file :func:`setup_logging` logs to, or None before it was called."""
    for handler in logging.getLogger().handlers:
        if handler.get_name() == _HANDLER_NAME and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


def _qt_message_handler(kind: QtMsgType, context, message: str) -> None:
    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
             QtMsgType.QtFatalMsg: logging.CRITICAL}.get(kind, logging.WARNING)
    logging.getLogger("shadematch.qt").log(level, "%s", message)


def route_qt_messages() -> None:
    """Send Qt's own warnings to the log file instead of the terminal."""
    qInstallMessageHandler(_qt_message_handler)


class ExceptionHook(QObject):
    """The one place unexpected exceptions go: log the traceback, show one dialog, carry on.

    Parameters
    ----------
    parent_widget : callable returning the widget dialogs are parented to (or None).
    show_dialogs : False in batch tools that only want the log.
    """

    _show_requested = Signal(str, str)  # summary, traceback text (queued from other threads)

    def __init__(self, parent_widget=None, show_dialogs: bool = True) -> None:
        super().__init__()
        self._parent_widget = parent_widget
        self.show_dialogs = show_dialogs
        self.dialog: QMessageBox | None = None
        self.count = 0              # exceptions seen since installed
        self._unseen = 0            # exceptions logged while the dialog was open
        self._previous_hook = None
        self._previous_thread_hook = None
        self._show_requested.connect(self._show_dialog)

    def install(self) -> ExceptionHook:
        """Become ``sys.excepthook`` (exceptions in slots land here) and ``threading.excepthook``."""
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.__call__
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        if self._previous_hook is not None and sys.excepthook == self.__call__:
            sys.excepthook = self._previous_hook
        if self._previous_thread_hook is not None:
            threading.excepthook = self._previous_thread_hook

    def __call__(self, exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return
        self.handle(exc, "".join(traceback.format_exception(exc_type, exc, tb)))

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle(args.exc_value, "".join(traceback.format_exception(
            args.exc_type, args.exc_value, args.exc_traceback)))

    def handle(self, exc: BaseException, tb_text: str | None = None) -> None:
        """Log ``exc`` with its traceback and show (or update) the dialog. Thread-safe."""
        self.count += 1
        if tb_text is None:
            tb_text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        log.error("Unexpected error: %s: %s\n%s", type(exc).__name__, exc, tb_text.rstrip())
        for handler in logging.getLogger().handlers:
            handler.flush()
        summary = f"{type(exc).__name__}: {exc}"
        if self.show_dialogs and QApplication.instance() is not None:
            self._show_requested.emit(summary, tb_text)

    @Slot(str, str)
    def _show_dialog(self, summary: str, tb_text: str) -> None:
        log_file = current_log_file()
        where = f" The details were written to the log file:\n{log_file}" if log_file else ""
        if self.dialog is not None and self.dialog.isVisible():
            self._unseen += 1
            self.dialog.setInformativeText(
                f"{self._unseen} more unexpected error(s) happened since; all are in the log "
                "file.")
            return
        self._unseen = 0
        parent = self._parent_widget() if callable(self._parent_widget) else None
        box = QMessageBox(parent)
        box.setObjectName("unexpectedErrorDialog")
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("shadematch — unexpected error")
        box.setText("Something went wrong inside shadematch. Your work is still open; save it, "
                    "and if the problem repeats, send the log file to support." + where)
        box.setInformativeText(summary)
        box.setDetailedText(tb_text)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        if log_file is not None:
            open_button = box.addButton("Open log folder", QMessageBox.ButtonRole.ActionRole)
            open_button.clicked.connect(lambda: open_folder(log_file.parent))
        box.setModal(False)
        box.show()
        self.dialog = box


def open_folder(folder: str | Path) -> bool:
    """Show ``folder`` in the system's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def show_action_error(parent: QWidget | None, action: str, exc: BaseException,
                      hook: ExceptionHook | None = None) -> QMessageBox | None:
    """Tell the user an action failed.

    A :class:`ShadematchError` is expected: its message (which says what to do) is shown in a
    non-blocking warning dialog titled with the action. Anything else is a bug and goes to the
    exception hook (log + its dialog).

    Returns
    -------
    The warning dialog, or None when the error went to the hook.
    """
    if not isinstance(exc, ShadematchError):
        if hook is not None:
            hook.handle(exc)
        else:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        return None
    log.info("%s failed: %s", action, exc)
    box = QMessageBox(parent)
    box.setObjectName("actionErrorDialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(f"shadematch — {action}")
    box.setText(f"{action} failed.")
    box.setInformativeText(str(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setModal(False)
    box.show()
    return box
