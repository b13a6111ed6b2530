"""The Calibration object: a fitted transform from linear camera RGB to XYZ and its fit report."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from shadematch.calibration._colour import (
    M_sRGB_TO_XYZ,
    M_XYZ_TO_sRGB,
    XYZ_to_Lab,
    linear_to_sRGB,
    sRGB_to_linear,
)
from shadematch.calibration.fit import FittedModel
from shadematch.errors import CalibrationError

#: Warn when the mean residual of the fit exceeds this (CIEDE2000).
MEAN_DELTA_E_WARNING = 3.0

#: A measured region this much brighter than the chart's white patch (L*), or darker than half
#: the black patch's L*, was lit differently from the chart.
BRIGHTER_THAN_WHITE_L = 3.0
DARKER_THAN_BLACK_FACTOR = 0.5


@dataclass
class PatchResult:
    """One chart patch in the fit report."""

    name: str
    residual_delta_e: float | None      # CIEDE2000 after correction; None when rejected
    rejected: bool = False
    reason: str = ""
    leave_one_out_delta_e: float | None = None
    measured_Lab: list[float] | None = None   # corrected Lab of the patch
    reference_Lab: list[float] | None = None

    def to_dict(self) -> dict:
        d = {"name": self.name,
             "residual_delta_e": None if self.residual_delta_e is None
             else round(float(self.residual_delta_e), 3),
             "rejected": bool(self.rejected), "reason": self.reason}
        if self.leave_one_out_delta_e is not None:
            d["leave_one_out_delta_e"] = round(float(self.leave_one_out_delta_e), 3)
        if self.measured_Lab is not None:
            d["measured_lab"] = [round(float(v), 3) for v in self.measured_Lab]
        if self.reference_Lab is not None:
            d["reference_lab"] = [round(float(v), 3) for v in self.reference_Lab]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> PatchResult:
        return cls(name=str(d.get("name", "")),
                   residual_delta_e=(None if d.get("residual_delta_e") is None
                                     else float(d["residual_delta_e"])),
                   rejected=bool(d.get("rejected", False)), reason=str(d.get("reason", "")),
                   leave_one_out_delta_e=(None if d.get("leave_one_out_delta_e") is None
                                          else float(d["leave_one_out_delta_e"])),
                   measured_Lab=d.get("measured_lab"), reference_Lab=d.get("reference_lab"))


@dataclass
class Calibration:
    """A colour calibration: linear camera RGB -> CIE XYZ (D65, white Y = 1), with its report.

    Attributes
    ----------
    chart : "colorchecker24" or "greycard".
    reference : label of the reference values (e.g. "ColorChecker24 after November 2014 ...").
    model : "matrix-3x3", "root-polynomial-2", "root-polynomial-3", "curves+matrix-3x3",
        "curves+root-polynomial-2" or "white-balance".
    mean_delta_e, max_delta_e : CIEDE2000 residuals over the usable patches.
    leave_one_out_mean_delta_e : mean CIEDE2000 of each patch predicted without it (None for a
        grey card).
    patches : per-patch report.
    corners : the corner clicks (x, y) used, or [] for a grey card.
    source_photo_sha256 : the photo the chart was in ("" if unknown).
    reused : True when this calibration was made on another photo of the same shoot.
    applied_to_photo_sha256 : the photo it is used on when reused.
    warnings : messages the user should see (mean residual high, rejected patches, reuse ...).
    candidates : leave-one-out mean CIEDE2000 of every model tried.
    skin_leave_one_out_mean_delta_e : leave-one-out mean CIEDE2000 of the skin-like patches
        (``skin_patches``) under the chosen model (None for a grey card or when none is usable).
    skin_patches : names of the skin-like reference patches weighted in the model choice.
    candidates_skin : the skin-like patches' leave-one-out mean CIEDE2000 of every model tried.
    transform : the fitted model (see :class:`shadematch.calibration.fit.FittedModel`).
    sampled_from : which pixels the chart was read from: "sRGB" (the displayed pixels) or
        "source: <profile>" (a wide-gamut photo's own encoding, unclipped); "" when unknown
        (records written before this field, which then omit the key).
    """

    chart: str
    reference: str
    model: str
    mean_delta_e: float
    max_delta_e: float
    transform: FittedModel
    leave_one_out_mean_delta_e: float | None = None
    patches: list[PatchResult] = field(default_factory=list)
    corners: list[tuple[float, float]] = field(default_factory=list)
    source_photo_sha256: str = ""
    reused: bool = False
    applied_to_photo_sha256: str = ""
    warnings: list[str] = field(default_factory=list)
    candidates: dict[str, float] = field(default_factory=dict)
    reference_key: str = ""
    skin_leave_one_out_mean_delta_e: float | None = None
    skin_patches: list[str] = field(default_factory=list)
    candidates_skin: dict[str, float] = field(default_factory=dict)
    sampled_from: str = ""

    # -- applying it ---------------------------------------------------------------------------
    def linear_RGB_to_XYZ(self, RGB_lin: np.ndarray) -> np.ndarray:
        """Corrected CIE XYZ (D65, white Y = 1) of linear camera RGB.

        Parameters
        ----------
        RGB_lin : (..., 3) photo pixels decoded with the sRGB EOTF (linear, 0..1).

        Returns
        -------
        ndarray (..., 3) float64.
        """
        RGB = np.asarray(RGB_lin, dtype=np.float64)
        if RGB.shape[-1] != 3:
            raise CalibrationError("Colour values must have three channels (R, G, B).")
        return self.transform(RGB)

    def linear_RGB_to_Lab(self, RGB_lin: np.ndarray) -> np.ndarray:
        """Corrected CIELAB (D65) of linear camera RGB (..., 3)."""
        return XYZ_to_Lab(self.linear_RGB_to_XYZ(RGB_lin))

    def apply_to_image(self, rgb: np.ndarray, progress=None, cancelled=None) -> np.ndarray:
        """The photo as it looks after correction, sRGB-encoded uint8 (for display).

        Parameters
        ----------
        rgb : (H, W, 3) sRGB-encoded photo, uint8, uint16 or float 0..1.
        progress, cancelled : optional callables, checked between row blocks.

        Returns
        -------
        ndarray (H, W, 3) uint8; colours outside sRGB are clipped.
        """
        arr = np.asarray(rgb)
        if arr.ndim != 3 or arr.shape[2] < 3:
            raise CalibrationError("The photo must be a colour image (height x width x 3).")
        out = np.empty(arr.shape[:2] + (3,), dtype=np.uint8)
        transform = self.transform
        # Lookup tables keep a 12-megapixel photo to about a second: the decoding and tone curves
        # of every integer code value per channel, and the sRGB encoding of 65536 linear levels.
        pre_lut = None
        if arr.dtype in (np.uint8, np.uint16):
            codes = np.arange(np.iinfo(arr.dtype).max + 1, dtype=arr.dtype)
            levels = np.repeat(sRGB_to_linear(codes)[:, None], 3, axis=1)
            pre_lut = transform.pre(levels).astype(np.float32)
        encode_lut = np.clip(np.round(linear_to_sRGB(np.linspace(0.0, 1.0, 65536)) * 255),
                             0, 255).astype(np.uint8)
        to_display = M_XYZ_TO_sRGB @ transform.matrix          # camera terms -> linear sRGB
        rows = max(1, 262144 // max(arr.shape[1], 1))
        for start in range(0, arr.shape[0], rows):
            if cancelled is not None and cancelled():
                raise CalibrationError("Showing the corrected photo was cancelled.")
            block = arr[start:start + rows, :, :3]
            if pre_lut is not None:
                pre = np.stack([pre_lut[block[..., c], c] for c in range(3)], axis=-1)
            else:
                pre = transform.pre(sRGB_to_linear(block))
            if transform.is_linear_after_pre:
                lin = pre @ to_display.T.astype(np.float32)
            else:
                from shadematch.calibration.fit import expand

                base = transform.model.split("+")[-1]
                lin = expand(pre, base) @ to_display.T
            index = np.clip(lin, 0.0, 1.0) * 65535.0 + 0.5
            out[start:start + rows] = encode_lut[index.astype(np.uint16)]
            if progress is not None:
                progress(min(1.0, (start + rows) / arr.shape[0]), "Correcting the photo")
        return out

    # -- reuse ---------------------------------------------------------------------------------
    def reused_for(self, photo_sha256: str) -> Calibration:
        """A copy of this calibration marked as reused on another photo, with a visible note."""
        other = copy.deepcopy(self)
        if photo_sha256 and photo_sha256 == self.source_photo_sha256:
            other.reused = False
            other.applied_to_photo_sha256 = ""
            other.warnings = [w for w in other.warnings if w != self.reuse_note()]
            return other
        other.reused = True
        other.applied_to_photo_sha256 = photo_sha256
        note = self.reuse_note()
        if note not in other.warnings:
            other.warnings.append(note)
        return other

    def carried_to(self, photo_sha256: str, keep_for_shoot: bool) -> Calibration | None:
        """What this calibration becomes when the photo ``photo_sha256`` is opened.

        Returns
        -------
        Calibration or None
            ``self`` when it already belongs to that photo (made on it, or reused on it; an
            unknown source hash counts as belonging); a copy no longer marked reused when it is
            back on the photo it was made on; a copy marked reused when ``keep_for_shoot``
            ("use for other photos from this shoot"); otherwise None: a calibration from
            another photo is not applied silently.
        """
        if not self.source_photo_sha256 or self.source_photo_sha256 == photo_sha256:
            return self.reused_for(photo_sha256) if self.reused else self
        if self.reused and self.applied_to_photo_sha256 == photo_sha256:
            return self
        return self.reused_for(photo_sha256) if keep_for_shoot else None

    def reuse_note(self) -> str:
        src = self.source_photo_sha256[:12] or "another photo"
        return (f"Calibration reused from photo {src} of the same shoot: it is right only if the "
                "light, camera and settings did not change.")

    # -- report --------------------------------------------------------------------------------
    @property
    def rejected_patches(self) -> list[str]:
        return [p.name for p in self.patches if p.rejected]

    def summary(self) -> str:
        """One line for the sample panel and the report."""
        text = (f"Calibrated with {self.chart} ({self.model}): residual mean "
                f"{self.mean_delta_e:.2f}, max {self.max_delta_e:.2f} dE00")
        if self.leave_one_out_mean_delta_e is not None:
            text += f", leave-one-out {self.leave_one_out_mean_delta_e:.2f}"
        if self.skin_leave_one_out_mean_delta_e is not None:
            text += f" (skin patches {self.skin_leave_one_out_mean_delta_e:.2f})"
        if self.reused:
            text += " — reused from another photo"
        return text

    def to_dict(self) -> dict:
        """The ``calibration`` block of the analysis record (docs/ANALYSIS_FORMAT.md)."""
        return {
            "chart": self.chart,
            "reference": self.reference,
            "reference_key": self.reference_key,
            "model": self.model,
            "mean_delta_e": round(float(self.mean_delta_e), 3),
            "max_delta_e": round(float(self.max_delta_e), 3),
            "leave_one_out_mean_delta_e": (None if self.leave_one_out_mean_delta_e is None
                                           else round(float(self.leave_one_out_mean_delta_e), 3)),
            "patches": [p.to_dict() for p in self.patches],
            "corners": [[round(float(x), 2), round(float(y), 2)] for x, y in self.corners],
            "source_photo_sha256": self.source_photo_sha256,
            "reused": bool(self.reused),
            "applied_to_photo_sha256": self.applied_to_photo_sha256,
            "warnings": list(self.warnings),
            "candidates": {k: round(float(v), 3) for k, v in self.candidates.items()},
            "skin_leave_one_out_mean_delta_e": (
                None if self.skin_leave_one_out_mean_delta_e is None
                else round(float(self.skin_leave_one_out_mean_delta_e), 3)),
            "skin_patches": list(self.skin_patches),
            "candidates_skin": {k: round(float(v), 3) for k, v in self.candidates_skin.items()},
            "transform": self.transform.to_dict(),
            # new key only when known, so that older records read back unchanged
            **({"sampled_from": self.sampled_from} if self.sampled_from else {}),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Calibration:
        """Rebuild a calibration (including its transform) from :meth:`to_dict` output.

        Raises
        ------
        CalibrationError
            The block is not a calibration or its transform is missing or malformed.
        """
        try:
            transform = FittedModel.from_dict(d["transform"])
            return cls(
                chart=str(d["chart"]), reference=str(d.get("reference", "")),
                model=str(d["model"]), mean_delta_e=float(d["mean_delta_e"]),
                max_delta_e=float(d["max_delta_e"]), transform=transform,
                leave_one_out_mean_delta_e=(None if d.get("leave_one_out_mean_delta_e") is None
                                            else float(d["leave_one_out_mean_delta_e"])),
                patches=[PatchResult.from_dict(p) for p in d.get("patches", [])],
                corners=[(float(x), float(y)) for x, y in d.get("corners", [])],
                source_photo_sha256=str(d.get("source_photo_sha256", "")),
                reused=bool(d.get("reused", False)),
                applied_to_photo_sha256=str(d.get("applied_to_photo_sha256", "")),
                warnings=[str(w) for w in d.get("warnings", [])],
                candidates={str(k): float(v) for k, v in d.get("candidates", {}).items()},
                reference_key=str(d.get("reference_key", "")),
                skin_leave_one_out_mean_delta_e=(
                    None if d.get("skin_leave_one_out_mean_delta_e") is None
                    else float(d["skin_leave_one_out_mean_delta_e"])),
                skin_patches=[str(n) for n in d.get("skin_patches", [])],
                candidates_skin={str(k): float(v)
                                 for k, v in d.get("candidates_skin", {}).items()},
                sampled_from=str(d.get("sampled_from", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError(
                f"The saved calibration could not be read ({exc}): calibrate again from the chart "
                "photo.") from exc


def identity_transform() -> FittedModel:
    """The plain sRGB matrix (no correction), as a FittedModel."""
    return FittedModel("matrix-3x3", M_sRGB_TO_XYZ.copy())


def exposure_warning(calibration: Calibration | None,
                     region_Lab_list: Sequence[Sequence[float]]) -> str | None:
    """A warning when the chart was lit much darker or brighter than the measured regions.

    A calibration maps the chart's white patch to its reference L* (about 95). A region that comes
    out brighter than that white, or darker than half the black patch, was in different light
    from the chart (chart in shadow, or in the flash's hot spot), so its calibrated colour is
    extrapolated and unreliable.

    Parameters
    ----------
    calibration : the calibration used (None: no warning).
    region_Lab_list : calibrated Lab of the measured regions, each (3,) (L* 0..100).

    Returns
    -------
    str or None
        The message, naming what to do, or None when the exposure is consistent.
    """
    if calibration is None or not len(region_Lab_list):
        return None
    if calibration.chart == "greycard":
        white_L, black_L = 100.0, 10.0
    else:
        white_L, black_L = 95.2, 20.6
    Ls = [float(np.asarray(Lab, dtype=np.float64)[0]) for Lab in region_Lab_list]
    brightest, darkest = max(Ls), min(Ls)
    if brightest > white_L + BRIGHTER_THAN_WHITE_L:
        return (f"A measured region (L* {brightest:.0f}) is brighter than the chart's white patch: "
                "the chart was darker than the area measured (in shadow?). Photograph the chart "
                "in the same light as the scalp, next to it.")
    if darkest < black_L * DARKER_THAN_BLACK_FACTOR:
        return (f"A measured region (L* {darkest:.0f}) is much darker than the chart's black "
                "patch: the chart was lit more brightly than the area measured. Photograph the "
                "chart in the same light as the scalp, next to it.")
    return None
