"""sRGB <-> CIELAB against scikit-image, colormath2 and colour-science, and published values."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from shadematch.color import (
    Lab_to_hex,
    Lab_to_LCh,
    Lab_to_sRGB,
    Lab_to_XYZ,
    XYZ_to_Lab,
    sRGB_to_Lab,
    sRGB_to_linear,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def test_agrees_with_skimage_on_every_8bit_colour():
    from skimage.color import rgb2lab

    grid = np.stack(np.meshgrid(*[np.arange(0, 256, 3)] * 3, indexing="ij"), -1)
    rgb = grid.reshape(-1, 3).astype(np.uint8)
    ours = sRGB_to_Lab(rgb)
    theirs = rgb2lab(rgb[None])[0]
    assert ours.dtype == np.float32
    assert np.abs(ours - theirs).max() < 0.01


def test_float_input_matches_integer_input_and_skimage():
    from skimage.color import rgb2lab

    rng = np.random.default_rng(3)
    rgb = rng.random((50, 40, 3))
    ours = sRGB_to_Lab(rgb)
    assert ours.dtype == np.float64
    assert np.abs(ours - rgb2lab(rgb)).max() < 0.01
    as8 = (rgb * 255).round().astype(np.uint8)
    assert np.abs(sRGB_to_Lab(as8) - sRGB_to_Lab(as8 / 255.0)).max() < 1e-3


def test_uint16_path_matches_float_path():
    rng = np.random.default_rng(4)
    rgb16 = rng.integers(0, 65536, (1000, 3), dtype=np.uint16)
    assert np.abs(sRGB_to_Lab(rgb16) - sRGB_to_Lab(rgb16 / 65535.0)).max() < 1e-3


def test_agrees_with_colormath2_single_colours():
    from colormath2.color_conversions import convert_color
    from colormath2.color_objects import LabColor, sRGBColor

    rng = np.random.default_rng(5)
    for rgb in rng.integers(0, 256, (40, 3)):
        lab = convert_color(sRGBColor(*rgb, is_upscaled=True), LabColor, target_illuminant="d65")
        theirs = np.array([lab.lab_l, lab.lab_a, lab.lab_b])
        ours = sRGB_to_Lab(rgb.astype(np.uint8))
        # colormath2 uses a slightly different sRGB matrix; agreement to 0.05 confirms the maths.
        assert np.abs(ours - theirs).max() < 0.05, (rgb, ours, theirs)


def test_colorchecker_reference_srgb_values_convert_to_their_published_d65_lab():
    with open(DATA / "colorchecker24.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["name"] == "cyan":  # outside sRGB: its 8-bit value is clipped
            continue
        rgb = np.array([int(row["sR"]), int(row["sG"]), int(row["sB"])], dtype=np.uint8)
        expected = np.array([float(row["L_d65"]), float(row["a_d65"]), float(row["b_d65"])])
        from shadematch.color import delta_E

        # 8-bit rounding alone moves a colour by up to ~0.5 dE00
        assert float(delta_E(sRGB_to_Lab(rgb), expected)) < 1.0, row["name"]


def test_white_black_and_grey_are_neutral():
    lab = sRGB_to_Lab(np.array([[255, 255, 255], [0, 0, 0], [119, 119, 119]], dtype=np.uint8))
    assert np.allclose(lab[0], [100, 0, 0], atol=1e-3)
    assert np.allclose(lab[1], [0, 0, 0], atol=1e-3)
    assert np.allclose(lab[2, 1:], 0, atol=1e-3)
    assert 49 < lab[2, 0] < 51


def test_n_dimensional_shapes_are_kept():
    rgb = np.random.default_rng(6).integers(0, 256, (2, 3, 4, 5, 3), dtype=np.uint8)
    assert sRGB_to_Lab(rgb).shape == (2, 3, 4, 5, 3)
    assert Lab_to_LCh(sRGB_to_Lab(rgb)).shape == (2, 3, 4, 5, 3)


def test_nan_and_inf_stay_local():
    rgb = np.array([[0.5, 0.5, 0.5], [np.nan, 0.2, 0.2], [np.inf, 0.1, 0.1]])
    with np.errstate(invalid="ignore"):
        lab = sRGB_to_Lab(rgb)
    assert np.all(np.isfinite(lab[0]))
    assert np.isnan(lab[1]).any()
    assert not np.all(np.isfinite(lab[2]))


def test_bad_shapes_and_dtypes_are_refused():
    with pytest.raises(ValueError):
        sRGB_to_Lab(np.zeros((4, 4)))
    with pytest.raises(TypeError):
        sRGB_to_linear(np.zeros((2, 3), dtype=np.int32))


def test_round_trip_lab_srgb_and_gamut_flag():
    rng = np.random.default_rng(7)
    rgb = rng.random((500, 3))
    back, in_gamut = Lab_to_sRGB(sRGB_to_Lab(rgb))
    assert in_gamut.all()
    assert np.abs(back - rgb).max() < 1e-6
    _, flag = Lab_to_sRGB(np.array([50.0, 120.0, -120.0]))
    assert not bool(flag)
    assert Lab_to_hex([100, 0, 0]) == ("#ffffff", True)
    assert np.allclose(XYZ_to_Lab(Lab_to_XYZ(np.array([40.0, 10.0, -5.0]))), [40, 10, -5])


def test_lch_hue_in_degrees():
    lch = Lab_to_LCh(np.array([[50, 10, 0], [50, 0, 10], [50, -10, 0], [50, 0, -10]]))
    assert np.allclose(lch[:, 1], 10)
    assert np.allclose(lch[:, 2], [0, 90, 180, 270])
