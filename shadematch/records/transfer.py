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

from shadematch.atomic_files import fsync_dir, write_atomic, write_text_atomic
from shadematch.errors import RecordsError
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
        fsync_dir(out_dir.parent)
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


def _plain_file(in_dir: Path, name: str, what: str) -> Path:
    """``in_dir/name`` when it is a plain file inside the folder: no absolute path, no ``..``,
    no symbolic link on the way (an export never has them)."""
    relative = Path(name)
    if (relative.is_absolute() or not relative.parts or ".." in relative.parts
            or "\\" in name or relative.drive):
        raise RecordsError(f"{in_dir / MANIFEST} names {name!r} for {what}, which is not inside "
                           f"the export folder; the export is damaged or was altered. Nothing "
                           f"was imported.")
    path = in_dir
    for part in relative.parts:
        path = path / part
        if path.is_symlink():
            raise RecordsError(f"{path} is a symbolic link; an export holds only plain files. "
                               f"Nothing was imported.")
    if not path.is_file():
        raise RecordsError(f"The export is missing {path}; nothing was imported.")
    return path


def read_export(in_dir: Path) -> dict:
    """Read and validate ``client.json`` of an export folder (the JSON as it is)."""
    in_dir = Path(in_dir)
    manifest_path = in_dir / MANIFEST
    if not in_dir.is_dir():
        raise RecordsError(f"{in_dir} is not a folder; choose the folder written by "
                           f"`shadematch clients export`.")
    if manifest_path.is_symlink() or (manifest_path.exists() and not manifest_path.is_file()):
        raise RecordsError(f"{manifest_path} is not a plain file; the export is damaged. "
                           f"Nothing was imported.")
    try:
        if manifest_path.stat().st_size > 256 * 1024 * 1024:
            raise RecordsError(f"{manifest_path} is larger than 256 MB; it is not an export "
                               f"shadematch wrote. Nothing was imported.")
        data = json.loads(manifest_path.read_bytes().decode("utf-8"))
    except FileNotFoundError as exc:
        raise RecordsError(f"{in_dir} is not a client export: it has no {MANIFEST}. Choose the "
                           f"folder written by `shadematch clients export`.") from exc
    except RecursionError as exc:
        raise RecordsError(f"{manifest_path} is nested too deeply to be an export; it is "
                           f"damaged. Nothing was imported.") from exc
    except (OSError, ValueError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) else str(exc)[:200]
        raise RecordsError(f"{manifest_path} cannot be read ({detail}); the export is damaged. "
                           f"Nothing was imported.") from exc
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise RecordsError(f"{manifest_path} is not a shadematch client export.")
    version = data.get("format_version", 0)
    if type(version) is not int or version < 1:
        raise RecordsError(f"{manifest_path} has no valid format_version; the export is "
                           f"damaged. Nothing was imported.")
    if version > EXPORT_VERSION:
        raise RecordsError(f"{manifest_path} was written by a newer shadematch (export format "
                           f"{version}); update shadematch to import it.")
    return data


def import_client(store: RecordStore, in_dir: Path) -> int:
    """Add the client exported in ``in_dir``; returns the new client id.

    Everything is checked first (every field, the under-18 rule for treatment visits, every
    photo's place and SHA-256), then added in one transaction: all or nothing.

    Raises
    ------
    RecordsError
        Not an export, a field that is not valid, a photo missing, outside the folder or
        altered, or the client is already in the records.
    """
    from shadematch.records.validation import validate_export

    in_dir = Path(in_dir).expanduser().absolute()
    data = read_export(in_dir)
    plan = validate_export(data, str(in_dir / MANIFEST))
    client = plan["client"]
    uid = client["uid"] or uuid.uuid4().hex
    _refuse_known(store, uid)
    # Verify and copy photos before the transaction (copies are content-addressed, so an
    # interrupted import leaves at most unreferenced files).
    sources: dict[str, Path] = {}
    for visit in plan["visits"]:
        for photo in visit["photos"]:
            sha, name = photo["sha256"], photo["file"]
            if not name or sha in sources:
                continue
            path = _plain_file(in_dir, name, "a photo")
            if sha256_file(path) != sha:
                raise RecordsError(f"{path} does not match its SHA-256 in {MANIFEST} (altered "
                                   f"or damaged); nothing was imported.")
            sources[sha] = path
    stored = {sha: store.files.add(path) for sha, path in sources.items()}
    for sha, (got_sha, _name, _thumb, _size) in stored.items():
        if got_sha != sha:
            raise RecordsError(f"{sources[sha]} changed while it was imported; nothing was "
                               f"imported. Try again.")
    with store._write() as conn:
        _refuse_known(store, uid, conn)
        cursor = conn.execute(
            "INSERT INTO clients (uid, name, dob, contact, hair_loss_pattern, notes, created, "
            "updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (uid, client["name"], client["dob"], client["contact"], client["hair_loss_pattern"],
             client["notes"], client["created"], client["updated"]))
        client_id = int(cursor.lastrowid)
        conn.executemany("INSERT INTO screenings (client_id, recorded_at, answers_json) VALUES "
                         "(?, ?, ?)", [(client_id, *row) for row in plan["screenings"]])
        conn.executemany("INSERT INTO consents (client_id, given_at, note) VALUES (?, ?, ?)",
                         [(client_id, *row) for row in plan["consents"]])
        for visit in plan["visits"]:
            cursor = conn.execute(
                "INSERT INTO visits (client_id, visit_date, kind, session_number, analysis_json, "
                "chosen_entry_id, chosen_name, dilution, batch, notes, report_path, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (client_id, visit["visit_date"], visit["kind"], visit["session_number"],
                 visit["analysis_json"], visit["chosen_entry_id"], visit["chosen_name"],
                 visit["dilution"], visit["batch"], visit["notes"], visit["report_path"],
                 visit["created"]))
            visit_id = int(cursor.lastrowid)
            for position, photo in enumerate(visit["photos"]):
                sha = photo["sha256"]
                if sha in stored:
                    _sha, stored_name, thumb_name, size = stored[sha]
                    store._link_photo(conn, visit_id, position, sha, stored_name, thumb_name,
                                      size, photo["original_path"], source=sources[sha])
                else:
                    store._link_photo(conn, visit_id, position, None, None, None, None,
                                      photo["original_path"])
    return client_id


def _refuse_known(store: RecordStore, uid: str, conn=None) -> None:
    """RecordsError when a client with ``uid`` is in the records already."""
    if conn is None:
        with store._read() as reader:
            row = reader.execute("SELECT id, name FROM clients WHERE uid = ?", (uid,)).fetchone()
    else:
        row = conn.execute("SELECT id, name FROM clients WHERE uid = ?", (uid,)).fetchone()
    if row is not None:
        raise RecordsError(f"This client is already in the records as #{row[0]} ({row[1]}); "
                           f"nothing was imported. Delete #{row[0]} first to replace it.")
