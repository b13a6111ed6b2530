"""Schema migrations from every earlier version (frozen v1 and v2 databases in fixtures/)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from records_helpers import make_analysis

from shadematch.errors import RecordsError
from shadematch.records import SCHEMA_VERSION, open_store
from shadematch.records.store import records_dir

FIXTURES = Path(__file__).parent / "fixtures"


def _build(data_dir: Path, version: int) -> Path:
    """Create records.db in ``data_dir`` from the frozen schema-``version`` dump."""
    folder = records_dir(data_dir)
    folder.mkdir(parents=True)
    db = folder / "records.db"
    conn = sqlite3.connect(db)
    conn.executescript((FIXTURES / f"schema_v{version}.sql").read_text(encoding="utf-8"))
    conn.close()
    return db


def _columns(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: [(c[1], c[2], c[3], c[5]) for c in conn.execute(f"PRAGMA table_info({t})")]
            for t in tables}


def test_every_fixture_version_is_older_than_current():
    assert SCHEMA_VERSION == 5
    for version in (1, 2, 3):
        assert (FIXTURES / f"schema_v{version}.sql").is_file()


def test_migrate_from_v1(data_dir):
    db = _build(data_dir, 1)
    with open_store(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [c.name for c in store.search_clients()] == ["Alan Archer", "Beth Brown"]
        alan = store.get_client(1)
        assert (alan.dob, alan.contact, alan.notes, alan.hair_loss_pattern) == (
            "1971-03-14", "alan@example.org", "Norwood 6", None)
        assert len(alan.uid) == 32 and alan.uid != store.get_client(2).uid
        assert alan.updated == alan.created == "2024-05-01T10:00:00+00:00"
        visits = store.visits(1)
        assert [(v.kind, v.session_number) for v in visits] == [
            ("consultation", None), ("session", 1), ("session", 2)]
        # Picks were lifted out of the stored analyses into queryable columns.
        assert (visits[0].chosen_entry_id, visits[0].chosen_name, visits[0].dilution) == (
            "carbon-black@4:1", "Carbon Black 4:1", "4:1")
        assert (visits[1].chosen_entry_id, visits[1].dilution) == ("espresso@2:1", "2:1")
        assert visits[2].chosen_entry_id is None and visits[2].notes == "second pass"
        assert visits[0].analysis["samples"]["hair"]["lab"] == [18.5, 1.5, 2.5]
        # The old photo path is kept; there never was a copy to point at.
        assert [(p.original_path, p.sha256, p.stored_path) for p in visits[0].photos] == [
            ("/home/pro/Pictures/alan-1.jpg", None, None)]
        beth = store.visits(2)
        assert beth[0].kind == "touch-up"
        assert store.check() == []
        backups = store.list_backups()
    # A safety copy at the old version was taken before migrating.
    assert [p.name.endswith("-pre-migration-v1.db") for p in backups] == [True]
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 4
    old.close()
    assert (db.stat().st_mode & 0o777) == 0o600


def test_migrate_from_v2(data_dir, photo):
    _build(data_dir, 2)
    with open_store(data_dir) as store:
        carla = store.get_client(1)
        assert carla.hair_loss_pattern == "Ludwig II"
        assert carla.flags() == ["keloid"]
        assert carla.screening.answers["keloid"] == {"answer": "yes", "note": "chest"}
        assert carla.consent_at == "2025-01-10T10:02:00+00:00"
        visits = store.visits(1)
        assert [(v.label, v.batch, v.dilution) for v in visits] == [
            ("Consultation", None, "3:1"), ("Session 1", "LOT-2025-0117", "4:1"),
            ("Session 2", "LOT-2025-0117", "3:1")]
        assert visits[0].photos[0].original_path == "/media/card/DCIM/IMG_0001.JPG"
        # The migrated store works like a new one: the next session is number 3.
        vid = store.save_visit(1, make_analysis(), photo, kind="session")
        assert store.get_visit(vid).session_number == 3
        rows = store.touch_up_comparison(1, {"hair": [26.0, 3.0, 7.0]})
        assert [r["visit_id"] for r in rows] == [vid, 2, 1]
        assert rows[1]["batch"] == "LOT-2025-0117"
        assert store.check() == []


def test_migrate_from_v3_adds_row_versions_changes_and_audit_log(data_dir):
    db = _build(data_dir, 3)
    with open_store(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
        clients = store.search_clients()
        assert [c.name for c in clients] == ["Carla Cole", "Dev Dutt"]
        assert all(c.row_version == 1 and c.updated_by is None for c in clients)
        token = store.change_token()
        first = clients[0].id
        store.update_client(first, notes="checked")
        assert store.change_token() > token
        assert store.get_client(first).row_version == 2
        assert store.conn.execute("SELECT action, record FROM audit_log").fetchall() == [
            ("change", f"client #{first}"), ("view", f"client #{first}")]
    assert (records_dir(data_dir) / "backups").is_dir() and db.is_file()


def test_migrated_schema_equals_fresh_schema(tmp_path):
    shapes = []
    for version in (None, 1, 2, 3, 4):
        data_dir = tmp_path / f"from-{version}"
        data_dir.mkdir()
        if version is not None:
            _build(data_dir, version)
        open_store(data_dir).close()
        conn = sqlite3.connect(records_dir(data_dir) / "records.db")
        shapes.append(_columns(conn))
        indexes = sorted(r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
        shapes[-1]["__indexes__"] = indexes
        conn.close()
    assert shapes[0] == shapes[1] == shapes[2] == shapes[3] == shapes[4]
    assert "visit_photos" in shapes[0] and "uid" in [c[0] for c in shapes[0]["clients"]]


def test_migrate_from_v4_keeps_visit_ids_and_links_follow_ups(data_dir):
    db = _build(data_dir, 4)
    with open_store(data_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
        conn = store.conn
        assert [r[0] for r in conn.execute("SELECT id FROM visits ORDER BY id")] == [1, 2, 3, 4]
        assert conn.execute("SELECT save_token, updated_by FROM visits WHERE id = 4"
                            ).fetchone() == ("tok-4-1", "ana")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # Visit 5 was erased under version 4: its id is not handed out again.
        conn.execute("INSERT INTO visits (client_id, visit_date, kind, analysis_json, created, "
                     "follows_visit_id, passes) VALUES (1, '2026-05-01', 'follow-up', '{}', "
                     "'2026-05-01T10:00:00', 2, 3)")
        new = conn.execute("SELECT id, kind, follows_visit_id FROM visits WHERE kind = "
                           "'follow-up'").fetchone()
        assert new == (6, "follow-up", 2)
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO visits (client_id, visit_date, kind, analysis_json, "
                         "created) VALUES (1, '2026-05-01', 'party', '{}', 'x')")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE clients SET fitzpatrick = 7 WHERE id = 1")
        # Erasing the visit a follow-up follows keeps the follow-up, unlinked.
        conn.execute("DELETE FROM visits WHERE id = 2")
        assert conn.execute("SELECT follows_visit_id FROM visits WHERE id = 6").fetchone() == (
            None,)
        assert store.check() == []
    assert db.is_file()


def test_failed_migration_is_rolled_back(data_dir):
    db = _build(data_dir, 1)
    conn = sqlite3.connect(db)
    # A visit pointing at a client that does not exist (foreign keys were off when written).
    conn.execute("INSERT INTO visits VALUES (9, 77, '2024-01-01', 'consultation', '{}', NULL, "
                 "NULL)")
    conn.commit()
    conn.close()
    with pytest.raises(RecordsError, match="broken references.*nothing was changed"):
        open_store(data_dir)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 5
    assert "screenings" not in {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()


def test_database_from_newer_shadematch_is_refused_untouched(data_dir):
    db = _build(data_dir, 2)
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(RecordsError, match="newer than this shadematch.*Update shadematch"):
        open_store(data_dir)
    assert db.read_bytes() == before
