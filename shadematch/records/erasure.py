"""Erasing a client everywhere the app keeps them, not only in the database.

An erasure removes the client from ``records.db`` (with the photo copies only they used), then

* from every backup in the backups folder: each backup that holds them is rewritten without
  them (a copy is changed, compacted with VACUUM and renamed over the backup);
* from the files the app wrote about them: the report PDFs recorded with their visits, the
  autosaved sessions of their photos, the camera panel's thumbnails of their photos, and the
  log lines that name them or their files;
* and it is written down in ``erasures.json`` (the client's random uid and the time, nothing
  that names them), so restoring any backup, even one copied elsewhere, erases them again, and
  an erasure cut short by a crash is finished at the next start.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from shadematch.atomic_files import fsync_dir, write_text_atomic
from shadematch.errors import RecordsError
from shadematch.records.photos import FILE_MODE

JOURNAL = "erasures.json"
_CACHE_FILE = re.compile(r"^\.?[0-9a-f]{40}\.(jpg|error\.json)(\..*\.tmp)?$")
# The desktop application's log (gui/error_reporting.py) and its rotated copies.
_LOG_FILE = re.compile(r"^shadematch\.log(\.\d+)?$")
JOURNAL_FORMAT = "shadematch-erasures"


@dataclass
class ClientTraces:
    """What identifies a client's data outside the database (gathered before the erasure)."""

    client_id: int
    uid: str
    name: str
    photo_shas: set[str] = field(default_factory=set)
    original_paths: set[str] = field(default_factory=set)
    report_paths: set[str] = field(default_factory=set)


def gather_traces(conn: sqlite3.Connection, client_id: int) -> ClientTraces:
    uid, name = conn.execute("SELECT uid, name FROM clients WHERE id = ?",
                             (int(client_id),)).fetchone()
    traces = ClientTraces(int(client_id), uid, name)
    for sha, original in conn.execute(
            "SELECT vp.sha256, vp.original_path FROM visit_photos vp JOIN visits v ON "
            "v.id = vp.visit_id WHERE v.client_id = ?", (int(client_id),)):
        if sha:
            traces.photo_shas.add(sha)
        if original:
            traces.original_paths.add(original)
    traces.report_paths = {r[0] for r in conn.execute(
        "SELECT report_path FROM visits WHERE client_id = ? AND report_path IS NOT NULL",
        (int(client_id),))}
    return traces


# ---------------------------------------------------------------------------- the journal
@dataclass(frozen=True)
class ErasedRows:
    """What :func:`delete_client_rows` removed: the visit count and the photo copies no other
    visit uses any more, as ``(sha256, stored_name, thumb_name)``."""

    visits: int
    photos: list[tuple[str, str | None, str | None]]


def delete_client_rows(conn, client_id: int, audit) -> ErasedRows:
    """Delete a client's rows (visits, screenings, consents cascade) and the photo rows no other
    visit uses, inside the caller's write transaction, on either backend (``?`` parameters).

    ``audit(conn, action, record, detail)`` writes the audit entry: which record and when,
    without the erased content. The caller removes the photo files after the commit.
    """
    cid = int(client_id)
    shas = [r[0] for r in conn.execute(
        "SELECT DISTINCT vp.sha256 FROM visit_photos vp JOIN visits v ON v.id = vp.visit_id "
        "WHERE v.client_id = ? AND vp.sha256 IS NOT NULL", (cid,))]
    visits = int(conn.execute("SELECT COUNT(*) FROM visits WHERE client_id = ?",
                              (cid,)).fetchone()[0])
    uid = conn.execute("SELECT uid FROM clients WHERE id = ?", (cid,)).fetchone()[0]
    conn.execute("DELETE FROM clients WHERE id = ?", (cid,))
    unused: list[tuple[str, str | None, str | None]] = []
    for sha in shas:
        if conn.execute("SELECT 1 FROM visit_photos WHERE sha256 = ? LIMIT 1",
                        (sha,)).fetchone() is None:
            row = conn.execute("SELECT stored_name, thumb_name FROM photos WHERE sha256 = ?",
                               (sha,)).fetchone()
            conn.execute("DELETE FROM photos WHERE sha256 = ?", (sha,))
            if row:
                unused.append((sha, row[0], row[1]))
    audit(conn, "erase", f"client #{cid}", f"uid {uid}; {visits} visits, {len(unused)} photos")
    return ErasedRows(visits, unused)


def read_journal(root: Path) -> list[dict]:
    """The erasures recorded in ``root/erasures.json`` (``{"uid", "id", "erased_at", "done"}``)."""
    path = Path(root) / JOURNAL
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError, RecursionError) as exc:
        raise RecordsError(f"{path} cannot be read ({exc}); it lists the clients that were "
                           f"erased. Restore it from your file backup before restoring or "
                           f"erasing anything.") from exc
    entries = data.get("erasures") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise RecordsError(f"{path} is not a shadematch erasure journal; restore it from your "
                           f"file backup.")
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("uid"), str)]


def write_journal(root: Path, entries: list[dict]) -> None:
    data = {"format": JOURNAL_FORMAT, "format_version": 1, "erasures": entries}
    write_text_atomic(Path(root) / JOURNAL, json.dumps(data, indent=1), mode=FILE_MODE)


def journal_add(root: Path, uid: str, client_id: int) -> None:
    entries = [e for e in read_journal(root) if e["uid"] != uid]
    entries.append({"uid": uid, "id": int(client_id), "done": False,
                    "erased_at": dt.datetime.now(dt.timezone.utc).replace(
                        microsecond=0).isoformat()})
    write_journal(root, entries)


def journal_done(root: Path, uid: str) -> None:
    entries = read_journal(root)
    for entry in entries:
        if entry["uid"] == uid:
            entry["done"] = True
    write_journal(root, entries)


# ---------------------------------------------------------------------------- backups
def _holds(path: Path, uid: str, client_id: int, name: str | None) -> bool:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version >= 3:
            return conn.execute("SELECT 1 FROM clients WHERE uid = ?", (uid,)).fetchone() \
                is not None
        # Before schema 3 clients had no uid; schema 3 kept their ids.
        row = conn.execute("SELECT name FROM clients WHERE id = ?", (client_id,)).fetchone()
        return row is not None and (name is None or row[0] == name)
    finally:
        conn.close()


def scrub_backup(path: Path, uid: str, client_id: int, name: str | None = None) -> bool:
    """Rewrite the backup ``path`` without the client; returns False when they were not in it.

    The change is made on a copy (0600) that is compacted (VACUUM, so no freed page keeps
    them) and renamed over the backup: the backup is never half-rewritten.
    """
    path = Path(path)
    try:
        if not _holds(path, uid, client_id, name):
            return False
    except sqlite3.Error:
        return False  # not a backup we can read; `shadematch restore` refuses it anyway
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, FILE_MODE)
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(tmp, isolation_level=None)
        try:
            source.backup(target)
            source.close()
            target.execute("PRAGMA foreign_keys = ON")
            target.execute("PRAGMA secure_delete = ON")
            version = int(target.execute("PRAGMA user_version").fetchone()[0])
            target.execute("BEGIN IMMEDIATE")
            if version >= 3:
                target.execute("DELETE FROM clients WHERE uid = ?", (uid,))
                target.execute("DELETE FROM photos WHERE sha256 NOT IN (SELECT sha256 FROM "
                               "visit_photos WHERE sha256 IS NOT NULL)")
            else:
                target.execute("DELETE FROM visits WHERE client_id = ?", (client_id,))
                for table in ("screenings", "consents"):
                    if target.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                      (table,)).fetchone():
                        target.execute(f"DELETE FROM {table} WHERE client_id = ?", (client_id,))
                target.execute("DELETE FROM clients WHERE id = ?", (client_id,))
            target.execute("COMMIT")
            target.execute("VACUUM")
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            source.close()
            target.close()
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except sqlite3.Error as exc:
        raise RecordsError(f"The backup {path} could not be rewritten without the erased client "
                           f"({exc}); check the disk space, then erase the client again "
                           f"(or delete that backup).") from exc
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    return True


# ---------------------------------------------------------------------------- app files
def scrub_app_files(data_dir: Path, traces: ClientTraces) -> dict[str, int]:
    """Remove the report PDFs, autosaves, camera-panel thumbnails and log lines of the client.

    ``data_dir`` is the user data folder (the records folder's parent). Returns counts.
    """
    counts = {"reports": 0, "autosaves": 0, "thumbnails": 0, "log_lines": 0}
    for report in traces.report_paths:
        path = Path(report)
        if path.suffix.lower() == ".pdf" and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            counts["reports"] += 1
    autosave = Path(data_dir) / "autosave"
    needles = set(traces.photo_shas)
    needles |= {json.dumps(p, ensure_ascii=False)[1:-1] for p in traces.original_paths}
    needles |= {json.dumps(p)[1:-1] for p in traces.original_paths}
    if autosave.is_dir() and needles:
        for file in autosave.iterdir():
            if not file.is_file() or file.is_symlink() or file.suffix != ".shadematch":
                continue
            try:
                text = file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if any(needle in text for needle in needles):
                file.unlink(missing_ok=True)
                counts["autosaves"] += 1
    counts["thumbnails"] = _scrub_thumbnails(Path(data_dir) / "thumbnails", traces)
    counts["log_lines"] = _scrub_logs(Path(data_dir) / "logs", traces)
    return counts


def _scrub_logs(folder: Path, traces: ClientTraces) -> int:
    """Drop the log lines that name the client or their files (report paths carry names).

    Rewritten in place (not renamed), so a running shadematch keeps logging to the same file.
    """
    needles = {p for p in traces.report_paths | traces.original_paths if p}
    if len(traces.name.strip()) >= 3:
        needles.add(traces.name.strip())
    if not folder.is_dir() or not needles:
        return 0
    encoded = [n.encode("utf-8", "surrogatepass") for n in needles]
    removed = 0
    for path in folder.iterdir():
        if not path.is_file() or path.is_symlink() or not _LOG_FILE.match(path.name):
            continue
        try:
            with open(path, "r+b") as handle:
                lines = handle.read().splitlines(keepends=True)
                kept = [line for line in lines if not any(n in line for n in encoded)]
                if len(kept) != len(lines):
                    handle.seek(0)
                    handle.write(b"".join(kept))
                    handle.truncate()
                    handle.flush()
                    os.fsync(handle.fileno())
                    removed += len(lines) - len(kept)
        except OSError:
            continue
    return removed


def _scrub_thumbnails(folder: Path, traces: ClientTraces) -> int:
    """Empty the camera panel's thumbnail cache when the client had photos.

    The cache is keyed by a photo's path, modification time and size, so the entry of a photo
    that was edited, moved or deleted since cannot be found from the records; emptying the cache
    (it is remade as photos are shown) is the only way to be sure none of theirs is left.
    """
    if not folder.is_dir() or not (traces.original_paths or traces.photo_shas):
        return 0
    removed = 0
    # Only the cache's own files (<2 hex>/<40 hex>.jpg | .error.json, and their temporaries):
    # nothing else that might be in a folder of that name.
    for path in folder.glob("??/*"):
        if path.is_file() and not path.is_symlink() and _CACHE_FILE.match(path.name) \
                and path.name.lstrip(".")[:2] == path.parent.name:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
