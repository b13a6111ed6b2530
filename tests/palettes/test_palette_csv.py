"""CSV import: both column forms, dilution columns, and its errors."""

from __future__ import annotations

import numpy as np
import pytest

from shadematch.errors import PaletteError
from shadematch.palettes import import_palette_csv, load_palette
from shadematch.palettes.colour_values import Lab_to_D65, hex_to_Lab


def _write(tmp_path, text, name="mine.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_lab_form(tmp_path):
    path = _write(tmp_path, "name,L,a,b\nCarbon Black,17.2,0.1,-0.6\nDark Brown,24,4.1,6.2\n")
    palette = import_palette_csv(path)
    assert palette.name == "mine"
    assert palette.source == "csv"
    assert [e.id for e in palette.entries] == ["carbon-black", "dark-brown"]
    assert palette.entry("carbon-black").Lab == (17.2, 0.1, -0.6)
    assert palette.entry("dark-brown").dilution is None
    assert palette.Lab_array().shape == (2, 3)
    assert "mine.csv" in palette.provenance
    assert len(palette.sha256) == 64


def test_hex_form_and_name(tmp_path):
    path = _write(tmp_path, "Name,HEX\nCarbon Black,#2b2a2a\nDark Brown,433833\n")
    palette = import_palette_csv(path, name="Clinic inks")
    assert palette.name == "Clinic inks"
    np.testing.assert_allclose(palette.entry("dark-brown").Lab, hex_to_Lab("#433833"))


def test_star_headers_bom_and_d50(tmp_path):
    path = _write(tmp_path, "\ufeffname,L*,a*,b*,illuminant,undertone\nInk,50,10,-20,D50,cool\n")
    palette = import_palette_csv(path)
    entry = palette.entry("ink")
    np.testing.assert_allclose(entry.Lab, Lab_to_D65((50, 10, -20), "D50"))
    assert entry.undertone == "cool"


def test_dilution_columns_group_rows(tmp_path):
    path = _write(tmp_path, "name,hex,water,pigment\n"
                            "Ink,#555555,4,1\nInk,#222222,,\nInk,#999999,10,1\nOther,#444444,0,1\n")
    palette = import_palette_csv(path)
    ink = palette.pigment_entries("ink")
    assert [e.id for e in ink] == ["ink@neat", "ink@4:1", "ink@10:1"]
    assert [e.step_index for e in ink] == [0, 1, 2]
    assert palette.entry("other").dilution is None  # neat only: no series
    assert [e.id for e in palette.lighter_steps("ink@neat")] == ["ink@4:1", "ink@10:1"]


def test_semicolon_and_decimal_comma(tmp_path):
    path = _write(tmp_path, "name;L;a;b\nInk;17,5;0,25;-1,5\n")
    assert import_palette_csv(path).entry("ink").Lab == (17.5, 0.25, -1.5)


def test_windows_1252(tmp_path):
    path = _write(tmp_path, "name,L,a,b\nCaf\u00e9 noir,20,1,2\n", encoding="cp1252")
    assert import_palette_csv(path).entries[0].pigment_name == "Caf\u00e9 noir"


def test_loaded_by_path_through_load_palette(tmp_path):
    path = _write(tmp_path, "name,L,a,b\nInk,20,0,0\n")
    palette = load_palette(path)
    assert palette.source == "csv" and palette.entries[0].id == "ink"


@pytest.mark.parametrize("text, expected", [
    ("", "mine.csv: the file is empty"),
    ("Ink,17,0,0\n", "the first row looks like data, not a header"),
    ("name,L,a\nInk,1,2\n", "needs the columns name,L,a,b or name,hex"),
    ("name,L,a,b\n", "has a header but no colours"),
    ("name,L,a,b,hex\nInk,1,2,3,#000000\n", "has both L,a,b and hex"),
    ("name,L,a,b,colour\nInk,1,2,3,x\n", "column 'colour': unknown column"),
    ("name,L,a,b\nInk,abc,0,0\n", "row 2, column 'L': 'abc' is not a number"),
    ("name,L,a,b\nInk,10,0,0\nGrey,101,0,0\n", "row 3 ('Grey'), column 'L': L* is 101"),
    ("name,L,a,b\nInk,10,0,-130\n", "row 2 ('Ink'), column 'b': b* is -130"),
    ("name,L,a,b\nInk,nan,0,0\n", "row 2, column 'L': is nan"),
    ("name,hex\nInk,#12345g\n", "row 2 ('Ink'), column 'hex': '#12345g' is not an sRGB hex"),
    ("name,hex\nInk,\n", "row 2 ('Ink'), column 'hex'"),
    ("name,L,a,b\n,10,0,0\n", "row 2, column 'name': is empty"),
    ("name,L,a,b\nInk,10,0,0\nInk,12,0,0\n", "row 3 ('Ink'): repeats the name of row 2"),
    ("name,L,a,b,water\nInk,10,0,0,4\nInk,12,0,0,4\n", "repeats the dilution 4:1 of row 2"),
    ("name,L,a,b,water\nInk,10,0,0,-1\n", "is not a dilution"),
    ("name,L,a,b,illuminant\nInk,10,0,0,D55\n", "column 'illuminant': unknown illuminant"),
])
def test_errors_name_row_and_column(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(PaletteError) as info:
        import_palette_csv(path)
    message = str(info.value)
    assert message.startswith("mine.csv")
    assert "\n" not in message
    assert expected in message
