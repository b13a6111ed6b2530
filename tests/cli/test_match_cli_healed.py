"""`shadematch match` ranking by predicted healed colour, on generated photos of known colours."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from shadematch.analysis_record import FORMAT_VERSION
from shadematch.cli import main
from shadematch.color.conversion import Lab_to_sRGB

HAIR = "10,10,60,60"
SKIN = "100,10,60,60"
SCAR = "10,100,60,60"


def _photo(path, hair_Lab, skin_Lab, scar_Lab=(70.0, 14.0, 12.0)):
    """A 180 x 180 PNG with flat hair, skin and scar patches (sRGB 8-bit)."""
    image = np.zeros((180, 180, 3), dtype=np.uint8)
    for (x, y), Lab in (((10, 10), hair_Lab), ((100, 10), skin_Lab), ((10, 100), scar_Lab)):
        rgb, _ = Lab_to_sRGB(np.array(Lab, dtype=np.float64))
        image[y:y + 60, x:x + 60] = np.clip(np.round(np.asarray(rgb) * 255), 0, 255)
    Image.fromarray(image).save(path)
    return path


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("healed")
    return {
        "light": _photo(folder / "light.png", (42.0, 3.0, 6.0), (65.3, 9.2, 14.5)),
        "brown": _photo(folder / "brown.png", (42.0, 3.0, 6.0), (49.0, 11.2, 18.6)),
    }


def _json(argv, capsys):
    code = main(argv + ["--json"])
    return code, json.loads(capsys.readouterr().out)


def test_healed_ranking_json_carries_the_new_fields(photos, capsys):
    code, out = _json(["match", str(photos["light"]), "--hair", HAIR, "--skin", SKIN,
                       "--palette", "smp-undertones-modelled", "--top", "5"], capsys)
    assert code == 0
    assert out["format_version"] == FORMAT_VERSION and out["matching"]["basis"] == "healed"
    first = out["ranking"][0]
    for key in ("healed_lab", "fresh_lab", "faded_lab", "card_lab"):
        assert len(first[key]) == 3
    assert first["lab"] == first["healed_lab"]
    assert first["fresh_lab"][0] <= first["healed_lab"][0] <= first["faded_lab"][0]
    assert first["band"] in ("matches", "close", "visible difference")
    fit = out["matching"]["appearance"]["skin_fit"]
    assert fit["fit_delta_e"] <= 1.0
    assert out["plan"]["sessions"][0]["number"] == 1 and len(out["plan"]["sessions"]) == 3
    assert "unacceptable" not in json.dumps(out)


def test_same_hair_on_light_and_brown_skin_gets_different_dilutions(photos, capsys):
    picks = {}
    for name in ("light", "brown"):
        _, out = _json(["match", str(photos[name]), "--hair", HAIR, "--skin", SKIN,
                        "--palette", "carbon-black-dilution-modelled"], capsys)
        picks[name] = out["ranking"][0]["id"]
    assert picks["light"] != picks["brown"]


def test_scar_target_uses_the_scar_tissue_as_skin_and_plans_a_scar_recipe(photos, capsys):
    code, out = _json(["match", str(photos["light"]), "--hair", HAIR, "--skin", SKIN,
                       "--scar", SCAR, "--palette", "carbon-black-dilution-modelled"], capsys)
    assert code == 0
    scar = out["plan"]["scar"]
    assert scar is not None and scar["skin_lab"][0] > 68
    assert scar["recipe"]["healed_lab"][0] >= scar["final"]["healed_lab"][0]
    code, on_scar = _json(["match", str(photos["light"]), "--hair", HAIR, "--scar", SCAR,
                           "--target", "scar"], capsys)
    assert code == 0 and on_scar["matching"]["area"] == "scar"
    assert on_scar["matching"]["target"] == "hair"


def test_plain_output_shows_healed_and_card_and_the_plan(photos, capsys):
    code = main(["match", str(photos["light"]), "--hair", HAIR, "--skin", SKIN, "--top", "3"])
    text = capsys.readouterr().out
    assert code == 0
    assert "predicted HEALED colour" in text and "healed L*a*b*" in text and "on card" in text
    assert "Session plan" in text and "session 1:" in text
    assert "a prediction, to be checked against your own healed results" in text


def _palette_file(tmp_path, pigment_extra: dict, version: int = 2):
    doc = {"format_version": version, "name": "bad", "version": "1", "pigments": [
        {"id": "ink", "name": "Ink", "colour": {"lab": [18, 0, 0], "illuminant": "D65"},
         **pigment_extra}]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("extra, needle", [
    ({}, "'ink' has no optical properties"),
    ({"optics": {"carbon": 1}, "dilutions": [{"water_parts": 4, "pigment_parts": 0,
                                              "colour": {"lab": [40, 0, 0],
                                                         "illuminant": "D65"}}]},
     "pigment_parts"),
    ({"optics": {"carbon": 1}, "dilutions": [{"water_parts": -2, "colour": {
        "lab": [40, 0, 0], "illuminant": "D65"}}]}, "water_parts"),
    ({"optics": {"carbon": float("nan")}}, "optics.carbon"),
])
def test_bad_palette_input_is_one_clear_line(photos, tmp_path, extra, needle):
    palette = _palette_file(tmp_path, extra)
    proc = subprocess.run([sys.executable, "-m", "shadematch", "match", str(photos["light"]),
                           "--hair", HAIR, "--skin", SKIN, "--palette", str(palette)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert needle in err
