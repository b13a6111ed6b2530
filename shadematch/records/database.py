"""The records database file: opening it safely, its transactions, SQLite errors as advice.

WAL journal, ``synchronous=FULL``, foreign keys on, every write in one ``BEGIN IMMEDIATE``
transaction. :class:`StoreBase` holds the connection and its lock; the parts of
:class:`~shadematch.records.store.RecordStore` (clients, visits, maintenance) build on it.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import os
import sqlite3
import stat
import threading
import time
import unicodedata
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


class DiskFullError(RecordsError):
    """The disk holding the records is full: nothing was changed, the records are intact."""


class DiskIOError(RecordsError):
    """The disk could not be read or written (an I/O error): not a sign of damaged records."""


class ReadOnlyRecordsError(RecordsError):
    """The records are read-only (the file or its folder is not writable); nothing changes."""


_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


def damaged_error(db_path: Path, backups_dir: Path, detail: str) -> RecordsError:
    """The error for a damaged database: names the file and where the backups are."""
    detail = " ".join(detail.replace("*** in database main ***", "").split())
    return DamagedRecordsError(
        f"The records database {db_path} is damaged ({detail}). It was left as it is. "
        f"Close shadematch and restore the latest backup from {backups_dir} "
        f"(`shadematch restore` lists them; see docs/RECORDS.md).")


def disk_full_error(path: Path) -> DiskFullError:
    return DiskFullError(
        f"The disk holding {path} is full, so nothing was written; your records are intact. "
        f"Free some disk space (empty the bin, move old photos elsewhere) and try again.")


def os_error(exc: OSError, path: Path, doing: str) -> RecordsError:
    """An OSError while ``doing`` something to ``path``, as advice (disk full said as such)."""
    if exc.errno in _DISK_FULL_ERRNOS:
        return disk_full_error(path)
    return RecordsError(f"{path} could not be {doing} ({exc.strerror or exc}); check the "
                        f"disk and the folder's permissions, then try again.")


def sqlite_error(exc: sqlite3.Error, db_path: Path, backups_dir: Path) -> RecordsError:
    """SQLite's error as what it means for the person: disk full, I/O error, busy, read-only,
    a conflict or (only for SQLITE_CORRUPT / SQLITE_NOTADB) damage with the restore advice."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc)
    if name == "SQLITE_FULL" or "disk is full" in text:
        return disk_full_error(db_path)
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return DiskIOError(
            f"The disk could not read or write {db_path} ({text}). Nothing was changed and "
            f"the records are most likely intact: check that the disk is connected and "
            f"healthy, then try again.")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return RecordsError(
            f"The records database {db_path} is busy (another shadematch is writing to it); "
            f"try again in a moment.")
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return ReadOnlyRecordsError(
            f"The records database {db_path} is read-only, so nothing was changed. Make it and "
            f"its folder writable (chmod u+w) to add or change records.")
    if name.startswith("SQLITE_CANTOPEN"):
        return RecordsError(f"The records database {db_path} cannot be opened ({text}); check "
                            f"that the file and its folder exist and are yours.")
    if name.startswith("SQLITE_CONSTRAINT") or isinstance(exc, sqlite3.IntegrityError):
        return RecordsError(f"The change conflicts with what is already in the records ({text});"
                            f" nothing was changed. Refresh and try again.")
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or (
            not name and isinstance(exc, sqlite3.DatabaseError)
            and not isinstance(exc, sqlite3.OperationalError)):
        return damaged_error(db_path, backups_dir, text)
    return RecordsError(f"The records database {db_path} could not be used ({text}). Nothing "
                        f"was changed; run `shadematch records check`.")


def _writable(path: Path) -> bool:
    """False when the owner made ``path`` read-only (no owner write bit) or cannot write it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return True
    return bool(mode & stat.S_IWUSR) and os.access(path, os.W_OK)


def tighten(path: Path) -> None:
    """Remove group/other permission bits; never add any (a read-only file stays read-only)."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        os.chmod(path, mode & 0o700)


def store_is_read_only(db_path: Path) -> bool:
    """True when ``records.db`` or its folder was made read-only by its owner."""
    return not (_writable(db_path) and _writable(db_path.parent))


def connect(db_path: Path, backups_dir: Path, existed: bool,
            read_only: bool = False) -> sqlite3.Connection:
    """Open ``db_path`` (creating it 0600 unless ``existed``) in WAL mode, checked when it existed.

    ``read_only``: open it without writing anything (no WAL switch, no permission change).

    Raises
    ------
    RecordsError
        The file cannot be read or opened, is damaged (:class:`DamagedRecordsError`), is from a
        newer shadematch, or cannot use WAL; the disk is full (:class:`DiskFullError`).
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
    elif not read_only:
        try:
            os.close(os.open(db_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
        except FileExistsError:
            pass  # another process created it meanwhile
        except OSError as exc:
            raise os_error(exc, db_path, "created") from exc
    if not read_only:
        tighten(db_path)
    try:
        if read_only:
            conn = sqlite3.connect(f"{db_path.absolute().as_uri()}?mode=ro", uri=True,
                                   isolation_level=None, timeout=30.0, check_same_thread=False)
        else:
            conn = sqlite3.connect(db_path, isolation_level=None, timeout=30.0,
                                   check_same_thread=False)
    except sqlite3.Error as exc:
        raise RecordsError(f"The records database {db_path} cannot be opened ({exc})."
                           ) from exc
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        _add_functions(conn)
        if existed:
            try:
                result = conn.execute("PRAGMA quick_check").fetchall()
            except sqlite3.OperationalError:
                if not read_only:
                    raise
                # A read-only folder without the -shm file: read the file as it is on disk.
                conn.close()
                conn = sqlite3.connect(f"{db_path.absolute().as_uri()}?mode=ro&immutable=1",
                                       uri=True, isolation_level=None, timeout=30.0,
                                       check_same_thread=False)
                _add_functions(conn)
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
        if not read_only:
            mode = _switch_to_wal(conn)
            if str(mode).lower() != "wal":
                raise RecordsError(f"The records database {db_path} could not be switched "
                                   f"to WAL mode (got {mode}); is the folder on a network "
                                   f"drive? Keep the data folder on a local disk.")
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Erased clients leave no readable remains in freed pages.
        conn.execute("PRAGMA secure_delete = ON")
    except sqlite3.Error as exc:
        conn.close()
        raise sqlite_error(exc, db_path, backups_dir) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        conn.close()
        raise damaged_error(db_path, backups_dir, f"unreadable content: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    if not read_only:
        for suffix in ("-wal", "-shm"):
            side = db_path.with_name(db_path.name + suffix)
            if side.exists():
                tighten(side)
    return conn


def _switch_to_wal(conn: sqlite3.Connection, patience: float = 30.0) -> str:
    """``PRAGMA journal_mode = WAL``, retried while another process holds the database.

    SQLite returns "database is locked" at once, without the busy handler, when changing the
    journal mode would have to wait on a writer that itself waits (its deadlock rule): two
    processes opening a new store together, one creating it and one switching it to WAL. The
    writer finishes within moments, so the switch is retried for up to ``patience`` seconds.
    """
    deadline = time.monotonic() + patience
    delay = 0.01
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def fold(text: object) -> str | None:
    """Text for case-insensitive comparison in any script ("Zoë" and "ZOË" fold alike)."""
    if text is None:
        return None
    return unicodedata.normalize("NFC", str(text)).casefold()


def _add_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("shadematch_fold", 1, fold, deterministic=True)
    # Bytes that are not UTF-8 (a damaged page, or SQLite's report of one) are read with
    # replacement characters instead of failing every read; the checks report the damage.
    conn.text_factory = _decode


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def sql_errors(method: _F) -> _F:
    """Turn SQLite and OS errors escaping a public method into RecordsError with advice."""

    @functools.wraps(method)
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.db_path, self.backups_dir) from exc
        except OSError as exc:
            raise os_error(exc, self.root, "written") from exc
        except UnicodeEncodeError as exc:
            raise RecordsError(
                f"Some text given to the records is not valid (a character that cannot be "
                f"written as UTF-8, at position {exc.start}; often a name typed in another "
                f"encoding); nothing was changed. Type it again.") from exc
        except RecursionError as exc:
            raise RecordsError("A record is nested too deeply to be stored or read; nothing "
                               "was changed.") from exc
        except OverflowError as exc:
            raise RecordsError("A number given to the records is too large to be an id or "
                               "a count (ids are below 2**63); `shadematch clients list` "
                               "shows the ids. Nothing was changed.") from exc

    return wrapper  # type: ignore[return-value]


def default_actor() -> str:
    """The name changes are recorded under: ``SHADEMATCH_USER``, else ``user@workstation``."""
    named = os.environ.get("SHADEMATCH_USER", "").strip()
    if named:
        return named[:200]
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname() or 'workstation'}"[:200]


IN_USE_NAME = ".in-use"


class InUseLock:
    """A lock on ``records/.in-use``: every open store holds it shared, a restore exclusive,
    so a restore cannot replace the records under a running shadematch (POSIX; elsewhere, and
    on a read-only folder, it does nothing)."""

    def __init__(self, root: Path, exclusive: bool) -> None:
        self.fd: int | None = None
        try:
            import fcntl
        except ImportError:
            return
        try:
            fd = os.open(root / IN_USE_NAME, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError:
            return  # a read-only folder: nothing can be restored into it either
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            if exclusive:
                raise RecordsError(
                    f"The records in {root} are open in another shadematch (the desktop "
                    f"application, or a command still running). Close it, then restore again; "
                    f"nothing was changed.") from None
            raise RecordsError(f"The records in {root} are being restored from a backup right "
                               f"now; try again in a moment.") from None
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


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
        self.read_only = False
        self._in_use: InUseLock | None = None
        # Things the person should hear about that did not stop the store from opening (a daily
        # backup that could not be written, read-only records...); front ends show them.
        self.warnings: list[str] = []
        # Who makes the changes (row versions and the audit log name them).
        self.actor = default_actor()

    backend = "sqlite"

    def _audit(self, conn: Any, action: str, record: str, detail: str | None = None) -> None:
        """Append an entry to the audit log, inside the caller's write transaction."""
        conn.execute("INSERT INTO audit_log (at, actor, action, record, detail) "
                     "VALUES (?, ?, ?, ?, ?)", (now_utc(), self.actor, action, record, detail))

    @sql_errors
    def change_token(self) -> int:
        """A number that grows with every write (from any process or workstation): poll it,
        and refresh lists when it changed (:class:`~shadematch.records.changes.ChangeWatcher`)."""
        with self._lock:
            return int(self.conn.execute("SELECT seq FROM records_changes").fetchone()[0])

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RecordsError("The records store is closed; open it again with open_store().")
        return self._conn

    def require_writable(self) -> None:
        """ReadOnlyRecordsError when the store was opened read-only."""
        if self.read_only:
            raise ReadOnlyRecordsError(
                f"The records in {self.root} are read-only (records.db or its folder is "
                f"not writable), so shadematch opened them read-only and changed nothing. "
                f"Make them writable (chmod u+w) to add or change records.")

    @contextmanager
    def _write(self, changes: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; ``changes`` False for one that changes no record (an audit
        entry of a view), so other workstations do not refresh for it."""
        with self._lock:
            conn = self.conn
            self.require_writable()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                if changes:
                    conn.execute("UPDATE records_changes SET seq = seq + 1")
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        # One snapshot for multi-query reads.
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                _rollback(conn)  # nothing was written: ending the snapshot is all it does

    def close(self) -> None:
        """Close the database (idempotent)."""
        with self._lock:
            try:
                if self._conn is not None:
                    try:
                        self._conn.close()
                    finally:
                        self._conn = None
            finally:
                if self._in_use is not None:
                    self._in_use.release()
                    self._in_use = None

    @property
    def schema_version(self) -> int:
        with self._lock:
            return _schema.schema_version(self.conn)


def _rollback(conn: sqlite3.Connection) -> None:
    """End the open transaction, if SQLite has not already rolled it back (disk full, I/O)."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
