"""The client records store: one SQLite database plus photo copies, in the user data folder.

Layout (``<data>/records``, 0700; every file 0600)::

    records.db (+ -wal, -shm)     clients, screenings, consents, visits, photos
    photos/ab/<sha256>.<ext>      photo copies, content-addressed
    thumbs/<sha256>.jpg           thumbnails (256 px JPEG)
    backups/records-<time>.db     the last 7 backups (SQLite backup API)

WAL journal, ``synchronous=FULL``, foreign keys on, every write in one ``BEGIN IMMEDIATE``
transaction: a process killed at any moment leaves the store consistent and keeps every save that
returned. A store object may be used from several threads (one at a time, it holds a lock).

:class:`RecordStore` is assembled from its parts: the connection and transactions
(:mod:`~shadematch.records.database`), clients (:mod:`~shadematch.records.clients`), visits
(:mod:`~shadematch.records.visits`) and maintenance (:mod:`~shadematch.records.maintenance`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from shadematch.errors import RecordsError
from shadematch.records import backups as _backups
from shadematch.records import schema as _schema
from shadematch.records.access import requires
from shadematch.records.clients import ClientsMixin
from shadematch.records.database import DB_NAME as DB_NAME
from shadematch.records.database import (
    DamagedRecordsError,
    InUseLock,
    ReadOnlyRecordsError,
    connect,
    sql_errors,
    sqlite_error,
    store_is_read_only,
)
from shadematch.records.database import now_utc as now_utc
from shadematch.records.fitted_models import FittedModelsMixin
from shadematch.records.maintenance import MaintenanceMixin
from shadematch.records.models import SCREENING_ITEMS
from shadematch.records.photos import private_dir, sweep_temporary_files
from shadematch.records.visits import VisitsMixin


def records_dir(data_dir: Path | None = None) -> Path:
    """The records folder inside ``data_dir`` (default: the user data folder)."""
    if data_dir is None:
        from shadematch.resources import user_data_dir

        data_dir = user_data_dir()
    return Path(data_dir) / "records"


class RecordStore(ClientsMixin, VisitsMixin, FittedModelsMixin, MaintenanceMixin):
    """Clients, screening, consent, visits and photo copies. Use :func:`open_store` to get one."""

    def __init__(self, root: Path, *, auto_backup: bool = True, _in_use_lock: bool = True
                 ) -> None:
        super().__init__(root)
        from shadematch.records.netfs import refuse_network_folder

        refuse_network_folder(self.root)
        try:
            if self.root.is_dir() and store_is_read_only(self.db_path):
                self.read_only = True
            else:
                private_dir(self.root)
            size = self.db_path.stat().st_size if self.db_path.exists() else None
            if size == 0:
                self._refuse_empty_database()
            existed = bool(size)
            if self.read_only and not existed:
                raise ReadOnlyRecordsError(
                    f"The records folder {self.root} is read-only and holds no records "
                    f"database yet; make it writable (chmod u+w) so one can be created.")
            self._conn = connect(self.db_path, self.backups_dir, existed,
                                 read_only=self.read_only)
            if _in_use_lock and not self.read_only:
                self._in_use = InUseLock(self.root, exclusive=False)
        except OSError as exc:
            self.close()
            raise RecordsError(
                f"The records folder {self.root} cannot be used ({exc.strerror or exc}). Check "
                f"that it is a folder you can write to, or point SHADEMATCH_DATA_DIR at one."
            ) from exc
        except BaseException:
            self.close()
            raise
        try:
            if self.read_only:
                self._open_read_only()
                return
            _schema.migrate(self._conn, on_before=self._backup_before_migration)
            try:
                self.files.ensure_dirs()
            except OSError as exc:
                raise RecordsError(f"The photo folders in {self.root} cannot be created "
                                   f"({exc.strerror or exc}); check the folder's permissions."
                                   ) from exc
            self._finish_pending_erasures()
            if auto_backup and existed and _backups.backup_due(self.backups_dir):
                self._daily_backup()
            self._finish_file_deletions()
            sweep_temporary_files(self.files)
        except sqlite3.Error as exc:
            self.close()
            raise sqlite_error(exc, self.db_path, self.backups_dir) from exc
        except BaseException:
            self.close()
            raise

    def _refuse_empty_database(self) -> None:
        """A 0-byte records.db next to backups or photo copies is a truncated database, not a
        new store: refuse it (a new empty store would let the daily backups rotate the good
        ones out)."""
        backups = _backups.list_backups(self.backups_dir)
        photos = [p for kind, p in self.files.all_files() if kind == "photo"]
        if not backups and not photos:
            return
        held = []
        if backups:
            held.append(f"{len(backups)} backup{'s' if len(backups) != 1 else ''} in "
                        f"{self.backups_dir}")
        if photos:
            held.append(f"{len(photos)} photo cop{'ies' if len(photos) != 1 else 'y'}")
        raise DamagedRecordsError(
            f"The records database {self.db_path} is empty (0 bytes), yet there are "
            f"{' and '.join(held)}: it was emptied by a crash or a sync tool. It was left as "
            f"it is and no new records were started. Restore the latest backup: "
            f"`shadematch restore` lists them, `shadematch restore FILE` restores one "
            f"(see docs/RECORDS.md).")

    def _open_read_only(self) -> None:
        version = _schema.schema_version(self.conn)
        if version < _schema.SCHEMA_VERSION:
            raise ReadOnlyRecordsError(
                f"The records in {self.root} are read-only and from an older shadematch "
                f"(schema {version}); make them writable (chmod u+w) so they can be upgraded.")
        self.warnings.append(
            f"The records in {self.root} are read-only (records.db or its folder is not "
            f"writable): they were opened read-only, nothing will be changed or backed up.")

    def _daily_backup(self) -> None:
        """The daily backup, unless the records fail the content check (a backup of damaged
        records would rotate a good one out). A failure is a warning: reading must go on."""
        with self._read() as conn:
            # The full page check too: quick_check at open skips the indexes' consistency.
            problems = [f"database: {r[0]}" for r in conn.execute("PRAGMA integrity_check")
                        if r[0] != "ok"]
        problems += self.content_problems()
        if problems:
            self.warnings.append(
                f"The daily backup was not taken: the records fail their check "
                f"({problems[0]}{'; ...' if len(problems) > 1 else ''}), and a backup of them "
                f"would push a good backup out. Run `shadematch records check`.")
            return
        try:
            self.backup()
        except RecordsError as exc:
            self.warnings.append(f"The daily backup was not taken: {exc}")

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transfer
    @requires("export", viewed="client #{} exported")
    @sql_errors
    def export_client(self, client_id: int, out_dir: Path | str) -> Path:
        """Write the client (JSON) and their photo copies to a new folder ``out_dir``."""
        from shadematch.records.transfer import export_client

        return export_client(self, client_id, Path(out_dir))

    @requires("import")
    @sql_errors
    def import_client(self, in_dir: Path | str) -> int:
        """Add a client exported by :meth:`export_client`; returns the new client id."""
        from shadematch.records.transfer import import_client

        return import_client(self, Path(in_dir))


def open_store(data_dir: Path | None = None, *, auto_backup: bool = True,
               database_url: str | None = None) -> RecordStore:
    """Open (creating or upgrading if needed) the records store in ``data_dir``, or on the
    PostgreSQL server of ``database_url`` / ``SHADEMATCH_DATABASE_URL`` / the workstation's
    setting (:mod:`~shadematch.records.server_config`).

    ``data_dir`` defaults to the user data folder (``SHADEMATCH_DATA_DIR`` overrides it); the
    store lives in its ``records`` sub-folder. Runs a quick integrity check, pending migrations
    (after a safety backup) and the daily backup.

    Raises
    ------
    RecordsError
        The database is damaged (message names the file and the backups folder; nothing is
        changed), from a newer shadematch, or cannot be created; a SQLite store on a network
        filesystem (use server mode); ServerUnavailable when the server cannot be reached.
    """
    if database_url is None:
        from shadematch.records.server_config import load_records_config

        database_url = load_records_config(data_dir).url
    if database_url:
        from shadematch.records.backends.postgres import PgRecordStore, cache_folder
        from shadematch.records.server_config import check_url, server_password

        url = check_url(database_url)
        root = records_dir(data_dir)
        return PgRecordStore(url, cache_folder(root, url), password=server_password(url),
                             data_dir=root.parent)
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


__all__ = ["DamagedRecordsError", "RecordStore", "open_store", "save_analysis_to_client",
           "records_dir", "SCREENING_ITEMS"]
