"""Read a photo file into a :class:`Photo`: decode, EXIF orientation, ICC profile -> sRGB.

Pipeline (see HOUSE_STYLE.md, "Colour pipeline"):

1. check the path (exists, is a file, readable, not empty) and hash its bytes in chunks;
2. decode: camera RAW through rawpy/LibRaw (by suffix; :mod:`shadematch.imaging.raw_loading`),
   TIFF with more than 8 bits per sample through tifffile (Pillow would truncate it to 8 bits),
   everything else through Pillow, with pillow-heif registered as an opener for HEIC/HEIF. The
   full decode is forced inside the ``try`` so that Pillow's lazy loading cannot hide a
   truncated file; previews of JPEGs are decoded reduced by the DCT (1/2, 1/4 or 1/8 scale);
3. flatten to RGB: grey is repeated, palette expanded, alpha composited over **white** (the
   colour a transparent area shows on paper and in most viewers), CMYK converted through its
   embedded profile (or Pillow's naive formula when it has none, with a note);
4. embedded ICC profile -> sRGB with LittleCMS (relative colorimetric), skipped when the profile
   is sRGB in all but name; 16-bit pixels with a matrix/TRC profile are converted at full
   precision in numpy; no profile: sRGB assumed and said so;
5. EXIF orientation applied (all 8 values) as one contiguous copy.

Big 8-bit RGB photos (1 MP and more) do steps 4 and 5 and the copy out of Pillow on strips of
rows in a small thread pool; from 8 MP the LittleCMS transform is replaced by its exact
tabulation for all 2**24 colours (:func:`~shadematch.imaging.icc_profiles.srgb_lookup_table`,
built once per profile and kept), which costs about half as much per pixel.

This module checks, hashes and decodes the file and maps failures to clear messages; step 4 is
:mod:`shadematch.imaging.srgb_conversion`, step 5 and the strips :mod:`shadematch.imaging.pixels`,
the 16-bit TIFF path :mod:`shadematch.imaging.tiff16_loading`, camera RAW
:mod:`shadematch.imaging.raw_loading`.

Size limit: photos above :data:`MAX_PIXELS` (250 megapixels, room for 100-200 MP cameras and
phones) are refused before decoding. Pillow's own bomb check is set to the same limit.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from shadematch.errors import ImageLoadError
from shadematch.imaging import icc_profiles, jpeg_info, native_stderr
from shadematch.imaging.photo import Photo
from shadematch.imaging.pixels import _workers as _workers
from shadematch.imaging.srgb_conversion import _TABLE_MIN_PIXELS as _TABLE_MIN_PIXELS
from shadematch.imaging.srgb_conversion import ASSUMED_PROFILE as ASSUMED_PROFILE
from shadematch.imaging.srgb_conversion import NO_PROFILE_NOTE as NO_PROFILE_NOTE
from shadematch.imaging.srgb_conversion import _to_srgb

# _workers and _TABLE_MIN_PIXELS are re-exported for bench/bench_loading.py, which reads them
# here. They are looked up in shadematch.imaging.pixels and shadematch.imaging.srgb_conversion:
# replacing them in this module changes nothing, patch them there.

#: Largest photo (in pixels) the loader decodes. 250 MP: above the 100-200 MP of current
#: medium-format cameras and 200 MP phone modes, below what would exhaust a 16 GB machine
#: (250 MP x 3 channels x 2 bytes = 1.5 GB per 16-bit copy).
MAX_PIXELS = 250_000_000

#: Above this many pixels, a file must hold at least MIN_BYTES_PER_PIXEL bytes per pixel to be
#: decoded (a flat 24 MP PNG holds about 0.003; a 2.7 KB file declaring 240 MP, 0.00001).
BOMB_CHECK_PIXELS = 30_000_000
MIN_BYTES_PER_PIXEL = 0.0005

# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; this process-wide setting
# replaces its ~89 MP default so that large camera photos open. The loader checks MAX_PIXELS
# itself before any decode.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

RAW_SUFFIXES = frozenset({
    ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".orf", ".rw2",
    ".raf", ".pef", ".srw", ".x3f", ".3fr", ".iiq", ".erf", ".kdc", ".dcr", ".mos", ".mrw",
    ".rwl",
})
HEIF_SUFFIXES = frozenset({".heic", ".heif", ".hif"})
PILLOW_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".tif", ".tiff", ".webp",
                             ".bmp"})

#: Lower-case file suffixes the loader reads (for the folder browser).
SUPPORTED_SUFFIXES = PILLOW_SUFFIXES | HEIF_SUFFIXES | RAW_SUFFIXES

#: Pillow format names accepted (content decides, not the suffix). MPO is the multi-picture JPEG
#: some cameras write; its first frame is the photo.
_PILLOW_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "TIFF": "TIFF", "HEIF": "HEIF",
                   "WEBP": "WEBP", "BMP": "BMP"}

_EXIF_ORIENTATION = 0x0112
_CHUNK = 1 << 20

Progress = Callable[[float, str], None] | None
Cancelled = Callable[[], bool] | None


class LoadCancelled(ImageLoadError):
    """Raised when the caller's ``cancelled()`` returned True; nothing was produced."""


# --------------------------------------------------------------------------------------------
# Public API


def load_photo(path: str | os.PathLike, *, progress: Progress = None,
               cancelled: Cancelled = None) -> Photo:
    """Decode a photo file to sRGB pixels as the photo is meant to be seen.

    Parameters
    ----------
    path : JPEG, PNG, TIFF (8 or 16 bit), HEIC/HEIF, WebP, BMP or camera RAW file.
    progress : optional ``progress(fraction 0..1, message)`` callback.
    cancelled : optional callable; when it returns True the load stops with :class:`LoadCancelled`.

    Returns
    -------
    Photo
        ``rgb`` is (H, W, 3) uint8, or uint16 for 16-bit TIFF, 16-bit greyscale PNG and camera
        RAW; read-only (the Photo is immutable), sRGB, EXIF orientation applied.

    Raises
    ------
    ImageLoadError
        Missing, empty, unreadable, truncated, damaged, unsupported or too large a file; the
        message names the file, the reason, and what to do.
    """
    file = Path(path)
    step = _Steps(file, progress, cancelled)
    step(0.0, "Checking the file")
    _check_file(file)
    digest = _sha256(file, step)
    suffix = file.suffix.lower()
    with native_stderr.capture(file.name):  # libtiff / LibRaw messages: to the log
        if suffix in RAW_SUFFIXES:
            from shadematch.imaging import raw_loading

            step(0.3, "Developing the camera RAW file")
            photo = raw_loading.load_raw(file, digest, step)
        else:
            photo = _load_with_pillow(file, digest, step, preview_side=None)
    photo.detail  # noqa: B018 - judged now, off the GUI thread (enlarged or soft photos)
    return photo


def load_preview(path: str | os.PathLike, max_side: int = 1024) -> Photo:
    """A quick, reduced decode for thumbnails and the instant preview of big photos.

    JPEGs are decoded at 1/2, 1/4 or 1/8 scale by the DCT (``Image.draft``), RAW files use the
    camera's embedded preview JPEG when there is one. Orientation and colour profile are handled
    exactly as in :func:`load_photo`; the result is uint8 with its longest side <= ``max_side``.

    Raises
    ------
    ImageLoadError
        As :func:`load_photo`.
    """
    if max_side < 1:
        raise ValueError("max_side must be at least 1")
    file = Path(path)
    step = _Steps(file, None, None)
    _check_file(file)
    digest = _sha256(file, step)
    with native_stderr.capture(file.name):  # libtiff / LibRaw messages: to the log
        if file.suffix.lower() in RAW_SUFFIXES:
            from shadematch.imaging import raw_loading

            return raw_loading.raw_preview(file, digest, max_side)
        return _load_with_pillow(file, digest, step, preview_side=max_side)


# --------------------------------------------------------------------------------------------
# Messages


def _fail(file: Path, reason: str, advice: str) -> ImageLoadError:
    return ImageLoadError(f"{file.name} could not be read: {reason}. {advice}")


_DAMAGED_ADVICE = "Copy or export it again from the camera or phone and reopen it."
_KINDS = "JPEG, PNG, TIFF, HEIC or a camera RAW file"


class _Steps:
    """Progress and cancellation between the stages of a load."""

    def __init__(self, file: Path, progress: Progress, cancelled: Cancelled) -> None:
        self.file, self.progress, self.cancelled = file, progress, cancelled

    def __call__(self, fraction: float, message: str) -> None:
        if self.cancelled is not None and self.cancelled():
            raise LoadCancelled(f"Opening {self.file.name} was cancelled. Open it again if needed.")
        if self.progress is not None:
            self.progress(fraction, message)


def _check_file(file: Path) -> None:
    try:
        info = file.stat()
    except FileNotFoundError:
        folder = file.parent if str(file.parent) not in ("", ".") else Path.cwd()
        raise _fail(file, f"the file does not exist in {folder} (was it moved, renamed or "
                          "deleted?)", "Check the folder and open it again.") from None
    except PermissionError as exc:
        raise _fail(file, "permission to open it was denied",
                    "Check the file's permissions, or copy it somewhere you own, and open it "
                    "again.") from exc
    except OSError as exc:
        raise _fail(file, f"the system reported: {exc.strerror or exc}",
                    "Check the drive or network share and try again.") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ImageLoadError(f"{file.name} is a folder, not a photo. Open a photo file ({_KINDS}) "
                             "inside it instead.")
    if not stat.S_ISREG(info.st_mode):
        raise _fail(file, "it is not a regular file", f"Open a photo file ({_KINDS}).")
    if info.st_size == 0:
        raise _fail(file, "the file is empty (0 bytes), so the copy or download probably failed",
                    "Copy it again and reopen it.")


def _sha256(file: Path, step: _Steps) -> str:
    """Hex SHA-256 of the file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    try:
        with open(file, "rb", buffering=0) as handle:
            size = os.fstat(handle.fileno()).st_size or 1
            done = 0
            while n := handle.readinto(buffer):
                digest.update(view[:n])
                done += n
                if done % (16 * _CHUNK) == 0:
                    step(0.2 * done / size, "Reading the file")
    except PermissionError as exc:
        raise _fail(file, "permission to open it was denied",
                    "Check the file's permissions, or copy it somewhere you own, and open it "
                    "again.") from exc
    except IsADirectoryError as exc:
        raise ImageLoadError(f"{file.name} is a folder, not a photo. Open a photo file inside it "
                             "instead.") from exc
    except OSError as exc:
        raise _fail(file, f"the system reported: {exc.strerror or exc}",
                    "Check the drive or network share and try again.") from exc
    return digest.hexdigest()


def _check_size(file: Path, width: int, height: int) -> None:
    pixels = width * height
    if pixels > MAX_PIXELS:
        raise _fail(file, f"it is {width} x {height} pixels ({pixels / 1e6:.0f} megapixels), "
                          f"more than the {MAX_PIXELS // 1_000_000}-megapixel limit (a photo this "
                          "large is usually a damaged or malicious file)",
                    "Reduce it in an image editor and open the smaller copy.")
    # A large image in a tiny file is not a photo of anything (a "decompression bomb" made to
    # exhaust memory, or a damaged header): a real photo carries detail, at least
    # MIN_BYTES_PER_PIXEL even for a flat scene in a PNG.
    try:
        size = file.stat().st_size
    except OSError:
        return
    if pixels > BOMB_CHECK_PIXELS and size < MIN_BYTES_PER_PIXEL * pixels:
        raise _fail(file, f"it declares {width} x {height} pixels ({pixels / 1e6:.0f} "
                          f"megapixels) in a file of only {size / 1024:.0f} KB: its content is "
                          f"not a photo (a damaged or crafted file); it was not decoded",
                    "Open the original photo from the camera or phone instead.")


def _is_tiff(file: Path) -> bool:
    try:
        with open(file, "rb") as handle:
            return handle.read(4) in (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+")
    except OSError:
        return False


def _looks_like_heif(file: Path) -> bool:
    try:
        with open(file, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    return head[4:8] == b"ftyp"


def _register_heif(file: Path) -> None:
    try:
        import pillow_heif
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise _fail(file, "HEIC/HEIF support (pillow-heif) is not installed",
                    "Reinstall shadematch, or convert the photo to JPEG and open that.") from exc
    pillow_heif.register_heif_opener()


# --------------------------------------------------------------------------------------------
# Pillow path (JPEG, PNG, TIFF, HEIF, WebP, BMP)


def _load_with_pillow(file: Path, digest: str, step: _Steps, preview_side: int | None) -> Photo:
    if file.suffix.lower() in HEIF_SUFFIXES or _looks_like_heif(file):
        _register_heif(file)
    notes: list[str] = []
    step(0.2, "Decoding")
    try:
        with warnings.catch_warnings():
            # Above MAX_PIXELS Pillow warns; _check_size turns that into a clear error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(file)
    except Image.DecompressionBombError as exc:
        raise _fail(file, f"it is larger than the {MAX_PIXELS // 1_000_000}-megapixel limit "
                          "(a photo this large is usually a damaged or malicious file)",
                    "Reduce it in an image editor and open the smaller copy.") from exc
    except Image.UnidentifiedImageError as exc:
        if _is_tiff(file):
            # Pillow cannot open every valid TIFF (32-bit integer or floating-point samples):
            # tifffile reads them.
            from shadematch.imaging import tiff16_loading

            return tiff16_loading._load_tiff16(file, digest, step)
        raise _unidentified(file) from exc
    except OSError as exc:
        raise _fail(file, f"the system reported: {exc.strerror or exc}",
                    "Check the drive or network share and try again.") from exc
    with img:
        fmt = _PILLOW_FORMATS.get(img.format or "")
        if fmt is None:
            raise _fail(file, f"{img.format} images are not supported",
                        f"Save it as JPEG, PNG or TIFF and open that ({_KINDS} can be read).")
        _check_size(file, *img.size)
        full_size = img.size
        if (preview_side is None and fmt == "TIFF"
                and max(_tiff_bits(img)) > 8):
            img.close()
            from shadematch.imaging import tiff16_loading

            return tiff16_loading._load_tiff16(file, digest, step)
        encoding = jpeg_info.jpeg_encoding(img) if fmt == "JPEG" else {}
        orientation, orientation_note = _orientation(img, fmt)
        if orientation_note:
            notes.append(orientation_note)
        icc = img.info.get("icc_profile") or None
        if fmt == "HEIF" and icc is None:
            icc, nclx_note = _heif_nclx_profile(img.info.get("nclx_profile"))
            if nclx_note:
                notes.append(nclx_note)
        if fmt == "PNG" and img.mode in ("RGB", "RGBA") and _png_bit_depth(file) == 16:
            notes.append("16-bit colour PNG read at 8-bit precision (the decoder's limit); "
                         "save as 16-bit TIFF to keep all 16 bits.")
        if icc is None and fmt in ("JPEG", "TIFF") and _exif_says_adobe_rgb(img):
            icc = icc_profiles.named_profile("Adobe RGB (1998)")
            notes.append("No embedded profile, but the camera's EXIF data marks the photo as "
                         "Adobe RGB (1998): converted from Adobe RGB.")
        if preview_side is not None and fmt == "JPEG":
            # reduced DCT decode (1/2, 1/4 or 1/8 scale)
            img.draft(None, _draft_request(*img.size, preview_side))
        try:
            img.load()  # force the full decode here: Pillow is lazy and would hide truncation
        except Image.DecompressionBombError as exc:
            raise _fail(file, "it is too large to decode safely",
                        "Reduce it in an image editor and open the smaller copy.") from exc
        except MemoryError as exc:
            raise _fail(file, "there is not enough memory to decode it",
                        "Close other programs, or reduce the photo in an image editor.") from exc
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
            raise _decode_error(file, exc) from exc
        # Some decoders rotate while decoding (libheif; Pillow's TIFF plugin, which then drops
        # the tag): only what is still pending is applied here.
        pending = 1 if fmt == "HEIF" else orientation
        if fmt == "TIFF" and orientation != 1 and img.getexif().get(_EXIF_ORIENTATION) is None:
            pending = 1
        if preview_side is not None:
            img = _reduce(img, preview_side)
        step(0.7, "Converting colours")
        try:
            rgb, source_profile, assumed, colour_notes, source = _to_srgb(
                file, img, icc, pending, keep_source=preview_side is None)
        except (ValueError, OSError) as exc:  # e.g. a CIELAB TIFF Pillow cannot convert
            raise _fail(file, f"its colour format ({img.mode}) cannot be converted to RGB",
                        "Save it as an RGB JPEG, PNG or TIFF and open that.") from exc
        notes.extend(colour_notes)
    if preview_side is not None:
        notes.append(f"Reduced preview of a {full_size[0]} x {full_size[1]} photo.")
    rgb.flags.writeable = False
    step(1.0, "Done")
    return Photo(rgb=rgb, path=file, sha256=digest, format=fmt, source_profile=source_profile,
                 profile_assumed=assumed, orientation_applied=orientation, notes=tuple(notes),
                 encoding=encoding, source=source)


def _draft_request(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The size to pass to ``Image.draft`` for a preview whose longest side is ``max_side``.

    Pillow picks the largest DCT scale (1/2, 1/4, 1/8) that keeps *both* sides at or above the
    requested size, so asking for a ``max_side`` square only halves a 3:2 photo (its short side
    limits the scale). The request keeps the stored width/height ratio instead; the longest
    side is the same before and after the EXIF rotation, so the stored size is the right frame.

    Parameters
    ----------
    width, height : stored (undecoded, unrotated) size in pixels.
    max_side : longest side wanted after the reduction.

    Returns
    -------
    (width, height) : at most (width, height); the short side rounded down, at least 1.
    """
    longest = max(width, height)
    if longest <= max_side:
        return width, height
    return (max(1, width * max_side // longest), max(1, height * max_side // longest))


def _reduce(img: Image.Image, max_side: int) -> Image.Image:
    """A decoded image shrunk to fit ``max_side`` (16-bit grey first becomes 8-bit grey)."""
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        grey = np.clip(np.asarray(img), 0, 65535).astype(np.uint16)
        img = Image.fromarray((grey >> 8).astype(np.uint8), "L")
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return img


def _unidentified(file: Path) -> ImageLoadError:
    suffix = file.suffix.lower()
    if suffix and suffix not in SUPPORTED_SUFFIXES:
        return _fail(file, f"'{suffix}' files are not a photo format shadematch can read",
                     f"Open a {_KINDS}, or export the photo to one of these.")
    if suffix in HEIF_SUFFIXES:
        return _fail(file, "it is not a HEIC/HEIF image, or it is damaged or truncated",
                     _DAMAGED_ADVICE)
    return _fail(file, "it is not an image file, or it is damaged (the start of the file is not "
                       "a photo format)", f"Check that it really is a {_KINDS}; "
                 + _DAMAGED_ADVICE[0].lower() + _DAMAGED_ADVICE[1:])


def _decode_error(file: Path, exc: BaseException) -> ImageLoadError:
    text = " ".join(str(exc).split())[:200]
    lowered = text.lower()
    if isinstance(exc, EOFError) or "truncated" in lowered or "end of file" in lowered:
        return _fail(file, "the file is truncated (was it still copying?)",
                     "Copy it again and reopen it.")
    return _fail(file, f"the image data is damaged ({text or type(exc).__name__})",
                 _DAMAGED_ADVICE)


def _tiff_bits(img: Image.Image) -> tuple[int, ...]:
    bits = img.tag_v2.get(258, (8,)) if hasattr(img, "tag_v2") else (8,)
    return tuple(bits) if isinstance(bits, tuple) else (int(bits),)


def _orientation(img: Image.Image, fmt: str) -> tuple[int, str | None]:
    """The EXIF orientation to apply (1..8) and a note when the tag was unusable."""
    if fmt == "HEIF":
        # libheif already applied the rotation/mirroring; pillow-heif reset the tag to 1.
        value = img.info.get("original_orientation") or 1
        return (int(value) if 1 <= int(value) <= 8 else 1), None
    try:
        value = img.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - damaged EXIF must not stop the photo from opening
        return 1, "The photo's EXIF data is damaged: orientation was not applied."
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 8:
        return 1, f"The photo has an invalid EXIF orientation ({value}): it was ignored."
    return value, None


def _png_bit_depth(file: Path) -> int:
    """Bit depth from the PNG header (IHDR is always first; byte 24 of the file)."""
    try:
        with open(file, "rb") as handle:
            head = handle.read(26)
    except OSError:
        return 8
    return head[24] if len(head) >= 25 and head[12:16] == b"IHDR" else 8


def _exif_says_adobe_rgb(img: Image.Image) -> bool:
    """DCF cameras set to Adobe RGB often embed no profile: EXIF ColorSpace is "uncalibrated"
    (0xFFFF) and the interoperability index is "R03" (DCF 2.0, option file)."""
    try:
        exif = img.getexif()
        colour_space = exif.get_ifd(0x8769).get(0xA001)
        interop = exif.get_ifd(0xA005).get(0x0001)
    except Exception:  # noqa: BLE001 - damaged EXIF: no conclusion
        return False
    if isinstance(interop, bytes):
        interop = interop.decode("ascii", "ignore")
    return colour_space == 0xFFFF and isinstance(interop, str) and interop.strip("\0") == "R03"


def _heif_nclx_profile(nclx: dict | None) -> tuple[bytes | None, str | None]:
    """An ICC profile for a HEIF's ``nclx`` colour description when it is not plain sRGB."""
    if not isinstance(nclx, dict):
        return None, None
    primaries = nclx.get("color_primaries")
    transfer = nclx.get("transfer_characteristics")
    if primaries in (1, 2, None):  # BT.709 primaries = sRGB's (2: unspecified)
        return None, None
    if transfer in (16, 18):
        return None, ("The photo is HDR (PQ/HLG); it was shown as SDR sRGB and its colours may be "
                      "off. Export an SDR JPEG from the phone for measuring.")
    # 12: SMPTE EG 432-1 (P3 with D65 white = Display P3); 9: BT.2020 (tone curve taken as sRGB's,
    # as phones encode SDR). 11 (DCI-P3, DCI white) and others are not modelled.
    names = {12: "Display P3", 9: "ITU-R BT.2020"}
    name = names.get(primaries)
    if name is None:
        return None, (f"The photo uses an unusual colour description (primaries {primaries}); "
                      "sRGB was assumed.")
    points = icc_profiles.PRIMARIES[name]
    profile = icc_profiles.build_matrix_shaper(f"{name} (from HEIF nclx)", points[:3], points[3],
                                               icc_profiles.SRGB_TRC)
    return profile, None
