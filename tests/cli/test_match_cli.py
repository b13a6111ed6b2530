"""`shadematch match` end to end on a real photo that ships with scikit-image (the astronaut)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from shadematch.analysis_record import FORMAT_VERSION
from shadematch.cli import main

HAIR = "190,30,80,30"
SKIN = "242,110,16,14"


@pytest.fixture(scope="module")
def astronaut(tmp_path_factory):
    from skimage import data

    path = tmp_path_factory.mktemp("photos") / "astronaut.jpg"
    Image.fromarray(data.astronaut()).save(path, quality=95)
    return path


def test_json_output_has_the_documented_fields(astronaut, capsys):
    # The astronaut's brightly lit forehead (L* 79) is beyond measured skin: rank on card.
    code = main(["match", str(astronaut), "--hair", HAIR, "--skin", SKIN, "--top", "5", "--json",
                 "--card-only"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    hair = out["samples"]["hair"]["lab"]
    skin = out["samples"]["skin"]["lab"]
    # Brown hair darker than the forehead, both warm (b* > 0).
    assert hair[0] < skin[0] - 15 and hair[2] > 0 and skin[2] > 0
    assert isinstance(out["samples"]["skin"]["ita"], float)
    assert len(out["ranking"]) == 5
    assert [r["delta_e"] for r in out["ranking"]] == sorted(r["delta_e"] for r in out["ranking"])
    assert {"name", "lab", "delta_e", "card_lab", "healed_lab", "band"} <= set(out["ranking"][0])
    assert out["ranking"][0]["healed_lab"] is None and out["matching"]["basis"] == "card"
    assert any(g["code"] == "card_only" for g in out["guardrails"])
    assert out["format_version"] == FORMAT_VERSION
    assert out["matching"]["formula"] == "ciede2000"
    assert out["matching"]["palette"]["name"]
    assert out["photo"]["source_profile"]
    assert out["photo"]["sha256"] and len(out["photo"]["sha256"]) == 64


def test_a_skin_the_model_reaches_only_roughly_is_ranked_with_a_warning(astronaut, capsys):
    # The brightly lit forehead (L* 79, b* 16) is 1.2-1.5 dE00 outside the modelled skins: ranked
    # healed, with the fit error said; a white region is refused (test_bad_input_...).
    assert main(["match", str(astronaut), "--hair", HAIR, "--skin", SKIN, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    fit = out["matching"]["appearance"]["skin_fit"]["fit_delta_e"]
    assert 1.0 < fit <= 3.0 and out["matching"]["basis"] == "healed" and out["ranking"]
    (warning,) = [g for g in out["guardrails"] if g["code"] == "skin_fit_approximate"]
    assert f"{fit:.1f} dE00" in warning["message"]
    main(["match", str(astronaut), "--hair", HAIR, "--skin", "230,150,30,20", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["matching"]["appearance"]["skin_fit"]["fit_delta_e"] <= 1.0
    assert not [g for g in out["guardrails"] if g["code"] == "skin_fit_approximate"]


def test_measured_hair_matches_an_independent_computation(astronaut, capsys):
    """The CLI's hair Lab equals skimage's rgb2lab of the same pixels, after the same exclusions,
    within the tolerance of the robust statistics."""
    from skimage.color import deltaE_ciede2000, rgb2lab

    main(["match", str(astronaut), "--skin", SKIN, "--json"])
    out = json.loads(capsys.readouterr().out)
    pixels = np.asarray(Image.open(astronaut).convert("RGB"))[110:124, 242:258].reshape(-1, 3)
    lab = rgb2lab(pixels[None].astype(np.uint8))[0]
    centre = np.median(lab, axis=0)
    assert deltaE_ciede2000(centre, np.array(out["samples"]["skin"]["lab"])) < 1.5


def test_plain_output_is_a_table(astronaut, capsys):
    code = main(["match", str(astronaut), "--hair", HAIR, "--formula", "cie94", "--top", "3",
                 "--card-only"])
    text = capsys.readouterr().out
    assert code == 0
    assert "Ranking against hair with CIE94" in text and "ON CARD ONLY" in text
    assert "not calibrated" in text
    assert text.count("\n   ") >= 3


def test_pick_and_notes_are_recorded(astronaut, capsys):
    main(["match", str(astronaut), "--hair", HAIR, "--json", "--top", "3", "--card-only"])
    first = json.loads(capsys.readouterr().out)["ranking"][0]["id"]
    main(["match", str(astronaut), "--hair", HAIR, "--json", "--pick", first, "--notes", "n1",
          "--card-only"])
    out = json.loads(capsys.readouterr().out)
    assert out["picks"]["primary"]["entry_id"] == first and out["notes"] == "n1"


@pytest.mark.parametrize("args, needle", [
    (["match", "/nonexistent/photo.jpg", "--hair", HAIR], "photo.jpg"),
    (["match", "{photo}", "--hair", "1,2,3"], "region"),
    (["match", "{photo}"], "no region"),
    (["match", "{photo}", "--hair", "900,900,10,10"], "outside"),
    (["match", "{photo}", "--hair", HAIR, "--palette", "no-such-palette"], "no-such-palette"),
    (["match", "{photo}", "--hair", HAIR, "--top", "0"], "--top"),
    (["match", "{photo}", "--hair", HAIR, "--formula", "cie3000"], "formula"),
    (["match", "{photo}", "--hair", HAIR, "--pick", "nope", "--card-only"], "nope"),
    # a "skin" region on the white suit is beyond the skin model: said, naming the Lab
    (["match", "{photo}", "--hair", HAIR, "--skin", "300,200,40,20"], "L* 87.1"),
    (["match", "{photo}", "--hair", HAIR], "no skin region"),
    (["match", "{photo}", "--hair", HAIR, "--skin", SKIN, "--fade-years", "nan"], "--fade-years"),
    (["match", "{photo}", "--skin", SKIN, "--target", "skin"], "--card-only"),
])
def test_bad_input_exits_non_zero_with_one_clear_line(astronaut, args, needle, child_env,
                                                     tmp_path):
    argv = [a.replace("{photo}", str(astronaut)) for a in args]
    proc = subprocess.run([sys.executable, "-m", "shadematch", *argv], capture_output=True,
                          text=True, timeout=120, env=child_env, cwd=tmp_path)
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert needle in err


def test_version_and_help(child_env, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "shadematch", "--version"], capture_output=True,
                          text=True, timeout=60, env=child_env, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("shadematch ")
    proc = subprocess.run([sys.executable, "-m", "shadematch", "match", "--help"],
                          capture_output=True, text=True, timeout=60, env=child_env, cwd=tmp_path)
    assert proc.returncode == 0 and "--hair" in proc.stdout


def test_library_warnings_do_not_come_before_the_one_line_error(tmp_path, capsys, monkeypatch):
    """(issue 16) A library's warning during a command is not printed to the practitioner."""
    import warnings

    from shadematch.cli import main, match_command

    def noisy(args):
        warnings.warn("TIFFReadDirectory: Unknown field with tag 33723", UserWarning,
                      stacklevel=1)
        from shadematch.errors import ShadematchError

        raise ShadematchError("photo.tif could not be read")

    monkeypatch.setattr(match_command, "run", noisy)
    import sys

    with warnings.catch_warnings():
        # as outside pytest: a warning is written to stderr (pytest would otherwise record it)
        warnings.simplefilter("always")
        warnings.showwarning = lambda message, category, *a, **k: sys.stderr.write(
            f"{category.__name__}: {message}\n")
        code = main(["match", "photo.tif", "--hair", "1,1,2,2"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().splitlines() == ["shadematch: error: photo.tif could not be read"]
