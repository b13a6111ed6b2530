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

from shadematch.errors import ReportError
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


def _fallback_mask(region: dict, h: int, w: int) -> np.ndarray:
    """Rasterise a region from its params with Pillow (used when imaging.regions is absent)."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(img)
    p = region.get("params", {})
    shape = region.get("shape")
    if shape == "rect":
        draw.rectangle([p["x"], p["y"], p["x"] + p["w"] - 1, p["y"] + p["h"] - 1], fill=255)
    elif shape == "ellipse":
        draw.ellipse([p["cx"] - p["rx"], p["cy"] - p["ry"], p["cx"] + p["rx"], p["cy"] + p["ry"]],
                     fill=255)
    elif shape == "polygon":
        draw.polygon([tuple(pt) for pt in p["points"]], fill=255)
    elif shape == "brush":
        r = float(p["radius"])
        for stroke in p["strokes"]:
            pts = [tuple(pt) for pt in stroke]
            if len(pts) > 1:
                draw.line(pts, fill=255, width=max(1, int(round(2 * r))), joint="curve")
            for x, y in pts:
                draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    else:
        raise ReportError(f"region {region.get('id', '?')} has an unknown shape {shape!r}")
    return np.asarray(img) > 0


def region_mask(region: dict, h: int, w: int, scale: float = 1.0) -> np.ndarray:
    """Boolean (h, w) mask of a region from the analysis record, its coordinates times ``scale``.

    Uses ``shadematch.imaging.regions.Region`` when available, so the outline drawn is exactly
    the pixels measured; falls back to drawing the shape from its parameters.
    """
    scaled = dict(region)
    scaled["params"] = _scale_numbers(region.get("params", {}), scale)
    try:
        from shadematch.imaging.regions import Region
    except ImportError:
        return _fallback_mask(scaled, h, w)
    try:
        return np.asarray(Region.from_dict(scaled).mask(h, w), dtype=bool)
    except Exception as exc:  # noqa: BLE001 - a malformed region must not stop the whole report
        try:
            return _fallback_mask(scaled, h, w)
        except Exception:  # noqa: BLE001
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
