"""Camera RAW through rawpy/LibRaw: a real (minimal, linear) DNG written in the test, the
embedded-thumbnail preview through a stand-in rawpy, and RAW error paths."""

from __future__ import annotations

import io
import sys
import types

import numpy as np
import pytest
from imaging_helpers import write_linear_dng
from PIL import Image

from shadematch.errors import ImageLoadError
from shadematch.imaging import load_photo, load_preview
from shadematch.imaging.raw_loading import RAW_PROFILE

rawpy = pytest.importorskip("rawpy")


def _srgb_encode(linear):
    linear = np.asarray(linear, dtype=float)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def _scene() -> np.ndarray:
    scene = np.full((48, 64, 3), 0.18)            # an 18 % grey card
    scene[:16, :16] = (0.5, 0.05, 0.05)           # stored top-left: red
    scene[-16:, -16:] = (0.05, 0.2, 0.6)          # stored bottom-right: blue
    return scene


def test_real_dng_is_developed_to_16_bit_srgb_exposure_as_shot(tmp_path):
    path = write_linear_dng(tmp_path / "IMG_0001.DNG", _scene())
    photo = load_photo(path)
    assert photo.format == "RAW" and photo.source_profile == RAW_PROFILE
    assert not photo.profile_assumed
    assert photo.rgb.dtype == np.uint16 and photo.rgb.shape == (48, 64, 3)
    assert photo.orientation_applied == 1
    grey = photo.rgb[24:40, 24:40].reshape(-1, 3).mean(0) / 65535
    np.testing.assert_allclose(grey, _srgb_encode([0.18] * 3), atol=0.004)  # 18 % stays 18 %
    red = photo.rgb[4:12, 4:12].reshape(-1, 3).mean(0) / 65535
    np.testing.assert_allclose(red, _srgb_encode([0.5, 0.05, 0.05]), atol=0.004)
    blue = photo.rgb[-12:-4, -12:-4].reshape(-1, 3).mean(0) / 65535
    np.testing.assert_allclose(blue, _srgb_encode([0.05, 0.2, 0.6]), atol=0.004)
    assert any("LibRaw" in note for note in photo.notes)


def test_real_dng_orientation(tmp_path):
    path = write_linear_dng(tmp_path / "rot.dng", _scene(), orientation=6)
    photo = load_photo(path)
    assert photo.orientation_applied == 6 and photo.rgb.shape == (64, 48, 3)
    # rotate 90 clockwise: stored top-left is now top-right
    corner = photo.rgb[2:10, -10:-2].reshape(-1, 3).mean(0)
    assert corner[0] > 2 * corner[1]
    # preview without an embedded thumbnail: developed at half size, oriented once
    preview = load_preview(path, max_side=16)
    assert max(preview.rgb.shape[:2]) == 16 and preview.rgb.shape[0] > preview.rgb.shape[1]
    assert preview.rgb.dtype == np.uint8 and preview.orientation_applied == 6


def test_fake_and_truncated_raw_files(tmp_path):
    fake = tmp_path / "fake.dng"
    fake.write_text("this is not a DNG\n" * 50)
    with pytest.raises(ImageLoadError, match=r"fake\.dng could not be read: LibRaw") as info:
        load_photo(fake)
    assert isinstance(info.value.__cause__, rawpy.LibRawError)
    with pytest.raises(ImageLoadError, match="fake.dng"):
        load_preview(fake)
    noise = tmp_path / "random.cr2"
    noise.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(ImageLoadError, match="random.cr2"):
        load_photo(noise)

    full = write_linear_dng(tmp_path / "full.dng", np.random.default_rng(1).random((200, 300, 3)))
    cut = tmp_path / "cut.dng"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    with pytest.raises(ImageLoadError, match="cut.dng could not be read: the RAW data is damaged or truncated"):
        load_photo(cut)


class _FakeRaw:
    """What rawpy.imread returns, for a camera file with an embedded preview."""

    def __init__(self, thumb, flip: int, developed: np.ndarray) -> None:
        self.thumb, self.developed = thumb, developed
        self.sizes = types.SimpleNamespace(width=developed.shape[1], height=developed.shape[0],
                                           flip=flip)
        self.postprocess_kwargs: dict = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def extract_thumb(self):
        if self.thumb is None:
            raise FakeRawpy.LibRawNoThumbnailError("no thumbnail")
        return self.thumb

    def postprocess(self, **kwargs):
        self.postprocess_kwargs = kwargs
        return self.developed


class FakeRawpy(types.ModuleType):
    class LibRawError(Exception):
        pass

    class LibRawFileUnsupportedError(LibRawError):
        pass

    class LibRawIOError(LibRawError):
        pass

    class LibRawDataError(LibRawError):
        pass

    class LibRawNoThumbnailError(LibRawError):
        pass

    class LibRawUnsupportedThumbnailError(LibRawError):
        pass

    class LibRawUnsufficientMemoryError(LibRawError):
        pass

    class LibRawTooBigError(LibRawError):
        pass

    ColorSpace = types.SimpleNamespace(sRGB="sRGB")
    ThumbFormat = types.SimpleNamespace(JPEG=1, BITMAP=2)

    def __init__(self, raw: _FakeRaw) -> None:
        super().__init__("rawpy")
        self.raw = raw

    def imread(self, path: str) -> _FakeRaw:
        return self.raw


def _jpeg_thumb(width: int, height: int) -> bytes:
    image = np.zeros((height, width, 3), np.uint8)
    image[: height // 4, : width // 4] = (255, 0, 0)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def test_preview_uses_the_embedded_jpeg_and_libraw_flip(tmp_path, monkeypatch):
    developed = np.zeros((40, 60, 3), np.uint16)
    thumb = types.SimpleNamespace(format=1, data=_jpeg_thumb(1600, 1200))
    fake = FakeRawpy(_FakeRaw(thumb, flip=5, developed=developed))  # LibRaw 5 = 90 deg CCW
    monkeypatch.setitem(sys.modules, "rawpy", fake)
    path = tmp_path / "DSC_0001.NEF"
    path.write_bytes(b"stand-in raw bytes")
    preview = load_preview(path, max_side=200)
    assert preview.rgb.shape == (200, 150, 3) and preview.orientation_applied == 8
    assert preview.rgb[-20:, :20, 0].mean() > 200  # stored top-left is now bottom-left
    assert preview.format == "RAW" and preview.source_profile == RAW_PROFILE


def test_load_photo_asks_libraw_for_16_bit_srgb_with_camera_white_balance(tmp_path,
                                                                          monkeypatch):
    developed = np.full((30, 20, 3), 1234, np.uint16)
    raw = _FakeRaw(None, flip=3, developed=developed)
    monkeypatch.setitem(sys.modules, "rawpy", FakeRawpy(raw))
    path = tmp_path / "IMG_1.CR3"
    path.write_bytes(b"stand-in raw bytes")
    photo = load_photo(path)
    assert raw.postprocess_kwargs["use_camera_wb"] is True
    assert raw.postprocess_kwargs["output_bps"] == 16
    assert raw.postprocess_kwargs["output_color"] == "sRGB"
    assert raw.postprocess_kwargs["no_auto_bright"] is True
    assert photo.orientation_applied == 3 and photo.rgb.dtype == np.uint16
    np.testing.assert_array_equal(photo.rgb, developed)  # LibRaw already rotated it

    bitmap = types.SimpleNamespace(format=2, data=np.full((10, 16, 3), 77, np.uint8))
    monkeypatch.setitem(sys.modules, "rawpy", FakeRawpy(_FakeRaw(bitmap, 0, developed)))
    preview = load_preview(path, max_side=8)
    assert preview.rgb.shape == (5, 8, 3) and int(preview.rgb[2, 2, 0]) == 77
