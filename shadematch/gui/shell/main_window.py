"""The main window: the consultation workspace (photo view, region tools, samples, matching).

A thin layer over :class:`shadematch.workspace.Workspace`: widgets listen to it and write user
input back; every slow step (decoding, full-precision sampling, session files) runs on the
:class:`~shadematch.gui.common.workers.TaskRunner`. Session files (open, save, autosave, recovery) are
handled by :class:`~shadematch.gui.consultation.session_actions.SessionActions` (``window.session``), to which
the window's session methods delegate. Other parts of the application bind their declared
actions (``window.actions.bind("key", slot)``, see :mod:`shadematch.gui.shell.actions`) and add docks
with ``window.add_dock(widget, "Title", ...)``; the menu layout is declared in one place.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from shadematch.gui.common.workers import TaskRunner
from shadematch.gui.consultation.matching_panel import MatchingPanel
from shadematch.gui.consultation.sample_panel import SamplePanel
from shadematch.gui.consultation.session_actions import (
    MISSING_PHOTO_NOTE,
    SessionActions,
    photo_filter,
)
from shadematch.gui.photo.photo_decoding import decode_for_display, preview_for_display
from shadematch.gui.photo.photo_view import PhotoView, format_readout, prepare_display
from shadematch.gui.regions.region_tools import TOOL_LABELS, RegionListPanel, RegionTools
from shadematch.gui.shell.actions import ActionRegistry
from shadematch.workspace import CLASS_LABELS, Workspace

log = logging.getLogger(__name__)

PREVIEW_MIN_BYTES = 1_500_000  # smaller files decode fully about as fast as a preview
NO_PREVIEW_SUFFIXES = {".png", ".tif", ".tiff", ".bmp", ".webp"}  # no reduced decode for these
QUICK_INTERVAL_MS = 80       # live estimates while drawing: at most ~12 per second


class InfoBar(QFrame):
    """A message above the photo with a few buttons (recovery, photo moved, errors)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("infoBar")
        self.setStyleSheet("#infoBar { background: rgb(70, 70, 70); border-bottom: 1px solid "
                           "rgb(40, 40, 40); }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self._buttons = QHBoxLayout()
        layout.addLayout(self._buttons)
        self.hide()

    def show_message(self, text: str, buttons=(), error: bool = False) -> None:
        self.label.setText(text)
        self.label.setStyleSheet("color: rgb(255, 140, 120);" if error else "")
        while self._buttons.count():
            widget = self._buttons.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for label, callback in [*buttons, ("Dismiss", None)]:
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, cb=callback: (self.hide(), cb and cb()))
            self._buttons.addWidget(button)
        self.show()


class MainWindow(QMainWindow):
    """The consultation workspace window (see the module docstring for how to extend it)."""

    folder_requested = Signal(str)   # a folder was dropped / opened: the camera panel shows it
    photo_opened = Signal(str)       # a photo finished loading (full resolution)

    def __init__(self, workspace: Workspace, settings=None, runner: TaskRunner | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.workspace, self.settings = workspace, settings
        self.runner = runner if runner is not None else TaskRunner(self)
        # Failures of background work that no feature shows inline: info bar + one dialog.
        self.runner.set_reporters(expected=self.show_error, unexpected=self.show_error)
        workspace.auto_measure = False  # measured off the GUI thread here
        if settings is not None:
            workspace.formula = getattr(settings, "default_formula", workspace.formula)
            workspace.top = getattr(settings, "number_of_matches", workspace.top)
        #: Open / save / autosave / recovery (the window's session methods delegate to it).
        self.session = SessionActions(self)
        self.autosaver = self.session.autosaver
        self._autosave_timer = self.session.autosave_timer
        #: Every declared action by key (gui/actions.py); features bind their slots to them.
        self.actions = ActionRegistry(self)
        #: The menus built from the declared layout, by key ("file", "edit", "view"...).
        self.menus: dict[str, QMenu] = self.actions.build_menus(self.menuBar())
        self._loading: str | None = None
        self._preview_for: str | None = None
        self._quick_job = None
        self._quick_pending = False
        self._layout_restored = False
        self.last_error = ""

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
        self.region_panel = RegionListPanel(workspace, self.tools)
        self.sample_panel = SamplePanel(workspace)
        self.matching_panel = MatchingPanel(workspace, settings, runner=self.runner)
        self.add_dock(self.region_panel, "Regions", Qt.LeftDockWidgetArea, "regionsDock")
        samples = QScrollArea()
        samples.setWidget(self.sample_panel)
        samples.setWidgetResizable(True)
        samples.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        samples.setFrameShape(QFrame.NoFrame)
        self.add_dock(samples, "Samples", Qt.LeftDockWidgetArea, "samplesDock")
        self.add_dock(self.matching_panel, "Matching", Qt.RightDockWidgetArea, "matchingDock")
        self.resizeDocks([self.findChild(QDockWidget, "regionsDock"),
                          self.findChild(QDockWidget, "samplesDock")], [200, 520], Qt.Vertical)
        self.resizeDocks([self.findChild(QDockWidget, "samplesDock"),
                          self.findChild(QDockWidget, "matchingDock")], [310, 520], Qt.Horizontal)
        self._build_status_bar()
        self._build_actions()
        self._build_toolbar()
        from shadematch.gui.reports.report_export import (
            ReportExporter,  # File > Export report… (Ctrl+E)
        )

        self.report_exporter = ReportExporter(self)

        self._quick_timer = QTimer(self)
        self._quick_timer.setSingleShot(True)
        self._quick_timer.setInterval(QUICK_INTERVAL_MS)
        self._quick_timer.timeout.connect(self._submit_quick)
        self._autosave_timer.start()
        from shadematch.gui.clients.clients_view import (
            ClientRecords,  # Clients dock, Save to client…
        )

        self.client_records = ClientRecords(self)

        events = workspace.events
        events.photo_changed.connect(self._on_photo_changed)
        events.regions_changed.connect(self._on_regions_changed)
        events.history_changed.connect(self._update_actions)
        events.selection_changed.connect(self._update_actions)
        events.modified_changed.connect(lambda _m: self._update_title())
        for event in (events.picks_changed, events.notes_changed, events.settings_changed):
            event.connect(self.session.content_changed)
        self.view.cursor_moved.connect(self._readout)
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self.tools.message.connect(lambda text: self.show_status(text, 6000))
        self.tools.brush_changed.connect(
            lambda r: self.show_status(f"Brush radius {r:.0f} px", 1500))
        self.matching_panel.palette_reloaded.connect(
            lambda name: self.show_status(f"Palette {name} changed on disk: reloaded"))
        from shadematch.gui.calibration.calibration_tool import (
            CalibrationTool,  # Tools > Calibrate…, dock
        )

        self.calibration_tool = CalibrationTool(self)
        # "Use for other photos from this shoot" is the workspace's reuse rule (set_photo).
        keep = self.calibration_tool.panel.keep_for_shoot
        workspace.keep_calibration_for_shoot = keep.isChecked()
        keep.toggled.connect(lambda on: setattr(workspace, "keep_calibration_for_shoot", on))
        self.setAcceptDrops(True)
        self.resize(1400, 900)
        self._update_title()
        self._update_actions()
        QTimer.singleShot(0, self.offer_recovery)

    # -- the contract with the rest of the application ---------------------------------------------
    def add_dock(self, widget: QWidget, title: str, area=Qt.LeftDockWidgetArea,
                 object_name: str = "") -> QDockWidget:
        """Put ``widget`` in a dock; its toggle appears in the View menu (once it exists)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name or f"{title.replace(' ', '')}Dock")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable
                         | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.menus["view"].addAction(dock.toggleViewAction())
        return dock

    def show_status(self, text: str, msecs: int = 4000) -> None:
        self.statusBar().showMessage(text, msecs)

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

    # -- building ----------------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.readout_label = QLabel()
        self.readout_label.setObjectName("cursorReadout")
        self.readout_label.setMinimumWidth(360)
        self.measuring_label = QLabel()
        self.zoom_label = QLabel("")
        self.zoom_label.setToolTip("Zoom (100 % = one photo pixel per screen pixel)")
        self.progress = QProgressBar()
        self.progress.setObjectName("loadProgress")
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.photo_label = QLabel()
        self.photo_label.setObjectName("photoInfo")
        for widget in (self.measuring_label, self.progress, self.readout_label, self.photo_label,
                       self.zoom_label):
            bar.addPermanentWidget(widget)

    def _build_actions(self) -> None:
        """Bind the window's own commands; the menus and toolbar come from gui/actions.py."""
        ws, view, tools, bind = self.workspace, self.view, self.tools, self.actions.bind
        bind("open", self.choose_file)
        bind("save", self.save_session)
        bind("save_as", self.save_session_as)
        bind("quit", self.close)
        bind("undo", ws.undo)
        bind("redo", ws.redo)
        bind("delete", self._delete_pressed)
        bind("choose", self.matching_panel.choose_selected)
        bind("first_session", self.matching_panel.first_button.click)
        bind("fit", view.fit)
        bind("actual", view.actual_pixels)
        bind("zoom_in", view.zoom_in)
        bind("zoom_out", view.zoom_out)
        for name in TOOL_LABELS:
            bind(f"tool_{name}", lambda _=False, n=name: tools.set_tool(n))
        for name in CLASS_LABELS:
            bind(f"class_{name}", lambda _=False, n=name: tools.set_class(n))
        bind("brush_bigger", tools.bigger_brush)
        bind("brush_smaller", tools.smaller_brush)
        bind("shortcuts", self.show_shortcuts)
        bind("about", self.show_about)
        tools.tool_changed.connect(lambda n: self.actions[f"tool_{n}"].setChecked(True))
        tools.class_changed.connect(lambda n: self.actions[f"class_{n}"].setChecked(True))
        self.actions[f"tool_{tools.tool}"].setChecked(True)
        self.actions[f"class_{tools.region_class}"].setChecked(True)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Tools")
        bar.setObjectName("toolsToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.actions.fill_toolbar(bar)
        self.toolbar = bar

    # -- state shown in the window -------------------------------------------------------------------
    def _update_title(self) -> None:
        ws = self.workspace
        name = ws.photo_name
        session = f" — {Path(ws.session_path).name}" if ws.session_path else ""
        self.setWindowTitle(f"{name}[*]{session} — shadematch" if name else "shadematch[*]")
        self.setWindowModified(ws.modified)

    def _update_actions(self) -> None:
        ws = self.workspace
        self.actions["undo"].setEnabled(ws.can_undo())
        self.actions["redo"].setEnabled(ws.can_redo())
        self.actions["undo"].setText(f"&Undo {ws.undo_label()}".rstrip())
        self.actions["redo"].setText(f"&Redo {ws.redo_label()}".rstrip())
        self.actions["delete"].setEnabled(bool(ws.selected))

    def _delete_pressed(self) -> None:
        # While a polygon is being drawn, Backspace/Delete take back its last corner instead.
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

    def show_error(self, action: str, exc: BaseException) -> None:
        """An action failed: say so above the photo and in a (non-blocking) dialog."""
        self.last_error = str(exc)
        self.info_bar.show_message(f"{action} failed: {exc}", error=True)
        self.show_status(f"{action} failed", 8000)
        from shadematch.gui.common.error_reporting import show_action_error

        show_action_error(self, action, exc)

    # -- photos ------------------------------------------------------------------------------------
    def choose_file(self) -> None:
        start = str(Path(self.workspace.photo.path).parent) if self.workspace.photo else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open a photo or session", start,
                                              photo_filter())
        if path:
            self.open_path(path)

    def open_photo(self, path: str | Path) -> None:
        """Show a quick preview at once, then the full photo (both decoded off the GUI thread)."""
        path = str(path)
        self._loading = path
        self._preview_for = None
        self.progress.setValue(0)
        self.progress.show()
        self.show_status(f"Opening {Path(path).name}…", 0)
        if self._wants_preview(Path(path)):
            self.runner.submit(preview_for_display, path=path, channel="preview",
                               pass_progress=False,
                               on_done=lambda result: self._preview_ready(path, result),
                               on_error=lambda exc, tb: None)  # the full decode reports errors
        self.runner.submit(decode_for_display, path=path, channel="photo",
                           on_done=lambda result: self._photo_ready(path, result),
                           title=f"Opening {Path(path).name}",
                           on_failure=lambda _exc: self._photo_failed(path),
                           on_progress=self._load_progress)

    @staticmethod
    def _wants_preview(path: Path) -> bool:
        try:
            size = path.stat().st_size
        except OSError:
            return False
        return size >= PREVIEW_MIN_BYTES and path.suffix.lower() not in NO_PREVIEW_SUFFIXES

    def _load_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 100))
        if message:
            self.progress.setFormat(message)

    def _preview_ready(self, path: str, result) -> None:
        if self._loading != path:
            return  # the full photo already arrived, or another photo was asked for
        preview, display = result
        self._preview_for = path
        self.tools.overlay.set_visible(False)  # the regions belong to the photo being replaced
        # The preview's pixel size differs from the full photo's; fit it to its own rectangle
        # until the full photo gives the true size (regions are only drawn on the full photo).
        self.view.set_display(display, (preview.width, preview.height), preview=True)
        self.setWindowTitle(f"{preview.name} (loading…) — shadematch")

    def _photo_ready(self, path: str, result) -> None:
        if self._loading != path:
            return
        photo, display = result
        self._loading = None
        self.progress.hide()
        self.session.start_new_analysis()
        self._display = display
        self.workspace.set_photo(photo)
        note = "; ".join([*(getattr(photo, "notes", ()) or ()),
                          *([self.workspace.calibration_note]
                            if self.workspace.calibration_note else [])])
        self.show_status(f"Opened {photo.name} ({photo.width} x {photo.height}, "
                         f"{photo.source_profile})" + (f" — {note}" if note else ""), 8000)
        self.photo_opened.emit(path)

    def _photo_failed(self, path: str) -> None:
        """Opening ``path`` failed (the runner says why): show the photo that stays open."""
        if self._loading == path:
            self._loading = None
        self.progress.hide()
        self._show_workspace_photo()
        self._update_title()

    def _show_workspace_photo(self) -> None:
        self.tools.overlay.set_visible(True)
        photo = self.workspace.photo
        display = getattr(self, "_display", None)
        if photo is None:
            self.view.set_display(None)
        else:
            self.view.set_display(display or prepare_display(photo.rgb8()),
                                  (photo.width, photo.height))

    def _on_photo_changed(self) -> None:
        ws = self.workspace
        display = getattr(self, "_display", None)
        self._display = None
        if ws.photo is None:
            self.view.set_display(None)
        else:
            keep = self._preview_for == str(ws.photo.path)
            self.view.set_display(display or prepare_display(ws.photo.rgb8()),
                                  (ws.photo.width, ws.photo.height), keep_view=keep)
        self._preview_for = None
        self._update_title()
        self._update_photo_label()

    def _update_photo_label(self) -> None:
        """Size and colour profile of the photo; the loader's notes (sRGB assumed...) on hover."""
        photo = self.workspace.photo
        if photo is None:
            self.photo_label.setText("")
            self.photo_label.setToolTip("")
            return
        notes = list(getattr(photo, "notes", ()) or ())
        mark = "  ⚠" if notes else ""
        self.photo_label.setText(f"{photo.width} × {photo.height} · {photo.bit_depth}-bit · "
                                 f"{photo.source_profile}{mark}")
        self.photo_label.setStyleSheet("color: rgb(255, 196, 0);" if notes else "")
        self.photo_label.setToolTip("\n".join(notes) or "Colour profile of the photo")

    # -- measurement -------------------------------------------------------------------------------
    def _on_regions_changed(self, transient: bool) -> None:
        if self.workspace.photo is None:
            return
        if transient:
            self._quick_pending = True
            if not self._quick_timer.isActive():
                self._quick_timer.start()
            return
        self._quick_pending = False
        self._quick_timer.stop()
        self._submit_measure(quick=False)
        self.session.content_changed()

    def _submit_quick(self) -> None:
        if self._quick_job is not None and not self._quick_job.finished.is_set():
            self._quick_timer.start()  # still busy: try again shortly
            return
        if self._quick_pending:
            self._quick_pending = False
            self._submit_measure(quick=True)

    def _submit_measure(self, quick: bool) -> None:
        fn, kwargs, version = self.workspace.measurement_task(quick)
        self.measuring_label.setText("Estimating…" if quick else "Measuring…")
        job = self.runner.submit(
            fn, channel="measure",
            on_done=lambda result: self._measured(result, version, quick),
            title="Measuring the regions", on_failure=lambda _exc: self.measuring_label.setText(""),
            on_expected=lambda exc: self.show_status(str(exc), 8000), **kwargs)
        self._quick_job = job if quick else None

    def _measured(self, result, version: int, quick: bool) -> None:
        self.workspace.apply_measurement(result, version, quick)
        if self.workspace.measurement_current or quick:
            self.measuring_label.setText("" if not quick else "Estimate")

    # -- sessions (SessionActions does the work) ------------------------------------------------
    def _drop_loading(self, show_current: bool) -> None:
        """Forget a photo still loading (a session replaces it); show the current one again."""
        if self._loading is None:
            return
        self._loading = None
        if show_current:
            self._show_workspace_photo()
        else:
            self.progress.hide()

    def _show_restored(self, display) -> None:
        """The next photo_changed shows ``display`` (a restored analysis' photo), not a preview."""
        self._display = display
        self._preview_for = None

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
        display : the photo's display image from :func:`decode_for_display` (made here when
            None).
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
        geometry = getattr(self.settings, "geometry", QByteArray())
        state = getattr(self.settings, "window_state", QByteArray())
        if geometry is not None and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        if state is not None and not state.isEmpty():
            self.restoreState(state)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_path(paths[0])

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        ws = self.workspace
        ws.end_edit()
        self._autosave_timer.stop()
        self._quick_timer.stop()
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
