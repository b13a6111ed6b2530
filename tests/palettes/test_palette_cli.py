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
    err = capsys.readouterr().err
    assert "the palette name 'clinic' is taken" in err
    assert "--name clinic-2" in err and "--overwrite" in err


def _listed(capsys) -> dict:
    capsys.readouterr()
    assert main(["palettes", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_import_under_a_taken_name_is_refused_before_writing(tmp_path, data_dir, capsys):
    """A palette whose name is taken would be imported but never loaded: refuse instead."""
    first = tmp_path / "inks.csv"
    first.write_text("name,L,a,b\nInk,17,0,0\n")
    second = tmp_path / "more.csv"
    second.write_text("name,L,a,b\nInk,40,0,0\nOther,30,1,1\n")
    assert main(["palette", "import", str(first), "--name", "clinic"]) == 0
    assert "imported palette 'clinic' (1 colour) to" in capsys.readouterr().out
    before = sorted(p.name for p in (data_dir / "palettes").iterdir())

    # A user palette's name: refused, nothing written, the old palette still loads.
    assert main(["palette", "import", str(second), "--name", "Clinic"]) == 1
    captured = capsys.readouterr()
    assert "imported" not in captured.out
    assert "taken" in captured.err and "--overwrite" in captured.err
    assert "Nothing was written" in captured.err
    assert sorted(p.name for p in (data_dir / "palettes").iterdir()) == before

    # --overwrite replaces it: loaded with the new colours, listed once, no problem reported.
    assert main(["palette", "import", str(second), "--name", "Clinic", "--overwrite"]) == 0
    listing = _listed(capsys)
    names = [p["name"] for p in listing["palettes"]]
    assert names.count("Clinic") == 1 and "clinic" not in names
    assert listing["problems"] == []
    assert [p["entries"] for p in listing["palettes"] if p["name"] == "Clinic"] == [2]


def test_a_shipped_palettes_name_cannot_be_taken(tmp_path, data_dir, capsys):
    document = valid_document()
    document["name"] = "smp-undertones-modelled"
    path = write_json(tmp_path, document, "undertones.json")
    for extra in ([], ["--overwrite"]):
        assert main(["palette", "import", str(path), *extra]) == 1
        err = capsys.readouterr().err
        assert "a shipped palette" in err and "cannot be replaced" in err
        assert "--name smp-undertones-modelled-2" in err
        assert not (data_dir / "palettes").exists() or not any(
            (data_dir / "palettes").iterdir())
    # Under the suggested name it is imported and loads.
    assert main(["palette", "import", str(path), "--name", "smp-undertones-modelled-2"]) == 0
    assert "imported palette 'smp-undertones-modelled-2'" in capsys.readouterr().out
    names = [p["name"] for p in _listed(capsys)["palettes"]]
    assert "smp-undertones-modelled-2" in names and names.count("smp-undertones-modelled") == 1


def test_import_of_a_json_palette_under_another_name(tmp_path, data_dir, capsys):
    path = write_json(tmp_path, valid_document(), "mine.json")
    original = json.loads(path.read_text())["name"]
    assert main(["palette", "import", str(path)]) == 0
    assert main(["palette", "import", str(path), "--name", "mine copy"]) == 0
    names = [p["name"] for p in _listed(capsys)["palettes"]]
    assert original in names and "mine copy" in names


def test_palette_without_action(capsys):
    assert main(["palette"]) == 2
    assert "choose an action" in capsys.readouterr().err
