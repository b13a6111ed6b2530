"""The records database file: opening it safely, its transactions, SQLite errors as advice.

WAL journal, ``synchronous=FULL``, foreign keys on, every write in one ``BEGIN IMMEDIATE``
transaction. :class:`StoreBase` holds the connection and its lock; the parts of
:class:`~shadematch.records.store.RecordStore` (clients, visits, maintenance) build on it.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from shadematch.errors import RecordsError
from shadematch.records import schema as _schema
from shadematch.records.photos import FILE_MODE, PhotoFiles

DB_NAME = "records.db"
_SQLITE_HEADER = b"SQLite format 3\x00"
_F = TypeVar("_F", bound=Callable[..., Any])


def now_utc() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class DamagedRecordsError(RecordsError):
    """The records database file is damaged (not SQLite, or fails its integrity check)."""


def damaged_error(db_path: Path, backups_dir: Path, detail: str) -> RecordsError:
    """The error for a damaged database: names the file and where the backups are."""
    detail = " ".join(detail.replace("*** in database main ***", "").split())
    return DamagedRecordsError(
        f"The records database {db_path} is damaged ({detail}). It was left as it is. "
        f"Close shadematch and restore the latest backup from {backups_dir} "
        f"(`shadematch restore` lists them; see docs/RECORDS.md).")


def connect(db_path: Path, backups_dir: Path, existed: bool) -> sqlite3.Connection:
    """Open ``db_path`` (creating it 0600 unless ``existed``) in WAL mode, checked when it existed.

    Raises
    ------
    RecordsError
        The file cannot be read or opened, is damaged (:class:`DamagedRecordsError`), is from a
        newer shadematch, or cannot use WAL.
    """
    if existed:
        try:
            with open(db_path, "rb") as handle:
                header = handle.read(len(_SQLITE_HEADER))
        except OSError as exc:
            raise RecordsError(f"The records database {db_path} cannot be read "
                               f"({exc.strerror or exc}); check its permissions.") from exc
        if header != _SQLITE_HEADER:
            raise damaged_error(db_path, backups_dir, "it is not an SQLite database")
    else:
        try:
            os.close(os.open(db_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
        except FileExistsError:
            pass  # another process created it meanwhile
    if (db_path.stat().st_mode & 0o777) != FILE_MODE:
        os.chmod(db_path, FILE_MODE)
    try:
        conn = sqlite3.connect(db_path, isolation_level=None, timeout=30.0,
                               check_same_thread=False)
    except sqlite3.Error as exc:
        raise RecordsError(f"The records database {db_path} cannot be opened ({exc})."
                           ) from exc
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        if existed:
            result = conn.execute("PRAGMA quick_check").fetchall()
            if result != [("ok",)]:
                raise damaged_error(db_path, backups_dir,
                                    "; ".join(str(row[0]) for row in result[:3]))
            version = _schema.schema_version(conn)
            if version > _schema.SCHEMA_VERSION:
                raise RecordsError(
                    f"The records database {db_path} is schema version {version}, "
                    f"newer than this shadematch understands ({_schema.SCHEMA_VERSION}). "
                    f"Update shadematch; nothing was changed.")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise RecordsError(f"The records database {db_path} could not be switched "
                               f"to WAL mode (got {mode}); is the folder on a network drive? "
                               f"Keep the data folder on a local disk.")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Erased clients leave no readable remains in freed pages.
        conn.execute("PRAGMA secure_delete = ON")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise damaged_error(db_path, backups_dir, str(exc)) from exc
    except BaseException:
        conn.close()
        raise
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists() and (side.stat().st_mode & 0o777) != FILE_MODE:
            os.chmod(side, FILE_MODE)
    return conn


def sql_errors(method: _F) -> _F:
    """Turn SQLite errors escaping a public method into RecordsError with advice."""

    @functools.wraps(method)
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
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


class StoreBase:
    """The folder, connection, lock and transactions every part of a store works through.

    Setting it up does no I/O; :class:`~shadematch.records.store.RecordStore` opens the
    connection.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.db_path = self.root / DB_NAME
        self.backups_dir = self.root / "backups"
        self.files = PhotoFiles(self.root)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

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

    @property
    def schema_version(self) -> int:
        with self._lock:
            return _schema.schema_version(self.conn)
