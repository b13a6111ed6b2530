"""Start the desktop application: ``shadematch [PHOTO|FOLDER|SESSION]``.

:func:`run_gui` makes the QApplication (neutral grey theme, high-DPI), routes logging to a file
in the user's log folder, installs the one exception hook, builds the window with
:func:`create_main_window` and runs the event loop. :func:`create_main_window` does everything but
the event loop, so tests drive it directly.

Start-up choices:

* a folder argument shows it in the camera folder panel; a photo or ``.shadematch`` session opens
  in the window;
* no argument, first run: the bundled demo (the astronaut portrait with hair and skin already
  marked, so the samples and the ranking show at once);
* no argument, later runs: the last camera folder (or the camera folder from Preferences) and the
  session that was open when the app closed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication, QMessageBox

from shadematch import __version__
from shadematch.demo import prepare_demo_session
from shadematch.gui.camera.camera_folder_panel import CameraFolderPanel
from shadematch.gui.common import error_reporting
from shadematch.gui.common.error_reporting import (
    ExceptionHook,
    current_log_file,
    route_qt_messages,
    setup_logging,
    show_action_error,
)
from shadematch.gui.common.services import WindowServices
from shadematch.gui.common.settings import Settings

log = logging.getLogger(__name__)

SESSION_SUFFIX = ".shadematch"
_T0 = time.perf_counter()  # when this module was imported (close to process start)


# --- arguments ---------------------------------------------------------------------------------
# Qt's own command-line options that take a value (QApplication consumes them itself).
_QT_OPTIONS_WITH_VALUE = {"-style", "-stylesheet", "-platform", "-platformpluginpath",
                          "-platformtheme", "-plugin", "-qwindowgeometry", "-qwindowtitle",
                          "-qwindowicon", "-display", "-geometry", "-session", "-qmljsdebugger"}


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """``[PATH]`` plus ``--startup-check`` (show the window, print the start-up time, quit).

    Qt's own options (``-style fusion``, ``-platform xcb``...) are skipped here.
    """
    ours: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        name = "-" + arg.split("=", 1)[0].lstrip("-")  # Qt accepts -style and --style
        if arg.startswith("-") and name in _QT_OPTIONS_WITH_VALUE:
            skip = "=" not in arg
            continue
        ours.append(arg)
    parser = argparse.ArgumentParser(prog="shadematch", add_help=False)
    parser.add_argument("path", nargs="?", default=None)
    parser.add_argument("--startup-check", action="store_true")
    args, _unknown = parser.parse_known_args(ours)
    return args


def classify_path(path: str | os.PathLike) -> str:
    """``"folder"``, ``"session"`` or ``"photo"`` (anything else is handed to the photo loader,
    which says clearly what is wrong with it)."""
    p = Path(path).expanduser()
    if p.is_dir():
        return "folder"
    if p.suffix.lower() == SESSION_SUFFIX:
        return "session"
    return "photo"


# --- drag and drop -----------------------------------------------------------------------------
class DropHandler(QObject):
    """Event filter on the main window: drop photos and sessions to open them, folders to show
    them in the camera folder panel."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell.window)
        self._shell = shell

    @staticmethod
    def _paths(event) -> list[Path]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]

    def _acceptable(self, paths: list[Path]) -> bool:
        from shadematch.folder_scanning import supported_suffixes

        allowed = supported_suffixes() | {SESSION_SUFFIX}
        return any(p.is_dir() or p.suffix.lower() in allowed for p in paths)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self._acceptable(self._paths(event)):
                event.acceptProposedAction()
                return True
            return False
        if kind == QEvent.Type.Drop:
            paths = self._paths(event)
            if not self._acceptable(paths):
                return False
            event.acceptProposedAction()
            self._shell.open_dropped(paths)
            return True
        return False


# --- the shell around the main window ----------------------------------------------------------
class ShellWindow(WindowServices, Protocol):
    """What the shell needs of the main window: the window services, the two signals it
    listens to, and the palette list of the matching panel (the Preferences offer it)."""

    photo_opened: SignalInstance        # a photo finished loading: (path)
    folder_requested: SignalInstance    # File > Open or a drop named a folder: (path)

    def palette_names(self) -> list[str]:
        """The palettes scanned (off the GUI thread), in the order shown."""
        ...

    def reload_palettes(self) -> None:
        """Scan the palette folders again (the user palette folder changed)."""
        ...


class Shell(QObject):
    """What app.py adds to the main window: the camera folder dock, menus, drops, start-up and
    shutdown. Kept on ``window.shell``."""

    def __init__(self, window: ShellWindow, settings: Settings, hook: ExceptionHook | None = None,
                 panel: CameraFolderPanel | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.hook = hook
        self.panel = panel if panel is not None else CameraFolderPanel(settings)
        self.dock = window.add_dock(self.panel, "Camera folder",
                                    object_name="cameraFolderDock")
        self.panel.photo_activated.connect(self._open_from_panel)
        window.photo_opened.connect(self.panel.mark_open)  # which photo of the folder is open
        window.folder_requested.connect(self.open_path)   # File > Open / drop of a folder
        self._closed = False
        self._add_menus()
        self.drop_handler = DropHandler(self)
        window.setAcceptDrops(True)
        window.installEventFilter(self.drop_handler)
        window.installEventFilter(self)
        # keep the thumbnail cache bounded (off the GUI thread; nothing waits for it)
        self.panel.runner.submit(self.panel.cache.prune, pass_progress=False,
                                 title="Pruning the thumbnail cache", quiet=True)

    # menus
    def _add_menus(self) -> None:
        """Bind the shell's declared actions (the layout is in gui/actions.py)."""
        actions = self.window.actions
        self.open_folder_action = actions.bind("open_folder", self.panel.choose_folder)
        self.recent_menu = actions.submenu("recent_folders")
        self.panel.fill_recent_folders_menu(self.recent_menu)
        self.preferences_action = actions.bind("preferences", self.show_preferences)
        self.log_folder_action = actions.bind("log_folder", self.open_log_folder)
        self.demo_action = actions.bind("demo", self.open_demo)

    # actions
    def show_preferences(self) -> None:
        from shadematch.gui.preferences.preferences_dialog import PreferencesDialog

        # The palettes the matching panel has scanned (off the GUI thread): no second scan here.
        names = self.window.palette_names()
        dialog = PreferencesDialog(self.settings, palette_names=names, parent=self.window)
        before = self.settings.user_palette_folder
        dialog.accepted.connect(lambda: self._preferences_changed(before))
        dialog.open()
        self.preferences_dialog = dialog

    def _preferences_changed(self, palette_folder_before: str = "") -> None:
        self.panel.auto_open_box.setChecked(self.settings.auto_open_newest)
        workspace = self.window.workspace
        if workspace.plan_step_L != self.settings.first_session_step:
            workspace.set_plan_step(self.settings.first_session_step, by_user=False)
        if self.settings.user_palette_folder != palette_folder_before:
            self.window.reload_palettes()
        if self.settings.camera_folder and self.panel.folder() is None:
            self.panel.set_folder(self.settings.camera_folder)
        self._show_status("Preferences saved")

    def open_log_folder(self) -> None:
        log_file = current_log_file()
        if log_file is None:
            from shadematch.resources import log_dir

            folder = log_dir()
        else:
            folder = log_file.parent
        if not error_reporting.open_folder(folder):  # no file manager: say where it is (non-blocking)
            box = QMessageBox(QMessageBox.Icon.Information, "Log folder",
                              f"shadematch's log files are in:\n{folder}",
                              QMessageBox.StandardButton.Ok, self.window)
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.open()
            self.log_folder_box = box

    def open_demo(self) -> None:
        """Make the demo session (off the GUI thread: it decodes and measures) and open it."""
        workspace = self.window.workspace
        # The palettes may still be loading: then the one the matching panel will choose.
        kwargs = dict(palette=workspace.palette or self.settings.palette or None,
                      formula=workspace.formula or self.settings.default_formula,
                      top=workspace.top or self.settings.number_of_matches)
        self.settings.demo_shown = True
        self.window.runner.submit(prepare_demo_session, channel="demo", pass_progress=False,
                                  on_done=self._demo_ready, title="Opening the demo",
                                  on_expected=self._demo_failed, **kwargs)
        self._show_status("Preparing the demo…")

    def _demo_ready(self, session: Path) -> None:
        # Remembered now, not only at a clean quit: after a crash the next start shows the demo.
        self.settings.last_session = str(session)
        self.settings.sync()
        self.window.open_path(session)

    def _demo_failed(self, exc: BaseException) -> None:
        show_action_error(self.window, "Opening the demo", exc, self.hook)

    def open_path(self, path: str | os.PathLike) -> None:
        """Open a photo, a session or a folder (as given on the command line or dropped)."""
        p = Path(path).expanduser().absolute()
        if classify_path(p) == "folder":
            self.panel.set_folder(p)
            dock = self.dock
            dock.show()
            dock.raise_()
        else:
            self.window.open_path(p)

    def open_dropped(self, paths: list[Path]) -> None:
        folders = [p for p in paths if p.is_dir()]
        files = [p for p in paths if not p.is_dir()]
        if folders:
            self.open_path(folders[0])
        if files:
            self.open_path(files[0])
            if len(files) > 1:
                self._show_status(f"Opened {files[0].name}; drop one photo at a time")

    def _open_from_panel(self, path: str) -> None:
        self.window.open_path(path)

    def _show_status(self, text: str) -> None:
        self.window.show_status(text)

    # start-up and shutdown
    def restore(self, path: str | None) -> None:
        """Open what the command line names, or the demo / the last folder and session."""
        if path:
            self.open_path(path)
            return
        if not self.settings.demo_shown:
            self.open_demo()
            return
        folder = self.settings.last_folder or self.settings.camera_folder
        if folder and Path(folder).is_dir():
            self.panel.set_folder(folder)
        session = self.settings.last_session
        if session and Path(session).is_file():
            self.window.open_path(session)
        elif session:
            log.info("last session %s is gone; starting empty", session)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.window and event.type() == QEvent.Type.Close:
            # Runs before the window's own closeEvent; it may still refuse (unsaved work), so
            # only remember things here; threads stop in shutdown() once it really closes.
            QTimer.singleShot(0, self._after_close_attempt)
        return False

    def _after_close_attempt(self) -> None:
        if not self.window.isVisible():
            self.shutdown()

    def remember(self) -> None:
        """Store what the next start reopens."""
        session = self.window.workspace.session_path
        self.settings.last_session = str(session) if session else ""
        if self.panel.folder() is not None:
            self.settings.last_folder = str(self.panel.folder())
        self.settings.sync()

    def quit_cleanly(self) -> None:
        """Quit as File > Quit does (SIGTERM at logout or shutdown comes here): the window
        closes (unsaved work autosaved, nothing left behind otherwise), the state is remembered,
        the threads stop, then the event loop ends."""
        log.info("quitting")
        self.window.close()
        self.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def shutdown(self) -> None:
        """Remember the state and stop the panel's threads (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.remember()
        self.panel.shutdown()


def first_layout(window, shell: Shell) -> None:
    """The layout before the user has arranged anything: the window fills the screen's
    available area; on wide screens the camera folder is a column of its own, on narrower ones
    a tab beside the sample panel so the photo keeps its room."""
    from PySide6.QtWidgets import QDockWidget

    screen = window.screen() or QApplication.primaryScreen()
    area = screen.availableGeometry() if screen is not None else None
    dock = shell.dock
    regions = window.findChild(QDockWidget, "regionsDock")
    matching = window.findChild(QDockWidget, "matchingDock")
    wide = area is None or area.width() >= 1500
    if wide or regions is None:
        window.removeDockWidget(dock)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock, Qt.Orientation.Horizontal)
        dock.show()
        widths = {"regionsDock": 310, "cameraFolderDock": 230, "matchingDock": 450}
    else:
        # a tab beside the (tall) sample panel, so a browse shows several thumbnails at once
        samples = window.findChild(QDockWidget, "samplesDock") or regions
        window.tabifyDockWidget(samples, dock)
        samples.raise_()
        widths = {"regionsDock": 300, "matchingDock": 420}
    if matching is not None:
        # the matching table needs the column's height: other right-hand docks become tabs
        for other in window.findChildren(QDockWidget):
            if (other is not matching and other.isVisibleTo(window)
                    and window.dockWidgetArea(other) == Qt.DockWidgetArea.RightDockWidgetArea
                    and other not in window.tabifiedDockWidgets(matching)):
                window.tabifyDockWidget(matching, other)
        matching.raise_()
    docks = [d for d in (regions, dock, matching)
             if d is not None and d.objectName() in widths]
    if area is not None:  # last, once the layout knows the docks are tabbed (smaller minimum)
        window.layout().invalidate()
        window.layout().activate()
        window.setGeometry(area)
    window.resizeDocks(docks, [widths[d.objectName()] for d in docks], Qt.Orientation.Horizontal)


def _main_window_class():
    from shadematch.gui.shell.main_window import MainWindow

    return MainWindow


def create_main_window(argv: list[str], settings: Settings | None = None,
                       hook: ExceptionHook | None = None):
    """Build the main window for ``argv`` (``[PATH]``) without entering the event loop.

    A QApplication must exist. The window is returned shown-ready (not shown); its ``shell``
    attribute holds the camera folder panel, menus and start-up logic.

    Parameters
    ----------
    argv : command-line arguments after the program name.
    settings : the settings store (default :class:`Settings` on the platform store, or the INI
        file in ``SHADEMATCH_DATA_DIR``).
    hook : the exception hook, for dialogs parented to the window.
    """
    from shadematch.gui.common.qt_workarounds import guard_singleton_refcounts
    from shadematch.gui.common.workers import TaskRunner
    from shadematch.workspace import Workspace

    guard_singleton_refcounts()
    args = parse_arguments(argv)
    settings = settings if settings is not None else Settings()
    MainWindow = _main_window_class()
    window = MainWindow(Workspace(auto_measure=False), settings=settings,
                        runner=TaskRunner(max_threads=max(2, (os.cpu_count() or 2) - 1)))
    shell = Shell(window, settings, hook=hook)
    window.shell = shell
    if settings.geometry.isEmpty():
        first_layout(window, shell)
    if hook is not None:
        hook._parent_widget = lambda: window
    shell.restore(args.path)
    return window


def _make_application(argv: list[str]) -> QApplication:
    from shadematch.gui.common.theme import apply_theme, configure_high_dpi

    app = QApplication.instance()
    if app is None:
        configure_high_dpi()
        app = QApplication([sys.argv[0] if sys.argv else "shadematch", *argv])
    app.setOrganizationName("shadematch")
    app.setApplicationName("shadematch")
    app.setApplicationDisplayName("shadematch")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("shadematch")
    apply_theme(app)
    return app


def run_gui(argv: list[str]) -> int:
    """Run the desktop application until its window closes; returns the exit code."""
    args = parse_arguments(argv)
    settings = Settings()  # QSettings with explicit names needs no QApplication yet
    try:
        log_file = setup_logging(level=settings.log_level)
    except OSError as exc:  # a read-only home must not stop the app; log to stderr instead
        logging.basicConfig(level=logging.INFO)
        log_file = None
        log.warning("cannot write the log file (%s); logging to the terminal", exc)
    log.info("shadematch %s starting (Python %s)", __version__, sys.version.split()[0])
    app = _make_application(argv)
    from shadematch.gui.common.gui_thread_gc import GuiThreadCollector

    collector = GuiThreadCollector(app)   # Qt objects are never destroyed by a worker's GC
    route_qt_messages()
    hook = ExceptionHook().install()
    try:
        window = create_main_window(argv, settings=settings, hook=hook)
    except Exception as exc:  # noqa: BLE001 - the window itself failed: say so, do not vanish
        log.exception("the main window could not be created")
        message = (f"shadematch could not start: {type(exc).__name__}: {exc}\n\nThe details "
                   f"are in the log file{f': {log_file}' if log_file else ''}.")
        print(message, file=sys.stderr, flush=True)
        if not args.startup_check:  # a headless check must never wait on a dialog
            QMessageBox.critical(None, "shadematch could not start", message)
        hook.uninstall()
        return 1
    window.show()
    app.aboutToQuit.connect(window.shell.shutdown)
    from shadematch.gui.shell.quit_signals import QuitOnSignals

    quit_signals = QuitOnSignals(window.shell.quit_cleanly, parent=app)
    if args.startup_check:
        def report() -> None:
            elapsed = time.perf_counter() - _T0
            print(f"shadematch: window shown {elapsed * 1000:.0f} ms after the GUI module was "
                  "imported", flush=True)
            window.close()
            app.quit()

        QTimer.singleShot(0, report)
    code = app.exec()
    collector.stop()
    quit_signals.uninstall()
    window.shell.shutdown()
    window.runner.shutdown()
    hook.uninstall()
    log.info("shadematch closed (exit code %s)", code)
    return int(code)


__all__ = ["run_gui", "create_main_window", "prepare_demo_session", "Shell", "DropHandler",
           "classify_path", "parse_arguments"]
