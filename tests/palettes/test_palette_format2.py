"""Palette format version 2: the optional ``optics`` block; version 1 still read."""

from __future__ import annotations

import pytest
from palette_helpers import valid_document, write_json

from shadematch.appearance.pigment_optics import SOURCE_DERIVED, SOURCE_FILE
from shadematch.errors import PaletteError
from shadematch.palettes import palette_to_dict, read_palette_json

BLUE = {"carbon": 1.0, "angstrom_exponent": 1.1,
        "colourants": [{"name": "phthalo", "shape": "gaussian", "strength": 0.3,
                        "peak_nm": 620, "width_nm": 45}]}


def _v2(**optics_by_pigment):
    doc = valid_document()
    doc["format_version"] = 2
    for i, optics in optics_by_pigment.items():
        doc["pigments"][int(i[1:])]["optics"] = optics
    return doc


def test_version_1_pigments_get_optics_from_their_undertone(tmp_path):
    palette = read_palette_json(write_json(tmp_path, valid_document(), "v1.json"))
    ink = palette.entry("ink@4:1")         # undertone "cool"
    brown = palette.entry("brown")         # undertone unspecified
    assert ink.optics.source == SOURCE_DERIVED and ink.optics.colourants
    assert brown.optics.source == SOURCE_DERIVED and not brown.optics.colourants
    assert ink.card_Lab == ink.Lab


def test_version_2_optics_are_read_and_shared_by_every_step(tmp_path):
    palette = read_palette_json(write_json(tmp_path, _v2(p0=BLUE), "v2.json"))
    steps = palette.pigment_entries("ink")
    assert all(e.optics is steps[0].optics for e in steps)
    assert steps[0].optics.source == SOURCE_FILE
    assert steps[0].optics.angstrom_exponent == 1.1
    assert steps[0].optics.colourants[0].peak_nm == 620
    assert palette.entry("brown").optics is None     # version 2 without optics: none


def test_version_2_round_trips_through_the_writer(tmp_path):
    palette = read_palette_json(write_json(tmp_path, _v2(p0=BLUE), "v2.json"))
    document = palette_to_dict(palette)
    assert document["format_version"] == 2
    assert document["pigments"][0]["optics"] == BLUE
    again = read_palette_json(write_json(tmp_path, document, "document.json"))
    assert again.entry("ink@4:1").optics == palette.entry("ink@4:1").optics


def test_optics_in_a_version_1_file_is_refused(tmp_path):
    doc = valid_document()
    doc["pigments"][0]["optics"] = BLUE
    with pytest.raises(PaletteError, match="field 'optics': needs format_version 2"):
        read_palette_json(write_json(tmp_path, doc, "doc.json"))


@pytest.mark.parametrize("optics, field", [
    ({"carbon": -1}, "optics.carbon"),
    ({"carbon": "x"}, "optics.carbon"),
    ({"carbon": 1, "colour": 1}, "optics.colour"),
    ({"carbon": 1, "colourants": [{"shape": "spiky", "strength": 1}]},
     "optics.colourants[0].shape"),
    ({"carbon": 1, "colourants": [{"shape": "gaussian", "strength": 1, "peak_nm": 600}]},
     "optics.colourants[0].width_nm"),
    ({"carbon": 0}, "optics.carbon"),
    ("black", "optics"),
])
def test_bad_optics_name_the_field(tmp_path, optics, field):
    with pytest.raises(PaletteError) as info:
        read_palette_json(write_json(tmp_path, _v2(p0=optics), "mine.json"))
    assert f"pigment 'ink' (pigments[0]), field '{field}'" in str(info.value)


def test_card_colours_may_say_their_surface(tmp_path):
    doc = _v2(p0=BLUE)
    doc["pigments"][0]["colour"]["surface"] = "white card"
    assert read_palette_json(write_json(tmp_path, doc, "doc.json")).entry("ink@neat")


def test_shipped_palettes_are_version_2_with_optics():
    from shadematch.palettes import load_palette

    for name in ("carbon-black-dilution-modelled", "smp-undertones-modelled"):
        palette = load_palette(name)
        assert all(e.optics is not None and e.optics.source == SOURCE_FILE
                   for e in palette.entries)
