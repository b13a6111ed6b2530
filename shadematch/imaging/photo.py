"""The Photo: decoded pixels in sRGB as the photo is meant to be seen, plus where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from shadematch.imaging.measurement_source import SourcePixels


@dataclass(frozen=True)
class Photo:
    """A decoded photo.

    Attributes
    ----------
    rgb : ndarray, shape (H, W, 3), dtype uint8 (0..255) or uint16 (0..65535)
        sRGB (IEC 61966-2-1) pixels, EXIF orientation applied, embedded ICC profile converted.
    path : the file it was read from.
    sha256 : hex SHA-256 of the file's bytes.
    format : decoder's name for the format ("JPEG", "PNG", "TIFF", "HEIF", "RAW").
    source_profile : description of the embedded ICC profile, or "sRGB (assumed)".
    profile_assumed : True when the file had no profile and sRGB was assumed.
    orientation_applied : the EXIF orientation tag that was applied (1 = none needed).
    notes : things the loader wants the user to know (e.g. "no colour profile: sRGB assumed").
    encoding : what the file says about its encoding, JPEG only: {"chroma_subsampling": "4:2:0",
        "jpeg_quality": 87} (see :mod:`shadematch.imaging.jpeg_info`); empty for other formats.
    source : the source-encoded pixels when the file has a matrix/TRC profile other than sRGB
        (Display P3, Adobe RGB, ProPhoto ...): measurement reads colours from them without the
        clipping to sRGB that ``rgb`` has (see :mod:`shadematch.imaging.measurement_source`);
        None otherwise.
    display_name : the name people know the photo by when ``path`` is not it (a client visit's
        photo copy is stored under its hash: this is the original file's name); None: the file
        name of ``path``.
    """

    rgb: np.ndarray
    path: Path
    sha256: str
    format: str
    source_profile: str
    profile_assumed: bool
    orientation_applied: int = 1
    notes: tuple[str, ...] = field(default_factory=tuple)
    encoding: dict = field(default_factory=dict)
    source: SourcePixels | None = field(default=None, compare=False, repr=False)
    display_name: str | None = field(default=None, compare=False)

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def bit_depth(self) -> int:
        return 16 if self.rgb.dtype == np.uint16 else 8

    @property
    def max_value(self) -> int:
        """The code value of a fully saturated channel (255 or 65535)."""
        return 65535 if self.rgb.dtype == np.uint16 else 255

    @property
    def name(self) -> str:
        """The photo's own file name (never the store's hash name of a visit's copy)."""
        return self.display_name or self.path.name

    def rgb8(self) -> np.ndarray:
        """The pixels as uint8 (for display and thumbnails)."""
        if self.rgb.dtype == np.uint8:
            return self.rgb
        return (self.rgb >> 8).astype(np.uint8)

    @property
    def measurement_source(self) -> str:
        """Which pixels regions (and a chart) are measured from: "sRGB" (``rgb``) or
        "source: <profile>" (a wide-gamut photo's own encoding, not clipped to sRGB)."""
        if self.source is None:
            return "sRGB"
        return f"source: {self.source.description or self.source_profile}"

    @cached_property
    def detail(self) -> dict:
        """Whether the photo holds as much detail as its pixel count (enlarged or soft photos):
        see :func:`shadematch.imaging.detail.photo_detail`. Computed once (``load_photo`` does it
        while loading, off the GUI thread)."""
        from shadematch.imaging.detail import photo_detail

        return photo_detail(self.rgb)

    def info(self) -> dict:
        """The ``photo`` block of the analysis record (see docs/ANALYSIS_FORMAT.md)."""
        detail = self.detail
        return {
            "path": str(self.path),
            "name": self.name,
            "sha256": self.sha256,
            "width": self.width,
            "height": self.height,
            "format": self.format,
            "bit_depth": self.bit_depth,
            "source_profile": self.source_profile,
            "profile_assumed": self.profile_assumed,
            "orientation_applied": self.orientation_applied,
            # JPEG only (absent for other formats, as in records written before it)
            **{k: v for k, v in self.encoding.items() if v is not None},
            "measurement_source": self.measurement_source,
            "upscaled": detail["upscaled"],
            "low_detail": detail["low_detail"],
            "detail_ratio": detail["detail_ratio"],
            "resampling_peak": detail["resampling_peak"],
        }

    @classmethod
    def from_array(cls, rgb: np.ndarray, name: str = "array.png") -> Photo:
        """A Photo made in memory (tests, demos): sRGB assumed, hash of the pixel bytes."""
        import hashlib

        arr = np.ascontiguousarray(rgb)
        if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype not in (np.uint8, np.uint16):
            raise ValueError("rgb must be an H x W x 3 uint8 or uint16 array")
        return cls(rgb=arr, path=Path(name), sha256=hashlib.sha256(arr.tobytes()).hexdigest(),
                   format="array", source_profile="sRGB (assumed)", profile_assumed=True)
