"""The client records store: one SQLite database plus photo copies, in the user data folder.

Layout (``<data>/records``, 0700; every file 0600)::

    records.db (+ -wal, -shm)     clients, screenings, consents, visits, photos
    photos/ab/<sha256>.<ext>      photo copies, content-addressed
    thumbs/<sha256>.jpg           thumbnails (256 px JPEG)
    backups/records-<time>.db     the last 7 backups (SQLite backup API)

WAL journal, ``synchronous=FULL``, foreign keys on, every write in one ``BEGIN IMMEDIATE``
transaction: a process killed at any moment leaves the store consistent and keeps every save that
returned. A store object may be used from several threads (one at a time, it holds a lock).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from shadematch.errors import RecordsError
from shadematch.records import backups as _backups
from shadematch.records import schema as _schema
from shadematch.records import touchup as _touchup
from shadematch.records.models import (
    SCREENING_ITEMS,
    TREATMENT_KINDS,
    Client,
    Screening,
    Visit,
    VisitPhoto,
    clean_client_fields,
    iso_time,
    normalise_screening,
    parse_kind,
)
from shadematch.records.photos import (
    FILE_MODE,
    ORPHAN_AGE_SECONDS,
    PhotoFiles,
    private_dir,
    prune_orphans,
    sweep_temporary_files,
)

DB_NAME = "records.db"
_SQLITE_HEADER = b"SQLite format 3\x00"
_F = TypeVar("_F", bound=Callable[..., Any])
_CLIENT_FIELDS = ("name", "dob", "contact", "hair_loss_pattern", "notes")
_VISIT_FIELDS = ("chosen_entry_id", "chosen_name", "dilution", "batch", "notes", "report_path")


def now_utc() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def records_dir(data_dir: Path | None = None) -> Path:
    """The records folder inside ``data_dir`` (default: the user data folder)."""
    if data_dir is None:
        from shadematch.resources import user_data_dir

        data_dir = user_data_dir()
    return Path(data_dir) / "records"


class DamagedRecordsError(RecordsError):
    """The records database file is damaged (not SQLite, or fails its integrity check)."""


def _sql_errors(method: _F) -> _F:
    """Turn SQLite errors escaping a public method into RecordsError with advice."""

    @functools.wraps(method)
    def wrapper(self: RecordStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise RecordsError(
                    f"The records database {self.db_path} is busy (another shadematch is "
                    f"writing to it); try again in a moment.") from exc
            raise RecordsError(f"The records database {self.db_path} could not be used ({exc}). "
                               f"Run `shadematch records check`.") from exc
        except sqlite3.DatabaseError as exc:
            raise RecordsError(
                f"The records database {self.db_path} is damaged ({exc}). Nothing was changed; "
                f"restore the latest backup from {self.backups_dir} with `shadematch restore`."
            ) from exc

    return wrapper  # type: ignore[return-value]


class RecordStore:
    """Clients, screening, consent, visits and photo copies. Use :func:`open_store` to get one."""

    def __init__(self, root: Path, *, auto_backup: bool = True) -> None:
        self.root = Path(root)
        self.db_path = self.root / DB_NAME
        self.backups_dir = self.root / "backups"
        self.files = PhotoFiles(self.root)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        try:
            private_dir(self.root)
            existed = self.db_path.exists() and self.db_path.stat().st_size > 0
            self._conn = self._connect(existed)
        except OSError as exc:
            raise RecordsError(
                f"The records folder {self.root} cannot be used ({exc.strerror or exc}). Check "
                f"that it is a folder you can write to, or point SHADEMATCH_DATA_DIR at one."
            ) from exc
        try:
            _schema.migrate(self._conn, on_before=self._backup_before_migration)
            try:
                self.files.ensure_dirs()
            except OSError as exc:
                raise RecordsError(f"The photo folders in {self.root} cannot be created "
                                   f"({exc.strerror or exc}); check the folder's permissions."
                                   ) from exc
            if auto_backup and existed and _backups.backup_due(self.backups_dir):
                self.backup()
            self._finish_file_deletions()
            sweep_temporary_files(self.files)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ connection
    def _damaged(self, detail: str) -> RecordsError:
        detail = " ".join(detail.replace("*** in database main ***", "").split())
        return DamagedRecordsError(
            f"The records database {self.db_path} is damaged ({detail}). It was left as it is. "
            f"Close shadematch and restore the latest backup from {self.backups_dir} "
            f"(`shadematch restore` lists them; see docs/RECORDS.md).")

    def _connect(self, existed: bool) -> sqlite3.Connection:
        if existed:
            try:
                with open(self.db_path, "rb") as handle:
                    header = handle.read(len(_SQLITE_HEADER))
            except OSError as exc:
                raise RecordsError(f"The records database {self.db_path} cannot be read "
                                   f"({exc.strerror or exc}); check its permissions.") from exc
            if header != _SQLITE_HEADER:
                raise self._damaged("it is not an SQLite database")
        else:
            try:
                os.close(os.open(self.db_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
            except FileExistsError:
                pass  # another process created it meanwhile
        if (self.db_path.stat().st_mode & 0o777) != FILE_MODE:
            os.chmod(self.db_path, FILE_MODE)
        try:
            conn = sqlite3.connect(self.db_path, isolation_level=None, timeout=30.0,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise RecordsError(f"The records database {self.db_path} cannot be opened ({exc})."
                               ) from exc
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            if existed:
                result = conn.execute("PRAGMA quick_check").fetchall()
                if result != [("ok",)]:
                    raise self._damaged("; ".join(str(row[0]) for row in result[:3]))
                version = _schema.schema_version(conn)
                if version > _schema.SCHEMA_VERSION:
                    raise RecordsError(
                        f"The records database {self.db_path} is schema version {version}, "
                        f"newer than this shadematch understands ({_schema.SCHEMA_VERSION}). "
                        f"Update shadematch; nothing was changed.")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise RecordsError(f"The records database {self.db_path} could not be switched "
                                   f"to WAL mode (got {mode}); is the folder on a network drive? "
                                   f"Keep the data folder on a local disk.")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Erased clients leave no readable remains in freed pages.
            conn.execute("PRAGMA secure_delete = ON")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self._damaged(str(exc)) from exc
        except BaseException:
            conn.close()
            raise
        for suffix in ("-wal", "-shm"):
            side = self.db_path.with_name(self.db_path.name + suffix)
            if side.exists() and (side.stat().st_mode & 0o777) != FILE_MODE:
                os.chmod(side, FILE_MODE)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RecordsError("The records store is closed; open it again with open_store().")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        # One snapshot for multi-query reads.
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def close(self) -> None:
        """Close the database (idempotent)."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                finally:
                    self._conn = None

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._lock:
            return _schema.schema_version(self.conn)

    # ------------------------------------------------------------------ clients
    @_sql_errors
    def add_client(self, name: str, dob: str | None = None, contact: str | None = None,
                   hair_loss_pattern: str | None = None, notes: str | None = None) -> int:
        """Add a client; returns the new client id.

        Parameters
        ----------
        name : the client's name (required, not blank).
        dob : date of birth, ``YYYY-MM-DD``.
        contact : phone / e-mail, free text.
        hair_loss_pattern : Norwood / Ludwig stage ("Norwood 5") or free text.
        notes : free text.

        Raises
        ------
        RecordsError
            Blank name, a malformed or future date of birth.
        """
        values = clean_client_fields({"name": name, "dob": dob, "contact": contact,
                                       "hair_loss_pattern": hair_loss_pattern, "notes": notes})
        stamp = now_utc()
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO clients (uid, name, dob, contact, hair_loss_pattern, notes, created, "
                "updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (uuid.uuid4().hex, values["name"], values["dob"], values["contact"],
                 values["hair_loss_pattern"], values["notes"], stamp, stamp))
            return int(cursor.lastrowid)

    @_sql_errors
    def update_client(self, client_id: int, **fields: str | None) -> Client:
        """Change some of ``name``, ``dob``, ``contact``, ``hair_loss_pattern``, ``notes``.

        Returns the updated client. Raises RecordsError for an unknown client or field.
        """
        unknown = sorted(set(fields) - set(_CLIENT_FIELDS))
        if unknown:
            raise RecordsError(f"Cannot update {', '.join(unknown)}; a client has "
                               f"{', '.join(_CLIENT_FIELDS)}.")
        values = clean_client_fields(fields)
        with self._write() as conn:
            self._require_client(conn, client_id)
            if values:
                assignments = ", ".join(f"{key} = ?" for key in values)
                conn.execute(f"UPDATE clients SET {assignments}, updated = ? WHERE id = ?",
                             (*values.values(), now_utc(), client_id))
        return self.get_client(client_id)

    def _require_client(self, conn: sqlite3.Connection, client_id: int) -> tuple:
        row = conn.execute("SELECT id, name, dob FROM clients WHERE id = ?",
                           (int(client_id),)).fetchone()
        if row is None:
            raise RecordsError(f"There is no client #{client_id} in the records; "
                               f"`shadematch clients list` shows the clients.")
        return row

    @_sql_errors
    def get_client(self, client_id: int) -> Client:
        """The client with its latest screening, consents and visit count."""
        with self._read() as conn:
            self._require_client(conn, client_id)
            return self._clients(conn, "WHERE c.id = ?", (int(client_id),))[0]

    @_sql_errors
    def search_clients(self, text: str = "") -> list[Client]:
        """Clients whose name or contact contains ``text`` (any case), or whose id is ``text``
        ("#12" matches the id only); all clients when ``text`` is blank. Sorted by name."""
        text = (text or "").strip()
        with self._read() as conn:
            if not text:
                return self._clients(conn, "", ())
            if text.startswith("#") and text[1:].isdigit():
                return self._clients(conn, "WHERE c.id = ?", (int(text[1:]),))
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where = ("WHERE c.name LIKE ? ESCAPE '\\' OR c.contact LIKE ? ESCAPE '\\' "
                     "OR c.id = ?")
            ident = int(text.lstrip("#")) if text.lstrip("#").isdigit() else -1
            return self._clients(conn, where, (pattern, pattern, ident))

    def _clients(self, conn: sqlite3.Connection, where: str, params: tuple) -> list[Client]:
        rows = conn.execute(
            "SELECT c.id, c.uid, c.name, c.dob, c.contact, c.hair_loss_pattern, c.notes, "
            "c.created, c.updated, "
            "(SELECT COUNT(*) FROM visits v WHERE v.client_id = c.id), "
            "(SELECT MAX(visit_date) FROM visits v WHERE v.client_id = c.id) "
            f"FROM clients c {where} ORDER BY c.name COLLATE NOCASE, c.id", params).fetchall()
        clients = []
        for row in rows:
            client = Client(id=row[0], uid=row[1], name=row[2], dob=row[3], contact=row[4],
                            hair_loss_pattern=row[5], notes=row[6], created=row[7],
                            updated=row[8] or row[7], visit_count=row[9], last_visit=row[10])
            screening = conn.execute(
                "SELECT recorded_at, answers_json FROM screenings WHERE client_id = ? "
                "ORDER BY recorded_at DESC, id DESC LIMIT 1", (client.id,)).fetchone()
            if screening:
                client.screening = Screening(screening[0], json.loads(screening[1]))
            client.consents = [r[0] for r in conn.execute(
                "SELECT given_at FROM consents WHERE client_id = ? ORDER BY given_at, id",
                (client.id,))]
            clients.append(client)
        return clients

    @_sql_errors
    def set_screening(self, client_id: int, answers: dict[str, Any],
                      when: str | None = None) -> Screening:
        """Record a consultation screening (kept alongside earlier ones; the latest counts).

        Parameters
        ----------
        answers : item key -> "yes" / "no" / None or ``{"answer", "note", ...}``; see
            :data:`shadematch.records.models.SCREENING_ITEMS`. Missing items stay unanswered.
        when : ISO 8601 time; default now (UTC).
        """
        clean = normalise_screening(answers)
        stamp = iso_time(when) if when else now_utc()
        with self._write() as conn:
            self._require_client(conn, client_id)
            conn.execute("INSERT INTO screenings (client_id, recorded_at, answers_json) "
                         "VALUES (?, ?, ?)", (int(client_id), stamp, json.dumps(clean)))
        return Screening(stamp, clean)

    @_sql_errors
    def screenings(self, client_id: int) -> list[Screening]:
        """Every screening of the client, oldest first."""
        with self._read() as conn:
            self._require_client(conn, client_id)
            return [Screening(r[0], json.loads(r[1])) for r in conn.execute(
                "SELECT recorded_at, answers_json FROM screenings WHERE client_id = ? "
                "ORDER BY recorded_at, id", (int(client_id),))]

    @_sql_errors
    def record_consent(self, client_id: int, when: str | dt.datetime | None = None,
                       note: str | None = None) -> str:
        """Record that the client gave consent at ``when`` (default now); returns the time."""
        stamp = iso_time(when) if when else now_utc()
        with self._write() as conn:
            self._require_client(conn, client_id)
            conn.execute("INSERT INTO consents (client_id, given_at, note) VALUES (?, ?, ?)",
                         (int(client_id), stamp, note))
        return stamp

    # ------------------------------------------------------------------ visits
    @_sql_errors
    def save_visit(self, client_id: int, analysis: dict, photo_path: Path | str | None,
                   kind: str = "consultation", chosen_entry_id: str | None = None,
                   dilution: str | None = None, batch: str | None = None,
                   notes: str | None = None, report_path: str | Path | None = None, *,
                   chosen_name: str | None = None, visit_date: str | None = None,
                   session_number: int | None = None) -> int:
        """Store a visit with its analysis record and a copy of its photo; returns its id.

        Parameters
        ----------
        analysis : the analysis record (docs/ANALYSIS_FORMAT.md) as a dict.
        photo_path : the photo to copy into the store (None: no photo).
        kind : "consultation", "session" (numbered automatically, or "session 3"), "touch-up".
        chosen_entry_id, dilution, chosen_name : the pigment used; default: the analysis's
            primary pick.
        batch : pigment batch or lot number.
        visit_date : ISO 8601 date or time; default now (UTC).

        Raises
        ------
        RecordsError
            Unknown client or kind, a client under 18 for a session or touch-up, an analysis that
            is not a JSON object, an unreadable photo.
        """
        kind, number = parse_kind(kind, session_number)
        if not isinstance(analysis, dict):
            raise RecordsError("A visit stores an analysis record (a JSON object); got "
                               f"{type(analysis).__name__}. Run the analysis first.")
        try:
            analysis_json = json.dumps(analysis, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise RecordsError(f"The analysis cannot be stored as JSON ({exc}).") from exc
        stamp = iso_time(visit_date) if visit_date else now_utc()
        picked_id, picked_name, picked_dilution = _schema.picks_from_analysis(analysis)
        if chosen_entry_id is None:
            chosen_entry_id, chosen_name = picked_id, chosen_name or picked_name
        elif chosen_name is None and chosen_entry_id == picked_id:
            chosen_name = picked_name
        if chosen_name is None and chosen_entry_id:
            chosen_name = _name_in_ranking(analysis, chosen_entry_id)
        if dilution is None and chosen_entry_id == picked_id:
            dilution = picked_dilution
        with self._lock:
            client = self.get_client(client_id)
            if kind in TREATMENT_KINDS:
                day = dt.date.fromisoformat(stamp[:10])
                if client.is_minor(day):
                    why = (f"born {client.dob}" if client.age(day) is not None
                           and client.age(day) < 18 else "screening answer")
                    raise RecordsError(
                        f"{client.name} is under 18 ({why}): a treatment visit ({kind}) cannot "
                        f"be started. Record a consultation instead, or correct the date of "
                        f"birth / screening if it is wrong.")
            photo = None
            if photo_path is not None:
                # Copied before the transaction: a kill here leaves only an unreferenced file.
                photo = self.files.add(Path(photo_path))
            with self._write() as conn:
                self._require_client(conn, client_id)
                if kind == "session" and number is None:
                    number = 1 + conn.execute(
                        "SELECT COALESCE(MAX(session_number), 0) FROM visits "
                        "WHERE client_id = ? AND kind = 'session'", (int(client_id),)
                    ).fetchone()[0]
                cursor = conn.execute(
                    "INSERT INTO visits (client_id, visit_date, kind, session_number, "
                    "analysis_json, chosen_entry_id, chosen_name, dilution, batch, notes, "
                    "report_path, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (int(client_id), stamp, kind, number, analysis_json, chosen_entry_id,
                     chosen_name, dilution, batch, notes,
                     str(report_path) if report_path else None, now_utc()))
                visit_id = int(cursor.lastrowid)
                if photo is not None:
                    sha, stored_name, thumb_name, size = photo
                    self._link_photo(conn, visit_id, 0, sha, stored_name, thumb_name, size,
                                     str(Path(photo_path).expanduser().absolute()))
                return visit_id

    def _link_photo(self, conn: sqlite3.Connection, visit_id: int, position: int,
                    sha: str | None, stored_name: str | None, thumb_name: str | None,
                    size: int | None, original_path: str | None) -> None:
        if sha is not None:
            conn.execute("INSERT INTO photos (sha256, stored_name, thumb_name, size) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET "
                         "thumb_name = COALESCE(photos.thumb_name, excluded.thumb_name)",
                         (sha, stored_name, thumb_name, size))
        conn.execute("INSERT INTO visit_photos (visit_id, position, sha256, original_path) "
                     "VALUES (?, ?, ?, ?)", (visit_id, position, sha, original_path))

    @_sql_errors
    def add_photo(self, visit_id: int, photo_path: Path | str) -> None:
        """Keep another photo with an existing visit."""
        with self._lock:
            self.get_visit(visit_id)
            sha, stored_name, thumb_name, size = self.files.add(Path(photo_path))
            with self._write() as conn:
                position = conn.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM "
                                        "visit_photos WHERE visit_id = ?", (visit_id,)
                                        ).fetchone()[0]
                self._link_photo(conn, visit_id, position, sha, stored_name, thumb_name, size,
                                 str(Path(photo_path).expanduser().absolute()))

    @_sql_errors
    def update_visit(self, visit_id: int, **fields: str | None) -> Visit:
        """Change ``chosen_entry_id``, ``chosen_name``, ``dilution``, ``batch``, ``notes`` or
        ``report_path`` (e.g. once the PDF report is exported)."""
        unknown = sorted(set(fields) - set(_VISIT_FIELDS))
        if unknown:
            raise RecordsError(f"Cannot update {', '.join(unknown)}; a visit has "
                               f"{', '.join(_VISIT_FIELDS)}.")
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM visits WHERE id = ?", (int(visit_id),)).fetchone() \
                    is None:
                raise RecordsError(f"There is no visit #{visit_id} in the records.")
            if fields:
                assignments = ", ".join(f"{key} = ?" for key in fields)
                values = [str(v) if v is not None else None for v in fields.values()]
                conn.execute(f"UPDATE visits SET {assignments} WHERE id = ?",
                             (*values, int(visit_id)))
        return self.get_visit(visit_id)

    _VISIT_COLUMNS = ("id, client_id, visit_date, kind, session_number, analysis_json, "
                      "chosen_entry_id, chosen_name, dilution, batch, notes, report_path, created")

    def _visit(self, conn: sqlite3.Connection, row: tuple) -> Visit:
        try:
            analysis = json.loads(row[5])
        except ValueError:
            analysis = {}
        visit = Visit(id=row[0], client_id=row[1], visit_date=row[2], kind=row[3],
                      session_number=row[4], analysis=analysis, chosen_entry_id=row[6],
                      chosen_name=row[7], dilution=row[8], batch=row[9], notes=row[10],
                      report_path=row[11], created=row[12])
        for sha, original, stored_name, thumb_name in conn.execute(
                "SELECT vp.sha256, vp.original_path, p.stored_name, p.thumb_name "
                "FROM visit_photos vp LEFT JOIN photos p ON p.sha256 = vp.sha256 "
                "WHERE vp.visit_id = ? ORDER BY vp.position", (visit.id,)):
            visit.photos.append(VisitPhoto(
                sha, original, self.files.stored_path(stored_name) if stored_name else None,
                self.files.thumb_path(thumb_name) if thumb_name else None))
        return visit

    @_sql_errors
    def visits(self, client_id: int) -> list[Visit]:
        """The client's visits, oldest first."""
        with self._read() as conn:
            self._require_client(conn, client_id)
            rows = conn.execute(f"SELECT {self._VISIT_COLUMNS} FROM visits WHERE client_id = ? "
                                "ORDER BY visit_date, id", (int(client_id),)).fetchall()
            return [self._visit(conn, row) for row in rows]

    @_sql_errors
    def get_visit(self, visit_id: int) -> Visit:
        """One visit with its ``analysis`` dict and photos."""
        with self._read() as conn:
            row = conn.execute(f"SELECT {self._VISIT_COLUMNS} FROM visits WHERE id = ?",
                               (int(visit_id),)).fetchone()
            if row is None:
                raise RecordsError(f"There is no visit #{visit_id} in the records; "
                                   f"`shadematch clients show ID` lists a client's visits.")
            return self._visit(conn, row)

    def touch_up_comparison(self, client_id: int,
                            current_samples: dict[str, list[float]]) -> list[dict]:
        """Compare today's samples with the same classes at each earlier visit, newest first.

        Parameters
        ----------
        current_samples : region class -> Lab (L* 0..100), e.g. ``{"hair": [22, 3, 5]}``; an
            analysis's ``samples`` block (class -> {"lab": ...}) is accepted too.

        Returns
        -------
        list of dict
            One per earlier visit and class: ``visit_id, visit_date, label, kind,
            session_number, class, then_lab, now_lab, delta_e`` (CIEDE2000), ``dL, dC, dH``
            (now minus then), ``direction`` (words for now relative to then: "darker",
            "less saturated", "cooler"...), and what was used: ``chosen_entry_id, chosen_name,
            dilution, batch``.
        """
        current: dict[str, list[float]] = {}
        for key, value in (current_samples or {}).items():
            lab = value.get("lab") if isinstance(value, dict) else value
            checked = _touchup.sample_lab({"samples": {key: {"lab": lab}}}, key)
            if checked is None:
                raise RecordsError(f"The current {key} sample has no valid Lab value "
                                   f"({lab!r}); measure the {key} region again.")
            current[key] = checked
        result = []
        for visit in reversed(self.visits(client_id)):
            for region_class, now_lab in current.items():
                then_lab = _touchup.sample_lab(visit.analysis, region_class)
                if then_lab is None:
                    continue
                entry = {"visit_id": visit.id, "visit_date": visit.visit_date,
                         "label": visit.label, "kind": visit.kind,
                         "session_number": visit.session_number, "class": region_class,
                         "then_lab": then_lab, "now_lab": now_lab}
                entry.update(_touchup.compare(then_lab, now_lab))
                entry.update({"chosen_entry_id": visit.chosen_entry_id,
                              "chosen_name": visit.chosen_name, "dilution": visit.dilution,
                              "batch": visit.batch})
                result.append(entry)
        return result

    # ------------------------------------------------------------------ erasure, transfer
    @_sql_errors
    def delete_client(self, client_id: int) -> dict[str, int]:
        """Erase a client: their record, screenings, consents, visits, and photo copies and
        thumbnails no other client's visit uses. Returns counts of what was removed."""
        with self._lock:
            with self._write() as conn:
                self._require_client(conn, client_id)
                shas = [r[0] for r in conn.execute(
                    "SELECT DISTINCT vp.sha256 FROM visit_photos vp JOIN visits v ON "
                    "v.id = vp.visit_id WHERE v.client_id = ? AND vp.sha256 IS NOT NULL",
                    (int(client_id),))]
                visits = conn.execute("SELECT COUNT(*) FROM visits WHERE client_id = ?",
                                      (int(client_id),)).fetchone()[0]
                conn.execute("DELETE FROM clients WHERE id = ?", (int(client_id),))
                unused = 0
                for sha in shas:
                    if conn.execute("SELECT 1 FROM visit_photos WHERE sha256 = ? LIMIT 1",
                                    (sha,)).fetchone() is None:
                        row = conn.execute("SELECT stored_name, thumb_name FROM photos WHERE "
                                           "sha256 = ?", (sha,)).fetchone()
                        conn.execute("DELETE FROM photos WHERE sha256 = ?", (sha,))
                        if row:
                            # Journaled in the same transaction: if the process dies before
                            # the files are gone, the next start finishes the erasure.
                            conn.execute("INSERT INTO file_deletions (stored_name, thumb_name, "
                                         "queued_at) VALUES (?, ?, ?)", (*row, time.time()))
                            unused += 1
            self._finish_file_deletions()
            # Keep no erased data in freed pages of the database or its WAL.
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {"visits": int(visits), "photos": unused}

    def _finish_file_deletions(self) -> None:
        """Remove the files erasures committed to remove, unless a save reused them since."""
        with self._write() as conn:
            pending = conn.execute("SELECT id, stored_name, thumb_name, queued_at FROM "
                                   "file_deletions").fetchall()
            for row_id, stored_name, thumb_name, queued_at in pending:
                in_use = conn.execute("SELECT 1 FROM photos WHERE stored_name = ?",
                                      (stored_name,)).fetchone() is not None
                if not in_use:
                    for path in (self.files.stored_path(stored_name) if stored_name else None,
                                 self.files.thumb_path(thumb_name) if thumb_name else None):
                        # A save touches a file before referring to it: a newer mtime means
                        # the same photo is being saved again right now.
                        if path is not None and _mtime(path) <= queued_at:
                            path.unlink(missing_ok=True)
                conn.execute("DELETE FROM file_deletions WHERE id = ?", (row_id,))

    def export_client(self, client_id: int, out_dir: Path | str) -> Path:
        """Write the client (JSON) and their photo copies to a new folder ``out_dir``."""
        from shadematch.records.transfer import export_client

        return export_client(self, client_id, Path(out_dir))

    def import_client(self, in_dir: Path | str) -> int:
        """Add a client exported by :meth:`export_client`; returns the new client id."""
        from shadematch.records.transfer import import_client

        return import_client(self, Path(in_dir))

    # ------------------------------------------------------------------ safety
    @_sql_errors
    def backup(self, dest: Path | str | None = None) -> Path:
        """A consistent copy of the database (SQLite backup API), 0600; returns its path.

        ``dest`` None: into the store's backups folder (the last 7 are kept); a folder: a new
        dated file inside it; a file name: that new file (never overwritten).
        """
        with self._lock:
            if dest is None:
                return _backups.backup_into(self.conn, self.backups_dir)
            dest = Path(dest).expanduser()
            if dest.is_dir():
                dest = dest / _backups.backup_name()
            if not dest.parent.is_dir():
                raise RecordsError(f"The folder {dest.parent} does not exist; create it or "
                                   f"choose another place for the backup.")
            return _backups.write_backup(self.conn, dest)

    def list_backups(self) -> list[Path]:
        """Backups in the store's backups folder, oldest first."""
        return [path for _when, path in _backups.list_backups(self.backups_dir)]

    def _backup_before_migration(self, version: int) -> None:
        if version > 0:
            private_dir(self.backups_dir)
            _backups.backup_into(self.conn, self.backups_dir, tag=f"pre-migration-v{version}")

    @_sql_errors
    def check(self) -> list[str]:
        """Full integrity check; returns the problems found (empty: all is well).

        Checks SQLite's integrity and foreign keys, that every analysis is valid JSON, that
        every photo copy exists with the right SHA-256 and that files are owner-only.
        """
        from shadematch.records.photos import sha256_file

        problems: list[str] = []
        with self._read() as conn:
            problems += [f"database: {r[0]}" for r in conn.execute("PRAGMA integrity_check")
                         if r[0] != "ok"]
            problems += [f"database: broken reference in {r[0]} row {r[1]} to {r[2]}"
                         for r in conn.execute("PRAGMA foreign_key_check")]
            for visit_id, text in conn.execute("SELECT id, analysis_json FROM visits"):
                try:
                    if not isinstance(json.loads(text), dict):
                        raise ValueError("not an object")
                except ValueError:
                    problems.append(f"visit #{visit_id}: the stored analysis is not valid JSON")
            photos = conn.execute("SELECT sha256, stored_name, thumb_name FROM photos").fetchall()
            dangling = conn.execute("SELECT vp.visit_id, vp.sha256 FROM visit_photos vp LEFT "
                                    "JOIN photos p ON p.sha256 = vp.sha256 WHERE "
                                    "vp.sha256 IS NOT NULL AND p.sha256 IS NULL").fetchall()
        problems += [f"visit #{v}: photo {s[:12]}… is not listed" for v, s in dangling]
        for sha, stored_name, thumb_name in photos:
            path = self.files.stored_path(stored_name)
            if not path.is_file():
                problems.append(f"photo {path} is missing")
            elif sha256_file(path) != sha:
                problems.append(f"photo {path} does not match its SHA-256 (changed on disk)")
            if thumb_name and not self.files.thumb_path(thumb_name).is_file():
                problems.append(f"thumbnail {self.files.thumb_path(thumb_name)} is missing")
        for path in [self.db_path, *self.list_backups(),
                     *(p for _k, p in self.files.all_files())]:
            try:
                if path.exists() and path.stat().st_mode & 0o077:
                    problems.append(f"{path} is readable by other users (chmod 600 it)")
            except FileNotFoundError:
                pass
        return problems

    @_sql_errors
    def prune_orphans(self, min_age: float = ORPHAN_AGE_SECONDS) -> list[Path]:
        """Delete photo and thumbnail files no visit refers to, untouched for ``min_age`` s.

        Such files are left by saves killed before their transaction committed, or remain
        after restoring an older backup (copy them out first if you need them). Never run
        automatically. Returns the removed paths.
        """
        with self._write() as conn:
            photos = {r[0] for r in conn.execute("SELECT stored_name FROM photos")}
            thumbs = {r[0] for r in conn.execute("SELECT thumb_name FROM photos") if r[0]}
            return prune_orphans(self.files, photos, thumbs, min_age=min_age)

    def counts(self) -> dict[str, int]:
        """Numbers of clients, visits and photo copies."""
        with self._read() as conn:
            return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                    for table in ("clients", "visits", "photos")}


def open_store(data_dir: Path | None = None, *, auto_backup: bool = True) -> RecordStore:
    """Open (creating or upgrading if needed) the records store in ``data_dir``.

    ``data_dir`` defaults to the user data folder (``SHADEMATCH_DATA_DIR`` overrides it); the
    store lives in its ``records`` sub-folder. Runs a quick integrity check, pending migrations
    (after a safety backup) and the daily backup.

    Raises
    ------
    RecordsError
        The database is damaged (message names the file and the backups folder; nothing is
        changed), from a newer shadematch, or cannot be created.
    """
    return RecordStore(records_dir(data_dir), auto_backup=auto_backup)


def save_analysis_to_client(client_id: int, analysis: dict, photo_path: Path | str | None,
                            data_dir: Path | None = None, **visit_fields: Any) -> int:
    """Store an analysis as a visit of ``client_id`` (for ``shadematch match --client ID --save``).

    ``photo_path`` None falls back to ``analysis["photo"]["path"]`` when that file exists.
    ``visit_fields`` are passed to :meth:`RecordStore.save_visit` (kind, batch, notes...).
    Returns the new visit id.
    """
    if photo_path is None:
        recorded = (analysis.get("photo") or {}).get("path") if isinstance(analysis, dict) else None
        if recorded and Path(recorded).is_file():
            photo_path = Path(recorded)
    with open_store(data_dir) as store:
        return store.save_visit(client_id, analysis, photo_path, **visit_fields)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _name_in_ranking(analysis: dict, entry_id: str) -> str | None:
    for item in analysis.get("ranking") or []:
        if isinstance(item, dict) and item.get("id") == entry_id:
            return item.get("name")
    return None


__all__ = ["DamagedRecordsError", "RecordStore", "open_store", "save_analysis_to_client",
           "records_dir", "SCREENING_ITEMS"]
