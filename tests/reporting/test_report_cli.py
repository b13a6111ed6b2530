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
    names = [e["name"] for e in record["ranking"]]
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
    assert record["ranking"][1]["name"] in chosen


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
    assert record["ranking"][0]["name"] in text

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
    assert "Photo not available" in text3 and record["ranking"][0]["name"] in text3
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
