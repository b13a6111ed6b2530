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
