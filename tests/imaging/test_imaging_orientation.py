"""EXIF orientation: all 8 values, checked against the EXIF 2.32 definition (where row 0 and
column 0 of the stored image are shown), and cross-checked with Pillow's exif_transpose."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile
from PIL import Image, ImageOps

from shadematch.imaging import load_photo
from shadematch.imaging.pixels import _orient

# EXIF "Orientation": the side of the displayed image where stored row 0 / column 0 appear.
ROW0_COL0 = {1: ("top", "left"), 2: ("top", "right"), 3: ("bottom", "right"),
             4: ("bottom", "left"), 5: ("left", "top"), 6: ("right", "top"),
             7: ("right", "bottom"), 8: ("left", "bottom")}
OPPOSITE = {"top": "bottom", "bottom": "top", "left": "right", "right": "left"}
BLOCK = 16
RED, GREEN, BLUE, GREY = (230, 20, 20), (20, 200, 20), (20, 20, 230), (128, 128, 128)


def stored_image() -> np.ndarray:
    """48 x 32 (W x H): stored top-left red, top-right green, bottom-left blue, rest grey."""
    image = np.empty((2 * BLOCK, 3 * BLOCK, 3), np.uint8)
    image[:] = GREY
    image[:BLOCK, :BLOCK] = RED
    image[:BLOCK, -BLOCK:] = GREEN
    image[-BLOCK:, :BLOCK] = BLUE
    return image


def corner_colour(rgb: np.ndarray, sides: set[str]) -> np.ndarray:
    rows = slice(3, BLOCK - 3) if "top" in sides else slice(-BLOCK + 3, -3)
    cols = slice(3, BLOCK - 3) if "left" in sides else slice(-BLOCK + 3, -3)
    return rgb[rows, cols].reshape(-1, 3).mean(0)


def assert_displayed_per_exif(rgb: np.ndarray, orientation: int) -> None:
    row0, col0 = ROW0_COL0[orientation]
    expected_shape = (3 * BLOCK, 2 * BLOCK) if orientation >= 5 else (2 * BLOCK, 3 * BLOCK)
    assert rgb.shape[:2] == expected_shape
    for colour, sides in ((RED, {row0, col0}), (GREEN, {row0, OPPOSITE[col0]}),
                          (BLUE, {OPPOSITE[row0], col0})):
        np.testing.assert_allclose(corner_colour(rgb, sides), colour, atol=12,
                                   err_msg=f"orientation {orientation}, corner {sides}")


def exif_with(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_orientation(tmp_path, orientation):
    path = tmp_path / f"o{orientation}.jpg"
    Image.fromarray(stored_image()).save(path, quality=95, subsampling=0,
                                         exif=exif_with(orientation))
    photo = load_photo(path)
    assert photo.orientation_applied == orientation
    assert photo.rgb.flags.c_contiguous
    assert_displayed_per_exif(photo.rgb, orientation)


@pytest.mark.parametrize("orientation", [3, 6])
def test_png_and_tiff_orientation(tmp_path, orientation):
    for suffix in (".png", ".tif"):
        path = tmp_path / f"o{orientation}{suffix}"
        Image.fromarray(stored_image()).save(path, exif=exif_with(orientation))
        photo = load_photo(path)
        assert photo.orientation_applied == orientation, suffix
        assert_displayed_per_exif(photo.rgb, orientation)


@pytest.mark.parametrize("orientation", [5, 8])
def test_16_bit_tiff_orientation(tmp_path, orientation):
    path = tmp_path / "o16.tif"
    tifffile.imwrite(path, stored_image().astype(np.uint16) * 257, photometric="rgb",
                     extratags=[(274, "H", 1, orientation, True)])
    photo = load_photo(path)
    assert photo.rgb.dtype == np.uint16 and photo.orientation_applied == orientation
    assert_displayed_per_exif(photo.rgb8(), orientation)


def test_invalid_orientation_is_ignored_with_a_note(tmp_path):
    path = tmp_path / "bad.jpg"
    Image.fromarray(stored_image()).save(path, quality=95, exif=exif_with(9))
    photo = load_photo(path)
    assert photo.orientation_applied == 1 and photo.rgb.shape == (32, 48, 3)
    assert any("orientation" in note for note in photo.notes)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orient_agrees_with_pillow_exif_transpose(orientation):
    rng = np.random.default_rng(orientation)
    stored = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    image = Image.fromarray(stored)
    exif = image.getexif()
    exif[0x0112] = orientation
    image.info["exif"] = exif.tobytes()
    expected = np.asarray(ImageOps.exif_transpose(image))
    np.testing.assert_array_equal(_orient(stored, orientation), expected)
