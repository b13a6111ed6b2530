"""Where shadematch finds its shipped data (palettes, assets) and the user's folders.

Shipped data: in an installed wheel it lives in ``shadematch/_data``; in a source checkout it is
the top-level ``palettes/`` and ``assets/`` folders. User data lives in the platform's data folder
(platformdirs), or in the folder named by ``SHADEMATCH_DATA_DIR``. Nothing is written next to the code.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "shadematch"
_PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped_dir(name: str) -> Path:
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def shipped_palettes_dir() -> Path:
    """Folder of the palettes that ship with shadematch."""
    return _shipped_dir("palettes")


def assets_dir() -> Path:
    """Folder of the shipped assets (demo photo, fonts, icons)."""
    return _shipped_dir("assets")


def user_data_dir(create: bool = True) -> Path:
    """The user's shadematch data folder (records, logs, user palettes, autosaves).

    ``SHADEMATCH_DATA_DIR`` overrides the platform default (used by tests and portable installs).
    It holds client data (records, autosaves, logs naming reports), so it is owner-only (0700):
    created so, and the platform folder tightened if it is not. A folder named by
    ``SHADEMATCH_DATA_DIR`` that exists already keeps its permissions (the records inside it are
    owner-only anyway).
    """
    override = os.environ.get("SHADEMATCH_DATA_DIR")
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if create:
        _private_dir(path, tighten=not override or not path.exists())
    return path


REPORTS_FOLDER_NAME = "shadematch reports"


def reports_dir(create: bool = False) -> Path:
    """Where reports and sessions are saved by default: "shadematch reports" in the user's
    documents folder (platformdirs ``user_documents_dir``), never the camera folder.

    ``SHADEMATCH_REPORTS_DIR`` overrides it (tests, portable installs). ``create`` makes it
    (owner-only: reports name clients).
    """
    override = os.environ.get("SHADEMATCH_REPORTS_DIR")
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_documents_dir()) / REPORTS_FOLDER_NAME
    if create:
        _private_dir(path, tighten=False)
    return path


def _private_dir(path: Path, tighten: bool = True) -> None:
    """Create ``path`` owner-only; remove group/other permissions when it exists (never add)."""
    existed = path.exists()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if tighten or not existed:
        try:
            mode = path.stat().st_mode & 0o777
            if mode & 0o077:
                os.chmod(path, mode & 0o700)
        except OSError:
            pass  # a folder we may not change (another owner): its contents are still ours


def private_dir(path: Path) -> Path:
    """Create ``path`` (a folder of client data: autosaves, thumbnails, logs) owner-only, and
    tighten it if it exists with group or other permissions; returns it."""
    _private_dir(Path(path))
    return Path(path)


def user_palettes_dir(create: bool = True) -> Path:
    """Folder where the user's own palette files live (owner-only)."""
    path = user_data_dir(create) / "palettes"
    if create:
        _private_dir(path)
    return path


def log_dir(create: bool = True) -> Path:
    """Folder of shadematch's log files (owner-only: the log names the reports written)."""
    path = user_data_dir(create) / "logs"
    if create:
        _private_dir(path)
    return path
