"""Palettes in the GUI: print a card, read its photo, save the palette, import a file."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "swatch_cards"))

import json

from card_photo import photograph  # noqa: E402
from PIL import Image
from PySide6.QtCore import Qt
from test_swatch_card import LAYOUT, painted  # noqa: E402


def _idle(qtbot, dialog):
    qtbot.waitUntil(lambda: dialog.runner.active_count() == 0, timeout=60000)
    qtbot.wait(30)


def test_print_card_writes_the_pdf_and_its_layout(qtbot, tmp_path):
    from shadematch.gui.palettes.palette_dialogs import PrintCardDialog
    from shadematch.swatch_cards import CardLayout

    dialog = PrintCardDialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.pigments, "Warm One")
    qtbot.keyClick(dialog.pigments, Qt.Key_Return)
    qtbot.keyClicks(dialog.pigments, "Cool Two")
    dialog.dilutions.clear()
    qtbot.keyClicks(dialog.dilutions, "neat,2:1,4:1,8:1,12:1,20:1")
    qtbot.keyClicks(dialog.title, "test clinic")
    dialog.save_to(str(tmp_path / "card.pdf"))
    _idle(qtbot, dialog)
    assert (tmp_path / "card.pdf").read_bytes().startswith(b"%PDF")
    layout = CardLayout.from_dict(json.loads((tmp_path / "card.layout.json").read_text()))
    assert layout == LAYOUT
    assert "keep it" in dialog.message.text()
    # a bad dilution is explained, nothing written
    dialog.dilutions.setText("neat,two to one")
    dialog.save_to(str(tmp_path / "bad.pdf"))
    _idle(qtbot, dialog)
    assert "water:pigment" in dialog.message.text() and not (tmp_path / "bad.pdf").exists()


def test_read_card_shows_every_cell_and_saves_the_palette(qtbot, tmp_path, monkeypatch):
    from shadematch.gui.palettes.palette_dialogs import ReadCardDialog
    from shadematch.palettes import load_palette

    (tmp_path / "card.layout.json").write_text(json.dumps(LAYOUT.to_dict()))
    page, _ = painted()
    photo, _corners = photograph(page)
    Image.fromarray(photo).save(tmp_path / "card.png")
    dialog = ReadCardDialog()
    qtbot.addWidget(dialog)
    dialog.photo.setText(str(tmp_path / "card.png"))
    dialog.layout_file.setText(str(tmp_path / "card.layout.json"))
    qtbot.mouseClick(dialog.read_button, Qt.LeftButton)
    assert "Give a palette name" in dialog.summary.text()
    qtbot.keyClicks(dialog.name, "card-pigments")
    qtbot.mouseClick(dialog.read_button, Qt.LeftButton)
    _idle(qtbot, dialog)
    assert dialog.table.rowCount() == 14, dialog.summary.text()
    assert dialog.table.item(0, 1).text() == "Warm One" and dialog.table.item(0, 2).text() == "neat"
    assert "Warm One: warm" in dialog.summary.text() and "Cool Two: cool" in dialog.summary.text()
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    _idle(qtbot, dialog)
    assert dialog.saved is not None and "Saved palette 'card-pigments'" in dialog.summary.text()
    assert len(load_palette("card-pigments").entries) == 12
    # saving again under the same name asks for another one
    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getText",
                        lambda *a, **k: ("card-pigments-2", True))
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    _idle(qtbot, dialog)
    _idle(qtbot, dialog)
    assert load_palette("card-pigments-2").source == "user"


def test_import_a_palette_file_with_a_taken_name(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QWidget

    from shadematch.gui.common.workers import TaskRunner
    from shadematch.gui.palettes.palette_dialogs import import_palette_file
    from shadematch.palettes import load_palette

    messages = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information",
                        lambda parent, title, text: messages.append(text))
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning",
                        lambda parent, title, text: messages.append("WARN " + text))
    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getText",
                        lambda *a, **k: ("my-blacks", True))
    parent = QWidget()
    qtbot.addWidget(parent)
    runner = TaskRunner(parent)
    csv = tmp_path / "carbon-black-dilution-modelled.csv"       # a shipped palette's name
    csv.write_text("name,L,a,b\nMy Black,20,0.5,1\nMy Brown,30,5,10\n", encoding="utf-8")
    import_palette_file(parent, runner, str(csv))
    qtbot.waitUntil(lambda: runner.active_count() == 0 and bool(messages), timeout=20000)
    qtbot.waitUntil(lambda: any("Imported 'my-blacks'" in m for m in messages), timeout=20000)
    assert load_palette("my-blacks").source == "user"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,L,a,b\nBlack,twenty,0,0\n", encoding="utf-8")
    import_palette_file(parent, runner, str(bad))
    qtbot.waitUntil(lambda: any(m.startswith("WARN") for m in messages), timeout=20000)
    warning = next(m for m in messages if m.startswith("WARN"))
    assert "bad.csv" in warning and "row" in warning.lower()
    runner.shutdown()
