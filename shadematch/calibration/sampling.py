"""Sample the middle of every chart patch robustly and flag the patches that cannot be trusted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from shadematch.calibration._colour import code_values_to_unit, sRGB_to_linear
from shadematch.calibration.charts import SAMPLE_FRACTION, patch_quads
from shadematch.errors import CalibrationError

#: A channel at or above this encoded value (0..1) counts as clipped (254/255 for 8-bit).
CLIP_HIGH = 254.0 / 255.0
#: A patch whose median channel is at or below this encoded value (0..1) is too dark to measure:
#: it sits in the noise floor and JPEG's quantisation (about 3/255).
TOO_DARK = 3.0 / 255.0
#: More than this fraction of clipped pixels rejects a patch.
MAX_CLIPPED_FRACTION = 0.10
#: A patch whose pixels spread more than this (median absolute deviation of the encoded values,
#: 0..1) is not uniform: the sampled square probably overlaps a patch border.
MAX_SPREAD = 0.08


@dataclass
class PatchSamples:
    """What was measured on each patch.

    Attributes
    ----------
    RGB_lin : (n, 3) robust (trimmed) mean linear RGB (sRGB EOTF applied, 0..1) of each patch's sampled middle.
    pixel_counts : (n,) number of pixels used per patch.
    rejected : (n,) bool, patch unusable for the fit.
    reasons : per patch, "" or why it was rejected ("clipped highlights", ...).
    notes : per patch, "" or a warning that does not reject it ("not uniform ...").
    quads : (n, 4, 2) sampled squares in pixel coordinates.
    """

    RGB_lin: np.ndarray
    pixel_counts: np.ndarray
    rejected: np.ndarray
    reasons: list[str]
    notes: list[str]
    quads: np.ndarray


def _pixels_in_quad(rgb: np.ndarray, quad: np.ndarray) -> np.ndarray:
    from skimage.draw import polygon

    rr, cc = polygon(quad[:, 1], quad[:, 0], shape=rgb.shape[:2])
    if rr.size == 0:
        # A very small quad can fall between pixel centres: take the nearest pixel.
        cx, cy = quad.mean(axis=0)
        rr = np.array([int(round(cy))]).clip(0, rgb.shape[0] - 1)
        cc = np.array([int(round(cx))]).clip(0, rgb.shape[1] - 1)
    return rgb[rr, cc]


def _trimmed_mean(pixels: np.ndarray, trim: float = 0.2) -> np.ndarray:
    """Per-channel mean of the values between the ``trim`` and ``1 - trim`` quantiles.

    As robust as the median against specks and JPEG ringing, but not stuck on whole code values:
    with a little sensor noise it resolves fractions of a code, which matters after a strong
    correction (one 8-bit code in a dark channel can be a whole dE00).
    """
    if len(pixels) < 5:
        return np.median(pixels, axis=0)
    lo, hi = np.quantile(pixels, [trim, 1 - trim], axis=0)
    inside = (pixels >= lo) & (pixels <= hi)
    return np.where(inside, pixels, 0.0).sum(axis=0) / np.maximum(inside.sum(axis=0), 1)


def sample_patches(rgb: np.ndarray, corners: Sequence[tuple[float, float]],
                   chart: str = "colorchecker24", fraction: float = SAMPLE_FRACTION,
                   names: Sequence[str] | None = None,
                   progress: Callable[..., object] | None = None,
                   cancelled: Callable[[], bool] | None = None, source=None) -> PatchSamples:
    """Robust mean linear RGB of the middle of every patch, with clipped and dark patches rejected.

    Parameters
    ----------
    rgb : (H, W, 3) sRGB-encoded photo, uint8 (0..255), uint16 (0..65535) or float (0..1).
    corners : corner patch centres in chart order (see :mod:`shadematch.calibration.charts`).
    chart : chart key.
    fraction : side of the sampled square as a fraction of the patch pitch (see
        :data:`shadematch.calibration.charts.SAMPLE_FRACTION`).
    names : patch names for messages.
    progress, cancelled : optional callables (``progress(fraction, message)``, ``cancelled()``).
    source : optional ``Photo.source`` of a wide-gamut photo
        (:class:`shadematch.imaging.measurement_source.SourcePixels`): the patches are then read
        from the file's own encoding, not from ``rgb`` (where colours outside sRGB are clipped to
        it), and decoded through the file's profile to *unclipped* linear sRGB-primaries values,
        as region measurement reads them. "Clipped" then means a channel at full scale in the
        source, "too dark" a median channel at the source's noise floor.

    Returns
    -------
    PatchSamples

    Raises
    ------
    CalibrationError
        The photo is not an (H, W, 3) image, or the job was cancelled.
    """
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise CalibrationError("The photo must be a colour image (height x width x 3).")
    arr = arr[..., :3]
    if source is not None:
        arr = source.oriented()
    quads = patch_quads(corners, chart, fraction)
    n = len(quads)
    names = list(names) if names is not None else [f"patch {i + 1}" for i in range(n)]
    RGB_lin = np.zeros((n, 3))
    counts = np.zeros(n, dtype=int)
    rejected = np.zeros(n, dtype=bool)
    reasons = [""] * n
    notes = [""] * n
    for i, quad in enumerate(quads):
        if cancelled is not None and cancelled():
            raise CalibrationError("Calibration was cancelled.")
        pixels = code_values_to_unit(_pixels_in_quad(arr, quad))
        pixels = pixels[np.all(np.isfinite(pixels), axis=1)]  # float photos may hold NaN/inf
        clipped = np.any(pixels >= CLIP_HIGH, axis=1)
        usable = pixels[~clipped]
        counts[i] = len(usable)
        if clipped.mean() > MAX_CLIPPED_FRACTION or len(usable) == 0:
            rejected[i] = True
            reasons[i] = (f"clipped highlights ({clipped.mean():.0%} of its pixels at full "
                          "scale): lower the exposure or move the light")
            usable = pixels
        median = np.median(usable, axis=0)
        mean = _trimmed_mean(usable)
        RGB_lin[i] = (sRGB_to_linear(mean) if source is None
                      else source.linear_of_levels(mean[None])[0])
        if not rejected[i] and np.min(median) <= TOO_DARK:
            rejected[i] = True
            reasons[i] = ("too dark to measure (a channel is at the noise floor): raise the "
                          "exposure or light the chart better")
        spread = np.median(np.abs(usable - median), axis=0).max() if len(usable) else 0.0
        if not rejected[i] and spread > MAX_SPREAD:
            notes[i] = (f"{names[i]} is not uniform where it was sampled: check that its "
                        "outlined square sits inside the patch (drag the nearest corner)")
        if progress is not None:
            progress((i + 1) / n * 0.5, f"Sampling {names[i]}")
    return PatchSamples(RGB_lin, counts, rejected, reasons, notes, quads)
