"""Measuring the regions off the GUI thread: live estimates while a region is drawn or dragged, the
full-precision measurement once the edit ends (the workspace drops stale results)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from shadematch.gui.common.services import WindowServices

QUICK_INTERVAL_MS = 80       # live estimates while drawing: at most ~12 per second


class Measuring(QObject):
    """Runs :meth:`Workspace.measurement_task` on the runner whenever the regions change.

    ``after_edit`` is called after a finished (not transient) region edit (the session actions
    autosave it). ``label`` says "Estimating…" / "Measuring…" in the status bar.
    """

    def __init__(self, services: WindowServices, after_edit: Callable[[], None]) -> None:
        super().__init__(services.main_widget())
        self.services = services
        self.workspace = services.workspace
        self._after_edit = after_edit
        self._quick_job = None
        self._quick_pending = False
        self.label = QLabel()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(QUICK_INTERVAL_MS)
        self._timer.timeout.connect(self._submit_quick)
        self.workspace.events.regions_changed.connect(self._on_regions_changed)

    def stop(self) -> None:
        """No more live estimates (the window closes)."""
        self._timer.stop()

    def _on_regions_changed(self, transient: bool) -> None:
        if self.workspace.photo is None:
            return
        if transient:
            self._quick_pending = True
            if not self._timer.isActive():
                self._timer.start()
            return
        self._quick_pending = False
        self._timer.stop()
        self._submit(quick=False)
        self._after_edit()

    def _submit_quick(self) -> None:
        if self._quick_job is not None and not self._quick_job.finished.is_set():
            self._timer.start()  # still busy: try again shortly
            return
        if self._quick_pending:
            self._quick_pending = False
            self._submit(quick=True)

    def _submit(self, quick: bool) -> None:
        fn, kwargs, version = self.workspace.measurement_task(quick)
        self.label.setText("Estimating…" if quick else "Measuring…")
        job = self.services.runner.submit(
            fn, channel="measure",
            on_done=lambda result: self._measured(result, version, quick),
            title="Measuring the regions", on_failure=lambda _exc: self.label.setText(""),
            on_expected=lambda exc: self.services.show_status(str(exc), 8000), **kwargs)
        self._quick_job = job if quick else None

    def _measured(self, result, version: int, quick: bool) -> None:
        self.workspace.apply_measurement(result, version, quick)
        if self.workspace.measurement_current or quick:
            self.label.setText("" if not quick else "Estimate")
