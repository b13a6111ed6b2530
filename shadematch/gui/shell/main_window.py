"""The main window: the frame of the consultation (photo view, docks, menus, status bar).

A thin shell over :class:`shadematch.workspace.Workspace`: it holds the photo view and the region
tools, provides the window services (:class:`~shadematch.gui.common.services.WindowServices`)
that every feature receives instead of the window, and calls
:func:`~shadematch.gui.shell.composition.compose` to install the features (panels, photo
loading, measuring, sessions, calibration, reports, client records) and connect them. The
menus and the toolbar are declared in :mod:`shadematch.gui.shell.actions`; a feature binds its
slots to them by key.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from shadematch.gui.common.workers import TaskRunner
from shadematch.gui.consultation.session_actions import MISSING_PHOTO_NOTE, photo_filter
from shadematch.gui.photo.photo_view import PhotoView, format_readout
from shadematch.gui.regions.region_tools import RegionTools
from shadematch.gui.shell.actions import ActionRegistry
from shadematch.gui.shell.info_bar import InfoBar
from shadematch.workspace import Workspace

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The consultation window; its public methods are the window services features use."""

    folder_requested = Signal(str)   # a folder was dropped / opened: the camera panel shows it
    photo_opened = Signal(str)       # a photo finished loading (full resolution)

    def __init__(self, workspace: Workspace, settings=None, runner: TaskRunner | None = None) -> None:
        from shadematch.gui.shell.composition import compose

        super().__init__()
        self.setObjectName("mainWindow")
        self.workspace, self.settings = workspace, settings
        self.runner = runner if runner is not None else TaskRunner(self)
        # Failures of background work that no feature shows inline: info bar + one dialog.
        self.runner.set_reporters(expected=self.show_error, unexpected=self.show_error)
        workspace.auto_measure = False  # measured off the GUI thread here
        if settings is not None:
            workspace.formula = settings.default_formula
            workspace.top = settings.number_of_matches
            workspace.plan_step_L = settings.first_session_step
        #: Every declared action by key (gui/shell/actions.py); features bind their slots to them.
        self.actions = ActionRegistry(self)
        #: The menus built from the declared layout, by key ("file", "edit", "view"...).
        self.menus: dict[str, QMenu] = self.actions.build_menus(self.menuBar())
        self._layout_restored = False
        self.last_error = ""
        self._leave_confirmed = False  # the user answered the unsaved-work question: close

        self.view = PhotoView()
        self.tools = RegionTools(self.view, workspace)
        self.info_bar = InfoBar()
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.info_bar)
        box.addWidget(self.view, 1)
        self.setCentralWidget(central)
        self.readout_label = QLabel()
        self.readout_label.setObjectName("cursorReadout")
        self.readout_label.setMinimumWidth(360)
        self.zoom_label = QLabel("")
        self.zoom_label.setToolTip("Zoom (100 % = one photo pixel per screen pixel)")
        #: The installed features (panels, photo loading, sessions, tools...), see composition.py.
        self.features = features = compose(self)
        self.region_panel, self.sample_panel = features.region_panel, features.sample_panel
        self.matching_panel = features.matching_panel
        self.report_exporter, self.client_records = (features.report_exporter,
                                                     features.client_records)
        self.calibration_tool, self.toolbar = features.calibration_tool, features.toolbar
        #: Open / save / autosave / recovery (the window's session methods delegate to it).
        self.session = features.session
        self.autosaver = self.session.autosaver
        self._autosave_timer = self.session.autosave_timer
        self.photo_label = features.photos.photo_label

        events = workspace.events
        events.photo_changed.connect(self.refresh_title)
        events.history_changed.connect(self._update_actions)
        events.selection_changed.connect(self._update_actions)
        events.modified_changed.connect(lambda _m: self.refresh_title())
        self.view.cursor_moved.connect(self._readout)
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self.setAcceptDrops(True)
        self.resize(1400, 900)
        self.refresh_title()
        self._update_actions()
        self._autosave_timer.start()
        QTimer.singleShot(0, self.offer_recovery)

    # -- the window services (shadematch.gui.common.services.WindowServices) ---------------------
    def main_widget(self) -> QMainWindow:
        return self

    def add_dock(self, widget: QWidget, title: str, area=Qt.DockWidgetArea.LeftDockWidgetArea,
                 object_name: str = "", tab_with: str = "") -> QDockWidget:
        """Put ``widget`` in a dock; its toggle appears in the View menu.

        ``tab_with`` names a dock (its object name) to put this one behind, as a tab.
        """
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name or f"{title.replace(' ', '')}Dock")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.menus["view"].addAction(dock.toggleViewAction())
        front = self.findChild(QDockWidget, tab_with) if tab_with else None
        if front is not None:
            self.tabifyDockWidget(front, dock)
            front.raise_()
        return dock

    def show_status(self, text: str, msecs: int = 4000) -> None:
        self.statusBar().showMessage(text, msecs)

    def show_message(self, text: str, buttons: tuple = (), error: bool = False) -> None:
        self.info_bar.show_message(text, buttons, error=error)

    def show_error(self, action: str, exc: BaseException) -> None:
        """An action failed: say so above the photo and in a (non-blocking) dialog."""
        self.last_error = str(exc)
        self.info_bar.show_message(f"{action} failed: {exc}", error=True)
        self.show_status(f"{action} failed", 8000)
        from shadematch.gui.common.error_reporting import show_action_error

        show_action_error(self, action, exc)

    def refresh_title(self) -> None:
        ws = self.workspace
        name = ws.photo_name
        session = f" — {Path(ws.session_path).name}" if ws.session_path else ""
        self.setWindowTitle(f"{name}[*]{session} — shadematch" if name else "shadematch[*]")
        self.setWindowModified(ws.modified)

    def open_path(self, path: str | Path) -> None:
        """Open a photo (decoded off the GUI thread), a ``.shadematch`` session, or a folder."""
        path = Path(path)
        if path.is_dir():
            self.folder_requested.emit(str(path))
            self.show_status(f"Showing the folder {path}")
        elif path.suffix.lower() == ".shadematch":
            self.open_session(path)
        else:
            self.open_photo(path)

    def restore_analysis(self, record: dict, photo=None, display=None, *,
                         session_path: str | Path | None = None, autosave: bool = False,
                         missing_photo_note: str = MISSING_PHOTO_NOTE) -> list[str]:
        """Replace the open analysis with a saved one (a session, a client's visit...).

        Unsaved work stays recoverable in its autosave; a photo still loading is superseded.
        Call it on the GUI thread with everything already read and decoded (off it).

        Parameters
        ----------
        record : the analysis record (docs/ANALYSIS_FORMAT.md).
        photo : its decoded photo, or None when the photo is missing (the saved
            measurements are shown without pixels).
        display : the photo's display image from
            :func:`~shadematch.gui.photo.photo_decoding.decode_for_display` (made here when None).
        session_path : the session file the record came from; None for a record that is not a
            session file (Save then asks where).
        autosave : the record is recovered unsaved work: it stays "modified" and keeps
            autosaving to ``session_path``.
        missing_photo_note : what the info bar says when ``photo`` is None.

        Returns
        -------
        list of str
            The notes shown in the info bar (palette changed, calibration not restored...).

        Raises
        ------
        ShadematchError
            When the record cannot be restored; the message says why.
        """
        return self.session.restore_analysis(record, photo, display, session_path=session_path,
                                             autosave=autosave,
                                             missing_photo_note=missing_photo_note)

    def palette_names(self) -> list[str]:
        """The palettes the matching panel has scanned (off the GUI thread), in its order."""
        return self.matching_panel.palette_names()

    def reload_palettes(self) -> None:
        """Scan the palette folders again (the user palette folder changed)."""
        self.matching_panel.reload_palettes()

    # -- the window's own commands -------------------------------------------------------------------
    def _update_actions(self) -> None:
        ws = self.workspace
        self.actions["undo"].setEnabled(ws.can_undo())
        self.actions["redo"].setEnabled(ws.can_redo())
        self.actions["undo"].setText(f"&Undo {ws.undo_label()}".rstrip())
        self.actions["redo"].setText(f"&Redo {ws.redo_label()}".rstrip())
        self.actions["delete"].setEnabled(bool(ws.selected))

    def delete_pressed(self) -> None:
        """Delete: while a polygon is being drawn, take back its last corner; else the selection."""
        if not self.tools.remove_last_point():
            self.workspace.delete_regions(self.workspace.selected)

    def _readout(self, x: float, y: float) -> None:
        ws = self.workspace
        if x < 0:
            self.readout_label.setText("")
            return
        if self.view.showing_preview:
            text = "Loading the full-resolution photo…"
        elif ws.photo is not None:
            rgb = ws.photo.rgb[int(y), int(x)]
            text = format_readout(x, y, rgb, ws.photo.max_value)
        else:
            text = f"x {int(x)}  y {int(y)}"
        self.readout_label.setText(text)

    def choose_file(self) -> None:
        start = str(Path(self.workspace.photo.path).parent) if self.workspace.photo else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open a photo or session", start,
                                              photo_filter())
        if path:
            self.open_path(path)

    def open_photo(self, path: str | Path) -> None:
        """Show a quick preview at once, then the full photo (both decoded off the GUI thread)."""
        self.features.photos.open_photo(path)

    # -- sessions (SessionActions does the work) ------------------------------------------------
    def save_session(self) -> None:
        self.session.save_session()

    def save_session_as(self) -> None:
        self.session.save_session_as()

    def save_session_to(self, path: str | Path) -> None:
        """Write the session off the GUI thread; the workspace is marked saved when it lands."""
        self.session.save_session_to(path)

    def open_session(self, path: str | Path, autosave: bool = False) -> None:
        """Read a session (off the GUI thread), check its photo, and restore it."""
        self.session.open_session(path, autosave=autosave)

    def ask_photo_problem(self, check) -> str:
        """Ask what to do about a moved or changed photo: "locate", "anyway" or "cancel"."""
        return self.session.ask_photo_problem(check)

    def locate_photo(self, check) -> str | None:
        """Ask where the session's photo is now; None when the user cancels."""
        return self.session.locate_photo(check)

    def offer_recovery(self) -> None:
        """When unsaved work was left behind (a crash), offer to recover it (non-blocking)."""
        self.session.offer_recovery()

    # -- help --------------------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        lines = [f"<tr><td>{a.text().replace('&', '')}</td><td><b>"
                 f"{a.shortcut().toString(QKeySequence.NativeText)}</b></td></tr>"
                 for a in self.actions.values() if not a.shortcut().isEmpty()]
        QMessageBox.information(self, "Keyboard shortcuts",
                                "<table>" + "".join(lines) + "</table>"
                                "<p>Space or middle button + drag: pan. Wheel: zoom. "
                                "Polygon: double-click or Enter closes, Backspace removes the "
                                "last corner, Esc cancels. Arrow keys nudge the selected "
                                "regions (Shift: 10 px).</p>")

    def show_about(self) -> None:
        from shadematch import __version__

        QMessageBox.about(self, "About shadematch",
                          f"<b>shadematch {__version__}</b><p>Measure hair and scalp colour in "
                          "client photos (CIELAB, D65, 2°) and rank SMP pigment shades by "
                          "delta-E.</p>")

    # -- window life -------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        if not self._layout_restored:
            self._layout_restored = True
            self.restore_layout()
        super().showEvent(event)

    def restore_layout(self) -> None:
        """Restore geometry and dock layout (after every dock has been added)."""
        if self.settings is None:
            return
        geometry: QByteArray = self.settings.geometry
        state: QByteArray = self.settings.window_state
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        if not state.isEmpty():
            self.restoreState(state)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_path(paths[0])

    def request_quit(self) -> None:
        """File > Quit: with unsaved work, ask (save to client / keep / discard / cancel)."""
        self.features.leaving.confirm_leave_photo("quit", self._close_confirmed)

    def _close_confirmed(self) -> None:
        self._leave_confirmed = True
        self.close()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        if (event.spontaneous() and not self._leave_confirmed
                and self.features.leaving.needs_asking()):
            # the window's close button: ask first (a programmatic close, e.g. at logout or
            # SIGTERM, never waits for an answer: the work is autosaved)
            event.ignore()
            self.request_quit()
            return
        ws = self.workspace
        ws.end_edit()
        self._autosave_timer.stop()
        self.features.measuring.stop()
        self.runner.shutdown()  # cancels and waits for the workers (an autosave in flight lands)
        self.session.flush_on_close()
        if self.settings is not None:
            try:
                self.settings.geometry = self.saveGeometry()
                self.settings.window_state = self.saveState()
                if ws.session_path:
                    self.settings.last_session = str(ws.session_path)
            except Exception as exc:  # noqa: BLE001 - preferences must never block closing
                log.warning("window layout not saved: %s", exc)
        super().closeEvent(event)
