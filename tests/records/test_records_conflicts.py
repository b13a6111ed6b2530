"""Merging a client edit that was refused as stale (EditConflict), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from shadematch.records import open_store
from shadematch.records.backends.errors import EditConflict
from shadematch.records.conflicts import field_changes, merged_fields


def test_merge_keeps_theirs_where_you_did_not_change_and_yours_where_you_did(
        any_store, data_dir, monkeypatch):
    store = any_store
    cid = store.add_client("Mia Moss", contact="0101", notes="first", dob="1980-01-02")
    mine = store.get_client(cid)
    monkeypatch.setenv("SHADEMATCH_USER", "room 2")
    with open_store(data_dir, database_url=getattr(store, "url", "")) as other:
        other.update_client(cid, expected=other.get_client(cid), contact="0202",
                            notes="theirs")
    typed = {"name": "Mia Moss", "dob": "1980-01-02", "contact": "0101",
             "hair_loss_pattern": "Norwood 3", "notes": "mine"}
    with pytest.raises(EditConflict) as caught:
        store.update_client(cid, expected=mine, **typed)
    theirs = caught.value.current
    rows = {row.field: row for row in field_changes(mine, theirs, typed)}
    assert sorted(rows) == ["contact", "hair_loss_pattern", "notes"]
    assert (rows["contact"].old, rows["contact"].theirs, rows["contact"].yours) == (
        "0101", "0202", "0101")
    assert rows["contact"].changed_there and not rows["contact"].changed_here
    assert rows["notes"].clash and not rows["hair_loss_pattern"].clash
    merged = merged_fields(mine, theirs, typed)
    assert merged == {"name": "Mia Moss", "dob": "1980-01-02", "contact": "0202",
                      "hair_loss_pattern": "Norwood 3", "notes": "mine"}
    saved = store.update_client(cid, expected=theirs, **merged)
    assert (saved.contact, saved.notes, saved.hair_loss_pattern) == ("0202", "mine",
                                                                     "Norwood 3")
    assert saved.row_version == theirs.row_version + 1


def test_blank_and_missing_are_the_same_field_value():
    class Old:
        name, dob, contact, hair_loss_pattern, notes = "A", None, "", None, "n"

    assert field_changes(Old, Old, {"contact": None, "notes": " n "}) == []
    assert merged_fields(Old, Old, {})["contact"] is None
