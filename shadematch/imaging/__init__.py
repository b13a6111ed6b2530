"""Reading photos: decode, EXIF orientation, embedded ICC profile -> sRGB, HEIC, camera RAW.

Region masks live in :mod:`shadematch.imaging.regions`.
"""

from __future__ import annotations

from shadematch.imaging.loading import (
    MAX_PIXELS,
    SUPPORTED_SUFFIXES,
    LoadCancelled,
    load_photo,
    load_preview,
)
from shadematch.imaging.photo import Photo

__all__ = ["MAX_PIXELS", "SUPPORTED_SUFFIXES", "LoadCancelled", "Photo", "load_photo",
           "load_preview"]
