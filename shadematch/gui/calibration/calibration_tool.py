"""Colour calibration in the desktop application: Tools > Calibrate with colour chart, and a dock.

The user clicks the four corner patch centres of a ColorChecker (the grid is drawn over the photo,
corners can be dragged); the fit runs off the GUI thread and its report (model, residuals per
patch, warnings) is shown in the Calibration dock. A grey card can be used instead: mark it as a
region, select it, press "Selected region is a grey card". The calibration lives in the
:class:`~shadematch.workspace.Workspace` (so it is saved with the session); "Use for other photos
from this shoot" carries it over to the next photos with a visible note, and "Show photo
corrected" displays the corrected photo.

Installed by :func:`shadematch.gui.shell.composition.compose` with the window services, the
photo view and the region tools. The carry-over rule for a shoot is the workspace's
(:meth:`~shadematch.workspace.Workspace.set_photo`); the tool only sets it from its check box.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shadematch.calibration import CORNER_NAMES
from shadematch.gui.calibration.calibration_overlay import ChartClickTool, ChartGridItem
from shadematch.gui.common.services import WindowServices
from shadematch.gui.photo.photo_view import PhotoView

log = logging.getLogger(__name__)

REFERENCES = (("after-2014", "ColorChecker made after Nov 2014"),
              ("before-2014", "ColorChecker made before Nov 2014"))


# -- work done off the GUI thread ------------------------------------------------------------------
def fit_chart(photo, corners, reference: str, progress=None, cancelled=None):
    """Worker: calibrate from the chart corners on the full-resolution photo."""
    from shadematch.calibration import calibrate_from_chart

    return calibrate_from_chart(photo, corners, reference=reference,
                                photo_sha256=photo.sha256, progress=progress, cancelled=cancelled)


def find_chart(photo, reference: str, progress=None, cancelled=None):
    """Worker: suggest the chart corners automatically."""
    from shadematch.calibration import detect_chart

    return detect_chart(photo.rgb, reference=reference, progress=progress, cancelled=cancelled)


def fit_grey_card(photo, region, progress=None, cancelled=None):
    """Worker: white balance and exposure from a grey card region."""
    from shadematch.calibration import calibrate_from_grey_card

    mask = region.mask(photo.height, photo.width)
    return calibrate_from_grey_card(photo, mask, photo_sha256=photo.sha256)


def corrected_display(calibration, photo, progress=None, cancelled=None):
    """Worker: the photo as the calibration corrects it, prepared for the photo view."""
    from shadematch.gui.photo.photo_view import prepare_display

    return prepare_display(calibration.apply_to_image(photo.rgb, progress, cancelled))


def plain_display(photo, progress=None, cancelled=None):
    """Worker: the photo as recorded, prepared for the photo view."""
    from shadematch.gui.photo.photo_view import prepare_display

    return prepare_display(photo.rgb8())


# -- the dock --------------------------------------------------------------------------------------
class CalibrationPanel(QWidget):
    """Controls and fit report; holds no state that matters (the workspace does)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("calibrationPanel")
        layout = QVBoxLayout(self)
        self.status = QLabel("Not calibrated: colours are as the camera recorded them.")
        self.status.setObjectName("calibrationStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.reference = QComboBox()
        for key, label in REFERENCES:
            self.reference.addItem(label, key)
        layout.addWidget(self.reference)
        row = QHBoxLayout()
        self.click_button = QPushButton("Click chart corners")
        self.click_button.setCheckable(True)
        self.click_button.setToolTip("Click the centres of the dark skin, bluish green, black and "
                                     "white patches, in that order; drag a corner to adjust")
        self.grey_button = QPushButton("Selected region is a grey card")
        self.grey_button.setToolTip("White balance and exposure only, from an 18% grey card "
                                    "(L* 50) marked as a region")
        self.find_button = QPushButton("Find chart")
        self.find_button.setToolTip("Look for the ColorChecker automatically, then check that the "
                                    "outlined squares sit on the patches (drag a corner to move "
                                    "them)")
        row.addWidget(self.click_button)
        row.addWidget(self.find_button)
        layout.addLayout(row)
        layout.addWidget(self.grey_button)
        self.instruction = QLabel("")
        self.instruction.setObjectName("calibrationInstruction")
        self.instruction.setWordWrap(True)
        layout.addWidget(self.instruction)
        self.problem = QLabel("")
        self.problem.setObjectName("calibrationProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: rgb(255, 140, 120);")
        layout.addWidget(self.problem)
        self.keep_for_shoot = QCheckBox("Use for other photos from this shoot")
        self.keep_for_shoot.setToolTip("Keep this calibration when the next photos are opened "
                                       "(same light, same camera settings); marked as reused")
        self.show_corrected = QCheckBox("Show photo corrected")
        self.remove_button = QPushButton("Remove calibration")
        for widget in (self.keep_for_shoot, self.show_corrected, self.remove_button):
            layout.addWidget(widget)
        self.warnings = QLabel("")
        self.warnings.setObjectName("calibrationWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: rgb(240, 190, 90);")
        layout.addWidget(self.warnings)
        self.exposure = QLabel("")
        self.exposure.setObjectName("calibrationExposure")
        self.exposure.setWordWrap(True)
        self.exposure.setStyleSheet("color: rgb(240, 190, 90);")
        layout.addWidget(self.exposure)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("calibrationPatches")
        self.table.setHorizontalHeaderLabels(["Patch", "dE00", "Note"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        layout.addWidget(self.table, 1)

    def show_calibration(self, calibration) -> None:
        self.remove_button.setEnabled(calibration is not None)
        self.show_corrected.setEnabled(calibration is not None)
        if calibration is None:
            self.status.setText("Not calibrated: colours are as the camera recorded them.")
            self.warnings.setText("")
            self.table.setRowCount(0)
            return
        self.status.setText(calibration.summary() + ".")
        self.warnings.setText("\n".join(f"! {w}" for w in calibration.warnings))
        self.table.setRowCount(len(calibration.patches))
        for row, patch in enumerate(calibration.patches):
            value = "" if patch.residual_delta_e is None else f"{patch.residual_delta_e:.2f}"
            note = patch.reason if patch.rejected else ""
            for col, text in enumerate((patch.name, value, note)):
                item = QTableWidgetItem(text)
                if patch.rejected:
                    item.setForeground(QColor(150, 150, 150))
                elif col == 1 and patch.residual_delta_e is not None and \
                        patch.residual_delta_e > 3.0:
                    item.setForeground(QColor(240, 150, 90))
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()

    def show_instruction(self, corners_done: int, active: bool) -> None:
        if not active:
            self.instruction.setText("")
        elif corners_done < 4:
            self.instruction.setText(f"Click the centre of the {CORNER_NAMES[corners_done]} "
                                     f"patch ({corners_done + 1} of 4). Backspace undoes a "
                                     "click, Escape stops.")
        else:
            self.instruction.setText("Check that every square sits inside its patch; drag a "
                                     "numbered corner to adjust. Escape when done.")


# -- the controller ----------------------------------------------------------------------------------
class CalibrationTool(QObject):
    """Connects the panel, the chart overlay and the click tool to the workspace and the runner.

    Parameters
    ----------
    services : the window services (workspace, runner, actions, docks, status bar).
    view : the photo view the chart is clicked on.
    tool_changed : the region tools' signal that another drawing tool was chosen (it ends
        chart mode).
    """

    def __init__(self, services: WindowServices, view: PhotoView, tool_changed) -> None:
        super().__init__(services.main_widget())
        self.services, self.workspace, self.view = services, services.workspace, view
        self.panel = CalibrationPanel()
        self.dock = services.add_dock(self.panel, "Calibration",
                                      Qt.DockWidgetArea.RightDockWidgetArea, "calibrationDock")
        self.grid = ChartGridItem()
        self.grid.setVisible(False)
        self.view.scene().addItem(self.grid)
        self.click_tool = ChartClickTool(self.view, self)
        self._previous_tool = None
        self._shown_calibration = None
        self._corrected_shown = False

        self.action = services.actions.bind("calibrate", self.start_chart)

        p = self.panel
        p.click_button.toggled.connect(self._click_toggled)
        p.grey_button.clicked.connect(self.grey_card_from_selection)
        p.find_button.clicked.connect(self.find_chart)
        p.remove_button.clicked.connect(lambda: self.workspace.set_calibration(None))
        p.show_corrected.toggled.connect(lambda _on: self._refresh_display())
        p.reference.currentIndexChanged.connect(lambda _i: self._refit())
        self.click_tool.corners_changed.connect(self._corners_changed)
        self.click_tool.dragging.connect(self.grid.set_corners)
        self.click_tool.leave_requested.connect(lambda: p.click_button.setChecked(False))
        tool_changed.connect(lambda _name: p.click_button.setChecked(False))
        # "Use for other photos from this shoot" is the workspace's reuse rule (set_photo).
        self.workspace.keep_calibration_for_shoot = p.keep_for_shoot.isChecked()
        p.keep_for_shoot.toggled.connect(self._keep_for_shoot)
        events = self.workspace.events
        events.photo_changed.connect(self._photo_changed)
        events.settings_changed.connect(self._calibration_maybe_changed)
        events.samples_changed.connect(self._samples_changed)
        p.show_calibration(self.workspace.calibration)

    # -- chart mode ----------------------------------------------------------------------------
    def start_chart(self) -> None:
        """Show the dock and start placing the chart corners."""
        self.dock.show()
        self.dock.raise_()
        if self.panel.click_button.isChecked():
            self._corners_changed([])
        self.panel.click_button.setChecked(True)

    @property
    def active(self) -> bool:
        return self.view.tool is self.click_tool

    def _click_toggled(self, on: bool) -> None:
        if on and not self.active:
            if self.workspace.photo is None:
                self.panel.problem.setText("Open a photo with the chart in it first.")
                self.panel.click_button.setChecked(False)
                return
            self._previous_tool = self.view.tool
            self.view.tool = self.click_tool
            self.view.viewport().setCursor(self.click_tool.cursor())
            corners = list(self.workspace.calibration.corners) if (
                self.workspace.calibration is not None
                and len(getattr(self.workspace.calibration, "corners", [])) == 4) else []
            self.click_tool.set_corners(corners)
            self.grid.set_corners(corners)
            self.grid.setVisible(True)
            self.view.setFocus()
        elif not on and self.active:
            self.view.tool = self._previous_tool
            self._previous_tool = None
            self.view.viewport().setCursor(getattr(self.view.tool, "cursor",
                                                   lambda: Qt.ArrowCursor)())
            self.grid.setVisible(False)
        self.panel.show_instruction(len(self.click_tool.corners), self.active)

    def _corners_changed(self, corners: list) -> None:
        self.click_tool.set_corners(corners)
        self.grid.set_corners(corners)
        self.panel.show_instruction(len(corners), self.active)
        self.panel.problem.setText("")
        if len(corners) == 4:
            self._refit()

    def _refit(self) -> None:
        ws, cal = self.workspace, self.workspace.calibration
        corners = self.click_tool.corners
        if not self.active and cal is not None and cal.chart == "colorchecker24" \
                and not cal.reused and ws.photo is not None \
                and cal.source_photo_sha256 == ws.photo.sha256:
            corners = list(cal.corners)  # chart edition changed after the fit: fit again
        if ws.photo is None or len(corners) != 4:
            return
        self.panel.status.setText("Fitting the chart…")
        self.services.runner.submit(
            fit_chart, channel="calibration", photo=self.workspace.photo, corners=list(corners),
            reference=self.panel.reference.currentData(),
            on_done=self._fitted, title="Calibrating", on_failure=self._fit_failed,
            on_expected=lambda exc: self.panel.problem.setText(str(exc)))

    def find_chart(self) -> None:
        """Look for the chart off the GUI thread; the corners found go into chart mode."""
        ws = self.workspace
        if ws.photo is None:
            self.panel.problem.setText("Open a photo with the chart in it first.")
            return
        self.panel.problem.setText("")
        self.panel.instruction.setText("Looking for the chart…")
        self.services.runner.submit(find_chart, channel="calibration", photo=ws.photo,
                                  reference=self.panel.reference.currentData(),
                                  on_done=lambda corners, p=ws.photo: self._found(corners, p),
                                  title="Calibrating", on_failure=self._fit_failed,
            on_expected=lambda exc: self.panel.problem.setText(str(exc)))

    def _found(self, corners, photo) -> None:
        if self.workspace.photo is not photo:
            return
        self.dock.show()
        self.panel.click_button.setChecked(True)
        self._corners_changed(list(corners))

    def grey_card_from_selection(self) -> None:
        ws = self.workspace
        if ws.photo is None or len(ws.selected) != 1:
            self.panel.problem.setText("Mark the grey card as a region and select it (only it), "
                                       "then press this again.")
            return
        self.panel.problem.setText("")
        self.panel.status.setText("Measuring the grey card…")
        self.services.runner.submit(fit_grey_card, channel="calibration", photo=ws.photo,
                                  region=ws.region(ws.selected[0]), on_done=self._fitted,
                                  title="Calibrating", on_failure=self._fit_failed,
            on_expected=lambda exc: self.panel.problem.setText(str(exc)))

    def _fitted(self, calibration) -> None:
        if self.workspace.photo is None or calibration.source_photo_sha256 != \
                self.workspace.photo.sha256:
            return  # the photo changed while fitting
        self.panel.problem.setText("")
        self.workspace.set_calibration(calibration)
        self.services.show_status(calibration.summary(), 6000)

    def _fit_failed(self, _exc: BaseException) -> None:
        """A fit failed (an expected problem is then shown inline, in the panel)."""
        self.panel.show_calibration(self.workspace.calibration)
        self.panel.show_instruction(len(self.click_tool.corners), self.active)

    # -- the workspace changed -------------------------------------------------------------------
    def _calibration_maybe_changed(self) -> None:
        calibration = self.workspace.calibration
        if calibration is self._shown_calibration:
            return
        self._shown_calibration = calibration
        self.panel.show_calibration(calibration)
        if self.panel.show_corrected.isChecked():
            self._refresh_display()

    def _samples_changed(self) -> None:
        from shadematch.calibration import exposure_warning

        ws = self.workspace
        text = exposure_warning(ws.calibration, [s.Lab for s in ws.samples.values()])
        self.panel.exposure.setText(f"! {text}" if text else "")

    def _photo_changed(self) -> None:
        self.panel.click_button.setChecked(False)
        self.click_tool.set_corners([])
        self.grid.set_corners([])
        self.panel.problem.setText("")
        self._corrected_shown = False  # the main window shows the photo as recorded
        # The workspace has applied the shoot's carry-over rule (its calibration_note says what
        # happened, in the status bar); after the current event, a restored session has set
        # its own calibration too.
        QTimer.singleShot(0, self._refresh_display)

    def _keep_for_shoot(self, on: bool) -> None:
        self.workspace.keep_calibration_for_shoot = on

    def _refresh_display(self) -> None:
        ws = self.workspace
        if ws.photo is None:
            return
        size = (ws.photo.width, ws.photo.height)
        if self.panel.show_corrected.isChecked() and ws.calibration is not None:
            self.services.runner.submit(corrected_display, channel="calibration_display",
                                      calibration=ws.calibration, photo=ws.photo,
                                      on_done=lambda d, p=ws.photo: self._show_display(d, p, size),
                                      title="Calibrating", on_failure=self._fit_failed,
            on_expected=lambda exc: self.panel.problem.setText(str(exc)))
        elif self._corrected_shown:
            self.services.runner.submit(plain_display, channel="calibration_display", photo=ws.photo,
                                      on_done=lambda d, p=ws.photo: self._show_display(d, p, size),
                                      title="Calibrating", on_failure=self._fit_failed,
            on_expected=lambda exc: self.panel.problem.setText(str(exc)))

    def _show_display(self, display, photo, size) -> None:
        if self.workspace.photo is not photo:
            return
        self._corrected_shown = self.panel.show_corrected.isChecked()
        self.view.set_display(display, size, keep_view=True)
