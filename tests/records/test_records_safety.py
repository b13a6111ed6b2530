"""Damaged databases, automatic and on-demand backups, and restoring one."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest
from records_helpers import make_analysis

from shadematch.errors import RecordsError
from shadematch.records import SCHEMA_VERSION, DamagedRecordsError, open_store, restore_backup
from shadematch.records.backups import KEEP, backup_name, list_backups
from shadematch.records.store import records_dir


def _filled_store(data_dir, clients: int = 60):
    store = open_store(data_dir)
    for i in range(clients):
        cid = store.add_client(f"Client {i:03d}", notes="x" * 200)
        store.save_visit(cid, make_analysis(hair=(20 + i % 10, 2, 3)), None)
    return store


def test_garbage_file_is_reported_and_left_alone(data_dir):
    folder = records_dir(data_dir)
    folder.mkdir(parents=True)
    db = folder / "records.db"
    db.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    before = db.read_bytes()
    with pytest.raises(DamagedRecordsError) as info:
        open_store(data_dir)
    message = str(info.value)
    assert str(db) in message and str(folder / "backups") in message
    assert "shadematch restore" in message
    assert db.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["records.db"]


def test_corrupt_pages_are_reported_and_left_alone(data_dir):
    store = _filled_store(data_dir)
    db = store.db_path
    store.close()
    assert not db.with_name("records.db-wal").exists()  # checkpointed on close
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[2 * page:4 * page] = bytes([0xA5]) * (2 * page)
    db.write_bytes(bytes(data))
    with pytest.raises(RecordsError, match="is damaged.*restore the latest backup") as info:
        open_store(data_dir)
    assert str(db) in str(info.value)
    assert db.read_bytes() == bytes(data)


def test_restore_after_damage_keeps_the_damaged_file(data_dir):
    store = _filled_store(data_dir, clients=3)
    backup = store.backup()
    db = store.db_path
    store.close()
    db.write_bytes(b"\x00" * 8192)
    damaged = db.read_bytes()
    result = restore_backup(backup, data_dir)
    assert result["restored_from"] == str(backup)
    kept = result["previous_kept_as"]
    assert kept and ".damaged-" in kept
    assert open(kept, "rb").read() == damaged
    with open_store(data_dir) as store:
        assert [c.name for c in store.search_clients()] == [f"Client {i:03d}" for i in range(3)]
        assert store.check() == []


def test_restore_healthy_store_keeps_a_pre_restore_copy(data_dir):
    store = open_store(data_dir)
    store.add_client("Before")
    backup = store.backup()
    store.add_client("After")
    store.close()
    result = restore_backup(backup, data_dir)
    assert result["previous_kept_as"].endswith("-pre-restore.db")
    with open_store(data_dir) as store:
        assert [c.name for c in store.search_clients()] == ["Before"]
    conn = sqlite3.connect(result["previous_kept_as"])
    assert sorted(r[0] for r in conn.execute("SELECT name FROM clients")) == ["After", "Before"]
    conn.close()


def test_restore_refuses_bad_backups_and_changes_nothing(data_dir, tmp_path):
    store = open_store(data_dir)
    store.add_client("Stays")
    store.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"nope" * 1000)
    other = tmp_path / "other.db"
    sqlite3.connect(other).executescript("CREATE TABLE t (x); PRAGMA user_version = 1;")
    for bad, words in ((tmp_path / "missing.db", "does not exist"), (junk, "cannot be read"),
                       (other, "not a shadematch records backup")):
        with pytest.raises(RecordsError, match=words):
            restore_backup(bad, data_dir)
    with open_store(data_dir) as store:
        assert [c.name for c in store.search_clients()] == ["Stays"]


def test_restore_of_an_older_schema_backup_is_upgraded(data_dir, tmp_path):
    from pathlib import Path

    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old)
    fixture = Path(__file__).parent / "fixtures" / "schema_v1.sql"
    conn.executescript(fixture.read_text(encoding="utf-8"))
    conn.close()
    open_store(data_dir).close()
    restore_backup(old, data_dir)
    with open_store(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.get_client(1).name == "Alan Archer"


def test_daily_backup_on_open_and_rotation(data_dir):
    folder = records_dir(data_dir) / "backups"
    open_store(data_dir).close()            # new store: nothing worth a backup yet
    assert list_backups(folder) == []
    with open_store(data_dir) as store:     # existing store, no backup yet: one is taken
        store.add_client("Rosa")
    assert len(list_backups(folder)) == 1
    open_store(data_dir).close()            # the last one is fresh: no new one
    assert len(list_backups(folder)) == 1
    # Age the backup by two days: the next open takes a new one.
    _when, path = list_backups(folder)[0]
    two_days_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
    path.rename(folder / backup_name(now=two_days_ago))
    open_store(data_dir).close()
    backups = list_backups(folder)
    assert len(backups) == 2
    conn = sqlite3.connect(backups[-1][1])
    assert [r[0] for r in conn.execute("SELECT name FROM clients")] == ["Rosa"]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    with open_store(data_dir) as store:
        made = [store.backup() for _ in range(KEEP + 2)]
        kept = store.list_backups()
    assert len(kept) == KEEP
    assert kept[-KEEP:] == made[-KEEP:]
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in kept)


def test_backup_to_a_chosen_place_never_overwrites(store, tmp_path):
    store.add_client("Sam")
    into_folder = store.backup(tmp_path)
    assert into_folder.parent == tmp_path and into_folder.suffix == ".db"
    target = tmp_path / "mine.db"
    target.write_bytes(b"precious")
    with pytest.raises(RecordsError, match="exists already"):
        store.backup(target)
    assert target.read_bytes() == b"precious"
    with pytest.raises(RecordsError, match="does not exist"):
        store.backup(tmp_path / "no" / "such.db")
    fresh = store.backup(tmp_path / "fresh.db")
    assert (fresh.stat().st_mode & 0o777) == 0o600
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    assert os.path.getsize(fresh) > 0
