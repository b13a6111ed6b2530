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


def _passport(rotation: float = 0.0):
    """A ColorChecker Passport-like photo: the classic chart and, above it on the facing page,
    three more rows of patches (warm and cool tints, skin tones) aligned with the chart's
    columns, so that all the patches together line up as 6 x 7."""
    from calib_synth import rotate_points
    from skimage.transform import rotate

    pitch, extra = 60, 3
    chart, corners = render_chart(cast="warm", tone="gamma1.8", exposure=0.8, pitch=pitch,
                                  margin=50, background_Lab=(20.0, 0.0, 0.0), **CAMERA)
    h, w = chart.shape[:2]
    page = np.empty((h + extra * pitch, w, 3), dtype=np.uint8)
    page[:] = chart[:1, :1]                      # the Passport's dark case
    page[extra * pitch:] = chart
    rng = np.random.default_rng(5)
    # Facing-page patches: light tints, skin tones and greys, like the creative target.
    tints = rng.integers(90, 235, size=(extra, 6, 3))
    tints[:, :, 1] = (tints[:, :, 0] * 0.8).astype(int)
    size = int(pitch * 0.8)
    for r in range(extra):
        for c in range(6):
            y0 = 50 + r * pitch + (pitch - size) // 2
            x0 = 50 + c * pitch + (pitch - size) // 2
            page[y0:y0 + size, x0:x0 + size] = tints[r, c]
    page[:50 + extra * pitch - pitch // 4 + 4] = np.where(
        page[:50 + extra * pitch - pitch // 4 + 4] == chart[0, 0], chart[0, 0],
        page[:50 + extra * pitch - pitch // 4 + 4])
    corners = [(x, y + extra * pitch) for x, y in corners]
    if rotation:
        rotated = rotate(page, rotation, resize=True, order=1, preserve_range=True, mode="edge")
        corners = [tuple(p) for p in rotate_points(np.array(corners), rotation, page.shape[:2],
                                                   rotated.shape[:2])]
        page = np.clip(np.round(rotated), 0, 255).astype(np.uint8)
    return page, corners


@pytest.mark.parametrize("rotation", [0, 90, 12])
def test_detects_the_classic_chart_on_a_passport(rotation):
    img, corners = _passport(rotation)
    found = detect_chart(img)
    assert corner_error(found, corners) < 2.5
    assert calibrate_from_chart(img, found).mean_delta_e < 1.5


def _chart_on_stubble(dot_radius: float = 2.5, coverage: float = 0.12, seed: int = 1,
                      with_chart: bool = True, spacing: float | None = None):
    """A chart lying on a shaved scalp: skin with dark follicle dots (soft edges) all round,
    scattered at random or, with ``spacing`` (px), on a jittered regular lattice as follicles
    grow (which lines them up like patches)."""
    from skimage.filters import gaussian

    rng = np.random.default_rng(seed)
    chart, corners = render_chart(cast="neutral", tone="srgb", exposure=0.8, pitch=50,
                                  margin=20, background_Lab=(62.0, 14.0, 17.0), **CAMERA)
    H, W = 720, 960
    skin = np.array([196, 146, 122], float) / 255
    follicle = np.array([52, 42, 38], float) / 255
    yy, xx = np.mgrid[0:H, 0:W]
    dots = np.zeros((H, W))
    if spacing is None:
        n = int(coverage * H * W / (np.pi * dot_radius ** 2))
        centres_y, centres_x = rng.uniform(0, H, n), rng.uniform(0, W, n)
    else:
        gy, gx = np.mgrid[spacing / 2:H:spacing, spacing / 2:W:spacing]
        centres_y = gy.ravel() + rng.normal(0, 0.08 * spacing, gy.size)
        centres_x = gx.ravel() + rng.normal(0, 0.08 * spacing, gx.size)
    for cy, cx in zip(centres_y, centres_x, strict=True):
        y0, y1 = int(max(0, cy - 4 * dot_radius)), int(min(H, cy + 4 * dot_radius))
        x0, x1 = int(max(0, cx - 4 * dot_radius)), int(min(W, cx + 4 * dot_radius))
        d = np.hypot(yy[y0:y1, x0:x1] - cy, xx[y0:y1, x0:x1] - cx)
        dots[y0:y1, x0:x1] = np.maximum(dots[y0:y1, x0:x1], np.clip(dot_radius + 0.5 - d, 0, 1))
    dots = gaussian(dots, 0.7)
    scene = skin * (1 - dots[..., None]) + follicle * dots[..., None]
    scene = scene + rng.normal(0, 0.015, scene.shape)
    img = np.clip(np.round(scene * 255), 0, 255).astype(np.uint8)
    oy, ox = 200, 240
    if not with_chart:
        return img, []
    ch, cw = chart.shape[:2]
    inner = slice(8, -8)
    img[oy + 8:oy + ch - 8, ox + 8:ox + cw - 8] = chart[inner, inner]
    return img, [(x + ox, y + oy) for x, y in corners]


@pytest.mark.parametrize("dot_radius, coverage, spacing", [
    (2.5, 0.12, None), (4.0, 0.25, None), (1.5, 0.3, None), (6.0, 0.0, 24.0), (5.0, 0.0, 17.0),
])
def test_detects_a_chart_lying_on_stubble(dot_radius, coverage, spacing):
    img, corners = _chart_on_stubble(dot_radius, coverage, spacing=spacing)
    found = detect_chart(img)
    assert corner_error(found, corners) < 2.5


def test_no_chart_on_stubble_says_so_without_speaking_of_grids():
    img, _ = _chart_on_stubble(3.0, 0.2, with_chart=False)
    with pytest.raises(CalibrationError) as info:
        detect_chart(img)
    message = str(info.value)
    assert "grid" not in message.lower() and "click" in message.lower()
