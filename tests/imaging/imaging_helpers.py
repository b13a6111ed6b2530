"""Helpers for the imaging tests: test images, and the independent colour reference."""

from __future__ import annotations

import struct
import warnings
import zlib
from pathlib import Path

import numpy as np


def patches_image(colours: np.ndarray, size: int = 16) -> np.ndarray:
    """One row of flat ``size`` x ``size`` patches, one per colour (uint8 or uint16, N x 3)."""
    colours = np.asarray(colours)
    image = np.repeat(np.repeat(colours[None, :, :], size, axis=0), size, axis=1)
    return np.ascontiguousarray(image)


def patch_means(rgb: np.ndarray, count: int, size: int = 16) -> np.ndarray:
    """The mean colour of the inner half of each patch of :func:`patches_image` (N x 3 float)."""
    q = size // 4
    return np.array([rgb[q:size - q, i * size + q:(i + 1) * size - q].reshape(-1, 3).mean(0)
                     for i in range(count)])


def reference_to_srgb(rgb01: np.ndarray, space: str) -> np.ndarray:
    """colour-science's conversion from ``space`` (encoded 0..1) to sRGB (encoded, clipped 0..1).

    Both spaces share the D65 white, so no chromatic adaptation is involved; the result is
    clipped per channel, as an integer ICC transform clips.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # colour-science warns that matplotlib is absent
        import colour

        source = colour.RGB_COLOURSPACES[space]
        target = colour.RGB_COLOURSPACES["sRGB"]
        linear = colour.RGB_to_RGB(np.asarray(rgb01, dtype=float), source, target,
                                   chromatic_adaptation_transform=None,
                                   apply_cctf_decoding=True)
    return target.cctf_encoding(np.clip(linear, 0.0, 1.0))


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that declares ``width`` x ``height`` (a decompression bomb) with a tiny body."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\0" * 1024)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body)
                     + chunk(b"IEND", b""))
    return path


def write_linear_dng(path: Path, linear_srgb: np.ndarray, orientation: int = 1) -> Path:
    """A minimal "LinearRaw" DNG (3 samples per pixel) that LibRaw develops for real.

    The camera's colour space is made linear sRGB: ColorMatrix1 (XYZ -> camera, D65) is the
    inverse of the sRGB RGB -> XYZ matrix and AsShotNeutral is (1, 1, 1), so the developed
    sRGB pixels must equal the sRGB encoding of ``linear_srgb`` (0..1, H x W x 3).
    """
    import tifffile

    rgb_to_xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                           [0.0193, 0.1192, 0.9505]])
    colour_matrix = np.linalg.inv(rgb_to_xyz).ravel()
    srational = [v for x in colour_matrix for v in (int(round(x * 10000)), 10000)]
    tags = [
        (50706, "B", 4, (1, 4, 0, 0), True),          # DNGVersion
        (50707, "B", 4, (1, 1, 0, 0), True),          # DNGBackwardVersion
        (50708, "s", 0, "shadematch test camera", True),  # UniqueCameraModel
        (50721, 10, 9, srational, True),              # ColorMatrix1 (SRATIONAL)
        (50778, "H", 1, 21, True),                    # CalibrationIlluminant1 = D65
        (50728, 5, 3, (1, 1, 1, 1, 1, 1), True),      # AsShotNeutral (RATIONAL)
        (271, "s", 0, "shadematch", True),            # Make
        (272, "s", 0, "test", True),                  # Model
        (274, "H", 1, orientation, True),             # Orientation
    ]
    data = np.round(np.clip(linear_srgb, 0, 1) * 65535).astype(np.uint16)
    tifffile.imwrite(path, data, photometric=34892, extratags=tags, metadata=None)  # LinearRaw
    return path
