"""Camera RAW files through rawpy (LibRaw): the developed photo and the quick preview.

Called by :func:`shadematch.imaging.loading.load_photo` and ``load_preview`` for the suffixes in
:data:`shadematch.imaging.loading.RAW_SUFFIXES`, after the file has been checked and hashed.

- :func:`load_raw` develops the RAW data to 16-bit sRGB with the camera's white balance and
  the exposure as shot (no automatic brightening, so measured L* does not depend on the rest of
  the picture); LibRaw rotates the image itself, the orientation is only recorded.
- :func:`raw_preview` uses the camera's embedded preview JPEG (its own EXIF orientation and
  profile honoured), or a half-size development when there is none.

rawpy is imported inside the functions (start-up stays fast); its errors become
:class:`~shadematch.errors.ImageLoadError` with a message a practitioner can act on.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from shadematch.errors import ImageLoadError
from shadematch.imaging.loading import (
    _EXIF_ORIENTATION,
    _check_size,
    _draft_request,
    _fail,
    _Steps,
)
from shadematch.imaging.photo import Photo
from shadematch.imaging.pixels import _orient
from shadematch.imaging.srgb_conversion import _to_srgb

RAW_PROFILE = "camera RAW rendered to sRGB by LibRaw"


# LibRaw's ``flip`` (sizes.flip) -> the equivalent EXIF orientation.
_LIBRAW_FLIP_TO_EXIF = {0: 1, 3: 3, 5: 8, 6: 6}


def _import_rawpy(file: Path):
    try:
        import rawpy
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise _fail(file, "camera RAW support (rawpy) is not installed",
                    "Reinstall shadematch, or export a TIFF or JPEG from your RAW software.") from exc
    return rawpy


def _raw_error(file: Path, rawpy, exc: BaseException) -> ImageLoadError:
    """A practitioner's message for a LibRaw failure (opening or developing)."""
    if isinstance(exc, rawpy.LibRawFileUnsupportedError):
        return _fail(file, "LibRaw does not recognise it as a camera RAW file it can read",
                     "Check that it is a RAW file straight from the camera, or export a TIFF or "
                     "JPEG from your RAW software.")
    if isinstance(exc, (rawpy.LibRawIOError, rawpy.LibRawDataError)):
        return _fail(file, "the RAW data is damaged or truncated (was it still copying?)",
                     "Copy it again from the card and reopen it.")
    if isinstance(exc, (MemoryError, rawpy.LibRawUnsufficientMemoryError,
                        rawpy.LibRawTooBigError)):
        return _fail(file, "there is not enough memory to develop it",
                     "Close other programs and try again, or export a smaller TIFF or JPEG.")
    return _fail(file, f"LibRaw reported: {exc}",
                 "Export a TIFF or JPEG from your RAW software and open that.")


def _raw_failures(rawpy) -> tuple[type[BaseException], ...]:
    return (rawpy.LibRawError, MemoryError)


def _open_raw(file: Path, rawpy):
    try:
        return rawpy.imread(str(file))
    except _raw_failures(rawpy) as exc:
        raise _raw_error(file, rawpy, exc) from exc


def load_raw(file: Path, digest: str, step: _Steps) -> Photo:
    """Develop a camera RAW file to (H, W, 3) uint16 sRGB, read-only, as LibRaw orients it.

    Parameters
    ----------
    file : the RAW file (already checked to exist and be readable).
    digest : its SHA-256 (hex), recorded in the Photo.
    step : progress and cancellation of the load.

    Raises
    ------
    ImageLoadError
        rawpy missing, LibRaw cannot read or develop the file, too large, out of memory.
    """
    rawpy = _import_rawpy(file)
    with _open_raw(file, rawpy) as raw:
        try:
            sizes = raw.sizes
            _check_size(file, int(sizes.width), int(sizes.height))
            flip = int(sizes.flip)
            rgb = raw.postprocess(
                use_camera_wb=True,
                output_color=rawpy.ColorSpace.sRGB,
                output_bps=16,
                gamma=(2.4, 12.92),  # the sRGB curve (LibRaw's default is BT.709's)
                # Exposure as shot: LibRaw's auto-brightening would lift a grey card at 18 %
                # to ~63 % and make every measured L* depend on the rest of the picture.
                no_auto_bright=True,
            )
        except _raw_failures(rawpy) as exc:
            raise _raw_error(file, rawpy, exc) from exc
    step(0.95, "Finishing")
    rgb = np.ascontiguousarray(rgb, dtype=np.uint16)
    rgb.flags.writeable = False
    notes = ("Camera RAW developed by LibRaw with the camera's white balance and the exposure "
             "as shot (no automatic brightening); it can look darker than the camera's own "
             "JPEG.",)
    step(1.0, "Done")
    return Photo(rgb=rgb, path=file, sha256=digest, format="RAW", source_profile=RAW_PROFILE,
                 profile_assumed=False, orientation_applied=_LIBRAW_FLIP_TO_EXIF.get(flip, 1),
                 notes=notes)


def raw_preview(file: Path, digest: str, max_side: int) -> Photo:
    """A uint8 sRGB preview of a RAW file with its longest side <= ``max_side``.

    The camera's embedded JPEG when there is one (decoded reduced), else a half-size
    development; orientation applied as in :func:`load_raw`.

    Raises
    ------
    ImageLoadError
        As :func:`load_raw`; also a damaged embedded preview.
    """
    rawpy = _import_rawpy(file)
    notes = ["Preview from the camera's embedded JPEG; the measured photo is developed from the "
             "RAW data."]
    with _open_raw(file, rawpy) as raw:
        try:
            orientation = _LIBRAW_FLIP_TO_EXIF.get(int(raw.sizes.flip), 1)
            try:
                thumb = raw.extract_thumb()
            except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
                thumb = None
            if thumb is None:
                _check_size(file, int(raw.sizes.width), int(raw.sizes.height))
                # LibRaw rotates developed images itself (orientation then recorded only).
                developed = raw.postprocess(use_camera_wb=True,
                                            output_color=rawpy.ColorSpace.sRGB, half_size=True,
                                            output_bps=8, gamma=(2.4, 12.92),
                                            no_auto_bright=True)
        except _raw_failures(rawpy) as exc:
            raise _raw_error(file, rawpy, exc) from exc
    if thumb is None:
        img = Image.fromarray(np.ascontiguousarray(developed, dtype=np.uint8), "RGB")
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return _preview_photo(file, digest, np.asarray(img), orientation, 1,
                              ["Preview developed at half size from the RAW data."])
    if thumb.format == rawpy.ThumbFormat.BITMAP:
        img = Image.fromarray(np.ascontiguousarray(thumb.data, dtype=np.uint8), "RGB")
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return _preview_photo(file, digest, np.asarray(img), orientation, orientation, notes)
    try:
        img = Image.open(io.BytesIO(thumb.data))
        own = img.getexif().get(_EXIF_ORIENTATION, 1)
        if isinstance(own, int) and 2 <= own <= 8:
            orientation = own  # the preview JPEG carries its own tag: trust it over LibRaw's
        img.draft(None, _draft_request(*img.size, max_side))
        img.load()
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        rgb = _to_srgb(file, img, img.info.get("icc_profile"))[0]
    except (OSError, SyntaxError, ValueError) as exc:
        raise _fail(file, "the camera's embedded preview is damaged",
                    "Open the photo itself (not the preview) or export a JPEG.") from exc
    return _preview_photo(file, digest, rgb, orientation, orientation, notes)


def _preview_photo(file: Path, digest: str, rgb: np.ndarray, orientation: int, pending: int,
                   notes: list[str]) -> Photo:
    rgb = _orient(rgb, pending)
    rgb.flags.writeable = False
    return Photo(rgb=rgb, path=file, sha256=digest, format="RAW", source_profile=RAW_PROFILE,
                 profile_assumed=False, orientation_applied=orientation, notes=tuple(notes))
