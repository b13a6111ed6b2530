"""`shadematch palettes` and `shadematch palette check|show|import`."""

from __future__ import annotations

import json

from palette_helpers import valid_document, write_json

from shadematch.cli import main


def test_palettes_table(data_dir, capsys):
    (data_dir / "palettes").mkdir()
    write_json(data_dir / "palettes", valid_document(), "clinic.json")
    assert main(["palettes"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "ENTRIES", "SOURCE", "PATH"]
    rows = {line.split()[0]: line.split() for line in lines[1:] if not line.startswith("default")}
    assert rows["carbon-black-dilution-modelled"][1:4] == ["2.0", "11", "shipped"]
    assert rows["smp-undertones-modelled"][2] == "44"
    assert rows["test-palette"][1:4] == ["3", "5", "user"]
    assert rows["test-palette"][4].endswith("clinic.json")


def test_palettes_json_reports_problems(data_dir, capsys):
    folder = data_dir / "palettes"
    folder.mkdir()
    (folder / "bad.json").write_text("[")
    assert main(["palettes", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    names = [p["name"] for p in data["palettes"]]
    assert names == ["carbon-black-dilution-modelled", "smp-undertones-modelled"]
    assert data["palettes"][0]["entries"] == 11
    assert data["palettes"][0]["source"] == "shipped"
    assert data["default"] == "smp-undertones-modelled"
    (problem,) = data["problems"]
    assert problem["path"].endswith("bad.json") and "not valid JSON" in problem["message"]


def test_check_ok(tmp_path, capsys):
    path = write_json(tmp_path, valid_document())
    assert main(["palette", "check", str(path)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("OK: mine.json: palette 'test-palette' version 3, 2 pigments, 5 colours")


def test_check_bad_file_one_line_no_traceback(tmp_path, capsys):
    doc = valid_document()
    doc["pigments"][1]["colour"] = {"srgb_hex": "#zzzzzz"}
    path = write_json(tmp_path, doc)
    assert main(["palette", "check", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("shadematch: error: mine.json: pigment 'brown' (pigments[1]), "
                               "field 'colour.srgb_hex'")
    assert "Traceback" not in captured.err


def test_check_bad_csv(tmp_path, capsys):
    path = tmp_path / "inks.csv"
    path.write_text("name,L,a,b\nInk,17,0\n")
    assert main(["palette", "check", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "inks.csv: row 2" in err


def test_check_warns_on_non_monotonic(tmp_path, capsys):
    doc = valid_document()
    doc["pigments"][0]["dilutions"][0]["colour"] = {"lab": [20.0, 0, 0], "illuminant": "D65"}
    assert main(["palette", "check", str(write_json(tmp_path, doc))]) == 0
    assert "warning: pigment 'ink'" in capsys.readouterr().out


def test_show_json(data_dir, capsys):
    assert main(["palette", "show", "carbon-black-dilution-modelled", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["palette"]["source"] == "shipped"
    assert [e["id"] for e in data["entries"]][:2] == ["carbon-black@neat", "carbon-black@2:1"]


def test_import_command(tmp_path, data_dir, capsys):
    path = tmp_path / "inks.csv"
    path.write_text("name,L,a,b\nInk,17,0,0\n")
    assert main(["palette", "import", str(path), "--name", "clinic"]) == 0
    assert "imported palette 'clinic'" in capsys.readouterr().out
    assert (data_dir / "palettes" / "clinic.json").is_file()
    assert main(["palette", "import", str(path), "--name", "clinic"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_palette_without_action(capsys):
    assert main(["palette"]) == 2
    assert "choose an action" in capsys.readouterr().err
