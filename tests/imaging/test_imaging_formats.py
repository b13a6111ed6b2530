"""load_photo / load_preview on each format, generated in the test."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import tifffile
from imaging_helpers import patch_means, patches_image
from PIL import Image
from skimage import data

from shadematch.imaging import SUPPORTED_SUFFIXES, LoadCancelled, Photo, load_photo, load_preview

COLOURS = np.array([[255, 0, 0], [0, 160, 0], [20, 40, 200], [128, 128, 128], [250, 240, 230],
                    [60, 40, 30]], dtype=np.uint8)


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return data.astronaut()


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_jpeg_without_profile_assumes_srgb_and_says_so(tmp_path, astronaut):
    path = tmp_path / "client.jpg"
    Image.fromarray(astronaut).save(path, quality=95)
    photo = load_photo(path)
    assert isinstance(photo, Photo)
    assert photo.rgb.shape == (512, 512, 3) and photo.rgb.dtype == np.uint8
    assert photo.format == "JPEG" and photo.bit_depth == 8
    assert photo.profile_assumed and photo.source_profile == "sRGB (assumed)"
    assert any("sRGB was assumed" in note for note in photo.notes)
    assert photo.orientation_applied == 1
    assert photo.sha256 == _sha(path)
    assert np.abs(photo.rgb.astype(int) - astronaut).mean() < 3
    assert not photo.rgb.flags.writeable  # a Photo is immutable
    assert photo.info()["width"] == 512 and photo.info()["sha256"] == photo.sha256


def test_png_is_lossless(tmp_path, astronaut):
    path = tmp_path / "a.png"
    Image.fromarray(astronaut).save(path)
    photo = load_photo(path)
    assert photo.format == "PNG"
    np.testing.assert_array_equal(photo.rgb, astronaut)
    assert photo.sha256 == _sha(path)


def test_rgba_png_is_flattened_over_white(tmp_path):
    rgba = np.zeros((4, 3, 4), np.uint8)
    rgba[0, :] = (10, 20, 30, 255)      # opaque
    rgba[1, :] = (10, 20, 30, 0)        # fully transparent -> white
    rgba[2, :] = (0, 0, 0, 128)         # half transparent black -> mid grey
    rgba[3, :] = (200, 0, 0, 255)
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    photo = load_photo(path)
    assert photo.rgb.shape == (4, 3, 3)
    np.testing.assert_array_equal(photo.rgb[0, 0], (10, 20, 30))
    np.testing.assert_array_equal(photo.rgb[1, 0], (255, 255, 255))
    assert np.all(np.abs(photo.rgb[2, 0].astype(int) - 127) <= 1)
    np.testing.assert_array_equal(photo.rgb[3, 0], (200, 0, 0))
    assert any("over white" in note for note in photo.notes)


def test_grey_palette_and_bilevel_become_rgb(tmp_path, astronaut):
    grey = np.asarray(Image.fromarray(astronaut).convert("L"))
    Image.fromarray(grey).save(tmp_path / "g.png")
    photo = load_photo(tmp_path / "g.png")
    assert photo.rgb.shape == (512, 512, 3)
    for channel in range(3):
        np.testing.assert_array_equal(photo.rgb[..., channel], grey)

    palette = Image.fromarray(astronaut).quantize(64)
    palette.save(tmp_path / "p.png")
    expected = np.asarray(palette.convert("RGB"))
    np.testing.assert_array_equal(load_photo(tmp_path / "p.png").rgb, expected)

    bilevel = Image.fromarray(grey > 128)
    bilevel.save(tmp_path / "b.png")
    rgb = load_photo(tmp_path / "b.png").rgb
    np.testing.assert_array_equal(rgb[..., 0], np.where(grey > 128, 255, 0))


def test_16_bit_grey_png_keeps_uint16(tmp_path):
    ramp = (np.arange(64 * 32, dtype=np.uint32) * 31).reshape(32, 64).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "g16.png")
    photo = load_photo(tmp_path / "g16.png")
    assert photo.rgb.dtype == np.uint16 and photo.bit_depth == 16
    for channel in range(3):
        np.testing.assert_array_equal(photo.rgb[..., channel], ramp)


def test_8_bit_tiff(tmp_path, astronaut):
    path = tmp_path / "a.tif"
    Image.fromarray(astronaut).save(path, compression="tiff_lzw")
    photo = load_photo(path)
    assert photo.format == "TIFF" and photo.rgb.dtype == np.uint8
    np.testing.assert_array_equal(photo.rgb, astronaut)


def test_16_bit_tiff_keeps_uint16_precision(tmp_path):
    rng = np.random.default_rng(3)
    rgb16 = rng.integers(0, 65536, size=(40, 56, 3), dtype=np.uint16)
    path = tmp_path / "scan16.tiff"
    tifffile.imwrite(path, rgb16, photometric="rgb", compression="zlib")
    photo = load_photo(path)
    assert photo.rgb.dtype == np.uint16 and photo.bit_depth == 16 and photo.max_value == 65535
    np.testing.assert_array_equal(photo.rgb, rgb16)  # every one of the 16 bits kept
    assert photo.profile_assumed and photo.format == "TIFF"
    assert photo.sha256 == _sha(path)
    np.testing.assert_array_equal(photo.rgb8(), (rgb16 >> 8).astype(np.uint8))


def test_16_bit_grey_and_rgba_tiff(tmp_path):
    grey = (np.arange(30 * 20, dtype=np.uint32) * 100).reshape(20, 30).astype(np.uint16)
    tifffile.imwrite(tmp_path / "g.tif", grey, photometric="minisblack")
    photo = load_photo(tmp_path / "g.tif")
    assert photo.rgb.dtype == np.uint16 and photo.rgb.shape == (20, 30, 3)
    np.testing.assert_array_equal(photo.rgb[..., 1], grey)

    rgba = np.zeros((2, 2, 4), np.uint16)
    rgba[0, 0] = (1000, 2000, 3000, 65535)
    rgba[0, 1] = (1000, 2000, 3000, 0)
    tifffile.imwrite(tmp_path / "a.tif", rgba, photometric="rgb", extrasamples=[2])
    photo = load_photo(tmp_path / "a.tif")
    np.testing.assert_array_equal(photo.rgb[0, 0], (1000, 2000, 3000))
    np.testing.assert_array_equal(photo.rgb[0, 1], (65535, 65535, 65535))


def test_heic(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    image = patches_image(COLOURS, 32)
    path = tmp_path / "IMG_0001.HEIC"
    Image.fromarray(image).save(path, quality=95, chroma=444)
    photo = load_photo(path)
    assert photo.format == "HEIF" and photo.rgb.shape == image.shape
    np.testing.assert_allclose(patch_means(photo.rgb, len(COLOURS), 32), COLOURS, atol=4)
    assert photo.sha256 == _sha(path)


def test_heic_orientation_is_applied_once(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    image = np.zeros((32, 64, 3), np.uint8)
    image[:16, :16] = (255, 0, 0)  # stored top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 clockwise for display
    path = tmp_path / "rot.heic"
    Image.fromarray(image).save(path, quality=95, exif=exif.tobytes())
    photo = load_photo(path)
    assert photo.rgb.shape == (64, 32, 3)
    assert photo.orientation_applied == 6
    assert photo.rgb[:12, -12:, 0].mean() > 200  # stored top-left is now top-right
    assert photo.rgb[:12, :12, 0].mean() < 50


@pytest.mark.parametrize("suffix,kwargs", [(".webp", {"lossless": True}), (".bmp", {})])
def test_webp_and_bmp(tmp_path, astronaut, suffix, kwargs):
    path = tmp_path / f"a{suffix}"
    Image.fromarray(astronaut).save(path, **kwargs)
    np.testing.assert_array_equal(load_photo(path).rgb, astronaut)


def test_cmyk_jpeg_without_profile_is_converted_with_a_note(tmp_path):
    cmyk = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # pure red ink
    path = tmp_path / "print.jpg"
    cmyk.save(path, quality=100)
    photo = load_photo(path)
    assert photo.rgb.shape == (16, 16, 3)
    red = photo.rgb.reshape(-1, 3).mean(0)
    assert red[0] > 240 and red[1] < 15 and red[2] < 15
    assert any("CMYK" in note for note in photo.notes)


def test_content_decides_not_the_suffix(tmp_path, astronaut):
    path = tmp_path / "really_a_png.jpg"
    Image.fromarray(astronaut).save(path, format="PNG")
    photo = load_photo(path)
    assert photo.format == "PNG"
    np.testing.assert_array_equal(photo.rgb, astronaut)


def test_supported_suffixes():
    assert isinstance(SUPPORTED_SUFFIXES, frozenset)
    assert all(s.startswith(".") and s == s.lower() for s in SUPPORTED_SUFFIXES)
    assert {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".heic", ".heif", ".dng", ".cr2", ".cr3",
            ".nef", ".arw"} <= SUPPORTED_SUFFIXES
    assert ".gif" not in SUPPORTED_SUFFIXES


def test_progress_and_cancel(tmp_path, astronaut):
    path = tmp_path / "a.jpg"
    Image.fromarray(astronaut).save(path)
    seen: list[tuple[float, str]] = []
    load_photo(path, progress=lambda f, m="": seen.append((f, m)), cancelled=lambda: False)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(isinstance(m, str) and m for _, m in seen)

    calls = {"n": 0}

    def cancel_after_two() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(LoadCancelled, match="a.jpg"):
        load_photo(path, cancelled=cancel_after_two)


def test_preview_of_a_big_jpeg_is_reduced_and_faithful(tmp_path, astronaut):
    big = np.asarray(Image.fromarray(astronaut).resize((2048, 1536), Image.Resampling.BICUBIC))
    path = tmp_path / "big.jpg"
    Image.fromarray(big).save(path, quality=92)
    preview = load_preview(path, max_side=256)
    assert max(preview.rgb.shape[:2]) == 256 and preview.rgb.shape == (192, 256, 3)
    assert preview.sha256 == _sha(path)
    expected = np.asarray(Image.fromarray(big).resize((256, 192), Image.Resampling.BOX))
    assert np.abs(preview.rgb.astype(int) - expected).mean() < 4
    assert any("preview" in note.lower() for note in preview.notes)


def test_preview_is_oriented(tmp_path):
    image = np.zeros((300, 600, 3), np.uint8)
    image[:100, :100] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 8  # rotate 90 counter-clockwise for display
    path = tmp_path / "r.jpg"
    Image.fromarray(image).save(path, exif=exif.tobytes(), quality=95)
    preview = load_preview(path, max_side=120)
    assert preview.rgb.shape == (120, 60, 3) and preview.orientation_applied == 8
    # orientation 8: stored row 0 is the left side, stored column 0 the bottom
    assert preview.rgb[-15:, :15, 0].mean() > 200
    with pytest.raises(ValueError):
        load_preview(path, max_side=0)


def _png16_rgb(path, rgb16: np.ndarray) -> None:
    """A 16-bit RGB PNG written by hand (Pillow cannot write one): filter 0, big-endian."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    height, width, _ = rgb16.shape
    rows = b"".join(b"\0" + rgb16[y].astype(">u2").tobytes() for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_16_bit_rgb_png_is_read_at_8_bits_with_a_note(tmp_path):
    rgb16 = np.random.default_rng(5).integers(0, 65536, size=(6, 9, 3), dtype=np.uint16)
    path = tmp_path / "deep.png"
    _png16_rgb(path, rgb16)
    photo = load_photo(path)
    assert photo.rgb.dtype == np.uint8
    assert np.abs(photo.rgb.astype(int) - (rgb16 >> 8)).max() <= 1
    assert any("16-bit colour PNG" in note for note in photo.notes)


def test_preview_of_16_bit_grey_is_8_bit(tmp_path):
    ramp = (np.arange(64 * 32, dtype=np.uint32) * 31).reshape(32, 64).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "g16.png")
    preview = load_preview(tmp_path / "g16.png", max_side=16)
    assert preview.rgb.dtype == np.uint8 and preview.rgb.shape == (8, 16, 3)
    expected = np.asarray(Image.fromarray((ramp >> 8).astype(np.uint8)).resize((16, 8),
                                                                             Image.Resampling.BOX))
    assert np.abs(preview.rgb[..., 0].astype(int) - expected).max() <= 3


def test_cielab_tiff_is_converted_colorimetrically(tmp_path):
    import warnings

    import colour

    lab_d50 = np.array([[50.0, 0.0, 0.0], [50.0, 40.0, 20.0], [70.0, -20.0, 30.0]])
    # TIFF CIELab (photometric 8) and Pillow's LAB mode: L* * 255 / 100, a* and b* signed bytes
    encoded = np.round(np.column_stack([lab_d50[:, 0] * 255 / 100, lab_d50[:, 1:] % 256]))
    pixels = patches_image(encoded.astype(np.uint8))
    Image.frombytes("LAB", pixels.shape[1::-1], pixels.tobytes()).save(tmp_path / "lab.tif")
    photo = load_photo(tmp_path / "lab.tif")
    assert photo.source_profile == "CIELAB (D50)" and not photo.profile_assumed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signed = np.where(encoded[:, 1:] > 127, encoded[:, 1:] - 256, encoded[:, 1:])
        actual_lab = np.column_stack([encoded[:, 0] * 100 / 255, signed])
        d50 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D50"]
        xyz = colour.Lab_to_XYZ(actual_lab, d50)
        expected = colour.XYZ_to_sRGB(xyz, d50, chromatic_adaptation_transform="Bradford")
    np.testing.assert_allclose(patch_means(photo.rgb, 3), np.clip(expected, 0, 1) * 255, atol=2)


@pytest.mark.parametrize("layout", ["planar", "int32", "float32"])
def test_valid_tiffs_pillow_cannot_open_are_read_exactly(tmp_path, layout):
    """(issue 16) Planar 16-bit TIFFs were read as a 3-pixel-high image; 32-bit integer and
    floating-point TIFFs were called 'not an image'."""
    import numpy as np
    import tifffile

    from shadematch.imaging import load_photo

    rgb16 = (np.random.default_rng(0).random((64, 80, 3)) * 65535).astype(np.uint16)
    path = tmp_path / f"{layout}.tif"
    if layout == "planar":
        tifffile.imwrite(path, np.moveaxis(rgb16, 2, 0), planarconfig="separate",
                         photometric="rgb")
    elif layout == "int32":
        tifffile.imwrite(path, rgb16.astype(np.int32) << 15, photometric="rgb")
    else:
        tifffile.imwrite(path, rgb16.astype(np.float32) / 65535, photometric="rgb")
    photo = load_photo(path)
    assert photo.rgb.shape == (64, 80, 3) and photo.rgb.dtype == np.uint16
    assert np.abs(photo.rgb.astype(int) - rgb16.astype(int)).max() <= 1
