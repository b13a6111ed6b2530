"""The swatch card end to end: printed, painted with a known pigment, photographed under a
colour cast beside a ColorChecker (synthesised), read back, optics fitted, palette built."""

from __future__ import annotations

import json

import numpy as np
import pytest
from card_photo import page_raster, photograph

from shadematch.calibration import calibrate_from_chart, parse_corners
from shadematch.color.delta_e import delta_E
from shadematch.errors import ShadematchError
from shadematch.swatch_cards import (
    CardError,
    CardLayout,
    palette_document,
    parse_dilution,
    read_card,
)
from shadematch.swatch_cards.optics_fit import _card_spectrum, card_Lab

DILUTIONS = tuple(parse_dilution(d) for d in ("neat", "2:1", "4:1", "8:1", "12:1", "20:1"))
LAYOUT = CardLayout("test clinic", ("Warm One", "Cool Two"), DILUTIONS)
PAPER = (94.0, 0.5, 3.0)
# surface, carbon, angstrom exponent, brown toner, blue toner
TRUTH = {0: np.array([0.035, 0.9, 1.0, 0.35, 0.0]), 1: np.array([0.03, 1.1, 1.05, 0.0, 0.6])}


def painted(layout=LAYOUT, skip=(), uneven=()):
    card = _card_spectrum(PAPER)
    colours = {}
    for cell in layout.cells:
        if cell.column is None or cell.number in skip:
            continue
        water, pigment = layout.dilutions[cell.column]
        colours[cell.number] = card_Lab(TRUTH[cell.row], np.array([pigment / (pigment + water)]),
                                        card)[0]
    page = page_raster(layout, colours, PAPER)
    for number in uneven:       # a streak of darker paint across half the cell
        cell = next(c for c in layout.cells if c.number == number)
        y0, x0 = int((cell.y + 2) * 4), int((cell.x + 2) * 4)
        page[y0:y0 + 20, x0:x0 + 48] *= 0.35
    return page, colours


@pytest.fixture(scope="module")
def shot():
    page, colours = painted()
    photo, corners = photograph(page)
    calibration = calibrate_from_chart(photo, parse_corners(corners))
    return photo, calibration, colours


def test_every_cell_reads_its_painted_colour_through_the_calibration(shot):
    photo, calibration, colours = shot
    reading = read_card(photo, LAYOUT, calibration)
    errors = [float(delta_E(np.asarray(colours[c.cell.number]), np.asarray(c.Lab)))
              for c in reading.cells if c.cell.column is not None]
    assert len(errors) == 12 and max(errors) < 1.0
    assert reading.blank_Lab(0) == pytest.approx(PAPER, abs=1.5)
    assert all(c.spread_de00 < 1.5 and not c.warnings for c in reading.cells)
    # without the calibration the warm cast is in every reading
    raw = read_card(photo, LAYOUT, None)
    assert not raw.calibrated and "not calibrated" in raw.warnings[0]
    raw_errors = [float(delta_E(np.asarray(colours[c.cell.number]), np.asarray(c.Lab)))
                  for c in raw.cells if c.cell.column is not None]
    assert np.mean(raw_errors) > 4 * np.mean(errors)
    with pytest.raises(CardError, match="not calibrated"):
        palette_document(raw, "x")


def test_the_fitted_optics_predict_the_healed_colour_of_the_true_pigment(shot):
    from shadematch.appearance import fit_skin, predict
    from shadematch.appearance.pigment_optics import Colourant, PigmentOptics
    from shadematch.palettes.file_format import palette_from_dict

    photo, calibration, _ = shot
    document, fits = palette_document(read_card(photo, LAYOUT, calibration), "my-pigments")
    assert [f.undertone() for f in fits] == ["warm", "cool"]
    assert all(f.mean_de00 < 0.5 for f in fits)
    palette = palette_from_dict(document, label="card")
    assert len(palette.entries) == 12
    assert palette.entries[0].id == "warm-one@neat"
    skin = fit_skin((60.0, 11.0, 17.0))
    for row, pigment_id in ((0, "warm-one"), (1, "cool-two")):
        _, carbon, angstrom, brown, blue = TRUTH[row]
        toners = []
        if brown:
            toners.append(Colourant("exponential", brown, decay_nm=70.0))
        if blue:
            toners.append(Colourant("gaussian", blue, peak_nm=610.0, width_nm=50.0))
        truth = PigmentOptics(carbon, angstrom, tuple(toners), "palette file")
        entries = palette.pigment_entries(pigment_id)
        true_entries = [type("E", (), {"optics": truth, "water_parts": e.water_parts,
                                       "pigment_parts": e.pigment_parts, "pigment_id": "t",
                                       "name": e.name})() for e in entries]
        mine = predict.predict_palette(skin, entries).healed
        theirs = predict.predict_palette(skin, true_entries).healed
        assert np.max(delta_E(mine, theirs)) < 1.0, pigment_id


@pytest.mark.parametrize("turn", [1, 2, 3])
def test_a_card_photographed_turned_is_read_the_right_way_round(turn):
    page, colours = painted()
    photo, corners = photograph(page, turn=turn)
    reading = read_card(photo, LAYOUT, None)
    neat = next(c for c in reading.cells if c.cell.number == 1)
    blank = next(c for c in reading.cells if c.cell.number == 7)
    assert neat.Lab[0] < 35 and blank.Lab[0] > 80
    order = [c.Lab[0] for c in reading.series(1)]
    assert order == sorted(order)          # lighter with every dilution


def test_unpainted_and_uneven_cells_are_flagged_and_left_out_of_the_fit():
    page, _ = painted(skip=(4,), uneven=(9,))
    photo, corners = photograph(page)
    calibration = calibrate_from_chart(photo, parse_corners(corners))
    reading = read_card(photo, LAYOUT, calibration)
    by_number = {c.cell.number: c for c in reading.cells}
    assert any("unpainted" in w for w in by_number[4].warnings)
    assert any("uneven" in w for w in by_number[9].warnings)
    document, fits = palette_document(reading, "partial")
    assert fits[0].cells_used == 5 and fits[1].cells_used == 5
    assert len(document["pigments"][0]["dilutions"]) == 4     # 8:1 left out, neat is "colour"


def test_too_few_cells_and_a_missing_mark_are_explained():
    page, _ = painted(skip=(1, 2, 3, 4))
    photo, corners = photograph(page)
    calibration = calibrate_from_chart(photo, parse_corners(corners))
    with pytest.raises(CardError, match="Warm One: only 2 usable painted cells"):
        palette_document(read_card(photo, LAYOUT, calibration), "x")
    page, _ = painted()
    page[: 40 * 4, : 40 * 4] = page[200, 5]          # the top-left mark painted over
    photo, _ = photograph(page)
    with pytest.raises(CardError, match="found 3 of the card's 4 corner marks"):
        read_card(photo, LAYOUT, None)


def test_layout_validation_and_round_trip(tmp_path):
    assert CardLayout.from_dict(LAYOUT.to_dict()) == LAYOUT
    with pytest.raises(CardError, match="at most 8"):
        CardLayout("", tuple(f"P{i}" for i in range(9)), DILUTIONS)
    with pytest.raises(CardError, match="listed twice"):
        CardLayout("", ("A",), (parse_dilution("2:1"), parse_dilution("2:1")))
    with pytest.raises(CardError, match="water:pigment"):
        parse_dilution("two to one")
    with pytest.raises(CardError, match="not a shadematch swatch-card layout"):
        CardLayout.from_dict({"pigments": []})
    numbers = [c.number for c in LAYOUT.cells]
    assert numbers == list(range(1, 15))
    right = max(c.x + c.size for c in CardLayout("", ("A",), DILUTIONS + (
        parse_dilution("30:1"),)).cells)
    assert right < 210 - 16 - 6            # clear of the right-hand corner marks


def test_the_cli_prints_a_card_and_reads_its_photo_into_a_palette(tmp_path, capsys, monkeypatch):
    from PIL import Image

    from shadematch.cli import main

    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "data"))
    pdf = tmp_path / "card.pdf"
    assert main(["palette", "card", "-o", str(pdf), "--pigments", "Warm One,Cool Two",
                 "--dilutions", "neat,2:1,4:1,8:1,12:1,20:1", "--title", "test clinic"]) == 0
    assert pdf.read_bytes().startswith(b"%PDF") and b"/Count 1" in pdf.read_bytes()
    layout_file = tmp_path / "card.layout.json"
    assert CardLayout.from_dict(json.loads(layout_file.read_text())) == LAYOUT
    capsys.readouterr()
    page, _ = painted()
    photo, corners = photograph(page)
    photo_path = tmp_path / "card-photo.png"
    Image.fromarray(photo).save(photo_path)
    out = tmp_path / "mine.json"
    code = main(["palette", "read-card", str(photo_path), "--layout", str(layout_file),
                 "--chart-corners", corners, "--name", "my-pigments", "-o", str(out),
                 "--import"])
    text, err = capsys.readouterr()
    assert code == 0, err
    assert "cell  1  Warm One neat" in text and "imported into your palette folder" in text
    from shadematch.palettes import load_palette

    palette = load_palette("my-pigments")
    assert palette.source == "user" and len(palette.entries) == 12
    assert main(["palette", "read-card", str(photo_path), "--layout", str(layout_file),
                 "--chart-corners", corners, "--name", "x", "-o", str(tmp_path / "x.csv")]) == 1
    assert "name it .json" in capsys.readouterr().err
    with pytest.raises(ShadematchError):
        from shadematch.swatch_cards import read_layout

        read_layout(tmp_path / "missing.layout.json")
