"""Calibrate from a ColorChecker in the photo: locate, sample, fit, choose a model, report."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from shadematch.calibration._colour import Lab_to_XYZ, XYZ_to_Lab, delta_E_CIE2000
from shadematch.calibration.charts import chart_layout, chart_reference, validate_corners
from shadematch.calibration.fit import (
    CANDIDATES,
    fit_model,
    leave_one_out_dE,
    min_patches,
)
from shadematch.calibration.model import MEAN_DELTA_E_WARNING, Calibration, PatchResult
from shadematch.calibration.sampling import sample_patches
from shadematch.errors import CalibrationError

#: Indices of the neutral patches (white .. black) of the ColorChecker 24, row order.
NEUTRAL_PATCHES = tuple(range(18, 24))

#: A more complex model must beat a simpler one's leave-one-out error by this margin (dE00) to be
#: chosen: extra terms that do not clearly generalise better are not worth their risk.
COMPLEXITY_MARGIN = 0.05

#: One patch this far from its reference after the fit (CIEDE2000) gets its own warning: usually
#: a corner click that puts its square on a border, or glare on that patch.
SINGLE_PATCH_WARNING = 6.0

#: How many models (best by plain least-squares leave-one-out) are polished in Lab and compared.
FINALISTS = 2

#: Skin-like reference colours: hue angle h_ab (degrees) and chroma C*_ab ranges of human skin
#: (skin colorimetry puts h_ab at about 30-70 deg and C*_ab at about 12-35 across skin types;
#: widened a little). On the ColorChecker 24 only "dark skin" (h 47, C 20) and "light skin"
#: (h 43, C 25) qualify; orange (C 65), orange yellow (C 69) and moderate red (h 18) do not.
SKIN_HUE_RANGE = (20.0, 75.0)
SKIN_CHROMA_RANGE = (8.0, 45.0)
SKIN_LIGHTNESS_RANGE = (20.0, 85.0)

#: Weight of the skin-like patches' mean leave-one-out error in the score that picks the model;
#: the mean over all usable patches has the rest. A model that generalises well over the chart
#: but badly on skin (the colour a practitioner measures) loses to one that is good on both.
SKIN_WEIGHT = 0.5


def skin_like_patches(Lab: np.ndarray) -> np.ndarray:
    """Which reference colours are skin-like, by hue, chroma and lightness.

    Parameters
    ----------
    Lab : (n, 3) reference CIELAB (D65; L* 0..100).

    Returns
    -------
    ndarray (n,) bool; on the ColorChecker 24, True for "dark skin" and "light skin" only.
    """
    Lab = np.asarray(Lab, dtype=np.float64)
    C = np.hypot(Lab[:, 1], Lab[:, 2])
    h = np.degrees(np.arctan2(Lab[:, 2], Lab[:, 1])) % 360.0
    return ((SKIN_HUE_RANGE[0] <= h) & (h <= SKIN_HUE_RANGE[1])
            & (SKIN_CHROMA_RANGE[0] <= C) & (C <= SKIN_CHROMA_RANGE[1])
            & (SKIN_LIGHTNESS_RANGE[0] <= Lab[:, 0]) & (Lab[:, 0] <= SKIN_LIGHTNESS_RANGE[1]))


def selection_score(dE: np.ndarray, skin: np.ndarray) -> float:
    """The leave-one-out score a model is chosen by (lower is better), CIEDE2000.

    ``(1 - SKIN_WEIGHT) * mean(dE) + SKIN_WEIGHT * mean(dE[skin])``; the plain mean when no
    skin-like patch is usable.
    """
    dE = np.asarray(dE, dtype=np.float64)
    if not np.any(skin):
        return float(np.mean(dE))
    return float((1.0 - SKIN_WEIGHT) * np.mean(dE) + SKIN_WEIGHT * np.mean(dE[skin]))


def _leave_one_out(models, RGB, XYZ, Lab, neutral, cancelled, refine: bool,
                   progress=None) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for k, model in enumerate(models):
        try:
            dE = leave_one_out_dE(model, RGB, XYZ, Lab, neutral, cancelled, refine=refine)
        except np.linalg.LinAlgError:
            continue
        if np.all(np.isfinite(dE)):
            out[model] = dE
        if progress is not None:
            progress(0.5 + 0.5 * (k + 1) / len(models), f"Fitting {model}")
    return out


def _photo_array_and_hash(photo_rgb) -> tuple[np.ndarray, str]:
    # Accepts a Photo (uses its file hash) or a bare array.
    if hasattr(photo_rgb, "rgb") and hasattr(photo_rgb, "sha256"):
        return np.asarray(photo_rgb.rgb), str(photo_rgb.sha256)
    return np.asarray(photo_rgb), ""


def _photo_source(photo_rgb):
    """The wide-gamut source pixels of a Photo (``Photo.source``), or None."""
    return getattr(photo_rgb, "source", None)


def calibrate_from_chart(photo_rgb, corners: Sequence[tuple[float, float]],
                         chart: str = "colorchecker24", reference: str = "after-2014",
                         progress: Callable[..., object] | None = None,
                         cancelled: Callable[[], bool] | None = None,
                         photo_sha256: str | None = None,
                         models: Sequence[str] = CANDIDATES) -> Calibration:
    """Fit a colour correction from a ColorChecker photographed with the subject.

    Parameters
    ----------
    photo_rgb : (H, W, 3) sRGB-encoded photo (uint8 0..255, uint16 0..65535 or float 0..1) as
        displayed (EXIF orientation applied), or a :class:`shadematch.imaging.photo.Photo`. Pass
        the Photo: one in a wide-gamut profile (Display P3, Adobe RGB ...) is then sampled from its
        source pixels, unclipped, exactly as its regions are measured (see
        :func:`~shadematch.calibration.sampling.sample_patches`); its sRGB ``rgb`` has the
        saturated patches clipped to sRGB, which bends the fit.
    corners : pixel centres (x, y) of the four corner patches in chart order: dark skin, bluish
        green, black, white. Any rotation works; a mirrored order is refused.
    chart : "colorchecker24".
    reference : "after-2014" (charts made after November 2014) or "before-2014".
    progress : optional ``progress(fraction 0..1, message)``.
    cancelled : optional ``cancelled() -> bool``; the fit stops with CalibrationError.
    photo_sha256 : the photo's hash, stored as ``source_photo_sha256`` (taken from a Photo).
    models : candidate models, see :data:`shadematch.calibration.fit.CANDIDATES`.

    Returns
    -------
    Calibration
        The model with the lowest leave-one-out score (mean CIEDE2000 over the usable patches
        and over the skin-like ones, equally weighted: :func:`selection_score`), its residuals
        and warnings.

    Raises
    ------
    CalibrationError
        Bad corners (outside the photo, collinear, crossing, mirrored, chart too small), too few
        usable patches (clipped or too dark, named), or cancellation.
    """
    arr, sha = _photo_array_and_hash(photo_rgb)
    if photo_sha256:
        sha = photo_sha256
    if chart == "greycard":
        raise CalibrationError(
            "A grey card has no patches to click: mark the card as a region and calibrate with the grey "
            "card option instead of chart corners.")
    layout = chart_layout(chart)
    ref = chart_reference(chart, reference)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise CalibrationError("The photo must be a colour image (height x width x 3).")
    pts = validate_corners(corners, chart, arr.shape)

    source = _photo_source(photo_rgb)
    samples = sample_patches(arr, pts, chart, names=ref.names, progress=progress,
                             cancelled=cancelled, source=source)
    usable = ~samples.rejected
    n_usable = int(usable.sum())
    rejected_text = "; ".join(f"{ref.names[i]}: {samples.reasons[i]}"
                              for i in np.flatnonzero(samples.rejected))
    feasible = [m for m in models if n_usable >= min_patches(m)]
    neutral = np.zeros(layout.n_patches, dtype=bool)
    neutral[list(NEUTRAL_PATCHES)] = True
    if np.count_nonzero(neutral & usable) < 4:
        feasible = [m for m in feasible if not m.startswith("curves+")]
    if not feasible:
        raise CalibrationError(
            f"Only {n_usable} of {layout.n_patches} chart patches are usable, too few for a "
            f"calibration ({rejected_text}). Retake the photo with the chart evenly lit and "
            "correctly exposed.")

    XYZ_ref = Lab_to_XYZ(ref.Lab)
    RGB_u, XYZ_u, Lab_u, neutral_u = (samples.RGB_lin[usable], XYZ_ref[usable], ref.Lab[usable],
                                      neutral[usable])
    skin_u = skin_like_patches(ref.Lab)[usable]
    # Stage 1: leave-one-out of every feasible model as plain least squares (fast). Stage 2: the
    # best few are polished in Lab, inside the leave-one-out too, and compared again.
    try:
        quick = _leave_one_out(feasible, RGB_u, XYZ_u, Lab_u, neutral_u, cancelled, refine=False)
        quick_means = {m: float(np.mean(v)) for m, v in quick.items()}
        quick_scores = {m: selection_score(v, skin_u) for m, v in quick.items()}
        finalists = sorted(quick_scores, key=quick_scores.get)[:FINALISTS]
        loo = _leave_one_out(finalists, RGB_u, XYZ_u, Lab_u, neutral_u, cancelled, refine=True,
                             progress=progress)
    except InterruptedError as exc:
        raise CalibrationError("Calibration was cancelled.") from exc
    loo_means = {m: float(np.mean(v)) for m, v in loo.items()}
    loo_scores = {m: selection_score(v, skin_u) for m, v in loo.items()}
    if not loo_means:
        raise CalibrationError(
            "The chart patches could not be fitted (their colours are degenerate): check that "
            "the four corners are on the dark skin, bluish green, black and white patches.")
    best = min(loo_scores.values())
    # Simplest model within the margin of the best (CANDIDATES is ordered simplest first).
    chosen = next(m for m in feasible if m in loo_scores
                  and loo_scores[m] <= best + COMPLEXITY_MARGIN)
    candidates = {m: loo_means.get(m, quick_means[m]) for m in quick_means}
    skin_of = {**quick, **loo}
    candidates_skin = ({m: float(np.mean(skin_of[m][skin_u])) for m in quick_means}
                       if skin_u.any() else {})
    fitted = fit_model(chosen, RGB_u, XYZ_u, neutral_u)

    Lab_all = XYZ_to_Lab(fitted(samples.RGB_lin))
    dE_all = delta_E_CIE2000(Lab_all, ref.Lab)
    loo_chosen = np.full(layout.n_patches, np.nan)
    loo_chosen[usable] = loo[chosen]
    patches = []
    for i, name in enumerate(ref.names):
        patches.append(PatchResult(
            name=name,
            residual_delta_e=None if samples.rejected[i] else float(dE_all[i]),
            rejected=bool(samples.rejected[i]), reason=samples.reasons[i],
            leave_one_out_delta_e=None if samples.rejected[i] else float(loo_chosen[i]),
            measured_Lab=[float(v) for v in Lab_all[i]],
            reference_Lab=[float(v) for v in ref.Lab[i]]))
    residuals = dE_all[usable]
    mean_dE, max_dE = float(residuals.mean()), float(residuals.max())

    warnings: list[str] = []
    if samples.rejected.any():
        warnings.append(f"{int(samples.rejected.sum())} chart patch(es) left out of the fit — "
                        f"{rejected_text}.")
    warnings.extend(note for note in samples.notes if note)
    if mean_dE > MEAN_DELTA_E_WARNING:
        worst = ref.names[int(np.nanargmax(np.where(usable, dE_all, np.nan)))]
        warnings.append(
            f"The calibration fits the chart poorly (mean residual {mean_dE:.1f} dE00, worst "
            f"{worst} at {max_dE:.1f}): check that the outlined squares sit on the patches, that the chart "
            "is evenly lit without glare, and that the right chart edition is selected.")
    elif max_dE > SINGLE_PATCH_WARNING:
        worst = ref.names[int(np.nanargmax(np.where(usable, dE_all, np.nan)))]
        warnings.append(
            f"The {worst} patch is far from its reference after calibration ({max_dE:.1f} "
            "dE00): check that its square sits inside the patch (drag the nearest corner) and "
            "that the patch is clean and free of glare.")
    if progress is not None:
        progress(1.0, "Calibration done")
    return Calibration(
        chart=chart, reference=ref.label, reference_key=ref.key, model=chosen,
        mean_delta_e=mean_dE, max_delta_e=max_dE, transform=fitted,
        leave_one_out_mean_delta_e=loo_means[chosen],
        skin_leave_one_out_mean_delta_e=(float(np.mean(loo[chosen][skin_u])) if skin_u.any()
                                         else None),
        skin_patches=[n for n, s in zip(ref.names, skin_like_patches(ref.Lab), strict=True)
                      if s],
        candidates_skin=candidates_skin, patches=patches,
        corners=[(float(x), float(y)) for x, y in pts], source_photo_sha256=sha,
        warnings=warnings, candidates=candidates,
        sampled_from="sRGB" if source is None else f"source: {source.description or 'ICC'}")
