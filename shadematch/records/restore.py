"""Restore the records database from a backup (docs/RECORDS.md, "Restore")."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from shadematch.records import backups as _backups
from shadematch.records import schema as _schema
from shadematch.records.photos import FILE_MODE, private_dir
from shadematch.records.store import DB_NAME, DamagedRecordsError, RecordStore, records_dir


def restore_backup(backup: Path | str, data_dir: Path | None = None) -> dict[str, str | None]:
    """Replace the records database with ``backup`` (see docs/RECORDS.md, "Restore").

    The current database is kept first: when healthy, as a ``-pre-restore`` backup in the
    backups folder; when damaged, renamed to ``records.db.damaged-<time>`` (with its -wal/-shm).
    The backup is checked before anything changes, and upgraded to the current schema after.
    Close every running shadematch first.

    Returns
    -------
    dict
        ``{"restored_from", "database", "previous_kept_as"}`` (paths as text).

    Raises
    ------
    RecordsError
        The backup is missing, damaged, not a records backup, or from a newer shadematch.
    """
    backup = Path(backup).expanduser().absolute()
    root = records_dir(data_dir)
    private_dir(root)
    db_path = root / DB_NAME
    _backups.verify_backup(backup, _schema.SCHEMA_VERSION)
    kept: Path | None = None
    if db_path.exists() and db_path.stat().st_size > 0:
        try:
            current = RecordStore(root, auto_backup=False)
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
        else:
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            kept = db_path.with_name(f"{DB_NAME}.damaged-{stamp}")
            for suffix in ("", "-wal", "-shm"):
                side = db_path.with_name(DB_NAME + suffix)
                if side.exists():
                    side.rename(side.with_name(f"{DB_NAME}.damaged-{stamp}{suffix}"))
    if not db_path.exists() or db_path.stat().st_size == 0:
        from shadematch.atomic_files import write_atomic

        def copy(handle) -> None:
            with open(backup, "rb") as src:
                shutil.copyfileobj(src, handle, 1 << 20)

        write_atomic(db_path, copy, mode=FILE_MODE)
    # Upgrade (if the backup is older) and check it opens.
    RecordStore(root, auto_backup=False).close()
    return {"restored_from": str(backup), "database": str(db_path),
            "previous_kept_as": str(kept) if kept else None}
