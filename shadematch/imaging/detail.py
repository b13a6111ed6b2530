"""Does a photo hold as much detail as its pixel count? Enlarged and soft photos.

Follicle dots a few pixels across only show their colour in a photo that is as sharp as its
pixels. Two things take that away, and both are looked for on the luma of a central crop of at
most ``CROP`` pixels square (a few tens of milliseconds, at load):

- **Enlarged by a non-integer factor** (1.25x, 1.5x, 3x ...; messaging apps and "enhance"
  features do it): interpolation between the original samples leaves a periodic trace in the
  mean absolute second derivative along rows and columns (Gallagher 2005, "Detection of linear
  and cubic interpolation in JPEG compressed images"): a spectral peak at the factor's frequency.
  ``resampling_peak`` is that peak over the spectrum's median, the geometric mean of rows and
  columns, away from the JPEG block frequencies (multiples of 1/8). Untouched photos give 3-8;
  enlarged ones 11-30 (1.25x bicubic, 1.5x bilinear, then saved as JPEG). Lanczos enlargement
  leaves a weaker trace (8-15 at 1.5x): some are missed.
- **Little detail near the pixel frequency**: enlarged 2x or more (an exact 2x enlargement leaves
  no periodic trace), or out of focus. ``detail_ratio`` is the power of the windowed spectrum at
  0.30-0.45 cycles/pixel over that at 0.12-0.20. Sharp photos give 0.03-0.25 (sensor noise alone
  keeps it above about 0.02); enlarged 2x or more 0.001-0.014; a lens blur of sigma 1 px 0.002-0.01.

Limits: a photo enlarged only a little (1.1x) or by 1.5x with a blur in between can pass; a sharp
photo of an almost featureless, noise-free surface could read as soft (a scalp with stubble is
neither). Figures from ``tests/imaging/test_photo_detail.py`` (scikit-image's photos and a
synthetic scalp, enlarged, blurred and re-saved as JPEG).
"""

from __future__ import annotations

import numpy as np

CROP = 1024                 # side (pixels) of the central crop looked at for resampling traces
SPECTRUM_CROP = 512         # ... and of the crop whose 2-D spectrum gives the detail ratio
RESAMPLING_PEAK_MIN = 10.0  # a periodic interpolation trace this strong: enlarged
DETAIL_RATIO_MIN = 0.015    # less high-frequency power than this: enlarged 2x or more, or soft
MIN_SIDE = 64               # smaller photos are not judged


def _luma_crop(rgb: np.ndarray, side: int = CROP) -> np.ndarray:
    h, w = rgb.shape[:2]
    r0, c0 = max(0, (h - side) // 2), max(0, (w - side) // 2)
    crop = np.asarray(rgb[r0:r0 + side, c0:c0 + side, :3], dtype=np.float32)
    if rgb.dtype == np.uint16:
        crop = crop / np.float32(257.0)
    return crop[..., 0] * 0.299 + crop[..., 1] * 0.587 + crop[..., 2] * 0.114


def _axis_peak(g: np.ndarray) -> float:
    """Strongest periodic trace in the mean |second derivative| along the rows of ``g``."""
    d2 = np.abs(g[:, 2:] - 2.0 * g[:, 1:-1] + g[:, :-2]).mean(axis=0)
    n = len(d2)
    spectrum = np.abs(np.fft.rfft((d2 - d2.mean()) * np.hanning(n)))
    f = np.fft.rfftfreq(n)
    candidates = f > 0.1               # below: the picture's own content
    for k in (1, 2, 3, 4):             # JPEG 8 x 8 blocks
        candidates &= np.abs(f - k / 8) > 2.5 / n
    background = float(np.median(spectrum[f > 0.1]))
    if background <= 0 or not candidates.any():
        return 0.0
    return float(spectrum[candidates].max() / background)


def _detail_ratio(g: np.ndarray) -> float:
    window = np.outer(np.hanning(g.shape[0]), np.hanning(g.shape[1])).astype(np.float32)
    power = np.abs(np.fft.rfft2((g - g.mean()) * window)) ** 2
    fy = np.fft.fftfreq(g.shape[0])[:, None]
    fx = np.fft.rfftfreq(g.shape[1])[None, :]
    r = np.hypot(fy, fx)
    mid = power[(r > 0.12) & (r < 0.20)].mean()
    if mid <= 0:
        return float("inf")          # a flat image: nothing to judge
    return float(power[(r > 0.30) & (r < 0.45)].mean() / mid)


def photo_detail(rgb: np.ndarray) -> dict:
    """How much detail ``rgb`` (H, W, 3) uint8/uint16 holds for its pixel count.

    Returns
    -------
    {"upscaled": bool, "low_detail": bool, "detail_ratio": float, "resampling_peak": float}
    (see the module docstring); for photos under ``MIN_SIDE`` pixels, both flags False and the
    figures None.
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or min(rgb.shape[:2]) < MIN_SIDE:
        return {"upscaled": False, "low_detail": False, "detail_ratio": None,
                "resampling_peak": None}
    g = _luma_crop(rgb)
    peak = float(np.sqrt(_axis_peak(g) * _axis_peak(g.T)))
    h, w = g.shape
    r0, c0 = max(0, (h - SPECTRUM_CROP) // 2), max(0, (w - SPECTRUM_CROP) // 2)
    ratio = _detail_ratio(g[r0:r0 + SPECTRUM_CROP, c0:c0 + SPECTRUM_CROP])
    upscaled = peak >= RESAMPLING_PEAK_MIN
    return {"upscaled": bool(upscaled), "low_detail": bool(ratio < DETAIL_RATIO_MIN),
            "detail_ratio": round(ratio, 4) if np.isfinite(ratio) else None,
            "resampling_peak": round(peak, 1)}
