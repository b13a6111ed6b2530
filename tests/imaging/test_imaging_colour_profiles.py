"""Embedded ICC profiles are converted to sRGB; checked against colour-science's RGB_to_RGB.

The Display P3 and Adobe RGB profiles are written by shadematch.imaging.icc_profiles (a plain
matrix/TRC ICC v4 writer); LittleCMS reads them, and colour-science provides the independent
expected values from the published primaries and transfer functions.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import tifffile
from imaging_helpers import patch_means, patches_image, reference_to_srgb
from PIL import Image, ImageCms

from shadematch.imaging import icc_profiles, load_photo, load_preview

# saturated, mid and pale colours, plus greys; several are outside sRGB for P3 / Adobe RGB
SOURCE = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [200, 100, 50], [30, 200, 90],
                   [90, 60, 45], [240, 220, 200], [128, 128, 128], [60, 60, 60]], dtype=np.uint8)
SPACES = ["Display P3", "Adobe RGB (1998)"]


def _expected(space: str, source: np.ndarray = SOURCE, scale: float = 255.0) -> np.ndarray:
    return reference_to_srgb(source / scale, space) * scale


@pytest.mark.parametrize("space", SPACES)
def test_tagged_png_is_converted_to_its_true_srgb_colour(tmp_path, space):
    profile = icc_profiles.named_profile(space)
    path = tmp_path / "tagged.png"
    Image.fromarray(patches_image(SOURCE)).save(path, icc_profile=profile)
    photo = load_photo(path)
    assert photo.source_profile == space and not photo.profile_assumed
    measured = patch_means(photo.rgb, len(SOURCE))
    np.testing.assert_allclose(measured, _expected(space), atol=1.01)
    # the conversion really happened: the in-gamut orange moved by many code values
    assert np.abs(measured[3] - SOURCE[3]).max() > 5
    # greys stay grey (and keep their level: both spaces share sRGB's D65 white)
    for grey in measured[7:]:
        assert grey.max() - grey.min() <= 1.0
    assert abs(measured[7].mean() - 128) <= 1.5


def test_display_p3_red_is_the_clipped_true_colour(tmp_path):
    path = tmp_path / "red.png"
    Image.fromarray(patches_image(SOURCE[:1])).save(
        path, icc_profile=icc_profiles.named_profile("Display P3"))
    red = patch_means(load_photo(path).rgb, 1)[0]
    np.testing.assert_allclose(red, np.round(_expected("Display P3", SOURCE[:1])[0]), atol=1)


@pytest.mark.parametrize("space", SPACES)
def test_tagged_jpeg_is_converted(tmp_path, space):
    path = tmp_path / "tagged.jpg"
    Image.fromarray(patches_image(SOURCE)).save(path, quality=100, subsampling=0,
                                                icc_profile=icc_profiles.named_profile(space))
    photo = load_photo(path)
    assert photo.source_profile == space
    np.testing.assert_allclose(patch_means(photo.rgb, len(SOURCE)), _expected(space), atol=3)
    preview = load_preview(path, max_side=64)
    np.testing.assert_allclose(patch_means(preview.rgb, 4, 64 // len(SOURCE)),
                               _expected(space)[:4], atol=12)


def test_heic_with_display_p3_profile(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "iphone.heic"
    Image.fromarray(patches_image(SOURCE, 32)).save(
        path, quality=95, chroma=444, icc_profile=icc_profiles.named_profile("Display P3"))
    photo = load_photo(path)
    assert photo.source_profile == "Display P3"
    np.testing.assert_allclose(patch_means(photo.rgb, len(SOURCE), 32), _expected("Display P3"),
                               atol=5)


def test_heic_with_display_p3_nclx_colour_description(tmp_path):
    """Many phones describe HEIF colour with an nclx box (CICP codes) instead of an ICC profile."""
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    path = tmp_path / "android.heic"
    nclx = {"color_primaries": 12, "transfer_characteristics": 13, "matrix_coefficients": 6,
            "full_range_flag": 1}
    Image.fromarray(patches_image(SOURCE, 32)).save(path, quality=95, chroma=444,
                                                    nclx_profile=nclx)
    if (Image.open(path).info.get("nclx_profile") or {}).get("color_primaries") != 12:
        pytest.skip("this pillow-heif cannot write an nclx colour description")
    photo = load_photo(path)
    assert photo.source_profile.startswith("Display P3") and not photo.profile_assumed
    np.testing.assert_allclose(patch_means(photo.rgb, len(SOURCE), 32), _expected("Display P3"),
                               atol=5)


@pytest.mark.parametrize("space", SPACES)
def test_16_bit_tiff_is_converted_at_full_precision(tmp_path, space):
    rng = np.random.default_rng(7)
    source = rng.integers(0, 65536, size=(24, 32, 3), dtype=np.uint16)
    source[0, :4] = [[65535, 0, 0], [32768, 32768, 32768], [1000, 1000, 1000], [5, 5, 5]]
    profile = icc_profiles.named_profile(space)
    path = tmp_path / "scan.tif"
    tifffile.imwrite(path, source, photometric="rgb",
                     extratags=[(34675, "B", len(profile), profile, True)])
    photo = load_photo(path)
    assert photo.rgb.dtype == np.uint16 and photo.source_profile == space
    expected = _expected(space, source.astype(float), 65535.0)
    # Compared in linear light: within 3e-4 of full scale, finer than one 8-bit step even at
    # the black end (1/255/12.92); the s15Fixed16 colorants of the ICC profiles limit agreement.
    import colour

    np.testing.assert_allclose(colour.cctf_decoding(photo.rgb / 65535.0, "sRGB"),
                               colour.cctf_decoding(expected / 65535.0, "sRGB"), atol=3e-4)
    grey = photo.rgb[0, 1].astype(int)
    assert grey.max() - grey.min() <= 2


def test_16_bit_tiff_with_a_table_profile_falls_back_to_littlecms(tmp_path, monkeypatch):
    def not_matrix_shaper(*_args, **_kwargs):
        raise icc_profiles.ICCParseError("pretend A2B0")

    monkeypatch.setattr(icc_profiles, "convert_uint16_to_srgb", not_matrix_shaper)
    source = (patches_image(SOURCE).astype(np.uint16) * 257)
    profile = icc_profiles.named_profile("Display P3")
    path = tmp_path / "lut.tif"
    tifffile.imwrite(path, source, photometric="rgb",
                     extratags=[(34675, "B", len(profile), profile, True)])
    photo = load_photo(path)
    assert photo.rgb.dtype == np.uint16
    measured = patch_means(photo.rgb, len(SOURCE)) / 257
    np.testing.assert_allclose(measured, _expected("Display P3"), atol=1.01)
    assert any("8-bit precision" in note for note in photo.notes)


def test_srgb_profile_is_recorded_and_pixels_kept(tmp_path):
    path = tmp_path / "srgb.png"
    image = patches_image(SOURCE)
    Image.fromarray(image).save(path, icc_profile=icc_profiles.srgb_profile_bytes())
    photo = load_photo(path)
    assert not photo.profile_assumed and photo.source_profile == "sRGB built-in"
    np.testing.assert_array_equal(photo.rgb, image)


def test_damaged_profile_assumes_srgb_with_a_note(tmp_path):
    path = tmp_path / "damaged.png"
    image = patches_image(SOURCE)
    Image.fromarray(image).save(path, icc_profile=b"not a profile" * 20)
    photo = load_photo(path)
    assert photo.profile_assumed and photo.source_profile == "sRGB (assumed)"
    assert any("damaged" in note for note in photo.notes)
    np.testing.assert_array_equal(photo.rgb, image)


def _exif_adobe_rgb_r03() -> bytes:
    """EXIF as DCF cameras in Adobe RGB mode write it: ColorSpace 0xFFFF, interop index R03.

    Built by hand (little-endian TIFF): Pillow cannot write the interoperability IFD.
    """
    import struct

    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", 0x8769, 4, 1, 26) + struct.pack("<I", 0)
    exif_ifd = (struct.pack("<H", 2) + struct.pack("<HHIHH", 0xA001, 3, 1, 0xFFFF, 0)
                + struct.pack("<HHII", 0xA005, 4, 1, 56) + struct.pack("<I", 0))
    interop = struct.pack("<H", 1) + struct.pack("<HHI4s", 0x0001, 2, 4, b"R03\0") \
        + struct.pack("<I", 0)
    tiff = b"II*\0" + struct.pack("<I", 8) + ifd0 + exif_ifd + interop
    assert len(b"II*\0") + 4 + len(ifd0) == 26 and 26 + len(exif_ifd) == 56
    return b"Exif\0\0" + tiff


def test_camera_jpeg_marked_adobe_rgb_in_exif_only(tmp_path):
    path = tmp_path / "_DSC0001.JPG"
    Image.fromarray(patches_image(SOURCE)).save(path, quality=100, subsampling=0,
                                                exif=_exif_adobe_rgb_r03())
    photo = load_photo(path)
    assert photo.source_profile == "Adobe RGB (1998)" and not photo.profile_assumed
    assert any("EXIF" in note for note in photo.notes)
    np.testing.assert_allclose(patch_means(photo.rgb, len(SOURCE)), _expected("Adobe RGB (1998)"),
                               atol=3)


def test_profile_writer_and_parser_round_trip():
    for space in SPACES + ["sRGB"]:
        data = icc_profiles.named_profile(space)
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))  # LittleCMS accepts it
        assert ImageCms.getProfileDescription(profile).strip() == space
        parsed = icc_profiles.parse_matrix_shaper(data)
        assert parsed.description == space
        # D50-adapted colorants add up to the D50 white
        np.testing.assert_allclose(parsed.matrix.sum(axis=1), icc_profiles.ICC_D50, atol=2e-4)
    assert icc_profiles.is_srgb_equivalent(icc_profiles.named_profile("sRGB"))
    assert icc_profiles.is_srgb_equivalent(icc_profiles.srgb_profile_bytes())
    assert not icc_profiles.is_srgb_equivalent(icc_profiles.named_profile("Display P3"))
    assert not icc_profiles.is_srgb_equivalent(icc_profiles.named_profile("Adobe RGB (1998)"))
    assert not icc_profiles.is_srgb_equivalent(b"junk")
    with pytest.raises(icc_profiles.ICCParseError):
        icc_profiles.parse_matrix_shaper(b"\0" * 200)


def test_profile_colorants_match_colour_science():
    import warnings

    import colour

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        space = colour.RGB_COLOURSPACES["Display P3"]
        d50 = np.array(icc_profiles.ICC_D50)
        expected = colour.adaptation.matrix_chromatic_adaptation_VonKries(
            colour.xy_to_XYZ(space.whitepoint), d50, "Bradford") @ space.matrix_RGB_to_XYZ
    parsed = icc_profiles.parse_matrix_shaper(icc_profiles.named_profile("Display P3"))
    np.testing.assert_allclose(parsed.matrix, expected, atol=2e-4)
