"""``shadematch preview`` end to end on a synthetic shaved scalp with known follicles."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "color"))

import json

import numpy as np
import pytest
from PIL import Image
from synthetic_scalp import FOLLICLE_DARK, SKIN_TONES, scalp_photo  # noqa: E402

from shadematch.cli import main

SCALE = 10.0                    # px per mm: 3 px radius dots are 0.6 mm follicles
HAIR = "20,20,200,200"
SKIN = "320,40,120,120"
AREA = "240,200,340,180"


def make_scalp_file(path):
    """A 600 x 400 scalp: bare skin everywhere, a 200 x 200 patch of stubble top left."""
    skin = SKIN_TONES["medium"]
    rng = np.random.default_rng(4)
    canvas = np.clip(np.asarray(skin) + rng.normal(0, 2.0, (400, 600, 3)), 1, 254)
    canvas = np.round(canvas).astype(np.uint8)
    canvas[20:220, 20:220] = scalp_photo(skin, FOLLICLE_DARK, coverage=0.15, radius=3.0,
                                         size=200, seed=3)
    Image.fromarray(canvas).save(path)
    return path


@pytest.fixture(scope="module")
def scalp_file(tmp_path_factory):
    return make_scalp_file(tmp_path_factory.mktemp("scalp") / "scalp.png")


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _match(capsys, photo):
    code, out, err = _run(capsys, "match", photo, "--hair", HAIR, "--skin", SKIN, "--json",
                          "--top", "50")
    assert code == 0, err
    return json.loads(out)


def test_the_preview_draws_the_best_healed_shade_into_the_area_only(scalp_file, tmp_path,
                                                                    capsys):
    out_path = tmp_path / "preview.png"
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "--scale", SCALE, "-o", out_path, "--json")
    assert code == 0, err
    info = json.loads(out)
    record = _match(capsys, scalp_file)
    best = record["ranking"][0]
    assert info["entry_id"] == best["id"]
    assert info["dot_lab"] == pytest.approx(best["healed_lab"], abs=0.05)
    with Image.open(out_path) as im:
        assert im.size == (600, 400)
        assert im.info.get("icc_profile")
        drawn = np.asarray(im.convert("RGB"))
    with Image.open(scalp_file) as im:
        photo = np.asarray(im.convert("RGB"))
    inside = np.zeros(photo.shape[:2], bool)
    inside[200:380, 240:580] = True
    assert np.array_equal(drawn[~inside], photo[~inside])
    assert np.any(drawn[inside] != photo[inside])
    assert info["dots"] == pytest.approx(info["expected_dots"], rel=0.15)


def test_text_output_names_the_shade_and_says_it_is_a_prediction(scalp_file, tmp_path,
                                                                 capsys):
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "--scale-line", "100,390,300,390:20",
                          "-o", tmp_path / "p.jpg", "--stage", "fresh")
    assert code == 0, err
    assert "fresh" in out and "dots of 0.4 mm" in out and "prediction" in out
    assert (tmp_path / "p.jpg").stat().st_size > 0


def test_a_chosen_shade_and_the_first_session(scalp_file, tmp_path, capsys):
    record = _match(capsys, scalp_file)
    chosen = record["ranking"][2]["id"]
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "--scale", SCALE, "-o", tmp_path / "a.png", "--json",
                          "--shade", chosen)
    assert code == 0, err
    assert json.loads(out)["entry_id"] == chosen
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "--scale", SCALE, "-o", tmp_path / "b.png", "--json",
                          "--session", "1")
    assert code == 0, err
    first = json.loads(out)
    assert first["entry_id"] == record["plan"]["first_session"]["entry_id"]
    assert first["density_per_cm2"]["asked"] == pytest.approx(0.6 * 50)


def test_density_match_uses_the_clients_own_follicle_density(scalp_file, tmp_path, capsys):
    from synthetic_scalp import truth_dots

    _, count = truth_dots(200, 0.15, 3.0, seed=3)
    truth = count / (200 * 200 / (10 * SCALE) ** 2)
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "--scale", SCALE, "-o", tmp_path / "m.png", "--json",
                          "--density", "match")
    assert code == 0, err
    asked = json.loads(out)["density_per_cm2"]["asked"]
    assert asked == pytest.approx(truth, rel=0.2)


@pytest.mark.parametrize("extra, words", [
    ([], "has no scale"),
    (["--scale", "10", "--shade", "no-such@1:1"], "shade 'no-such@1:1' is not in palette"),
    (["--scale", "10", "--density", "400", "--dot-mm", "0.6"], "at most 177 per cm2"),
    (["--scale", "10", "--density", "lots"], "is not a number of dots per cm2"),
])
def test_bad_requests_say_what_to_do(scalp_file, tmp_path, capsys, extra, words):
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "-o", tmp_path / "x.png", *extra)
    assert code == 1
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()


def test_missing_regions_and_a_wrong_output_name(scalp_file, tmp_path, capsys):
    base = ["preview", scalp_file, "--scale", SCALE]
    code, _, err = _run(capsys, *base, "--hair", HAIR, "--skin", SKIN, "-o", tmp_path / "x.png")
    assert code == 1 and "no treatment area" in err
    code, _, err = _run(capsys, *base, "--skin", SKIN, "--area", AREA, "-o", tmp_path / "x.png")
    assert code == 1 and "no hair region" in err
    code, _, err = _run(capsys, *base, "--hair", HAIR, "--area", AREA, "-o", tmp_path / "x.png")
    assert code == 1 and "no skin region" in err
    code, _, err = _run(capsys, *base, "--hair", HAIR, "--skin", SKIN, "--area", AREA,
                        "-o", tmp_path / "x.pdf")
    assert code == 1 and "name it .png, .jpg or .tif" in err
    before = scalp_file.read_bytes()
    code, _, err = _run(capsys, *base, "--hair", HAIR, "--skin", SKIN, "--area", AREA,
                        "-o", scalp_file)
    assert code == 1 and "never overwritten" in err
    assert scalp_file.read_bytes() == before
    with pytest.raises(SystemExit) as info:
        main(["preview", str(scalp_file), "--scale-line", "1,2,3:10", "-o", "x.png"])
    assert info.value.code == 2
    assert "x1,y1,x2,y2:MM" in capsys.readouterr().err
