"""Restore the records database from a backup (docs/RECORDS.md, "Restore")."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from shadematch.atomic_files import fsync_dir, write_atomic
from shadematch.records import backups as _backups
from shadematch.records import schema as _schema
from shadematch.records.database import InUseLock
from shadematch.records.photos import FILE_MODE, private_dir
from shadematch.records.store import DB_NAME, DamagedRecordsError, RecordStore, records_dir


def restore_backup(backup: Path | str, data_dir: Path | None = None) -> dict[str, str | None]:
    """Replace the records database with ``backup`` (see docs/RECORDS.md, "Restore").

    Refused while another shadematch has the records open. The current database is kept
    first: when healthy, as a ``-pre-restore`` backup in the backups folder; when damaged or
    empty, renamed to ``records.db.damaged-<time>`` (with its -wal/-shm, which must not be
    applied to the restored file). The backup is checked before anything changes, upgraded to
    the current schema after, and every client erased since it was taken is erased again.

    Returns
    -------
    dict
        ``{"restored_from", "database", "previous_kept_as", "erased_again"}`` (paths as text;
        ``erased_again``: how many erased clients the backup held and were erased again).

    Raises
    ------
    RecordsError
        The backup is missing, damaged, not a records backup, or from a newer shadematch;
        another shadematch has the records open.
    """
    from shadematch.records.erasure import read_journal

    backup = Path(backup).expanduser().absolute()
    root = records_dir(data_dir)
    private_dir(root)
    db_path = root / DB_NAME
    _backups.verify_backup(backup, _schema.SCHEMA_VERSION)
    read_journal(root)  # an unreadable erasure journal stops the restore before any change
    lock = InUseLock(root, exclusive=True)
    try:
        kept = _replace_database(backup, root, db_path)
        # Upgrade (if the backup is older), check it opens, erase the erased clients again.
        with RecordStore(root, auto_backup=False, _in_use_lock=False) as store:
            erased = store.reapply_erasures()
    finally:
        lock.release()
    return {"restored_from": str(backup), "database": str(db_path),
            "previous_kept_as": str(kept) if kept else None,
            "erased_again": len(erased)}


def _replace_database(backup: Path, root: Path, db_path: Path) -> Path | None:
    kept: Path | None = None
    current = None
    if db_path.exists() and db_path.stat().st_size > 0:
        try:
            current = RecordStore(root, auto_backup=False, _in_use_lock=False)
        except DamagedRecordsError:
            current = None
    if current is not None:
        with current:
            private_dir(current.backups_dir)
            # Not rotated now, so the backup being restored cannot be rotated away.
            kept = _backups.write_backup(
                current.conn, current.backups_dir / _backups.backup_name("pre-restore"))
            source = sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True)
            try:
                with current._lock:
                    source.backup(current.conn)
            finally:
                source.close()
        return kept
    if db_path.exists() or db_path.with_name(DB_NAME + "-wal").exists():
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        kept = db_path.with_name(f"{DB_NAME}.damaged-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            side = db_path.with_name(DB_NAME + suffix)
            if side.exists():
                side.rename(side.with_name(f"{DB_NAME}.damaged-{stamp}{suffix}"))
        fsync_dir(root)

    def copy(handle) -> None:
        with open(backup, "rb") as src:
            shutil.copyfileobj(src, handle, 1 << 20)

    write_atomic(db_path, copy, mode=FILE_MODE, overwrite=False)
    return kept
