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

from pathlib import Path
from typing import Any

from shadematch.errors import RecordsError
from shadematch.records import backups as _backups
from shadematch.records import schema as _schema
from shadematch.records.clients import ClientsMixin
from shadematch.records.database import DB_NAME as DB_NAME
from shadematch.records.database import DamagedRecordsError, connect
from shadematch.records.database import now_utc as now_utc
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


class RecordStore(ClientsMixin, VisitsMixin, MaintenanceMixin):
    """Clients, screening, consent, visits and photo copies. Use :func:`open_store` to get one."""

    def __init__(self, root: Path, *, auto_backup: bool = True) -> None:
        super().__init__(root)
        try:
            private_dir(self.root)
            existed = self.db_path.exists() and self.db_path.stat().st_size > 0
            self._conn = connect(self.db_path, self.backups_dir, existed)
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

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transfer
    def export_client(self, client_id: int, out_dir: Path | str) -> Path:
        """Write the client (JSON) and their photo copies to a new folder ``out_dir``."""
        from shadematch.records.transfer import export_client

        return export_client(self, client_id, Path(out_dir))

    def import_client(self, in_dir: Path | str) -> int:
        """Add a client exported by :meth:`export_client`; returns the new client id."""
        from shadematch.records.transfer import import_client

        return import_client(self, Path(in_dir))


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


__all__ = ["DamagedRecordsError", "RecordStore", "open_store", "save_analysis_to_client",
           "records_dir", "SCREENING_ITEMS"]
