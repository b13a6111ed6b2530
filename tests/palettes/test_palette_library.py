"""Finding palettes: shipped and user folders (SHADEMATCH_DATA_DIR), names, paths, problems."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from palette_helpers import valid_document, write_json

from shadematch.errors import PaletteError
from shadematch.palettes import (
    import_into_user_folder,
    list_palette_problems,
    list_palettes,
    load_palette,
    palette_to_dict,
    save_palette,
)


def _user_folder(data_dir):
    folder = data_dir / "palettes"
    folder.mkdir(exist_ok=True)
    return folder


def test_user_palette_found_via_data_dir(data_dir):
    write_json(_user_folder(data_dir), valid_document(), "clinic.json")
    palettes = list_palettes()
    sources = {p.name: p.source for p in palettes}
    assert sources["test-palette"] == "user"
    assert sources["smp-undertones-modelled"] == "shipped"
    assert [p.source for p in palettes] == sorted((p.source for p in palettes),
                                                  key=["shipped", "user"].index)
    assert load_palette("test-palette").source == "user"
    assert load_palette("clinic").name == "test-palette"  # by file stem
    assert load_palette("TEST-PALETTE").name == "test-palette"
    assert list_palette_problems() == []


def test_user_csv_is_listed(data_dir):
    (_user_folder(data_dir) / "inks.csv").write_text("name,L,a,b\nInk,20,0,0\n")
    palette = load_palette("inks")
    assert palette.source == "user" and palette.entries[0].id == "ink"


def test_broken_user_file_is_reported_not_fatal(data_dir):
    folder = _user_folder(data_dir)
    (folder / "broken.json").write_text("{ not json")
    doc = valid_document()
    doc["pigments"][0]["colour"]["lab"][0] = 150
    write_json(folder, doc, "range.json")
    names = {p.name for p in list_palettes()}
    assert "smp-undertones-modelled" in names and "test-palette" not in names
    problems = {p.path.name: p.message for p in list_palette_problems()}
    assert set(problems) == {"broken.json", "range.json"}
    assert problems["broken.json"].startswith("broken.json: not valid JSON at line 1")
    assert "L* is 150" in problems["range.json"]
    with pytest.raises(PaletteError, match="L\\* is 150"):
        load_palette("range")


def test_name_clash_with_shipped_is_a_problem(data_dir):
    doc = valid_document()
    doc["name"] = "smp-undertones-modelled"
    write_json(_user_folder(data_dir), doc, "mine.json")
    assert load_palette("smp-undertones-modelled").source == "shipped"
    (problem,) = list_palette_problems()
    assert problem.path.name == "mine.json"
    assert "already used" in problem.message and "another \"name\"" in problem.message


def test_unknown_name(data_dir):
    with pytest.raises(PaletteError) as info:
        load_palette("no-such-palette")
    message = str(info.value)
    assert "no palette named 'no-such-palette'" in message
    assert "carbon-black-dilution-modelled" in message


def test_load_by_path_and_missing_path(tmp_path, data_dir):
    path = write_json(tmp_path, valid_document())
    palette = load_palette(str(path))
    assert palette.source == "file" and palette.path == path.resolve()
    with pytest.raises(PaletteError, match="no such palette file"):
        load_palette(tmp_path / "missing.json")


def test_check_rejects_other_suffix(tmp_path):
    from shadematch.palettes import check_palette_file

    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8")
    with pytest.raises(PaletteError, match="photo.jpg: not a palette file"):
        check_palette_file(path)


def test_sha256_is_of_the_file_bytes(tmp_path):
    import hashlib

    path = write_json(tmp_path, valid_document())
    palette = load_palette(path)
    assert palette.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_save_round_trip_and_no_overwrite(tmp_path):
    original = load_palette(write_json(tmp_path, valid_document()))
    target = tmp_path / "out"
    target.mkdir()
    saved_path = save_palette(original, target / "copy.json")
    copy = load_palette(saved_path)
    assert [e.id for e in copy.entries] == [e.id for e in original.entries]
    for a, b in zip(copy.entries, original.entries, strict=True):
        assert a.Lab == pytest.approx(b.Lab, abs=1e-4)
        assert (a.name, a.dilution, a.undertone, a.line) == (b.name, b.dilution, b.undertone,
                                                             b.line)
    assert palette_to_dict(copy)["pigments"][0]["dilutions"][0]["water_parts"] == 2
    with pytest.raises(PaletteError, match="already exists"):
        save_palette(original, saved_path)
    assert [p.name for p in target.iterdir()] == ["copy.json"]  # no temp file left


def test_import_into_user_folder(tmp_path, data_dir):
    csv_path = tmp_path / "My Inks.csv"
    csv_path.write_text("name,hex,water\nInk,#222222,\nInk,#777777,6\n")
    palette = import_into_user_folder(csv_path)
    assert palette.source == "user"
    assert palette.path.parent == (data_dir / "palettes").resolve()
    assert load_palette("My Inks").entry("ink@6:1").dilution == "6:1"
    with pytest.raises(PaletteError, match="already in your palette folder"):
        import_into_user_folder(csv_path)
    import_into_user_folder(csv_path, overwrite=True)


def test_import_keeps_a_file_name_that_belongs_to_another_palette(tmp_path, data_dir):
    first = tmp_path / "a.csv"
    first.write_text("name,L,a,b\nInk,17,0,0\n")
    import_into_user_folder(first, "Clinic A")
    os.rename(data_dir / "palettes" / "Clinic-A.json", data_dir / "palettes" / "clinic.json")
    palette = import_into_user_folder(first, "clinic")  # clinic.json is "Clinic A"'s file
    assert palette.path.name == "clinic-2.json"
    assert {p.name for p in list_palettes() if p.source == "user"} == {"Clinic A", "clinic"}


def test_core_import_pulls_in_no_qt_and_no_colormath(child_env, tmp_path):
    code = ("import sys, shadematch.palettes, shadematch.cli.palettes_command; "
            "print('PySide6' in sys.modules, 'colormath2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=child_env, cwd=tmp_path).stdout.split()
    assert out == ["False", "False"]


def test_extra_folder(tmp_path, data_dir):
    extra = tmp_path / "shared-inks"
    extra.mkdir()
    write_json(extra, valid_document(), "clinic.json")
    assert "test-palette" not in {p.name for p in list_palettes()}
    palettes = list_palettes(extra_folders=[extra, ""])
    assert {p.name: p.source for p in palettes}["test-palette"] == "user"
    assert load_palette("clinic", extra_folders=[str(extra)]).name == "test-palette"
    (problem,) = list_palette_problems(extra_folders=[tmp_path / "gone"])
    assert "does not exist" in problem.message
    # The user folder given again as an extra folder is not listed twice.
    write_json(_user_folder(data_dir), valid_document(), "twice.json")
    names = [p.name for p in list_palettes(extra_folders=[data_dir / "palettes"])]
    assert names.count("test-palette") == 1


def test_rescan_sees_a_changed_file(data_dir):
    from shadematch.palettes import scan_palettes

    folder = _user_folder(data_dir)
    doc = valid_document()
    write_json(folder, doc, "clinic.json")
    first = load_palette("clinic")
    assert load_palette("clinic") is first  # unchanged bytes: parsed once
    doc["pigments"][1]["colour"] = {"srgb_hex": "#101010"}
    write_json(folder, doc, "clinic.json")
    palettes, problems = scan_palettes()
    changed = next(p for p in palettes if p.name == "test-palette")
    assert changed.sha256 != first.sha256 and problems == []
    assert changed.entry("brown").Lab[0] < first.entry("brown").Lab[0]
