"""Enlarged and soft photos are recognised (shadematch.imaging.detail), recorded in the photo
block with the measurement source, and a hair sample on them says that the hair reads light."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
import skimage.data
from PIL import Image, ImageFilter

from shadematch.analysis import measure_regions
from shadematch.imaging import icc_profiles, load_photo
from shadematch.imaging.detail import photo_detail
from shadematch.imaging.photo import Photo
from shadematch.imaging.regions import Region

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "color"))
from synthetic_scalp import FOLLICLE_DARK, SKIN_TONES, scalp_photo  # noqa: E402


def _jpeg(rgb: np.ndarray, quality: int = 90) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def _scalp() -> np.ndarray:
    return scalp_photo(skin=SKIN_TONES["medium"], follicle=FOLLICLE_DARK, coverage=0.15,
                       radius=3.0, size=400, seed=0, fmt="JPEG", subsampling=2, quality=90)


PHOTOS = {"astronaut": skimage.data.astronaut, "coffee": skimage.data.coffee,
          "chelsea": skimage.data.chelsea, "scalp": _scalp}


def _resize(rgb, factor, method):
    img = Image.fromarray(rgb)
    return np.asarray(img.resize((round(img.width * factor), round(img.height * factor)), method))


@pytest.mark.parametrize("name", list(PHOTOS))
def test_untouched_photos_are_neither_enlarged_nor_soft(name):
    rgb = PHOTOS[name]()
    for version in (rgb, _jpeg(rgb, 90), _jpeg(rgb, 70)):
        d = photo_detail(version)
        assert not d["upscaled"] and not d["low_detail"], (name, d)


@pytest.mark.parametrize("name", list(PHOTOS))
@pytest.mark.parametrize("factor, method", [(1.25, Image.BICUBIC), (1.5, Image.BILINEAR)])
def test_photos_enlarged_by_a_fraction_are_upscaled(name, factor, method):
    d = photo_detail(_jpeg(_resize(PHOTOS[name](), factor, method)))
    assert d["upscaled"], (name, factor, d)


@pytest.mark.parametrize("name", list(PHOTOS))
@pytest.mark.parametrize("factor, method", [(2, Image.BICUBIC), (2, Image.LANCZOS),
                                            (3, Image.LANCZOS)])
def test_photos_enlarged_2x_or_more_have_low_detail(name, factor, method):
    d = photo_detail(_jpeg(_resize(PHOTOS[name](), factor, method)))
    assert d["low_detail"] or d["upscaled"], (name, factor, d)


@pytest.mark.parametrize("name", list(PHOTOS))
def test_out_of_focus_photos_have_low_detail(name):
    soft = np.asarray(Image.fromarray(PHOTOS[name]()).filter(ImageFilter.GaussianBlur(1.2)))
    d = photo_detail(soft)
    assert d["low_detail"] and not d["upscaled"], (name, d)


def test_tiny_or_flat_images_are_not_judged():
    assert photo_detail(np.zeros((40, 40, 3), np.uint8))["detail_ratio"] is None
    flat = photo_detail(np.full((200, 200, 3), 128, np.uint8))
    assert not flat["low_detail"] and not flat["upscaled"]


def test_photo_block_records_detail_and_measurement_source(tmp_path):
    rgb = _scalp()
    sharp, big = tmp_path / "sharp.png", tmp_path / "big.jpg"
    Image.fromarray(rgb).save(sharp)
    Image.fromarray(_resize(rgb, 1.5, Image.BICUBIC)).save(big, quality=92)
    info = load_photo(sharp).info()
    assert info["measurement_source"] == "sRGB"
    assert info["upscaled"] is False and info["low_detail"] is False
    assert info["detail_ratio"] > 0.015
    assert load_photo(big).info()["upscaled"] is True
    p3 = tmp_path / "p3.png"
    Image.fromarray(rgb).save(p3, icc_profile=icc_profiles.named_profile("Display P3"))
    assert load_photo(p3).info()["measurement_source"] == "source: Display P3"


def _hair_warnings(photo: Photo) -> set[str]:
    h, w = photo.rgb.shape[:2]
    regions = [Region.from_dict({"id": "h", "class": "hair", "shape": "rect",
                                 "params": {"x": 10, "y": 10, "w": w - 20, "h": h - 20}}),
               Region.from_dict({"id": "s", "class": "skin", "shape": "rect",
                                 "params": {"x": 10, "y": 10, "w": w - 20, "h": h - 20}})]
    samples, _ = measure_regions(photo, regions, photo_info=photo.info())
    assert not any(w["code"] in ("upscaled", "low_detail") for w in samples["skin"].warnings)
    return {w["code"] for w in samples["hair"].warnings}


def test_hair_on_an_enlarged_or_soft_photo_is_warned():
    rgb = _scalp()
    assert not {"upscaled", "low_detail"} & _hair_warnings(Photo.from_array(rgb))
    assert "upscaled" in _hair_warnings(Photo.from_array(_resize(rgb, 1.5, Image.BICUBIC)))
    soft = np.asarray(Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(1.2)))
    assert "low_detail" in _hair_warnings(Photo.from_array(soft))
