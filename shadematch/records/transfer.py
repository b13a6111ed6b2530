"""Export a client to a folder (JSON plus photo copies) and import it back.

The folder (0700, files 0600)::

    client.json       {"format": "shadematch-client-export", "format_version": 1, "client": {...},
                       "screenings": [...], "consents": [...], "visits": [...]}
    photos/<sha256>.<ext>

The export is assembled in a hidden sibling folder and renamed into place, so a folder under
the final name is always complete. Import checks every photo's SHA-256 and adds everything in
one transaction; the client's ``uid`` travels with it, so importing a client who is already in
the records is refused instead of duplicating them.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shadematch.atomic_files import write_atomic, write_text_atomic
from shadematch.errors import RecordsError
from shadematch.records.models import VISIT_KINDS, normalise_screening
from shadematch.records.photos import FILE_MODE, private_dir, sha256_file

if TYPE_CHECKING:
    from shadematch.records.store import RecordStore

EXPORT_FORMAT = "shadematch-client-export"
EXPORT_VERSION = 1
MANIFEST = "client.json"


def export_client(store: RecordStore, client_id: int, out_dir: Path) -> Path:
    """Write client ``client_id`` to the new (or empty) folder ``out_dir``; returns it.

    Raises
    ------
    RecordsError
        Unknown client, ``out_dir`` exists and is not empty, a photo copy is missing, or the
        folder cannot be written.
    """
    from shadematch import __version__
    from shadematch.records.store import now_utc

    out_dir = Path(out_dir).expanduser().absolute()
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise RecordsError(f"{out_dir} exists and is not an empty folder; choose a new folder "
                           f"for the export (nothing was overwritten).")
    if not out_dir.parent.is_dir():
        raise RecordsError(f"The folder {out_dir.parent} does not exist; create it first.")
    client = store.get_client(client_id)
    screenings = store.screenings(client_id)
    with store._read() as conn:
        consents = [{"given_at": r[0], "note": r[1]} for r in conn.execute(
            "SELECT given_at, note FROM consents WHERE client_id = ? ORDER BY given_at, id",
            (int(client_id),))]
    visits = store.visits(client_id)
    partial = out_dir.parent / f".{out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        private_dir(partial)
        private_dir(partial / "photos")
        visit_items = []
        copied: set[str] = set()
        for visit in visits:
            photos = []
            for photo in visit.photos:
                item: dict[str, Any] = {"sha256": photo.sha256,
                                        "original_path": photo.original_path, "file": None}
                if photo.sha256 and photo.stored_path is not None:
                    if not photo.stored_path.is_file():
                        raise RecordsError(f"The photo copy {photo.stored_path} of visit "
                                           f"#{visit.id} is missing; run `shadematch records "
                                           f"check` and restore the photos folder.")
                    name = f"photos/{photo.stored_path.name}"
                    if photo.sha256 not in copied:
                        _copy_private(photo.stored_path, partial / name)
                        copied.add(photo.sha256)
                    item["file"] = name
                photos.append(item)
            data = visit.to_dict(with_analysis=True)
            for key in ("id", "client_id", "label"):
                data.pop(key)
            data["photos"] = photos
            visit_items.append(data)
        manifest = {
            "format": EXPORT_FORMAT, "format_version": EXPORT_VERSION,
            "app_version": __version__, "exported": now_utc(),
            "client": {key: getattr(client, key) for key in (
                "uid", "name", "dob", "contact", "hair_loss_pattern", "notes", "created",
                "updated")},
            "screenings": [{"recorded_at": s.recorded_at, "answers": s.answers}
                           for s in screenings],
            "consents": consents,
            "visits": visit_items,
        }
        write_text_atomic(partial / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False),
                          mode=FILE_MODE)
        if out_dir.exists():
            out_dir.rmdir()
        partial.rename(out_dir)
    except OSError as exc:
        raise RecordsError(f"The export to {out_dir} could not be written "
                           f"({exc.strerror or exc}); check the disk space and permissions."
                           ) from exc
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    return out_dir


def _copy_private(source: Path, dest: Path) -> None:
    def copy(handle) -> None:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, handle, 1 << 20)

    write_atomic(dest, copy, mode=FILE_MODE)


def read_export(in_dir: Path) -> dict:
    """Read and validate ``client.json`` of an export folder."""
    manifest_path = Path(in_dir) / MANIFEST
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RecordsError(f"{in_dir} is not a client export: it has no {MANIFEST}. Choose the "
                           f"folder written by `shadematch clients export`.") from exc
    except (OSError, ValueError) as exc:
        raise RecordsError(f"{manifest_path} cannot be read ({exc}); the export is damaged."
                           ) from exc
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise RecordsError(f"{manifest_path} is not a shadematch client export.")
    if int(data.get("format_version", 0)) > EXPORT_VERSION:
        raise RecordsError(f"{manifest_path} was written by a newer shadematch (export format "
                           f"{data.get('format_version')}); update shadematch to import it.")
    client = data.get("client")
    if not isinstance(client, dict) or not str(client.get("name") or "").strip():
        raise RecordsError(f"{manifest_path} has no client name; the export is damaged.")
    for visit in data.get("visits") or []:
        if visit.get("kind") not in VISIT_KINDS or not isinstance(visit.get("analysis"), dict):
            raise RecordsError(f"{manifest_path}: a visit has an unknown kind or no analysis; "
                               f"the export is damaged.")
    return data


def import_client(store: RecordStore, in_dir: Path) -> int:
    """Add the client exported in ``in_dir``; returns the new client id.

    Raises
    ------
    RecordsError
        Not an export, a photo missing or altered, or the client is already in the records.
    """
    in_dir = Path(in_dir).expanduser()
    data = read_export(in_dir)
    client = data["client"]
    uid = str(client.get("uid") or uuid.uuid4().hex)
    with store._read() as conn:
        row = conn.execute("SELECT id, name FROM clients WHERE uid = ?", (uid,)).fetchone()
    if row is not None:
        raise RecordsError(f"This client is already in the records as #{row[0]} ({row[1]}); "
                           f"nothing was imported. Delete #{row[0]} first to replace it.")
    # Verify and copy photos before the transaction (copies are content-addressed, so an
    # interrupted import leaves at most unreferenced files).
    stored: dict[str, tuple[str, str | None, int]] = {}
    for visit in data.get("visits") or []:
        for photo in visit.get("photos") or []:
            sha, name = photo.get("sha256"), photo.get("file")
            if not sha or not name or sha in stored:
                continue
            path = in_dir / name
            if not path.is_file():
                raise RecordsError(f"The export is missing {path}; nothing was imported.")
            if sha256_file(path) != sha:
                raise RecordsError(f"{path} does not match its SHA-256 in {MANIFEST} (altered "
                                   f"or damaged); nothing was imported.")
            got_sha, stored_name, thumb_name, size = store.files.add(path)
            stored[sha] = (stored_name, thumb_name, size)
    with store._write() as conn:
        cursor = conn.execute(
            "INSERT INTO clients (uid, name, dob, contact, hair_loss_pattern, notes, created, "
            "updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (uid, client["name"], client.get("dob"), client.get("contact"),
             client.get("hair_loss_pattern"), client.get("notes"), client.get("created") or "",
             client.get("updated") or client.get("created") or ""))
        client_id = int(cursor.lastrowid)
        for screening in data.get("screenings") or []:
            conn.execute("INSERT INTO screenings (client_id, recorded_at, answers_json) VALUES "
                         "(?, ?, ?)", (client_id, screening["recorded_at"],
                                       json.dumps(normalise_screening(screening["answers"]))))
        for consent in data.get("consents") or []:
            conn.execute("INSERT INTO consents (client_id, given_at, note) VALUES (?, ?, ?)",
                         (client_id, consent["given_at"], consent.get("note")))
        for visit in data.get("visits") or []:
            cursor = conn.execute(
                "INSERT INTO visits (client_id, visit_date, kind, session_number, analysis_json, "
                "chosen_entry_id, chosen_name, dilution, batch, notes, report_path, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (client_id, visit["visit_date"], visit["kind"], visit.get("session_number"),
                 json.dumps(visit["analysis"], ensure_ascii=False), visit.get("chosen_entry_id"),
                 visit.get("chosen_name"), visit.get("dilution"), visit.get("batch"),
                 visit.get("notes"), visit.get("report_path"),
                 visit.get("created") or visit["visit_date"]))
            visit_id = int(cursor.lastrowid)
            for position, photo in enumerate(visit.get("photos") or []):
                sha = photo.get("sha256")
                if sha in stored:
                    stored_name, thumb_name, size = stored[sha]
                    store._link_photo(conn, visit_id, position, sha, stored_name, thumb_name,
                                      size, photo.get("original_path"))
                else:
                    store._link_photo(conn, visit_id, position, None, None, None, None,
                                      photo.get("original_path"))
    return client_id
