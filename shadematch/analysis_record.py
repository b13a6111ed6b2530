"""The analysis record as typed dataclasses: what is stored for years, read back and reported.

One :class:`Analysis` is one photo, its regions, the samples measured in them, the calibration,
the ranking of a palette against the hair, the session plan, the guardrails, the practitioner's
picks and notes. ``Analysis.to_dict()`` is the JSON of docs/ANALYSIS_FORMAT.md (session files,
client visits in SQLite, ``shadematch match --json``) and ``Analysis.from_dict()`` reads every
version of it: :func:`upgrade` brings an older record to the current format one step at a time
(:data:`UPGRADES`), so a record saved today still opens in years.

Blocks with an owner elsewhere keep their owner's type: ``regions`` are
:class:`~shadematch.imaging.regions.Region`, ``samples`` are
:class:`~shadematch.color.region_statistics.Sample`, ``calibration`` is the dict of
``Calibration.to_dict()`` (read back with ``Calibration.from_dict``). Keys a block does not know
(written by a newer shadematch of the same format) are kept in its ``extra`` and written back, so
reading and saving a record never drops anything.

Build a record with :func:`shadematch.analysis.compose_analysis` (the one builder the CLI and the
desktop application share), not by filling these classes by hand.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

from shadematch import __version__
from shadematch.color.descriptors import hair_skin_contrast
from shadematch.color.region_statistics import Sample
from shadematch.errors import ShadematchError
from shadematch.imaging.regions import Region

FORMAT = "shadematch-analysis"
# 1: ranking of card swatches against the target, dental bands.
# 2: the ranking is by predicted healed appearance in the client's skin (``delta_e`` is healed vs
#    the hair), ranking items gain healed/fresh/faded/card Lab, the record gains ``plan`` and
#    ``guardrails``; ``matching`` gains ``basis``, ``area``, ``appearance``.
# 3: a fourth region class, "healed" (healed SMP at a follow-up visit), measured as stubble is
#    (its sample has ``follicles``: dot coverage, count, density). Nothing else changed; a reader
#    of format 2 does not know the class, so it is told to update rather than fail on the region.
FORMAT_VERSION = 3
CONDITIONS = {"colour_space": "CIELAB", "illuminant": "D65", "observer": "2",
              "rgb_space": "sRGB (IEC 61966-2-1)"}

Lab = list[float]
B = TypeVar("B", bound="_Block")


def _lab(value: Any) -> Lab | None:
    """Three numbers as floats (L* 0..100, a*, b*), or None."""
    if value is None:
        return None
    values = [float(v) for v in value]
    if len(values) != 3:
        raise ValueError(f"a Lab colour has three numbers, not {len(values)}")
    L, a, b = values
    if not (-0.5 <= L <= 100.5 and -250 <= a <= 250 and -250 <= b <= 250):
        raise ValueError(f"{values} is not a CIELAB colour (L* 0..100, a* and b* within 250)")
    return values


@dataclass
class _Block:
    """A block of the record: named fields, nested blocks, and ``extra`` (unknown keys, kept).

    Subclasses declare ``_NESTED`` ({field: (block class, "one" | "list")}), ``_LABS`` (fields
    holding a Lab colour) and ``_OMIT_NONE`` (optional keys left out when None, as the writers
    of earlier versions left them out).
    """

    _NESTED: ClassVar[dict[str, tuple[type[_Block], str]]] = {}
    _LABS: ClassVar[tuple[str, ...]] = ()
    _OMIT_NONE: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def _names(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name != "extra"]

    @classmethod
    def from_dict(cls: type[B], data: Mapping[str, Any]) -> B:
        if not isinstance(data, Mapping):
            raise TypeError(f"{cls.__name__} must be a JSON object, not {type(data).__name__}")
        names = cls._names()
        kwargs: dict[str, Any] = {}
        for name in names:
            if name not in data:
                continue
            value = data[name]
            nested = cls._NESTED.get(name)
            if nested is not None and value is not None:
                block, kind = nested
                value = ([block.from_dict(v) for v in value] if kind == "list"
                         else block.from_dict(value))
            elif name in cls._LABS:
                value = _lab(value)
            else:
                value = copy.deepcopy(value)
            kwargs[name] = value
        extra = {k: copy.deepcopy(v) for k, v in data.items() if k not in names}
        return cls(**kwargs, extra=extra)  # type: ignore[call-arg]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self._names():
            value = getattr(self, name)
            if value is None and name in self._OMIT_NONE:
                continue
            if isinstance(value, _Block):
                value = value.to_dict()
            elif isinstance(value, list) and value and isinstance(value[0], _Block):
                value = [v.to_dict() for v in value]
            else:
                value = copy.deepcopy(value)
            out[name] = value
        extra: dict[str, Any] = getattr(self, "extra", {})
        out.update(copy.deepcopy(extra))
        return out


@dataclass
class PhotoInfo(_Block):
    """The ``photo`` block: which file was measured, as displayed, and its colour encoding."""

    path: str = ""
    name: str = ""
    sha256: str = ""
    width: int | None = None
    height: int | None = None
    format: str | None = None
    bit_depth: int | None = None
    source_profile: str | None = None
    profile_assumed: bool | None = None
    orientation_applied: int | None = None
    chroma_subsampling: str | None = None   # JPEG only
    jpeg_quality: int | None = None         # JPEG only (estimated)
    extra: dict[str, Any] = field(default_factory=dict)

    _OMIT_NONE = ("width", "height", "format", "bit_depth", "source_profile", "profile_assumed",
                  "orientation_applied", "chroma_subsampling", "jpeg_quality")


@dataclass
class PaletteInfo(_Block):
    """Which palette was ranked: name, version, short hash, where it came from."""

    name: str = ""
    version: str | None = None
    hash: str | None = None
    source: str | None = None
    file: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _OMIT_NONE = ("version", "hash", "source", "file")


@dataclass
class Appearance(_Block):
    """``matching.appearance``: what the healed ranking rests on (docs/APPEARANCE.md)."""

    basis: str = "healed"
    area: str = "scalp"
    target_lab: Lab | None = None
    lightness_weight: float | None = None
    fade_years: float | None = None
    bands: dict[str, float] | None = None
    skin_fit: dict[str, Any] | None = None
    model: dict[str, Any] | None = None
    problem: str | None = None          # only when no healed ranking could be made
    extra: dict[str, Any] = field(default_factory=dict)

    _LABS = ("target_lab",)
    _OMIT_NONE = ("target_lab", "lightness_weight", "fade_years", "bands", "skin_fit", "model",
                  "problem")


@dataclass
class Matching(_Block):
    """How the ranking was made: target, formula, palette, basis (healed or card), area."""

    target: str = "hair"
    formula: str = "ciede2000"
    formula_label: str = "CIEDE2000"
    params: dict[str, Any] = field(default_factory=dict)
    palette: PaletteInfo | None = None
    top: int | None = None
    basis: str = "healed"
    area: str = "scalp"
    appearance: Appearance | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _NESTED = {"palette": (PaletteInfo, "one"), "appearance": (Appearance, "one")}
    _OMIT_NONE = ("appearance",)

    @property
    def problem(self) -> str:
        """Why no healed ranking could be made ("" when it could)."""
        return (self.appearance.problem or "") if self.appearance is not None else ""


@dataclass
class RankingEntry(_Block):
    """One ranked pigment and dilution (best first). ``lab`` is the colour ranked: the healed
    prediction with basis "healed", the card swatch with basis "card"; ``delta_e`` and the
    components compare it with the target (pigment minus target)."""

    rank: int = 0
    id: str = ""
    pigment_id: str | None = None
    name: str = ""
    pigment_name: str | None = None
    line: str | None = None
    undertone: str | None = None
    dilution: str | None = None
    water_parts: float | None = None
    pigment_parts: float | None = None
    lab: Lab | None = None
    srgb_hex: str | None = None
    in_gamut: bool | None = None
    basis: str = "card"
    healed_lab: Lab | None = None
    fresh_lab: Lab | None = None
    faded_lab: Lab | None = None
    card_lab: Lab | None = None
    card_srgb_hex: str | None = None
    healed_srgb_hex: str | None = None
    fresh_srgb_hex: str | None = None
    faded_srgb_hex: str | None = None
    delta_e: float | None = None
    dL: float | None = None
    dC: float | None = None
    dH: float | None = None
    direction: list[str] = field(default_factory=list)
    band: str | None = None
    flags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    _LABS = ("lab", "healed_lab", "fresh_lab", "faded_lab", "card_lab")


@dataclass
class Pick(_Block):
    """A chosen shade (``picks.primary``) or the lighter first-session shade."""

    entry_id: str = ""
    name: str = ""
    pigment_name: str | None = None
    dilution: str | None = None
    water_parts: float | None = None
    pigment_parts: float | None = None
    lab: Lab | None = None
    delta_e: float | None = None
    healed_lab: Lab | None = None
    card_lab: Lab | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _LABS = ("lab", "healed_lab", "card_lab")


@dataclass
class Picks(_Block):
    primary: Pick | None = None
    first_session: Pick | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _NESTED = {"primary": (Pick, "one"), "first_session": (Pick, "one")}

    def get(self, which: str) -> Pick | None:
        if which not in ("primary", "first_session"):
            raise ValueError("which must be 'primary' or 'first_session'")
        return self.primary if which == "primary" else self.first_session


@dataclass
class PlanShade(_Block):
    """A shade of the session plan: the pigment, its dilution, its healed and card colours."""

    entry_id: str = ""
    name: str = ""
    pigment_name: str | None = None
    dilution: str | None = None
    water_parts: float | None = None
    pigment_parts: float | None = None
    healed_lab: Lab | None = None
    card_lab: Lab | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _LABS = ("healed_lab", "card_lab")


@dataclass
class PlanSession(_Block):
    number: int = 1
    entry_id: str = ""
    name: str = ""
    purpose: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ScarPlan(_Block):
    """The scar recipe: the final shade on the scar tissue and the lighter one to work it with."""

    final: PlanShade | None = None
    recipe: PlanShade | None = None
    skin_lab: Lab | None = None        # the scar tissue's measured Lab
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    _NESTED = {"final": (PlanShade, "one"), "recipe": (PlanShade, "one")}
    _LABS = ("skin_lab",)
    _OMIT_NONE = ("skin_lab",)


@dataclass
class Plan(_Block):
    """The session plan: a first session one step lighter, then the final shade for density."""

    step_L: float = 4.0
    basis: str = "healed"
    final: PlanShade | None = None
    first_session: PlanShade | None = None
    sessions: list[PlanSession] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scar: ScarPlan | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _NESTED = {"final": (PlanShade, "one"), "first_session": (PlanShade, "one"),
               "sessions": (PlanSession, "list"), "scar": (ScarPlan, "one")}


@dataclass
class Guardrail(_Block):
    """A warning about the ranking a practitioner can act on (codes in shadematch.plan)."""

    code: str = ""
    message: str = ""
    entry_id: str | None = None
    sample: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _OMIT_NONE = ("entry_id", "sample")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Analysis:
    """A photo's measurement and ranking, as stored and reported (docs/ANALYSIS_FORMAT.md)."""

    photo: PhotoInfo = field(default_factory=PhotoInfo)
    regions: list[Region] = field(default_factory=list)
    samples: dict[str, Sample] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    calibration: dict[str, Any] | None = None
    matching: Matching = field(default_factory=Matching)
    ranking: list[RankingEntry] = field(default_factory=list)
    picks: Picks = field(default_factory=Picks)
    plan: Plan | None = None
    guardrails: list[Guardrail] = field(default_factory=list)
    notes: str = ""
    # the consultation preview's treatment design (shadematch.preview.design_editor.PreviewState
    # .to_dict()): area, density, dot size, feather, scale, stage, session, shade; None if none
    treatment: dict[str, Any] | None = None
    created: str = field(default_factory=_now)
    app_version: str = __version__
    extra: dict[str, Any] = field(default_factory=dict)   # e.g. a session file's "session"
    palette: object | None = field(default=None, repr=False, compare=False)  # not serialised

    # -- picks ---------------------------------------------------------------------------------
    def entry(self, entry_id: str) -> RankingEntry | None:
        """The ranking entry with this id, or None."""
        return next((e for e in self.ranking if e.id == entry_id), None)

    def pick_for(self, entry_id: str) -> Pick:
        """The pick record of ``entry_id``: from the ranking, else from the palette.

        Raises
        ------
        ShadematchError
            The entry is neither ranked nor in the palette the analysis was made with.
        """
        item = self.entry(entry_id)
        if item is not None:
            return Pick(entry_id=item.id, name=item.name, pigment_name=item.pigment_name,
                        dilution=item.dilution, water_parts=item.water_parts,
                        pigment_parts=item.pigment_parts, lab=item.lab, delta_e=item.delta_e,
                        healed_lab=item.healed_lab,
                        card_lab=item.card_lab if item.card_lab is not None else item.lab)
        healed = None
        if self.plan is not None:  # a plan shade beyond the ranked top: its healed colour
            scar = self.plan.scar
            for shade in (self.plan.first_session, self.plan.final,
                          scar.recipe if scar else None, scar.final if scar else None):
                if shade is not None and shade.entry_id == entry_id:
                    healed = shade.healed_lab
        if self.palette is not None:
            e = self.palette.entry(entry_id)  # type: ignore[attr-defined]
            card = [float(v) for v in e.Lab]
            return Pick(entry_id=e.id, name=e.name, pigment_name=e.pigment_name,
                        dilution=e.dilution, water_parts=e.water_parts,
                        pigment_parts=e.pigment_parts, lab=card, delta_e=None,
                        healed_lab=None if healed is None else list(healed),
                        card_lab=list(card))
        raise ShadematchError(f"pigment {entry_id!r} is not in the ranking: choose one of the "
                              "ranked pigments (use --top to show more)")

    def set_pick(self, entry_id: str | None, which: str = "primary") -> None:
        """Record the chosen shade (``which="primary"``) or the lighter first-session shade."""
        if which not in ("primary", "first_session"):
            raise ValueError("which must be 'primary' or 'first_session'")
        setattr(self.picks, which, None if entry_id is None else self.pick_for(entry_id))

    # -- serialisation -------------------------------------------------------------------------
    def contrast(self) -> dict[str, float]:
        """``{"hair_skin_dL": L*(hair) - L*(skin)}`` when both were measured, else {}."""
        if "hair" in self.samples and "skin" in self.samples:
            return {"hair_skin_dL": round(float(hair_skin_contrast(
                self.samples["hair"].Lab, self.samples["skin"].Lab)), 3)}
        return {}

    def to_dict(self) -> dict[str, Any]:
        """The JSON record (docs/ANALYSIS_FORMAT.md)."""
        out: dict[str, Any] = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "app_version": self.app_version,
            "created": self.created, "photo": self.photo.to_dict(),
            "conditions": dict(CONDITIONS),
            "calibration": copy.deepcopy(self.calibration),
            "regions": [r.to_dict() for r in self.regions],
            "samples": {c: s.to_dict() for c, s in self.samples.items()},
            "problems": dict(self.problems), "contrast": self.contrast(),
            "matching": self.matching.to_dict(),
            "ranking": [e.to_dict() for e in self.ranking],
            "picks": self.picks.to_dict(),
            "plan": None if self.plan is None else self.plan.to_dict(),
            "guardrails": [g.to_dict() for g in self.guardrails],
            "notes": self.notes,
        }
        if self.treatment is not None:
            out["treatment"] = copy.deepcopy(self.treatment)
        for key, value in self.extra.items():
            out.setdefault(key, copy.deepcopy(value))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Analysis:
        """Read an analysis record of any format version (upgraded to the current one).

        Raises
        ------
        ShadematchError
            It is not an analysis record, it was written by a newer shadematch, or it is damaged
            (the message says which).
        """
        record = upgrade(data)
        known = {"format", "format_version", "app_version", "created", "photo", "conditions",
                 "calibration", "regions", "samples", "problems", "contrast", "matching",
                 "ranking", "picks", "plan", "guardrails", "notes", "treatment"}
        try:
            matching = record.get("matching") or {}
            return cls(
                photo=PhotoInfo.from_dict(record.get("photo") or {}),
                regions=[Region.from_dict(r) for r in record.get("regions") or []],
                samples={c: Sample.from_dict(s)
                         for c, s in (record.get("samples") or {}).items()},
                problems={str(k): str(v) for k, v in (record.get("problems") or {}).items()},
                calibration=copy.deepcopy(record.get("calibration")),
                matching=Matching.from_dict(matching),
                ranking=[RankingEntry.from_dict(e) for e in record.get("ranking") or []],
                picks=Picks.from_dict(record.get("picks") or {}),
                plan=None if not record.get("plan") else Plan.from_dict(record["plan"]),
                guardrails=[Guardrail.from_dict(g) for g in record.get("guardrails") or []],
                notes=str(record.get("notes") or ""),
                treatment=copy.deepcopy(record.get("treatment")) or None,
                created=str(record.get("created") or ""),
                app_version=str(record.get("app_version") or ""),
                extra={k: copy.deepcopy(v) for k, v in record.items() if k not in known})
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise ShadematchError(f"the analysis record is damaged ({exc}): open an earlier "
                                  "copy of the session or measure the photo again") from exc


# -- upgrades --------------------------------------------------------------------------------------
def _card_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A ranking item (or pick) that compared a card swatch: ``card_lab`` is its ``lab``."""
    entry = dict(entry)
    entry.setdefault("basis", "card")
    if entry.get("card_lab") is None and entry.get("lab") is not None:
        entry["card_lab"] = list(entry["lab"])
    if "card_srgb_hex" not in entry and entry.get("srgb_hex") is not None:
        entry["card_srgb_hex"] = entry["srgb_hex"]
    return entry


def _card_pick(pick: dict[str, Any] | None) -> dict[str, Any] | None:
    if not pick:
        return pick
    pick = dict(pick)
    if pick.get("card_lab") is None and pick.get("lab") is not None:
        pick["card_lab"] = list(pick["lab"])
    pick.setdefault("healed_lab", None)
    return pick


def _as_card_ranking(record: dict[str, Any]) -> dict[str, Any]:
    matching = dict(record.get("matching") or {})
    matching["basis"] = "card"
    matching.setdefault("area", "scalp")
    record["matching"] = matching
    record["ranking"] = [_card_entry(e) for e in record.get("ranking") or []]
    picks = dict(record.get("picks") or {})
    record["picks"] = {k: _card_pick(v) for k, v in picks.items()}
    record.setdefault("plan", None)
    record.setdefault("guardrails", [])
    return record


def _upgrade_1_to_2(record: dict[str, Any]) -> dict[str, Any]:
    """Format 1 compared card swatches with the target: its ranking is a card ranking (its
    dental ``band`` words are kept as written); no plan, no guardrails."""
    record = _as_card_ranking(record)
    record["format_version"] = 2
    return record


def _repair_2(record: dict[str, Any]) -> dict[str, Any]:
    """Format-2 records the desktop application wrote before it ranked by healed colour (no
    ``matching.basis``): their ranking compared card swatches, as in format 1."""
    if "basis" not in (record.get("matching") or {}):
        record = _as_card_ranking(record)
    return record


def _upgrade_2_to_3(record: dict[str, Any]) -> dict[str, Any]:
    """Format 3 only adds the "healed" region class: a format-2 record is already one."""
    record["format_version"] = 3
    return record


# UPGRADES[n] turns a format-n record into a format-(n + 1) one; REPAIRS[n] fixes what writers
# of format n left out. Both get a deep copy and return it.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _upgrade_1_to_2,
                                                                   2: _upgrade_2_to_3}
REPAIRS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {2: _repair_2}


def upgrade(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the record brought to :data:`FORMAT_VERSION`, one upgrade step at a time.

    Raises
    ------
    ShadematchError
        Not an analysis record, or one written by a newer shadematch.
    """
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise ShadematchError("this is not a shadematch analysis record: open a .shadematch "
                              "session or a record written by `shadematch match --json`")
    try:
        version = int(data.get("format_version", 1))
    except (TypeError, ValueError):
        raise ShadematchError(f"the analysis record has a damaged format_version "
                              f"({data.get('format_version')!r})") from None
    if version > FORMAT_VERSION:
        raise ShadematchError(
            f"this analysis was written by a newer shadematch (format {version}); update "
            f"shadematch to open it")
    record = copy.deepcopy(dict(data))
    while True:
        repair = REPAIRS.get(version)
        if repair is not None:
            record = repair(record)
        if version >= FORMAT_VERSION:
            break
        record = UPGRADES[version](record)
        version += 1
    record["format_version"] = FORMAT_VERSION
    return record

