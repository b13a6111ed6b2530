"""One analysis: a photo's regions measured and a palette ranked against one target.

``analyse`` runs the whole headless pipeline (the CLI, the report and the GUI's model use it);
``Analysis.to_dict`` is the JSON record described in docs/ANALYSIS_FORMAT.md.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from shadematch import __version__
from shadematch.color.descriptors import hair_skin_contrast
from shadematch.color.region_statistics import Sample, sample_region
from shadematch.errors import AppearanceError, RegionError, SampleError, ShadematchError
from shadematch.imaging.regions import REGION_CLASSES, Region, combined_box_mask
from shadematch.matching import formula_label, lightness_weight_for, normalise_formula

FORMAT = "shadematch-analysis"
# 2: the ranking is by predicted healed appearance in the client's skin (``delta_e`` is healed vs
# the hair), ranking items gain healed/fresh/faded/card Lab, the record gains ``plan`` and
# ``guardrails``. Version-1 records are read as card-based rankings (``matching.basis`` "card").
FORMAT_VERSION = 2
AREAS = ("scalp", "scar")
CONDITIONS = {"colour_space": "CIELAB", "illuminant": "D65", "observer": "2",
              "rgb_space": "sRGB (IEC 61966-2-1)"}


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
                skin_Lab=skin.Lab if skin is not None and region_class == "hair" else None,
                pixels_per_mm=pixels_per_mm, photo_info=photo_info, source=source)
        except (RegionError, SampleError) as exc:
            problems[region_class] = str(exc)
        if progress is not None:
            progress((i + 1) / len(classes), f"measured {region_class}")
    return ({c: samples[c] for c in classes if c in samples},
            {c: problems[c] for c in classes if c in problems})


@dataclass
class Analysis:
    """A photo's measurement and ranking, as stored and reported (see docs/ANALYSIS_FORMAT.md)."""

    photo: dict
    regions: list[Region] = field(default_factory=list)
    samples: dict[str, Sample] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    calibration: dict | None = None
    matching: dict = field(default_factory=dict)
    ranking: list[dict] = field(default_factory=list)
    picks: dict = field(default_factory=lambda: {"primary": None, "first_session": None})
    plan: dict | None = None
    guardrails: list[dict] = field(default_factory=list)
    notes: str = ""
    created: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc)
                         .isoformat(timespec="seconds"))
    app_version: str = __version__
    palette: object | None = field(default=None, repr=False, compare=False)  # not serialised

    # -- picks ---------------------------------------------------------------------------------
    def _entry_record(self, entry_id: str) -> dict:
        for item in self.ranking:
            if item["id"] == entry_id:
                return {"entry_id": item["id"], "name": item["name"],
                        "pigment_name": item.get("pigment_name"),
                        "dilution": item.get("dilution"), "water_parts": item.get("water_parts"),
                        "pigment_parts": item.get("pigment_parts"), "lab": item["lab"],
                        "delta_e": item.get("delta_e"), "healed_lab": item.get("healed_lab"),
                        "card_lab": item.get("card_lab", item["lab"])}
        if self.palette is not None:
            e = self.palette.entry(entry_id)
            return {"entry_id": e.id, "name": e.name, "pigment_name": e.pigment_name,
                    "dilution": e.dilution, "water_parts": e.water_parts,
                    "pigment_parts": e.pigment_parts, "lab": [float(v) for v in e.Lab],
                    "delta_e": None, "healed_lab": None, "card_lab": [float(v) for v in e.Lab]}
        raise ShadematchError(f"pigment {entry_id!r} is not in the ranking: choose one of the "
                              "ranked pigments (use --top to show more)")

    def set_pick(self, entry_id: str | None, which: str = "primary") -> None:
        """Record the chosen shade (``which="primary"``) or the lighter first-session shade."""
        if which not in ("primary", "first_session"):
            raise ValueError("which must be 'primary' or 'first_session'")
        self.picks[which] = None if entry_id is None else self._entry_record(entry_id)

    # -- serialisation -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        samples = {c: s.to_dict() for c, s in self.samples.items()}
        contrast = {}
        if "hair" in self.samples and "skin" in self.samples:
            contrast["hair_skin_dL"] = round(
                hair_skin_contrast(self.samples["hair"].Lab, self.samples["skin"].Lab), 3)
        return {
            "format": FORMAT, "format_version": FORMAT_VERSION, "app_version": self.app_version,
            "created": self.created, "photo": dict(self.photo), "conditions": dict(CONDITIONS),
            "calibration": self.calibration, "regions": [r.to_dict() for r in self.regions],
            "samples": samples, "problems": dict(self.problems), "contrast": contrast,
            "matching": dict(self.matching), "ranking": list(self.ranking),
            "picks": dict(self.picks), "plan": self.plan, "guardrails": list(self.guardrails),
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Analysis:
        """Read an analysis record back; raises ShadematchError when it is not one."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ShadematchError("this is not a shadematch analysis record")
        if int(data.get("format_version", 0)) > FORMAT_VERSION:
            raise ShadematchError(
                f"this analysis was written by a newer shadematch (format "
                f"{data.get('format_version')}); update shadematch to open it")
        matching = dict(data.get("matching", {}))
        if int(data.get("format_version", 1)) < 2:
            # upgrade step 1 -> 2: a version-1 ranking compared card swatches with the target
            matching.setdefault("basis", "card")
        try:
            return cls(
                photo=dict(data.get("photo", {})),
                regions=[Region.from_dict(r) for r in data.get("regions", [])],
                samples={c: Sample.from_dict(s) for c, s in data.get("samples", {}).items()},
                problems=dict(data.get("problems", {})),
                calibration=data.get("calibration"), matching=matching,
                ranking=list(data.get("ranking", [])),
                picks=dict(data.get("picks") or {"primary": None, "first_session": None}),
                plan=data.get("plan"), guardrails=list(data.get("guardrails") or []),
                notes=str(data.get("notes", "")), created=str(data.get("created", "")),
                app_version=str(data.get("app_version", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ShadematchError(f"the analysis record is damaged ({exc})") from exc


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
    formula : delta-E formula ("ciede2000", "cie94", "cie76", "cmc"); ``params`` go to it.
    target : the class ranked against: "hair" (the client's stubble; the normal case), or with
        ``card_only`` also "skin" / "scar" (card swatches against that colour, as in format 1).
        Without ``card_only``, ``target="scar"`` means ``area="scar"`` with the hair as target.
    top : how many ranked entries to keep (None: all).
    calibration : optional shadematch.calibration.Calibration (or any object with
        ``linear_RGB_to_XYZ`` and ``to_dict``).
    card_only : rank card swatches instead of healed predictions (only on request; recorded in
        ``matching.basis`` and said in ``guardrails``).
    area : "scalp" (the skin sample is the skin) or "scar" (the scar sample is the skin; the plan
        adds a scar recipe). Default: "scar" when ``target`` is "scar", else "scalp". With a
        scalp area and a scar sample too, the plan also gets a scar recipe.
    lightness_weight : > 1 weights chroma/hue less; default from the hair sample (2 when it has
        the ``chroma_unreliable`` warning, else 1).
    fade_years : years for ``faded_lab``; plan_step_L : first-session step (healed L*).
    pixels_per_mm : the photo's scale, when known: follicle density per cm2 and dot size in mm.

    Returns
    -------
    Analysis ; ``problems`` explains any class that could not be measured; an empty ranking
    with ``matching["appearance"]["problem"]`` when the healed colour cannot be predicted (a skin
    the model cannot reproduce, a pigment without optics, a bad dilution).
    """
    from shadematch import plan as plans
    from shadematch.matching import rank_healed

    formula = normalise_formula(formula)
    if target not in REGION_CLASSES:
        raise ShadematchError(f"unknown target {target!r}: use one of {', '.join(REGION_CLASSES)}")
    if area is None:
        area = "scar" if target == "scar" else "scalp"
    if area not in AREAS:
        raise ShadematchError(f"unknown area {area!r}: use one of {', '.join(AREAS)}")
    if not card_only:
        target = "hair"
    photo_info = photo.info()
    samples, problems = measure_regions(photo, regions, calibration=calibration, quick=quick,
                                        progress=progress, cancelled=cancelled,
                                        pixels_per_mm=pixels_per_mm, photo_info=photo_info)
    ranking: list[dict] = []
    appearance: dict = {"basis": "card" if card_only else "healed", "area": area}
    guardrails: list[dict] = []
    plan = None
    skin_class = "scar" if area == "scar" else "skin"
    if lightness_weight is None:
        lightness_weight = lightness_weight_for(samples.get("hair"))
    if target in samples:
        try:
            if card_only:
                result = rank_healed(samples[target].Lab, palette, card_only=True,
                                     formula=formula, lightness_weight=lightness_weight,
                                     **(params or {}))
                scar_result = None
            elif skin_class not in samples:
                result = None
                if skin_class not in problems:
                    problems[skin_class] = (
                        f"no {skin_class} region is marked: mark one so the healed colour can be "
                        f"predicted in it, or rank on card colours only")
                appearance["problem"] = problems[skin_class]
            else:
                result = rank_healed(
                    samples["hair"].Lab, palette, samples[skin_class].Lab, formula=formula,
                    lightness_weight=lightness_weight, years=fade_years,
                    skin_name="scar tissue" if skin_class == "scar" else "skin",
                    **(params or {}))
                scar_result = None
                if area == "scar":
                    scar_result = result
                elif "scar" in samples:
                    scar_result = rank_healed(
                        samples["hair"].Lab, palette, samples["scar"].Lab, formula=formula,
                        lightness_weight=lightness_weight, years=fade_years,
                        skin_name="scar tissue", **(params or {}))
            if result is not None:
                shown = result.matches if top is None else result.matches[:max(top, 0)]
                ranking = [m.to_dict() for m in shown]
                appearance.update(result.info())
                appearance["area"] = area
                guardrails = plans.ranking_guardrails(result)
                step = plans.DEFAULT_STEP_L if plan_step_L is None else plan_step_L
                plan = plans.session_plan(result, scar_result, step)
        except AppearanceError as exc:
            appearance["problem"] = str(exc)
            ranking, plan, guardrails = [], None, []
    elif target not in problems:
        problems[target] = (f"no {target} region is marked: mark one to rank the palette "
                            f"against the {target} colour")
    if ranking:
        guardrails = guardrails + plans.sample_guardrails(
            samples, ("hair", skin_class) if not card_only else (target,))
    calibration_record = None
    if calibration is not None:
        calibration_record = calibration.to_dict()
        calibration_record["warnings"] = list(calibration_record.get("warnings", [])) + \
            _calibration_exposure_warnings(calibration, samples)
    return Analysis(
        photo=photo_info, regions=list(regions), samples=samples, problems=problems,
        calibration=calibration_record,
        matching={"target": target, "formula": formula, "formula_label": formula_label(formula),
                  "params": dict(params or {}), "palette": palette.info(), "top": top,
                  "basis": appearance["basis"], "area": area, "appearance": appearance},
        ranking=ranking, picks={"primary": None, "first_session": None}, plan=plan,
        guardrails=guardrails, palette=palette)


def _calibration_exposure_warnings(calibration, samples: dict[str, Sample]) -> list[str]:
    """A warning when the chart was lit much darker or brighter than the measured regions."""
    try:
        from shadematch.calibration import exposure_warning
    except ImportError:  # a calibration-like object from elsewhere (tests)
        return []
    if not hasattr(calibration, "patches"):
        return []
    message = exposure_warning(calibration, [s.Lab for s in samples.values()])
    return [message] if message else []
