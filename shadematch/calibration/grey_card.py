"""Calibrate white balance and exposure from a grey (or white-balance) card in the photo.

Only two things are corrected: the colour cast (per-channel gains so the card comes out neutral)
and the exposure (so the card comes out at its declared lightness, L* 50 by default, the lightness
of a standard 18% grey card). Colour cross-talk and tone curves are not: that needs a chart.
"""

from __future__ import annotations

import numpy as np

from shadematch.calibration._colour import (
    Lab_to_XYZ,
    M_sRGB_TO_XYZ,
    XYZ_to_Lab,
    code_values_to_unit,
    delta_E_CIE2000,
    sRGB_to_linear,
)
from shadematch.calibration.fit import FittedModel
from shadematch.calibration.model import Calibration, PatchResult
from shadematch.calibration.sampling import CLIP_HIGH, TOO_DARK
from shadematch.errors import CalibrationError

#: Lightness assumed for a grey card when none is declared: an 18% grey card (Y = 0.18 gives
#: L* 49.5; cards are sold as "L* 50").
DEFAULT_CARD_L = 50.0

#: Fewest unclipped card pixels for a trustworthy median.
MIN_CARD_PIXELS = 25


def calibrate_from_grey_card(photo_rgb, mask: np.ndarray, card_L: float = DEFAULT_CARD_L,
                             photo_sha256: str | None = None) -> Calibration:
    """White balance and exposure from a neutral card marked by ``mask``.

    Parameters
    ----------
    photo_rgb : (H, W, 3) sRGB-encoded photo (uint8, uint16 or float 0..1), or a Photo (a
        wide-gamut one is read from its source pixels, unclipped, as its regions are measured).
    mask : (H, W) bool, the card's pixels (from a region).
    card_L : the card's declared CIE L* (0..100); 50 for an 18% grey card.
    photo_sha256 : the photo's hash (taken from a Photo when given one).

    Returns
    -------
    Calibration
        Model "white-balance": XYZ = M_sRGB @ diag(gains) @ RGB_lin. Its ``mean_delta_e`` and
        ``max_delta_e`` are the median and 95th percentile CIEDE2000 of the card's pixels to its
        target after correction: a measure of uneven light or a card that is not flat.

    Raises
    ------
    CalibrationError
        Mask of the wrong size or empty, card clipped or too dark, or an implausible card_L.
    """
    if hasattr(photo_rgb, "rgb") and hasattr(photo_rgb, "sha256"):
        arr, sha = np.asarray(photo_rgb.rgb), str(photo_rgb.sha256)
    else:
        arr, sha = np.asarray(photo_rgb), ""
    if photo_sha256:
        sha = photo_sha256
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise CalibrationError("The photo must be a colour image (height x width x 3).")
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != arr.shape[:2]:
        raise CalibrationError(
            f"The grey card region ({mask.shape[1]} x {mask.shape[0]}) does not match the photo "
            f"({arr.shape[1]} x {arr.shape[0]}): mark the card again on this photo.")
    if not (5.0 <= float(card_L) <= 98.0):
        raise CalibrationError(
            f"A grey card lightness of L* {card_L} is not plausible: give the card's declared L* "
            "(50 for an 18% grey card).")
    # a wide-gamut Photo: the card's own encoding, decoded through its profile (as regions are)
    source = getattr(photo_rgb, "source", None)
    if source is not None:
        pixels = source.oriented()[mask].astype(np.float64) / source.max_value
    else:
        pixels = code_values_to_unit(arr[..., :3][mask])
    if len(pixels) == 0:
        raise CalibrationError("The grey card region is empty: draw it over the card.")
    clipped = np.any(pixels >= CLIP_HIGH, axis=1)
    usable = pixels[~clipped]
    if clipped.mean() > 0.1 or len(usable) < MIN_CARD_PIXELS:
        raise CalibrationError(
            f"The grey card is overexposed ({clipped.mean():.0%} of its pixels clipped): lower "
            "the exposure or turn the card away from the light, then retake the photo.")
    median = np.median(usable, axis=0)
    if median.min() <= TOO_DARK:
        raise CalibrationError(
            "The grey card is too dark to measure: raise the exposure or light the card better.")
    def linear(levels):
        return sRGB_to_linear(levels) if source is None else source.linear_of_levels(levels)

    RGB_lin = linear(median)
    Y_card = float(Lab_to_XYZ(np.array([card_L, 0.0, 0.0]))[1])
    gains = Y_card / RGB_lin
    matrix = M_sRGB_TO_XYZ * gains[None, :]
    transform = FittedModel("matrix-3x3", matrix)

    target = np.array([card_L, 0.0, 0.0])
    Lab_px = XYZ_to_Lab(transform(linear(usable)))
    dE_px = delta_E_CIE2000(Lab_px, target)
    spread_median = float(np.median(dE_px))
    spread_p95 = float(np.percentile(dE_px, 95))
    card_Lab = XYZ_to_Lab(transform(RGB_lin))
    warnings = []
    if spread_median > 3.0:
        warnings.append(
            f"The grey card is unevenly lit or not uniform (its pixels differ from its centre "
            f"colour by {spread_median:.1f} dE00 on median): light it evenly and mark only the "
            "card.")
    if clipped.any():
        warnings.append(f"{clipped.mean():.0%} of the grey card's pixels were clipped and left out.")
    uncorrected_Lab = XYZ_to_Lab(RGB_lin @ M_sRGB_TO_XYZ.T)
    patch = PatchResult(name="grey card", residual_delta_e=float(delta_E_CIE2000(card_Lab, target)),
                        measured_Lab=[float(v) for v in uncorrected_Lab],
                        reference_Lab=[float(v) for v in target])
    return Calibration(
        chart="greycard",
        reference=f"Grey card, L* {card_L:g} a* 0 b* 0 (D65)"
                  + (" — 18% grey assumed" if card_L == DEFAULT_CARD_L else " — declared"),
        reference_key="greycard", model="white-balance",
        mean_delta_e=spread_median, max_delta_e=spread_p95, transform=transform,
        leave_one_out_mean_delta_e=None, patches=[patch], corners=[],
        source_photo_sha256=sha, warnings=warnings,
        candidates={},
        sampled_from="sRGB" if source is None else f"source: {source.description or 'ICC'}")
