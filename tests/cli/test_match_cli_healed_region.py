"""`shadematch match --healed R`: healed SMP at a follow-up measured as stubble is (dot colour,
coverage, density), in the JSON record (format 3) and the text output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "color"))
from synthetic_scalp import FOLLICLE_DARK, SKIN_TONES, dot_alpha, truth_Lab  # noqa: E402

from shadematch.analysis_record import FORMAT_VERSION, Analysis  # noqa: E402
from shadematch.cli import main  # noqa: E402
from shadematch.color import linear_to_sRGB, sRGB_to_linear  # noqa: E402

SKIN = SKIN_TONES["light"]
HEALED = (92, 96, 110)          # a healed, slightly blue-grey SMP dot
SIZE = 200


def _dots(colour, coverage, radius, seed):
    alpha = dot_alpha(SIZE, coverage, radius, seed)[..., None]
    lin = (1 - alpha) * sRGB_to_linear(np.asarray(SKIN) / 255.0) + \
        alpha * sRGB_to_linear(np.asarray(colour) / 255.0)
    return lin


def _photo(path: Path) -> Path:
    rng = np.random.default_rng(4)
    lin = np.concatenate([_dots(FOLLICLE_DARK, 0.15, 3.0, 1),        # x 0..199: stubble
                          _dots(HEALED, 0.30, 4.0, 2),               # x 200..399: healed SMP
                          np.broadcast_to(sRGB_to_linear(np.asarray(SKIN) / 255.0),
                                          (SIZE, SIZE, 3))], axis=1)  # x 400..599: skin
    rgb = np.clip(linear_to_sRGB(lin) * 255 + rng.normal(0, 1.5, lin.shape), 0, 255)
    Image.fromarray(rgb.round().astype(np.uint8)).save(path)
    return path


def test_healed_region_reports_dot_colour_and_coverage(tmp_path, capsys):
    photo = _photo(tmp_path / "follow-up.png")
    args = ["match", str(photo), "--hair", "10,10,180,180", "--healed", "210,10,180,180",
            "--skin", "410,10,180,180"]
    main([*args, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["format_version"] == FORMAT_VERSION == 3
    assert "healed" in [r["class"] for r in out["regions"]]
    healed = out["samples"]["healed"]
    # the dot cores, not the mix of dots and skin: within a few dE of the painted colour
    dL = healed["lab"][0] - truth_Lab(HEALED)[0]
    assert abs(dL) < 6, healed["lab"]
    assert healed["lab"][0] < out["samples"]["skin"]["lab"][0] - 25
    coverage = healed["follicles"]["coverage_percent"]
    assert 20 < coverage < 40, coverage
    assert healed["follicles"]["dot_count"] > 10
    # the record reads back as a typed analysis with the healed sample
    assert Analysis.from_dict(out).samples["healed"].follicles is not None
    main(args)
    text = capsys.readouterr().out
    assert "healed SMP dots cover" in text and "density needs the photo's scale" in text


def test_a_format_2_record_is_upgraded_and_newer_ones_refused():
    from shadematch.analysis_record import upgrade
    from shadematch.errors import ShadematchError

    record = json.loads((Path(__file__).resolve().parents[1] / "data" / "records" /
                         "cli_healed.json").read_text())
    assert record["format_version"] == 2
    assert upgrade(record)["format_version"] == 3
    try:
        upgrade({**record, "format_version": 4})
    except ShadematchError as exc:
        assert "newer shadematch" in str(exc)
    else:
        raise AssertionError("a format-4 record was read")
