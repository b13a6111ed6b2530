"""Robust region statistics on synthetic photos with known colours."""

from __future__ import annotations

import numpy as np
import pytest

from shadematch.color import delta_E, sRGB_to_Lab
from shadematch.color.region_statistics import sample_region
from shadematch.errors import SampleError

HAIR = np.array([52, 40, 33])
SKIN = np.array([205, 165, 145])
GLINT = np.array([236, 232, 228])


def _noisy(img, sigma=3.0, seed=0):
    rng = np.random.default_rng(seed)
    return np.clip(img + rng.normal(0, sigma, img.shape), 1, 254).astype(np.uint8)


def _hair_photo(skin_fraction=0.30, glint_fraction=0.05, size=120, seed=1):
    rng = np.random.default_rng(seed)
    img = np.empty((size, size, 3), dtype=float)
    img[:] = HAIR
    r = rng.random((size, size))
    img[r < skin_fraction] = SKIN
    img[(r >= skin_fraction) & (r < skin_fraction + glint_fraction)] = GLINT
    return _noisy(img, seed=seed)


def test_hair_with_30_percent_skin_and_5_percent_glints_measures_the_hair():
    img = _hair_photo()
    s = sample_region(img, np.ones(img.shape[:2], bool), "hair")
    truth = sRGB_to_Lab(HAIR.astype(np.uint8))
    assert float(delta_E(s.Lab, truth)) < 1.0
    assert s.separation_applied
    assert 0.30 <= s.other_cluster / s.total <= 0.40  # skin + glints went to the other cluster
    # without separation the mix would be far off: the test can tell the difference
    mixed = sample_region(img, np.ones(img.shape[:2], bool), "hair", separate=False)
    assert float(delta_E(mixed.Lab, truth)) > 3.0


def test_skin_with_stubble_and_glints_measures_the_skin():
    rng = np.random.default_rng(2)
    img = np.empty((100, 100, 3))
    img[:] = SKIN
    r = rng.random((100, 100))
    img[r < 0.15] = HAIR
    img[(r > 0.97)] = GLINT
    img = _noisy(img)
    s = sample_region(img, np.ones((100, 100), bool), "skin")
    assert float(delta_E(s.Lab, sRGB_to_Lab(SKIN.astype(np.uint8)))) < 1.0
    d = s.to_dict()
    assert d["ita_class"] in ("very light", "light", "intermediate")
    assert d["ita"] == pytest.approx(np.degrees(np.arctan2(s.Lab[0] - 50, s.Lab[2])), abs=0.01)


def test_clipped_pixels_are_excluded_and_warned():
    img = _noisy(np.full((60, 60, 3), SKIN, dtype=float))
    img[:, :20] = 255
    s = sample_region(img, np.ones((60, 60), bool), "scar")
    assert s.clipped == 60 * 20
    assert any(w["code"] == "clipped" for w in s.warnings)
    assert float(delta_E(s.Lab, sRGB_to_Lab(SKIN.astype(np.uint8)))) < 1.0


def test_small_region_warns_and_tiny_region_fails():
    img = _noisy(np.full((50, 50, 3), SKIN, dtype=float))
    mask = np.zeros((50, 50), bool)
    mask[:10, :10] = True
    s = sample_region(img, mask, "skin")
    assert any(w["code"] == "too_small" for w in s.warnings)
    mask[:] = False
    mask[:3, :3] = True
    with pytest.raises(SampleError, match="usable pixels"):
        sample_region(img, mask, "skin")


def test_large_spread_is_warned():
    rng = np.random.default_rng(5)
    img = rng.integers(20, 235, (80, 80, 3)).astype(np.uint8)
    s = sample_region(img, np.ones((80, 80), bool), "scar")
    assert any(w["code"] == "spread" for w in s.warnings)


def test_quick_estimate_is_close_to_full_result():
    img = _hair_photo(size=400)
    mask = np.ones(img.shape[:2], bool)
    full = sample_region(img, mask, "hair")
    quick = sample_region(img, mask, "hair", quick=True)
    assert quick.quick and not full.quick
    assert float(delta_E(full.Lab, quick.Lab)) < 0.5
    assert quick.total == full.total


def test_calibration_object_is_used():
    class Doubling:
        def linear_RGB_to_XYZ(self, rgb):
            from shadematch.color import linear_sRGB_to_XYZ

            return linear_sRGB_to_XYZ(np.asarray(rgb) * 0.5)

    img = _noisy(np.full((40, 40, 3), SKIN, dtype=float))
    plain = sample_region(img, np.ones((40, 40), bool), "skin")
    darker = sample_region(img, np.ones((40, 40), bool), "skin", calibration=Doubling())
    assert darker.calibrated and darker.Lab[0] < plain.Lab[0] - 5


def test_16_bit_photos_are_measured():
    img16 = (_noisy(np.full((40, 40, 3), SKIN, dtype=float)).astype(np.uint16) * 257)
    s = sample_region(img16, np.ones((40, 40), bool), "skin")
    assert float(delta_E(s.Lab, sRGB_to_Lab(SKIN.astype(np.uint8)))) < 1.0


def test_mask_shape_mismatch_is_an_error():
    with pytest.raises(SampleError):
        sample_region(np.zeros((10, 10, 3), np.uint8), np.ones((5, 5), bool), "skin")


def test_record_round_trips_exactly():
    from shadematch.color.region_statistics import Sample

    img = _hair_photo(size=60, seed=9)
    for region_class in ("hair", "skin"):
        record = sample_region(img, np.ones(img.shape[:2], bool), region_class).to_dict()
        assert Sample.from_dict(record).to_dict() == record
