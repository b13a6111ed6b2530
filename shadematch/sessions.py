"""Session files (``.shadematch``): save, reopen, autosave and recovery (Qt-free).

A session file is the analysis record of docs/ANALYSIS_FORMAT.md with a ``"session"`` block::

    "session": {"format": "shadematch-session", "format_version": 1, "saved": "<ISO 8601 UTC>",
                "app_version": "0.1.0", "photo_path": "/abs/photo.jpg",
                "photo_sha256": "<64 hex>", "settings": {...}}

``settings`` holds the choices the analysis was made with (formula, palette, target, top...).
Files are written atomically, so a crash never leaves half a session behind. Autosaves go to
``user_data_dir()/autosave/<key>.shadematch``; one key per analysis, the newest few kept, so work
interrupted by a crash (or by opening another photo) can be recovered.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from shadematch import __version__
from shadematch.analysis_record import FORMAT, Analysis
from shadematch.atomic_files import write_text_atomic
from shadematch.errors import SessionError, ShadematchError

SESSION_SUFFIX = ".shadematch"
SESSION_FORMAT = "shadematch-session"
SESSION_FORMAT_VERSION = 1
ANALYSIS_FORMAT = FORMAT
AUTOSAVE_DELAY_S = 3.0
AUTOSAVE_KEEP = 10


def _now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def file_sha256(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while True:
            block = handle.read(chunk)
            if not block:
                break
            digest.update(block)
    return digest.hexdigest()


def _json_safe(value):
    """Replace NaN/inf (not valid JSON) with None, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def session_dict(analysis: dict, settings: dict | None = None) -> dict:
    """The session record: ``analysis`` (a dict of docs/ANALYSIS_FORMAT.md) plus its session block."""
    data = {k: v for k, v in analysis.items() if k != "session"}
    photo = data.get("photo") or {}
    data["session"] = {
        "format": SESSION_FORMAT,
        "format_version": SESSION_FORMAT_VERSION,
        "saved": _now_iso(),
        "app_version": __version__,
        "photo_path": photo.get("path"),
        "photo_sha256": photo.get("sha256"),
        "settings": dict(settings or {}),
    }
    return data


def save_session(path: str | os.PathLike, analysis: dict, settings: dict | None = None,
                 overwrite: bool = True) -> Path:
    """Write a session file atomically; ``.shadematch`` is added when the name has no suffix.

    Parameters
    ----------
    path : destination file.
    analysis : the analysis record (``Analysis.to_dict()``); a ``session`` block it may carry is
        replaced.
    settings : the settings the analysis was made with (stored in the session block).
    overwrite : when False, an existing file is left alone and :class:`SessionError` raised.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    SessionError
        The file could not be written (folder missing, no permission, disk full, exists).
    """
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(SESSION_SUFFIX)
    text = json.dumps(_json_safe(session_dict(analysis, settings)), indent=1, ensure_ascii=False)
    try:
        write_text_atomic(target, text + "\n", overwrite=overwrite)
    except FileExistsError:
        raise SessionError(f"{target} already exists: choose another name, or confirm "
                           "replacing it.") from None
    except OSError as exc:
        raise SessionError(f"{target} could not be saved: {exc.strerror or exc}. Choose a folder "
                           "you can write to, or free some disk space.") from exc
    return target


def read_session(path: str | os.PathLike) -> dict:
    """Read and check a session file (or a bare analysis record exported with ``--json``).

    Returns
    -------
    dict
        The analysis record; ``record["session"]`` always exists (filled in for bare records).

    Raises
    ------
    SessionError
        Missing, unreadable, not JSON, not a shadematch session, or from a newer shadematch.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(f"{file} does not exist: check the name, or open another session."
                           ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{file.name} could not be read ({exc}): copy it again or open "
                           "another session.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionError(f"{file.name} is damaged (not valid JSON at line {exc.lineno}): open "
                           "its autosave or another copy.") from exc
    if not isinstance(data, dict) or data.get("format") != ANALYSIS_FORMAT:
        raise SessionError(f"{file.name} is not a shadematch session: open a .shadematch file "
                           "saved by shadematch.")
    version = data.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise SessionError(f"{file.name} has no valid format version: it was not written by "
                           "shadematch; open another session.")
    session = data.get("session")
    if session is None:
        photo = data.get("photo") or {}
        session = {"format": SESSION_FORMAT, "format_version": SESSION_FORMAT_VERSION,
                   "photo_path": photo.get("path"), "photo_sha256": photo.get("sha256"),
                   "settings": {}}
        data["session"] = session
    if not isinstance(session, dict) or session.get("format") != SESSION_FORMAT:
        raise SessionError(f"{file.name} has a malformed session block: open another copy.")
    if int(session.get("format_version", 0)) > SESSION_FORMAT_VERSION:
        raise SessionError(f"{file.name} was saved by a newer shadematch "
                           f"({session.get('app_version', '?')}): update shadematch to open it.")
    if not isinstance(data.get("regions", []), list):
        raise SessionError(f"{file.name} has a malformed region list: open another copy.")
    try:
        Analysis.from_dict(data)  # every block readable, a format this shadematch knows
    except ShadematchError as exc:
        raise SessionError(f"{file.name}: {exc}") from exc
    return data


@dataclass(frozen=True)
class PhotoCheck:
    """Whether the photo a session was made on is still where it was, unchanged.

    status : "ok", "missing" (no file at the path), "changed" (different SHA-256) or
        "unknown" (the session names no photo).
    """

    status: str
    path: Path | None
    expected_sha256: str | None
    actual_sha256: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def message(self) -> str:
        """What happened and the choices, in words for the practitioner."""
        name = self.path.name if self.path else "the photo"
        if self.status == "missing":
            return (f"The photo of this session, {name}, is no longer at {self.path}. "
                    "Locate it (it may have been moved or renamed), open the session without it "
                    "(the saved measurements are shown), or cancel.")
        if self.status == "changed":
            return (f"{name} has changed since this session was saved (its contents differ). "
                    "Locate the original, open anyway with the changed photo (the regions are "
                    "measured again), or cancel.")
        if self.status == "unknown":
            return "This session does not name its photo: locate the photo or cancel."
        return f"{name} is unchanged."


def check_photo(record: dict, path: str | os.PathLike | None = None,
                sha256: str | None = None) -> PhotoCheck:
    """Compare the session's photo with the file at ``path`` (default: the saved path).

    ``sha256`` may give the file's hash when it is already known (e.g. from ``load_photo``).
    """
    session = record.get("session") or {}
    photo = record.get("photo") or {}
    expected = session.get("photo_sha256") or photo.get("sha256")
    saved_path = session.get("photo_path") or photo.get("path")
    file = Path(path) if path is not None else (Path(saved_path) if saved_path else None)
    if file is None:
        return PhotoCheck("unknown", None, expected)
    if not file.is_file():
        return PhotoCheck("missing", file, expected)
    actual = sha256 or file_sha256(file)
    if expected and actual != expected:
        return PhotoCheck("changed", file, expected, actual)
    return PhotoCheck("ok", file, expected, actual)


# ---------------------------------------------------------------------------------------------
# Autosave and recovery

def autosave_dir(create: bool = True) -> Path:
    """The folder of autosaved sessions in the user's data folder."""
    from shadematch.resources import private_dir, user_data_dir

    path = user_data_dir(create) / "autosave"
    if create:
        private_dir(path)       # the autosaves hold client photos' analyses: owner-only
    return path


def holds_work(regions, notes, calibration, picks) -> bool:
    """Whether an analysis holds work worth recovering after a crash: regions, notes, a
    calibration or a pick. A photo alone is not (it can simply be opened again)."""
    return bool(regions or str(notes or "").strip() or calibration
                or any((picks or {}).values()))


@dataclass(frozen=True)
class RecoveryEntry:
    """An autosaved session that can be recovered."""

    path: Path
    saved: datetime
    photo_name: str
    regions: int
    has_work: bool = True  # regions, notes, picks or a calibration: something to recover

    def describe(self) -> str:
        local = self.saved.astimezone()
        noun = "region" if self.regions == 1 else "regions"
        return (f"{self.photo_name or 'an unsaved analysis'}, {self.regions} {noun}, "
                f"autosaved {local:%Y-%m-%d %H:%M:%S}")


def list_recoverable(directory: str | os.PathLike | None = None) -> list[RecoveryEntry]:
    """Autosaved sessions in ``directory`` (default :func:`autosave_dir`), newest first.

    Unreadable files are skipped (they are not sessions this app can recover).
    """
    folder = Path(directory) if directory is not None else autosave_dir()
    if not folder.is_dir():
        return []
    entries = []
    for file in folder.glob(f"*{SESSION_SUFFIX}"):
        try:
            record = read_session(file)
        except SessionError:
            continue
        saved = (record.get("session") or {}).get("saved")
        try:
            when = datetime.fromisoformat(saved) if saved else None
        except ValueError:
            when = None
        if when is None:
            when = datetime.fromtimestamp(file.stat().st_mtime, timezone.utc)
        regions = len(record.get("regions") or [])
        has_work = holds_work(record.get("regions"), record.get("notes"),
                              record.get("calibration"), record.get("picks"))
        entries.append(RecoveryEntry(file, when, (record.get("photo") or {}).get("name", ""),
                                     regions, has_work))
    entries.sort(key=lambda e: e.saved, reverse=True)
    return entries


def discard_autosave(path: str | os.PathLike) -> None:
    """Delete an autosave file (no error when it is already gone)."""
    try:
        Path(path).unlink()
    except FileNotFoundError:
        pass


class Autosaver:
    """Decides when to autosave and writes the autosave file of the current analysis.

    The caller marks changes with :meth:`mark_changed`, asks :meth:`due` from a timer, and
    writes with :meth:`save` (which can run on a worker thread: it only writes the record it
    is given). After an explicit save, :meth:`discard` removes the autosave.

    Parameters
    ----------
    directory : where autosaves go (default :func:`autosave_dir`).
    delay : seconds after the last change before an autosave is due (at most this much work is
        lost in a crash, plus the time to write).
    keep : how many autosave files to keep (older ones are deleted).
    clock : monotonic clock in seconds (tests pass their own).
    """

    def __init__(self, directory: str | os.PathLike | None = None, delay: float = AUTOSAVE_DELAY_S,
                 keep: int = AUTOSAVE_KEEP, clock: Callable[[], float] = time.monotonic) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.delay, self.keep, self.clock = float(delay), int(keep), clock
        self.key = uuid.uuid4().hex[:12]
        self._changed_at: float | None = None

    @property
    def folder(self) -> Path:
        if self.directory is None:
            return autosave_dir()
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory

    @property
    def path(self) -> Path:
        return self.folder / f"autosave-{self.key}{SESSION_SUFFIX}"

    def new_analysis(self, key: str | None = None) -> None:
        """Start autosaving a new analysis under a new file (the previous one stays recoverable)."""
        self.key = key or uuid.uuid4().hex[:12]
        self._changed_at = None

    def adopt(self, path: str | os.PathLike) -> None:
        """Continue autosaving into a recovered autosave file instead of a new one."""
        stem = Path(path).stem
        self.new_analysis(stem[len("autosave-"):] if stem.startswith("autosave-") else stem)

    def mark_changed(self) -> None:
        """Something changed: an autosave becomes due ``delay`` seconds from the first change."""
        if self._changed_at is None:
            self._changed_at = self.clock()

    @property
    def pending(self) -> bool:
        return self._changed_at is not None

    def due(self) -> bool:
        """True when unsaved changes are older than ``delay`` seconds."""
        return self._changed_at is not None and self.clock() - self._changed_at >= self.delay

    def take(self) -> Path:
        """Clear the pending mark and return the file to write (call before :meth:`write`)."""
        self._changed_at = None
        return self.path

    def save(self, analysis: dict, settings: dict | None = None) -> Path:
        """Write the autosave now (atomically) and prune old autosaves."""
        path = self.take()
        self.write(path, analysis, settings, self.keep)
        return path

    @staticmethod
    def write(path: Path, analysis: dict, settings: dict | None = None,
              keep: int = AUTOSAVE_KEEP) -> Path:
        """Write one autosave file and prune the folder to ``keep`` files (thread-safe)."""
        save_session(path, analysis, settings)
        prune_autosaves(path.parent, keep, protect=path)
        return path

    def discard(self) -> None:
        """Remove this analysis's autosave (after an explicit save, or when nothing is left)."""
        self._changed_at = None
        discard_autosave(self.path)


def prune_autosaves(directory: str | os.PathLike, keep: int = AUTOSAVE_KEEP,
                    protect: str | os.PathLike | None = None) -> None:
    """Delete all but the ``keep`` newest autosave files (never ``protect``)."""
    folder = Path(directory)
    dated = []
    for file in folder.glob(f"*{SESSION_SUFFIX}"):
        try:
            dated.append((file.stat().st_mtime, file))
        except FileNotFoundError:
            continue  # removed meanwhile (another window discarded it)
    files = [f for _, f in sorted(dated, reverse=True)]
    keep_set = set(files[:max(keep, 1)])
    if protect is not None:
        keep_set.add(Path(protect))
    for file in files:
        if file not in keep_set:
            discard_autosave(file)
