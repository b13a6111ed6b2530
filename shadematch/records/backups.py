"""Backups of the records database with SQLite's online backup API, and restoring one.

Backups are whole, consistent copies of the database taken while it is in use, written to a
temporary file and renamed (never half-written), readable by their owner only. The automatic
daily backup keeps the last :data:`KEEP` files named ``records-<UTC time>.db``; safety copies
taken before a migration or a restore carry a tag (``records-<time>-pre-restore.db``) and are
rotated with them. Photos are not inside the database: back up the whole records folder too.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import tempfile
from pathlib import Path

from shadematch.atomic_files import fsync_dir
from shadematch.errors import RecordsError
from shadematch.records.database import disk_full_error, os_error
from shadematch.records.photos import FILE_MODE, private_dir

KEEP = 7
DAILY = dt.timedelta(days=1)
_NAME = re.compile(r"^records-(\d{8}T\d{6}\d{6}Z)(?:-([a-z0-9-]+))?\.db$")


def _stamp(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S%fZ")


def backup_name(tag: str | None = None, now: dt.datetime | None = None) -> str:
    return f"records-{_stamp(now)}{'-' + tag if tag else ''}.db"


def list_backups(backups_dir: Path) -> list[tuple[dt.datetime, Path]]:
    """Backups in ``backups_dir``, oldest first, with the UTC time each was taken."""
    found = []
    if backups_dir.is_dir():
        for path in backups_dir.iterdir():
            match = _NAME.match(path.name)
            if match and path.is_file():
                when = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%fZ")
                found.append((when.replace(tzinfo=dt.timezone.utc), path))
    return sorted(found)


def _lock_exclusive(fd: int) -> bool:
    """Hold an exclusive lock on an open file for as long as it stays open (POSIX); True when
    taken, False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: an open file cannot be deleted there anyway
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def sweep_partial_backups(backups_dir: Path) -> list[Path]:
    """Remove the hidden partial copies (``.records-….db.….tmp``) of backups that were killed
    before they finished; a copy another process is writing right now (it holds a lock on it)
    is left alone. Returns the removed files."""
    removed: list[Path] = []
    if not backups_dir.is_dir():
        return removed
    for path in backups_dir.iterdir():
        if not (path.name.startswith(".") and path.name.endswith(".tmp")):
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _lock_exclusive(fd):
                path.unlink(missing_ok=True)
                removed.append(path)
        finally:
            os.close(fd)
    return removed


def write_backup(conn: sqlite3.Connection, dest: Path) -> Path:
    """Copy the database open in ``conn`` to ``dest`` (a new file, 0600) atomically.

    The copy is made in a hidden temporary file that this process keeps locked until it is
    renamed, so :func:`sweep_partial_backups` can tell a killed backup from one in progress.

    Raises
    ------
    RecordsError
        ``dest`` exists already, or the copy could not be written (the disk is full: said so).
    """
    dest = Path(dest)
    if dest.exists():
        raise RecordsError(f"{dest} exists already; choose another backup file name "
                           f"(nothing was overwritten).")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as exc:
        raise os_error(exc, dest, "written") from exc
    try:
        _lock_exclusive(fd)
        os.chmod(tmp, FILE_MODE)
        target = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.backup(target)
            # A standalone copy: no -wal file should appear next to it when it is opened.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        os.fsync(fd)
        if dest.exists():
            raise RecordsError(f"{dest} appeared while the backup was written; nothing was "
                               f"overwritten. Try again.")
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "full" in str(exc):
            raise disk_full_error(dest) from exc
        raise RecordsError(f"The backup {dest} could not be written ({exc}). Check the disk "
                           f"space and permissions of {dest.parent}.") from exc
    except OSError as exc:
        raise os_error(exc, dest, "written") from exc
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        os.close(fd)
    return dest


def backup_into(conn: sqlite3.Connection, backups_dir: Path, tag: str | None = None) -> Path:
    """A new backup in ``backups_dir``, then keep only the newest :data:`KEEP`."""
    private_dir(backups_dir)
    sweep_partial_backups(backups_dir)
    path = write_backup(conn, backups_dir / backup_name(tag))
    rotate(backups_dir)
    return path


def rotate(backups_dir: Path, keep: int = KEEP) -> list[Path]:
    """Remove all but the newest ``keep`` backups; returns the removed files."""
    backups = list_backups(backups_dir)
    removed = []
    for _when, path in backups[:-keep] if keep else backups:
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def backup_due(backups_dir: Path, now: dt.datetime | None = None) -> bool:
    """True when the newest backup is more than a day old (or there is none)."""
    backups = list_backups(backups_dir)
    if not backups:
        return True
    now = now or dt.datetime.now(dt.timezone.utc)
    return now - backups[-1][0] > DAILY


def verify_backup(path: Path, newest_version: int) -> int:
    """Open a backup read-only and check it; returns its schema version.

    Raises
    ------
    RecordsError
        Not a readable shadematch records database, damaged, or from a newer shadematch.
    """
    path = Path(path)
    if not path.is_file():
        raise RecordsError(f"The backup {path} does not exist; `shadematch restore` lists the "
                           f"backups there are.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise RecordsError(f"The backup {path} cannot be read ({exc}); pick another backup."
                           ) from exc
    if result != [("ok",)]:
        raise RecordsError(f"The backup {path} is damaged ({result[0][0]}); pick another backup.")
    if not {"clients", "visits"} <= tables or version < 1:
        raise RecordsError(f"{path} is not a shadematch records backup; pick another file.")
    if version > newest_version:
        raise RecordsError(f"The backup {path} was made by a newer shadematch (schema "
                           f"{version}); update shadematch to restore it.")
    return version
