"""load_preview decodes JPEGs reduced by the DCT at the aspect-correct scale, oriented, in sRGB."""

from __future__ import annotations

import numpy as np
import pytest
from imaging_helpers import reference_to_srgb
from PIL import Image, JpegImagePlugin

from shadematch.imaging import icc_profiles, load_preview
from shadematch.imaging.loading import _draft_request

ORANGE = np.array([200, 100, 50], dtype=np.uint8)


@pytest.fixture
def decoded_sizes(monkeypatch) -> list[tuple[int, int]]:
    """The size of the JPEG after each ``draft`` call inside the loader (``thumbnail`` calls it
    again; Pillow ignores the second call)."""
    sizes: list[tuple[int, int]] = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = original(self, mode, size)
        sizes.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    return sizes


def _three_by_two_jpeg(path, width=2400, height=1600, *, orientation=1, icc=None):
    """A 3:2 photo: flat orange with a red block in the stored top-left corner."""
    image = np.empty((height, width, 3), np.uint8)
    image[:] = ORANGE
    image[: height // 4, : width // 4] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = orientation
    extra = {"icc_profile": icc} if icc else {}
    Image.fromarray(image).save(path, quality=95, exif=exif.tobytes(), **extra)
    return path


def test_draft_request_keeps_the_aspect_ratio():
    assert _draft_request(6000, 4000, 1024) == (1024, 682)
    assert _draft_request(4000, 6000, 1024) == (682, 1024)
    assert _draft_request(800, 600, 1024) == (800, 600)  # already small enough
    assert _draft_request(100_000, 10, 64) == (64, 1)    # never a zero side


def test_24_mp_preview_is_decoded_at_a_quarter_scale(tmp_path, decoded_sizes):
    # Pillow's own choice for a square request would be 1/2 (3000 x 2000): the short side limits.
    path = _three_by_two_jpeg(tmp_path / "big.jpg", 6000, 4000)
    preview = load_preview(path, max_side=1024)
    assert set(decoded_sizes) == {(1500, 1000)}
    assert preview.rgb.shape == (683, 1024, 3)


@pytest.mark.parametrize("orientation", [1, 6, 8])
def test_preview_is_decoded_at_an_eighth_oriented_and_in_srgb(tmp_path, decoded_sizes,
                                                              orientation):
    p3 = icc_profiles.named_profile("Display P3")
    path = _three_by_two_jpeg(tmp_path / "p3.jpg", orientation=orientation, icc=p3)
    preview = load_preview(path, max_side=256)
    # 2400 x 1600 at 1/8 is 300 x 200: the largest scale that still covers 256 x 170
    assert set(decoded_sizes) == {(300, 200)}
    assert preview.orientation_applied == orientation
    assert preview.source_profile == "Display P3" and not preview.profile_assumed
    expected_shape = (171, 256, 3) if orientation == 1 else (256, 171, 3)
    assert preview.rgb.shape == expected_shape
    # the stored top-left red block ends up in the displayed corner the orientation says
    corner = {1: (slice(0, 20), slice(0, 20)), 6: (slice(0, 20), slice(-20, None)),
              8: (slice(-20, None), slice(0, 20))}[orientation]
    red = preview.rgb[corner].reshape(-1, 3).mean(axis=0)
    assert red[0] > 200 and red[1] < 40
    # the flat orange far from the block is converted from Display P3 to sRGB
    far = preview.rgb[-40:, -40:] if orientation == 1 else preview.rgb[
        (slice(-40, None), slice(0, 40)) if orientation == 6 else (slice(0, 40), slice(-40, None))]
    expected = reference_to_srgb(ORANGE / 255.0, "Display P3") * 255
    np.testing.assert_allclose(far.reshape(-1, 3).mean(axis=0), expected, atol=3)
    assert np.abs(expected - ORANGE).max() > 5  # the conversion is visible at this tolerance
