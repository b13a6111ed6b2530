"""Automatic chart detection: finds the corners in every rotation, under perspective, inside a
real photo and in a large photo; refuses photos without a chart with a message saying to click."""

from __future__ import annotations

import numpy as np
import pytest
from calib_synth import render_chart

from shadematch.calibration import calibrate_from_chart, detect_chart
from shadematch.errors import CalibrationError

CAMERA = dict(noise=0.02, jpeg_quality=85)


def corner_error(found, expected) -> float:
    return float(np.max(np.hypot(*(np.asarray(found) - np.asarray(expected)).T)))


@pytest.mark.parametrize("cast, tone, rotation", [
    ("warm", "gamma1.8", 0), ("cool", "filmic", 90), ("greenish", "srgb", 180),
    ("neutral", "srgb", 270), ("warm", "filmic", 17), ("cool", "gamma1.8", -33),
])
def test_detects_the_corners_in_every_rotation(cast, tone, rotation):
    img, corners = render_chart(cast=cast, tone=tone, exposure=0.8, rotation=rotation, pitch=60,
                                **CAMERA)
    found = detect_chart(img)
    assert corner_error(found, corners) < 2.5
    assert calibrate_from_chart(img, found).mean_delta_e < 1.5


def test_detects_a_chart_under_perspective():
    from skimage import transform

    img, corners = render_chart(cast="warm", tone="srgb", exposure=0.8, pitch=60, margin=60,
                                **CAMERA)
    h, w = img.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], float)
    dst = np.array([[40, 20], [w - 10, 0], [w, h], [0, h - 30]], float)
    if hasattr(transform.ProjectiveTransform, "from_estimate"):   # scikit-image >= 0.26
        tf = transform.ProjectiveTransform.from_estimate(src, dst)
    else:
        tf = transform.ProjectiveTransform()
        tf.estimate(src, dst)
    warped = (transform.warp(img, tf.inverse, output_shape=(h, w), mode="edge") * 255)
    found = detect_chart(warped.astype(np.uint8))
    assert corner_error(found, tf(np.array(corners))) < 2.5


def test_detects_a_chart_inside_a_real_photo_and_in_a_large_one():
    from skimage import data

    chart, corners = render_chart(cast="warm", tone="gamma1.8", exposure=0.8, pitch=40,
                                  margin=20, **CAMERA)
    frame = data.astronaut().copy()
    frame[250:250 + chart.shape[0], 180:180 + chart.shape[1]] = chart
    found = detect_chart(frame)
    assert corner_error(found, [(x + 180, y + 250) for x, y in corners]) < 2.5

    big, big_corners = render_chart(cast="cool", tone="filmic", exposure=0.8, pitch=300,
                                    margin=400, rotation=8, **CAMERA)
    assert max(big.shape) > 2000
    assert corner_error(detect_chart(big), big_corners) < 4.0


@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea", "checkerboard"])
def test_photos_without_a_chart_say_to_click(name):
    from skimage import data

    img = getattr(data, name)()
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    with pytest.raises(CalibrationError, match="click the centres of the dark skin"):
        detect_chart(img)


def test_detection_needs_a_colour_image():
    with pytest.raises(CalibrationError, match="colour image"):
        detect_chart(np.zeros((50, 50), np.uint8))
