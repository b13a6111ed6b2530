"""``shadematch report`` end to end: from a photo (measured now) and from a saved session."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from report_fixtures import astronaut_rgb

from shadematch.cli import main


@pytest.fixture
def astronaut():
    return astronaut_rgb()


REGIONS = ["--hair", "170,20,120,50", "--skin", "200,130,80,40"]


@pytest.fixture
def photo(tmp_path, astronaut) -> Path:
    from PIL import Image

    path = tmp_path / "astronaut.png"
    Image.fromarray(astronaut).save(path)
    return path


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def _match_json(photo: Path, capsys, *extra: str) -> dict:
    capsys.readouterr()
    assert main(["match", str(photo), *REGIONS, "--top", "5", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_report_from_a_photo(photo, tmp_path, capsys):
    record = _match_json(photo, capsys)
    names = [e["pigment_name"] for e in record["ranking"]]
    pick = record["ranking"][1]["id"]
    out = tmp_path / "out.pdf"
    code = main(["report", str(photo), *REGIONS, "--top", "5", "--client", "Zoë Ó Súilleabháin",
                 "--practitioner", "Sam", "--notes", "Keep the temples soft.", "--pick", pick,
                 "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Report written" in captured.out
    text = _text(out)
    assert "Zoë Ó Súilleabháin" in text and "CIEDE2000" in text
    assert "Keep the temples soft." in text
    for name in names:
        assert name in text
    chosen = text.split("CHOSEN SHADE", 1)[1][:80]
    assert record["ranking"][1]["pigment_name"] in chosen
    assert f"Dilution {record['ranking'][1]['dilution']}" in chosen


def test_existing_output_needs_force(photo, tmp_path, capsys):
    out = tmp_path / "OUT.pdf"
    out.write_bytes(b"old")
    code = main(["report", str(photo), *REGIONS, "-o", str(out)])
    assert code == 1
    assert "OUT.pdf already exists: use --force to replace it" in capsys.readouterr().err
    assert out.read_bytes() == b"old"
    assert main(["report", str(photo), *REGIONS, "-o", str(out), "--force"]) == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_report_from_a_session(photo, tmp_path, capsys):
    from shadematch.sessions import save_session

    record = _match_json(photo, capsys, "--notes", "Session note: 王小明 prefers cooler.")
    session = save_session(tmp_path / "visit.shadematch", record)
    out = tmp_path / "visit.pdf"
    code = main(["report", str(session), "--client", "王小明", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    text = _text(out)
    assert "Session note: 王小明 prefers cooler." in text
    assert record["ranking"][0]["pigment_name"] in text

    # The photo moved: a clear error naming --photo, then it works with --photo.
    moved = tmp_path / "moved" / "astronaut.png"
    moved.parent.mkdir()
    shutil.move(photo, moved)
    out2 = tmp_path / "visit2.pdf"
    capsys.readouterr()
    assert main(["report", str(session), "-o", str(out2)]) == 1
    assert "--photo" in capsys.readouterr().err
    assert not out2.exists()
    assert main(["report", str(session), "--photo", str(moved), "-o", str(out2)]) == 0
    # Or without the photo at all: the saved measurements, and a note in the photo's place.
    out3 = tmp_path / "visit3.pdf"
    assert main(["report", str(session), "--without-photo", "-o", str(out3)]) == 0
    text3 = _text(out3)
    assert "Photo not available" in text3 and record["ranking"][0]["pigment_name"] in text3
    assert not PdfReader(out3).pages[0].images


def test_session_with_region_options_is_refused(photo, tmp_path, capsys):
    from shadematch.sessions import save_session

    session = save_session(tmp_path / "visit.shadematch", _match_json(photo, capsys))
    assert main(["report", str(session), "--hair", "1,1,5,5", "-o", str(tmp_path / "x.pdf")]) == 1
    assert "give PHOTO instead of a session" in capsys.readouterr().err


def test_missing_output_folder_fails_before_measuring(photo, tmp_path, capsys):
    code = main(["report", str(photo), *REGIONS, "-o", str(tmp_path / "no" / "r.pdf")])
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


# -- the demo session (what a new user reports first) -------------------------------------------
def _ranked_as_the_app_shows(session: Path) -> tuple[list[dict], str]:
    """The ranking the desktop application's model saves for a session (default palette), and
    why there is none when there is none."""
    from shadematch.palettes import load_palette
    from shadematch.sessions import read_session
    from shadematch.workspace import Workspace

    workspace = Workspace(auto_measure=False)
    workspace.set_palette(load_palette(None))  # what the matching panel loads at start
    workspace.from_analysis(read_session(session), photo=None)
    record = workspace.to_dict()
    return record["ranking"], record["matching"]["appearance"].get("problem", "")


def _assert_ranking_printed(text: str, ranking: list[dict]) -> None:
    for entry in ranking[:3]:
        assert entry["pigment_name"] in text and entry["dilution"] in text
    assert "No palette was matched" not in text


def test_report_of_the_demo_session_has_the_apps_ranking(tmp_path, capsys, monkeypatch):
    from shadematch.demo import prepare_demo_session

    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "data"))
    session = prepare_demo_session(tmp_path / "demo")
    saved = json.loads(session.read_text("utf-8"))
    out = tmp_path / "demo.pdf"
    code = main(["report", str(session), "-o", str(out)])
    capsys.readouterr()
    assert code == 0
    ranking, problem = _ranked_as_the_app_shows(session)
    assert [e["id"] for e in ranking] == [e["id"] for e in saved["ranking"]]
    text = _text(out)
    if ranking:
        _assert_ranking_printed(text, ranking)
    else:  # the demo's skin is outside the skin model (see the lead's notes): the report says so
        assert problem and " ".join(problem.split())[:60] in text


def test_a_session_saved_before_the_palettes_loaded_is_ranked_as_the_app_shows_it(
        photo, tmp_path, capsys, monkeypatch):
    """The first-run demo used to be saved before the palettes had loaded: no palette, no
    ranking. The app ranks its samples against the default palette; so does the report."""
    from shadematch.imaging import load_photo
    from shadematch.sessions import save_session
    from shadematch.workspace import Workspace

    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "data"))
    regions = [{"id": "r1", "class": "hair", "shape": "rect",
                "params": {"x": 170, "y": 20, "w": 120, "h": 50}},
               {"id": "r2", "class": "skin", "shape": "rect",
                "params": {"x": 200, "y": 130, "w": 80, "h": 40}}]
    workspace = Workspace(auto_measure=True)  # no palette yet
    workspace.set_photo(load_photo(photo), regions=regions)
    record = workspace.to_dict()
    assert record["samples"] and not record["ranking"] and record["matching"]["palette"] is None
    session = save_session(tmp_path / "astronaut.shadematch", record, workspace.settings())

    out = tmp_path / "old-demo.pdf"
    code = main(["report", str(session), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "no ranking" not in err and "could not be ranked" not in err
    assert "saved without a ranking" in err and "smp-undertones-modelled" in err
    ranking, _ = _ranked_as_the_app_shows(session)
    assert ranking
    _assert_ranking_printed(_text(out), ranking)

    # Another palette for the saved samples, and a pick from it.
    out2 = tmp_path / "carbon.pdf"
    code = main(["report", str(session), "--palette", "carbon-black-dilution-modelled",
                 "--pick", "carbon-black@4:1", "-o", str(out2)])
    assert code == 0, capsys.readouterr().err
    text = _text(out2)
    assert "carbon-black-dilution-modelled" in text
    assert "CHOSEN SHADE" in text and "Carbon Black" in text.split("CHOSEN SHADE", 1)[1][:80]


def test_a_report_without_the_target_sample_says_why(photo, tmp_path, capsys):
    out = tmp_path / "skin-only.pdf"
    code = main(["report", str(photo), "--skin", "200,130,80,40", "--target", "hair",
                 "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0
    assert "no ranking: no hair region is marked" in err
    assert "No palette was matched: no hair region is marked" in _text(out)


def test_output_name_must_be_a_pdf(photo, tmp_path, capsys):
    """-o out.txt is refused before measuring; a bare name gets .pdf, and it is said."""
    code = main(["report", str(photo), *REGIONS, "-o", str(tmp_path / "out.txt")])
    err = capsys.readouterr().err
    assert code == 1 and "the report is a PDF" in err and "-o out.pdf" in err
    assert not (tmp_path / "out.txt").exists() and not (tmp_path / "out.pdf").exists()

    code = main(["report", str(photo), *REGIONS, "-o", str(tmp_path / "bare")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"writing {tmp_path / 'bare.pdf'}" in captured.err
    assert (tmp_path / "bare.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "bare").exists()
    assert main(["report", str(photo), *REGIONS, "-o", str(tmp_path / "UPPER.PDF")]) == 0


@pytest.mark.parametrize("command", ["match", "report"])
def test_help_names_the_default_palette(command, capsys):
    from shadematch.palettes import DEFAULT_PALETTE_NAME

    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default {DEFAULT_PALETTE_NAME})" in text


def test_copy_both_writes_a_plain_client_copy_and_a_full_practitioner_copy(photo, tmp_path,
                                                                           capsys):
    pick = _match_json(photo, capsys)["ranking"][0]["id"]
    out = tmp_path / "zoe.pdf"
    code = main(["report", str(photo), *REGIONS, "--client", "Zoë", "--copy", "both", "--pick", pick,
                 "--visit", "Session 2", "--batch", "LOT-4471",
                 "--clinic-phone", "+353 1 555 0100", "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    client, practitioner = tmp_path / "zoe client.pdf", tmp_path / "zoe practitioner.pdf"
    assert not out.exists() and captured.out.count("Report written") == 2
    plain, full = _text(client), _text(practitioner)
    for word in ("ΔE", "CIEDE2000", "L*", "Lab", "nacceptable"):
        assert word not in plain, word
    for word in ("ΔE", "CIEDE2000", "L*"):
        assert word in full, word
    assert "CHOSEN SHADE" in plain and "parts water" in plain
    assert "call +353 1 555 0100" in plain and "Client's copy" in plain
    assert "Practitioner's copy" in full
    assert "Session 2" in full and "LOT-4471" in full and "LOT-4471" not in plain
    # Both destinations are checked before anything is measured or written.
    practitioner.write_bytes(b"old")
    client.unlink()
    assert main(["report", str(photo), *REGIONS, "--copy", "both", "-o", str(out)]) == 1
    assert "zoe practitioner.pdf already exists" in capsys.readouterr().err
    assert not client.exists()
