"""Thumbnails of photos, made with the core's colour-managed preview loader and cached on disk.

Qt-free. A thumbnail is made from :func:`shadematch.imaging.load_preview` (EXIF orientation and
the embedded ICC profile already applied, so it shows the colours the measurement uses), scaled to
fit ``size`` pixels and stored as a JPEG in ``<user data>/thumbnails``. The cache key is the
file's absolute path, modification time and size, so an edited or replaced photo is thumbnailed
again. A photo that cannot be read is recorded too (its reason), so a bad file is not decoded on
every visit, yet is retried as soon as it changes.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shadematch.atomic_files import write_text_atomic
from shadematch.errors import ShadematchError

log = logging.getLogger(__name__)

# Bump when the way thumbnails are made changes, so old cache files are not reused.
_CACHE_VERSION = 1
DEFAULT_SIZE = 256


@dataclass(frozen=True)
class Thumbnail:
    """A thumbnail, or the reason there is none.

    Attributes
    ----------
    path : the photo it shows.
    rgb : ndarray (h, w, 3) uint8 sRGB 0..255 with the longer side <= the cache's size, or None
        when the photo could not be read.
    error : message for the user when the photo could not be read, else None.
    from_cache : True when read from the disk cache rather than decoded now.
    """

    path: Path
    rgb: np.ndarray | None
    error: str | None = None
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return self.rgb is not None


def _write_cache_file(path: Path, data: bytes) -> None:
    """Write to a temporary name, then rename: never a half-written file under ``path``.

    Unlike :func:`shadematch.atomic_files.write_atomic` there is no fsync: this is a cache, a
    file lost or damaged by a power cut is simply made again, and fsync would double the time
    a folder of photos takes to thumbnail.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise


def _default_loader(path: Path, max_side: int):
    from shadematch.imaging import load_preview

    return load_preview(path, max_side=max_side)


class ThumbnailCache:
    """Make and cache thumbnails.

    Parameters
    ----------
    folder : where cache files live; default ``<user data folder>/thumbnails``.
    size : longest side of a thumbnail in pixels.
    loader : ``loader(path, max_side) -> Photo`` (default ``shadematch.imaging.load_preview``).
    """

    def __init__(self, folder: str | os.PathLike | None = None, size: int = DEFAULT_SIZE,
                 loader: Callable[[Path, int], object] | None = None) -> None:
        if folder is None:
            from shadematch.resources import private_dir, user_data_dir

            folder = private_dir(user_data_dir() / "thumbnails")   # clients' faces: owner-only
        self.folder = Path(folder)
        self.size = int(size)
        self._loader = loader or _default_loader

    # -- keys -------------------------------------------------------------------------------
    def key(self, path: str | os.PathLike, stat: os.stat_result | None = None) -> str:
        """Cache key of a photo: hash of its absolute path, mtime, size and the thumbnail size."""
        p = Path(path).expanduser().absolute()
        st = p.stat() if stat is None else stat
        text = f"{_CACHE_VERSION}|{p}|{st.st_mtime_ns}|{st.st_size}|{self.size}"
        return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()

    def _files(self, key: str) -> tuple[Path, Path]:
        sub = self.folder / key[:2]
        return sub / f"{key}.jpg", sub / f"{key}.error.json"

    # -- reading ----------------------------------------------------------------------------
    def cached(self, path: str | os.PathLike) -> Thumbnail | None:
        """The cached thumbnail (or recorded error) for the photo as it is now, else None."""
        p = Path(path).expanduser().absolute()
        try:
            key = self.key(p)
        except OSError:
            return None
        image_file, error_file = self._files(key)
        if image_file.is_file():
            try:
                from PIL import Image

                with Image.open(image_file) as im:
                    rgb = np.asarray(im.convert("RGB"))
                return Thumbnail(p, rgb, None, from_cache=True)
            except Exception:  # noqa: BLE001 - a damaged cache file is simply remade
                log.warning("damaged thumbnail cache file %s; remaking it", image_file)
                return None
        if error_file.is_file():
            try:
                message = json.loads(error_file.read_text("utf-8"))["error"]
                return Thumbnail(p, None, str(message), from_cache=True)
            except Exception:  # noqa: BLE001
                return None
        return None

    def get(self, path: str | os.PathLike, progress: Callable[..., None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> Thumbnail:
        """The thumbnail of ``path``, from the cache or made now (slow: call off the GUI thread).

        Never raises for a bad photo: the returned :class:`Thumbnail` carries the reason in
        ``error`` (also recorded on disk when it is a :class:`ShadematchError`).

        Parameters
        ----------
        path : the photo.
        progress, cancelled : task-runner protocol; ``cancelled()`` is checked before decoding.
        """
        p = Path(path).expanduser().absolute()
        try:
            stat = p.stat()
        except OSError:
            return Thumbnail(p, None, f"{p.name} is no longer in its folder: it was moved or "
                                      "deleted.")
        found = self.cached(p)
        if found is not None:
            return found
        if cancelled is not None and cancelled():
            return Thumbnail(p, None, "cancelled")
        key = self.key(p, stat)
        try:
            photo = self._loader(p, self.size * 2)
            rgb = self._fit(np.asarray(photo.rgb8() if hasattr(photo, "rgb8") else photo))
        except ShadematchError as exc:
            message = str(exc)
            self._store_error(key, message)
            return Thumbnail(p, None, message)
        except MemoryError:
            return Thumbnail(p, None, f"{p.name} is too large to preview with the memory "
                                      "available: close other programs and try again.")
        except Exception as exc:  # noqa: BLE001 - a thumbnail must never take the panel down
            log.exception("thumbnail of %s failed", p)
            return Thumbnail(p, None, f"{p.name} could not be read ({type(exc).__name__}: "
                                      f"{exc}); see the log file for details.")
        self._store_image(key, rgb)
        return Thumbnail(p, rgb, None)

    # -- writing ----------------------------------------------------------------------------
    def _fit(self, rgb: np.ndarray) -> np.ndarray:
        from PIL import Image

        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError("the preview loader must return an (H, W, 3) image")
        h, w = rgb.shape[:2]
        scale = self.size / max(h, w)
        if scale >= 1:
            return np.ascontiguousarray(rgb, dtype=np.uint8)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        image = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB")
        # Halving or more (the usual case: the preview is asked at twice the size): an area
        # average, which keeps each patch's mean colour and has no Lanczos overshoot, and is
        # 3x faster. Smaller reductions: Lanczos.
        resample = Image.Resampling.BOX if scale <= 0.5 else Image.Resampling.LANCZOS
        return np.asarray(image.resize(size, resample))

    def _store_image(self, key: str, rgb: np.ndarray) -> None:
        from PIL import Image

        image_file, error_file = self._files(key)
        buffer = io.BytesIO()
        Image.fromarray(rgb, "RGB").save(buffer, "JPEG", quality=90)
        data = buffer.getvalue()
        try:
            image_file.parent.mkdir(parents=True, exist_ok=True)
            _write_cache_file(image_file, data)
            error_file.unlink(missing_ok=True)
        except OSError as exc:  # a read-only or full disk only costs speed, never the thumbnail
            log.warning("could not cache thumbnail %s: %s", image_file, exc)

    def _store_error(self, key: str, message: str) -> None:
        _, error_file = self._files(key)
        try:
            error_file.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(error_file, json.dumps({"error": message}))
        except OSError as exc:
            log.warning("could not record thumbnail error %s: %s", error_file, exc)

    # -- housekeeping -----------------------------------------------------------------------
    def prune(self, max_bytes: int = 256 * 1024 * 1024) -> int:
        """Delete the least recently written cache files until the cache fits ``max_bytes``.

        Returns
        -------
        int : number of files removed.
        """
        if not self.folder.is_dir():
            return 0
        files = []
        for item in self.folder.glob("*/*"):
            try:
                st = item.stat()
            except OSError:
                continue
            files.append((st.st_mtime, st.st_size, item))
        total = sum(size for _, size, _ in files)
        removed = 0
        for _, size, item in sorted(files):
            if total <= max_bytes:
                break
            try:
                item.unlink()
            except OSError:
                continue
            total -= size
            removed += 1
        return removed
