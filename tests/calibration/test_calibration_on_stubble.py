"""End to end: a ColorChecker lying on a shaved scalp, photographed under a warm light by a camera
that is not sRGB. The chart is found automatically among the follicle dots, the calibration is
fitted, and the stubble's follicle and skin readings come much closer to their true colours."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from calib_synth import CASTS, D65, M_XYZ_TO_CAMERA, TONES, colour, reference_XYZ

from shadematch.analysis import measure_regions
from shadematch.calibration import calibrate_from_chart, detect_chart
from shadematch.imaging.photo import Photo
from shadematch.imaging.regions import Region

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "color"))
from synthetic_scalp import dot_alpha  # noqa: E402

SKIN_LAB = np.array([62.0, 14.0, 18.0])       # medium scalp skin, D65
FOLLICLE_LAB = np.array([18.0, 2.5, 3.0])     # dark brown-black stubble
PITCH, MARGIN, STUBBLE = 50, 30, 320


def _scene(cast: str, coverage: float, radius: float, seed: int = 0):
    """XYZ scene (chart beside a patch of stubble on skin, all on skin) and the chart corners."""
    XYZ_chart = reference_XYZ()
    skin, follicle = (colour.Lab_to_XYZ(v, D65) for v in (SKIN_LAB, FOLLICLE_LAB))
    chart_w, chart_h = 6 * PITCH + 2 * MARGIN, 4 * PITCH + 2 * MARGIN
    H, W = max(chart_h, STUBBLE) + 40, chart_w + STUBBLE + 60
    scene = np.empty((H, W, 3))
    scene[:] = skin
    ox, oy = 20, 20
    scene[oy:oy + chart_h, ox:ox + chart_w] = colour.Lab_to_XYZ(np.array([15.0, 0, 0]), D65)
    patch = int(PITCH * 0.8)
    for i in range(24):
        r, c = divmod(i, 6)
        y0 = oy + MARGIN + r * PITCH + (PITCH - patch) // 2
        x0 = ox + MARGIN + c * PITCH + (PITCH - patch) // 2
        scene[y0:y0 + patch, x0:x0 + patch] = XYZ_chart[i]
    alpha = dot_alpha(STUBBLE, coverage, radius, seed)[..., None]
    sx, sy = ox + chart_w + 40, 20
    scene[sy:sy + STUBBLE, sx:sx + STUBBLE] = skin * (1 - alpha) + follicle * alpha

    def centre(r, c):
        return (ox + MARGIN + c * PITCH + PITCH / 2 - 0.5, oy + MARGIN + r * PITCH + PITCH / 2 - 0.5)

    corners = [centre(0, 0), centre(0, 5), centre(3, 5), centre(3, 0)]
    stubble_box = (sx + 10, sy + 10, STUBBLE - 20, STUBBLE - 20)
    return scene, corners, stubble_box


def _photo(cast: str = "warm", coverage: float = 0.15, radius: float = 3.0, seed: int = 0):
    scene, corners, box = _scene(cast, coverage, radius, seed)
    rng = np.random.default_rng(seed)
    camera = scene @ M_XYZ_TO_CAMERA.T * np.asarray(CASTS[cast]) * 0.8
    encoded = TONES["gamma1.8"](np.clip(camera, 0, 1)) + rng.normal(0, 0.006, camera.shape)
    rgb = np.clip(np.round(encoded * 255), 0, 255).astype(np.uint8)
    return Photo.from_array(rgb, "chart_on_stubble.png"), corners, box


def _readings(photo, box, calibration):
    x, y, w, h = box
    regions = [Region.from_dict({"id": c, "class": c, "shape": "rect",
                                 "params": {"x": x, "y": y, "w": w, "h": h}})
               for c in ("hair", "skin")]
    samples, problems = measure_regions(photo, regions, calibration=calibration)
    assert not problems, problems
    return samples["hair"], samples["skin"]


def _dE(a, b) -> float:
    return float(colour.delta_E(a, b, method="CIE 2000"))


@pytest.mark.parametrize("cast, coverage, radius", [("warm", 0.15, 3.0), ("warm", 0.45, 3.0),
                                                    ("cool", 0.15, 5.0), ("warm", 0.05, 1.5),
                                                    ("greenish", 0.3, 2.0)])
def test_chart_on_stubble_calibrates_and_the_stubble_reading_improves(cast, coverage, radius):
    photo, corners, box = _photo(cast, coverage, radius)
    found = detect_chart(photo.rgb)
    assert max(np.hypot(*np.subtract(f, c)) for f, c in zip(found, corners, strict=True)) < 2.5
    cal = calibrate_from_chart(photo, found)
    hair0, skin0 = _readings(photo, box, None)
    hair1, skin1 = _readings(photo, box, cal)
    before = (_dE(hair0.Lab, FOLLICLE_LAB), _dE(skin0.Lab, SKIN_LAB))
    after = (_dE(hair1.Lab, FOLLICLE_LAB), _dE(skin1.Lab, SKIN_LAB))
    assert before[1] > 5.0, before              # the cast really is there
    assert after[1] < 1.5 and after[0] < 2.5, (before, after, cal.summary())
    assert after[0] < before[0] - 2.0 and after[1] < before[1] - 4.0, (before, after)
    assert hair1.calibrated and hair1.separation_applied
    assert abs(hair1.follicles.coverage_percent - 100 * coverage) < 3.0
