"""Preferences: default formula, palette, number of matches, folders, clinic details, tethering.

The clinic details (name, address, logo) and the practitioner's name are what the PDF report's
header starts with (see :mod:`shadematch.gui.reports.report_export`).

The dialog reads :class:`~shadematch.gui.common.settings.Settings` when it opens and writes them back
only on OK. Problems (a folder that does not exist) are shown inline under the field and keep OK
disabled until fixed; nothing is written half-way.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shadematch.gui.common.settings import Settings


def default_formulas() -> dict[str, str]:
    """Formula name -> display label, from the core."""
    from shadematch.color.delta_e import FORMULA_LABELS, FORMULAS

    return {name: FORMULA_LABELS.get(name, name) for name in FORMULAS}


class _FolderField(QWidget):
    """A path line edit, a Browse button and an inline message under them."""

    changed = Signal()

    def __init__(self, placeholder: str, dialog_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.browse = QPushButton("Browse…", self)
        self.message = QLabel(self)
        self.message.setProperty("role", "inline-error")
        self.message.setWordWrap(True)
        self.message.hide()
        self._title = dialog_title
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.browse.clicked.connect(self._choose)
        self.edit.textChanged.connect(self.changed)

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self._title, self.edit.text() or
                                                  str(Path.home()))
        if folder:
            self.edit.setText(folder)

    def text(self) -> str:
        return self.edit.text().strip()

    def set_problem(self, message: str | None) -> None:
        self.message.setText(message or "")
        self.message.setVisible(bool(message))


LOGO_FILTER = "PNG or JPEG images (*.png *.jpg *.jpeg);;All files (*)"
LOGO_FORMATS = ("PNG", "JPEG")
LOGO_PREVIEW = QSize(96, 48)


def logo_problem(path: str) -> str | None:
    """Why ``path`` cannot be the clinic logo (None when it can): it must be a PNG or JPEG file
    that Pillow reads in full, as the report does."""
    from PIL import Image, UnidentifiedImageError

    file = Path(path).expanduser()
    if not file.is_file():
        return (f"{file} does not exist: choose the logo again with Choose…, or Clear it.")
    try:
        with Image.open(file) as img:
            kind = img.format or "unknown"
            img.load()
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        return (f"{file.name} could not be read as an image ({exc}): choose a PNG or JPEG "
                "file, or Clear the logo.")
    if kind not in LOGO_FORMATS:
        return f"{file.name} is a {kind} image: choose a PNG or JPEG file, or Clear the logo."
    return None


class _LogoField(QWidget):
    """The clinic logo: a small preview, the file name, Choose… and Clear, and an inline message
    when the file cannot be used."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._path = ""
        self._problem: str | None = None
        self.preview = QLabel(self)
        self.preview.setObjectName("logoPreview")
        self.preview.setFixedSize(LOGO_PREVIEW)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = QLabel(self)
        self.name.setObjectName("logoName")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose = QPushButton("Choose…", self)
        self.choose.setToolTip("A PNG or JPEG file printed at the top of reports")
        self.clear = QPushButton("Clear", self)
        self.clear.setToolTip("Reports without a logo")
        self.message = QLabel(self)
        self.message.setProperty("role", "inline-error")
        self.message.setWordWrap(True)
        self.message.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.preview)
        row.addWidget(self.name, 1)
        row.addWidget(self.choose)
        row.addWidget(self.clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.choose.clicked.connect(self._choose)
        self.clear.clicked.connect(lambda: self.set_path(""))
        self.set_path("")

    def _choose(self) -> None:
        start = str(Path(self._path).parent) if self._path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Clinic logo", start, LOGO_FILTER)
        if path:
            self.set_path(path)

    def path(self) -> str:
        """The logo file shown ("" for none)."""
        return self._path

    def problem(self) -> str | None:
        """Why the shown file cannot be the logo (None when it can, or when there is none)."""
        return self._problem

    def set_path(self, path: str) -> None:
        """Show ``path`` (its preview, or the inline message when it cannot be read)."""
        self._path = path.strip()
        self._problem = logo_problem(self._path) if self._path else None
        self.preview.clear()
        if not self._path:
            self.preview.setText("(no logo)")
            self.name.setText("none: reports start with the clinic name")
            self.name.setToolTip("")
        else:
            self.name.setText(Path(self._path).name)
            self.name.setToolTip(self._path)
            pixmap = QPixmap(self._path) if self._problem is None else QPixmap()
            if not pixmap.isNull():
                self.preview.setPixmap(pixmap.scaled(
                    LOGO_PREVIEW, Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation))
            else:
                self.preview.setText("(no preview)")
        self.clear.setEnabled(bool(self._path))
        self.message.setText(self._problem or "")
        self.message.setVisible(bool(self._problem))
        self.changed.emit()


class PreferencesDialog(QDialog):
    """Edit the practitioner's preferences.

    Parameters
    ----------
    settings : where the values are read from and written to on OK.
    palette_names : palettes to choose from (shipped and user), in display order.
    formulas : formula name -> label; default the core's formulas.
    """

    def __init__(self, settings: Settings, palette_names: list[str] | None = None,
                 formulas: dict[str, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences — shadematch")
        self.settings = settings
        formulas = formulas if formulas is not None else default_formulas()

        # --- matching ---
        self.formula_combo = QComboBox(self)
        for name, label in formulas.items():
            self.formula_combo.addItem(label, name)
        self.formula_combo.setToolTip("Delta-E formula used to rank pigments in new analyses")
        self.palette_combo = QComboBox(self)
        self.palette_combo.addItem("(the default palette)", "")
        for name in palette_names or []:
            self.palette_combo.addItem(name, name)
        self.matches_spin = QSpinBox(self)
        self.matches_spin.setRange(1, 100)
        self.matches_spin.setToolTip("How many ranked pigments the matching table shows")
        self.step_spin = QDoubleSpinBox(self)
        self.step_spin.setObjectName("firstSessionStep")
        self.step_spin.setRange(0.0, 20.0)
        self.step_spin.setSingleStep(0.5)
        self.step_spin.setDecimals(1)
        self.step_spin.setSuffix(" L*")
        self.step_spin.setToolTip("How much lighter (predicted healed L*) the session plan's "
                                  "first session is than the final shade")
        self.palette_folder = _FolderField("default: the palettes folder in shadematch's data "
                                           "folder", "Folder of your palette files", self)
        matching = QGroupBox("Matching", self)
        form = QFormLayout(matching)
        form.addRow("Default &formula:", self.formula_combo)
        form.addRow("&Palette:", self.palette_combo)
        form.addRow("&Number of matches:", self.matches_spin)
        form.addRow("First session &lighter by:", self.step_spin)
        form.addRow("&User palette folder:", self.palette_folder)

        # --- camera ---
        self.camera_folder = _FolderField("the folder your camera or tethering software saves "
                                          "to", "Camera folder", self)
        self.auto_open_box = QCheckBox("Open new photos automatically (tethered shooting)", self)
        camera = QGroupBox("Camera", self)
        form = QFormLayout(camera)
        form.addRow("&Camera folder:", self.camera_folder)
        form.addRow("", self.auto_open_box)

        # --- clinic ---
        self.clinic_name = QLineEdit(self)
        self.clinic_name.setPlaceholderText("printed at the top of reports")
        self.clinic_address = QPlainTextEdit(self)
        self.clinic_address.setPlaceholderText("street, town")
        self.clinic_address.setTabChangesFocus(True)
        self.clinic_address.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.clinic_phone = QLineEdit(self)
        self.clinic_phone.setObjectName("clinicPhone")
        self.clinic_phone.setPlaceholderText("printed on the client's aftercare page")
        self.clinic_logo = _LogoField(self)
        self.practitioner = QLineEdit(self)
        self.practitioner.setObjectName("practitionerName")
        self.practitioner.setPlaceholderText("the name the report dialog starts with")
        clinic = QGroupBox("Clinic (for reports)", self)
        form = QFormLayout(clinic)
        form.addRow("Clinic &name:", self.clinic_name)
        form.addRow("&Address:", self.clinic_address)
        form.addRow("P&hone:", self.clinic_phone)
        form.addRow("Clinic &logo:", self.clinic_logo)
        form.addRow("Prac&titioner:", self.practitioner)

        # --- records: this workstation's SQLite store, or the clinic's server ---
        records = self._records_box()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            self.restore_defaults)

        layout = QVBoxLayout(self)
        layout.addWidget(matching)
        layout.addWidget(camera)
        layout.addWidget(clinic)
        layout.addWidget(records)
        layout.addWidget(self.buttons)

        self.palette_folder.changed.connect(self._validate)
        self.camera_folder.changed.connect(self._validate)
        self.clinic_logo.changed.connect(self._validate)
        self.load()
        self.setMinimumWidth(520)

    def _records_box(self) -> QGroupBox:
        from PySide6.QtWidgets import QLabel, QRadioButton

        box = QGroupBox("Client records", self)
        form = QFormLayout(box)
        self.records_local = QRadioButton("On this workstation (built in)", box)
        self.records_server = QRadioButton("On the clinic's server (PostgreSQL)", box)
        self.records_local.setObjectName("recordsLocal")
        self.records_server.setObjectName("recordsServer")
        self.records_url = QLineEdit(box)
        self.records_url.setObjectName("recordsUrl")
        self.records_url.setPlaceholderText(
            "postgresql://shadematch@clinic-server:5432/shadematch?sslmode=verify-full")
        self.records_password = QLineEdit(box)
        self.records_password.setObjectName("recordsPassword")
        self.records_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.records_password.setPlaceholderText("kept in the platform keyring, never in a file")
        self.records_note = QLabel(box)
        self.records_note.setObjectName("recordsNote")
        self.records_note.setWordWrap(True)
        self.records_note.setStyleSheet("color: palette(mid);")
        self.records_problem = QLabel(box)
        self.records_problem.setObjectName("recordsProblem")
        self.records_problem.setWordWrap(True)
        self.records_problem.setStyleSheet("color: #c0392b;")
        self.records_problem.hide()
        form.addRow(self.records_local)
        form.addRow(self.records_server)
        form.addRow("Server &URL:", self.records_url)
        form.addRow("Pass&word:", self.records_password)
        form.addRow(self.records_note)
        form.addRow(self.records_problem)
        self.records_server.toggled.connect(self._records_mode)
        return box

    def _records_mode(self, server: bool) -> None:
        self.records_url.setEnabled(server)
        self.records_password.setEnabled(server)

    def _load_records(self) -> None:
        from shadematch.errors import ShadematchError
        from shadematch.records.server_config import ENV_URL, load_records_config

        try:
            config = load_records_config()
        except ShadematchError as exc:
            self.records_problem.setText(str(exc))
            self.records_problem.show()
            config = None
        server = config is not None and config.backend == "postgres"
        (self.records_server if server else self.records_local).setChecked(True)
        self._records_mode(server)
        self.records_url.setText(config.url if server and config.url else "")
        notes = ["A change takes effect the next time shadematch starts. Several workstations "
                 "share one server; a single workstation keeps its records built in."]
        if config is not None and config.source == "environment":
            notes.insert(0, f"{ENV_URL} is set on this computer: it is used whatever is "
                            f"chosen here.")
        if config is not None and config.password_stored:
            notes.append("A password for this server is in the keyring; leave the field empty "
                         "to keep it.")
        self.records_note.setText(" ".join(notes))
        self._records_loaded = (self.records_server.isChecked(), self.records_url.text())

    def save_records(self) -> bool:
        """Write the records setting when it changed; False (and the reason shown) if refused."""
        from shadematch.errors import ShadematchError
        from shadematch.records.server_config import save_records_config

        server = self.records_server.isChecked()
        url = self.records_url.text().strip() if server else None
        password = self.records_password.text() or None
        if (server, url or "") == getattr(self, "_records_loaded", (None, None)) and not password:
            return True
        if server and not url:
            self.records_problem.setText("Give the server's URL, e.g. "
                                         "postgresql://shadematch@clinic-server:5432/shadematch.")
            self.records_problem.show()
            return False
        try:
            save_records_config(url, password=password if server else None)
        except ShadematchError as exc:
            self.records_problem.setText(str(exc))
            self.records_problem.show()
            return False
        self.records_problem.hide()
        return True

    # --- values ------------------------------------------------------------------------------
    def load(self) -> None:
        """Show the stored settings."""
        s = self.settings
        self._select(self.formula_combo, s.default_formula)
        if s.palette and self.palette_combo.findData(s.palette) < 0:
            self.palette_combo.addItem(f"{s.palette} (not found)", s.palette)
        self._select(self.palette_combo, s.palette)
        self.matches_spin.setValue(s.number_of_matches)
        self.step_spin.setValue(s.first_session_step)
        self.palette_folder.edit.setText(s.user_palette_folder)
        self.camera_folder.edit.setText(s.camera_folder)
        self.auto_open_box.setChecked(s.auto_open_newest)
        self.clinic_name.setText(s.clinic_name)
        self.clinic_address.setPlainText(s.clinic_address)
        self.clinic_phone.setText(s.clinic_phone)
        self.clinic_logo.set_path(s.clinic_logo)
        self.practitioner.setText(s.practitioner)
        self._load_records()
        self._validate()

    def restore_defaults(self) -> None:
        """Put every field back to its declared default (written only on OK)."""
        opts = Settings.options()
        self._select(self.formula_combo, opts["default_formula"].default)
        self._select(self.palette_combo, opts["palette"].default)
        self.matches_spin.setValue(opts["number_of_matches"].default)
        self.step_spin.setValue(opts["first_session_step"].default)
        self.palette_folder.edit.setText(opts["user_palette_folder"].default)
        self.camera_folder.edit.setText(opts["camera_folder"].default)
        self.auto_open_box.setChecked(opts["auto_open_newest"].default)
        # clinic details, logo and practitioner are the user's own data, never "defaults": left
        # as typed

    def values(self) -> dict[str, object]:
        """The values shown, by settings attribute name."""
        return {
            "default_formula": self.formula_combo.currentData(),
            "palette": self.palette_combo.currentData() or "",
            "number_of_matches": self.matches_spin.value(),
            "first_session_step": float(self.step_spin.value()),
            "user_palette_folder": self.palette_folder.text(),
            "camera_folder": self.camera_folder.text(),
            "auto_open_newest": self.auto_open_box.isChecked(),
            "clinic_name": self.clinic_name.text().strip(),
            "clinic_address": self.clinic_address.toPlainText().strip(),
            "clinic_phone": self.clinic_phone.text().strip(),
            "clinic_logo": self.clinic_logo.path(),
            "practitioner": self.practitioner.text().strip(),
        }

    def problems(self) -> dict[str, str]:
        """Field name -> what is wrong and what to do (empty when everything can be saved)."""
        found = {}
        for name, field in (("user_palette_folder", self.palette_folder),
                            ("camera_folder", self.camera_folder)):
            text = field.text()
            if text and not Path(text).expanduser().is_dir():
                found[name] = (f"{text} is not an existing folder: choose one with Browse…, or "
                               "clear the field.")
        logo = self.clinic_logo.problem()
        if logo:
            found["clinic_logo"] = logo
        return found

    def _validate(self) -> None:
        problems = self.problems()
        self.palette_folder.set_problem(problems.get("user_palette_folder"))
        self.camera_folder.set_problem(problems.get("camera_folder"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)

    def accept(self) -> None:
        if self.problems():
            self._validate()
            return
        if not self.save_records():
            return
        for name, value in self.values().items():
            setattr(self.settings, name, value)
        self.settings.sync()
        super().accept()

    @staticmethod
    def _select(combo: QComboBox, data: str) -> None:
        index = combo.findData(data, Qt.ItemDataRole.UserRole)
        combo.setCurrentIndex(max(index, 0))
