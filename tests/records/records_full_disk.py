"""A child process for the full-disk test: run inside a small tmpfs (see test_records_robust).

Usage: python records_full_disk.py FOLDER. Fills the disk with client records until SQLite
reports it full, then fills the rest with a file, makes the daily backup due and opens the
records again. Prints one JSON object with what it saw.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shadematch.errors import RecordsError
from shadematch.records import open_store


def main() -> None:
    folder = Path(sys.argv[1])
    seen: dict[str, object] = {}
    with open_store(folder / "data") as store:
        added = 0
        try:
            while added < 10_000:
                store.add_client(f"Client {added}", notes="n" * 20_000)
                added += 1
        except RecordsError as exc:
            seen["full_error"] = [type(exc).__name__, str(exc)]
        seen["added"] = added
        seen["listed"] = len(store.search_clients())
    filler = folder / "filler"
    for backup in (folder / "data" / "records" / "backups").glob("*.db"):
        backup.unlink()                     # the daily backup is due
    with open(filler, "wb", buffering=0) as handle:
        for block in (65536, 4096, 512):
            try:
                while True:
                    handle.write(b"\0" * block)
            except OSError:
                pass
    try:
        with open_store(folder / "data") as store:
            seen["reopened_listed"] = len(store.search_clients())
            seen["warnings"] = store.warnings
            try:
                store.backup()
            except RecordsError as exc:
                seen["backup_error"] = [type(exc).__name__, str(exc)]
    except RecordsError as exc:
        seen["reopen_error"] = [type(exc).__name__, str(exc)]
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
