"""Wide-gamut photos (Display P3, Adobe RGB, ProPhoto) are measured from their source pixels:
colours outside sRGB keep their true Lab (truth from colour-science) and are not called clipped;
"clipped" is kept for a channel at 0 or full scale in the source encoding."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tifffile
from PIL import Image

from shadematch.analysis import measure_regions
from shadematch.color.region_statistics import sample_region
from shadematch.errors import SampleError
from shadematch.imaging import icc_profiles, load_photo, load_preview
from shadematch.imaging.regions import Region

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # colour-science warns that matplotlib is absent
    import colour

D65 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]

#: Saturated colours outside sRGB in each space (no channel at 0 or 255), and a skin tone.
CODES = np.array([[235, 40, 30], [40, 230, 60], [220, 120, 40], [200, 140, 120]], dtype=np.uint8)


def _profile(space: str) -> bytes:
    if space == "ProPhoto RGB":
        primaries = icc_profiles.PRIMARIES[space]
        return icc_profiles.build_matrix_shaper(space, primaries[:3], primaries[3], (0, (1.8,)))
    return icc_profiles.named_profile(space)


def _true_Lab(codes01: np.ndarray, space: str) -> np.ndarray:
    if space == "ProPhoto RGB":
        linear = np.asarray(codes01, dtype=float) ** 1.8
        cs = colour.RGB_COLOURSPACES["ProPhoto RGB"]
        XYZ = colour.RGB_to_XYZ(linear, cs, D65, chromatic_adaptation_transform="Bradford")
    else:
        cs = colour.RGB_COLOURSPACES[{"Adobe RGB (1998)": "Adobe RGB (1998)",
                                      "Display P3": "Display P3"}[space]]
        XYZ = colour.RGB_to_XYZ(np.asarray(codes01, dtype=float), cs, D65,
                                chromatic_adaptation_transform=None, apply_cctf_decoding=True)
    return colour.XYZ_to_Lab(XYZ, D65)


def _patches(codes: np.ndarray, size: int = 24) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(np.repeat(codes[None], size, axis=0), size, axis=1))


def _measure(photo, index: int, size: int = 24):
    mask = np.zeros(photo.rgb.shape[:2], dtype=bool)
    mask[4:size - 4, index * size + 4:(index + 1) * size - 4] = True
    return sample_region(photo.rgb, mask, "scar", source=photo.source)


def _outside_srgb(Lab: np.ndarray) -> bool:
    rgb = colour.XYZ_to_sRGB(colour.Lab_to_XYZ(Lab, D65), D65, apply_cctf_encoding=False)
    return bool(np.any(rgb < -0.01) or np.any(rgb > 1.01))


@pytest.mark.parametrize("space", ["Display P3", "Adobe RGB (1998)", "ProPhoto RGB"])
def test_colours_outside_srgb_are_measured_within_1_dE00(tmp_path, space):
    path = tmp_path / "wide.png"
    Image.fromarray(_patches(CODES)).save(path, icc_profile=_profile(space))
    photo = load_photo(path)
    assert photo.source is not None and photo.source_profile == space
    truth = _true_Lab(CODES / 255.0, space)
    assert _outside_srgb(truth[0])  # the test really is about an out-of-sRGB colour
    for i in range(len(CODES)):
        sample = _measure(photo, i)
        dE = colour.delta_E(sample.Lab, truth[i], method="CIE 2000")
        assert dE < 1.0, (space, i, dE)
        assert sample.clipped == 0 and not any(w["code"] == "clipped" for w in sample.warnings)


def test_without_the_source_the_clipped_srgb_misreads_and_refuses(tmp_path):
    path = tmp_path / "p3.png"
    Image.fromarray(_patches(CODES)).save(path, icc_profile=_profile("Display P3"))
    photo = load_photo(path)
    truth = _true_Lab(CODES[:1] / 255.0, "Display P3")[0]
    mask = np.zeros(photo.rgb.shape[:2], dtype=bool)
    mask[4:20, 4:20] = True
    with pytest.raises(SampleError, match="clipped"):  # the display sRGB: red at 255, 0
        sample_region(photo.rgb, mask, "scar")
    new = sample_region(photo.rgb, mask, "scar", source=photo.source)
    assert colour.delta_E(new.Lab, truth, method="CIE 2000") < 1.0


def test_real_clipping_in_the_source_is_still_clipped(tmp_path):
    codes = np.array([[255, 40, 30], [120, 0, 60]], dtype=np.uint8)
    path = tmp_path / "p3clip.png"
    Image.fromarray(_patches(codes)).save(path, icc_profile=_profile("Display P3"))
    photo = load_photo(path)
    for i in range(2):
        mask = np.zeros(photo.rgb.shape[:2], dtype=bool)
        mask[4:20, i * 24 + 4:i * 24 + 20] = True
        mask[0, 0] = True   # 1 unclipped pixel is not enough either
        with pytest.raises(SampleError, match="clipped"):
            sample_region(photo.rgb, mask, "scar", source=photo.source)


def test_big_oriented_photo_and_16_bit_tiff_keep_the_source(tmp_path):
    # >= 1 MP: the threaded strips path; EXIF orientation 6 (rotated 90 degrees clockwise).
    big = np.full((1024, 1100, 3), (200, 140, 120), dtype=np.uint8)
    big[100:300, 50:250] = CODES[0]
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "big.png"
    Image.fromarray(big).save(path, icc_profile=_profile("Display P3"), exif=exif)
    photo = load_photo(path)
    assert photo.source is not None
    np.testing.assert_array_equal(photo.source.oriented().shape, photo.rgb.shape)
    regions = [Region.from_dict({"id": "r1", "class": "scar", "shape": "rect",
                                 "params": {"x": 1024 - 290, "y": 60, "w": 180, "h": 180}})]
    samples, problems = measure_regions(photo, regions)
    assert not problems
    truth = _true_Lab(CODES[0] / 255.0, "Display P3")
    assert colour.delta_E(samples["scar"].Lab, truth, method="CIE 2000") < 1.0

    codes16 = CODES.astype(np.uint16) * 257
    tif = tmp_path / "p3.tif"
    tifffile.imwrite(tif, _patches(codes16), photometric="rgb",
                     iccprofile=_profile("Display P3"))
    photo16 = load_photo(tif)
    assert photo16.source is not None and photo16.rgb.dtype == np.uint16
    truth16 = _true_Lab(codes16 / 65535.0, "Display P3")
    dE = colour.delta_E(_measure(photo16, 0).Lab, truth16[0], method="CIE 2000")
    assert dE < 1.0


def test_srgb_photos_and_previews_keep_no_source(tmp_path):
    path = tmp_path / "s.png"
    Image.fromarray(_patches(CODES)).save(path, icc_profile=icc_profiles.named_profile("sRGB"))
    assert load_photo(path).source is None
    Image.fromarray(_patches(CODES)).save(path, icc_profile=_profile("Display P3"))
    assert load_preview(path, 64).source is None
