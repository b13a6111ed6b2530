"""Your own pigments in the GUI: print a swatch card, read its photo into a palette, import a
palette file (.csv or .json) with the same validation messages as the command line.

Thin views over :mod:`shadematch.swatch_cards` and :mod:`shadematch.palettes`; reading, fitting
and writing run off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from shadematch.errors import ShadematchError
from shadematch.gui.common.workers import TaskRunner

DEFAULT_DILUTIONS = "neat,2:1,4:1,6:1,8:1,12:1,20:1"


def print_card_job(path, card_title, pigments, dilutions, progress=None, cancelled=None):
    from shadematch.reporting.swatch_card_pdf import write_card
    from shadematch.swatch_cards import CardLayout, parse_dilution

    layout = CardLayout(card_title, tuple(pigments), tuple(parse_dilution(d) for d in dilutions))
    return write_card(layout, path)


def read_card_job(photo_path, layout_path, name, progress=None, cancelled=None):
    """Load, calibrate with the chart (found automatically), read and fit: (reading, doc, fits,
    calibration)."""
    from shadematch import calibration as cal
    from shadematch.imaging import load_photo
    from shadematch.palettes.file_format import palette_from_dict
    from shadematch.swatch_cards import palette_document, read_card, read_layout

    layout = read_layout(layout_path)
    if progress:
        progress(0.1, "Opening the photo")
    photo = load_photo(Path(photo_path))
    if progress:
        progress(0.3, "Looking for the ColorChecker")
    corners = cal.detect_chart(photo.rgb)
    calibration = cal.calibrate_from_chart(photo.rgb, corners, photo_sha256=photo.sha256)
    if progress:
        progress(0.6, "Measuring the cells")
    reading = read_card(photo.rgb, layout, calibration, cancelled=cancelled)
    document, fits = palette_document(reading, name)
    palette_from_dict(document, label=name)
    return reading, document, fits, calibration


def save_palette_job(document, name, overwrite=False, progress=None, cancelled=None):
    """Write the palette to a temporary file and import it into the user's folder."""
    import json
    import tempfile

    from shadematch.palettes import import_into_user_folder

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "palette.json"
        path.write_text(json.dumps({**document, "name": name}), encoding="utf-8")
        return import_into_user_folder(path, name, overwrite=overwrite)


def import_file_job(path, name=None, progress=None, cancelled=None):
    from shadematch.palettes import import_into_user_folder

    return import_into_user_folder(path, name)


class PrintCardDialog(QDialog):
    """Choose pigments and dilutions and save the printable card (PDF, and its layout)."""

    def __init__(self, runner: TaskRunner | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Print a swatch card")
        self.runner = runner or TaskRunner(self)
        self.pigments = QPlainTextEdit(self)
        self.pigments.setPlaceholderText("One pigment per line, e.g.\nCarbon Black\nWarm Black")
        self.dilutions = QLineEdit(DEFAULT_DILUTIONS, self)
        self.title = QLineEdit(self)
        self.title.setPlaceholderText("Printed at the top, e.g. the clinic and the date")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Pigments", self.pigments)
        form.addRow("Dilutions (water:pigment)", self.dilutions)
        form.addRow("Title", self.title)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        self.save_button = buttons.addButton("Save card PDF...", QDialogButtonBox.AcceptRole)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self._choose_path)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Paint each cell with its dilution, leave the last cell of every "
                                "row blank, photograph the card beside a ColorChecker, then use "
                                "Palettes > Read swatch card.", self, wordWrap=True))
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.written = None

    def values(self) -> tuple[list[str], list[str]]:
        pigments = [p.strip() for p in self.pigments.toPlainText().splitlines() if p.strip()]
        dilutions = [d.strip() for d in self.dilutions.text().split(",") if d.strip()]
        return pigments, dilutions

    def _choose_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save swatch card", "swatch-card.pdf",
                                              "PDF (*.pdf)")
        if path:
            self.save_to(path)

    def save_to(self, path: str):
        pigments, dilutions = self.values()
        self.message.setText("Writing the card...")
        return self.runner.submit(print_card_job, channel="print-card", path=path,
                                  card_title=self.title.text().strip(), pigments=pigments,
                                  dilutions=dilutions, title="Writing the swatch card",
                                  on_done=self._written,
                                  on_expected=lambda exc: self.message.setText(str(exc)))

    def _written(self, paths) -> None:
        self.written = paths
        pdf, layout = paths
        self.message.setText(f"Card written to {pdf}; its layout to {layout.name} (keep it: "
                             f"reading the photo needs it). Print at 100 %.")


class ReadCardDialog(QDialog):
    """Read a photo of a painted card: every cell's reading, the fits, then save the palette."""

    COLUMNS = ("Cell", "Pigment", "Dilution", "Colour", "L*", "a*", "b*", "Spread", "Note")

    def __init__(self, runner: TaskRunner | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Read a swatch card")
        self.resize(860, 620)
        self.runner = runner or TaskRunner(self)
        self.photo = QLineEdit(self)
        self.layout_file = QLineEdit(self)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("The new palette's name, e.g. my-pigments-2026")
        pick_photo = QPushButton("Choose...", self)
        pick_photo.clicked.connect(self._pick_photo)
        pick_layout = QPushButton("Choose...", self)
        pick_layout.clicked.connect(self._pick_layout)
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.photo, 1)
        row.addWidget(pick_photo)
        form.addRow("Photo of the card", row)
        row = QHBoxLayout()
        row.addWidget(self.layout_file, 1)
        row.addWidget(pick_layout)
        form.addRow("Card layout (.layout.json)", row)
        form.addRow("Palette name", self.name)
        self.read_button = QPushButton("Read the card", self)
        self.read_button.clicked.connect(self.read)
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.save_button = QPushButton("Save to my palettes", self)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.read_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self.result = None
        self.saved = None

    def _pick_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Photo of the swatch card", "",
                                              "Photos (*.jpg *.jpeg *.png *.tif *.tiff *.heic "
                                              "*.dng *.cr2 *.nef *.arw)")
        if path:
            self.photo.setText(path)
            guesses = sorted(Path(path).parent.glob("*.layout.json"))
            if len(guesses) == 1 and not self.layout_file.text():
                self.layout_file.setText(str(guesses[0]))

    def _pick_layout(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "The card's layout", "",
                                              "Card layout (*.layout.json)")
        if path:
            self.layout_file.setText(path)

    def read(self):
        missing = [what for what, field in (("the photo", self.photo),
                                            ("the card's layout file", self.layout_file),
                                            ("a palette name", self.name))
                   if not field.text().strip()]
        if missing:
            self.summary.setText("Give " + ", ".join(missing) + ".")
            return None
        self.summary.setText("Reading the card...")
        self.save_button.setEnabled(False)
        return self.runner.submit(read_card_job, channel="read-card",
                                  photo_path=self.photo.text().strip(),
                                  layout_path=self.layout_file.text().strip(),
                                  name=self.name.text().strip(), title="Reading the swatch card",
                                  on_done=self._read, on_progress=lambda f, m: self.summary.setText(m),
                                  on_expected=lambda exc: self.summary.setText(str(exc)))

    def _read(self, result) -> None:
        from shadematch.color.conversion import Lab_to_sRGB
        from shadematch.swatch_cards.layout import dilution_text

        self.result = result
        reading, _document, fits, calibration = result
        self.table.setRowCount(len(reading.cells))
        for row, c in enumerate(reading.cells):
            rgb, _ = Lab_to_sRGB(c.Lab)
            swatch = QTableWidgetItem("")
            swatch.setBackground(QColor.fromRgbF(*[min(max(float(v), 0.0), 1.0) for v in rgb]))
            dilution = ("blank card" if c.cell.column is None
                        else dilution_text(*reading.layout.dilutions[c.cell.column]))
            values = (str(c.cell.number), reading.layout.pigments[c.cell.row], dilution, None,
                      f"{c.Lab[0]:.1f}", f"{c.Lab[1]:.1f}", f"{c.Lab[2]:.1f}",
                      f"{c.spread_de00:.1f}", "; ".join(c.warnings))
            for column, text in enumerate(values):
                item = swatch if text is None else QTableWidgetItem(text)
                if column in (0, 4, 5, 6, 7):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, column, item)
        lines = [f"Calibrated with the ColorChecker ({calibration.model}, mean "
                 f"{calibration.to_dict().get('mean_delta_e', float('nan')):.2f} dE00)."]
        for f in fits:
            lines.append(f"{f.name}: {f.undertone()}; optics fitted to {f.cells_used} cells "
                         f"within {f.mean_de00:.2f} dE00 (max {f.max_de00:.2f})."
                         + "".join(f" {w}" for w in f.warnings))
        self.summary.setText("\n".join(lines))
        self.save_button.setEnabled(True)

    def save(self, overwrite: bool = False):
        if self.result is None:
            return None
        _reading, document, _fits, _cal = self.result
        name = self.name.text().strip()
        return self.runner.submit(save_palette_job, channel="save-card-palette",
                                  document=document, name=name, overwrite=overwrite,
                                  title="Saving the palette", on_done=self._saved,
                                  on_expected=self._save_failed)

    def _save_failed(self, exc: ShadematchError) -> None:
        from shadematch.palettes.writer import PaletteNameTakenError

        if isinstance(exc, PaletteNameTakenError):
            name, ok = QInputDialog.getText(self, "Palette name taken", f"{exc}\n\nSave as:",
                                            text=exc.suggestion)
            if ok and name.strip():
                self.name.setText(name.strip())
                self.save()
            return
        self.summary.setText(str(exc))

    def _saved(self, palette) -> None:
        self.saved = palette
        self.summary.setText(f"Saved palette '{palette.name}' ({len(palette.entries)} colours) "
                             f"to your palettes: choose it in the matching panel.")


def import_palette_file(parent, runner: TaskRunner, path: str | None = None,
                        on_done=None):
    """Import a .csv/.json palette into the user's folder (asking for a file when ``path`` is
    None); a taken name asks for another, suggesting a free one."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "Import a palette", "",
                                              "Palettes (*.csv *.json)")
        if not path:
            return None

    def failed(exc: ShadematchError, name=None) -> None:
        from shadematch.palettes.writer import PaletteNameTakenError

        if isinstance(exc, PaletteNameTakenError):
            new, ok = QInputDialog.getText(parent, "Palette name taken", f"{exc}\n\nImport as:",
                                           text=exc.suggestion)
            if ok and new.strip():
                submit(new.strip())
            return
        QMessageBox.warning(parent, "Palette not imported", str(exc))

    def done(palette) -> None:
        QMessageBox.information(parent, "Palette imported",
                                f"Imported '{palette.name}' ({len(palette.entries)} colours).")
        if on_done is not None:
            on_done(palette)

    def submit(name=None):
        return runner.submit(import_file_job, channel="import-palette", path=path, name=name,
                             title="Importing the palette", on_done=done, on_expected=failed)

    return submit()
