"""The report's photo: reduced, regions outlined in their class colours, JPEG-compressed.

A 24-megapixel photo must not make a 24-megapixel PDF: the picture is reduced to at most
``MAX_SIDE`` pixels on its long side before anything is drawn, and the region masks are
rasterised at that reduced size (region coordinates are scaled; every number in a region's
``params`` is a coordinate or a length in photo pixels, so one factor scales them all).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np

from shadematch.errors import ReportError, ShadematchError
from shadematch.imaging.regions import Region
from shadematch.reporting.colours import class_colour

MAX_SIDE = 1600
JPEG_QUALITY = 85


def _to_uint8(rgb: np.ndarray) -> np.ndarray:
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ReportError(
            f"the photo for the report must be an H x W x 3 RGB image, got shape {arr.shape}: "
            "pass the photo's displayed pixels"
        )
    arr = arr[..., :3]
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == np.uint16:
        return (arr >> 8).astype(np.uint8)
    if np.issubdtype(arr.dtype, np.floating):
        return (np.clip(np.nan_to_num(arr), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    raise ReportError(f"photo pixels of type {arr.dtype} are not supported: use uint8 or uint16")


def _scale_numbers(value, factor: float):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value * factor
    if isinstance(value, list | tuple):
        return [_scale_numbers(v, factor) for v in value]
    if isinstance(value, dict):
        return {k: _scale_numbers(v, factor) for k, v in value.items()}
    return value


def region_mask(region: dict, h: int, w: int, scale: float = 1.0) -> np.ndarray:
    """Boolean (h, w) mask of a region from the analysis record, its coordinates times ``scale``.

    The mask is :class:`shadematch.imaging.regions.Region`'s, so the outline drawn is exactly
    the pixels measured.

    Raises
    ------
    ReportError
        The region is malformed (unknown shape, missing or bad parameters).
    """
    scaled = dict(region)
    scaled["params"] = _scale_numbers(region.get("params", {}), scale)
    try:
        return np.asarray(Region.from_dict(scaled).mask(h, w), dtype=bool)
    except (KeyError, TypeError, ValueError, ShadematchError) as exc:
        raise ReportError(
            f"region {region.get('id', '?')} could not be drawn ({exc}): check the analysis file"
        ) from exc


def _outline(mask: np.ndarray, thickness: int) -> np.ndarray:
    from scipy import ndimage

    if not mask.any():
        return mask
    inner = ndimage.binary_erosion(mask, iterations=max(1, thickness // 2), border_value=0)
    outer = ndimage.binary_dilation(mask, iterations=max(1, thickness - thickness // 2))
    return outer & ~inner


def annotate_photo(photo_rgb: np.ndarray, regions: list[dict], *, max_side: int = MAX_SIDE,
                   cancelled: Callable[[], bool] | None = None) -> np.ndarray:
    """The photo reduced to at most ``max_side`` pixels, regions outlined in class colours.

    Parameters
    ----------
    photo_rgb : ndarray (H, W, 3), uint8 or uint16 sRGB, as displayed.
    regions : the ``regions`` list of the analysis record (coordinates in ``photo_rgb`` pixels).
    max_side : longest side of the result in pixels.

    Returns
    -------
    ndarray (h, w, 3) uint8 sRGB.
    """
    from PIL import Image

    rgb8 = _to_uint8(photo_rgb)
    h, w = rgb8.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    small_w, small_h = max(1, round(w * scale)), max(1, round(h * scale))
    img = Image.fromarray(np.ascontiguousarray(rgb8), "RGB")
    if scale < 1.0:
        img = img.resize((small_w, small_h), Image.Resampling.LANCZOS, reducing_gap=3.0)
    pixels = np.array(img)
    thickness = max(2, round(max(small_w, small_h) / 400))
    for region in regions or []:
        if cancelled is not None and cancelled():
            break
        mask = region_mask(region, small_h, small_w, scale)
        edge = _outline(mask, thickness)
        # A dark halo beside the coloured line keeps it visible on light skin and on white.
        halo = _outline(mask, thickness + 2) & ~edge
        pixels[halo] = (pixels[halo] * 0.35).astype(np.uint8)
        pixels[edge] = class_colour(region.get("class", ""))
    return pixels


def render_figure(photo_rgb: np.ndarray, regions: list[dict], *, max_side: int = MAX_SIDE,
                  quality: int = JPEG_QUALITY,
                  cancelled: Callable[[], bool] | None = None) -> tuple[bytes, int, int]:
    """:func:`annotate_photo`, JPEG-encoded (no chroma subsampling, so outlines stay crisp).

    Returns
    -------
    jpeg : bytes of a baseline sRGB JPEG.
    width, height : its size in pixels.
    """
    from PIL import Image

    pixels = annotate_photo(photo_rgb, regions, max_side=max_side, cancelled=cancelled)
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, "JPEG", quality=quality, optimize=True,
                                        subsampling="4:4:4")
    return buf.getvalue(), pixels.shape[1], pixels.shape[0]
