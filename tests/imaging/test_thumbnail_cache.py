"""Thumbnail cache: made with the core's preview loader, cached by path+mtime+size, errors kept."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shadematch.errors import ImageLoadError
from shadematch.imaging.photo import Photo
from shadematch.imaging.thumbnail_cache import ThumbnailCache


class CountingLoader:
    """A stand-in for load_preview that counts decodes (reads the file with Pillow)."""

    def __init__(self) -> None:
        self.calls: list[Path] = []

    def __call__(self, path: Path, max_side: int) -> Photo:
        self.calls.append(path)
        try:
            with Image.open(path) as im:
                rgb = np.asarray(im.convert("RGB"))
        except Exception as exc:
            raise ImageLoadError(f"{path.name} could not be read: the file is damaged") from exc
        return Photo.from_array(rgb, name=str(path))


def _photo(path: Path, w: int = 600, h: int = 300, colour=(200, 40, 10)) -> Path:
    Image.fromarray(np.full((h, w, 3), colour, np.uint8)).save(path)
    return path


def test_thumbnail_fits_size_keeps_aspect_and_colour(tmp_path):
    loader = CountingLoader()
    cache = ThumbnailCache(tmp_path / "cache", size=128, loader=loader)
    thumb = cache.get(_photo(tmp_path / "a.png"))
    assert thumb.ok and thumb.error is None and not thumb.from_cache
    assert thumb.rgb.shape == (64, 128, 3) and thumb.rgb.dtype == np.uint8
    assert np.allclose(thumb.rgb.reshape(-1, 3).mean(0), (200, 40, 10), atol=3)


def test_second_get_comes_from_disk_without_decoding(tmp_path):
    loader = CountingLoader()
    path = _photo(tmp_path / "a.png")
    ThumbnailCache(tmp_path / "cache", size=64, loader=loader).get(path)
    again = ThumbnailCache(tmp_path / "cache", size=64, loader=loader).get(path)
    assert again.from_cache and again.ok and len(loader.calls) == 1
    assert again.rgb.shape == (32, 64, 3)
    assert len(list((tmp_path / "cache").glob("*/*.jpg"))) == 1


def test_a_changed_photo_is_thumbnailed_again(tmp_path):
    loader = CountingLoader()
    cache = ThumbnailCache(tmp_path / "cache", size=64, loader=loader)
    path = _photo(tmp_path / "a.png", colour=(10, 10, 200))
    first = cache.get(path)
    _photo(path, w=300, h=600, colour=(10, 200, 10))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    second = cache.get(path)
    assert len(loader.calls) == 2 and not second.from_cache
    assert first.rgb.shape == (32, 64, 3) and second.rgb.shape == (64, 32, 3)
    assert second.rgb[..., 1].mean() > 150


def test_unreadable_photo_records_its_reason_and_is_not_decoded_again(tmp_path):
    loader = CountingLoader()
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff garbage")
    cache = ThumbnailCache(tmp_path / "cache", size=64, loader=loader)
    thumb = cache.get(bad)
    assert not thumb.ok and "damaged" in thumb.error
    again = cache.get(bad)
    assert again.from_cache and again.error == thumb.error and len(loader.calls) == 1


def test_unexpected_loader_failure_becomes_a_message_not_an_exception(tmp_path):
    def broken(path, max_side):
        raise RuntimeError("decoder exploded")

    cache = ThumbnailCache(tmp_path / "cache", loader=broken)
    thumb = cache.get(_photo(tmp_path / "a.png"))
    assert not thumb.ok and "decoder exploded" in thumb.error and "a.png" in thumb.error


def test_missing_photo(tmp_path):
    thumb = ThumbnailCache(tmp_path / "cache", loader=CountingLoader()).get(tmp_path / "x.jpg")
    assert not thumb.ok and "moved or deleted" in thumb.error


def test_damaged_cache_file_is_remade(tmp_path):
    loader = CountingLoader()
    cache = ThumbnailCache(tmp_path / "cache", size=64, loader=loader)
    path = _photo(tmp_path / "a.png")
    cache.get(path)
    for f in (tmp_path / "cache").glob("*/*.jpg"):
        f.write_bytes(b"junk")
    thumb = cache.get(path)
    assert thumb.ok and len(loader.calls) == 2


def test_prune_removes_oldest_files_first(tmp_path):
    loader = CountingLoader()
    cache = ThumbnailCache(tmp_path / "cache", size=64, loader=loader)
    paths = [_photo(tmp_path / f"p{i}.png", colour=(i * 40, 0, 0)) for i in range(4)]
    for i, p in enumerate(paths):
        cache.get(p)
        key = cache.key(p)
        f = cache.folder / key[:2] / f"{key}.jpg"
        os.utime(f, (1000 + i, 1000 + i))
    sizes = sorted(f.stat().st_size for f in cache.folder.glob("*/*.jpg"))
    removed = cache.prune(max_bytes=sum(sizes) - 1)
    assert removed >= 1
    assert cache.cached(paths[0]) is None and cache.cached(paths[3]) is not None


# --- with the core's own preview loader: every format the core reads ------------------------
def _formats(tmp_path: Path) -> dict[str, Path]:
    from skimage.data import astronaut

    rgb = astronaut()[::4, ::4]
    files = {}
    for suffix, kwargs in ((".jpg", {"quality": 92}), (".png", {}), (".tif", {}),
                           (".webp", {"quality": 90}), (".bmp", {})):
        path = tmp_path / f"astronaut{suffix}"
        Image.fromarray(rgb).save(path, **kwargs)
        files[suffix] = path
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        path = tmp_path / "astronaut.heic"
        Image.fromarray(rgb).save(path, quality=90)
        files[".heic"] = path
    except Exception:  # noqa: BLE001 - HEIC encoder not available on this system
        pass
    return files


def test_each_format_gets_a_thumbnail_with_the_core_loader(tmp_path):
    imaging = pytest.importorskip("shadematch.imaging")
    if not hasattr(imaging, "load_preview"):
        pytest.skip("shadematch.imaging.load_preview has not landed yet")
    cache = ThumbnailCache(tmp_path / "cache", size=64)
    tested = []
    for suffix, path in _formats(tmp_path).items():
        if suffix not in {s.lower() for s in imaging.SUPPORTED_SUFFIXES}:
            continue
        tested.append(suffix)
        thumb = cache.get(path)
        assert thumb.ok, (suffix, thumb.error)
        assert thumb.rgb.shape == (64, 64, 3), suffix
        # the astronaut's orange suit dominates the lower-left quarter
        quarter = thumb.rgb[40:, 10:30].reshape(-1, 3).mean(0)
        assert quarter[0] > quarter[2] + 40, suffix
    assert {".jpg", ".png", ".tif"} <= set(tested)
    bad = tmp_path / "truncated.jpg"
    bad.write_bytes((tmp_path / "astronaut.jpg").read_bytes()[:200])
    thumb = cache.get(bad)
    assert not thumb.ok and "truncated.jpg" in thumb.error
