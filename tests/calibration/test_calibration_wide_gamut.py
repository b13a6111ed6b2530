"""A chart in a wide-gamut photo (Display P3) is sampled from the file's own encoding, unclipped,
exactly as its regions are measured; its displayed sRGB pixels have the saturated patches clipped
to sRGB, which bends the fit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from calib_synth import reference_XYZ
from PIL import Image

from shadematch.analysis import measure_regions
from shadematch.calibration import Calibration, calibrate_from_chart, calibrate_from_grey_card
from shadematch.calibration.sampling import sample_patches
from shadematch.imaging import icc_profiles, load_photo
from shadematch.imaging.regions import Region

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # colour-science warns that matplotlib is absent
    import colour

D65 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]
P3 = colour.RGB_COLOURSPACES["Display P3"]
PITCH, MARGIN = 40, 30
GAINS = np.array([1.12, 1.0, 0.80])   # a warm cast the calibration must remove
SATURATE = 1.0                        # the camera's colours: no extra saturation


def _p3_chart(tmp_path, card: bool = False):
    """A ColorChecker photographed by a camera that writes Display P3: (photo, corners, truth)."""
    XYZ = reference_XYZ()
    patch = int(PITCH * 0.8)
    h, w = 4 * PITCH + 2 * MARGIN, 6 * PITCH + 2 * MARGIN
    scene = np.empty((h, w, 3))
    scene[:] = colour.Lab_to_XYZ(np.array([55.0, 0.0, 0.0]), D65)
    for i in range(24):
        r, c = divmod(i, 6)
        y0, x0 = MARGIN + r * PITCH + (PITCH - patch) // 2, MARGIN + c * PITCH + (PITCH - patch) // 2
        scene[y0:y0 + patch, x0:x0 + patch] = XYZ[i]
    linear = scene @ np.asarray(P3.matrix_XYZ_to_RGB).T
    grey = linear.mean(axis=-1, keepdims=True)
    linear = np.clip((grey + SATURATE * (linear - grey)) * GAINS * 0.8, 0, 1)
    rng = np.random.default_rng(1)
    codes = colour.cctf_encoding(linear, function="sRGB") + rng.normal(0, 0.004, linear.shape)
    img = np.clip(np.round(codes * 255), 1, 253).astype(np.uint8)
    path = tmp_path / "chart_p3.png"
    Image.fromarray(img).save(path, icc_profile=icc_profiles.named_profile("Display P3"))
    corners = [(MARGIN + c * PITCH + PITCH / 2 - 0.5, MARGIN + r * PITCH + PITCH / 2 - 0.5)
               for r, c in ((0, 0), (0, 5), (3, 5), (3, 0))]
    return load_photo(path), corners, colour.XYZ_to_Lab(XYZ, D65)


def _outside_srgb(Lab) -> np.ndarray:
    rgb = colour.XYZ_to_sRGB(colour.Lab_to_XYZ(Lab, D65), D65, apply_cctf_encoding=False)
    return np.any((rgb < -0.005) | (rgb > 1.005), axis=-1)


@pytest.fixture(scope="module")
def p3_chart(tmp_path_factory):
    return _p3_chart(tmp_path_factory.mktemp("p3"))


def test_the_p3_photo_has_patches_clipped_in_its_srgb_pixels(p3_chart):
    photo, corners, truth = p3_chart
    assert photo.source is not None
    # yellow and cyan under the warm light lie outside sRGB: a channel at 0 in the displayed
    # pixels, so the sRGB sampling rejects them; the source keeps them, unclipped
    from_rgb = sample_patches(photo.rgb, corners)
    from_source = sample_patches(photo.rgb, corners, source=photo.source)
    assert list(np.flatnonzero(from_rgb.rejected)) == [15, 17]
    assert not from_source.rejected.any()
    assert (from_source.RGB_lin[[15, 17]] < -0.005).any() and not (from_rgb.RGB_lin < 0).any()


def test_chart_in_a_p3_photo_calibrates_from_its_source_pixels(p3_chart):
    photo, corners, truth = p3_chart
    cal = calibrate_from_chart(photo, corners)
    old = calibrate_from_chart(photo.rgb, corners, photo_sha256=photo.sha256)
    assert cal.sampled_from == "source: Display P3" and old.sampled_from == "sRGB"
    assert not any(p.rejected for p in cal.patches)
    assert sum(p.rejected for p in old.patches) == 2
    assert cal.leave_one_out_mean_delta_e < 0.8, cal.summary()
    again = Calibration.from_dict(cal.to_dict())
    assert again.sampled_from == cal.sampled_from
    old_record = cal.to_dict()
    del old_record["sampled_from"]          # a record written before the field
    assert "sampled_from" not in Calibration.from_dict(old_record).to_dict()


def _measure_patch(photo, i, calibration):
    r, c = divmod(i, 6)
    x, y = MARGIN + c * PITCH + 12, MARGIN + r * PITCH + 12
    regions = [Region.from_dict({"id": "r", "class": "scar", "shape": "rect",
                                 "params": {"x": x, "y": y, "w": 16, "h": 16}})]
    return measure_regions(photo, regions, calibration=calibration)[0]["scar"].Lab


def test_colours_outside_srgb_are_right_only_with_the_source_calibration(p3_chart):
    # regions are measured from the source pixels; a calibration fitted on the clipped sRGB
    # pixels never saw yellow and cyan and extrapolates there (cyan 3 dE00 off)
    photo, corners, truth = p3_chart
    cal = calibrate_from_chart(photo, corners)
    old = calibrate_from_chart(photo.rgb, corners)
    assert _outside_srgb(truth[17])
    errors = [colour.delta_E(_measure_patch(photo, i, cal), truth[i], method="CIE 2000")
              for i in range(24)]
    assert max(errors) < 0.6, np.round(errors, 2)
    cyan_old = colour.delta_E(_measure_patch(photo, 17, old), truth[17], method="CIE 2000")
    assert cyan_old > 1.5 and errors[17] < 0.5, (cyan_old, errors[17])


def test_grey_card_in_a_p3_photo_reads_its_source_pixels(p3_chart):
    photo, corners, _ = p3_chart
    # the neutral 5 patch (row 4, column 3) as a grey card of its reference lightness
    x0, y0 = MARGIN + 2 * PITCH + 10, MARGIN + 3 * PITCH + 10
    mask = np.zeros(photo.rgb.shape[:2], bool)
    mask[y0:y0 + 20, x0:x0 + 20] = True
    L = float(colour.XYZ_to_Lab(reference_XYZ()[21], D65)[0])
    cal = calibrate_from_grey_card(photo, mask, card_L=L)
    assert cal.sampled_from == "source: Display P3"
    regions = [Region.from_dict({"id": "r", "class": "scar", "shape": "rect",
                                 "params": {"x": x0, "y": y0, "w": 20, "h": 20}})]
    grey = measure_regions(photo, regions, calibration=cal)[0]["scar"].Lab
    assert abs(grey[0] - L) < 0.5 and np.hypot(grey[1], grey[2]) < 0.5
