"""Every validation error names the file, the entry and the field, and says what to do."""

from __future__ import annotations

import math

import pytest
from palette_helpers import valid_document, write_json

from shadematch.errors import PaletteError
from shadematch.palettes import check_palette_file, read_palette_json


def _error(tmp_path, document, name="mine.json") -> str:
    path = write_json(tmp_path, document, name)
    with pytest.raises(PaletteError) as info:
        check_palette_file(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(name)
    return message


def test_valid_document_loads(tmp_path):
    palette = check_palette_file(write_json(tmp_path, valid_document()))
    assert palette.name == "test-palette"
    assert palette.version == "3"
    assert palette.source == "file"
    assert [e.id for e in palette.entries] == [
        "ink@neat", "ink@2:1", "ink@4:1", "ink@10:1", "brown"]
    assert palette.warnings == ()


def test_bad_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format_version": 1,\n  "name": "x"\n  "version": "1"\n}\n')
    with pytest.raises(PaletteError) as info:
        check_palette_file(path)
    message = str(info.value)
    assert message.startswith("broken.json: not valid JSON at line 4, column 3")
    assert "fix it" in message


def test_empty_file(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("  \n")
    with pytest.raises(PaletteError, match="empty.json: the file is empty"):
        check_palette_file(path)


def test_missing_file():
    with pytest.raises(PaletteError, match="no such palette file"):
        check_palette_file("/nonexistent/folder/p.json")


def test_missing_colour(tmp_path):
    doc = valid_document()
    del doc["pigments"][1]["colour"]
    message = _error(tmp_path, doc)
    assert "pigment 'brown' (pigments[1])" in message
    assert "field 'colour'" in message
    assert "missing" in message and "srgb_hex" in message


def test_missing_step_colour(tmp_path):
    doc = valid_document()
    del doc["pigments"][0]["dilutions"][1]["colour"]
    message = _error(tmp_path, doc)
    assert "pigment 'ink'" in message and "field 'dilutions[1].colour'" in message


@pytest.mark.parametrize("lab, text", [
    ([120.0, 0.0, 0.0], "L* is 120, outside 0..100"),
    ([-1.0, 0.0, 0.0], "L* is -1, outside 0..100"),
    ([50.0, 130.0, 0.0], "a* is 130, outside -128..128"),
    ([50.0, 0.0, -200.0], "b* is -200, outside -128..128"),
    ([50.0, 0.0], "not three numbers"),
    ([50.0, "x", 0.0], "a* is 'x', not a number"),
    ([True, 0.0, 0.0], "L* is True, not a number"),
])
def test_lab_out_of_range(tmp_path, lab, text):
    doc = valid_document()
    doc["pigments"][0]["dilutions"][2]["colour"] = {"lab": lab, "illuminant": "D65"}
    message = _error(tmp_path, doc)
    assert "pigment 'ink' (pigments[0])" in message
    assert "field 'dilutions[2].colour.lab'" in message
    assert text in message


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_inf(tmp_path, literal):
    text = ('{"format_version": 1, "name": "n", "version": "1", "pigments": [{"id": "p", '
            '"name": "P", "colour": {"lab": [50, VALUE, 0], "illuminant": "D65"}}]}').replace("VALUE", literal)
    path = tmp_path / "nan.json"
    path.write_text(text)
    with pytest.raises(PaletteError) as info:
        check_palette_file(path)
    message = str(info.value)
    assert message.startswith("nan.json: pigment 'p' (pigments[0]), field 'colour.lab'")
    value = float(literal)
    assert f"a* is {value}" in message and "finite" in message
    assert not math.isfinite(value)


@pytest.mark.parametrize("bad", ["#12345", "#gggggg", "3a3330ff", 123, ""])
def test_bad_hex(tmp_path, bad):
    doc = valid_document()
    doc["pigments"][1]["colour"] = {"srgb_hex": bad}
    message = _error(tmp_path, doc)
    assert "pigment 'brown' (pigments[1]), field 'colour.srgb_hex'" in message
    assert "not an sRGB hex code" in message and "#3a3330" in message


def test_hex_without_hash_is_accepted(tmp_path):
    doc = valid_document()
    doc["pigments"][1]["colour"] = {"srgb_hex": "3A3330"}
    palette = check_palette_file(write_json(tmp_path, doc))
    doc["pigments"][1]["colour"] = {"srgb_hex": "#3a3330"}
    other = check_palette_file(write_json(tmp_path, doc, "other.json"))
    assert palette.entry("brown").Lab == other.entry("brown").Lab


def test_duplicate_ids(tmp_path):
    doc = valid_document()
    doc["pigments"][1]["id"] = "ink"
    message = _error(tmp_path, doc)
    assert "pigment 'ink' (pigments[1]), field 'id'" in message
    assert "duplicate id 'ink' (also pigments[0])" in message


def test_bad_slug(tmp_path):
    doc = valid_document()
    doc["pigments"][1]["id"] = "Dark Brown"
    message = _error(tmp_path, doc)
    assert "field 'id'" in message and "slug" in message


def test_duplicate_dilution_ratio(tmp_path):
    doc = valid_document()
    doc["pigments"][0]["dilutions"].append(
        {"water_parts": 8, "pigment_parts": 2, "colour": {"srgb_hex": "#777777"}})
    message = _error(tmp_path, doc)
    assert "field 'dilutions[3].water_parts'" in message
    assert "8:2 repeats dilutions[0]" in message


@pytest.mark.parametrize("illuminant", ["D55", "A", 65, "F2"])
def test_unknown_illuminant(tmp_path, illuminant):
    doc = valid_document()
    doc["pigments"][0]["colour"]["illuminant"] = illuminant
    message = _error(tmp_path, doc)
    assert "pigment 'ink' (pigments[0]), field 'colour.illuminant'" in message
    assert "unknown illuminant" in message and "D65 or D50" in message


def test_missing_illuminant_for_lab(tmp_path):
    doc = valid_document()
    del doc["pigments"][0]["colour"]["illuminant"]
    message = _error(tmp_path, doc)
    assert "field 'colour.illuminant'" in message and "missing" in message


def test_ten_degree_observer_refused(tmp_path):
    doc = valid_document()
    doc["pigments"][0]["colour"]["observer"] = "10"
    message = _error(tmp_path, doc)
    assert "field 'colour.observer'" in message and "2 degree" in message


def test_lab_and_hex_together(tmp_path):
    doc = valid_document()
    doc["pigments"][1]["colour"] = {"srgb_hex": "#3a3330", "lab": [20, 0, 0]}
    message = _error(tmp_path, doc)
    assert "field 'colour'" in message and "exactly one of" in message


@pytest.mark.parametrize("version", [3, 0, "1", None, True])
def test_unknown_format_version(tmp_path, version):
    doc = valid_document()
    doc["format_version"] = version
    message = _error(tmp_path, doc)
    assert "palette, field 'format_version'" in message
    assert "unknown format_version" in message and "update shadematch" in message


def test_missing_format_version(tmp_path):
    doc = valid_document()
    del doc["format_version"]
    message = _error(tmp_path, doc)
    assert "field 'format_version'" in message and "missing" in message


def test_wrong_format_name(tmp_path):
    doc = valid_document()
    doc["format"] = "shadematch-analysis"
    message = _error(tmp_path, doc)
    assert "field 'format'" in message and "not a shadematch palette" in message


def test_empty_pigments(tmp_path):
    doc = valid_document()
    doc["pigments"] = []
    message = _error(tmp_path, doc)
    assert "field 'pigments'" in message and "is empty" in message


def test_missing_name(tmp_path):
    doc = valid_document()
    doc["name"] = "  "
    message = _error(tmp_path, doc)
    assert "palette, field 'name'" in message


def test_pigment_missing_name_named_by_position(tmp_path):
    doc = valid_document()
    del doc["pigments"][1]["name"]
    message = _error(tmp_path, doc)
    assert "pigment 'brown' (pigments[1]), field 'name': missing" in message


def test_pigment_not_object(tmp_path):
    doc = valid_document()
    doc["pigments"][1] = "brown"
    message = _error(tmp_path, doc)
    assert "pigment #2 (pigments[1])" in message


def test_unknown_key_is_reported(tmp_path):
    doc = valid_document()
    doc["pigments"][1]["color"] = doc["pigments"][1].pop("colour")
    message = _error(tmp_path, doc)
    assert "field 'color'" in message and "unknown field" in message


def test_underscore_keys_are_comments(tmp_path):
    doc = valid_document()
    doc["_comment"] = "measured on Tuesday"
    doc["pigments"][0]["_note"] = "batch 7"
    assert len(check_palette_file(write_json(tmp_path, doc)).entries) == 5


@pytest.mark.parametrize("water", [0, -2, "4", float("inf")])
def test_bad_water_parts(tmp_path, water):
    doc = valid_document()
    doc["pigments"][0]["dilutions"][0]["water_parts"] = water
    message = _error(tmp_path, doc)  # json.dumps writes inf as the literal Infinity
    assert "field 'dilutions[0].water_parts'" in message


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.json"
    path.write_bytes('{"name": "caf\u00e9"}'.encode("latin-1"))
    with pytest.raises(PaletteError, match="latin.json: is not UTF-8"):
        read_palette_json(path)


def test_top_level_not_object(tmp_path):
    message = _error(tmp_path, [1, 2, 3])
    assert "is not a JSON object" in message


def test_non_monotonic_series_loads_with_warning(tmp_path):
    doc = valid_document()
    doc["pigments"][0]["dilutions"][0]["colour"] = {"lab": [20.0, 0, 0], "illuminant": "D65"}
    palette = check_palette_file(write_json(tmp_path, doc))
    assert len(palette.warnings) == 1
    assert "Ink 4:1 (L* 20.0) is not lighter than Ink 2:1 (L* 28.0)" in palette.warnings[0]
