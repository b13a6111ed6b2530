"""Export -> delete -> import gives the same records; damaged or duplicate imports are refused."""

from __future__ import annotations

import json

import pytest
from records_helpers import make_analysis, make_photo

from shadematch.errors import RecordsError


def _snapshot(store, client_id):
    """Everything about a client except database ids and store paths."""
    client = store.get_client(client_id).to_dict()
    client.pop("id")
    visits = []
    for visit in store.visits(client_id):
        data = visit.to_dict(with_analysis=True)
        for key in ("id", "client_id"):
            data.pop(key)
        data["photos"] = [(p.sha256, p.original_path,
                           p.stored_path.read_bytes() if p.stored_path else None)
                          for p in visit.photos]
        visits.append(data)
    screenings = [s.to_dict() for s in store.screenings(client_id)]
    consents = store.conn.execute("SELECT given_at, note FROM consents WHERE client_id = ? "
                                  "ORDER BY id", (client_id,)).fetchall()
    return client, visits, screenings, consents


def _client_with_history(store, tmp_path):
    cid = store.add_client("Tess Turner", dob="1979-07-07", contact="tess@example.org",
                           hair_loss_pattern="Norwood 5", notes="allergic to latex")
    store.set_screening(cid, {"keloid": "no", "pigment_allergy": {
        "answer": "no", "patch_test_date": "2026-10-01", "patch_test_result": "clear"}},
        when="2026-10-01T09:00:00+00:00")
    store.set_screening(cid, {"keloid": "no", "clotting": {"answer": "yes", "note": "aspirin"}},
                        when="2026-10-15T09:00:00+00:00")
    store.record_consent(cid, when="2026-10-15T09:05:00+00:00", note="form v3")
    first = make_photo(tmp_path / "first.jpg", seed=11)
    second = make_photo(tmp_path / "second.jpg", seed=12)
    store.save_visit(cid, make_analysis(), first, kind="consultation",
                     visit_date="2026-10-15T09:10:00+00:00", notes="consult")
    vid = store.save_visit(cid, make_analysis(hair=(21, 2, 4)), second, kind="session",
                           batch="LOT-9", visit_date="2026-10-29T09:00:00+00:00",
                           report_path=str(tmp_path / "r.pdf"))
    store.add_photo(vid, first)
    store.save_visit(cid, make_analysis(pick=None), None, kind="session",
                     chosen_entry_id="espresso@2:1", dilution="5:1",
                     visit_date="2026-11-12T09:00:00+00:00")
    return cid


def test_export_delete_import_gives_the_same_records(any_store, tmp_path):
    store = any_store  # on SQLite and on PostgreSQL
    cid = _client_with_history(store, tmp_path)
    other = store.add_client("Uma")  # untouched by the round trip
    before = _snapshot(store, cid)
    out = store.export_client(cid, tmp_path / "export")
    manifest = json.loads((out / "client.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "shadematch-client-export"
    assert len(list((out / "photos").iterdir())) == 2
    store.delete_client(cid)
    assert store.counts() == {"clients": 1, "visits": 0, "photos": 0}
    new_id = store.import_client(out)
    assert new_id != cid
    after = _snapshot(store, new_id)
    assert after == before
    assert [c.id for c in store.search_clients()] == [new_id, other]
    assert store.check() == []
    with pytest.raises(RecordsError, match=f"already in the records as #{new_id}"):
        store.import_client(out)


def test_export_refuses_a_non_empty_folder(any_store, tmp_path):
    store = any_store  # on SQLite and on PostgreSQL
    cid = store.add_client("Val")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(RecordsError, match="not an empty folder"):
        store.export_client(cid, busy)
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert store.export_client(cid, empty) == empty
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial left


def test_import_refuses_altered_or_incomplete_exports(any_store, tmp_path):
    store = any_store  # on SQLite and on PostgreSQL
    cid = _client_with_history(store, tmp_path)
    out = store.export_client(cid, tmp_path / "export")
    store.delete_client(cid)
    photo = next((out / "photos").iterdir())
    original = photo.read_bytes()
    photo.write_bytes(original[:-10])
    with pytest.raises(RecordsError, match="does not match its SHA-256"):
        store.import_client(out)
    photo.unlink()
    with pytest.raises(RecordsError, match="missing"):
        store.import_client(out)
    assert store.counts()["clients"] == 0
    with pytest.raises(RecordsError, match="has no client.json"):
        store.import_client(tmp_path)
    (tmp_path / "client.json").write_text('{"format": "something-else"}')
    with pytest.raises(RecordsError, match="not a shadematch client export"):
        store.import_client(tmp_path)
