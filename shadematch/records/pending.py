"""Saves kept on this workstation while the records server cannot be reached.

When :meth:`~shadematch.records.store.RecordStore.save_visit` raises
:class:`~shadematch.records.backends.errors.ServerUnavailable`, the front end keeps the work
(its session autosave) and may hand the save to :class:`PendingSaves`: the analysis, the visit's
fields and a copy of the photo go to ``<data>/records/pending/<token>/`` (owner-only), and
:meth:`PendingSaves.flush` stores them when the server is back. Each save carries a
``save_token``, so one that the server committed just before the connection broke is not stored
twice.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from shadematch.atomic_files import write_atomic
from shadematch.errors import RecordsError
from shadematch.records.backends.errors import ServerUnavailable
from shadematch.records.photos import FILE_MODE, private_dir

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FIELDS = ("kind", "chosen_entry_id", "dilution", "batch", "notes", "report_path",
           "chosen_name", "visit_date", "session_number")


class PendingSaves:
    """A folder of visit saves waiting for the server."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def for_data_dir(cls, data_dir: Path | None = None) -> PendingSaves:
        from shadematch.records.store import records_dir

        return cls(records_dir(data_dir) / "pending")

    def add(self, client_id: int, analysis: dict, photo_path: Path | str | None,
            save_token: str | None = None, **fields: Any) -> str:
        """Keep a visit save for later; returns its token (pass it to ``save_visit`` now too
        if you retry yourself)."""
        unknown = sorted(set(fields) - set(_FIELDS))
        if unknown:
            raise RecordsError(f"A pending save cannot keep {', '.join(unknown)}.")
        token = save_token or uuid.uuid4().hex
        if not _TOKEN.match(token):
            raise RecordsError(f"A save token is 1 to 64 letters, digits, '-' or '_' (got "
                               f"{token[:80]!r}); leave it out to get one.")
        entry = private_dir(self.folder / token)
        photo_name = None
        if photo_path is not None:
            source = Path(photo_path)
            photo_name = "photo" + (source.suffix.lower()[:10] if source.suffix.isascii()
                                    else "")
            try:
                shutil.copyfile(source, entry / photo_name)
                (entry / photo_name).chmod(FILE_MODE)
            except OSError as exc:
                raise RecordsError(f"The photo {source} could not be kept for the pending save "
                                   f"({exc.strerror or exc}).") from exc
        record = {"client_id": int(client_id), "analysis": analysis, "photo": photo_name,
                  "original_photo": None if photo_path is None else str(photo_path),
                  "fields": {k: (str(v) if k == "report_path" and v else v)
                             for k, v in fields.items()}}
        text = json.dumps(record, ensure_ascii=False)
        write_atomic(entry / "save.json", lambda h: h.write(text.encode("utf-8")),
                     mode=FILE_MODE)
        return token

    def tokens(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if (p / "save.json").is_file())

    def __len__(self) -> int:
        return len(self.tokens())

    def flush(self, store) -> dict[str, int]:
        """Store every pending save (oldest first); returns ``{token: visit_id}`` of those
        stored. Stops at ServerUnavailable (the rest stay pending); another RecordsError for
        one save (an erased client, say) is raised with the save left in place."""
        done: dict[str, int] = {}
        entries = sorted((self.folder / t for t in self.tokens()),
                         key=lambda p: (p / "save.json").stat().st_mtime)
        for entry in entries:
            record = json.loads((entry / "save.json").read_text(encoding="utf-8"))
            photo = entry / record["photo"] if record.get("photo") else None
            try:
                visit_id = store.save_visit(record["client_id"], record["analysis"], photo,
                                            save_token=entry.name, **record["fields"])
            except ServerUnavailable:
                break
            done[entry.name] = visit_id
            shutil.rmtree(entry, ignore_errors=True)
        return done
