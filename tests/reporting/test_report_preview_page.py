"""The report's consultation-preview page: before, first session and final plan, healed."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "preview"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "color"))

import io
import json

import numpy as np
import pytest
from PIL import Image
from test_preview_cli import AREA, HAIR, SCALE, SKIN, make_scalp_file  # noqa: E402

from shadematch.cli import main


@pytest.fixture(scope="module")
def scalp_file(tmp_path_factory):
    return make_scalp_file(tmp_path_factory.mktemp("scalp") / "scalp.png")


def _record(scalp_file, tmp_path, capsys, with_design=True):
    design = tmp_path / "design.json"
    argv = ["match", str(scalp_file), "--hair", HAIR, "--skin", SKIN, "--json"]
    if with_design:
        assert main(["preview", str(scalp_file), "--hair", HAIR, "--skin", SKIN, "--area", AREA,
                     "--scale", str(SCALE), "-o", str(tmp_path / "p.png"),
                     "--save-design", str(design)]) == 0
        argv += ["--treatment", str(design)]
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_a_record_with_a_design_gets_the_preview_page(scalp_file, tmp_path, capsys):
    from shadematch.reporting.builder import render_report
    from shadematch.reporting.preview_page import preview_images

    with Image.open(scalp_file) as im:
        photo = np.asarray(im.convert("RGB"))
    with_design = _record(scalp_file, tmp_path, capsys)
    without = _record(scalp_file, tmp_path, capsys, with_design=False)
    images = preview_images(with_design, photo)
    assert images is not None and images.size == (600, 400)
    before = np.asarray(Image.open(io.BytesIO(images.before)), dtype=float)
    final = np.asarray(Image.open(io.BytesIO(images.final)), dtype=float)
    first = np.asarray(Image.open(io.BytesIO(images.first)), dtype=float)
    inside = (slice(205, 375), slice(245, 575))
    darkening = before[inside].mean() - final[inside].mean()
    assert darkening > 2 and before[inside].mean() - first[inside].mean() < darkening
    assert np.abs(before[:180] - final[:180]).max() < 12      # outside the area: JPEG noise only
    assert preview_images(without, photo) is None
    assert preview_images(with_design, None) is None
    pages_with = render_report(with_design, photo).pages
    pages_without = render_report(without, photo).pages
    assert pages_with == pages_without + 1


def test_a_design_that_cannot_be_drawn_leaves_the_page_out(scalp_file, tmp_path, capsys):
    from shadematch.reporting.builder import render_report

    record = _record(scalp_file, tmp_path, capsys)
    record["treatment"]["pixels_per_mm"] = None
    with Image.open(scalp_file) as im:
        photo = np.asarray(im.convert("RGB"))
    assert render_report(record, photo).pages == render_report(
        _record(scalp_file, tmp_path, capsys, with_design=False), photo).pages
