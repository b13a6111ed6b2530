"""The records CLI: clients, records, backup, restore; --json outputs stay as documented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from records_helpers import make_analysis

from shadematch.cli import main
from shadematch.records import open_store

CLIENT_KEYS = {"id", "uid", "name", "dob", "contact", "hair_loss_pattern", "notes", "created",
               "updated", "screening", "consents", "visit_count", "last_visit", "flags", "age",
               "consent_at"}
VISIT_KEYS = {"id", "client_id", "visit_date", "kind", "session_number", "label",
              "chosen_entry_id", "chosen_name", "dilution", "batch", "notes", "report_path",
              "created", "photos"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, data_dir, monkeypatch):
    """Run a CLI test on the local SQLite store and on a server (SHADEMATCH_DATABASE_URL)."""
    if request.param == "postgres":
        monkeypatch.setenv("SHADEMATCH_DATABASE_URL", request.getfixturevalue("pg_url"))
    return request.param


def test_clients_add_list_show(data_dir, backend, capsys, photo):
    code, out, err = run(capsys, "clients", "add", "--name", "Wren West", "--dob", "1966-06-06")
    assert (code, out.strip(), err) == (0, "1", "")
    added = run_json(capsys, "clients", "add", "--name", "Xavi", "--contact", "x@example.org",
                     "--pattern", "Norwood 3")
    assert added["id"] == 2 and set(added["client"]) == CLIENT_KEYS
    assert added["client"]["hair_loss_pattern"] == "Norwood 3"
    with open_store(data_dir) as store:
        store.save_visit(1, make_analysis(), photo, kind="session", batch="L-1")
    listing = run_json(capsys, "clients", "list")
    assert [c["name"] for c in listing["clients"]] == ["Wren West", "Xavi"]
    assert listing["clients"][0]["visit_count"] == 1
    assert [c["id"] for c in run_json(capsys, "clients", "list", "--search", "xav")["clients"]] \
        == [2]
    shown = run_json(capsys, "clients", "show", "1")
    assert set(shown) == {"client", "visits"}
    assert set(shown["visits"][0]) == VISIT_KEYS
    assert (shown["visits"][0]["label"], shown["visits"][0]["batch"]) == ("Session 1", "L-1")
    full = run_json(capsys, "clients", "show", "1", "--with-analysis")
    assert full["visits"][0]["analysis"] == make_analysis()
    code, out, _ = run(capsys, "clients", "show", "1")
    assert "Session 1" in out and "batch L-1" in out and "consent: NOT RECORDED" in out
    code, out, _ = run(capsys, "clients", "list")
    assert "Wren West" in out and "Xavi" in out


def test_screening_consent_and_flags(data_dir, backend, capsys):
    run(capsys, "clients", "add", "--name", "Yara")
    result = run_json(capsys, "clients", "screening", "1", "--set", "keloid=yes:left ear",
                      "--set", "diabetes=no", "--patch-test-date", "2026-11-01",
                      "--patch-test-result", "clear")
    assert result["screening"]["flags"] == ["keloid"]
    assert result["screening"]["answers"]["keloid"] == {"answer": "yes", "note": "left ear"}
    # A later screening keeps the earlier answers it does not change.
    result = run_json(capsys, "clients", "screening", "1", "--set", "pregnancy=yes")
    assert result["screening"]["flags"] == ["keloid", "pregnancy"]
    assert result["screening"]["answers"]["pigment_allergy"]["patch_test_result"] == "clear"
    consent = run_json(capsys, "clients", "consent", "1", "--when", "2026-11-20T10:00:00Z")
    assert consent == {"client_id": 1, "consent_at": "2026-11-20T10:00:00+00:00"}
    code, out, _ = run(capsys, "clients", "show", "1")
    assert "!! SCREENING FLAGS: Keloid scarring; Pregnancy or breastfeeding" in out
    code, out, _ = run(capsys, "clients", "list")
    assert "!KELOID, !PREGNANCY" in out
    code, out, err = run(capsys, "clients", "screening", "1", "--set", "tattoos=yes")
    assert code == 1 and "Unknown screening item" in err and "Traceback" not in err


def test_under_18_and_update(data_dir, backend, capsys):
    run(capsys, "clients", "add", "--name", "Zed", "--dob", "2015-01-01")
    updated = run_json(capsys, "clients", "update", "1", "--notes", "with parent")
    assert updated["client"]["flags"] == ["under_18"] and updated["client"]["notes"] == \
        "with parent"
    code, _, err = run(capsys, "clients", "update", "1")
    assert code == 1 and "Nothing to change" in err


def test_export_delete_import(data_dir, backend, capsys, photo, tmp_path, monkeypatch):
    run(capsys, "clients", "add", "--name", "Abe")
    with open_store(data_dir) as store:
        store.save_visit(1, make_analysis(), photo)
    out_dir = tmp_path / "abe"
    assert run_json(capsys, "clients", "export", "1", "-o", str(out_dir)) == {
        "client_id": 1, "path": str(out_dir)}
    monkeypatch.setattr(sys, "stdin", open(os.devnull))
    code, _, err = run(capsys, "clients", "delete", "1")
    assert code == 1 and "--yes" in err
    assert run_json(capsys, "clients", "list")["clients"][0]["name"] == "Abe"
    assert run_json(capsys, "clients", "delete", "1", "--yes") == {
        "deleted": 1, "visits": 1, "photos": 1, "backups": int(backend == "sqlite"), "reports": 0, "autosaves": 0,
        "thumbnails": 0, "log_lines": 0}
    imported = run_json(capsys, "clients", "import", str(out_dir))
    assert imported["id"] == 2 and imported["client"]["name"] == "Abe"
    assert imported["client"]["visit_count"] == 1


def test_records_check_backup_restore(data_dir, capsys, photo):
    run(capsys, "clients", "add", "--name", "Bea")
    check = run_json(capsys, "records", "check")
    assert check["ok"] is True and check["problems"] == []
    assert check["schema_version"] == 5 and check["counts"] == {
        "clients": 1, "visits": 0, "photos": 0}
    info = run_json(capsys, "records", "info")
    assert set(info) == {"folder", "database", "backups_folder", "schema_version", "counts",
                         "backups"}
    backup = run_json(capsys, "backup")["path"]
    assert Path(backup).is_file()
    listed = run_json(capsys, "restore")["backups"]
    assert backup in [b["path"] for b in listed] and all("taken" in b for b in listed)
    run(capsys, "clients", "add", "--name", "Cal")
    restored = run_json(capsys, "restore", backup, "--yes")
    assert set(restored) == {"restored_from", "database", "previous_kept_as", "erased_again"}
    assert [c["name"] for c in run_json(capsys, "clients", "list")["clients"]] == ["Bea"]
    # A broken photo copy makes `records check` fail with the problem named.
    with open_store(data_dir) as store:
        visit = store.get_visit(store.save_visit(1, make_analysis(), photo))
    visit.photo.stored_path.unlink()
    code, out, _ = run(capsys, "records", "check")
    assert code == 1 and "is missing" in out


def test_damaged_database_gives_one_clear_line(data_dir, capsys):
    folder = data_dir / "records"
    folder.mkdir()
    (folder / "records.db").write_bytes(b"garbage" * 500)
    code, out, err = run(capsys, "clients", "list")
    assert code == 1 and out == ""
    assert err.startswith("shadematch: error: The records database ") and "damaged" in err
    assert "Traceback" not in err and err.count("\n") == 1


@pytest.mark.slow
def test_python_m_shadematch_runs_the_records_cli(data_dir, child_env, tmp_path):
    done = subprocess.run([sys.executable, "-m", "shadematch", "clients", "add", "--name",
                           "Dee", "--json"], capture_output=True, text=True, env=child_env,
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["client"]["name"] == "Dee"


def test_records_prune(data_dir, capsys):
    open_store(data_dir).close()
    orphan = data_dir / "records" / "photos" / "ab" / ("ab" * 32 + ".jpg")
    orphan.parent.mkdir(mode=0o700)
    orphan.write_bytes(b"orphan")
    os.utime(orphan, (1, 1))
    assert run_json(capsys, "records", "prune") == {"removed": [str(orphan)]}
    assert not orphan.exists()


def test_counts_are_said_in_words(data_dir, capsys, photo, monkeypatch):
    run(capsys, "clients", "add", "--name", "Ida")
    with open_store(data_dir) as store:
        store.save_visit(1, make_analysis(), photo)
    code, out, _ = run(capsys, "records", "check")
    assert code == 0 and "(1 client, 1 visit, 1 photo)." in out
    code, out, _ = run(capsys, "records", "info")
    assert "holds: 1 client, 1 visit, 1 photo" in out
    run(capsys, "clients", "add", "--name", "Jo")
    code, out, _ = run(capsys, "records", "check")
    assert "(2 clients, 1 visit, 1 photo)." in out
    code, out, _ = run(capsys, "clients", "delete", "1", "--yes")
    assert out.splitlines() == ["Erased client #1 (1 visit, 1 photo copy).",
                                "Also removed: 1 backup (rewritten without them)."]
    code, out, _ = run(capsys, "records", "prune")
    assert out.strip() == "Removed 0 unreferenced files."
    assert "(s)" not in out


def test_restore_of_a_missing_file_says_so_before_asking(data_dir, capsys, tmp_path,
                                                         monkeypatch):
    run(capsys, "clients", "add", "--name", "Kit")
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # no --yes, no terminal
    missing = tmp_path / "records-2026-01-01.db"
    code, out, err = run(capsys, "restore", str(missing))
    assert code == 1 and out == ""
    assert "does not exist" in err and "--yes" not in err
    not_a_backup = tmp_path / "notes.db"
    not_a_backup.write_text("not a database")
    code, _, err = run(capsys, "restore", str(not_a_backup))
    assert code == 1 and "--yes" not in err
    # A good backup still asks first.
    backup = run_json(capsys, "backup")["path"]
    code, _, err = run(capsys, "restore", backup)
    assert code == 1 and "--yes" in err
