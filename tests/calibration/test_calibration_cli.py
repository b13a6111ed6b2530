"""`shadematch match --chart ...` end to end: the calibration reaches the samples and the JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest
from calib_synth import dE00, render_chart
from PIL import Image

from shadematch.calibration import chart_reference, format_corners, patch_centres
from shadematch.cli import main


@pytest.fixture(scope="module")
def warm_chart_photo(tmp_path_factory):
    img, corners = render_chart(cast="warm", tone="gamma1.8", exposure=0.8, noise=0.02, pitch=80)
    path = tmp_path_factory.mktemp("chart") / "chart.png"
    Image.fromarray(img).save(path)
    return path, corners


def _light_skin_region(corners) -> str:
    x, y = patch_centres(corners)[1]
    return f"{int(x) - 12},{int(y) - 12},24,24"


def test_match_with_chart_measures_light_skin_right(warm_chart_photo, capsys):
    path, corners = warm_chart_photo
    region = _light_skin_region(corners)
    # Only skin is marked: no ranking (exit 1, said on stderr), but the skin is measured.
    assert main(["match", str(path), "--skin", region, "--json"]) == 1
    raw = json.loads(capsys.readouterr().out)
    assert main(["match", str(path), "--skin", region, "--chart", "colorchecker24",
                 "--chart-corners", format_corners(corners), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    ref = chart_reference().Lab[1]
    assert raw["calibration"] is None
    assert dE00(raw["samples"]["skin"]["lab"], ref) > 8.0
    assert dE00(out["samples"]["skin"]["lab"], ref) < 2.0
    cal = out["calibration"]
    assert cal["chart"] == "colorchecker24" and cal["model"] in cal["candidates"]
    assert cal["mean_delta_e"] < 1.5 and cal["max_delta_e"] >= cal["mean_delta_e"]
    assert len(cal["patches"]) == 24 and "transform" in cal


def test_match_with_bad_corners_says_what_to_do(warm_chart_photo, capsys):
    path, corners = warm_chart_photo
    mirrored = [corners[0], corners[3], corners[2], corners[1]]
    code = main(["match", str(path), "--skin", _light_skin_region(corners), "--chart",
                 "colorchecker24", "--chart-corners", format_corners(mirrored)])
    err = capsys.readouterr().err
    assert code != 0
    assert "mirror" in err and "dark skin, bluish green, black, white" in err
    code = main(["match", str(path), "--skin", _light_skin_region(corners), "--chart",
                 "colorchecker24", "--chart-corners", "1,2;3,4"])
    assert code != 0 and "need exactly 4" in capsys.readouterr().err


def test_match_with_grey_card_region(tmp_path, capsys):
    img, corners = render_chart(cast="cool", tone="srgb", exposure=0.8, noise=0.01, pitch=80)
    path = tmp_path / "card.png"
    Image.fromarray(img).save(path)
    x, y = np.round(patch_centres(corners)[21]).astype(int)  # neutral 5 (L* 50.8) as the card
    assert main(["match", str(path), "--skin", _light_skin_region(corners), "--chart", "greycard",
                 "--chart-region", f"{x - 15},{y - 15},30,30", "--json"]) == 1  # no hair: no ranking
    out = json.loads(capsys.readouterr().out)
    assert out["calibration"]["model"] == "white-balance"
    lab = out["samples"]["skin"]["lab"]
    # White balance alone: the cool cast's b* shift is gone, within a few units of the truth.
    assert dE00(lab, chart_reference().Lab[1]) < 6.0
