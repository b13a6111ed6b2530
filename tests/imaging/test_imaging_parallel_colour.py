"""The parallel (strip-wise) conversion of big 8-bit RGB photos.

Big photos are converted (LittleCMS, or from 8 MP the profile's tabulated LittleCMS transform,
when they have a profile) and copied out of Pillow on horizontal strips in a thread pool, the
EXIF orientation applied strip by strip. The result must be exactly what one whole-image
LittleCMS transform followed by the orientation gives, and within one code value of the exact
conversion (colour-science). The strip size and the size thresholds are lowered here so that
small test images take these paths.
"""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest
from imaging_helpers import reference_to_srgb
from PIL import Image, ImageCms

from shadematch.imaging import icc_profiles, load_photo
from shadematch.imaging import pixels as pixels_module
from shadematch.imaging import srgb_conversion as srgb_module
from shadematch.imaging.pixels import _orient

HEIGHT, WIDTH = 100, 130  # 100 rows: strips of 16 leave a short last strip of 4 rows


@pytest.fixture(scope="module", autouse=True)
def _release_colour_tables():
    """The tables built here (64 MB each) are not left to the rest of the test session."""
    yield
    icc_profiles.clear_lookup_tables()


@pytest.fixture
def strips(monkeypatch) -> list[tuple[str, tuple[int, int]]]:
    """Small strips, three workers, no size threshold; records (thread name, strip size) of
    every LittleCMS call."""
    calls: list[tuple[str, tuple[int, int]]] = []
    original = ImageCms.ImageCmsTransform.apply_in_place

    def spy(self, im):
        calls.append((threading.current_thread().name, im.size))
        return original(self, im)

    monkeypatch.setattr(pixels_module, "_PARALLEL_MIN_PIXELS", 1)
    monkeypatch.setattr(pixels_module, "_STRIP_ROWS", 16)
    monkeypatch.setattr(pixels_module, "_workers", lambda: 3)
    monkeypatch.setattr(ImageCms.ImageCmsTransform, "apply_in_place", spy)
    return calls


def _random_image(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, size=(HEIGHT, WIDTH, 3), dtype=np.uint8)
    image[0, :8] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [0, 0, 0], [255, 255, 255],
                    [1, 1, 1], [254, 254, 254], [128, 128, 128]]
    return image


def _whole_image_littlecms(image: np.ndarray, profile: bytes) -> np.ndarray:
    transform = ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(profile)),
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")), "RGB", "RGB",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    return np.asarray(ImageCms.applyTransform(Image.fromarray(image), transform))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_strips_equal_one_whole_image_transform_for_every_orientation(tmp_path, strips,
                                                                      orientation):
    image = _random_image()
    profile = icc_profiles.named_profile("Display P3")
    path = tmp_path / "p3.png"
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(image).save(path, icc_profile=profile, exif=exif.tobytes())
    photo = load_photo(path)
    # 6 strips of 16 rows and one of 4, each converted by a pool thread
    assert sorted(size for _, size in strips) == [(WIDTH, 4)] + [(WIDTH, 16)] * 6
    assert all(name.startswith("shadematch-colour") for name, _ in strips)
    assert photo.orientation_applied == orientation and photo.source_profile == "Display P3"
    expected = _orient(_whole_image_littlecms(image, profile), orientation)
    assert photo.rgb.shape == expected.shape and photo.rgb.flags.c_contiguous
    np.testing.assert_array_equal(photo.rgb, expected)


@pytest.fixture
def table_strips(monkeypatch) -> list[bytes]:
    """The lookup-table path for any size, small strips, three workers; records the profiles
    whose table was asked for."""
    asked: list[bytes] = []
    original = icc_profiles.srgb_lookup_table

    def spy(data, **kwargs):
        asked.append(data)
        return original(data, **kwargs)

    monkeypatch.setattr(srgb_module, "_TABLE_MIN_PIXELS", 1)
    monkeypatch.setattr(pixels_module, "_STRIP_ROWS", 16)
    monkeypatch.setattr(pixels_module, "_workers", lambda: 3)
    monkeypatch.setattr(icc_profiles, "srgb_lookup_table", spy)
    return asked


@pytest.mark.parametrize("orientation", range(1, 9))
def test_lookup_table_strips_equal_littlecms_for_every_orientation(tmp_path, table_strips,
                                                                   orientation):
    image = _random_image(5)
    profile = icc_profiles.named_profile("Display P3")
    path = tmp_path / "p3.png"
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(image).save(path, icc_profile=profile, exif=exif.tobytes())
    photo = load_photo(path)
    assert table_strips == [profile]
    assert photo.orientation_applied == orientation and photo.source_profile == "Display P3"
    expected = _orient(_whole_image_littlecms(image, profile), orientation)
    assert photo.rgb.shape == expected.shape and photo.rgb.flags.c_contiguous
    np.testing.assert_array_equal(photo.rgb, expected)


def test_a_failing_table_build_falls_back_to_littlecms(tmp_path, monkeypatch):
    def broken(data, **kwargs):
        raise OSError("simulated: no memory for the table")

    monkeypatch.setattr(srgb_module, "_TABLE_MIN_PIXELS", 1)
    monkeypatch.setattr(icc_profiles, "srgb_lookup_table", broken)
    image = _random_image(8)
    profile = icc_profiles.named_profile("Display P3")
    path = tmp_path / "p3.png"
    Image.fromarray(image).save(path, icc_profile=profile)
    photo = load_photo(path)
    assert not photo.profile_assumed and photo.source_profile == "Display P3"
    np.testing.assert_array_equal(photo.rgb, _whole_image_littlecms(image, profile))


@pytest.mark.parametrize("space", ["Display P3", "Adobe RGB (1998)"])
def test_lookup_table_is_littlecms_for_all_colours_and_close_to_colour_science(space):
    profile = icc_profiles.named_profile(space)
    table = icc_profiles.srgb_lookup_table(profile, workers=2)
    assert table.shape == (1 << 24,) and table.dtype == np.uint32 and not table.flags.writeable
    assert icc_profiles.srgb_lookup_table(profile) is table  # kept for the next photo
    rng = np.random.default_rng(17)
    colours = rng.integers(0, 256, size=(200_000, 3), dtype=np.uint8)
    colours[:256] = np.arange(256, dtype=np.uint8)[:, None]  # every grey
    index = (colours[:, 0].astype(np.int64) | colours[:, 1].astype(np.int64) << 8
             | colours[:, 2].astype(np.int64) << 16)
    looked_up = table[index].view(np.uint8).reshape(-1, 4)[:, :3]
    np.testing.assert_array_equal(looked_up,
                                  _whole_image_littlecms(colours[None], profile)[0])
    expected = np.round(reference_to_srgb(colours / 255.0, space) * 255)
    assert np.abs(looked_up.astype(int) - expected).max() <= 1


def test_lookup_table_cache_keeps_the_two_most_recent_profiles(monkeypatch):
    builds: list[bytes] = []
    original = icc_profiles._build_lookup_table

    def counting(data, workers):
        builds.append(data)
        return original(data, workers)

    monkeypatch.setattr(icc_profiles, "_build_lookup_table", counting)
    icc_profiles.clear_lookup_tables()
    p3, adobe, srgb = (icc_profiles.named_profile(name)
                       for name in ("Display P3", "Adobe RGB (1998)", "sRGB"))
    p3_table = icc_profiles.srgb_lookup_table(p3)
    adobe_table = icc_profiles.srgb_lookup_table(adobe)
    assert not np.array_equal(adobe_table[:4096], p3_table[:4096])
    assert icc_profiles.srgb_lookup_table(p3) is p3_table  # P3 is now the most recent
    icc_profiles.srgb_lookup_table(srgb)                     # evicts Adobe RGB, not P3
    assert icc_profiles.srgb_lookup_table(p3) is p3_table
    assert builds == [p3, adobe, srgb]
    icc_profiles.srgb_lookup_table(adobe)
    assert builds == [p3, adobe, srgb, adobe]
    icc_profiles.clear_lookup_tables()
    assert icc_profiles._TABLE_CACHE == {}


@pytest.mark.parametrize("space", ["Display P3", "Adobe RGB (1998)"])
def test_strips_are_within_one_code_value_of_colour_science(tmp_path, strips, space):
    # every 8-bit value of each channel appears, in many combinations
    image = _random_image(11)
    image[1, :128] = np.stack([np.arange(0, 256, 2)] * 3, axis=-1)
    image[2, :128] = np.stack([np.arange(1, 256, 2)] * 3, axis=-1)
    path = tmp_path / "tagged.png"
    Image.fromarray(image).save(path, icc_profile=icc_profiles.named_profile(space))
    photo = load_photo(path)
    assert strips
    expected = np.round(reference_to_srgb(image / 255.0, space) * 255)
    assert np.abs(photo.rgb.astype(int) - expected).max() <= 1


def test_a_failing_strip_falls_back_like_the_whole_image_path(tmp_path, strips, monkeypatch):
    image = _random_image()
    path = tmp_path / "p3.png"
    Image.fromarray(image).save(path, icc_profile=icc_profiles.named_profile("Display P3"))

    original = ImageCms.ImageCmsTransform.apply_in_place  # the fixture's recording spy

    def broken_after_two_strips(self, im):
        if len(strips) >= 2:
            raise OSError("simulated LittleCMS failure")
        return original(self, im)

    monkeypatch.setattr(ImageCms.ImageCmsTransform, "apply_in_place", broken_after_two_strips)
    photo = load_photo(path)
    assert len(strips) >= 2
    assert photo.profile_assumed and any("could not be applied" in n for n in photo.notes)
    np.testing.assert_array_equal(photo.rgb, image)  # no strip half-converted


@pytest.mark.parametrize("orientation", range(1, 9))
def test_strips_without_a_profile_are_the_decoded_pixels_oriented(tmp_path, strips, monkeypatch,
                                                                   orientation):
    calls = []
    original = pixels_module._in_strips
    monkeypatch.setattr(pixels_module, "_in_strips",
                        lambda *args: calls.append(args[1:]) or original(*args))
    image = _random_image()
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "plain.png"
    Image.fromarray(image).save(path, exif=exif.tobytes())
    photo = load_photo(path)
    assert calls == [(None, orientation)] and not strips  # no LittleCMS transform at all
    assert photo.profile_assumed and photo.orientation_applied == orientation
    np.testing.assert_array_equal(photo.rgb, _orient(image, orientation))
    assert photo.rgb.flags.c_contiguous and not photo.rgb.flags.writeable


def test_small_photos_and_single_cpu_take_the_whole_image_path(tmp_path, monkeypatch):
    called = []
    monkeypatch.setattr(pixels_module, "_in_strips",
                        lambda *args: called.append(args))
    path = tmp_path / "p3.png"
    image = _random_image()
    profile = icc_profiles.named_profile("Display P3")
    Image.fromarray(image).save(path, icc_profile=profile)
    photo = load_photo(path)  # 12 000 pixels: below the threshold
    monkeypatch.setattr(pixels_module, "_PARALLEL_MIN_PIXELS", 1)
    monkeypatch.setattr(pixels_module, "_workers", lambda: 1)
    single = load_photo(path)
    assert not called
    np.testing.assert_array_equal(photo.rgb, _whole_image_littlecms(image, profile))
    np.testing.assert_array_equal(single.rgb, photo.rgb)
