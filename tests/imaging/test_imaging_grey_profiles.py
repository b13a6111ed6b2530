"""Grey photos with an embedded grey ICC profile (``GRAY``, ``kTRC``): 16-bit TIFF and PNG go
through the profile's tone curve to sRGB grey; checked against LittleCMS on 8-bit and against
colour-science's CIEDE2000."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import tifffile
from PIL import Image, ImageCms, PngImagePlugin

from shadematch.errors import ImageLoadError
from shadematch.imaging import icc_profiles, load_photo

GAMMA = 1.8
RAMP = (np.arange(64 * 16, dtype=np.uint32) * 64).reshape(16, 64).astype(np.uint16)


def _grey_profile(gamma: float = GAMMA) -> bytes:
    return icc_profiles.build_grey_profile(f"Gray Gamma {gamma}", (0, (gamma,)))


def _expected_srgb16(grey16: np.ndarray, gamma: float = GAMMA) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # colour-science warns that matplotlib is absent
        import colour
    Y = (grey16 / 65535.0) ** gamma
    return colour.cctf_encoding(Y) * 65535.0


def test_the_grey_profile_is_one_littlecms_reads_and_agrees_with():
    icc = _grey_profile()
    profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    assert "Gray Gamma" in ImageCms.getProfileDescription(profile)
    levels = np.arange(256, dtype=np.uint8)[None, :]
    img = Image.fromarray(levels, "L")
    transform = ImageCms.buildTransform(profile, ImageCms.createProfile("sRGB"), "L", "RGB",
                                        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    lcms = np.asarray(ImageCms.applyTransform(img, transform))[0, :, 1].astype(float)
    ours = icc_profiles.convert_grey16_to_srgb(levels.astype(np.uint16) * 257, icc)[0] / 257.0
    assert np.abs(lcms - ours).max() <= 1.5  # LittleCMS interpolates 8-bit near black


def test_16_bit_grey_tiff_with_grey_profile_opens_in_srgb(tmp_path):
    path = tmp_path / "grey16.tif"
    tifffile.imwrite(path, RAMP, photometric="minisblack", iccprofile=_grey_profile())
    photo = load_photo(path)   # used to raise PyCMSError
    assert photo.rgb.dtype == np.uint16 and photo.rgb.shape == (16, 64, 3)
    assert photo.source_profile == "Gray Gamma 1.8" and not photo.profile_assumed
    np.testing.assert_allclose(photo.rgb[..., 0], _expected_srgb16(RAMP), atol=1.0)
    assert (photo.rgb[..., 0] == photo.rgb[..., 2]).all()


def _png16_with_profile(path, grey16: np.ndarray, icc: bytes):
    info = PngImagePlugin.PngInfo()
    Image.fromarray(grey16).save(path, icc_profile=icc, pnginfo=info)
    return path


def test_16_bit_grey_png_profile_is_honoured(tmp_path):
    path = _png16_with_profile(tmp_path / "grey16.png", RAMP, _grey_profile())
    photo = load_photo(path)
    assert photo.rgb.dtype == np.uint16
    assert photo.source_profile == "Gray Gamma 1.8" and not photo.profile_assumed
    np.testing.assert_allclose(photo.rgb[..., 1], _expected_srgb16(RAMP), atol=1.0)


def test_grey_png_reads_within_a_tenth_of_a_dE00(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import colour
    path = _png16_with_profile(tmp_path / "g.png", RAMP, _grey_profile(2.6))
    photo = load_photo(path)
    Y = (RAMP / 65535.0) ** 2.6
    white = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]
    truth = colour.XYZ_to_Lab(Y[..., None] * colour.xy_to_XYZ(white), white)
    measured = colour.XYZ_to_Lab(colour.sRGB_to_XYZ(photo.rgb / 65535.0), white)
    assert colour.delta_E(measured, truth, method="CIE 2000").max() < 0.1


@pytest.mark.parametrize("suffix", ["tif", "png"])
def test_an_unusable_profile_on_grey_is_a_note_not_a_crash(tmp_path, suffix):
    rgb_profile = icc_profiles.named_profile("Display P3")  # an RGB profile on grey pixels
    path = tmp_path / f"g.{suffix}"
    if suffix == "tif":
        tifffile.imwrite(path, RAMP, photometric="minisblack", iccprofile=rgb_profile)
    else:
        _png16_with_profile(path, RAMP, rgb_profile)
    try:
        photo = load_photo(path)
    except ImageLoadError:
        pytest.fail("grey pixels with an RGB profile should open, with a note")
    assert photo.profile_assumed
    assert any("could not be applied" in n for n in photo.notes)
    np.testing.assert_array_equal(photo.rgb[..., 0], RAMP)
