"""Robust colour statistics of a marked region: the colour a practitioner would call "the" colour.

Pipeline for the pixels under a mask: drop clipped pixels (a channel at 0 or full scale) ->
linearise -> (calibration, when given) -> CIELAB (D65, 2 degree) -> for hair, split hair from the
scalp showing through (two clusters in Lab, keep the darker); for skin, drop a small dark minority
(stubble, follicles) -> trim glints and deep shadows by L* percentiles -> centre (trimmed mean),
spread, counts and warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shadematch.color.conversion import (
    Lab_to_hex,
    Lab_to_LCh,
    XYZ_to_Lab,
    sRGB_to_Lab,
    sRGB_to_linear,
)
from shadematch.color.delta_e import delta_E_CIE2000
from shadematch.color.descriptors import ITA, ita_class
from shadematch.errors import SampleError

# Thresholds (documented in the README's "How a sample is measured").
MIN_PIXELS = 200            # fewer usable pixels than this: a warning; fewer than 20: an error
MIN_PIXELS_ERROR = 20
CLIPPED_WARNING_FRACTION = 0.10
TRIM_PERCENTILES = (5.0, 95.0)   # L* percentiles kept (glints above, deep shadows below)
SPREAD_WARNING_DE00 = {"hair": 8.0, "skin": 6.0, "scar": 6.0}
SEPARATION_MIN_DL = 10.0     # clusters closer than this in L* are one colour
STATS_SUBSAMPLE = 20000      # pixels used for clustering fit and spread (all pixels are labelled)
QUICK_SUBSAMPLE = 20000      # quick estimates (live updates while drawing) use at most this many


@dataclass
class Sample:
    """The measured colour of one region class.

    Attributes
    ----------
    region_class : "hair", "skin" or "scar".
    Lab : ndarray (3,) — robust centre, L* 0..100, D65 / 2 degree.
    std_Lab : ndarray (3,) — standard deviation of the used pixels.
    median_delta_e : median CIEDE2000 of the used pixels to the centre (spread).
    total, used, clipped, trimmed, other_cluster : pixel counts (total = all under the mask).
    separation_applied : whether a second cluster (skin under hair, stubble on skin) was removed.
    warnings : list of {"code", "message"} a practitioner can act on.
    calibrated : whether a colour calibration was applied.
    quick : whether this is a quick estimate from a subsample.
    """

    region_class: str
    Lab: np.ndarray
    std_Lab: np.ndarray
    median_delta_e: float
    total: int
    used: int
    clipped: int
    trimmed: int
    other_cluster: int
    separation_applied: bool = False
    warnings: list[dict] = field(default_factory=list)
    calibrated: bool = False
    quick: bool = False

    @property
    def LCh(self) -> np.ndarray:
        return Lab_to_LCh(self.Lab)

    @property
    def ita(self) -> float | None:
        return float(ITA(self.Lab)) if self.region_class == "skin" else None

    def to_dict(self) -> dict:
        """The ``samples.<class>`` block of the analysis record."""
        # Everything derived from the Lab is derived from its rounded (stored) value, so that
        # from_dict(to_dict()) gives back the same record.
        lab = [round(float(v), 3) for v in self.Lab]
        hex_colour, in_gamut = Lab_to_hex(lab)
        data = {
            "class": self.region_class,
            "lab": lab,
            "lch": [round(float(v), 3) for v in Lab_to_LCh(np.asarray(lab))],
            "srgb_hex": hex_colour,
            "in_gamut": in_gamut,
            "spread": {"std_Lab": [round(float(v), 3) for v in self.std_Lab],
                       "median_delta_e": round(float(self.median_delta_e), 3)},
            "pixels": {"total": self.total, "used": self.used, "clipped": self.clipped,
                       "trimmed": self.trimmed, "other_cluster": self.other_cluster},
            "separation": {"applied": self.separation_applied,
                           "kept_fraction": round(self.used / max(self.total, 1), 4)},
            "calibrated": self.calibrated,
            "quick": self.quick,
            "warnings": list(self.warnings),
        }
        if self.region_class == "skin":
            ita = float(ITA(np.asarray(lab)))
            data["ita"] = round(ita, 2)
            data["ita_class"] = ita_class(ita)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Sample:
        pixels = data.get("pixels", {})
        spread = data.get("spread", {})
        return cls(
            region_class=data["class"], Lab=np.asarray(data["lab"], dtype=float),
            std_Lab=np.asarray(spread.get("std_Lab", [0, 0, 0]), dtype=float),
            median_delta_e=float(spread.get("median_delta_e", 0.0)),
            total=int(pixels.get("total", 0)), used=int(pixels.get("used", 0)),
            clipped=int(pixels.get("clipped", 0)), trimmed=int(pixels.get("trimmed", 0)),
            other_cluster=int(pixels.get("other_cluster", 0)),
            separation_applied=bool(data.get("separation", {}).get("applied", False)),
            warnings=list(data.get("warnings", [])), calibrated=bool(data.get("calibrated")),
            quick=bool(data.get("quick")))


def pixels_to_Lab(pixels: np.ndarray, calibration=None, linear: bool = False) -> np.ndarray:
    """sRGB pixels (N, 3) uint8/uint16 -> Lab (N, 3), through ``calibration`` when given.

    ``calibration`` is any object with ``linear_RGB_to_XYZ(RGB_lin) -> XYZ`` (white Y = 1, D65).
    ``linear=True``: ``pixels`` are float linear sRGB-primaries values (white 1), not clipped to
    0..1 (a wide-gamut photo's colours outside sRGB, see shadematch.imaging.measurement_source).
    """
    # --- wide-gamut measurement (colour-audit): linear, unclipped input -----------------------
    if linear:
        from shadematch.color.conversion import MATRIX_sRGB_TO_XYZ

        RGB_lin = np.asarray(pixels, dtype=np.float32)
        if calibration is not None:
            XYZ = np.asarray(calibration.linear_RGB_to_XYZ(RGB_lin))
        else:
            XYZ = RGB_lin @ MATRIX_sRGB_TO_XYZ.T.astype(np.float32)
        return XYZ_to_Lab(XYZ.astype(np.float32, copy=False))
    # ------------------------------------------------------------------------------------------
    if calibration is None:
        return sRGB_to_Lab(pixels)
    XYZ = np.asarray(calibration.linear_RGB_to_XYZ(sRGB_to_linear(pixels)))
    return XYZ_to_Lab(XYZ.astype(np.float32, copy=False))


def _two_means(Lab: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two clusters in Lab (k-means, k=2) fitted on a subsample; returns (centres, labels of all).

    Starts from the L* quartiles, which is where hair and scalp separate first.
    """
    fit = Lab if len(Lab) <= STATS_SUBSAMPLE else Lab[rng.choice(len(Lab), STATS_SUBSAMPLE,
                                                                 replace=False)]
    fit = fit.astype(np.float64)
    q = np.percentile(fit[:, 0], [25, 75])
    centres = np.array([fit[fit[:, 0] <= q[0]].mean(axis=0), fit[fit[:, 0] >= q[1]].mean(axis=0)])
    for _ in range(20):
        d = ((fit[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels = d.argmin(axis=1)
        new = np.array([fit[labels == k].mean(axis=0) if np.any(labels == k) else centres[k]
                        for k in range(2)])
        if np.allclose(new, centres, atol=1e-3):
            break
        centres = new
    all_d = ((Lab[:, None, :].astype(np.float32) - centres[None, :, :].astype(np.float32)) ** 2
             ).sum(axis=2)
    return centres, all_d.argmin(axis=1)


def sample_region(rgb: np.ndarray, mask: np.ndarray, region_class: str, calibration=None,
                  quick: bool = False, separate: bool = True, seed: int = 0,
                  source=None) -> Sample:
    """Measure the colour of the pixels of ``rgb`` under ``mask``.

    Parameters
    ----------
    rgb : ndarray (H, W, 3) uint8 or uint16, sRGB as displayed.
    mask : ndarray (H, W) bool.
    region_class : "hair", "skin" or "scar". Hair regions are split into hair and scalp pixels
        (the darker cluster is kept); skin regions drop a small dark minority (stubble).
    calibration : optional object with ``linear_RGB_to_XYZ`` (see shadematch.calibration).
    quick : measure a random subsample (live updates while drawing).
    separate : set False to keep all pixels (no cluster split).
    source : optional ``Photo.source`` (:class:`shadematch.imaging.measurement_source.SourcePixels`)
        of a wide-gamut photo: colours are then read from the source encoding, not clipped to
        sRGB, and "clipped" means a channel at 0 or full scale in the source.

    Returns
    -------
    Sample

    Raises
    ------
    SampleError
        When fewer than 20 usable pixels remain.
    """
    rgb = np.asarray(rgb)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != rgb.shape[:2]:
        raise SampleError(f"the region mask is {mask.shape[1]} x {mask.shape[0]} but the photo is "
                          f"{rgb.shape[1]} x {rgb.shape[0]}")
    word = {"hair": "hair", "skin": "skin", "scar": "scar"}.get(region_class, region_class)
    rng = np.random.default_rng(seed)
    # --- wide-gamut measurement (colour-audit): source-encoded pixels ------------------------
    pixels = rgb[mask] if source is None else source.oriented()[mask]
    # ------------------------------------------------------------------------------------------
    total = int(len(pixels))
    if quick and total > QUICK_SUBSAMPLE:
        pixels = pixels[rng.choice(total, QUICK_SUBSAMPLE, replace=False)]
    scale = total / max(len(pixels), 1)  # counts reported for the whole region
    top = 65535 if pixels.dtype == np.uint16 else 255
    clipped_mask = np.any((pixels == 0) | (pixels == top), axis=1)
    n_clipped = int(clipped_mask.sum())
    pixels = pixels[~clipped_mask]
    if len(pixels) < MIN_PIXELS_ERROR:
        if total == 0:
            raise SampleError(f"the {word} region covers no pixels: draw it on the photo")
        raise SampleError(f"the {word} region has only {len(pixels)} usable pixels "
                          f"({n_clipped} of {total} are clipped to pure black or white): draw a "
                          "larger region, or re-take the photo with less glare")
    if source is None:
        Lab = pixels_to_Lab(pixels, calibration)
    else:  # wide-gamut measurement (colour-audit)
        Lab = pixels_to_Lab(source.linear_of_codes(pixels)[0], calibration, linear=True)

    other = 0
    separated = False
    if separate and region_class in ("hair", "skin") and len(Lab) >= 2 * MIN_PIXELS_ERROR:
        centres, labels = _two_means(Lab, rng)
        dark, light = (0, 1) if centres[0, 0] <= centres[1, 0] else (1, 0)
        dL = centres[light, 0] - centres[dark, 0]
        n_dark = int((labels == dark).sum())
        if region_class == "hair":
            # Keep the darker cluster when the region really holds two colours.
            if dL >= SEPARATION_MIN_DL and n_dark >= MIN_PIXELS_ERROR:
                keep = labels == dark
                other, separated = int((~keep).sum()), True
                Lab = Lab[keep]
        else:
            # Skin: a dark minority is stubble or follicles showing, not skin.
            if dL >= 1.5 * SEPARATION_MIN_DL and n_dark < 0.4 * len(Lab):
                keep = labels == light
                other, separated = int((~keep).sum()), True
                Lab = Lab[keep]

    lo, hi = np.percentile(Lab[:, 0], TRIM_PERCENTILES)
    keep = (Lab[:, 0] >= lo) & (Lab[:, 0] <= hi)
    if keep.sum() >= MIN_PIXELS_ERROR:
        trimmed = int((~keep).sum())
        Lab = Lab[keep]
    else:
        trimmed = 0
    Lab64 = Lab.astype(np.float64)
    centre = Lab64.mean(axis=0)
    std = Lab64.std(axis=0)
    spread_sample = Lab64 if len(Lab64) <= STATS_SUBSAMPLE else Lab64[
        rng.choice(len(Lab64), STATS_SUBSAMPLE, replace=False)]
    median_de = float(np.median(delta_E_CIE2000(spread_sample, centre)))

    used = len(Lab)
    sample = Sample(
        region_class=region_class, Lab=centre, std_Lab=std, median_delta_e=median_de,
        total=total, used=int(round(used * scale)), clipped=int(round(n_clipped * scale)),
        trimmed=int(round(trimmed * scale)), other_cluster=int(round(other * scale)),
        separation_applied=separated, calibrated=calibration is not None, quick=quick)
    sample.warnings = _warnings(sample, word)
    return sample


def _warnings(s: Sample, word: str) -> list[dict]:
    out = []
    if s.used < MIN_PIXELS:
        out.append({"code": "too_small",
                    "message": f"The {word} region is small: only {s.used} usable pixels. Draw a "
                               "larger region for a steadier measurement."})
    if s.total and s.clipped / s.total > CLIPPED_WARNING_FRACTION:
        out.append({"code": "clipped",
                    "message": f"{100 * s.clipped / s.total:.0f}% of the {word} pixels are clipped "
                               "(pure black or white) and were left out. Avoid glare or lower the "
                               "exposure and re-take the photo."})
    limit = SPREAD_WARNING_DE00.get(s.region_class, 6.0)
    if s.median_delta_e > limit:
        out.append({"code": "spread",
                    "message": f"The {word} colours vary a lot (median dE00 {s.median_delta_e:.1f} "
                               "from the centre): the region may mix colours or light and shadow. "
                               "Mark a more even area."})
    if s.region_class == "hair" and s.separation_applied and s.total:
        kept = s.used / s.total
        if kept < 0.25:
            out.append({"code": "little_hair",
                        "message": f"Only {100 * kept:.0f}% of the hair region looks like hair; the "
                                   "rest was taken for scalp. Mark an area with denser hair."})
    if s.Lab[0] < 3.0 or s.Lab[0] > 97.0:
        out.append({"code": "exposure",
                    "message": f"The {word} region is almost {'black' if s.Lab[0] < 3 else 'white'} "
                               f"(L* {s.Lab[0]:.1f}): check the exposure of the photo."})
    return out
