"""16-bit TIFF through tifffile (Pillow would truncate it to 8 bits).

Called by :func:`shadematch.imaging.loading.load_photo` for TIFFs with more than 8 bits per
sample, after the file has been checked and hashed. Matrix/TRC profiles are converted at full
precision in numpy (:func:`~shadematch.imaging.icc_profiles.convert_uint16_to_srgb`),
table-based ones by LittleCMS at 8-bit precision; alpha is composited over white.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from shadematch.imaging import icc_profiles
from shadematch.imaging.loading import _decode_error, _fail, _Steps
from shadematch.imaging.measurement_source import SourcePixels
from shadematch.imaging.photo import Photo
from shadematch.imaging.pixels import _orient
from shadematch.imaging.srgb_conversion import ASSUMED_PROFILE, NO_PROFILE_NOTE


def _load_tiff16(file: Path, digest: str, step: _Steps) -> Photo:
    import tifffile

    notes: list[str] = []
    try:
        with tifffile.TiffFile(file) as tif:
            page = tif.pages.first
            tags = page.tags
            orientation_tag = tags.get(274)
            icc_tag = tags.get(34675)
            icc = bytes(icc_tag.value) if icc_tag is not None else None
            photometric = int(page.photometric)
            extra = page.extrasamples
            data = page.asarray()
            if int(page.planarconfig) == 2 and data.ndim == 3:
                data = np.moveaxis(data, 0, -1)     # separate planes -> pixels of samples
    except MemoryError as exc:
        raise _fail(file, "there is not enough memory to decode it",
                    "Close other programs, or reduce the photo in an image editor.") from exc
    except Exception as exc:  # noqa: BLE001 - tifffile raises many kinds for damaged files
        raise _decode_error(file, exc) from exc
    step(0.7, "Converting colours")
    if data.dtype != np.uint16:
        if data.dtype.kind == "f":
            data = np.round(np.clip(data, 0.0, 1.0) * 65535).astype(np.uint16)
            notes.append("Floating-point TIFF values were read as 0..1.")
        elif data.dtype == np.uint32:
            data = (data >> 16).astype(np.uint16)
        elif data.dtype.kind == "i":
            # signed samples: negative values are below black; scaled to 16 bits from the
            # type's positive range
            positive = np.clip(data, 0, None).astype(np.int64)
            shift = max(data.dtype.itemsize * 8 - 1 - 16, 0)
            data = (positive >> shift).clip(0, 65535).astype(np.uint16) if shift else \
                (positive * 65535 // (2 ** (data.dtype.itemsize * 8 - 1) - 1)).astype(np.uint16)
        else:
            data = data.astype(np.uint16) * 257
    if data.ndim == 3 and photometric in (0, 1) and data.shape[2] == 2:  # grey + alpha
        alpha = data[..., 1].astype(np.float32) / 65535.0
        data = np.round(data[..., 0] * alpha + 65535.0 * (1.0 - alpha)).astype(np.uint16)
        notes.append("Transparent areas were shown over white.")
    if data.ndim == 2:
        from shadematch.imaging.srgb_conversion import _grey16_to_srgb

        description = None
        if icc is not None:
            try:
                description = icc_profiles.profile_description(icc) or None
            except Exception:  # noqa: BLE001 - a damaged profile: sRGB assumed, said below
                description = None
        grey, source_profile, assumed = _grey16_to_srgb(data, icc, description, notes)
        return _finish(file, digest, step, np.repeat(grey[..., None], 3, axis=2),
                       source_profile, assumed, orientation_tag, notes)
    elif photometric != 2:  # 2 = RGB
        raise _fail(file, f"16-bit TIFF files with photometric type {photometric} (not RGB or "
                          "grey) are not supported", "Save it as a 16-bit RGB TIFF or a JPEG.")
    elif data.shape[2] >= 4:
        alpha = data[..., 3:4].astype(np.float32) / 65535.0
        unassociated = len(extra) == 0 or int(extra[0]) != 1
        colour = data[..., :3].astype(np.float32)
        if unassociated:
            colour *= alpha
        data = np.round(colour + 65535.0 * (1.0 - alpha)).astype(np.uint16)
        notes.append("Transparent areas were shown over white.")
    rgb = np.ascontiguousarray(data[..., :3])
    source_profile, assumed = ASSUMED_PROFILE, True
    source = None
    if icc is not None:
        try:
            source_profile = icc_profiles.profile_description(icc) or "unnamed ICC profile"
            assumed = False
            if not icc_profiles.is_srgb_equivalent(icc):
                stored = rgb
                rgb = icc_profiles.convert_uint16_to_srgb(rgb, icc)
                source = SourcePixels.maybe(stored, _orientation_of(orientation_tag), icc,
                                            source_profile)
        except icc_profiles.ICCParseError:
            try:
                rgb = _lcms_via_8bit(rgb, icc, notes)
            except Exception:  # noqa: BLE001 - e.g. a CMYK profile in an RGB TIFF (PyCMSError)
                notes.append(f"The embedded colour profile ({source_profile}) could not be "
                             "applied: sRGB was assumed.")
                source_profile, assumed = ASSUMED_PROFILE, True
        except Exception:  # noqa: BLE001 - a damaged profile must not stop the photo opening
            source_profile, assumed = ASSUMED_PROFILE, True
            notes.append("The photo's embedded colour profile is damaged: sRGB was assumed.")
    if assumed and not any("damaged" in n or "could not be applied" in n for n in notes):
        notes.append(NO_PROFILE_NOTE)
    return _finish(file, digest, step, rgb, source_profile, assumed, orientation_tag, notes,
                   source)


def _orientation_of(orientation_tag) -> int:
    orientation = int(orientation_tag.value) if orientation_tag is not None else 1
    return orientation if 1 <= orientation <= 8 else 1


def _finish(file: Path, digest: str, step: _Steps, rgb: np.ndarray, source_profile: str,
            assumed: bool, orientation_tag, notes: list[str],
            source: SourcePixels | None = None) -> Photo:
    orientation = int(orientation_tag.value) if orientation_tag is not None else 1
    if not 1 <= orientation <= 8:
        notes.append(f"The photo has an invalid orientation tag ({orientation}): it was ignored.")
        orientation = 1
    step(0.9, "Rotating")
    rgb = _orient(rgb, orientation)
    rgb.flags.writeable = False
    step(1.0, "Done")
    return Photo(rgb=rgb, path=file, sha256=digest, format="TIFF", source_profile=source_profile,
                 profile_assumed=assumed, orientation_applied=orientation, notes=tuple(notes),
                 source=source)


def _lcms_via_8bit(rgb16: np.ndarray, icc: bytes, notes: list[str]) -> np.ndarray:
    """LUT-based profiles on 16-bit pixels: LittleCMS on 8-bit values (precision note added)."""
    from PIL import ImageCms

    img = Image.fromarray((rgb16 >> 8).astype(np.uint8), "RGB")
    transform = ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(icc)),
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")), "RGB", "RGB",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=ImageCms.Flags.NOCACHE)
    ImageCms.applyTransform(img, transform, inPlace=True)
    notes.append("The photo's colour profile is table-based: it was converted at 8-bit precision.")
    return np.asarray(img).astype(np.uint16) * 257
