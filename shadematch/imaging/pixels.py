"""Pillow image -> numpy array: the one-copy pixel copy, EXIF orientation, strip processing.

Big 8-bit RGB photos (1 MP and more) are copied out of Pillow, colour-converted (by an optional
LittleCMS transform or :func:`~shadematch.imaging.icc_profiles.srgb_lookup_table` table) and
oriented on strips of rows in a small thread pool (:func:`_in_strips`); smaller ones in one
piece. Used by :mod:`shadematch.imaging.srgb_conversion` and the 16-bit TIFF and RAW paths.
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image

# EXIF orientation -> the Pillow transposition that displays the photo upright.
_PIL_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
                  4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
                  6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
                  8: Image.Transpose.ROTATE_90}


def _pixels(img: Image.Image, box: tuple[int, int, int, int] | None = None,
            rawmode: str | None = None) -> np.ndarray:
    """An 8-bit Pillow image (or the ``box`` of it) as a (H, W, bands) array, with one copy.

    ``np.asarray(img)`` copies twice (Pillow's ``tobytes`` joins 64 KiB chunks); encoding the
    whole image in one call halves the cost on big photos. ``rawmode`` "RGB" packs an RGBX
    image to 3 bands (ten times faster than numpy's strided copy). Falls back to
    ``np.asarray``.
    """
    box = box or (0, 0, *img.size)
    width, height = box[2] - box[0], box[3] - box[1]
    rawmode = rawmode or img.mode
    bands = len(rawmode)
    size = width * height * bands
    try:
        if rawmode not in (img.mode, "RGB"):
            raise ValueError(f"no {rawmode} copy of {img.mode} pixels")
        encoder = Image._getencoder(img.mode, "raw", rawmode)
        encoder.setimage(img.im, box)
        _consumed, status, data = encoder.encode(size)
        if status != 1 or len(data) != size:
            raise ValueError("incomplete raw encode")
    except Exception:  # noqa: BLE001 - private Pillow API: take the public route instead
        part = img if box == (0, 0, *img.size) else img.crop(box)
        return np.asarray(part if rawmode == img.mode else part.convert(rawmode))
    array = np.frombuffer(data, dtype=np.uint8)
    return array.reshape((height, width, bands) if bands > 1 else (height, width))


def _oriented_pixels(pixels: Image.Image | np.ndarray, orientation: int) -> np.ndarray:
    """Apply the pending EXIF orientation and return the pixels as an array (one copy each)."""
    if isinstance(pixels, np.ndarray):
        return _orient(pixels, orientation)
    if _parallel(pixels):
        return _in_strips(pixels, None, orientation)
    if orientation != 1:
        # Pillow's blocked transpose is ~2x faster than a strided numpy copy on 24 MP
        pixels = pixels.transpose(_PIL_TRANSPOSE[orientation])
    return _pixels(pixels)


# EXIF orientation -> the view of an (H, W, C) array that displays it upright.
_ORIENT_VIEWS = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],                         # mirror horizontal
    3: lambda a: a[::-1, ::-1],                      # rotate 180
    4: lambda a: a[::-1, :],                         # mirror vertical
    5: lambda a: a.transpose(1, 0, 2),               # transpose
    6: lambda a: a.transpose(1, 0, 2)[:, ::-1],      # rotate 90 clockwise
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),   # transverse
    8: lambda a: a.transpose(1, 0, 2)[::-1, :],      # rotate 90 counter-clockwise
}


def _orient(rgb: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1..8) as views, then make one contiguous copy (if needed)."""
    if orientation == 1:
        return rgb
    return np.ascontiguousarray(_ORIENT_VIEWS[orientation](rgb))



#: Below this many pixels an image is converted in one piece (threads would not pay).
_PARALLEL_MIN_PIXELS = 1 << 20
#: Rows per strip: a 6000-pixel-wide strip (1.5 MB) stays in the CPU cache from crop to copy.
_STRIP_ROWS = 64


def _workers() -> int:
    """Threads for colour conversion: the CPUs this process may use, at most 8."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        count = os.cpu_count() or 1
    return max(1, min(8, count))


# Where a stored strip of rows [y0, y1) lands in the displayed (oriented) image of stored
# height h: a band of rows (False) or of columns (True) of the output, and its slice.
_STRIP_PLACEMENT = {
    1: (False, lambda y0, y1, h: slice(y0, y1)),
    2: (False, lambda y0, y1, h: slice(y0, y1)),
    3: (False, lambda y0, y1, h: slice(h - y1, h - y0)),
    4: (False, lambda y0, y1, h: slice(h - y1, h - y0)),
    5: (True, lambda y0, y1, h: slice(y0, y1)),
    6: (True, lambda y0, y1, h: slice(h - y1, h - y0)),
    7: (True, lambda y0, y1, h: slice(h - y1, h - y0)),
    8: (True, lambda y0, y1, h: slice(y0, y1)),
}


def _parallel(img: Image.Image) -> bool:
    """Whether ``img`` is an 8-bit RGB image big enough for :func:`_in_strips` to pay."""
    return (img.mode == "RGB" and img.width * img.height >= _PARALLEL_MIN_PIXELS
            and _workers() > 1)


def _in_strips(img: Image.Image, transform, orientation: int,
               table: np.ndarray | None = None) -> np.ndarray:
    """The oriented (H, W, 3) uint8 pixels of an RGB image, computed on horizontal strips in a
    small thread pool, converted by an optional 8-bit LittleCMS ``transform`` or an
    :func:`~shadematch.imaging.icc_profiles.srgb_lookup_table` ``table``.

    LittleCMS is the expensive step (two to three times the JPEG decode on 24 MP), then the
    copy out of Pillow's 4-byte pixels (about half the decode). Pillow releases the GIL in the
    transform (``pyCMSdoTransform``), in crop, transpose and the raw encoder, numpy in the table
    look-up and copies, so the strips run in parallel. Every pixel goes through the same
    transform (or its exact tabulation), so the result is identical to converting the whole
    image at once with LittleCMS. One transform serves all threads: it is built with
    ``Flags.NOCACHE``, and without its one-pixel cache a LittleCMS transform keeps no state
    between calls.
    """
    width, height = img.size
    columns, place = _STRIP_PLACEMENT[orientation]
    shape = (width, height, 3) if columns else (height, width, 3)
    out = np.empty(shape, dtype=np.uint8)

    def convert(y0: int) -> None:
        y1 = min(height, y0 + _STRIP_ROWS)
        box = (0, y0, width, y1)
        if table is not None:
            # Pillow's RGB pixels as RGBX words r | g << 8 | b << 16 | x << 24 (one copy)
            encoder = Image._getencoder("RGB", "raw", "RGBX")
            encoder.setimage(img.im, box)
            _consumed, status, raw = encoder.encode(width * (y1 - y0) * 4)
            if status != 1 or len(raw) != width * (y1 - y0) * 4:
                raise OSError("incomplete raw encode")
            index = np.frombuffer(raw, dtype=np.uint32).astype(np.intp)
            index &= 0xFFFFFF
            looked_up = Image.frombuffer("RGBX", (width, y1 - y0), np.take(table, index), "raw",
                                         "RGBX", 0, 1)
            if orientation != 1:
                looked_up = looked_up.transpose(_PIL_TRANSPOSE[orientation])
            pixels = _pixels(looked_up, rawmode="RGB")
        elif transform is None and orientation == 1:
            pixels = _pixels(img, box)
        else:
            strip = img.crop(box)
            if transform is not None:
                transform.apply_in_place(strip)
            if orientation != 1:
                strip = strip.transpose(_PIL_TRANSPOSE[orientation])
            pixels = _pixels(strip)
        band = place(y0, y1, height)
        if columns:
            out[:, band] = pixels
        else:
            out[band] = pixels

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=_workers(),
                            thread_name_prefix="shadematch-colour") as pool:
        for future in [pool.submit(convert, y0) for y0 in range(0, height, _STRIP_ROWS)]:
            future.result()  # re-raises a worker's exception here
    return out
