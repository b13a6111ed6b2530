"""Guardrails and the session plan, from a ranking by healed appearance. Pure, Qt-free.

Guardrails are ``{"code", "message"}`` dicts a practitioner can act on (codes below); the plan is
the final shade, a lighter first-session shade, and what sessions 2-3 do, plus a scar recipe when
a scar is treated. Thresholds are ASSUMPTIONS (docs/APPEARANCE.md), parameters of the functions.
"""

from __future__ import annotations

import numpy as np

from shadematch.appearance.skin import FIT_TOLERANCE_DE00

# Healed predicted darker than the stubble by more than this (L*): the "helmet look" risk.
HELMET_DL = 2.0
# Healed predicted cooler than the hair by more than this on the warmth axis (b* + 0.5 a*).
COOL_WARMTH = 4.0
# The first session is one step lighter by predicted healed L*: at least this much.
DEFAULT_STEP_L = 4.0
# Sample warning codes that make a ranking unreliable (shadematch.color.region_statistics).
UNRELIABLE_CODES = ("too_small", "clipped", "spread", "little_hair", "exposure",
                    "chroma_unreliable")

FLAG_DARKER = "darker_than_stubble"
FLAG_COOLER = "cooler_than_hair"


def entry_flags(target_Lab, Lab, helmet_dL: float = HELMET_DL,
                cool_warmth: float = COOL_WARMTH) -> tuple[str, ...]:
    """Flags of one ranked colour against the hair: darker than the stubble, cooler than hair."""
    target = np.asarray(target_Lab, dtype=np.float64)
    Lab = np.asarray(Lab, dtype=np.float64)
    flags = []
    if Lab[0] < target[0] - helmet_dL:
        flags.append(FLAG_DARKER)
    warmth = (Lab[2] - target[2]) + 0.5 * (Lab[1] - target[1])
    if warmth < -cool_warmth:
        flags.append(FLAG_COOLER)
    return tuple(flags)


def ranking_guardrails(ranking) -> list[dict]:
    """Warnings about the best-ranked shade of a :class:`~shadematch.matching.HealedRanking`."""
    if not ranking.matches:
        return []
    best = ranking.matches[0]
    out = []
    what = "is predicted to heal" if ranking.basis == "healed" else "is, on card,"
    if FLAG_DARKER in best.flags:
        out.append({"code": "helmet_look", "entry_id": best.entry.id, "message": (
            f"{best.entry.name} {what} darker than the client's stubble (L* "
            f"{best.Lab[0]:.0f} vs {ranking.target_Lab[0]:.0f}): a 'helmet look' risk; start "
            f"lighter and build density over the sessions")})
    if FLAG_COOLER in best.flags:
        out.append({"code": "cooler_than_hair", "entry_id": best.entry.id, "message": (
            f"{best.entry.name} {what} visibly cooler (bluer) than the hair: "
            f"consider a warmer black or a warm corrector")})
    fit = getattr(ranking.skin, "fit_delta_e", None)
    if ranking.basis == "healed" and fit is not None and fit > FIT_TOLERANCE_DE00:
        out.append({"code": "skin_fit_approximate", "message": (
            f"the skin model comes only within {fit:.1f} dE00 of the measured skin (it fits "
            f"measured skin within {FIT_TOLERANCE_DE00:.0f}): the healed colours are less "
            f"certain; check the skin region and the lighting, or calibrate with a chart")})
    if ranking.basis == "card":
        out.append({"code": "card_only", "message": (
            "ranked on card colours only, as asked: healed dots look lighter and cooler than on "
            "card, and the skin plays no part in this ranking")})
    return out


def sample_guardrails(samples: dict, classes=("hair", "skin", "scar")) -> list[dict]:
    """A warning for each sample whose measurement is too unreliable to rank on with confidence."""
    out = []
    for region_class in classes:
        sample = samples.get(region_class)
        if sample is None:
            continue
        problems = [w for w in getattr(sample, "warnings", []) or []
                    if w.get("code") in UNRELIABLE_CODES]
        if problems:
            out.append({"code": "sample_unreliable", "sample": region_class, "message": (
                f"the {region_class} sample may be too unreliable to rank on: "
                + "; ".join(w.get("message", w.get("code", "")) for w in problems))})
    return out


def _entry_record(entry, healed, card) -> dict:
    return {"entry_id": entry.id, "name": entry.name, "pigment_name": entry.pigment_name,
            "dilution": entry.dilution, "water_parts": entry.water_parts,
            "pigment_parts": entry.pigment_parts,
            "healed_lab": None if healed is None else [round(float(v), 3) for v in healed],
            "card_lab": [round(float(v), 3) for v in card]}


def _lighter_step(ranking, final_index: int, step_L: float) -> int | None:
    """Palette index of the same pigment's entry whose healed (or card) L* is at least
    ``step_L`` lighter than the final shade's, the nearest such; None when there is none."""
    entries = ranking.entries
    Labs = ranking.predicted.healed if ranking.predicted is not None else \
        np.array([e.Lab for e in entries], dtype=np.float64)
    final = entries[final_index]
    wanted = Labs[final_index, 0] + step_L
    best = None
    for i, e in enumerate(entries):
        if e.pigment_id != final.pigment_id or Labs[i, 0] < wanted:
            continue
        if best is None or Labs[i, 0] < Labs[best, 0]:
            best = i
    return best


def _recipe(ranking, step_L: float) -> dict | None:
    if not ranking.matches:
        return None
    entries = ranking.entries
    final_entry = ranking.matches[0].entry
    final_index = next(i for i, e in enumerate(entries) if e.id == final_entry.id)
    healed = ranking.predicted.healed if ranking.predicted is not None else None

    def record(i):
        return _entry_record(entries[i], None if healed is None else healed[i], entries[i].Lab)

    first_index = _lighter_step(ranking, final_index, step_L)
    notes = []
    if first_index is None:
        first_index = final_index
        notes.append(f"{final_entry.name} has no step {step_L:g} L* lighter: start with it and "
                     f"a lighter hand (fewer impressions)")
    return {"final": record(final_index), "first_session": record(first_index), "notes": notes}


def session_plan(ranking, scar_ranking=None, step_L: float = DEFAULT_STEP_L) -> dict | None:
    """The session plan from a ranking (and, for a scar, the ranking on the scar tissue).

    Parameters
    ----------
    ranking : :class:`~shadematch.matching.HealedRanking` on the scalp skin.
    scar_ranking : the same on the scar tissue as the skin, or None.
    step_L : how much lighter (predicted healed L*) the first session is, at least.

    Returns
    -------
    dict or None (no ranking): ``{"step_L", "basis", "final", "first_session", "sessions",
    "scar", "notes"}``, as in docs/ANALYSIS_FORMAT.md.
    """
    if not (np.isfinite(step_L) and step_L >= 0):
        raise ValueError("step_L must be a number >= 0")
    scalp = _recipe(ranking, step_L)
    if scalp is None:
        return None
    sessions = [
        {"number": 1, "entry_id": scalp["first_session"]["entry_id"],
         "name": scalp["first_session"]["name"],
         "purpose": "first layer, one step lighter: healed results can be darkened, not undone"},
        {"number": 2, "entry_id": scalp["final"]["entry_id"], "name": scalp["final"]["name"],
         "purpose": "build density with the final shade"},
        {"number": 3, "entry_id": scalp["final"]["entry_id"], "name": scalp["final"]["name"],
         "purpose": "fill gaps and refine density once sessions 1-2 have healed"},
    ]
    plan = {"step_L": step_L, "basis": ranking.basis, "final": scalp["final"],
            "first_session": scalp["first_session"], "sessions": sessions,
            "notes": scalp["notes"], "scar": None}
    if scar_ranking is not None:
        scar = _recipe(scar_ranking, step_L)
        if scar is not None:
            # Scar tissue takes pigment unevenly: the scar recipe starts from the lighter step.
            scar["recipe"] = scar.pop("first_session")
            scar["notes"].append("scar tissue takes pigment differently: work the scar with the "
                                 "lighter scar recipe and review it healed before going darker")
            if scar_ranking.skin is not None:
                scar["skin_lab"] = [round(v, 3) for v in scar_ranking.skin.Lab]
            plan["scar"] = scar
    return plan
