"""A consultation preview: the client's photo with SMP drawn in the shade being discussed.

:func:`render_preview` draws a :class:`~shadematch.preview.design.TreatmentDesign` into a photo
for one pigment and dilution at one stage (fresh, healed, faded) and one session (the first,
lighter and sparser, or the final plan), in the client's fitted skin.
:func:`preview_photo` does the whole job from marked hair and skin regions: measure, fit the
skin, rank the palette by healed appearance, choose the shade (the best, or the one asked for;
the plan's lighter first-session shade for session 1) and render.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from shadematch.errors import AppearanceError, PreviewError
from shadematch.preview.design import STAGES, TreatmentDesign
from shadematch.preview.dot_layout import DotLayout, lay_out_dots
from shadematch.preview.render import Tint, draw_dots, tint_for

SESSIONS = ("final", "1")
# ASSUMPTION (docs/APPEARANCE.md, "Consultation preview"): the first session places about 60 %
# of the final density, sessions 2-3 fill in; it uses the plan's one-step-lighter shade.
FIRST_SESSION_DENSITY = 0.6


@dataclass(frozen=True)
class Preview:
    """A rendered preview: the photo ``rgb`` with the dots, what was drawn and why."""

    rgb: np.ndarray
    layout: DotLayout
    design: TreatmentDesign
    stage: str
    session: str
    entry: object                       # the PaletteEntry drawn
    tint: Tint
    pixels_per_mm: float
    years: float
    notes: tuple[str, ...] = field(default=())
    icc: bytes | None = None            # the profile ``rgb`` is encoded in; None: sRGB

    def info(self) -> dict:
        """What the preview shows, for ``--json`` and the session record."""
        e = self.entry
        return {"stage": self.stage, "session": self.session, "fade_years": self.years,
                "entry_id": e.id, "name": e.name, "pigment_name": e.pigment_name,
                "dilution": e.dilution,
                "dot_lab": [round(v, 3) for v in self.tint.dot_Lab],
                "skin_model_lab": [round(v, 3) for v in self.tint.skin_Lab],
                "pixels_per_mm": round(self.pixels_per_mm, 4),
                "design": self.design.to_dict(),
                "dots": self.layout.count,
                "expected_dots": round(self.layout.expected_count, 1), "area_cm2": round(self.layout.area_cm2, 2),
                "density_per_cm2": {
                    "asked": round(self.design.density_per_cm2 *
                                   (FIRST_SESSION_DENSITY if self.session == "1" else 1.0), 2),
                    "inner": (None if self.layout.inner_density_per_cm2 is None
                              else round(self.layout.inner_density_per_cm2, 2)),
                    "mean": round(self.layout.mean_density_per_cm2, 2)},
                "notes": list(self.notes)}


def _area_mask(design: TreatmentDesign, height: int, width: int):
    from shadematch.errors import RegionError
    from shadematch.imaging.regions import combined_box_mask

    try:
        mask, box = combined_box_mask(design.area, "skin", height, width)
    except RegionError as exc:
        raise PreviewError(f"the treatment area: {exc}") from None
    if not mask.any():
        raise PreviewError("the treatment area covers no pixels of the photo: draw it on the "
                           "scalp")
    return mask, box


def render_preview(rgb: np.ndarray, design: TreatmentDesign, pixels_per_mm: float, skin,
                   entry, stage: str = "healed", session: str = "final",
                   years: float | None = None,
                   cancelled: Callable[[], bool] | None = None, *,
                   photo_shape: tuple[int, int] | None = None, model=None,
                   source=None) -> Preview:
    """Draw ``design`` into ``rgb`` (H, W, 3 sRGB, uint8/uint16) for palette ``entry`` in the
    fitted ``skin`` (:class:`~shadematch.appearance.SkinParameters`).

    For a quick preview while editing, pass the photo reduced for display as ``rgb`` and the full
    photo's (height, width) as ``photo_shape``: the dots are laid out on the full photo (the
    same dots as the full render) and drawn scaled into the reduced one.

    Parameters
    ----------
    pixels_per_mm : the photo's scale (a chart or a line over a known length).
    stage : "fresh" (first days), "healed" (4-6 weeks) or "faded" (after ``years``).
    session : "final" (the full plan) or "1" (first session: FIRST_SESSION_DENSITY of the
        density; pass the lighter first-session entry).
    model : the appearance model parameters (default the shipped ones; a clinic's fitted model).
    source : a wide-gamut photo's :class:`~shadematch.imaging.measurement_source.SourcePixels`:
        ``rgb`` is then ``source.oriented()``, drawn and returned in the photo's own profile
        (``Preview.icc``). Full renders only.

    Raises
    ------
    PreviewError
        No scale, an area outside the photo, an unknown stage or session; AppearanceError is
        turned into a PreviewError naming the pigment.
    """
    from shadematch.appearance import predict

    if stage not in STAGES:
        raise PreviewError(f"unknown stage {stage!r}: use one of {', '.join(STAGES)}")
    if session not in SESSIONS:
        raise PreviewError(f"unknown session {session!r}: use 'final' or '1'")
    if pixels_per_mm is None or not np.isfinite(pixels_per_mm) or pixels_per_mm <= 0:
        raise PreviewError("the photo has no scale: give the pixels per mm, or draw a line over a "
                           "known length (a ruler on the scalp), so density and dot size can be "
                           "drawn")
    years = predict.DEFAULT_FADE_YEARS if years is None else float(years)
    rgb = np.asarray(rgb)
    height, width = rgb.shape[:2] if photo_shape is None else photo_shape
    reduction = rgb.shape[1] / width
    mask, box = _area_mask(design, height, width)
    try:
        lab = predict.predict_Lab(skin, predict.ink_absorption([entry], model), years, model)
    except AppearanceError as exc:
        raise PreviewError(str(exc)) from None
    dot_Lab = {"healed": lab.healed, "fresh": lab.fresh, "faded": lab.faded}[stage][0]
    tint = tint_for(dot_Lab, lab.skin_Lab)
    factor = FIRST_SESSION_DENSITY if session == "1" else 1.0
    layout = lay_out_dots(mask, box, pixels_per_mm, design.density_per_cm2, design.dot_mm,
                          design.feather_mm, design.size_variation, design.seed,
                          density_factor=factor)
    notes = []
    dot_px = design.dot_mm * pixels_per_mm
    if dot_px < 2.0:
        notes.append(f"the dots are only {dot_px:.1f} pixels across at this photo's scale: the "
                     f"preview shows their tone, not their shape (take a closer photo)")
    if source is not None and photo_shape is not None:
        raise PreviewError("a quick (reduced) preview is drawn in sRGB: pass no source")
    if photo_shape is None:
        out = draw_dots(rgb, layout, mask, box, tint, cancelled, source)
    else:
        out = _draw_reduced(rgb, layout, mask, box, tint, reduction, cancelled)
    return Preview(rgb=out, layout=layout, design=design, stage=stage, session=session,
                   entry=entry, tint=tint, pixels_per_mm=float(pixels_per_mm), years=years,
                   notes=tuple(notes), icc=None if source is None else source.icc)


def _draw_reduced(rgb, layout: DotLayout, mask, box, tint: Tint, reduction: float, cancelled):
    """Draw the full photo's ``layout`` into ``rgb``, the photo reduced by ``reduction``."""
    r0, r1, c0, c1 = box
    h, w = rgb.shape[:2]
    small_box = (int(np.floor(r0 * reduction)), min(int(np.ceil(r1 * reduction)), h),
                 int(np.floor(c0 * reduction)), min(int(np.ceil(c1 * reduction)), w))
    sr0, sr1, sc0, sc1 = small_box
    # the area's mask at the reduced pixels' centres
    rows = np.clip(((np.arange(sr0, sr1) + 0.5) / reduction).astype(int) - r0, 0, r1 - r0 - 1)
    cols = np.clip(((np.arange(sc0, sc1) + 0.5) / reduction).astype(int) - c0, 0, c1 - c0 - 1)
    small_mask = mask[np.ix_(rows, cols)]
    scaled = DotLayout(x=layout.x * reduction, y=layout.y * reduction,
                       radius=layout.radius * reduction, area_cm2=layout.area_cm2,
                       inner_density_per_cm2=layout.inner_density_per_cm2,
                       mean_density_per_cm2=layout.mean_density_per_cm2,
                       expected_count=layout.expected_count)
    return draw_dots(rgb, scaled, small_mask, small_box, tint, cancelled)


@dataclass(frozen=True)
class ShadeChoice:
    """The shade a preview draws, and the ranking it came from."""

    entry: object
    skin: object            # SkinParameters
    ranking: object         # shadematch.matching.HealedRanking
    plan: dict | None
    notes: tuple[str, ...] = ()


def choose_shade(samples: dict, palette, shade: str | None = None, session: str = "final",
                 area: str = "scalp", model=None) -> ShadeChoice:
    """The palette entry to draw: ``shade`` (an entry id) or the best healed match; for session
    1, the plan's lighter first-session shade of it.

    ``samples`` are the measured hair and skin (or scar, with ``area="scar"``) samples.
    """
    from shadematch import plan as plans
    from shadematch.matching import lightness_weight_for, rank_healed

    skin_class = "scar" if area == "scar" else "skin"
    if "hair" not in samples:
        raise PreviewError("no hair sample: mark a hair region (the client's stubble), so the "
                           "shade can be matched to it")
    if skin_class not in samples:
        raise PreviewError(f"no {skin_class} sample: mark a {skin_class} region, so the dots can "
                           f"be coloured as they will look in it")
    try:
        ranking = rank_healed(samples["hair"].Lab, palette, samples[skin_class].Lab,
                              lightness_weight=lightness_weight_for(samples["hair"]),
                              skin_name="scar tissue" if area == "scar" else "skin",
                              model=model)
    except AppearanceError as exc:
        raise PreviewError(str(exc)) from None
    plan = plans.session_plan(ranking)
    notes = []
    if shade is None:
        if not ranking.matches:
            raise PreviewError("the palette has no pigments to draw")
        entry = ranking.matches[0].entry
    else:
        found = [e for e in ranking.entries if e.id == shade]
        if not found:
            ids = ", ".join(e.id for e in ranking.entries[:6])
            raise PreviewError(f"shade {shade!r} is not in palette {palette.name!r}: use an entry "
                               f"id such as {ids} (`shadematch palettes show` lists them)")
        entry = found[0]
    if session == "1":
        # the plan's rule for the first session: the same pigment, one step lighter by
        # predicted healed L* than the shade chosen for the final plan
        chosen = [m for m in ranking.matches if m.entry.id == entry.id]
        first = plans.session_plan(dataclasses.replace(ranking, matches=chosen))
        first_id = first["first_session"]["entry_id"]
        entry = next(e for e in ranking.entries if e.id == first_id)
        notes.extend(first["notes"])
    return ShadeChoice(entry=entry, skin=ranking.skin, ranking=ranking, plan=plan,
                       notes=tuple(notes))


def density_from_hair(sample) -> float:
    """The client's own follicle density (per cm2) from a measured hair sample."""
    follicles = getattr(sample, "follicles", None)
    density = getattr(follicles, "density_per_cm2", None)
    if density is None or not np.isfinite(density) or density <= 0:
        raise PreviewError("the hair region gives no follicle density (it needs shaved stubble "
                           "dots and the photo's scale): give the density in dots per cm2")
    return float(density)


def preview_photo(photo, regions: Sequence, palette, design: TreatmentDesign,
                  pixels_per_mm: float, shade: str | None = None, stage: str = "healed",
                  session: str = "final", years: float | None = None, calibration=None,
                  area: str = "scalp",
                  cancelled: Callable[[], bool] | None = None) -> tuple[Preview, ShadeChoice]:
    """Measure the hair and skin ``regions`` of ``photo`` and render ``design`` in the chosen
    shade (see :func:`choose_shade` and :func:`render_preview`)."""
    from shadematch.analysis import measure_regions

    if pixels_per_mm is None or not np.isfinite(pixels_per_mm) or pixels_per_mm <= 0:
        raise PreviewError("the photo has no scale: give the pixels per mm, or draw a line over a "
                           "known length (a ruler on the scalp), so density and dot size can be "
                           "drawn")
    samples, problems = measure_regions(photo, regions, calibration=calibration,
                                        pixels_per_mm=pixels_per_mm, photo_info=photo.info())
    for cls in ("hair", "scar" if area == "scar" else "skin"):
        if cls in problems:
            raise PreviewError(f"the {cls} region: {problems[cls]}")
    choice = choose_shade(samples, palette, shade, session, area)
    # A wide-gamut photo is drawn in its own profile, so the preview keeps its colours.
    source = getattr(photo, "source", None)
    pixels = photo.rgb if source is None else source.oriented()
    preview = render_preview(pixels, design, pixels_per_mm, choice.skin, choice.entry,
                             stage, session, years, cancelled, source=source)
    if choice.notes:
        preview = Preview(**{**preview.__dict__, "notes": preview.notes + choice.notes})
    return preview, choice
