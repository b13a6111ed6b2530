"""A decoded Pillow image -> sRGB pixels: embedded ICC profile through LittleCMS.

Alpha is composited over white, palette and grey expanded, CMYK converted through its profile
(or Pillow's naive formula without one, with a note). The profile is applied with LittleCMS
(relative colorimetric), skipped when it is sRGB in all but name; from 8 MP an 8-bit RGB photo
goes through the profile's exact tabulation
(:func:`~shadematch.imaging.icc_profiles.srgb_lookup_table`). Big RGB photos are converted and
oriented on strips in threads (:func:`shadematch.imaging.pixels._in_strips`). No profile: sRGB
is assumed and said so.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
from PIL import Image

from shadematch.imaging import icc_profiles, pixels
from shadematch.imaging.measurement_source import SourcePixels

ASSUMED_PROFILE = "sRGB (assumed)"
NO_PROFILE_NOTE = "The photo has no colour profile: sRGB was assumed (usual for phone and web JPEGs)."

#: From this many pixels (8 MP) an 8-bit photo with a profile is converted through the profile's
#: tabulated transform (icc_profiles.srgb_lookup_table): building the table costs about as much
#: as converting 8 MP with LittleCMS, and looking pixels up about half as much as LittleCMS.
_TABLE_MIN_PIXELS = 1 << 23


def _is_matrix_shaper(icc: bytes) -> bool:
    try:
        icc_profiles.parse_matrix_shaper(icc)
    except Exception:  # noqa: BLE001 - LUT-based or damaged: not kept for measurement
        return False
    return True


def _flatten_alpha(img: Image.Image) -> Image.Image:
    """RGBA / LA / PA / transparent palette -> RGB composited over white."""
    rgba = img.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    background.alpha_composite(rgba)
    return background.convert("RGB")


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        img.mode == "P" and "transparency" in img.info)


def _to_srgb(file: Path, img: Image.Image, icc: bytes | None, orientation: int = 1,
             keep_source: bool = True) -> tuple[np.ndarray, str, bool, list[str], SourcePixels | None]:
    """A decoded Pillow image in sRGB, ``orientation`` applied.

    Returns (pixels, profile, assumed, notes, source): the pixels are a (H, W, 3) uint8 array,
    or uint16 for 16-bit greyscale; ``source`` keeps the source-encoded pixels of an RGB photo
    with a matrix/TRC profile other than sRGB, for measurement (else None).
    """
    sources: list[SourcePixels] = []
    image, description, assumed, notes = _srgb_image(file, img, icc, orientation,
                                                     sources if keep_source else None)
    source = sources[0] if sources else None
    if isinstance(image, np.ndarray):
        return image, description, assumed, notes, source
    return pixels._oriented_pixels(image, orientation), description, assumed, notes, source


def _grey16_to_srgb(grey16: np.ndarray, icc: bytes | None, description: str | None,
                    notes: list[str]) -> tuple[np.ndarray, str, bool]:
    """16-bit grey through its grey profile's tone curve to sRGB-encoded grey (still 16-bit).

    Returns (grey, profile description, profile assumed); notes what was assumed.
    """
    if icc is None:
        notes.append(NO_PROFILE_NOTE)
        return grey16, ASSUMED_PROFILE, True
    if icc_profiles.is_grey_profile(icc):
        try:
            return (icc_profiles.convert_grey16_to_srgb(grey16, icc),
                    description or "unnamed grey ICC profile", False)
        except (icc_profiles.ICCParseError, struct.error, ValueError):
            pass
    notes.append(f"The greyscale photo's colour profile ({description or 'unnamed'}) could not "
                 "be applied: its grey levels were read as sRGB.")
    return grey16, ASSUMED_PROFILE, True


def _srgb_image(file: Path, img: Image.Image, icc: bytes | None, orientation: int,
                sources: list[SourcePixels] | None = None
                ) -> tuple[Image.Image | np.ndarray, str, bool, list[str]]:
    """:func:`_to_srgb` before orientation, except for the parallel RGB path (see there)."""
    notes: list[str] = []
    description = None
    if icc:
        try:
            from PIL import ImageCms

            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            description = ImageCms.getProfileDescription(source).strip() or "unnamed ICC profile"
        except Exception:  # noqa: BLE001 - a damaged profile must not stop the photo opening
            notes.append("The photo's embedded colour profile is damaged: sRGB was assumed.")
            icc = None
    mode = img.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        grey = np.asarray(img)
        grey16 = np.clip(grey, 0, 65535).astype(np.uint16) if grey.dtype != np.uint16 else grey
        grey16, description, assumed = _grey16_to_srgb(grey16, icc, description, notes)
        rgb = np.repeat(grey16[..., None], 3, axis=2)
        return rgb, description, assumed, notes
    if mode == "F":
        grey = np.clip(np.asarray(img), 0.0, 1.0)
        rgb = np.repeat(np.round(grey * 255).astype(np.uint8)[..., None], 3, axis=2)
        return rgb, description or ASSUMED_PROFILE, icc is None, [NO_PROFILE_NOTE]
    if mode == "LAB":  # CIELAB TIFF: colorimetric already (D50), LittleCMS's Lab profile
        from PIL import ImageCms

        transform = ImageCms.buildTransform(
            ImageCms.createProfile("LAB"), ImageCms.createProfile("sRGB"), "LAB", "RGB",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=ImageCms.Flags.NOCACHE)
        return ImageCms.applyTransform(img, transform), "CIELAB (D50)", False, notes
    if _has_alpha(img):
        img = _flatten_alpha(img)
        notes.append("Transparent areas were shown over white.")
        mode = "RGB"
    elif mode in ("P", "1"):
        img = img.convert("RGB")
        mode = "RGB"
    elif mode not in ("RGB", "L", "CMYK"):
        img = img.convert("RGB")
        mode = "RGB"

    if icc is None:
        if mode == "CMYK":
            notes.append("The CMYK photo has no colour profile: colours were converted with a "
                         "simple formula and may be off.")
            img = img.convert("RGB")
        elif mode == "L":
            img = img.convert("RGB")
        notes.append(NO_PROFILE_NOTE)
        return img, ASSUMED_PROFILE, True, notes

    if mode == "RGB" and icc_profiles.is_srgb_equivalent(icc):
        return img, description, False, notes
    from PIL import ImageCms

    if mode == "RGB" and sources is not None:
        # The source codes, for measurement (see shadematch.imaging.measurement_source).
        # The Pillow image itself: no copy now; the conversion below leaves it unchanged.
        kept = SourcePixels.maybe(img if _is_matrix_shaper(icc) else None,
                                  orientation, icc, description or "")
        if kept is not None:
            sources.append(kept)
    try:
        transform = ImageCms.buildTransform(
            source, ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")), mode, "RGB",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=ImageCms.Flags.NOCACHE)
        if mode == "RGB" and img.width * img.height >= _TABLE_MIN_PIXELS:
            try:
                table = icc_profiles.srgb_lookup_table(icc, workers=pixels._workers())
            except Exception:  # noqa: BLE001 - LittleCMS itself, below, still converts the photo
                table = None
            if table is not None:
                return pixels._in_strips(img, None, orientation, table), description, False, notes
        if pixels._parallel(img):
            return pixels._in_strips(img, transform, orientation), description, False, notes
        if mode == "RGB" and not sources:
            ImageCms.applyTransform(img, transform, inPlace=True)
        else:  # a kept source must stay unconverted
            img = ImageCms.applyTransform(img, transform)
    except Exception:  # noqa: BLE001 - e.g. a CMYK profile embedded in an RGB image
        notes.append(f"The embedded colour profile ({description}) could not be applied: sRGB "
                     "was assumed.")
        if mode != "RGB":
            img = img.convert("RGB")
        return img, ASSUMED_PROFILE, True, notes
    return img, description, False, notes
