"""File > Export report... (Ctrl+E): the PDF shade report of the current analysis.

The dialog asks for the client's and practitioner's names, which copy (the client's in plain words,
the practitioner's, or both: the default), whether to add the aftercare page, and
the file (asking before replacing one). The clinic's name, address and logo come from
Preferences, and so does the practitioner's name the dialog starts with. A logo file that has gone
missing is left out (the status bar says so); the report is still written. The
PDF is built off the GUI thread by :func:`shadematch.reporting.build_report` on the window's
:class:`~shadematch.gui.common.workers.TaskRunner`.

Reports are suggested in "shadematch reports" in the user's documents
(:func:`shadematch.resources.reports_dir`), not the camera folder. Names no shipped font can print
are named in the dialog before export. After an export, "Open report" (above the photo, and File >
Open last report) opens the PDF in the system viewer.

Installed by :func:`shadematch.gui.shell.composition.compose` with the window services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shadematch.gui.common.services import WindowServices

log = logging.getLogger(__name__)

PDF_FILTER = "PDF documents (*.pdf)"
# (label, copy given to shadematch.reporting.build_reports), in the order offered.
COPY_CHOICES = (("Both: the client's and the practitioner's", "both"),
                ("The client's copy (plain words)", "client"),
                ("The practitioner's copy (all measurements)", "practitioner"))


_app_fonts_added = False


def add_report_fonts_to_qt() -> None:
    """Let Qt draw the scripts the report prints (e.g. Devanagari) in the dialog's fields too."""
    global _app_fonts_added
    if _app_fonts_added:
        return
    _app_fonts_added = True
    from shadematch.resources import assets_dir

    for name in ("NotoSansDevanagari-Regular.ttf",):
        if QFontDatabase.addApplicationFont(str(assets_dir() / "fonts" / name)) < 0:
            log.info("Qt could not load the report font %s", name)


class ReportDialog(QDialog):
    """Client, practitioner, aftercare page and file of one report (holds no state that matters)."""

    def __init__(self, parent: QWidget | None, path: str, client: str = "",
                 practitioner: str = "", aftercare: bool = True,
                 other_text: str = "", copy: str = "both") -> None:
        super().__init__(parent)
        add_report_fonts_to_qt()
        self.other_text = other_text    # clinic details and notes: printed too
        self.setWindowTitle("Export shade report")
        self.setObjectName("reportDialog")
        self.client = QLineEdit(client, self)
        self.client.setObjectName("reportClient")
        self.client.setPlaceholderText("printed at the top of the report")
        self.practitioner = QLineEdit(practitioner, self)
        self.practitioner.setObjectName("reportPractitioner")
        self.visit = QLineEdit(self)
        self.visit.setObjectName("reportVisit")
        self.visit.setPlaceholderText("e.g. Session 2, Touch-up (practitioner's copy)")
        self.batch = QLineEdit(self)
        self.batch.setObjectName("reportBatch")
        self.batch.setPlaceholderText("pigment batch or lot (practitioner's copy)")
        self.copy = QComboBox(self)
        self.copy.setObjectName("reportCopy")
        for label, value in COPY_CHOICES:
            self.copy.addItem(label, value)
        self.copy.setCurrentIndex(max(0, self.copy.findData(copy)))
        self.copy.setToolTip("Both are written beside each other as \"… client.pdf\" and "
                             "\"… practitioner.pdf\"")
        self.aftercare = QCheckBox("Add the client's aftercare page", self)
        self.aftercare.setChecked(aftercare)
        self.path = QLineEdit(path, self)
        self.path.setObjectName("reportPath")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&Client:", self.client)
        form.addRow("&Practitioner:", self.practitioner)
        form.addRow("&Visit:", self.visit)
        form.addRow("&Batch:", self.batch)
        form.addRow("C&opy:", self.copy)
        form.addRow("", self.aftercare)
        # A row given a layout gets no buddy, so its "&" would show literally: label it ourselves.
        file_label = QLabel("&File:", self)
        file_label.setBuddy(self.path)
        form.addRow(file_label, file_row)
        self.font_note = QLabel(self)
        self.font_note.setObjectName("reportFontNote")
        self.font_note.setWordWrap(True)
        self.font_note.setStyleSheet("color: rgb(200, 120, 0);")
        form.addRow("", self.font_note)
        self.client.textChanged.connect(self._check_fonts)
        self.practitioner.textChanged.connect(self._check_fonts)
        self._check_fonts()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.button(QDialogButtonBox.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def unprintable(self) -> list[str]:
        """Characters of what will be printed that no font can draw (they would print as "?")."""
        from shadematch.reporting.text import unprintable

        return unprintable("\n".join((self.client.text(), self.practitioner.text(),
                                       self.other_text)))

    def _check_fonts(self) -> None:
        chars = self.unprintable()
        self.font_note.setText(
            "No font can print " + " ".join(chars) + ": they will show as \"?\" in the report. "
            "Write the name in Latin letters, or export as it is." if chars else "")
        self.font_note.setVisible(bool(chars))

    def _browse(self) -> None:
        # Overwrite is confirmed by the exporter (the same question whichever way the name came).
        path, _ = QFileDialog.getSaveFileName(self, "Export report", self.path.text(), PDF_FILTER,
                                              options=QFileDialog.DontConfirmOverwrite)
        if path:
            self.path.setText(path)


class ReportExporter(QObject):
    """Adds File > Export report... (Ctrl+E) to a main window and runs the export off the GUI thread.

    Parameters
    ----------
    services : the window services (workspace, runner, settings, actions, status bar).
    client_name : the name of the client selected elsewhere (the Clients panel), offered in the
        dialog; the composition connects it.
    """

    exported = Signal(str)          # path of the written report
    failed = Signal(str)            # the message shown

    def __init__(self, services: WindowServices,
                 client_name: Callable[[], str] | None = None) -> None:
        super().__init__(services.main_widget())
        self.services = services
        self.workspace = services.workspace
        self.client_name = client_name or (lambda: "")
        self.client = ""
        self.practitioner = ""
        self.aftercare = True
        self.last_folder = ""
        self.copy = "both"
        self.visit = self.batch = ""        # this export's visit and pigment batch
        self.last_reports: list[str] = []   # the files of the last export (none before one)
        self._note = ""                 # what the status bar adds (a clinic logo left out)
        self.action = services.actions.bind("export_report", self.export)
        self.open_action = services.actions.bind("open_report", self.open_report)
        self.open_action.setEnabled(False)

    # -- the slot -----------------------------------------------------------------------------
    def _suggested_path(self) -> str:
        ws = self.workspace
        stem = Path(ws.photo.path).stem if ws.photo is not None else "shade-report"
        name = f"{stem} report.pdf"
        folder = self.last_folder
        if not folder:
            from shadematch.resources import reports_dir

            # The documents' reports folder, never the camera folder of the photo.
            try:
                folder = str(reports_dir(create=True))
            except OSError:
                folder = str(Path.home())
        return str(Path(folder) / name)

    def export(self) -> None:
        """File > Export report...: ask, confirm replacing, then build the PDF in the background."""
        problem = self.not_ready_reason()
        if problem:
            self._status(problem)
            return
        dialog = ReportDialog(self.services.main_widget(), self._suggested_path(),
                              self.selected_client_name() or self.client,
                              self.practitioner or self._setting("practitioner"), self.aftercare,
                              other_text=self._printed_text(), copy=self.copy)
        if dialog.exec() != QDialog.Accepted:
            return
        self.client = dialog.client.text().strip()
        self.practitioner = dialog.practitioner.text().strip()
        self.aftercare = dialog.aftercare.isChecked()
        self.copy = dialog.copy.currentData()
        self.visit, self.batch = dialog.visit.text().strip(), dialog.batch.text().strip()
        path = dialog.path.text().strip()
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        from shadematch.reporting import copy_paths

        overwrite = False
        existing = [p for p in copy_paths(Path(path), self.copy).values() if p.exists()]
        if existing:
            names = " and ".join(p.name for p in existing)
            answer = QMessageBox.question(
                self.services.main_widget(), "Replace the report?",
                f"{names} already exist{'s' if len(existing) == 1 else ''} in "
                f"{existing[0].parent}.\nReplace with this report?",
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return
            overwrite = True
        self.export_to(path, self.options(), overwrite=overwrite, copy=self.copy)

    def _printed_text(self) -> str:
        """What the report prints besides the two names: clinic details and the notes."""
        notes = str(getattr(self.workspace, "notes", "") or "")
        return "\n".join((self._setting("clinic_name"), self._setting("clinic_address"), notes))

    def open_report(self) -> None:
        """Open the last report(s) written in the system's PDF viewer."""
        files = [f for f in self.last_reports if Path(f).is_file()]
        if not files:
            self._status("No report to open: export one first (File > Export report…)")
            return
        for file in files:
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(file)):
                self._status(f"Could not open {file}: open it from its folder")

    def selected_client_name(self) -> str:
        """The name of the client selected in the Clients panel ("" when none is)."""
        return self.client_name()

    def not_ready_reason(self) -> str:
        """Why a report cannot be made right now ("" when it can): the workspace's rule."""
        return self.workspace.report_problem()

    def _setting(self, name: str) -> str:
        """The text preference ``name`` ("" when the window has no settings or it is unset)."""
        settings = self.services.settings
        return str(getattr(settings, name) or "").strip() if settings is not None else ""

    def missing_logo(self) -> str:
        """The clinic logo chosen in Preferences when its file no longer exists ("" otherwise)."""
        logo = self._setting("clinic_logo")
        return logo if logo and not Path(logo).expanduser().is_file() else ""

    def options(self):
        """The report options: names from the dialog, clinic details from Preferences (the logo
        only when its file exists)."""
        from shadematch.reporting import ReportOptions

        logo = self._setting("clinic_logo")
        top = self.workspace.top
        return ReportOptions(
            client_name=self.client, practitioner=self.practitioner,
            clinic_name=self._setting("clinic_name"),
            clinic_address=self._setting("clinic_address"),
            clinic_phone=self._setting("clinic_phone"), visit=self.visit, batch=self.batch,
            clinic_logo=Path(logo).expanduser() if logo and not self.missing_logo() else None,
            aftercare=self.aftercare, top=int(top) if top else None)

    def export_to(self, path: str | Path, options, overwrite: bool = False,
                  copy: str = "practitioner"):
        """Build the ``copy`` ("client", "practitioner" or "both") of the report of the current
        analysis into ``path`` off the GUI thread.

        Returns the runner's job (``None`` when nothing could be started).
        """
        from shadematch.reporting import build_reports

        ws = self.workspace
        ws.end_edit()
        record = ws.to_dict()
        path = Path(path)
        self.last_folder = str(path.parent)
        missing = self.missing_logo() if options.clinic_logo is None else ""
        self._note = (f" (without the clinic logo: {missing} was not found; choose it again in "
                      "Preferences)") if missing else ""
        self._status(f"Writing {path.name}{self._note}…", 0)
        return self.services.runner.submit(
            build_reports, channel="report", analysis=record,
            photo_rgb=ws.photo.rgb if ws.photo is not None else None,
            out_path=path, options=options, copy=copy, overwrite=overwrite,
            on_done=self._done, on_progress=self._progress,
            title="Exporting the report", on_failure=lambda exc: self.failed.emit(str(exc)))

    # -- results (GUI thread) -----------------------------------------------------------------
    def _progress(self, fraction: float, message: str) -> None:
        self._status(f"Report: {message} ({fraction * 100:.0f} %)", 0)

    def _done(self, written: list[Path]) -> None:
        self.last_reports = [str(w) for w in written]
        self.open_action.setEnabled(True)
        names = " and ".join(Path(w).name for w in written)
        self._status(f"Report written: {names} in {Path(written[0]).parent}{self._note}", 8000)
        self.services.show_message(f"Report written: {names}",
                                   (("Open report", self.open_report),))
        for w in written:
            self.exported.emit(str(w))

    def _status(self, text: str, msecs: int = 4000) -> None:
        self.services.show_status(text, msecs)
