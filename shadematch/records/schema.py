"""The records schema and its ordered migrations.

The schema version lives in SQLite's ``PRAGMA user_version``. A fresh database runs every
migration from version 0, so the upgrade path from each earlier version is the same code that
builds a new store. Each migration runs in one transaction together with the ``user_version``
bump: a process killed half-way leaves the database at the previous version, untouched.

History
-------
1. clients (name, dob, contact, notes) and visits (date, kind, analysis JSON, photo path, notes).
2. hair-loss pattern, screening answers, consents; visit columns for the chosen pigment,
   dilution and batch (filled from the stored analyses).
3. photo copies in the store (content-addressed by SHA-256, with thumbnails), several photos per
   visit, session numbers, the exported report's path, a stable client ``uid`` for export/import;
   client and visit ids are never reused (AUTOINCREMENT); ``file_deletions``, the photo files an
   erasure committed to remove (removed after the commit, or at the next start after a crash).
4. row versions for clients (``row_version``, ``updated_by``: a save of a client changed
   elsewhere meanwhile is refused), ``records_changes`` (a counter every write bumps, so other
   workstations see that something changed), named ``users`` with roles, the append-only ``audit_log``, and a visit's
   ``save_token`` (a save repeated after a lost connection stores the visit once).
5. follow-up visits (``kind`` 'follow-up') linked to the visit they follow
   (``follows_visit_id``); the treatment details of a visit (``needle``, ``machine``, ``depth``,
   ``passes``, ``next_appointment``) and the appearance model it used (``model_version``); the
   client's Fitzpatrick type; a consent's text, version, typed name, drawn signature (PNG) and
   visit; ``fitted_models``, every appearance model the clinic fitted from its healed results
   (versioned; one is active).

The PostgreSQL server mode runs the same numbered migrations
(:mod:`shadematch.records.backends.pg_schema`).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable

from shadematch.errors import RecordsError

_V1 = """
CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    dob TEXT,
    contact TEXT,
    notes TEXT,
    created TEXT NOT NULL
);
CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    visit_date TEXT NOT NULL,
    kind TEXT NOT NULL,
    analysis_json TEXT NOT NULL,
    photo_path TEXT,
    notes TEXT
);
CREATE INDEX visits_client ON visits(client_id);
"""

_V2 = """
ALTER TABLE clients ADD COLUMN hair_loss_pattern TEXT;
CREATE TABLE screenings (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    recorded_at TEXT NOT NULL,
    answers_json TEXT NOT NULL
);
CREATE INDEX screenings_client ON screenings(client_id);
CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    given_at TEXT NOT NULL,
    note TEXT
);
CREATE INDEX consents_client ON consents(client_id);
ALTER TABLE visits ADD COLUMN chosen_entry_id TEXT;
ALTER TABLE visits ADD COLUMN chosen_name TEXT;
ALTER TABLE visits ADD COLUMN dilution TEXT;
ALTER TABLE visits ADD COLUMN batch TEXT;
"""

_V3 = """
CREATE TABLE clients_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL,
    name TEXT NOT NULL,
    dob TEXT,
    contact TEXT,
    hair_loss_pattern TEXT,
    notes TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE visits_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    visit_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('consultation', 'session', 'touch-up')),
    session_number INTEGER,
    analysis_json TEXT NOT NULL,
    chosen_entry_id TEXT,
    chosen_name TEXT,
    dilution TEXT,
    batch TEXT,
    notes TEXT,
    report_path TEXT,
    created TEXT NOT NULL
);
CREATE TABLE photos (
    sha256 TEXT PRIMARY KEY,
    stored_name TEXT NOT NULL,
    thumb_name TEXT,
    size INTEGER NOT NULL
);
CREATE TABLE visit_photos (
    visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sha256 TEXT REFERENCES photos(sha256),
    original_path TEXT,
    PRIMARY KEY (visit_id, position)
);
CREATE INDEX visit_photos_sha ON visit_photos(sha256);
CREATE TABLE file_deletions (
    id INTEGER PRIMARY KEY,
    stored_name TEXT,
    thumb_name TEXT,
    queued_at REAL NOT NULL
);
"""

_KIND_V1_TO_V3 = {"consultation": "consultation", "session": "session", "touch-up": "touch-up",
                  "touchup": "touch-up", "touch up": "touch-up"}


def _migrate_1(conn: sqlite3.Connection) -> None:
    for statement in _split(_V1):
        conn.execute(statement)


def _migrate_2(conn: sqlite3.Connection) -> None:
    for statement in _split(_V2):
        conn.execute(statement)
    rows = conn.execute("SELECT id, analysis_json FROM visits").fetchall()
    for visit_id, text in rows:
        entry_id, name, dilution = picks_from_analysis(_loads(text))
        conn.execute("UPDATE visits SET chosen_entry_id = ?, chosen_name = ?, dilution = ? "
                     "WHERE id = ?", (entry_id, name, dilution, visit_id))


def _migrate_3(conn: sqlite3.Connection) -> None:
    for statement in _split(_V3):
        conn.execute(statement)
    # Ids are never reused (AUTOINCREMENT): "client #38" on an old report must not become
    # somebody else after #38 is erased.
    for row in conn.execute("SELECT id, name, dob, contact, hair_loss_pattern, notes, created "
                            "FROM clients").fetchall():
        conn.execute("INSERT INTO clients_new (id, uid, name, dob, contact, hair_loss_pattern, "
                     "notes, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (row[0], uuid.uuid4().hex, *row[1:], row[6]))
    old = conn.execute("SELECT id, client_id, visit_date, kind, analysis_json, photo_path, notes, "
                       "chosen_entry_id, chosen_name, dilution, batch FROM visits "
                       "ORDER BY client_id, visit_date, id").fetchall()
    sessions: dict[int, int] = {}
    for (vid, cid, date, kind, analysis, photo_path, notes, entry_id, name, dilution,
         batch) in old:
        word = str(kind or "").strip().lower()
        number = None
        if word.startswith("session"):
            rest = word[len("session"):].strip()
            sessions[cid] = int(rest) if rest.isdigit() else sessions.get(cid, 0) + 1
            number = sessions[cid]
            word = "session"
        word = _KIND_V1_TO_V3.get(word, "consultation")
        conn.execute(
            "INSERT INTO visits_new (id, client_id, visit_date, kind, session_number, "
            "analysis_json, chosen_entry_id, chosen_name, dilution, batch, notes, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (vid, cid, date, word, number, analysis, entry_id, name, dilution, batch, notes, date))
        if photo_path:
            # Earlier versions only remembered where the photo was; no copy exists to point at.
            conn.execute("INSERT INTO visit_photos (visit_id, position, sha256, original_path) "
                         "VALUES (?, 0, NULL, ?)", (vid, photo_path))
    conn.execute("DROP TABLE visits")
    conn.execute("ALTER TABLE visits_new RENAME TO visits")
    conn.execute("CREATE INDEX visits_client ON visits(client_id, visit_date)")
    conn.execute("DROP TABLE clients")
    conn.execute("ALTER TABLE clients_new RENAME TO clients")
    conn.execute("CREATE UNIQUE INDEX clients_uid ON clients(uid)")
    conn.execute("CREATE INDEX clients_name ON clients(name COLLATE NOCASE)")


_V4 = """
ALTER TABLE clients ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN updated_by TEXT;
ALTER TABLE visits ADD COLUMN save_token TEXT;
ALTER TABLE visits ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE visits ADD COLUMN updated_by TEXT;
CREATE UNIQUE INDEX visits_save_token ON visits(save_token);
CREATE TABLE records_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO records_changes (id, seq) VALUES (1, 0);
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('practitioner', 'front_desk', 'admin')),
    pin_hash TEXT NOT NULL,
    created TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    record TEXT,
    detail TEXT
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
"""


def _migrate_4(conn: sqlite3.Connection) -> None:
    for statement in _split(_V4, triggers=True):
        conn.execute(statement)


_V5_VISITS = """
CREATE TABLE visits_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    visit_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('consultation', 'session', 'touch-up', 'follow-up')),
    session_number INTEGER,
    analysis_json TEXT NOT NULL,
    chosen_entry_id TEXT,
    chosen_name TEXT,
    dilution TEXT,
    batch TEXT,
    notes TEXT,
    report_path TEXT,
    created TEXT NOT NULL,
    save_token TEXT,
    row_version INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT,
    follows_visit_id INTEGER REFERENCES visits(id) ON DELETE SET NULL,
    needle TEXT,
    machine TEXT,
    depth TEXT,
    passes INTEGER,
    next_appointment TEXT,
    model_version TEXT
)
"""
_V5_VISIT_COLUMNS = ("id, client_id, visit_date, kind, session_number, analysis_json, "
                     "chosen_entry_id, chosen_name, dilution, batch, notes, report_path, created, "
                     "save_token, row_version, updated_by")

_V5 = """
CREATE INDEX visits_client ON visits(client_id, visit_date);
CREATE UNIQUE INDEX visits_save_token ON visits(save_token);
CREATE INDEX visits_follows ON visits(follows_visit_id);
ALTER TABLE clients ADD COLUMN fitzpatrick INTEGER CHECK (fitzpatrick BETWEEN 1 AND 6);
ALTER TABLE consents ADD COLUMN consent_version TEXT;
ALTER TABLE consents ADD COLUMN consent_text TEXT;
ALTER TABLE consents ADD COLUMN typed_name TEXT;
ALTER TABLE consents ADD COLUMN signature_png BLOB;
ALTER TABLE consents ADD COLUMN visit_id INTEGER REFERENCES visits(id) ON DELETE SET NULL;
CREATE TABLE fitted_models (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    created_by TEXT,
    parameters_json TEXT NOT NULL,
    loo_before REAL,
    loo_after REAL,
    n_outcomes INTEGER,
    excluded_json TEXT,
    active INTEGER NOT NULL DEFAULT 0
)
"""


def _migrate_5(conn: sqlite3.Connection) -> None:
    # SQLite cannot alter a CHECK constraint: the visits table is rebuilt, keeping its ids and
    # the AUTOINCREMENT high-water mark (an erased visit's id is never handed out again).
    high = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'visits'").fetchone()
    conn.execute(_V5_VISITS)
    conn.execute(f"INSERT INTO visits_new ({_V5_VISIT_COLUMNS}) "
                 f"SELECT {_V5_VISIT_COLUMNS} FROM visits ORDER BY id")
    conn.execute("DROP TABLE visits")
    conn.execute("ALTER TABLE visits_new RENAME TO visits")
    if high is not None:
        conn.execute("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'visits'",
                     (int(high[0]),))
        if conn.execute("SELECT changes()").fetchone()[0] == 0:
            conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('visits', ?)",
                         (int(high[0]),))
    for statement in _split(_V5):
        conn.execute(statement)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_1, _migrate_2, _migrate_3, _migrate_4, _migrate_5)
"""``MIGRATIONS[i]`` upgrades a database from version ``i`` to ``i + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)


def _split(script: str, triggers: bool = False) -> list[str]:
    if triggers:
        # Trigger bodies hold their own ';': split on the ';' that ends a line.
        return [part.strip() for part in script.split(";\n") if part.strip()]
    return [part.strip() for part in script.split(";") if part.strip()]


def _loads(text: str) -> dict:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def picks_from_analysis(analysis: dict) -> tuple[str | None, str | None, str | None]:
    """The practitioner's primary pick in an analysis record: ``(entry_id, name, dilution)``.

    Falls back to the best-ranked entry's name lookup when the pick names only an id.
    """
    picks = analysis.get("picks") or {}
    primary = picks.get("primary") if isinstance(picks, dict) else None
    if not isinstance(primary, dict):
        return None, None, None
    entry_id = primary.get("entry_id")
    name = primary.get("name")
    dilution = primary.get("dilution")
    if entry_id and not name:
        for item in analysis.get("ranking") or []:
            if isinstance(item, dict) and item.get("id") == entry_id:
                name = item.get("name")
                dilution = dilution or item.get("dilution")
                break
    return (str(entry_id) if entry_id else None, str(name) if name else None,
            str(dilution) if dilution else None)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, on_before: Callable[[int], None] | None = None) -> int:
    """Bring the database up to :data:`SCHEMA_VERSION`; returns the version it started from.

    ``conn`` must be in autocommit mode (``isolation_level=None``). ``on_before(version)`` is
    called once before the first migration runs (the store uses it to take a backup).

    Raises
    ------
    RecordsError
        The database was written by a newer shadematch, or a migration failed (rolled back).
    """
    start = schema_version(conn)
    if start > SCHEMA_VERSION:
        raise RecordsError(
            f"The records database is schema version {start}, newer than this shadematch "
            f"understands ({SCHEMA_VERSION}). Update shadematch; nothing was changed.")
    if start == SCHEMA_VERSION:
        return start
    if on_before is not None:
        on_before(start)
    # Table rebuilds need foreign keys off; the setting cannot change inside a transaction.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        while True:
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Re-read under the write lock: another process may have migrated meanwhile.
                version = schema_version(conn)
                if version >= SCHEMA_VERSION:
                    conn.execute("COMMIT")
                    break
                MIGRATIONS[version](conn)
                problems = conn.execute("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise RecordsError(
                        f"Upgrading the records from schema version {version} found "
                        f"{len(problems)} broken references; nothing was changed. Restore a "
                        f"backup (shadematch restore) or contact support.")
                conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
    except sqlite3.Error as exc:
        raise RecordsError(f"Upgrading the records database failed ({exc}); it was left at "
                           f"its previous version. Restore a backup if it keeps failing.") from exc
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return start
