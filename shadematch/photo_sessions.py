"""The per-photo session store: each photo keeps its analysis (Qt-free).

When another photo replaces the analysis, the analysis of the photo being left (regions,
calibration, chosen shade, treatment, notes) is kept in ``user_data_dir()/photo-sessions/``, one
session file per photo named by the photo's content hash (SHA-256): never a sidecar next to the
photo, whose folder may be read-only or synced. Reopening the photo (under any name, from any
folder) finds its analysis again. Files are written atomically (:func:`shadematch.sessions.save_session`).

The session block of a kept file says whether the analysis was still unsaved when it was kept
(``"kept": {"unsaved": true}``): such work stays "modified" when it comes back.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from shadematch.errors import SessionError
from shadematch.sessions import (
    SESSION_SUFFIX,
    RecoveryEntry,
    discard_autosave,
    list_recoverable,
    read_session,
    save_session,
)

log = logging.getLogger(__name__)

STORE_FOLDER = "photo-sessions"
_SHA = re.compile(r"^[0-9a-f]{64}$")


def store_dir(create: bool = True) -> Path:
    """The folder of kept per-photo analyses in the user's data folder (owner-only)."""
    from shadematch.resources import private_dir, user_data_dir

    path = user_data_dir(create) / STORE_FOLDER
    if create:
        private_dir(path)
    return path


def _folder(directory) -> Path:
    return Path(directory) if directory is not None else store_dir()


def kept_path(photo_sha256: str, directory: str | os.PathLike | None = None) -> Path:
    """The store file of the photo with content hash ``photo_sha256``.

    Raises
    ------
    SessionError
        ``photo_sha256`` is not a SHA-256 in hex (the photo was never read).
    """
    sha = str(photo_sha256 or "").lower()
    if not _SHA.match(sha):
        raise SessionError("This photo has no content hash: its analysis cannot be kept; save "
                           "it as a session instead.")
    return _folder(directory) / f"{sha}{SESSION_SUFFIX}"


def keep_analysis(analysis: dict, settings: dict | None = None, *, unsaved: bool = True,
                  directory: str | os.PathLike | None = None) -> Path:
    """Keep ``analysis`` (``Analysis.to_dict()``) as its photo's session; returns the file.

    Raises
    ------
    SessionError
        The record names no photo hash, or the file could not be written.
    """
    sha = ((analysis.get("photo") or {}).get("sha256")) or ""
    path = kept_path(sha, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    session_settings = dict(settings or {})
    session_settings["kept_unsaved"] = bool(unsaved)
    save_session(path, analysis, session_settings)
    return path


def kept_was_unsaved(record: dict) -> bool:
    """Whether a kept record was unsaved work when it was kept."""
    settings = (record.get("session") or {}).get("settings") or {}
    return bool(settings.get("kept_unsaved", True))


def find_kept(photo_sha256: str, directory: str | os.PathLike | None = None) -> dict | None:
    """The kept analysis of the photo with this content hash, or None.

    A damaged store file is logged and ignored (the photo opens without it).
    """
    try:
        path = kept_path(photo_sha256, directory)
    except SessionError:
        return None
    if not path.is_file():
        return None
    try:
        return read_session(path)
    except SessionError as exc:
        log.warning("kept analysis %s not used: %s", path.name, exc)
        return None


def remove_kept(photo_sha256: str, directory: str | os.PathLike | None = None) -> None:
    """Forget the kept analysis of a photo (no error when there is none)."""
    try:
        discard_autosave(kept_path(photo_sha256, directory))
    except SessionError:
        return


def list_kept(directory: str | os.PathLike | None = None) -> list[RecoveryEntry]:
    """Every kept analysis, newest first (photo file name, time, region count)."""
    folder = Path(directory) if directory is not None else store_dir(create=False)
    return list_recoverable(folder)
