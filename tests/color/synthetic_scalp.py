"""Synthetic shaved scalps with known colours: follicle dots on skin, as PNG or JPEG.

Dots are anti-aliased discs (4 x 4 supersampling) mixed with the skin in linear light, as a camera
integrates light; sensor noise is added in sRGB code values. The truth is the sRGB colour the dots
and the skin were painted with.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from shadematch.color import linear_to_sRGB, sRGB_to_Lab, sRGB_to_linear

# sRGB 0..255 colours used across the tests
SKIN_TONES = {
    "light": (226, 190, 170),
    "medium": (190, 145, 115),
    "brown": (140, 95, 70),
    "dark": (95, 65, 50),
}
FOLLICLE_DARK = (38, 32, 30)        # dark brown-black stubble
FOLLICLE_GREY = (178, 178, 176)     # grey stubble
FOLLICLE_BLOND = (222, 196, 140)    # blond, lighter than a medium scalp


def truth_Lab(rgb) -> np.ndarray:
    return sRGB_to_Lab(np.asarray(rgb, dtype=np.uint8)).astype(float)


def dot_alpha(size: int, coverage: float, radius: float, seed: int = 0,
              return_count: bool = False):
    """Alpha 0..1 (size x size) of random anti-aliased discs covering ``coverage`` of the area.

    Discs are drawn on a 4x supersampled canvas (overlaps merge) until their union covers
    ``coverage``; the canvas is then averaged down to pixels. With ``return_count`` also the
    number of discs drawn (whose centres fall inside the image).
    """
    rng = np.random.default_rng(seed)
    ss = 4
    n_ss = size * ss
    canvas = np.zeros((n_ss, n_ss), dtype=bool)
    if coverage <= 0:
        return (np.zeros((size, size)), 0) if return_count else np.zeros((size, size))
    drawn = 0
    r_ss = radius * ss
    k = int(np.ceil(r_ss)) + 1
    yy, xx = np.mgrid[-k:k + 1, -k:k + 1]
    while canvas.mean() < coverage:
        missing = coverage - canvas.mean()
        n = max(1, int(missing * size * size / (np.pi * radius ** 2) * 0.7))
        for _ in range(n):
            cy, cx = rng.uniform(0, n_ss, 2)
            iy, ix = int(cy), int(cx)
            disc = (xx + 0.5 - (cx - ix)) ** 2 + (yy + 0.5 - (cy - iy)) ** 2 <= r_ss ** 2
            y0, x0 = iy - k, ix - k
            sy0, sx0 = max(y0, 0), max(x0, 0)
            sy1, sx1 = min(y0 + 2 * k + 1, n_ss), min(x0 + 2 * k + 1, n_ss)
            canvas[sy0:sy1, sx0:sx1] |= disc[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0]
            drawn += 1
    alpha = canvas.reshape(size, ss, size, ss).mean(axis=(1, 3))
    return (alpha, drawn) if return_count else alpha


def scalp_photo(skin=SKIN_TONES["medium"], follicle=FOLLICLE_DARK, coverage: float = 0.15,
                radius: float = 3.0, size: int = 200, noise: float = 2.0, seed: int = 0,
                fmt: str = "PNG", subsampling: int = 0, quality: int = 95,
                blur: float = 0.0) -> np.ndarray:
    """An sRGB uint8 (size x size x 3) shaved scalp, round-tripped through ``fmt``.

    ``fmt`` "PNG" (lossless) or "JPEG" with Pillow's ``subsampling`` (0 = 4:4:4, 2 = 4:2:0).
    ``blur``: sigma (pixels) of a Gaussian lens blur applied to the dots in linear light.
    """
    alpha = dot_alpha(size, coverage, radius, seed)
    if blur > 0:
        from scipy.ndimage import gaussian_filter

        alpha = gaussian_filter(alpha, blur, mode="reflect")
    alpha = alpha[..., None]
    skin_lin = sRGB_to_linear(np.asarray(skin, dtype=np.uint8)).astype(float)
    hair_lin = sRGB_to_linear(np.asarray(follicle, dtype=np.uint8)).astype(float)
    lin = skin_lin * (1 - alpha) + hair_lin * alpha
    rgb = linear_to_sRGB(lin) * 255.0
    rng = np.random.default_rng(seed + 1000)
    rgb = np.clip(np.round(rgb + rng.normal(0, noise, rgb.shape)), 1, 254).astype(np.uint8)
    return encode(rgb, fmt, subsampling, quality)


def encode(rgb: np.ndarray, fmt: str = "PNG", subsampling: int = 0, quality: int = 95) -> np.ndarray:
    """Round-trip ``rgb`` through a PNG or JPEG file in memory."""
    buf = io.BytesIO()
    if fmt == "JPEG":
        Image.fromarray(rgb).save(buf, "JPEG", quality=quality, subsampling=subsampling)
    else:
        Image.fromarray(rgb).save(buf, "PNG")
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im.convert("RGB")).copy()


def jpeg_file(path, rgb: np.ndarray, subsampling: int = 2, quality: int = 90) -> None:
    Image.fromarray(rgb).save(path, "JPEG", quality=quality, subsampling=subsampling)


def truth_dots(size: int, coverage: float, radius: float, seed: int = 0) -> tuple[float, int]:
    """(covered fraction, number of dots) of the photo ``scalp_photo`` makes with these values."""
    alpha, count = dot_alpha(size, coverage, radius, seed, return_count=True)
    return float(alpha.mean()), count
