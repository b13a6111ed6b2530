"""Helpers for the camera-folder, preferences and app tests (photos written on the fly)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402


def astronaut_small(step: int = 4) -> np.ndarray:
    from skimage.data import astronaut

    return np.ascontiguousarray(astronaut()[::step, ::step])


def write_photo(path: Path, rgb: np.ndarray | None = None, taken: str | None = None,
                **save_kwargs) -> Path:
    """Save ``rgb`` (default a small astronaut) in the format the suffix names."""
    rgb = astronaut_small() if rgb is None else rgb
    image = Image.fromarray(rgb)
    if path.suffix.lower() in (".heic", ".heif"):
        import pillow_heif

        pillow_heif.register_heif_opener()
    if taken is not None:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[36867] = taken
        save_kwargs["exif"] = exif.tobytes()
    image.save(path, **save_kwargs)
    return path


def jpeg_bytes(rgb: np.ndarray | None = None, quality: int = 92) -> bytes:
    import io

    buffer = io.BytesIO()
    Image.fromarray(astronaut_small() if rgb is None else rgb).save(buffer, "JPEG",
                                                                    quality=quality)
    return buffer.getvalue()


def set_mtime(path: Path, seconds_ago: float) -> None:
    import time

    when = time.time() - seconds_ago
    os.utime(path, (when, when))
