"""Hex and D50 -> D65 conversions, cross-checked against colour-science and reference data."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pytest
from palette_helpers import write_json

from shadematch.palettes import check_palette_file
from shadematch.palettes.colour_values import Lab_to_D65, hex_to_Lab

DATA = Path(__file__).resolve().parents[1] / "data"


def _colour():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import colour
    return colour


def _colour_hex_to_Lab(code: str) -> np.ndarray:
    colour = _colour()
    RGB = colour.notation.HEX_to_RGB(code)
    return colour.XYZ_to_Lab(colour.sRGB_to_XYZ(RGB))


def _colour_D50_to_D65(Lab: list[float]) -> np.ndarray:
    colour = _colour()
    illuminants = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]
    XYZ = colour.Lab_to_XYZ(Lab, illuminants["D50"])
    XYZ_65 = colour.adaptation.chromatic_adaptation_VonKries(
        XYZ, colour.xy_to_XYZ(illuminants["D50"]), colour.xy_to_XYZ(illuminants["D65"]),
        transform="Bradford")
    return colour.XYZ_to_Lab(XYZ_65, illuminants["D65"])


@pytest.mark.parametrize("code", ["#3a3330", "#000000", "#ffffff", "#a0a0a0", "#7f2b10",
                                  "#1e3c78", "#00ff00"])
def test_hex_matches_colour_science(code):
    np.testing.assert_allclose(hex_to_Lab(code), _colour_hex_to_Lab(code), atol=0.02)


def test_hex_white_and_black():
    np.testing.assert_allclose(hex_to_Lab("#ffffff"), (100.0, 0.0, 0.0), atol=0.02)
    np.testing.assert_allclose(hex_to_Lab("#000000"), (0.0, 0.0, 0.0), atol=1e-6)


def _colorchecker_rows():
    with open(DATA / "colorchecker24.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_d50_to_d65_matches_colorchecker_reference():
    rows = _colorchecker_rows()
    assert len(rows) == 24
    for row in rows:
        d50 = [float(row[k]) for k in ("L_d50", "a_d50", "b_d50")]
        d65 = [float(row[k]) for k in ("L_d65", "a_d65", "b_d65")]
        np.testing.assert_allclose(Lab_to_D65(d50, "D50"), d65, atol=0.02, err_msg=row["name"])


@pytest.mark.parametrize("Lab", [[50.0, 10.0, -20.0], [17.0, 0.5, -1.0], [80.0, -30.0, 40.0]])
def test_d50_to_d65_matches_colour_science(Lab):
    np.testing.assert_allclose(Lab_to_D65(Lab, "D50"), _colour_D50_to_D65(Lab), atol=0.02)


def test_d50_adaptation_actually_changes_values():
    # Adapting a chromatic colour must move it; identity would pass a loose test on greys.
    moved = np.subtract(Lab_to_D65([50.0, 10.0, -20.0], "D50"), [50.0, 10.0, -20.0])
    assert np.abs(moved).max() > 0.5


def test_palette_file_applies_the_conversions(tmp_path):
    doc = {"format_version": 1, "name": "conv", "version": "1", "pigments": [
        {"id": "d50", "name": "D50 colour",
         "colour": {"lab": [37.54, 14.37, 14.92], "illuminant": "D50", "observer": "2"}},
        {"id": "d65", "name": "D65 colour",
         "colour": {"lab": [37.54, 14.37, 14.92], "illuminant": "d65"}},
        {"id": "hex", "name": "Hex colour", "colour": {"srgb_hex": "#3a3330"}},
    ]}
    palette = check_palette_file(write_json(tmp_path, doc))
    np.testing.assert_allclose(palette.entry("d50").Lab, (37.3149, 13.3705, 14.5798), atol=0.02)
    assert palette.entry("d65").Lab == (37.54, 14.37, 14.92)
    np.testing.assert_allclose(palette.entry("hex").Lab, _colour_hex_to_Lab("#3a3330"), atol=0.02)
