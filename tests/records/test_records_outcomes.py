"""Outcomes read from the records: follow-ups linked to sessions, with exclusion reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from healed_outcomes import PALETTE, START, healed_analysis, save_outcomes
from records_helpers import make_analysis

from shadematch.palettes import load_palette
from shadematch.records.outcomes import recorded_outcomes


@pytest.fixture(scope="module")
def palette():
    return load_palette(PALETTE)


def test_follow_ups_become_outcomes(any_store, palette):
    ids = save_outcomes(any_store, palette, 3, seed=1)
    found = recorded_outcomes(any_store)
    assert len(found.outcomes) == 3 and found.excluded == []
    assert len(found.usable) == 3
    by_id = {o.id.split(" ")[1]: o for o in found.outcomes}
    first = by_id[f"#{ids[0]}"]
    follow = any_store.get_visit(ids[0])
    session = any_store.get_visit(follow.follows_visit_id)
    assert first.entry.id == session.chosen_entry_id
    assert first.days == pytest.approx(
        (dt.date.fromisoformat(follow.visit_date[:10]) - START).days)
    assert first.healed_Lab == tuple(follow.analysis["samples"]["healed"]["lab"])
    assert first.calibrated and first.follows == f"visit #{session.id}"


def test_unusable_follow_ups_are_excluded_with_why(any_store, palette):
    store = any_store
    entry = palette.entries[0]
    client = store.add_client("Cleo", dob="1980-01-01")
    session_record = make_analysis(pick=None)
    session_record["matching"]["palette"]["name"] = PALETTE
    session = store.save_visit(client, session_record, None, kind="session",
                               chosen_entry_id=entry.id, batch="A", visit_date="2025-01-01")
    no_shade = store.save_visit(client, session_record, None, kind="session",
                                visit_date="2025-01-02")
    consult = store.save_visit(client, session_record, None, kind="consultation",
                               visit_date="2025-01-03")
    good = healed_analysis((60.0, 10.0, 16.0), (40.0, 1.0, -2.0))
    no_skin = healed_analysis((60.0, 10.0, 16.0), (40.0, 1.0, -2.0))
    del no_skin["samples"]["skin"]
    session_no_skin = make_analysis(pick=None)
    del session_no_skin["samples"]["skin"]
    session_no_skin["matching"]["palette"]["name"] = PALETTE
    skinless = store.save_visit(client, session_no_skin, None, kind="session",
                                chosen_entry_id=entry.id, visit_date="2025-01-04")
    neither_skin = store.save_visit(client, no_skin, None, kind="follow-up",
                                    follows_visit_id=skinless, visit_date="2025-03-01")
    lone = store.save_visit(client, good, None, kind="follow-up", visit_date="2025-03-01")
    other_batch = store.save_visit(client, good, None, kind="follow-up", follows_visit_id=session,
                                   batch="B", visit_date="2025-03-01")
    absurd = store.save_visit(client, good, None, kind="touch-up", follows_visit_id=session,
                              visit_date="2024-01-01")
    unshaded = store.save_visit(client, good, None, kind="follow-up",
                                follows_visit_id=no_shade, visit_date="2025-03-01")
    of_consult = store.save_visit(client, good, None, kind="follow-up",
                                  follows_visit_id=consult, visit_date="2025-03-01")
    uncalibrated = store.save_visit(
        client, healed_analysis((60.0, 10.0, 16.0), (40.0, 1.0, -2.0), calibrated=False), None,
        kind="follow-up", follows_visit_id=session, visit_date="2025-03-01")
    found = recorded_outcomes(store)
    why = {int(i.split("#")[1].split(" ")[0]): reason for i, reason in found.excluded}
    assert "not linked" in why[lone]
    assert "different pigment batch" in why[other_batch]
    assert "not credible" in why[absurd]
    assert "records no shade" in why[unshaded]
    assert "consultation, not a session" in why[of_consult]
    assert "not calibrated" in why[uncalibrated]
    assert "no skin sample" in why[neither_skin]
    assert found.usable == []
    # the session's skin stands in when the follow-up has none; without either: excluded
    store.save_visit(client, no_skin, None, kind="follow-up", follows_visit_id=session,
                     visit_date="2025-03-01")
    assert len(recorded_outcomes(store).usable) == 1
    assert len(recorded_outcomes(store, include_uncalibrated=True).usable) == 2
