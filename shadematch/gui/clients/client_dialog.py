"""Dialogs of the client records: a client's details, screening and consent; saving a visit.

Dialogs only collect input: they hold no store and do no I/O. The clients view reads
:meth:`ClientDialog.details`, :meth:`ClientDialog.screening_answers` and
:attr:`ClientDialog.consent_now` after ``accepted`` and runs the store calls off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shadematch.gui.common.theme import ERROR_COLOUR
from shadematch.records.models import SCREENING_ITEMS
from shadematch.vocabulary import split_shade_name

PATTERNS = ["", *(f"Norwood {n}" for n in ("1", "2", "2A", "3", "3 vertex", "3A", "4", "4A",
                                           "5", "5A", "6", "7")),
            *(f"Ludwig {n}" for n in ("I", "II", "III")), "Diffuse thinning", "Alopecia areata",
            "Scar camouflage only"]
FLAG_STYLE = f"color: {ERROR_COLOUR.name()}; font-weight: bold;"
_ANSWERS = (("", "—"), ("yes", "Yes"), ("no", "No"))


class ScreeningRow:
    """One screening item: — / Yes / No, a note; the label turns red on "Yes"."""

    def __init__(self, key: str, grid: QGridLayout, row: int, parent: QWidget) -> None:
        self.key = key
        self.label = QLabel(SCREENING_ITEMS[key], parent)
        self.label.setWordWrap(True)
        self.group = QButtonGroup(parent)
        self.buttons: dict[str, QRadioButton] = {}
        grid.addWidget(self.label, row, 0)
        for column, (value, text) in enumerate(_ANSWERS, start=1):
            button = QRadioButton(text, parent)
            button.setObjectName(f"screen_{key}_{value or 'unset'}")
            self.group.addButton(button)
            self.buttons[value] = button
            grid.addWidget(button, row, column)
        self.buttons[""].setChecked(True)
        self.note = QLineEdit(parent)
        self.note.setObjectName(f"screen_{key}_note")
        self.note.setPlaceholderText("note")
        grid.addWidget(self.note, row, 4)
        self.group.buttonToggled.connect(lambda *_: self._restyle())

    def set(self, item: dict | None) -> None:
        item = item or {}
        self.buttons[item.get("answer") or ""].setChecked(True)
        self.note.setText(item.get("note") or "")
        self._restyle()

    def answer(self) -> str | None:
        for value, button in self.buttons.items():
            if button.isChecked():
                return value or None
        return None

    def flagged(self) -> bool:
        return self.answer() == "yes"

    def _restyle(self) -> None:
        self.label.setStyleSheet(FLAG_STYLE if self.flagged() else "")


class ClientDialog(QDialog):
    """A client's details, consultation screening and consent.

    Parameters
    ----------
    client : a :class:`shadematch.records.Client` to edit, or None for a new client.
    """

    def __init__(self, parent: QWidget | None = None, client=None) -> None:
        super().__init__(parent)
        self.setObjectName("clientDialog")
        self.setWindowTitle("New client" if client is None else f"Client — {client.name}")
        self.client = client
        self.name = QLineEdit(self)
        self.name.setObjectName("clientName")
        self.dob = QLineEdit(self)
        self.dob.setObjectName("clientDob")
        self.dob.setPlaceholderText("YYYY-MM-DD")
        self.contact = QLineEdit(self)
        self.contact.setObjectName("clientContact")
        self.pattern = QComboBox(self)
        self.pattern.setObjectName("clientPattern")
        self.pattern.setEditable(True)
        self.pattern.addItems(PATTERNS)
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("clientNotes")
        self.notes.setFixedHeight(60)
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Date of birth:", self.dob)
        form.addRow("C&ontact:", self.contact)
        form.addRow("&Hair loss:", self.pattern)
        form.addRow("N&otes:", self.notes)

        screening = QGroupBox("Consultation screening", self)
        self.screening_box = screening
        grid = QGridLayout(screening)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(4, 2)
        self.rows = {key: ScreeningRow(key, grid, row, screening)
                     for row, key in enumerate(SCREENING_ITEMS)}
        allergy_row = len(SCREENING_ITEMS)
        self.patch_date = QLineEdit(screening)
        self.patch_date.setObjectName("patchTestDate")
        self.patch_date.setPlaceholderText("patch test date YYYY-MM-DD")
        self.patch_result = QLineEdit(screening)
        self.patch_result.setObjectName("patchTestResult")
        self.patch_result.setPlaceholderText("patch test result")
        patch = QHBoxLayout()
        patch.addWidget(self.patch_date)
        patch.addWidget(self.patch_result)
        grid.addWidget(QLabel("Pigment patch test", screening), allergy_row, 0)
        grid.addLayout(patch, allergy_row, 1, 1, 4)
        self.recorded = QLabel("", screening)
        self.recorded.setObjectName("screeningRecorded")
        grid.addWidget(self.recorded, allergy_row + 1, 0, 1, 5)

        consent_box = QGroupBox("Consent", self)
        consent_layout = QHBoxLayout(consent_box)
        self.consent_label = QLabel("Consent: not recorded", consent_box)
        self.consent_label.setObjectName("consentLabel")
        self.consent_check = QCheckBox("Record consent now", consent_box)
        self.consent_check.setObjectName("consentNow")
        consent_layout.addWidget(self.consent_label, 1)
        consent_layout.addWidget(self.consent_check)

        self.problem = QLabel("", self)
        self.problem.setObjectName("clientDialogProblem")
        self.problem.setStyleSheet(FLAG_STYLE)
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel, self)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

        body = QWidget(self)
        inner = QVBoxLayout(body)
        inner.addLayout(form)
        inner.addWidget(screening)
        inner.addWidget(consent_box)
        scroll = QScrollArea(self)
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(760, 720)
        if client is not None:
            self._fill(client)

    def _fill(self, client) -> None:
        self.name.setText(client.name)
        self.dob.setText(client.dob or "")
        self.contact.setText(client.contact or "")
        self.pattern.setCurrentText(client.hair_loss_pattern or "")
        self.notes.setPlainText(client.notes or "")
        answers = client.screening.answers if client.screening else {}
        for key, row in self.rows.items():
            row.set(answers.get(key))
        allergy = answers.get("pigment_allergy") or {}
        self.patch_date.setText(allergy.get("patch_test_date") or "")
        self.patch_result.setText(allergy.get("patch_test_result") or "")
        if client.screening:
            self.recorded.setText(f"Last recorded {client.screening.recorded_at[:16]}")
        if client.consent_at:
            self.consent_label.setText(f"Consent given {client.consent_at[:16].replace('T', ' ')}"
                                       f" UTC")
        else:
            self.consent_label.setStyleSheet(FLAG_STYLE)

    def _accept(self) -> None:
        # Only what the user can fix on the spot; the store validates everything again.
        from shadematch.errors import RecordsError
        from shadematch.records.models import parse_date

        if not self.name.text().strip():
            self.problem.setText("Enter the client's name.")
            self.name.setFocus()
            return
        for field, what in ((self.dob, "date of birth"), (self.patch_date, "patch test date")):
            if field.text().strip():
                try:
                    parse_date(field.text(), what)
                except RecordsError as exc:
                    self.problem.setText(str(exc))
                    field.setFocus()
                    return
        self.accept()

    def details(self) -> dict:
        """``name, dob, contact, hair_loss_pattern, notes`` as typed (blank -> None)."""
        def text(value: str) -> str | None:
            return value.strip() or None

        return {"name": self.name.text().strip(), "dob": text(self.dob.text()),
                "contact": text(self.contact.text()),
                "hair_loss_pattern": text(self.pattern.currentText()),
                "notes": text(self.notes.toPlainText())}

    def screening_answers(self) -> dict:
        """The screening as :meth:`RecordStore.set_screening` takes it."""
        answers = {}
        for key, row in self.rows.items():
            answers[key] = {"answer": row.answer(), "note": row.note.text().strip()}
        answers["pigment_allergy"]["patch_test_date"] = self.patch_date.text().strip() or None
        answers["pigment_allergy"]["patch_test_result"] = self.patch_result.text().strip()
        return answers

    @property
    def consent_now(self) -> bool:
        return self.consent_check.isChecked()

    def flagged(self) -> list[str]:
        return [key for key, row in self.rows.items() if row.flagged()]


VISIT_KINDS = (("consultation", "Consultation"), ("session", "Session (next number)"),
               ("touch-up", "Touch-up"))


class SaveVisitDialog(QDialog):
    """Save the current analysis as a visit of a client: kind, session number, batch, notes."""

    def __init__(self, parent: QWidget | None, client, pick: dict | None,
                 next_session: int = 1) -> None:
        super().__init__(parent)
        self.setObjectName("saveVisitDialog")
        self.setWindowTitle(f"Save to client — {client.name}")
        flags = client.flag_labels()
        header = QLabel(f"<b>{client.name}</b>" + (f" (born {client.dob})" if client.dob else ""),
                        self)
        self.flags = QLabel("⚠ " + "; ".join(flags) if flags else "", self)
        self.flags.setObjectName("saveVisitFlags")
        self.flags.setStyleSheet(FLAG_STYLE)
        self.flags.setWordWrap(True)
        self.kind = QComboBox(self)
        self.kind.setObjectName("visitKind")
        for value, text in VISIT_KINDS:
            self.kind.addItem(text, value)
        self.session = QSpinBox(self)
        self.session.setObjectName("visitSession")
        self.session.setRange(1, 99)
        self.session.setValue(max(1, next_session))
        self.session.setEnabled(False)
        self.kind.currentIndexChanged.connect(
            lambda _i: self.session.setEnabled(self.kind.currentData() == "session"))
        pick = pick or {}
        pigment, named = split_shade_name(pick.get("pigment_name") or pick.get("name"))
        self.pigment = QLabel(pigment or "No shade chosen yet", self)
        self.pigment.setObjectName("visitPigment")
        self.dilution = QLineEdit(pick.get("dilution") or named or "", self)
        self.dilution.setObjectName("visitDilution")
        self.dilution.setPlaceholderText("water:pigment, e.g. 4:1, or neat")
        self.batch = QLineEdit(self)
        self.batch.setObjectName("visitBatch")
        self.batch.setPlaceholderText("pigment batch / lot number")
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("visitNotes")
        self.notes.setFixedHeight(60)
        form = QFormLayout()
        form.addRow("&Visit:", self.kind)
        form.addRow("Session &number:", self.session)
        form.addRow("Pigment:", self.pigment)
        form.addRow("&Dilution (water:pigment):", self.dilution)
        form.addRow("&Batch / lot:", self.batch)
        form.addRow("N&otes:", self.notes)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.flags)
        layout.addLayout(form)
        layout.addWidget(buttons)
        header.setTextFormat(Qt.RichText)

    def visit_fields(self) -> dict:
        """Keyword arguments for :meth:`RecordStore.save_visit`."""
        kind = self.kind.currentData()
        fields = {"kind": kind, "batch": self.batch.text().strip() or None,
                  "notes": self.notes.toPlainText().strip() or None,
                  "dilution": self.dilution.text().strip() or None}
        if kind == "session":
            fields["session_number"] = self.session.value()
        return fields


def delete_client_box(parent, client) -> tuple[QMessageBox, QPushButton]:
    """The confirmation before a client is erased: names the client and what goes with them.

    Returns
    -------
    (box, erase_button) : open the box with ``box.open()``; the client is erased only when
        ``box.clickedButton() is erase_button``. Cancel is the default (Enter, Esc).
    """
    import html

    visits = int(getattr(client, "visit_count", 0) or 0)
    name = html.escape(client.name)
    box = QMessageBox(parent)
    box.setObjectName("deleteClientDialog")
    box.setIcon(QMessageBox.Warning)
    box.setWindowTitle("shadematch — delete client")
    box.setTextFormat(Qt.RichText)
    box.setText(f"Delete <b>{name}</b> (#{client.id}) from the client records?")
    what = f"{visits} visit{'s' if visits != 1 else ''}" if visits else "no visits"
    box.setInformativeText(
        f"This erases {client.name}'s record, screenings and consents, {what} with their analyses, "
        "and the visits' photo copies and thumbnails kept by shadematch (photos another client's "
        "visit uses stay). Your original photo files and exported reports are not touched.\n\n"
        "It cannot be undone: export the client first to keep a copy.")
    erase = box.addButton("Delete client", QMessageBox.DestructiveRole)
    erase.setObjectName("confirmDeleteClient")
    cancel = box.addButton(QMessageBox.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box, erase
