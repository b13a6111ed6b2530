"""Rank palette entries (pigments and their dilution steps) against a target colour. Pure, vectorised.

Sign convention: differences are pigment minus target, so "lighter" means the pigment is lighter
than the target. Bands for CIEDE2000 use the 50:50% thresholds of Paravina et al. (2015),
"Color difference thresholds in dentistry", J Esthet Restor Dent 27: perceptibility 0.8 and
acceptability 1.8 dE00.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shadematch.color.conversion import Lab_to_hex
from shadematch.color.delta_e import FORMULA_LABELS, delta_E, delta_E_components, normalise_formula

PERCEPTIBILITY_DE00 = 0.8
ACCEPTABILITY_DE00 = 1.8
# Differences smaller than these (CIELAB units) are not put into words.
DIRECTION_THRESHOLD = 1.0

BAND_TEXT = {
    "imperceptible": "below the perceptibility threshold (dE00 <= 0.8)",
    "acceptable": "perceptible but acceptable (dE00 <= 1.8)",
    "unacceptable": "beyond the acceptability threshold (dE00 > 1.8)",
}


def band_for(delta_e00: float) -> str:
    """The CIEDE2000 band of a difference: "imperceptible", "acceptable" or "unacceptable"."""
    if delta_e00 <= PERCEPTIBILITY_DE00:
        return "imperceptible"
    if delta_e00 <= ACCEPTABILITY_DE00:
        return "acceptable"
    return "unacceptable"


def direction_words(dL: float, dC: float, da: float, db: float,
                    threshold: float = DIRECTION_THRESHOLD) -> tuple[str, ...]:
    """Words for how the pigment differs from the target, largest difference first.

    "lighter"/"darker" from dL*, "more saturated"/"less saturated" from dC*, "warmer"/"cooler"
    from a warmth axis (toward yellow-red: db* + 0.5 da*), which is how practitioners speak of
    brown-black pigments and ash or golden hair.
    """
    warmth = db + 0.5 * da
    candidates = [
        (abs(dL), "lighter" if dL > 0 else "darker"),
        (abs(warmth), "warmer" if warmth > 0 else "cooler"),
        (abs(dC), "more saturated" if dC > 0 else "less saturated"),
    ]
    return tuple(word for size, word in sorted(candidates, key=lambda c: -c[0])
                 if size >= threshold)


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked palette entry."""

    rank: int
    entry: object          # a shadematch.palettes.PaletteEntry
    delta_E: float
    dL: float
    dC: float
    dH: float
    direction: tuple[str, ...]
    band: str | None       # CIEDE2000 band, None for other formulas

    def to_dict(self) -> dict:
        """One item of ``ranking`` in the analysis record."""
        e = self.entry
        hex_colour, in_gamut = Lab_to_hex(e.Lab)
        return {
            "rank": self.rank, "id": e.id, "pigment_id": e.pigment_id, "name": e.name,
            "pigment_name": e.pigment_name, "line": e.line, "undertone": e.undertone,
            "dilution": e.dilution, "water_parts": e.water_parts,
            "pigment_parts": e.pigment_parts,
            "lab": [round(float(v), 3) for v in e.Lab], "srgb_hex": hex_colour,
            "in_gamut": in_gamut, "delta_e": round(self.delta_E, 4),
            "dL": round(self.dL, 3), "dC": round(self.dC, 3), "dH": round(self.dH, 3),
            "direction": list(self.direction), "band": self.band,
        }


@dataclass(frozen=True)
class RankArrays:
    """The vectorised ranking: ``order`` sorts the entries best first."""

    order: np.ndarray
    delta_E: np.ndarray
    dL: np.ndarray
    dC: np.ndarray
    dH: np.ndarray
    da: np.ndarray
    db: np.ndarray


def rank_arrays(target_Lab, Lab_array: np.ndarray, formula: str = "ciede2000",
                top: int | None = None, **params) -> RankArrays:
    """Delta-E and components of every row of ``Lab_array`` against ``target_Lab``, and the order.

    ``target_Lab`` is the reference for the asymmetric formulas (CIE94, CMC). Ties keep file order.
    With ``top``, ``order`` holds only the best ``top`` entries (found by partial sorting).
    """
    target = np.asarray(target_Lab, dtype=np.float64).reshape(3)
    if not np.all(np.isfinite(target)):
        raise ValueError("the target colour is not a finite Lab value")
    Labs = np.asarray(Lab_array, dtype=np.float64).reshape(-1, 3)
    dE = delta_E(target, Labs, normalise_formula(formula), **params)
    dL, dC, dH = delta_E_components(target, Labs)
    if top is not None and 0 <= top < len(dE):
        # partial sort, then a stable sort of the candidates (ties beyond the cut included)
        cut = np.partition(dE, top)[top] if top > 0 else -np.inf
        candidates = np.flatnonzero(dE <= cut)
        order = candidates[np.argsort(dE[candidates], kind="stable")][:top]
    else:
        order = np.argsort(dE, kind="stable")
    return RankArrays(order, dE, dL, dC, dH, Labs[:, 1] - target[1], Labs[:, 2] - target[2])


def rank(target_Lab, palette, formula: str = "ciede2000", top: int | None = None,
         **params) -> list[Match]:
    """Rank every entry of ``palette`` (every pigment and dilution step) by delta-E to the target.

    Parameters
    ----------
    target_Lab : (3,) Lab of the target (hair, skin or scar sample), D65 / 2 degree.
    palette : a Palette (uses ``entries`` and ``Lab_array()``) or a sequence of PaletteEntry.
    formula : "ciede2000" (default), "cie94", "cie76" or "cmc"; ``params`` go to the formula.
    top : how many to return (None: all).

    Returns
    -------
    list of Match, best first.
    """
    entries: Sequence = palette.entries if hasattr(palette, "entries") else list(palette)
    if hasattr(palette, "Lab_array"):
        Labs = palette.Lab_array()
    else:
        Labs = np.array([e.Lab for e in entries], dtype=np.float64).reshape(-1, 3)
    if len(entries) == 0:
        return []
    formula = normalise_formula(formula)
    top = None if top is None else max(int(top), 0)
    r = rank_arrays(target_Lab, Labs, formula, top=top, **params)
    chosen = r.order
    is_de00 = formula == "ciede2000"
    matches = []
    for position, i in enumerate(chosen.tolist(), start=1):
        dE = float(r.delta_E[i])
        matches.append(Match(
            rank=position, entry=entries[i], delta_E=dE, dL=float(r.dL[i]), dC=float(r.dC[i]),
            dH=float(r.dH[i]),
            direction=direction_words(float(r.dL[i]), float(r.dC[i]), float(r.da[i]),
                                      float(r.db[i])),
            band=band_for(dE) if is_de00 else None))
    return matches


def formula_label(formula: str) -> str:
    """Display name of a formula, e.g. "CIEDE2000"."""
    return FORMULA_LABELS[normalise_formula(formula)]


def first_session_suggestion(palette, entry_id: str, steps: int = 1):
    """The same pigment ``steps`` dilution steps lighter than ``entry_id`` (the first session goes
    lighter), or None when the pigment has no lighter step."""
    lighter = palette.lighter_steps(entry_id)
    if not lighter:
        return None
    return lighter[min(max(steps, 1), len(lighter)) - 1]


# --- ranking by healed appearance ----------------------------------------------------------------
# SMP bands (CIEDE2000, healed prediction vs the client's stubble). A dot under 1 mm is seen at
# conversational distance (about 1 m) among hairs, where differences of 2-3 dE00 vanish; the
# model's own uncertainty is of the same order (docs/APPEARANCE.md). ASSUMPTIONS, to be revised
# against practitioners' healed results.
SMP_MATCH_DE00 = 3.0
SMP_CLOSE_DE00 = 6.0
# A component difference below DIRECTION_THRESHOLD is not said; up to this it is "slightly".
NOTICEABLE_THRESHOLD = 3.0
SMP_BANDS = ("matches", "close", "visible difference")
SMP_BAND_TEXT = {
    "matches": "matches when healed (dE00 <= 3: not told apart at conversational distance)",
    "close": "close when healed (dE00 <= 6: a small difference; see the direction)",
    "visible difference": "a visible difference when healed (dE00 > 6; see the direction)",
}
# A hair sample with this warning code has an unreliable chroma (stubble on skin): weight
# chroma and hue this much less than lightness.
CHROMA_UNRELIABLE_CODE = "chroma_unreliable"
CHROMA_UNRELIABLE_WEIGHT = 2.0


def smp_band(delta_e00: float) -> str:
    """The SMP band of a healed difference: "matches", "close" or "visible difference"."""
    if delta_e00 <= SMP_MATCH_DE00:
        return "matches"
    if delta_e00 <= SMP_CLOSE_DE00:
        return "close"
    return "visible difference"


def smp_direction_words(dL: float, dC: float, da: float, db: float,
                        threshold: float = DIRECTION_THRESHOLD,
                        noticeable: float = NOTICEABLE_THRESHOLD) -> tuple[str, ...]:
    """:func:`direction_words` with "slightly" / "noticeably" (e.g. "slightly lighter",
    "noticeably cooler"), largest difference first."""
    warmth = db + 0.5 * da
    sizes = {"lighter": abs(dL), "darker": abs(dL), "warmer": abs(warmth),
             "cooler": abs(warmth), "more saturated": abs(dC), "less saturated": abs(dC)}
    out = []
    for word in direction_words(dL, dC, da, db, threshold):
        out.append(("noticeably " if sizes[word] > noticeable else "slightly ") + word)
    return tuple(out)


def lightness_weight_for(sample) -> float:
    """How much less chroma and hue count than lightness for this hair sample: 2 when it carries
    the ``chroma_unreliable`` warning, else 1."""
    codes = {w.get("code") for w in getattr(sample, "warnings", []) or []}
    return CHROMA_UNRELIABLE_WEIGHT if CHROMA_UNRELIABLE_CODE in codes else 1.0


@dataclass(frozen=True, slots=True)
class HealedMatch:
    """One ranked entry by predicted healed appearance (or by card colour with ``basis="card"``).

    ``delta_E`` and the components compare ``healed_Lab`` (``card_Lab`` when basis is "card")
    with the target; ``band`` is the SMP band from CIEDE2000 whatever the ranking formula.
    """

    rank: int
    entry: object
    delta_E: float
    dL: float
    dC: float
    dH: float
    direction: tuple[str, ...]
    band: str
    basis: str
    card_Lab: tuple[float, float, float]
    healed_Lab: tuple[float, float, float] | None
    fresh_Lab: tuple[float, float, float] | None
    faded_Lab: tuple[float, float, float] | None
    flags: tuple[str, ...] = ()

    @property
    def Lab(self) -> tuple[float, float, float]:
        """The colour that was ranked."""
        return self.healed_Lab if self.basis == "healed" else self.card_Lab

    def to_dict(self) -> dict:
        """One item of ``ranking`` in the analysis record (docs/ANALYSIS_FORMAT.md)."""
        e = self.entry

        def lab(v):
            return None if v is None else [round(float(x), 3) for x in v]

        hex_colour, in_gamut = Lab_to_hex(self.Lab)
        card_hex, _ = Lab_to_hex(self.card_Lab)
        out = {
            "rank": self.rank, "id": e.id, "pigment_id": e.pigment_id, "name": e.name,
            "pigment_name": e.pigment_name, "line": e.line, "undertone": e.undertone,
            "dilution": e.dilution, "water_parts": e.water_parts,
            "pigment_parts": e.pigment_parts,
            "lab": lab(self.Lab), "srgb_hex": hex_colour, "in_gamut": in_gamut,
            "basis": self.basis, "healed_lab": lab(self.healed_Lab),
            "fresh_lab": lab(self.fresh_Lab), "faded_lab": lab(self.faded_Lab),
            "card_lab": lab(self.card_Lab), "card_srgb_hex": card_hex,
            "delta_e": round(self.delta_E, 4),
            "dL": round(self.dL, 3), "dC": round(self.dC, 3), "dH": round(self.dH, 3),
            "direction": list(self.direction), "band": self.band, "flags": list(self.flags),
        }
        for state in ("healed", "fresh", "faded"):
            value = getattr(self, f"{state}_Lab")
            out[f"{state}_srgb_hex"] = None if value is None else Lab_to_hex(value)[0]
        return out


@dataclass(frozen=True)
class HealedRanking:
    """The result of :func:`rank_healed`: ``matches`` best first, and what they rest on.

    ``predicted`` holds every entry's healed/fresh/faded Lab (a
    :class:`shadematch.appearance.Prediction`, None on card only), in palette order, so that a
    session plan can look beyond the ``top`` shown.
    """

    matches: list[HealedMatch]
    basis: str
    target_Lab: tuple[float, float, float]
    skin: object | None             # shadematch.appearance.SkinParameters
    predicted: object | None
    entries: tuple
    formula: str
    lightness_weight: float
    years: float

    def info(self) -> dict:
        """The ``matching.appearance`` block of the analysis record."""
        from shadematch.appearance import predict, skin

        out = {"basis": self.basis, "target_lab": [round(v, 3) for v in self.target_Lab],
               "lightness_weight": self.lightness_weight, "fade_years": self.years,
               "bands": {"matches_max_de00": SMP_MATCH_DE00, "close_max_de00": SMP_CLOSE_DE00}}
        if self.skin is not None:
            model = getattr(self.predicted, "model", None) or predict.SHIPPED
            above = model.dermis_above_ink_cm
            out["skin_fit"] = self.skin.to_dict()
            out["model"] = {
                "name": "layered Kubelka-Munk, docs/APPEARANCE.md",
                "parameters": model.name, "parameters_version": model.version,
                "epidermis_um": round(skin.EPIDERMIS_CM * 1e4, 1),
                "ink_depth_um": [round((skin.EPIDERMIS_CM + above) * 1e4, 1),
                                 round((skin.EPIDERMIS_CM + above + skin.INK_LAYER_CM) * 1e4, 1)],
                "neat_ink_mua_550_per_cm": model.neat_ink_mua_550,
                "fresh_factor": model.fresh_factor, "fade_per_year": model.fade_per_year}
            if model.pigment_strength:
                out["model"]["pigment_strength"] = dict(model.pigment_strength)
        return out


def _weighted_delta_E(target, Labs, formula, lightness_weight, params):
    if lightness_weight == 1.0:
        return delta_E(target, Labs, formula, **params)
    if formula == "ciede2000":
        weighted = {"kC": lightness_weight, "kH": lightness_weight, **params}
        return delta_E(target, Labs, formula, **weighted)
    # other formulas: compress a*, b* of both colours (an approximation, docs/ANALYSIS_FORMAT.md)
    scale = np.array([1.0, 1.0 / lightness_weight, 1.0 / lightness_weight])
    return delta_E(target * scale, Labs * scale, formula, **params)


def rank_healed(target_Lab, palette, skin_Lab=None, *, skin=None, formula: str = "ciede2000",
                top: int | None = None, lightness_weight: float = 1.0, years: float | None = None,
                card_only: bool = False, skin_name: str = "skin", model=None,
                **params) -> HealedRanking:
    """Rank every pigment and dilution by how it is predicted to look healed in this skin.

    Parameters
    ----------
    target_Lab : (3,) Lab of the client's hair/stubble (D65, 2 degree, L* 0..100).
    palette : a Palette or a sequence of PaletteEntry (with ``optics``).
    skin_Lab : (3,) measured Lab of the skin the pigment goes into (scalp skin, or scar tissue
        for a scar); fitted with :func:`shadematch.appearance.fit_skin`. Or pass ``skin``, an
        already fitted :class:`~shadematch.appearance.SkinParameters` (faster when live).
    formula, params : the delta-E formula, as for :func:`rank`.
    top : how many to return (None: all).
    lightness_weight : > 1 weights chroma and hue less than lightness (see
        :func:`lightness_weight_for`).
    years : fade time for ``faded_Lab`` (default :data:`~shadematch.appearance.predict.DEFAULT_FADE_YEARS`).
    card_only : rank the card swatches instead (only when asked; ``basis`` says so).
    skin_name : how messages name the skin ("skin", "scar tissue").
    model : the appearance model parameters (:class:`~shadematch.appearance.ModelParameters`;
        default the shipped assumptions, or the clinic's fitted model).

    Returns
    -------
    HealedRanking

    Raises
    ------
    AppearanceError
        When the skin cannot be fitted, a pigment has no optics, a dilution is 0 or negative, or
        a value is not a number (each message names it).
    """
    from shadematch.appearance import fit_skin, predict
    from shadematch.errors import AppearanceError

    entries = tuple(palette.entries if hasattr(palette, "entries") else palette)
    target = np.asarray(target_Lab, dtype=np.float64).reshape(-1)
    if target.shape != (3,) or not np.all(np.isfinite(target)):
        raise AppearanceError(f"the hair colour {list(np.ravel(target_Lab))} is not a finite Lab "
                              f"value: re-measure the hair region")
    if not (np.isfinite(lightness_weight) and lightness_weight > 0):
        raise AppearanceError(f"the lightness weight {lightness_weight} must be a number > 0")
    formula = normalise_formula(formula)
    years = predict.DEFAULT_FADE_YEARS if years is None else float(years)
    card = np.array([e.Lab for e in entries], dtype=np.float64).reshape(-1, 3)
    predicted = None
    if card_only:
        Labs, basis = card, "card"
    else:
        if skin is None:
            if skin_Lab is None:
                raise AppearanceError("no skin colour to predict the healed colour in: mark a "
                                      "skin region, or rank on card colours only")
            skin = fit_skin(skin_Lab, what=skin_name)
        predicted = predict.predict_palette(skin, entries, years, model)
        Labs, basis = predicted.healed, "healed"
    if len(entries) == 0:
        return HealedRanking([], basis, tuple(target), skin, predicted, entries, formula,
                             lightness_weight, years)
    dE = _weighted_delta_E(target, Labs, formula, lightness_weight, params)
    dE00 = dE if formula == "ciede2000" and lightness_weight == 1.0 and not params else \
        delta_E(target, Labs, "ciede2000")
    dL, dC, dH = delta_E_components(target, Labs)
    da, db = Labs[:, 1] - target[1], Labs[:, 2] - target[2]
    order = np.argsort(dE, kind="stable")
    if top is not None:
        order = order[:max(int(top), 0)]
    from shadematch.plan import entry_flags

    matches = []
    for position, i in enumerate(order.tolist(), start=1):
        def row(array, i=i):
            return None if array is None else tuple(float(v) for v in array[i])

        matches.append(HealedMatch(
            rank=position, entry=entries[i], delta_E=float(dE[i]), dL=float(dL[i]),
            dC=float(dC[i]), dH=float(dH[i]),
            direction=smp_direction_words(float(dL[i]), float(dC[i]), float(da[i]),
                                          float(db[i])),
            band=smp_band(float(dE00[i])), basis=basis, card_Lab=tuple(float(v) for v in card[i]),
            healed_Lab=row(None if predicted is None else predicted.healed),
            fresh_Lab=row(None if predicted is None else predicted.fresh),
            faded_Lab=row(None if predicted is None else predicted.faded),
            flags=entry_flags(target, Labs[i])))
    return HealedRanking(matches, basis, tuple(float(v) for v in target), skin, predicted,
                         entries, formula, lightness_weight, years)
