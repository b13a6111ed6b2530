"""The one place that says what the main window contains and how its features are connected.

:func:`compose` installs every feature on a :class:`~shadematch.gui.shell.main_window.MainWindow`
(each receives the window services, :class:`~shadematch.gui.common.services.WindowServices`,
not the window), binds the window's declared actions (:mod:`shadematch.gui.shell.actions`) to
their slots, and makes the connections between features explicit (the report export offers the
client selected in the Clients panel; a report written for the visit just saved is linked to
it). Features never find each other through the window.

The application adds the camera folder dock and the start-up logic on top
(:class:`shadematch.gui.app.Shell`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QScrollArea, QStatusBar, QToolBar

from shadematch.gui.calibration.calibration_tool import CalibrationTool
from shadematch.gui.clients.clients_view import ClientRecords
from shadematch.gui.common.services import WindowServices
from shadematch.gui.consultation.leaving import LeavingPhoto
from shadematch.gui.consultation.matching_panel import MatchingPanel
from shadematch.gui.consultation.measuring import Measuring
from shadematch.gui.consultation.photo_loading import PhotoLoading
from shadematch.gui.consultation.sample_panel import SamplePanel
from shadematch.gui.consultation.session_actions import PhotoQuestions, SessionActions
from shadematch.gui.learning.learn_dialog import LearningFeature
from shadematch.gui.photo.photo_view import PhotoView
from shadematch.gui.preview.preview_feature import ConsultationPreview, PaletteTools
from shadematch.gui.regions.region_tools import TOOL_LABELS, RegionListPanel, RegionTools
from shadematch.gui.reports.report_export import ReportExporter
from shadematch.workspace import CLASS_LABELS


class ComposedWindow(WindowServices, PhotoQuestions, Protocol):
    """What :func:`compose` needs of the window (the main window is one): the window services,
    the photo view and region tools it holds, its status-bar labels and its own commands. The
    QMainWindow methods used (``findChild``, ``resizeDocks``...) come with it."""

    view: PhotoView
    tools: RegionTools
    readout_label: QLabel
    zoom_label: QLabel
    photo_opened: SignalInstance

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt name

    def findChild(self, kind: type, name: str) -> Any: ...  # noqa: N802 - Qt name

    def resizeDocks(self, docks: list, sizes: list[int],  # noqa: N802 - Qt name
                    orientation: Qt.Orientation) -> None: ...

    def addToolBar(self, area: Qt.ToolBarArea, bar: QToolBar) -> None: ...  # noqa: N802

    def setWindowTitle(self, title: str) -> None: ...  # noqa: N802 - Qt name

    def close(self) -> bool: ...

    def choose_file(self) -> None: ...

    def delete_pressed(self) -> None: ...

    def show_shortcuts(self) -> None: ...

    def show_about(self) -> None: ...


@dataclass
class Features:
    """What :func:`compose` installed on the window."""

    region_panel: RegionListPanel
    sample_panel: SamplePanel
    matching_panel: MatchingPanel
    photos: PhotoLoading
    measuring: Measuring
    session: SessionActions
    report_exporter: ReportExporter
    client_records: ClientRecords
    calibration_tool: CalibrationTool
    preview: ConsultationPreview
    palette_tools: PaletteTools
    toolbar: QToolBar
    leaving: LeavingPhoto


def _scrolling(panel) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


def compose(window: ComposedWindow) -> Features:
    """Install the consultation's features on ``window`` and connect them (see the module)."""
    ws, view, tools = window.workspace, window.view, window.tools

    # -- docks: regions and samples on the left, matching (and clients) on the right ------------
    region_panel = RegionListPanel(ws, tools)
    sample_panel = SamplePanel(ws)
    matching_panel = MatchingPanel(ws, window.settings, runner=window.runner)
    window.add_dock(region_panel, "Regions", Qt.DockWidgetArea.LeftDockWidgetArea, "regionsDock")
    window.add_dock(_scrolling(sample_panel), "Samples", Qt.DockWidgetArea.LeftDockWidgetArea,
                    "samplesDock")
    # scrolls on a short screen instead of squeezing the swatches, plan and warnings together
    window.add_dock(_scrolling(matching_panel), "Matching",
                    Qt.DockWidgetArea.RightDockWidgetArea, "matchingDock")
    docks = {name: window.findChild(QDockWidget, name)
             for name in ("regionsDock", "samplesDock", "matchingDock")}
    window.resizeDocks([docks["regionsDock"], docks["samplesDock"]], [200, 520],
                       Qt.Orientation.Vertical)
    window.resizeDocks([docks["samplesDock"], docks["matchingDock"]], [310, 520],
                       Qt.Orientation.Horizontal)

    # -- reports and client records, connected to each other here -------------------------------
    report_exporter = ReportExporter(window)
    client_records = ClientRecords(window)
    report_exporter.client_name = client_records.selected_client_name
    report_exporter.exported.connect(client_records.report_exported)

    # -- photos, measuring, sessions ---------------------------------------------------------------
    session: SessionActions | None = None

    def new_analysis() -> str:
        assert session is not None
        return session.start_new_analysis()

    def restore_kept(record, photo, display) -> None:
        assert session is not None
        session.restore_kept(record, photo, display)

    photos = PhotoLoading(window, view, show_regions=tools.overlay.set_visible,
                          new_analysis=new_analysis, restore_kept=restore_kept)
    photos.photo_opened.connect(window.photo_opened)
    photos.preview_title.connect(window.setWindowTitle)
    session = SessionActions(window, photos, questions=window)
    client_records.client_erased.connect(lambda _client, shas: session.forget_photos(shas))
    measuring = Measuring(window, after_edit=session.content_changed)
    events = ws.events
    for event in (events.picks_changed, events.notes_changed, events.settings_changed):
        event.connect(session.content_changed)

    calibration_tool = CalibrationTool(window, view, tools.tool_changed)
    preview = ConsultationPreview(window)
    palette_tools = PaletteTools(window)
    learning = LearningFeature(window, client_records.store)
    palette_tools.palettes_changed.connect(matching_panel.reload_palettes)

    # -- status bar --------------------------------------------------------------------------------
    bar = window.statusBar()
    for widget in (measuring.label, photos.progress, window.readout_label, photos.photo_label,
                   window.zoom_label):
        bar.addPermanentWidget(widget)
    tools.message.connect(lambda text: window.show_status(text, 6000))
    tools.brush_changed.connect(lambda r: window.show_status(f"Brush radius {r:.0f} px", 1500))
    matching_panel.palette_reloaded.connect(
        lambda name: window.show_status(f"Palette {name} changed on disk: reloaded"))

    # -- the window's own commands (the menus and the toolbar are declared in actions.py) ----------
    bind = window.actions.bind
    bind("open", window.choose_file)
    bind("save", session.save_session)
    bind("save_as", session.save_session_as)
    bind("recover_work", session.show_recover_work)
    bind("quit", window.request_quit)
    leaving = LeavingPhoto(window, session,
                           save_to_client=lambda: window.actions["save_to_client"].trigger())
    bind("close_photo", leaving.close_photo)
    bind("undo", ws.undo)
    bind("redo", ws.redo)
    bind("delete", window.delete_pressed)
    bind("choose", matching_panel.choose_selected)
    bind("first_session", matching_panel.first_button.click)
    bind("clear_choice", ws.clear_choice)
    bind("fit", view.fit)
    bind("actual", view.actual_pixels)
    bind("zoom_in", view.zoom_in)
    bind("zoom_out", view.zoom_out)
    for name in TOOL_LABELS:
        bind(f"tool_{name}", lambda _=False, n=name: tools.set_tool(n))
    for name in CLASS_LABELS:
        bind(f"class_{name}", lambda _=False, n=name: tools.set_class(n))
        bind(f"reclass_{name}", lambda _=False, n=name: tools.reclassify_selected(n))
    bind("brush_bigger", tools.bigger_brush)
    bind("brush_smaller", tools.smaller_brush)
    bind("shortcuts", window.show_shortcuts)
    bind("about", window.show_about)
    bind("preview", preview.open)
    bind("learn", learning.open)
    bind("import_palette", palette_tools.import_palette)
    bind("print_card", palette_tools.print_card)
    bind("read_card", palette_tools.read_card)
    actions = window.actions
    tools.tool_changed.connect(lambda n: actions[f"tool_{n}"].setChecked(True))
    tools.class_changed.connect(lambda n: actions[f"class_{n}"].setChecked(True))
    actions[f"tool_{tools.tool}"].setChecked(True)
    actions[f"class_{tools.region_class}"].setChecked(True)
    toolbar = QToolBar("Tools")
    toolbar.setObjectName("toolsToolBar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    actions.fill_toolbar(toolbar)

    return Features(region_panel=region_panel, sample_panel=sample_panel,
                    matching_panel=matching_panel, photos=photos, measuring=measuring,
                    session=session, report_exporter=report_exporter,
                    client_records=client_records, calibration_tool=calibration_tool,
                    preview=preview, palette_tools=palette_tools, toolbar=toolbar,
                    leaving=leaving)
