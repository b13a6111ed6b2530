"""The "Learn from healed results" dialog: fits the appearance model to the follow-up visits in
the records off the GUI thread, shows the leave-one-out error before and after, the excluded
outcomes with why and the model's track-record plot, then Use this model / Keep current."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from shadematch.gui.common.services import WindowServices


def fit_from_records(store_of: Callable, include_uncalibrated: bool = False,
                     progress=None, cancelled=None) -> dict:
    """Worker: the records' outcomes fitted; the fit stored (not active yet); the plot as PNG."""
    from shadematch.appearance.learning import fit_model
    from shadematch.appearance.model_parameters import SHIPPED
    from shadematch.errors import ReportError
    from shadematch.records.outcomes import recorded_outcomes
    from shadematch.reporting.outcome_plots import plot_png, track_record_plot

    store = store_of()
    if progress is not None:
        progress(0.1, "reading the follow-up visits")
    found = recorded_outcomes(store, include_uncalibrated)
    current = store.active_model() or SHIPPED
    if progress is not None:
        progress(0.3, f"fitting on {len(found.usable)} outcomes")
    report = fit_model(found.outcomes, current, include_uncalibrated)
    excluded = [e for e in found.excluded if e not in report.excluded] + list(report.excluded)
    stored = store.save_fitted_model(report, activate=False) if report.fitted is not None else None
    try:
        png = plot_png(track_record_plot(report.predictions)) if report.predictions else None
    except ReportError:
        png = None
    return {"report": report, "excluded": excluded, "current": current, "png": png,
            "version": None if stored is None else stored.version}


class LearnDialog(QDialog):
    """Runs the fit when shown; Use this model makes the stored fit the active one."""

    def __init__(self, services: WindowServices, store_of: Callable, parent=None) -> None:
        super().__init__(parent or services.main_widget())
        self.setObjectName("learnDialog")
        self.setWindowTitle("Learn from healed results")
        self.services, self.store_of = services, store_of
        self.fit_result: dict | None = None
        layout = QVBoxLayout(self)
        self.include = QCheckBox("Also fit follow-ups photographed without a chart")
        self.include.setObjectName("includeUncalibrated")
        self.include.toggled.connect(lambda _=False: self.start())
        layout.addWidget(self.include)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        layout.addWidget(self.progress)
        self.summary = QLabel("Reading the follow-up visits…")
        self.summary.setObjectName("learnSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.plot = QLabel()
        self.plot.setObjectName("trackRecordPlot")
        self.plot.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.plot, 1)
        layout.addWidget(QLabel("Not used, with why:"))
        self.excluded = QListWidget()
        self.excluded.setObjectName("excludedOutcomes")
        self.excluded.setMaximumHeight(120)
        layout.addWidget(self.excluded)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.use_button = QPushButton("Use this model")
        self.use_button.setObjectName("useModel")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_model)
        self.keep_button = QPushButton("Keep current")
        self.keep_button.setObjectName("keepModel")
        self.keep_button.clicked.connect(self.reject)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.keep_button)
        layout.addLayout(buttons)
        self.resize(700, 720)

    def start(self) -> None:
        self.use_button.setEnabled(False)
        self.progress.setValue(0)
        self.summary.setText("Reading the follow-up visits…")
        self.services.runner.submit(
            fit_from_records, channel="learn-fit", title="Learning from healed results",
            store_of=self.store_of, include_uncalibrated=self.include.isChecked(),
            on_done=self._show, on_progress=lambda f, _text: self.progress.setValue(int(f * 100)),
            on_expected=lambda exc: self.summary.setText(str(exc)))

    def _show(self, result: dict) -> None:
        self.fit_result = result
        report = result["report"]
        self.progress.setValue(100)
        lines = [f"{len(report.used)} outcomes used, {len(result['excluded'])} not used."]
        if report.error_current is not None:
            current = result["current"]
            lines.append(f"Error of the model in use ({current.name} {current.version}): "
                         f"{report.error_current:.2f} dE00.")
        if report.loo_error_fitted is not None:
            lines.append(f"Fitted model, each outcome predicted without it: "
                         f"{report.loo_error_fitted:.2f} dE00.")
        lines.append(report.message[:1].upper() + report.message[1:] + ".")
        if result["version"] is not None:
            lines.append(f"Kept as model version {result['version']}.")
        self.summary.setText("\n".join(lines))
        self.excluded.clear()
        for ident, why in result["excluded"]:
            self.excluded.addItem(f"{ident}: {why}")
        if result["png"]:
            pixmap = QPixmap()
            pixmap.loadFromData(result["png"], "PNG")
            self.plot.setPixmap(pixmap)
        else:
            self.plot.setText("No outcomes to plot yet.")
        self.use_button.setEnabled(bool(report.accepted and result["version"] is not None))

    def use_model(self) -> None:
        version = (self.fit_result or {}).get("version")
        if version is None:
            return
        self.store_of().activate_model(version)
        self.services.show_status(f"Appearance model {version} is in use for new analyses")
        self.accept()


class LearningFeature(QObject):
    """Tools > Learn from healed results…"""

    def __init__(self, services: WindowServices, store_of: Callable) -> None:
        super().__init__(services.main_widget())
        self.services, self.store_of = services, store_of
        self.dialog: LearnDialog | None = None

    def open(self) -> None:
        self.dialog = LearnDialog(self.services, self.store_of)
        self.dialog.open()
        self.dialog.start()
