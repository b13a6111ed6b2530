"""Chart geometry and reference data: corner parsing, validation, patch grid in every rotation."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from calib_synth import render_chart, rotate_points

from shadematch.calibration import (
    chart_reference,
    format_corners,
    parse_corners,
    patch_centres,
    validate_corners,
)
from shadematch.errors import CalibrationError

DATA = Path(__file__).resolve().parents[1] / "data"

# A 6 x 4 chart with a pitch of 50 px, top-left patch centre at (100, 80), upright.
UPRIGHT = [(100.0, 80.0), (350.0, 80.0), (350.0, 230.0), (100.0, 230.0)]
SHAPE = (400, 500, 3)


# -- parse_corners -----------------------------------------------------------------------------
def test_parse_corners_reads_four_pairs_with_spaces_and_signs():
    assert parse_corners(" 1,2; 3.5 , 4e1 ;-5,+6 ;7,8;") == [(1.0, 2.0), (3.5, 40.0), (-5.0, 6.0),
                                                             (7.0, 8.0)]


def test_format_corners_round_trips():
    text = format_corners(UPRIGHT)
    assert parse_corners(text) == UPRIGHT


@pytest.mark.parametrize("text, needle", [
    ("", "No chart corners"),
    ("1,2;3,4;5,6", "hold 3 point(s)"),
    ("1,2;3,4;5,6;7,8;9,10", "hold 5 point(s)"),
    ("1,2;3,4;5,6;7", "corner 4 (white)"),
    ("1,2;a,4;5,6;7,8", "corner 2 (bluish green)"),
    ("1,2;3,4;nan,6;7,8", "corner 3 (black)"),
    ("1 2;3,4;5,6;7,8", "corner 1 (dark skin)"),
])
def test_parse_corners_rejects_bad_text_naming_the_corner(text, needle):
    with pytest.raises(CalibrationError) as info:
        parse_corners(text)
    assert needle in str(info.value)
    assert "x,y" in str(info.value)  # says how to write it


# -- validate_corners --------------------------------------------------------------------------
def test_valid_corners_pass_and_come_back_as_array():
    pts = validate_corners(UPRIGHT, image_shape=SHAPE)
    assert pts.shape == (4, 2) and np.allclose(pts, UPRIGHT)


def test_corner_outside_the_photo_is_named():
    corners = list(UPRIGHT)
    corners[2] = (520.0, 230.0)
    with pytest.raises(CalibrationError, match="black corner .* outside the photo"):
        validate_corners(corners, image_shape=SHAPE)


def test_negative_coordinates_are_outside():
    corners = [(-3.0, 80.0)] + UPRIGHT[1:]
    with pytest.raises(CalibrationError, match="dark skin corner .* outside"):
        validate_corners(corners, image_shape=SHAPE)


def test_collinear_corners_are_refused():
    line = [(100.0, 100.0), (200.0, 100.0), (300.0, 100.0), (400.0, 100.0)]
    with pytest.raises(CalibrationError, match="in a line"):
        validate_corners(line, image_shape=SHAPE)


def test_three_collinear_corners_are_refused():
    corners = [(100.0, 80.0), (350.0, 80.0), (350.0, 230.0), (350.0, 300.0)]
    with pytest.raises(CalibrationError, match="in a line"):
        validate_corners(corners, image_shape=SHAPE)


def test_coincident_corners_are_refused():
    corners = [(100.0, 80.0), (100.0, 80.0), (350.0, 230.0), (100.0, 230.0)]
    with pytest.raises(CalibrationError, match="same place"):
        validate_corners(corners, image_shape=SHAPE)


def test_self_intersecting_order_is_refused():
    # dark skin, black, bluish green, white: the outline crosses itself.
    corners = [UPRIGHT[0], UPRIGHT[2], UPRIGHT[1], UPRIGHT[3]]
    with pytest.raises(CalibrationError, match="cross over"):
        validate_corners(corners, image_shape=SHAPE)


def test_mirrored_order_is_refused_with_advice():
    # dark skin, white, black, bluish green: a mirror image of the chart.
    corners = [UPRIGHT[0], UPRIGHT[3], UPRIGHT[2], UPRIGHT[1]]
    with pytest.raises(CalibrationError, match="mirror"):
        validate_corners(corners, image_shape=SHAPE)


def test_too_small_a_chart_is_refused():
    tiny = [(100.0, 80.0), (130.0, 80.0), (130.0, 98.0), (100.0, 98.0)]  # pitch 6 px
    with pytest.raises(CalibrationError, match="too small .* 6.0 pixels apart"):
        validate_corners(tiny, image_shape=SHAPE)


def test_wrong_number_of_corners_is_refused():
    with pytest.raises(CalibrationError, match="four"):
        validate_corners(UPRIGHT[:3], image_shape=SHAPE)


# -- patch grid --------------------------------------------------------------------------------
def test_patch_centres_of_an_upright_chart_are_a_regular_grid():
    centres = patch_centres(UPRIGHT)
    assert centres.shape == (24, 2)
    expected = np.array([(100 + 50 * c, 80 + 50 * r) for r in range(4) for c in range(6)], float)
    assert np.allclose(centres, expected)


@pytest.mark.parametrize("angle", [90, 180, 270, 23.5, -41])
def test_patch_centres_follow_the_chart_in_every_rotation(angle):
    """Rotating the photo moves the clicked corners; every patch centre must follow, and must
    land on that patch's colour in the rotated rendering."""
    img0, corners0 = render_chart(pitch=40)
    img, corners = render_chart(pitch=40, rotation=angle)
    expected = rotate_points(patch_centres(corners0), angle, img0.shape[:2], img.shape[:2])
    centres = patch_centres(corners)
    assert np.allclose(centres, expected, atol=1e-6)
    for i in (0, 7, 14, 18, 23):
        x0, y0 = np.round(patch_centres(corners0)[i]).astype(int)
        x, y = np.round(centres[i]).astype(int)
        assert np.abs(img[y, x].astype(int) - img0[y0, x0].astype(int)).max() <= 3


def test_perspective_view_places_the_middle_patches_by_homography():
    # A trapezoid (chart tilted away at the top): the grid is not an affine interpolation.
    corners = [(120.0, 60.0), (380.0, 60.0), (440.0, 300.0), (60.0, 300.0)]
    centres = patch_centres(corners)
    assert np.allclose(centres[[0, 5, 23, 18]], corners)
    rows = centres.reshape(4, 6, 2)[:, 0, 1]
    gaps = np.diff(rows)
    assert gaps[0] < gaps[1] < gaps[2]  # rows further away are closer together


# -- reference data ----------------------------------------------------------------------------
def test_after_2014_reference_matches_the_test_data_table():
    ref = chart_reference("colorchecker24", "after-2014")
    with open(DATA / "colorchecker24.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(ref.names) == [r["name"] for r in rows]
    expected = np.array([[float(r["L_d65"]), float(r["a_d65"]), float(r["b_d65"])] for r in rows])
    assert np.allclose(ref.Lab, expected, atol=1e-4)


@pytest.mark.parametrize("key, dataset", [
    ("after-2014", "ColorChecker24 - After November 2014"),
    ("before-2014", "ColorChecker24 - Before November 2014"),
])
def test_shipped_references_equal_colour_science_bradford_to_d65(key, dataset):
    colour = pytest.importorskip("colour")
    cc = colour.CCS_COLOURCHECKERS[dataset]
    d65 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]
    XYZ = colour.xyY_to_XYZ(np.array(list(cc.data.values())))
    XYZ_65 = colour.adaptation.chromatic_adaptation_VonKries(
        XYZ, colour.xy_to_XYZ(cc.illuminant), colour.xy_to_XYZ(d65), "Bradford")
    ref = chart_reference("colorchecker24", key)
    assert list(ref.names) == list(cc.data.keys())
    assert np.allclose(ref.Lab, colour.XYZ_to_Lab(XYZ_65, d65), atol=1e-3)


def test_editions_differ_and_unknown_ones_are_refused():
    after = chart_reference("colorchecker24", "after-2014").Lab
    before = chart_reference("colorchecker24", "before-2014").Lab
    assert np.abs(after - before).max() > 1.0
    with pytest.raises(CalibrationError, match="after-2014"):
        chart_reference("colorchecker24", "2009")
    with pytest.raises(CalibrationError, match="colorchecker24"):
        chart_reference("spydercheckr", "after-2014")
