"""List the photos in a camera folder and notice new ones once they have finished arriving.

Qt-free. Two jobs, both cheap to test headless:

* :func:`list_photos` — the photos in a folder, newest first, each with the date and time it was
  taken (EXIF ``DateTimeOriginal`` when the file has it, otherwise the file's modification time).
* :class:`FolderWatchState` — fed successive :func:`snapshot_folder` results (taken off the GUI
  thread), it reports which photos are new or changed *and have stopped growing*, so a photo that
  is still being copied or tethered in is never read half-written.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from shadematch.errors import ShadematchError

# EXIF tags (Exif IFD 0x8769): DateTimeOriginal, OffsetTimeOriginal is ignored (local time shown).
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867
_DATETIME = 306


class FolderError(ShadematchError):
    """A camera folder cannot be listed (missing, not a folder, no permission)."""


class PhotoVanishedError(FolderError):
    """A photo listed a moment ago is no longer in its folder (moved or deleted)."""


def supported_suffixes() -> frozenset[str]:
    """The lower-case file suffixes (with the dot) of every photo format the core can read."""
    from shadematch.imaging import SUPPORTED_SUFFIXES

    return frozenset(s.lower() for s in SUPPORTED_SUFFIXES)


def is_photo_name(name: str, suffixes: Iterable[str] | None = None) -> bool:
    """True when ``name`` has a photo suffix and is not a hidden or temporary file.

    Hidden files (``.name``) are skipped: tethering tools and :mod:`shadematch.atomic_files`
    write to hidden temporaries and rename them when complete.
    """
    if name.startswith(".") or name.startswith("~"):
        return False
    allowed = supported_suffixes() if suffixes is None else suffixes
    return os.path.splitext(name)[1].lower() in allowed


@dataclass(frozen=True)
class FileStamp:
    """What a directory listing tells about one file: size in bytes, mtime in nanoseconds."""

    size: int
    mtime_ns: int


@dataclass(frozen=True)
class PhotoEntry:
    """One photo in a camera folder.

    Attributes
    ----------
    path : absolute path of the file.
    size : size in bytes.
    mtime_ns : modification time, nanoseconds since the epoch.
    taken : when the photo was taken (naive local time).
    taken_source : ``"exif"`` (DateTimeOriginal) or ``"mtime"`` (file modification time).
    """

    path: Path
    size: int
    mtime_ns: int
    taken: datetime
    taken_source: str

    @property
    def name(self) -> str:
        return self.path.name

    def taken_label(self) -> str:
        """Date and time for display, e.g. ``2026-11-21 14:03:07``."""
        return self.taken.strftime("%Y-%m-%d %H:%M:%S")

    def sort_key(self) -> tuple:
        """Ascending key; sort with ``reverse=True`` for newest first (name breaks ties)."""
        return (self.taken, self.mtime_ns, self.path.name)


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise FolderError(f"The folder {folder} does not exist: choose another folder, or check "
                          "that the drive or camera is connected.")
    if not folder.is_dir():
        raise FolderError(f"{folder} is a file, not a folder: choose the folder the photos are in.")


def snapshot_folder(folder: str | os.PathLike, suffixes: Iterable[str] | None = None,
                    cancelled: Callable[[], bool] | None = None,
                    progress: Callable[..., None] | None = None) -> dict[Path, FileStamp]:
    """Size and mtime of every photo file directly inside ``folder`` (not recursive).

    Parameters
    ----------
    folder : the camera folder.
    suffixes : allowed lower-case suffixes; default :func:`supported_suffixes`.
    cancelled : optional callable; when it returns True the scan stops early.
    progress : accepted for the task-runner protocol; unused (a listing is one step).

    Returns
    -------
    dict mapping absolute path -> :class:`FileStamp`.

    Raises
    ------
    FolderError
        The folder is missing, not a folder, or cannot be read.
    """
    root = Path(folder).expanduser().absolute()
    _check_folder(root)
    allowed = frozenset(supported_suffixes() if suffixes is None else suffixes)
    result: dict[Path, FileStamp] = {}
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                if cancelled is not None and cancelled():
                    break
                if not is_photo_name(entry.name, allowed):
                    continue
                try:
                    if not entry.is_file():
                        continue
                    st = entry.stat()
                except OSError:
                    continue  # vanished between listing and stat: the next scan settles it
                result[root / entry.name] = FileStamp(st.st_size, st.st_mtime_ns)
    except PermissionError as exc:
        raise FolderError(f"shadematch may not read the folder {root}: check its permissions "
                          "or choose another folder.") from exc
    except OSError as exc:
        raise FolderError(f"The folder {root} could not be read ({exc.strerror or exc}): check "
                          "that the drive is still connected.") from exc
    return result


def _parse_exif_datetime(value: object) -> datetime | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    if not isinstance(value, str):
        return None
    text = value.strip().rstrip("\x00").strip()
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M"):
        try:
            return datetime.strptime(text[:19], fmt)
        except ValueError:
            continue
    return None


def exif_taken_time(path: str | os.PathLike) -> datetime | None:
    """EXIF ``DateTimeOriginal`` of a photo (or IFD0 ``DateTime``), or None.

    Only the header is read (Pillow opens lazily). HEIC is read when pillow-heif is installed;
    RAW files, and anything Pillow cannot open, give None (the caller falls back to the mtime).
    """
    from PIL import Image

    suffix = Path(path).suffix.lower()
    if suffix in (".heic", ".heif"):
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError:
            return None
    try:
        with Image.open(path) as image:
            exif = image.getexif()
            found = _parse_exif_datetime(exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL))
            if found is None:
                found = _parse_exif_datetime(exif.get(_DATETIME))
            return found
    except Exception:  # noqa: BLE001 - any unreadable header just means "no EXIF date"
        return None


def describe_photo(path: str | os.PathLike, stamp: FileStamp | None = None) -> PhotoEntry:
    """A :class:`PhotoEntry` for one file: EXIF date when present, else the modification time.

    Raises
    ------
    FolderError
        The file no longer exists.
    """
    p = Path(path).expanduser().absolute()
    if stamp is None:
        try:
            st = p.stat()
        except OSError as exc:
            raise PhotoVanishedError(f"{p.name} is no longer in {p.parent}: it was moved or "
                                     f"deleted.") from exc
        stamp = FileStamp(st.st_size, st.st_mtime_ns)
    taken = exif_taken_time(p)
    source = "exif"
    if taken is None:
        taken = datetime.fromtimestamp(stamp.mtime_ns / 1e9)
        source = "mtime"
    return PhotoEntry(path=p, size=stamp.size, mtime_ns=stamp.mtime_ns, taken=taken,
                      taken_source=source)


def list_photos(folder: str | os.PathLike, suffixes: Iterable[str] | None = None,
                progress: Callable[[float, str], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> list[PhotoEntry]:
    """Every photo directly inside ``folder``, newest first.

    Parameters
    ----------
    folder : the camera folder.
    suffixes : allowed lower-case suffixes; default :func:`supported_suffixes`.
    progress : optional ``progress(fraction 0..1, message)``.
    cancelled : optional callable; when it returns True the listing stops and what was read so
        far is returned.

    Returns
    -------
    list of :class:`PhotoEntry`, newest ``taken`` first.

    Raises
    ------
    FolderError
        The folder is missing, not a folder, or cannot be read.
    """
    stamps = snapshot_folder(folder, suffixes, cancelled=cancelled)
    entries: list[PhotoEntry] = []
    total = max(len(stamps), 1)
    for i, (path, stamp) in enumerate(stamps.items()):
        if cancelled is not None and cancelled():
            break
        entries.append(describe_photo(path, stamp))
        if progress is not None and i % 16 == 0:
            progress(i / total, f"Reading dates ({i}/{len(stamps)})")
    entries.sort(key=PhotoEntry.sort_key, reverse=True)
    return entries


@dataclass
class FolderDelta:
    """What changed between two snapshots, as far as the user should see it.

    Attributes
    ----------
    ready : photos that are new, or whose content changed, and have stopped growing.
    removed : photos that were reported ready before and are gone now.
    pending : photos seen but still growing (or too freshly written to trust).
    """

    ready: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    pending: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.ready or self.removed)


class FolderWatchState:
    """Decides when a file in a watched folder has finished arriving.

    Feed it snapshots (:func:`snapshot_folder`) with the monotonic time they were taken. A file
    is *ready* once it is non-empty and its size and mtime have stayed the same for at least
    ``settle_seconds``. On the first snapshot, files last modified more than ``settle_seconds``
    ago (by the wall clock) are ready at once, so opening a folder does not wait.

    Parameters
    ----------
    settle_seconds : how long a file must stay unchanged before it is read.
    wall_clock : ``time.time``-like callable (injectable for tests).
    """

    def __init__(self, settle_seconds: float = 0.6,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.settle_seconds = float(settle_seconds)
        self._wall_clock = wall_clock
        self._first = True
        self._reported: dict[Path, FileStamp] = {}          # what the user has been shown
        self._seen: dict[Path, tuple[FileStamp, float]] = {}  # last stamp, monotonic since

    @property
    def fresh(self) -> bool:
        """True until the first snapshot has been fed in (its files are the folder's contents,
        not arrivals)."""
        return self._first

    @property
    def known(self) -> dict[Path, FileStamp]:
        """Photos reported ready and still present, with the stamp they were reported at."""
        return dict(self._reported)

    def has_pending(self) -> bool:
        """True when some file is still settling (poll again soon)."""
        return any(self._reported.get(p) != stamp for p, (stamp, _) in self._seen.items())

    def update(self, snapshot: dict[Path, FileStamp], now: float | None = None) -> FolderDelta:
        """Compare ``snapshot`` with what was seen before; return what became ready or vanished.

        Parameters
        ----------
        snapshot : result of :func:`snapshot_folder`.
        now : monotonic time the snapshot was taken (default ``time.monotonic()``).
        """
        now = time.monotonic() if now is None else now
        delta = FolderDelta()
        wall_now = self._wall_clock()
        for path, stamp in snapshot.items():
            previous = self._seen.get(path)
            if previous is None or previous[0] != stamp:
                since = now
                if (self._first and stamp.size > 0
                        and wall_now - stamp.mtime_ns / 1e9 >= self.settle_seconds):
                    since = float("-inf")  # an old file at first sight: trust it now
                self._seen[path] = (stamp, since)
            stamp, since = self._seen[path]
            if self._reported.get(path) == stamp:
                continue
            if stamp.size > 0 and now - since >= self.settle_seconds:
                self._reported[path] = stamp
                delta.ready.append(path)
            else:
                delta.pending.append(path)
        for path in [p for p in self._seen if p not in snapshot]:
            del self._seen[path]
            if self._reported.pop(path, None) is not None:
                delta.removed.append(path)
        self._first = False
        return delta
