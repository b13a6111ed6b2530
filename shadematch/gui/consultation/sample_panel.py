"""The sample panel: per class a large swatch, Lab, LCh, pixels, spread, ITA, warnings inline."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shadematch.gui.common.swatch import Swatch
from shadematch.gui.regions.region_tools import CLASS_COLORS
from shadematch.workspace import CLASS_LABELS, Workspace

WARNING_STYLE = "color: rgb(255, 196, 0);"
PROBLEM_STYLE = "color: rgb(255, 120, 110);"
MUTED_STYLE = "color: rgb(160, 160, 160);"
CALIBRATED_STYLE = "color: rgb(120, 200, 140);"
#: How calibration charts are named to the practitioner.
CHART_NAMES = {"colorchecker24": "ColorChecker 24", "greycard": "a grey card"}
NOT_CALIBRATED = "Not calibrated: colours are as the camera recorded them."


def calibration_status(calibration) -> tuple[str, bool]:
    """The sample panel's line about the calibration, and whether it needs attention.

    Parameters
    ----------
    calibration : the workspace's calibration (``shadematch.calibration.model.Calibration``)
        or None.

    Returns
    -------
    (text, warn) : e.g. "Calibrated with ColorChecker 24 (matrix-3x3, fit mean dE00 0.85)."; warn
        is True for a calibration reused from another photo (right only in the same light).
    """
    if calibration is None:
        return NOT_CALIBRATED, False
    chart = CHART_NAMES.get(calibration.chart, calibration.chart)
    text = (f"Calibrated with {chart} ({calibration.model}, fit mean dE00 "
            f"{float(calibration.mean_delta_e):.2f}).")
    if getattr(calibration, "reused", False):
        text += (" Reused from another photo of this shoot: right only if the light, camera and "
                 "settings did not change.")
        return text, True
    return text, False


def _fmt(values, digits: int = 1) -> str:
    return "  ".join(f"{float(v):.{digits}f}" for v in values)


class ClassCard(QGroupBox):
    """Everything measured for one class."""

    def __init__(self, region_class: str, parent=None) -> None:
        super().__init__(CLASS_LABELS[region_class], parent)
        self.region_class = region_class
        self.setObjectName(f"sampleCard_{region_class}")
        color = CLASS_COLORS[region_class]
        self.setStyleSheet(f"QGroupBox#{self.objectName()}::title {{ color: {color.name()}; }}")
        card = QVBoxLayout(self)
        card.setContentsMargins(6, 4, 6, 4)
        outer = QHBoxLayout()
        card.addLayout(outer)
        self.swatch = Swatch(minimum=64)
        self.swatch.setMaximumSize(72, 96)
        outer.addWidget(self.swatch)
        column = QVBoxLayout()
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(1)
        self.values: dict[str, QLabel] = {}
        for row, (key, label, tip) in enumerate((
                ("lab", "L* a* b*", "CIELAB (D65, 2 degree observer) of the robust centre"),
                ("lch", "L* C* h", "Lightness, chroma and hue angle (degrees)"),
                ("pixels", "Pixels", "Pixels used / under the region; the rest were excluded"),
                ("spread", "Spread", "Median CIEDE2000 of the used pixels to the centre, and the "
                                     "standard deviation of L*"),
                ("ita", "ITA", "Individual Typology Angle of the skin, and its class"),
                ("contrast", "Contrast", "L*(hair) - L*(skin): how dark the hair is against the "
                                         "scalp"),
                ("calibrated", "Colour", "Whether the colour calibration was applied to this "
                                         "sample (not calibrated: as the camera recorded it)"))):
            name = QLabel(label)
            name.setStyleSheet(MUTED_STYLE)
            name.setToolTip(tip)
            value = QLabel("–")
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            # may be clipped in a narrow dock rather than force a horizontal scroll bar
            value.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
            value.setToolTip(tip)
            name.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Preferred)
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            self.values[key] = value
            self.values[key + "_name"] = name
        grid.setColumnStretch(1, 1)
        column.addLayout(grid)
        column.addStretch(1)
        outer.addLayout(column, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName(f"sampleStatus_{region_class}")
        card.addWidget(self.status)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.setObjectName(f"sampleWarnings_{region_class}")
        card.addWidget(self.warnings)
        for key in ("ita", "contrast"):
            self._show_row(key, False)

    def _show_row(self, key: str, visible: bool) -> None:
        self.values[key].setVisible(visible)
        self.values[key + "_name"].setVisible(visible)

    def show_sample(self, sample, problem: str | None, has_regions: bool, contrast: float | None,
                    estimating: bool, calibration=None) -> None:
        for key in ("lab", "lch", "pixels", "spread", "calibrated"):
            self.values[key].setText("–")
        self.values["calibrated"].setStyleSheet("")
        self.warnings.setText("")
        self._show_row("ita", False)
        self._show_row("contrast", False)
        if sample is None:
            self.swatch.set_Lab(None, "no sample")
            if problem:
                self.status.setStyleSheet(PROBLEM_STYLE)
                self.status.setText(problem)
                self._fit_text()
                return
            else:
                self.status.setStyleSheet(MUTED_STYLE)
                label = CLASS_LABELS[self.region_class].lower()
                self.status.setText(f"Mark a {label} region to measure it." if not has_regions
                                    else "Measuring…")
            self._fit_text()
            return
        Lab = np.asarray(sample.Lab, dtype=float)
        self.swatch.set_Lab(Lab)
        self.values["lab"].setText(_fmt(Lab))
        self.values["lch"].setText(_fmt(sample.LCh))
        excluded = sample.total - sample.used
        self.values["pixels"].setText(f"{sample.used:,} used, {excluded:,} out")
        self.values["pixels"].setToolTip(
            f"{sample.total:,} under the region: {sample.clipped:,} clipped highlights, "
            f"{sample.trimmed:,} trimmed (glints / deep shadows), {sample.other_cluster:,} of the "
            "other colour (skin under hair, stubble on skin)")
        self.values["spread"].setText(f"ΔE00 {sample.median_delta_e:.1f}   "
                                      f"σL* {float(sample.std_Lab[0]):.1f}")
        if self.region_class == "skin" and sample.ita is not None:
            from shadematch.color import ita_class

            self.values["ita"].setText(f"{sample.ita:.1f}°  {ita_class(sample.ita)}")
            self._show_row("ita", True)
        if contrast is not None and self.region_class == "hair":
            self.values["contrast"].setText(f"ΔL* {contrast:+.1f} vs skin")
            self._show_row("contrast", True)
        if getattr(sample, "calibrated", False):
            reused = calibration is not None and getattr(calibration, "reused", False)
            self.values["calibrated"].setText("calibrated (reused)" if reused else "calibrated")
            self.values["calibrated"].setStyleSheet(WARNING_STYLE if reused else CALIBRATED_STYLE)
        else:
            self.values["calibrated"].setText("not calibrated")
            self.values["calibrated"].setStyleSheet(MUTED_STYLE)
        self.warnings.setText("\n".join(f"⚠ {w.get('message', w)}" for w in sample.warnings))
        gamut = "" if self.swatch.in_gamut else "Outside sRGB: the swatch shows the nearest colour. "
        if getattr(sample, "quick", False):
            quick = "Quick estimate (a subsample): the full measurement follows."
        elif estimating:
            quick = "Measuring the changed regions…"
        else:
            quick = ""
        self.status.setStyleSheet(WARNING_STYLE if getattr(sample, "quick", False)
                                  else MUTED_STYLE)
        self.status.setText((gamut + quick).strip())
        self._fit_text()

    def _fit_text(self) -> None:
        # Wrapped labels in a group box inside a scroll area do not get their height-for-width
        # from the layout: give them the height their text needs at the current width.
        for label in (self.status, self.warnings):
            width = label.width() if label.width() > 50 else max(self.width() - 30, 100)
            label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit_text()


class SamplePanel(QWidget):
    """One :class:`ClassCard` per class, following the workspace's samples."""

    def __init__(self, workspace: Workspace, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("samplePanel")
        self.workspace = workspace
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.calibration_label = QLabel()
        self.calibration_label.setObjectName("sampleCalibration")
        self.calibration_label.setWordWrap(True)
        self.calibration_label.setToolTip("Every sample and the ranking use this colour "
                                          "calibration (Tools > Calibrate)")
        layout.addWidget(self.calibration_label)
        self.cards = {c: ClassCard(c) for c in CLASS_LABELS}
        for card in self.cards.values():
            layout.addWidget(card)
        line = QFrame()
        line.setFrameShape(QFrame.NoFrame)
        layout.addWidget(line, 1)
        workspace.events.samples_changed.connect(self.refresh)
        workspace.events.regions_changed.connect(self._regions_changed)
        workspace.events.photo_changed.connect(self.refresh)
        workspace.events.settings_changed.connect(self._show_calibration)
        self.refresh()

    def _regions_changed(self, transient: bool) -> None:
        if not transient:
            self.refresh()

    def refresh(self) -> None:
        ws = self.workspace
        classes = {r.region_class for r in ws.regions}
        contrast = None
        if "hair" in ws.samples and "skin" in ws.samples:
            from shadematch.color import hair_skin_contrast

            contrast = float(hair_skin_contrast(ws.samples["hair"].Lab, ws.samples["skin"].Lab))
        estimating = not ws.measurement_current and ws.photo is not None
        self._show_calibration()
        for region_class, card in self.cards.items():
            card.show_sample(ws.samples.get(region_class), ws.problems.get(region_class),
                             region_class in classes, contrast, estimating, ws.calibration)

    def _show_calibration(self) -> None:
        text, warn = calibration_status(self.workspace.calibration)
        label = self.calibration_label
        label.setText(text)
        label.setStyleSheet(WARNING_STYLE if warn else CALIBRATED_STYLE
                            if self.workspace.calibration is not None else MUTED_STYLE)
        width = label.width() if label.width() > 50 else max(self.width() - 20, 100)
        label.setMinimumHeight(label.heightForWidth(width))
