"""Client records and treatment history: the SQLite store (the only place with SQL).

``open_store()`` gives a :class:`RecordStore`; see docs/RECORDS.md for the layout, the CLI and
the restore procedure.
"""

from __future__ import annotations

from shadematch.records.models import (
    SCREENING_ITEMS,
    TREATMENT_KINDS,
    VISIT_KINDS,
    Client,
    Screening,
    Visit,
    VisitPhoto,
)
from shadematch.records.restore import restore_backup
from shadematch.records.schema import SCHEMA_VERSION
from shadematch.records.store import (
    DamagedRecordsError,
    RecordStore,
    open_store,
    records_dir,
    save_analysis_to_client,
)

__all__ = [
    "SCHEMA_VERSION", "SCREENING_ITEMS", "TREATMENT_KINDS", "VISIT_KINDS", "Client",
    "DamagedRecordsError", "RecordStore", "Screening", "Visit", "VisitPhoto", "open_store",
    "records_dir", "restore_backup", "save_analysis_to_client",
]
