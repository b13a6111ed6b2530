"""Follow-up visits linked to the visit they follow, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from records_helpers import make_analysis

from shadematch.errors import RecordsError


def test_follow_up_links_and_refusals(any_store):
    store = any_store
    ann = store.add_client("Ann", dob="1980-01-01")
    bob = store.add_client("Bob", dob="1970-01-01")
    analysis = make_analysis()
    analysis["matching"]["appearance"] = {"model": {"parameters": "clinic",
                                                    "parameters_version": "clinic-2"}}
    session = store.save_visit(ann, analysis, None, kind="session", batch="L1")
    bobs = store.save_visit(bob, make_analysis(), None, kind="session")
    follow = store.save_visit(ann, analysis, None, kind="follow-up", follows_visit_id=session)
    visit = store.get_visit(follow)
    assert (visit.kind, visit.follows_visit_id, visit.model_version) == (
        "follow-up", session, "clinic-2")
    assert store.get_visit(session).follows_visit_id is None
    assert store.get_visit(bobs).model_version is None      # no appearance block: card ranking
    with pytest.raises(RecordsError, match="another client's"):
        store.save_visit(ann, analysis, None, kind="touch-up", follows_visit_id=bobs)
    with pytest.raises(RecordsError, match="no visit #4242"):
        store.save_visit(ann, analysis, None, kind="follow-up", follows_visit_id=4242)
    with pytest.raises(RecordsError, match="only a follow-up or touch-up"):
        store.save_visit(ann, analysis, None, kind="session", follows_visit_id=session)
    assert len(store.visits(ann)) == 2
