"""Bad input: every failure is an ImageLoadError naming the file, the reason and what to do."""

from __future__ import annotations

import os

import numpy as np
import pytest
from imaging_helpers import png_header_only
from PIL import Image
from skimage import data

from shadematch.errors import ImageLoadError, ShadematchError
from shadematch.imaging import MAX_PIXELS, load_photo, load_preview
from shadematch.imaging import loading as loading_module

LOADERS = [load_photo, load_preview]


@pytest.fixture(scope="module")
def jpeg_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("src") / "src.jpg"
    Image.fromarray(data.astronaut()).save(path, quality=90)
    return path.read_bytes()


def _error(loader, path) -> ImageLoadError:
    with pytest.raises(ImageLoadError) as info:
        loader(path)
    assert isinstance(info.value, ShadematchError)
    message = str(info.value)
    assert os.path.basename(str(path)) in message
    # a reason and then an instruction: at least two sentences
    assert message.count(". ") >= 1 and message.rstrip().endswith(".")
    return info.value


@pytest.mark.parametrize("loader", LOADERS)
def test_missing_file(tmp_path, loader):
    err = _error(loader, tmp_path / "gone.jpg")
    assert "does not exist" in str(err) and str(tmp_path) in str(err)


@pytest.mark.parametrize("loader", LOADERS)
def test_empty_file(tmp_path, loader):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert "empty" in str(_error(loader, path))


@pytest.mark.parametrize("loader", LOADERS)
def test_directory(tmp_path, loader):
    folder = tmp_path / "photos.jpg"
    folder.mkdir()
    assert "folder" in str(_error(loader, folder))


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_jpeg(tmp_path, jpeg_bytes, loader, keep):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes[: int(len(jpeg_bytes) * keep)])
    err = _error(loader, path)
    assert "truncated" in str(err) and "Copy it again" in str(err)
    assert err.__cause__ is not None  # the library error is kept for the log


def test_truncated_png(tmp_path):
    source = tmp_path / "full.png"
    Image.fromarray(data.astronaut()).save(source)
    path = tmp_path / "cut.png"
    path.write_bytes(source.read_bytes()[:30000])
    assert "truncated" in str(_error(load_photo, path))


def test_truncated_heic(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    source = tmp_path / "full.heic"
    Image.fromarray(data.astronaut()).save(source, quality=80)
    path = tmp_path / "cut.heic"
    path.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    assert "truncated" in str(_error(load_photo, path))


@pytest.mark.parametrize("loader", LOADERS)
def test_text_file_named_jpg(tmp_path, loader):
    path = tmp_path / "notes.jpg"
    path.write_text("client prefers a softer hairline\n" * 20)
    err = _error(loader, path)
    assert "not an image" in str(err)
    assert err.__cause__ is not None


@pytest.mark.parametrize("loader", LOADERS)
def test_unsupported_format(tmp_path, loader):
    path = tmp_path / "animation.gif"
    Image.fromarray(data.astronaut()).save(path)
    assert "GIF images are not supported" in str(_error(loader, path))


def test_unknown_suffix_that_is_not_an_image(tmp_path):
    path = tmp_path / "consent.pdf"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert "'.pdf' files are not a photo format" in str(_error(load_photo, path))


@pytest.mark.parametrize("loader", LOADERS)
def test_decompression_bomb_beyond_pillows_hard_limit(tmp_path, loader):
    path = png_header_only(tmp_path / "bomb.png", 40_000, 40_000)  # 1600 MP
    err = _error(loader, path)
    assert "megapixel limit" in str(err)


@pytest.mark.parametrize("loader", LOADERS)
def test_decompression_bomb_over_our_limit(tmp_path, loader):
    path = png_header_only(tmp_path / "huge.png", 20_000, 15_000)  # 300 MP
    assert 20_000 * 15_000 > MAX_PIXELS
    err = _error(loader, path)
    assert "20000 x 15000" in str(err) and "megapixel limit" in str(err)


def test_large_camera_photo_passes_the_size_check(tmp_path):
    """A 12000 x 9000 (108 MP) header is above Pillow's default ~89 MP but below our limit: it
    gets past the size check and fails only because its pixel data is missing."""
    path = png_header_only(tmp_path / "medium_format.png", 12_000, 9_000)
    # as large as a real (very flat) 108 MP photo's file at least, so not taken for a bomb
    with open(path, "ab") as handle:
        handle.write(b"\0" * 60_000)
    err = _error(load_photo, path)
    assert "megapixel" not in str(err)


@pytest.mark.parametrize("loader", LOADERS)
def test_permission_denied(tmp_path, loader, monkeypatch, jpeg_bytes):
    path = tmp_path / "locked.jpg"
    path.write_bytes(jpeg_bytes)
    real_open = open

    def refuse(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    # also covers running as root, where chmod 000 would not stop the read
    monkeypatch.setattr(loading_module, "open", refuse, raising=False)
    err = _error(loader, path)
    assert "permission" in str(err).lower()
    assert isinstance(err.__cause__, PermissionError)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read files without permission")
def test_permission_denied_for_real(tmp_path, jpeg_bytes):
    path = tmp_path / "locked.jpg"
    path.write_bytes(jpeg_bytes)
    path.chmod(0)
    try:
        assert "permission" in str(_error(load_photo, path)).lower()
    finally:
        path.chmod(0o600)


def test_a_good_file_still_loads_after_failures(tmp_path, jpeg_bytes):
    path = tmp_path / "fine.jpg"
    path.write_bytes(jpeg_bytes)
    assert load_photo(path).rgb.shape == (512, 512, 3)
    assert np.asarray(Image.open(path)).shape == (512, 512, 3)


def test_a_tiny_file_declaring_a_huge_image_is_refused_before_decoding(tmp_path):
    """(issue 16) A 0.6 KB JPEG whose header says 240 MP decoded with 1.86 GB peak memory."""
    import io
    import struct
    import tracemalloc

    from PIL import Image

    from shadematch.errors import ImageLoadError
    from shadematch.imaging import load_photo

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (128, 128, 128)).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", 12000, 20000)
    path = tmp_path / "bomb.jpg"
    path.write_bytes(bytes(data))
    tracemalloc.start()
    with pytest.raises(ImageLoadError, match="240 megapixels.*not a photo"):
        load_photo(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50_000_000
