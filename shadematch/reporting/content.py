"""What the report says, section by section, as plain data: no PDF, no drawing.

:func:`report_content` reads an analysis record (docs/ANALYSIS_FORMAT.md, any format version) and
the practitioner's :class:`~shadematch.reporting.options.ReportOptions` and returns a
:class:`ReportContent`: every text, number and colour the pages show, in the words of
:mod:`shadematch.vocabulary`. :mod:`shadematch.reporting.layout` only draws it. A record damaged
in places (a missing or NaN colour, a missing number) still gives a report: the value is "–" or
the swatch says "no colour".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from shadematch import __version__
from shadematch.analysis_record import upgrade
from shadematch.errors import ReportError, ShadematchError
from shadematch.reporting.colours import lab_to_srgb
from shadematch.reporting.formatting import fmt_count, fmt_number, fmt_when, parse_dilution, recipe
from shadematch.reporting.options import ReportOptions
from shadematch.vocabulary import (
    AREA_LABELS,
    band_label,
    calibration_label,
    colour_state_label,
    region_label,
)

LabTuple = tuple[float, float, float]
PREDICTION_NOTE = ("Healed and fresh colours are predictions from a model of pigment seen through "
                   "the client's skin: a prediction, to be checked against your own healed "
                   "results.")
PLAIN_PLAN_INTRO = ("Your first session uses a slightly lighter shade; the next sessions build "
                    "density with the final shade.")
CARD_NOTE = ("Ranked on card swatches: a healed dot looks lighter and cooler than the pigment on "
             "card, and the client's skin played no part in this ranking.")


def valid_lab(lab: Any) -> LabTuple | None:
    """Three finite numbers, or None for a missing or damaged colour."""
    try:
        values = tuple(float(v) for v in lab)
    except (TypeError, ValueError):
        return None
    if len(values) != 3 or not all(np.isfinite(values)):
        return None
    return (values[0], values[1], values[2])


@dataclass(frozen=True)
class Swatch:
    """A colour patch: ``caption`` is printed under it, ``key`` names it in the placements."""

    caption: str
    Lab: LabTuple | None
    key: str


@dataclass
class ShadeCard:
    """A chosen shade: the pigment, its recipe and its colours beside the client's hair."""

    title: str
    strong: bool
    pigment: str
    dilution: str
    recipe: str
    swatches: list[Swatch]
    detail: str             # "ΔE 5.67 CIEDE2000, healed vs hair: close"
    words: str              # "noticeably lighter, slightly cooler" ("" when none)


@dataclass
class NoPick:
    title: str
    line: str               # "Best match: …" ("" without a ranking)


@dataclass
class Calibration:
    status: str
    warn: bool
    lines: list[str]
    warnings: list[str]


@dataclass
class SampleRow:
    region_class: str
    label: str
    Lab: LabTuple | None
    lab_text: str
    lch_text: str
    pixels_text: str
    detail_text: str
    warnings: list[str]


@dataclass
class Samples:
    title: str
    contrast: str
    problems: list[str]
    rows: list[SampleRow]
    empty: str


@dataclass
class PlanStep:
    title: str              # "Session 1", "Sessions 2–3", "Scar"
    shade: str              # pigment and dilution
    recipe: str
    purpose: str
    Lab: LabTuple | None    # healed (card when the plan is on card)
    key: str


@dataclass
class Plan:
    title: str
    intro: str
    steps: list[PlanStep]
    notes: list[str]
    plain_intro: str = PLAIN_PLAN_INTRO   # the client's copy: no numbers, no notes


@dataclass
class RankingRow:
    rank: str
    entry_id: str
    pigment: str
    sub: str                # line · undertone
    dilution: str
    recipe: str
    delta_e: str
    components: tuple[str, str, str]
    words: str
    band: str
    tag: str                # "CHOSEN", "1ST SESSION" or ""
    ranked: Swatch          # the colour ranked (healed, or card)
    card: Swatch | None     # the card swatch beside a healed one
    target: Swatch | None = None   # the client's hair, drawn touching the ranked colour


@dataclass
class Ranking:
    title: str
    intro: str
    basis: str
    target: Swatch | None
    columns: tuple[str, ...]
    rows: list[RankingRow]
    empty: str
    note: str               # the prediction (or card) note
    out_of_gamut: bool


@dataclass
class ReportContent:
    """Everything the report shows. Texts are final (vocabulary applied, numbers formatted)."""

    title: str
    subject: str
    author: str
    created: str
    client: str
    running_client: str
    practitioner: str
    clinic_name: str
    clinic_address: list[str]
    regions: list[dict[str, Any]]
    legend: list[tuple[str, str]]          # (region class, "Hair (1 region)")
    photo_line: str
    shades: list[ShadeCard]
    no_pick: NoPick | None
    calibration: Calibration
    plan: Plan | None
    guardrails: list[str]
    prediction_note: str
    samples: Samples
    ranking: Ranking
    notes: str
    details: list[tuple[str, str]]
    footer: list[str] = field(default_factory=list)


# -- reading the record tolerantly -----------------------------------------------------------------
def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _pigment_label(entry: dict[str, Any]) -> str:
    """The pigment's name for a place that shows the dilution beside it."""
    if entry.get("dilution") and entry.get("pigment_name"):
        return str(entry["pigment_name"])
    return str(entry.get("name") or entry.get("id") or entry.get("entry_id") or "")


def _recipe_of(entry: dict[str, Any]) -> str:
    water, pigment = entry.get("water_parts"), entry.get("pigment_parts")
    if water is None:
        water, pigment = parse_dilution(entry.get("dilution"))
    return recipe(water, pigment)


def _shade_name(entry: dict[str, Any]) -> str:
    dilution = entry.get("dilution")
    name = _pigment_label(entry)
    return f"{name} {dilution}" if dilution and entry.get("pigment_name") else name


class _Reader:
    def __init__(self, record: dict[str, Any], options: ReportOptions) -> None:
        self.a = record
        self.o = options
        self.matching = _dict(record.get("matching"))
        self.appearance = _dict(self.matching.get("appearance"))
        self.basis = str(self.matching.get("basis") or "card")
        self.healed = self.basis == "healed"
        self.formula_label = str(self.matching.get("formula_label")
                                 or self.matching.get("formula") or "")
        self.palette = _dict(self.matching.get("palette"))
        ranking = [e for e in _list(record.get("ranking")) if isinstance(e, dict)]
        top = options.top if options.top is not None else self.matching.get("top")
        if top is not None:
            ranking = ranking[: max(0, int(top))]
        self.all_ranking = [e for e in _list(record.get("ranking")) if isinstance(e, dict)]
        self.ranking = ranking
        self.picks = _dict(record.get("picks"))
        samples = _dict(record.get("samples"))
        hair = _dict(samples.get("hair"))
        self.hair_Lab = valid_lab(self.appearance.get("target_lab")) or valid_lab(hair.get("lab"))
        target = str(self.matching.get("target") or "hair")
        if not self.healed and target != "hair":
            self.target_Lab = valid_lab(_dict(samples.get(target)).get("lab"))
        else:
            self.target_Lab = self.hair_Lab
        self.target_word = "hair" if target == "hair" else region_label(target).lower()
        self.target_label = f"Client's {self.target_word}"
        self.years = self.appearance.get("fade_years")

    def entry_for(self, pick: dict[str, Any] | None) -> dict[str, Any] | None:
        if not pick:
            return None
        entry_id = pick.get("entry_id")
        for entry in self.all_ranking:
            if entry.get("id") == entry_id:
                return {**pick, **entry}
        # A shade of the plan beyond the ranked top: its healed colour is in the plan.
        plan = _dict(self.a.get("plan"))
        for shade in (plan.get("first_session"), plan.get("final"),
                      *(_dict(plan.get("scar")).get(k) for k in ("recipe", "final"))):
            shade = _dict(shade)
            if shade.get("entry_id") == entry_id and shade.get("healed_lab") is not None:
                return {"id": entry_id, **pick, "healed_lab": shade["healed_lab"],
                        "card_lab": shade.get("card_lab") or pick.get("card_lab")}
        # Not in the (possibly cut) ranking: describe it from the pick itself.
        return {"id": entry_id, **pick}

    def vs(self) -> str:
        """"healed vs hair", "card vs hair", "card vs scalp skin"."""
        return f"{'healed' if self.healed else 'card'} vs {self.target_word}"

    def swatches(self, entry: dict[str, Any], key: str) -> list[Swatch]:
        out = [Swatch(self.target_label, self.target_Lab, f"target:{key}")]
        if self.healed:
            out.append(Swatch(colour_state_label("healed"),
                              valid_lab(entry.get("healed_lab") or entry.get("lab")), key))
            if entry.get("fresh_lab") is not None:
                out.append(Swatch(colour_state_label("fresh"), valid_lab(entry["fresh_lab"]),
                                  f"fresh:{key}"))
            card = entry.get("card_lab")
            if card is not None:
                out.append(Swatch(colour_state_label("card"), valid_lab(card), f"card:{key}"))
        else:
            out.append(Swatch(colour_state_label("card"),
                              valid_lab(entry.get("card_lab") or entry.get("lab")), key))
        return out

    def detail(self, entry: dict[str, Any]) -> str:
        if entry.get("delta_e") is None:
            return "Not in the ranked list shown" if self.healed else ""
        text = f"ΔE {fmt_number(entry.get('delta_e'), 2)} {self.formula_label}, {self.vs()}"
        if entry.get("band"):
            text += f": {band_label(entry['band'])}"
        return text


# -- the sections ----------------------------------------------------------------------------------
def _shades(r: _Reader) -> tuple[list[ShadeCard], NoPick | None]:
    cards = []
    for which, title, strong in (("primary", "Chosen shade", True),
                                 ("first_session", "First session (lighter)", False)):
        entry = r.entry_for(r.picks.get(which))
        if entry is None:
            continue
        cards.append(ShadeCard(
            title=title, strong=strong, pigment=_pigment_label(entry),
            dilution=f"Dilution {entry.get('dilution') or '–'}", recipe=_recipe_of(entry),
            swatches=r.swatches(entry, f"pick:{title}"), detail=r.detail(entry),
            words=", ".join(str(w) for w in _list(entry.get("direction")))))
    if cards:
        return cards, None
    best = r.all_ranking[0] if r.all_ranking else None
    line = ""
    if best is not None:
        line = (f"Best match: {best.get('name', '')} (ΔE {fmt_number(best.get('delta_e'), 2)}"
                + (f", {band_label(best['band'])}" if best.get("band") else "") + ")")
    return [], NoPick("No shade chosen yet", line)


def _calibration(record: dict[str, Any]) -> Calibration:
    cal = record.get("calibration")
    if not isinstance(cal, dict) or not cal:
        return Calibration(
            "Not calibrated: colours are as the camera recorded them.", True,
            ["No colour chart was used, so lighting and camera settings affect the measured "
             "values."], [])
    lines = [f"Fit error: mean ΔE {fmt_number(cal.get('mean_delta_e'), 2)}, "
             f"max {fmt_number(cal.get('max_delta_e'), 2)}"]
    if cal.get("leave_one_out_mean_delta_e") is not None:
        lines.append(f"Cross-checked (leave-one-out) mean ΔE "
                     f"{fmt_number(cal.get('leave_one_out_mean_delta_e'), 2)}")
    rejected = [p for p in _list(cal.get("patches")) if isinstance(p, dict) and p.get("rejected")]
    if rejected:
        lines.append(f"{len(rejected)} patch{'es' if len(rejected) != 1 else ''} left out: "
                     + ", ".join(str(p.get("name")) for p in rejected))
    if cal.get("model"):
        lines.append(f"Model: {cal['model']}")
    if cal.get("reference"):
        lines.append(f"Reference: {cal['reference']}")
    if cal.get("reused"):
        lines.append("Fit reused from an earlier photo of the same session")
    warnings = [str(w) for w in _list(cal.get("warnings")) if w]
    return Calibration(calibration_label(cal.get("chart")), False, lines, warnings)


def _plan_step(title: str, shade: dict[str, Any], purpose: str, basis: str,
               key: str) -> PlanStep:
    Lab = valid_lab(shade.get("healed_lab") if basis == "healed" else shade.get("card_lab"))
    return PlanStep(title=title, shade=_shade_name(shade), recipe=_recipe_of(shade),
                    purpose=purpose, Lab=Lab, key=key)


def _plan(r: _Reader) -> Plan | None:
    plan = _dict(r.a.get("plan"))
    if not plan or not plan.get("final"):
        return None
    basis = str(plan.get("basis") or r.basis)
    step = plan.get("step_L")
    when = "when healed" if basis == "healed" else "on card"
    intro = (f"Start one step lighter (at least {fmt_number(step, 0)} L* lighter {when}), then "
             f"build density with the final shade. Swatches: the "
             f"{'predicted healed colour' if basis == 'healed' else 'card swatch'}.")
    sessions = [s for s in _list(plan.get("sessions")) if isinstance(s, dict)]
    first = _dict(plan.get("first_session")) or _dict(plan.get("final"))
    final = _dict(plan.get("final"))
    purposes = {int(s.get("number", 0) or 0): str(s.get("purpose") or "") for s in sessions}
    steps = [_plan_step("Session 1", first, purposes.get(1) or "first layer, one step lighter",
                        basis, "plan:first"),
             _plan_step("Sessions 2–3", final, "; ".join(
                 p for p in (purposes.get(2), purposes.get(3)) if p) or "build density",
                 basis, "plan:final")]
    notes = [str(n) for n in _list(plan.get("notes"))]
    scar = _dict(plan.get("scar"))
    if scar.get("recipe") or scar.get("final"):
        recipe_shade = _dict(scar.get("recipe")) or _dict(scar.get("final"))
        final_on_scar = _dict(scar.get("final"))
        purpose = "work the scar with this lighter recipe"
        if final_on_scar:
            purpose += f"; the final shade on the scar tissue is {_shade_name(final_on_scar)}"
        steps.append(_plan_step("Scar", recipe_shade, purpose, basis, "plan:scar"))
        notes += [str(n) for n in _list(scar.get("notes"))]
    return Plan("Session plan", intro, steps, notes)


def _samples(record: dict[str, Any]) -> Samples:
    samples = _dict(record.get("samples"))
    problems = _dict(record.get("problems"))
    contrast = ""
    dl = _dict(record.get("contrast")).get("hair_skin_dL")
    if dl is not None:
        try:
            dl = float(dl)
            contrast = (f"Hair is {fmt_number(abs(dl))} L* {'darker' if dl < 0 else 'lighter'} "
                        f"than the {region_label('skin').lower()}.")
        except (TypeError, ValueError):
            contrast = ""
    problem_lines = [f"{region_label(c)} not measured: {p}" for c, p in problems.items()
                     if c not in samples and p]
    rows = []
    order = ["hair", "skin", "scar", *[k for k in samples if k not in ("hair", "skin", "scar")]]
    for cls in order:
        s = samples.get(cls)
        if not isinstance(s, dict) or not s:
            continue
        lab = valid_lab(s.get("lab"))
        lch = valid_lab(s.get("lch"))
        L, a, b = lab or (None, None, None)
        Lc, C, h = lch or (None, None, None)
        px = _dict(s.get("pixels"))
        detail = f"{fmt_count(px.get('used'))} of {fmt_count(px.get('total'))} pixels used"
        extra = [f"{fmt_count(px[k])} {label}" for k, label in
                 (("clipped", "clipped"), ("trimmed", "outliers"),
                  ("other_cluster", "skin between hairs" if cls == "hair" else "other colour"))
                 if px.get(k)]
        if extra:
            detail += " (left out: " + ", ".join(extra) + ")"
        spread = _dict(s.get("spread"))
        bits = []
        if spread.get("median_delta_e") is not None:
            bits.append(f"spread: median ΔE00 to the centre {fmt_number(spread['median_delta_e'])}")
        sd = _list(spread.get("std_Lab"))
        if len(sd) == 3:
            bits.append(f"SD L*a*b* {fmt_number(sd[0])} / {fmt_number(sd[1])} / "
                        f"{fmt_number(sd[2])}")
        if s.get("ita") is not None:
            bits.append(f"ITA {fmt_number(s['ita'])}° ({s.get('ita_class', '–')})")
        if not s.get("in_gamut", True) or (lab is not None and not lab_to_srgb(lab)[1]):
            bits.append("outside sRGB: swatch clipped")
        warnings = [str(w.get("message") or w.get("code")) for w in _list(s.get("warnings"))
                    if isinstance(w, dict)]
        rows.append(SampleRow(
            region_class=cls, label=region_label(cls), Lab=lab,
            lab_text=f"L* {fmt_number(L)}   a* {fmt_number(a)}   b* {fmt_number(b)}",
            lch_text=f"L* {fmt_number(Lc)}   C* {fmt_number(C)}   h {fmt_number(h, 0)}°",
            pixels_text=detail, detail_text=";  ".join(bits), warnings=warnings))
    empty = "No regions were measured." if not samples and not problems else ""
    return Samples("Measured colours", contrast, problem_lines, rows, empty)


def _ranking(r: _Reader) -> Ranking:
    area = AREA_LABELS.get(str(r.matching.get("area") or "scalp"), "scalp")
    target = str(r.matching.get("target") or "hair")
    if r.healed:
        title = "Ranked pigment matches, healed, for the client's hair"
        intro = (f"Each pigment and dilution as it is predicted to look healed (about 4–6 weeks "
                 f"after a session) in the client's {area}, compared with the client's hair. "
                 f"ΔE formula: {r.formula_label}.")
        columns = ("#", "Healed\nby the hair", "Card", "Pigment", "Dilution\n(water : pigment)",
                   f"ΔE\n{r.formula_label}", "dL* dC* dH*", "Healed, it is…", "Band")
        note = PREDICTION_NOTE
    else:
        title = f"Ranked pigment matches for the {region_label(target).lower()} colour"
        intro = (f"Card swatches compared with the client's {region_label(target).lower()}. "
                 f"ΔE formula: {r.formula_label}.")
        columns = ("#", "Card\nby the hair", "", "Pigment", "Dilution\n(water : pigment)",
                   f"ΔE\n{r.formula_label}", "dL* dC* dH*", "Pigment is…", "Band")
        note = CARD_NOTE
    pal = r.palette
    intro += (f"  Palette: {pal.get('name', '–')}"
              f"{' v' + str(pal['version']) if pal.get('version') else ''}.  "
              "Smaller ΔE is closer; dL*, dC*, dH* are pigment minus target.")
    primary = _dict(r.picks.get("primary")).get("entry_id")
    first = _dict(r.picks.get("first_session")).get("entry_id")
    rows = []
    out_of_gamut = False
    for e in r.ranking:
        ranked_Lab = valid_lab(e.get("lab"))
        if ranked_Lab is not None and not lab_to_srgb(ranked_Lab)[1]:
            out_of_gamut = True
        card = None
        if r.healed:
            card = Swatch(colour_state_label("card"), valid_lab(e.get("card_lab")),
                          f"card:rank:{e.get('id')}")
        rows.append(RankingRow(
            rank=str(e.get("rank", "")), entry_id=str(e.get("id")), pigment=_pigment_label(e),
            sub=" · ".join(str(v) for v in (e.get("line"), e.get("undertone")) if v),
            dilution=str(e.get("dilution") or "–"), recipe=_recipe_of(e),
            delta_e=fmt_number(e.get("delta_e"), 2),
            components=(fmt_number(e.get("dL"), 1, True), fmt_number(e.get("dC"), 1, True),
                        fmt_number(e.get("dH"), 1, True)),
            words=", ".join(str(w) for w in _list(e.get("direction"))) or "–",
            band=band_label(e.get("band")),
            tag="CHOSEN" if e.get("id") == primary else ("1ST SESSION" if e.get("id") == first
                                                         else ""),
            ranked=Swatch(colour_state_label("healed" if r.healed else "card"), ranked_Lab,
                          f"rank:{e.get('id')}"),
            card=card,
            target=None if r.target_Lab is None else
            Swatch(r.target_label, r.target_Lab, f"target:rank:{e.get('id')}")))
    problem = r.appearance.get("problem") or _dict(r.a.get("problems")).get(target, "")
    empty = "" if rows else ("No palette was matched" + (f": {problem}" if problem else "."))
    target_swatch = Swatch(r.target_label, r.target_Lab, "target:ranking") \
        if r.target_Lab is not None else None
    return Ranking(title, intro, r.basis, target_swatch, columns, rows, empty, note,
                   out_of_gamut)


def _details(r: _Reader) -> list[tuple[str, str]]:
    photo = _dict(r.a.get("photo"))
    cond = _dict(r.a.get("conditions"))
    pal = r.palette
    rows = [
        ("Photo", f"{photo.get('name', '–')} ({photo.get('format', '?')}, "
                  f"{photo.get('bit_depth', '?')}-bit, {photo.get('width', '?')} × "
                  f"{photo.get('height', '?')} px)"),
        ("Photo SHA-256", str(photo.get("sha256") or "–")),
        ("Colour profile", str(photo.get("source_profile") or "–")
         + (" (no profile in the file: sRGB assumed)" if photo.get("profile_assumed") else "")),
        ("Colour space", f"{cond.get('colour_space', 'CIELAB')}, illuminant "
                         f"{cond.get('illuminant', 'D65')}, {cond.get('observer', '2')}° "
                         f"observer, from {cond.get('rgb_space', 'sRGB')}"),
        ("Matching", f"target: {r.matching.get('target', '–')}; formula: "
                     f"{r.formula_label or '–'}"
         + (f" {r.matching['params']}" if r.matching.get("params") else "")),
    ]
    if r.healed:
        fit = _dict(r.appearance.get("skin_fit"))
        area = AREA_LABELS.get(str(r.matching.get("area") or "scalp"), "scalp")
        line = f"predicted healed colour in the client's {area}"
        if fit:
            line += (f"; skin model within {fmt_number(fit.get('fit_delta_e'), 2)} ΔE00 of the "
                     f"measured skin (melanin {fmt_number(100 * _num(fit, 'melanin_fraction'))} %"
                     f", blood {fmt_number(100 * _num(fit, 'blood_fraction'), 2)} %)")
        if r.years is not None:
            line += f"; faded colours after {fmt_number(r.years, 0)} years"
        rows.append(("Ranking basis", line))
        bands = _dict(r.appearance.get("bands"))
        if bands:
            rows.append(("Bands", f"matches up to ΔE00 {fmt_number(bands.get('matches_max_de00'))}"
                                  f", close up to {fmt_number(bands.get('close_max_de00'))}, "
                                  "a visible difference beyond"))
    else:
        rows.append(("Ranking basis", "card swatches (not the healed colour)"))
    rows += [
        ("Palette", f"{pal.get('name', '–')} version {pal.get('version', '–')}, hash "
                    f"{pal.get('hash', '–')} ({pal.get('source', '–')})"),
        ("Analysed", f"{fmt_when(r.a.get('created'))} with shadematch "
                     f"{r.a.get('app_version', '–')}"),
        ("Report made", f"{fmt_when(datetime.now(timezone.utc).isoformat())} with shadematch "
                        f"{__version__}"),
    ]
    return rows


def _sentence(message: str) -> str:
    """A message as a sentence: capital first letter, full stop."""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message[-1] in ".!?" else message + "."


def _num(block: dict[str, Any], key: str) -> float:
    try:
        return float(block.get(key))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _footer(r: _Reader) -> list[str]:
    parts = [f"shadematch {r.a.get('app_version') or __version__}"]
    pal = r.palette
    if pal:
        name = pal.get("name") or "palette"
        version = pal.get("version")
        short = str(pal.get("hash") or "")[:8]
        parts.append(f"Palette: {name}" + (f" v{version}" if version else "")
                     + (f" ({short})" if short else ""))
    if r.formula_label:
        parts.append(f"ΔE: {r.formula_label}")
    return parts


def report_content(analysis: dict[str, Any], options: ReportOptions | None = None
                   ) -> ReportContent:
    """The report's content for an analysis record (any format version) and the options.

    Raises
    ------
    ReportError
        ``analysis`` is not an analysis record (or from a newer shadematch).
    """
    if not isinstance(analysis, dict):
        raise ReportError("the report needs an analysis record (a dict, see "
                          "docs/ANALYSIS_FORMAT.md): measure the photo first")
    if analysis.get("format") not in (None, "shadematch-analysis"):
        raise ReportError(f"this is not a shadematch analysis (format {analysis.get('format')!r})"
                          ": open a .shadematch session or measure the photo again")
    try:
        record = upgrade({**analysis, "format": "shadematch-analysis"})
    except ShadematchError as exc:
        raise ReportError(str(exc)) from exc
    o = options or ReportOptions()
    r = _Reader(record, o)
    client = o.client_name.strip()
    shades, no_pick = _shades(r)
    counts: dict[str, int] = {}
    regions = [g for g in _list(record.get("regions")) if isinstance(g, dict)]
    for region in regions:
        cls = str(region.get("class", "?"))
        counts[cls] = counts.get(cls, 0) + 1
    legend = [(cls, f"{region_label(cls)} ({n} region{'s' if n != 1 else ''})")
              for cls, n in counts.items()]
    photo = _dict(record.get("photo"))
    photo_line = str(photo.get("name") or "photo")
    if photo.get("width") and photo.get("height"):
        photo_line += f", {photo['width']} × {photo['height']} px"
    guardrails = [_sentence(str(g.get("message") or g.get("code")))
                  for g in _list(record.get("guardrails"))
                  if isinstance(g, dict) and g.get("code") != "card_only"]
    ranked = bool(r.ranking)
    return ReportContent(
        title="SMP shade report" + (f" – {client}" if client else ""),
        subject=(f"Pigment shade match ({r.formula_label or 'delta-E'}) for "
                 f"{client or 'a client'}, palette {r.palette.get('name', '–')}"),
        author=o.practitioner.strip() or o.clinic_name.strip() or "shadematch",
        created=fmt_when(record.get("created")),
        client=client or "(client not named)", running_client=client or "Client not named",
        practitioner=o.practitioner.strip() or "–", clinic_name=o.clinic_name,
        clinic_address=[line.strip() for line in (o.clinic_address or "").splitlines()
                        if line.strip()],
        regions=regions, legend=legend, photo_line=photo_line,
        shades=shades, no_pick=no_pick, calibration=_calibration(record), plan=_plan(r),
        guardrails=guardrails,
        prediction_note=(PREDICTION_NOTE if r.healed else CARD_NOTE) if ranked else "",
        samples=_samples(record), ranking=_ranking(r),
        notes=str(record.get("notes") or "").strip(), details=_visit_rows(o) + _details(r),
        footer=_footer(r))


def _visit_rows(o: ReportOptions) -> list[tuple[str, str]]:
    """The visit (kind and session number) and the pigment batch, when known."""
    rows = []
    if o.visit.strip():
        rows.append(("Visit", o.visit.strip()))
    if o.batch.strip():
        rows.append(("Pigment batch", o.batch.strip()))
    return rows
