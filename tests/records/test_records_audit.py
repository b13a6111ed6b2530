"""The audit log: filters, CSV export, and a retention purge (>= 6 years, itself audited),
on SQLite and PostgreSQL; `shadematch records audit` (issue 15)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from shadematch.errors import RecordsError
from shadematch.records.access import _years_before
from shadematch.records.audit_export import audit_csv


def _old_entry(store, at: str, action: str = "view", record: str = "client #1") -> None:
    with store._write() as conn:
        conn.execute("INSERT INTO audit_log (at, actor, action, record, detail) "
                     "VALUES (?, ?, ?, ?, ?)", (at, "old desk", action, record, None))


def test_filters_by_client_user_action_and_date(any_store, monkeypatch):
    store = any_store
    a = store.add_client("Ana")
    b = store.add_client("Ben")
    store.set_screening(a, {"keloid": "no"})
    store.screenings(a)                       # "view" of "client #a screenings"
    monkeypatch.setattr(store, "actor", "room 2")
    store.update_client(b, notes="n")
    _old_entry(store, "2019-03-04T10:00:00+00:00", record=f"client #{a}")
    assert {e["record"] for e in store.audit_log(client=a)} == {
        f"client #{a}", f"client #{a} screenings"}
    assert all(e["record"] != f"client #{a}1" for e in store.audit_log(client=a))
    assert [e["action"] for e in store.audit_log(user="room 2")] == ["change"]
    assert {e["record"] for e in store.audit_log(action="create")} == {f"client #{a}",
                                                                      f"client #{b}"}
    old = store.audit_log(until="2019-03-04")
    assert [e["actor"] for e in old] == ["old desk"]
    assert store.audit_log(since="2019-03-05", client=a, action="view") == [
        e for e in store.audit_log(client=a, action="view") if e["actor"] != "old desk"]
    assert len(store.audit_log(limit=2)) == 2
    with pytest.raises(RecordsError, match="not a date"):
        store.audit_log(until="04/03/2019")


def test_purge_keeps_six_years_is_audited_and_the_log_stays_append_only(any_store):
    store = any_store
    now = "2026-12-03T12:00:00+00:00"
    _old_entry(store, "2010-01-01T00:00:00+00:00")
    _old_entry(store, "2020-12-03T11:59:59+00:00")      # just over 6 years old
    _old_entry(store, "2020-12-03T12:00:01+00:00")      # just under: kept
    with pytest.raises(RecordsError, match="at least 6 years"):
        store.purge_audit(5, now=now)
    assert len(store.audit_log()) == 3
    done = store.purge_audit(now=now)
    assert done == {"removed": 2, "before": "2020-12-03T12:00:00+00:00", "retention_years": 6}
    log = store.audit_log()
    assert [e["at"] for e in log if e["actor"] == "old desk"] == ["2020-12-03T12:00:01+00:00"]
    assert log[0]["action"] == "purge audit"
    assert "2 entries before 2020-12-03T12:00:00+00:00" in log[0]["detail"]
    assert store.purge_audit(10, now=now)["removed"] == 0
    # The guard is back: no other deletion or change gets through.
    with pytest.raises(Exception, match="append-only"):
        with store._write() as conn:
            conn.execute("DELETE FROM audit_log")
    with pytest.raises(Exception, match="append-only"):
        with store._write() as conn:
            conn.execute("UPDATE audit_log SET actor = 'x'")
    assert len(store.audit_log()) == len(log) + 1


def test_years_before_handles_leap_days():
    assert _years_before("2028-02-29T08:00:00+00:00", 6) == "2022-02-28T08:00:00+00:00"
    assert _years_before("2026-12-03T12:00:00Z", 7) == "2019-12-03T12:00:00+00:00"


def test_csv_has_a_header_and_quotes_commas():
    text = audit_csv([{"at": "t", "actor": "Ada", "action": "change", "record": "client #1",
                       "detail": "fields: contact, notes"}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["time (UTC)", "user", "action", "record", "detail"],
                    ["t", "Ada", "change", "client #1", "fields: contact, notes"]]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_cli_filters_exports_csv_and_purges(data_dir, tmp_path, capsys, monkeypatch, request,
                                            backend):
    from shadematch.cli import main
    from shadematch.records import open_store

    if backend == "postgres":
        monkeypatch.setenv("SHADEMATCH_DATABASE_URL", request.getfixturevalue("pg_url"))
    with open_store(data_dir) as store:
        cid = store.add_client("Cara")
        store.add_client("Dev")
        _old_entry(store, "2001-01-01T00:00:00+00:00", record=f"client #{cid}")
    assert main(["records", "audit", "--client", str(cid), "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in entries] == ["view", "create"]   # newest recorded first
    out = tmp_path / "audit.csv"
    assert main(["records", "audit", "--action", "create", "--csv", str(out)]) == 0
    assert "Wrote 2 audit entries" in capsys.readouterr().out
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert len(rows) == 3 and {r[3] for r in rows[1:]} == {f"client #{cid}", f"client #{cid + 1}"}
    assert main(["records", "audit", "--csv", str(out)]) != 0    # never over an existing file
    assert "already exists" in capsys.readouterr().err
    assert main(["records", "audit", "--purge", "--retention-years", "3"]) != 0
    assert "at least 6 years" in capsys.readouterr().err
    assert main(["records", "audit", "--purge"]) == 0
    assert "Removed 1 audit entry from before" in capsys.readouterr().out
    assert main(["records", "audit", "--action", "purge audit", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
