"""One analysis: a photo's regions measured and a palette ranked against the hair.

:func:`compose_analysis` is the one builder of the analysis record: from the measured samples it
ranks the palette (healed in the client's skin, or on card when asked), makes the session plan and
the guardrails and adds the calibration's warnings. :func:`analyse` (the CLI, the report) measures
and then calls it; the desktop application's ``Workspace`` measures live and calls it too, so a
record is the same whichever front end saved it. The record's types are in
:mod:`shadematch.analysis_record` (``Analysis.to_dict`` is docs/ANALYSIS_FORMAT.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shadematch import plan as plans
from shadematch.analysis_record import (
    CONDITIONS,
    FORMAT,
    FORMAT_VERSION,
    Analysis,
    Appearance,
    Guardrail,
    Matching,
    PaletteInfo,
    PhotoInfo,
    Picks,
    Plan,
    RankingEntry,
)
from shadematch.calibration import exposure_warning
from shadematch.color.region_statistics import DOT_CLASSES, Sample, sample_region
from shadematch.errors import AppearanceError, RegionError, SampleError, ShadematchError
from shadematch.imaging.regions import REGION_CLASSES, Region, combined_box_mask
from shadematch.matching import formula_label, lightness_weight_for, normalise_formula, rank_healed

__all__ = ["AREAS", "CONDITIONS", "FORMAT", "FORMAT_VERSION", "Analysis", "RankingSettings",
           "analyse", "compose_analysis", "measure_regions"]

AREAS = ("scalp", "scar")


def measure_regions(photo_rgb: np.ndarray, regions: Sequence[Region], calibration=None,
                    quick: bool = False, progress: Callable | None = None,
                    cancelled: Callable[[], bool] | None = None, *,
                    pixels_per_mm: float | None = None, photo_info: dict | None = None
                    ) -> tuple[dict[str, Sample], dict[str, str]]:
    """Measure every region class present in ``regions``.

    Parameters
    ----------
    photo_rgb : a :class:`shadematch.imaging.photo.Photo` (its ``source`` pixels, kept for
        wide-gamut profiles, are then measured without clipping to sRGB) or its (H, W, 3)
        uint8/uint16 sRGB array.
    regions, calibration, quick, progress, cancelled : as for :func:`analyse`.
    pixels_per_mm : the photo's scale, when known: adds follicle density and dot size.
    photo_info : ``Photo.info()``: lets the hair sample warn about JPEG chroma subsampling and
        compression (see :func:`~shadematch.color.region_statistics.sample_region`).

    Skin is measured first: the hair region's scalp is recognised by looking like it.

    Returns
    -------
    samples : {class: Sample} for each class that could be measured.
    problems : {class: message} for each class whose regions could not be measured (a region
        outside the photo, too few usable pixels ...); the message says what to do.
    """
    # A Photo: measure from its source pixels when it keeps them (wide-gamut profiles).
    source = getattr(photo_rgb, "source", None)
    photo_rgb = getattr(photo_rgb, "rgb", photo_rgb)
    height, width = photo_rgb.shape[:2]
    samples: dict[str, Sample] = {}
    problems: dict[str, str] = {}
    classes = [c for c in REGION_CLASSES if any(r.region_class == c for r in regions)]
    order = sorted(classes, key=lambda c: c != "skin")
    for i, region_class in enumerate(order):
        if cancelled is not None and cancelled():
            break
        try:
            mask, box = combined_box_mask(regions, region_class, height, width)
            skin = samples.get("skin")
            samples[region_class] = sample_region(
                photo_rgb, mask, region_class, calibration=calibration, quick=quick, box=box,
                skin_Lab=skin.Lab if skin is not None and region_class in DOT_CLASSES else None,
                pixels_per_mm=pixels_per_mm, photo_info=photo_info, source=source)
        except (RegionError, SampleError) as exc:
            problems[region_class] = str(exc)
        if progress is not None:
            progress((i + 1) / len(classes), f"measured {region_class}")
    return ({c: samples[c] for c in classes if c in samples},
            {c: problems[c] for c in classes if c in problems})


@dataclass(frozen=True)
class RankingSettings:
    """The choices an analysis is ranked with (the CLI's options, the window's settings).

    Attributes
    ----------
    formula : delta-E formula ("ciede2000", "cie94", "cie76", "cmc" or an alias); ``params`` go
        to it.
    target : the class ranked against: "hair" (the client's stubble; the normal case), or with
        ``card_only`` also "skin" / "scar" (card swatches against that colour, as in format 1).
        Without ``card_only``, ``target="scar"`` means ``area="scar"`` with the hair as target.
    top : how many ranked entries to keep (None: all).
    card_only : rank card swatches instead of healed predictions (only on request; recorded in
        ``matching.basis`` and said in ``guardrails``).
    area : "scalp" (the skin sample is the skin) or "scar" (the scar sample is the skin; the plan
        adds a scar recipe). None: "scar" when ``target`` is "scar", else "scalp". With a scalp
        area and a scar sample too, the plan also gets a scar recipe.
    lightness_weight : > 1 weights chroma/hue less; None: from the hair sample (2 when it has the
        ``chroma_unreliable`` warning, else 1).
    fade_years : years for ``faded_lab`` (None: the model's default).
    plan_step_L : how much lighter (healed L*) the first session is (None: the plan's default).
    """

    formula: str = "ciede2000"
    params: Mapping[str, Any] = field(default_factory=dict)
    target: str = "hair"
    top: int | None = 10
    card_only: bool = False
    area: str | None = None
    lightness_weight: float | None = None
    fade_years: float | None = None
    plan_step_L: float | None = None


def compose_analysis(photo_info: Mapping[str, Any] | PhotoInfo, regions: Sequence[Region],
                     samples: Mapping[str, Sample], problems: Mapping[str, str], palette,
                     settings: RankingSettings | None = None, calibration=None, *,
                     picks: Picks | Mapping[str, Any] | None = None, notes: str = "",
                     created: str | None = None, saved: Analysis | None = None) -> Analysis:
    """The analysis record of measured samples: the ONE builder every front end calls.

    Ranks ``palette`` by how each pigment and dilution is predicted to look healed in the
    client's skin against the hair (or on card, when asked), makes the guardrails and the session
    plan, and records the calibration with its exposure warning.

    Parameters
    ----------
    photo_info : ``Photo.info()`` (or a saved ``photo`` block when the photo is gone).
    regions : the marked regions (pixel coordinates of the photo as displayed).
    samples, problems : as :func:`measure_regions` returns them.
    palette : shadematch.palettes.Palette, or None (no palette loaded: no ranking).
    settings : how to rank (:class:`RankingSettings`; default: healed, CIEDE2000, top 10).
    calibration : the shadematch.calibration.Calibration the samples were measured with, its
        ``to_dict()`` block, or None.
    picks, notes, created : the practitioner's picks and notes, the record's creation time.
    saved : a saved analysis whose ranking, plan and guardrails are kept when this one has no
        palette to rank with (a session reopened where its palette is not installed).

    Returns
    -------
    Analysis ; an empty ranking with ``matching.appearance.problem`` when the healed colour
    cannot be predicted (a skin the model cannot reproduce, a pigment without optics, a bad
    dilution) or nothing could be ranked; ``problems`` explains a class not measured.

    Raises
    ------
    ShadematchError
        An unknown target or area.
    """
    settings = settings or RankingSettings()
    formula = normalise_formula(settings.formula)
    params = dict(settings.params or {})
    target, card_only = settings.target, settings.card_only
    if target not in REGION_CLASSES:
        raise ShadematchError(f"unknown target {target!r}: use one of {', '.join(REGION_CLASSES)}")
    area = settings.area or ("scar" if target == "scar" else "scalp")
    if area not in AREAS:
        raise ShadematchError(f"unknown area {area!r}: use one of {', '.join(AREAS)}")
    if not card_only:
        target = "hair"
    samples, problems = dict(samples), dict(problems)
    ranking: list[RankingEntry] = []
    appearance = Appearance(basis="card" if card_only else "healed", area=area)
    guardrails: list[dict] = []
    plan = None
    skin_class = "scar" if area == "scar" else "skin"
    lightness_weight = settings.lightness_weight
    if lightness_weight is None:
        lightness_weight = lightness_weight_for(samples.get("hair"))
    if palette is None:
        appearance.problem = "no palette is loaded: choose a palette to rank the pigments"
    elif target in samples:
        try:
            scar_result = None
            if card_only:
                result = rank_healed(samples[target].Lab, palette, card_only=True,
                                     formula=formula, lightness_weight=lightness_weight,
                                     **params)
            elif skin_class not in samples:
                result = None
                appearance.problem = problems.get(skin_class) or (
                    f"no {skin_class} region is marked: mark one so the healed colour can be "
                    f"predicted in it, or rank on card colours only")
            else:
                result = rank_healed(
                    samples["hair"].Lab, palette, samples[skin_class].Lab, formula=formula,
                    lightness_weight=lightness_weight, years=settings.fade_years,
                    skin_name="scar tissue" if skin_class == "scar" else "skin", **params)
                if area == "scar":
                    scar_result = result
                elif "scar" in samples:
                    scar_result = rank_healed(
                        samples["hair"].Lab, palette, samples["scar"].Lab, formula=formula,
                        lightness_weight=lightness_weight, years=settings.fade_years,
                        skin_name="scar tissue", **params)
            if result is not None:
                top = settings.top
                shown = result.matches if top is None else result.matches[:max(top, 0)]
                ranking = [RankingEntry.from_dict(m.to_dict()) for m in shown]
                appearance = Appearance.from_dict({**result.info(), "area": area})
                guardrails = plans.ranking_guardrails(result)
                step = plans.DEFAULT_STEP_L if settings.plan_step_L is None else \
                    settings.plan_step_L
                made = plans.session_plan(result, scar_result, step)
                plan = None if made is None else Plan.from_dict(made)
        except AppearanceError as exc:
            appearance.problem = str(exc)
            ranking, plan, guardrails = [], None, []
    else:
        # ``problems`` is for regions that could not be measured; a class not marked at all is
        # why there is no ranking.
        appearance.problem = problems.get(target) or (
            f"no {target} region is marked: mark one to rank the palette against the {target} "
            f"colour")
    if ranking:
        guardrails = guardrails + plans.sample_guardrails(
            samples, ("hair", skin_class) if not card_only else (target,))
    matching = Matching(
        target=target, formula=formula, formula_label=formula_label(formula), params=params,
        palette=None if palette is None else PaletteInfo.from_dict(palette.info()),
        top=settings.top, basis=appearance.basis, area=area, appearance=appearance)
    analysis = Analysis(
        photo=photo_info if isinstance(photo_info, PhotoInfo) else
        PhotoInfo.from_dict(photo_info or {}),
        regions=list(regions), samples=samples, problems=problems,
        calibration=_calibration_record(calibration, samples), matching=matching,
        ranking=ranking, plan=plan, guardrails=[Guardrail.from_dict(g) for g in guardrails],
        picks=picks if isinstance(picks, Picks) else Picks.from_dict(picks or {}),
        notes=notes, palette=palette)
    if created:
        analysis.created = created
    if palette is None and saved is not None and saved.ranking:
        # Nothing to rank with: the saved ranking stands, with what it was made with.
        analysis.matching = saved.matching
        analysis.ranking, analysis.plan = list(saved.ranking), saved.plan
        analysis.guardrails = list(saved.guardrails)
    return analysis


def analyse(photo, regions: Sequence[Region], palette, formula: str = "ciede2000",
            target: str = "hair", top: int | None = 10, calibration=None,
            params: dict | None = None, quick: bool = False,
            progress: Callable | None = None,
            cancelled: Callable[[], bool] | None = None, *, card_only: bool = False,
            area: str | None = None, lightness_weight: float | None = None,
            fade_years: float | None = None, plan_step_L: float | None = None,
            pixels_per_mm: float | None = None) -> Analysis:
    """Measure ``regions`` of ``photo`` and rank ``palette`` by how each pigment and dilution is
    predicted to look healed in the client's skin, against the client's hair.

    Parameters
    ----------
    photo : shadematch.imaging.Photo
    regions : the marked regions (pixel coordinates of the photo as displayed).
    palette : shadematch.palettes.Palette
    formula, params, target, top, card_only, area, lightness_weight, fade_years, plan_step_L :
        how to rank, see :class:`RankingSettings`.
    calibration : optional shadematch.calibration.Calibration (or any object with
        ``linear_RGB_to_XYZ`` and ``to_dict``).
    quick, progress, cancelled : as for :func:`measure_regions`.
    pixels_per_mm : the photo's scale, when known: follicle density per cm2 and dot size in mm.

    Returns
    -------
    Analysis ; see :func:`compose_analysis` (which this calls after measuring).
    """
    settings = RankingSettings(formula=formula, params=dict(params or {}), target=target,
                               top=top, card_only=card_only, area=area,
                               lightness_weight=lightness_weight, fade_years=fade_years,
                               plan_step_L=plan_step_L)
    normalise_formula(formula)  # a bad formula fails before the photo is measured
    if target not in REGION_CLASSES:
        raise ShadematchError(f"unknown target {target!r}: use one of {', '.join(REGION_CLASSES)}")
    photo_info = photo.info()
    samples, problems = measure_regions(photo, regions, calibration=calibration, quick=quick,
                                        progress=progress, cancelled=cancelled,
                                        pixels_per_mm=pixels_per_mm, photo_info=photo_info)
    return compose_analysis(photo_info, regions, samples, problems, palette, settings,
                            calibration)


def _calibration_record(calibration, samples: Mapping[str, Sample]) -> dict | None:
    """The calibration block, with a warning when the chart was lit much darker or brighter than
    the measured regions (``exposure_warning``)."""
    if calibration is None:
        return None
    if isinstance(calibration, Mapping):
        return dict(calibration)  # a saved block: its warnings were made when it was measured
    record = calibration.to_dict()
    warnings = list(record.get("warnings", []))
    message = exposure_warning(calibration, [s.Lab for s in samples.values()])
    if message and message not in warnings:
        warnings.append(message)
    record["warnings"] = warnings
    return record
