"""JPEG chroma subsampling and quality in the photo info, and the warnings they lead to."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "color"))
from synthetic_scalp import scalp_photo  # noqa: E402

from shadematch.imaging import load_photo  # noqa: E402


@pytest.mark.parametrize("subsampling, name", [(0, "4:4:4"), (1, "4:2:2"), (2, "4:2:0")])
@pytest.mark.parametrize("quality", [40, 75, 95])
def test_photo_info_has_subsampling_and_quality(tmp_path, subsampling, name, quality):
    path = tmp_path / "p.jpg"
    rgb = np.random.default_rng(0).integers(0, 255, (64, 64, 3)).astype(np.uint8)
    Image.fromarray(rgb).save(path, quality=quality, subsampling=subsampling)
    info = load_photo(path).info()
    assert info["chroma_subsampling"] == name
    assert abs(info["jpeg_quality"] - quality) <= 1


def test_png_info_has_no_jpeg_keys(tmp_path):
    path = tmp_path / "p.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path)
    info = load_photo(path).info()
    assert "chroma_subsampling" not in info and "jpeg_quality" not in info




@pytest.mark.parametrize("subsampling, warned", [(2, True), (0, False)])
def test_hair_on_a_420_phone_jpeg_warns_chroma_unreliable(tmp_path, subsampling, warned):
    from shadematch.analysis import measure_regions
    from shadematch.imaging.regions import Region

    path = tmp_path / "scalp.jpg"
    Image.fromarray(scalp_photo(coverage=0.15, radius=2.0, size=300)).save(
        path, quality=90, subsampling=subsampling)
    photo = load_photo(path)
    regions = [Region("hair", "rect", {"x": 0, "y": 0, "w": 150, "h": 300}),
               Region("skin", "rect", {"x": 150, "y": 0, "w": 150, "h": 300})]
    samples, problems = measure_regions(photo.rgb, regions, photo_info=photo.info())
    assert not problems
    codes = {w["code"] for w in samples["hair"].warnings}
    assert ("chroma_unreliable" in codes) == warned
    assert "chroma_unreliable" not in {w["code"] for w in samples["skin"].warnings}
    # 4:2:0: the follicle chroma is recovered from block means (shadematch.color.
    # chroma_subsampling) and the warning says it is approximate
    assert samples["hair"].separation_method == ("skin sample, chroma from blocks" if warned
                                                 else "skin sample")


def test_analyse_passes_photo_info_and_scale(tmp_path):
    from shadematch.analysis import Analysis, analyse
    from shadematch.imaging.regions import Region
    from shadematch.palettes import DEFAULT_PALETTE_NAME, load_palette

    path = tmp_path / "scalp.jpg"
    Image.fromarray(scalp_photo(coverage=0.15, radius=2.0, size=300)).save(
        path, quality=90, subsampling=2)
    regions = [Region("hair", "rect", {"x": 0, "y": 0, "w": 150, "h": 300}),
               Region("skin", "rect", {"x": 150, "y": 0, "w": 150, "h": 300})]
    result = analyse(load_photo(path), regions, load_palette(DEFAULT_PALETTE_NAME),
                     pixels_per_mm=15.0)
    record = result.to_dict()
    assert record["photo"]["chroma_subsampling"] == "4:2:0"
    hair = record["samples"]["hair"]
    assert "chroma_unreliable" in {w["code"] for w in hair["warnings"]}
    assert hair["follicles"]["pixels_per_mm"] == 15.0
    assert hair["follicles"]["density_per_cm2"] > 0
    assert Analysis.from_dict(record).to_dict()["samples"] == record["samples"]
