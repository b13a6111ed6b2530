"""Healed results read from the records: one outcome per follow-up or touch-up visit.

A follow-up (or touch-up) visit linked to the session it follows (``visits.follows_visit_id``)
gives an :class:`~shadematch.appearance.learning.Outcome`: the client's skin, the pigment and
dilution used at the session (its chosen shade), the days between the two visits, the healed dot
colour measured at the follow-up (its "healed" sample) and whether that photo was calibrated.
What cannot be used is listed with why, by :func:`~shadematch.appearance.learning.check_outcomes`
(not linked, a different batch, no skin sample, an absurd time ...) and here (a link to a visit
that is not a session, a session without a chosen shade, a pigment not in its palette).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shadematch.appearance.learning import Outcome, check_outcomes
from shadematch.errors import ShadematchError
from shadematch.records.models import FOLLOWING_KINDS, Visit


@dataclass(frozen=True)
class RecordedOutcomes:
    """The outcomes the records hold: all of them (``outcomes``, for fitting: fit_model checks
    them again), the ones a fit can use (``usable`` ids) and the excluded ones with why."""

    outcomes: list[Outcome]
    usable: list[str]
    excluded: list[tuple[str, str]]


def _sample_lab(analysis: dict, region_class: str):
    sample = (analysis.get("samples") or {}).get(region_class) or {}
    lab = sample.get("lab")
    return tuple(float(v) for v in lab) if isinstance(lab, list) and len(lab) == 3 else None


def _days_between(earlier: str, later: str) -> float:
    def when(text: str) -> dt.datetime:
        stamp = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)

    try:
        return (when(later) - when(earlier)).total_seconds() / 86400.0
    except ValueError:
        return float("nan")


def _palette_entry_finder() -> Callable[[str | None, str], object | None]:
    """``find(palette_name, entry_id)``: the palette entry, or None (palettes loaded once)."""
    from shadematch.palettes import load_palette
    from shadematch.palettes.library import DEFAULT_PALETTE_NAME

    loaded: dict[str, Any] = {}

    def find(palette_name: str | None, entry_id: str):
        name = palette_name or DEFAULT_PALETTE_NAME
        if name not in loaded:
            try:
                loaded[name] = load_palette(name)
            except ShadematchError:
                loaded[name] = None
        palette = loaded[name]
        return None if palette is None else next(
            (e for e in palette.entries if e.id == entry_id), None)

    return find


def outcome_of(follow_up: Visit, session: Visit | None, find_entry) -> tuple[Outcome | None,
                                                                           str | None]:
    """The outcome of one follow-up visit (and the visit it follows), or None and why not."""
    label = f"visit #{follow_up.id} (client #{follow_up.client_id}, {follow_up.visit_date[:10]})"
    if session is not None and session.kind != "session":
        return None, (f"it follows visit #{session.id}, a {session.label.lower()}, not a "
                      "session: link it to the session whose healed result it measures")
    entry = None
    if session is not None:
        if not session.chosen_entry_id:
            return None, (f"session visit #{session.id} records no shade: set the pigment and "
                          "dilution used at the session")
        palette = ((session.analysis.get("matching") or {}).get("palette") or {}).get("name")
        entry = find_entry(palette, session.chosen_entry_id)
        if entry is None:
            return None, (f"the session's shade {session.chosen_entry_id!r} is not in palette "
                          f"{palette!r}: add that palette (`shadematch palettes`)")
    analysis = follow_up.analysis or {}
    skin = _sample_lab(analysis, "skin")
    if skin is None and session is not None:
        skin = _sample_lab(session.analysis or {}, "skin")     # the skin measured at the session
    healed_sample = (analysis.get("samples") or {}).get("healed") or {}
    calibrated = bool(healed_sample.get("calibrated", analysis.get("calibration") is not None))
    return Outcome(
        id=label, skin_Lab=skin, entry=entry,
        days=(_days_between(session.visit_date, follow_up.visit_date) if session is not None
              else float("nan")),
        healed_Lab=_sample_lab(analysis, "healed"), calibrated=calibrated,
        follows=None if session is None else f"visit #{session.id}",
        same_batch=not (session is not None and follow_up.batch and session.batch
                        and follow_up.batch.strip() != session.batch.strip())), None


def recorded_outcomes(store, include_uncalibrated: bool = False,
                      find_entry=None) -> RecordedOutcomes:
    """Every follow-up/touch-up visit of every client as an outcome, with the excluded ones.

    ``find_entry(palette_name, entry_id)`` finds the pigment used (default: the installed
    palettes by name).
    """
    find_entry = find_entry or _palette_entry_finder()
    outcomes: list[Outcome] = []
    excluded: list[tuple[str, str]] = []
    for client in store.search_clients(""):
        visits = {v.id: v for v in store.visits(client.id)}
        for visit in visits.values():
            if visit.kind not in FOLLOWING_KINDS:
                continue
            session = visits.get(visit.follows_visit_id) if visit.follows_visit_id else None
            outcome, why = outcome_of(visit, session, find_entry)
            if outcome is None:
                excluded.append((f"visit #{visit.id} (client #{visit.client_id}, "
                                 f"{visit.visit_date[:10]})", why or "not usable"))
            else:
                outcomes.append(outcome)
    usable, checked_out = check_outcomes(outcomes, include_uncalibrated)
    return RecordedOutcomes(outcomes, [o.id for o, _ in usable], excluded + checked_out)
