"""Photo copies kept in the store, content-addressed by SHA-256, and their thumbnails.

Camera folders get emptied, so a visit keeps its own copy: ``photos/ab/<sha256><suffix>`` and
``thumbs/<sha256>.jpg`` under the records folder, files 0600, folders 0700. Copies are written
atomically, so a file under its final name is always complete. A file no visit refers to (left by
a save that was killed before its transaction committed, or still there after restoring an older
backup) is harmless; :func:`prune_orphans` removes such files on request, once they are old enough
not to belong to a save in progress. Stale temporary files of killed writes are swept at start.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from shadematch.atomic_files import write_atomic
from shadematch.errors import RecordsError

FILE_MODE = 0o600
DIR_MODE = 0o700
THUMBNAIL_SIZE = 256
ORPHAN_AGE_SECONDS = 3600.0


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by its owner only; tighten it if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        # Only ever take permissions away: a folder its owner made read-only stays so.
        os.chmod(path, mode & 0o700)
    return path


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class PhotoFiles:
    """The photo and thumbnail folders of one store."""

    def __init__(self, root: Path) -> None:
        self.photos_dir = root / "photos"
        self.thumbs_dir = root / "thumbs"

    def ensure_dirs(self) -> None:
        private_dir(self.photos_dir)
        private_dir(self.thumbs_dir)

    def stored_path(self, stored_name: str) -> Path:
        return self.photos_dir / stored_name

    def thumb_path(self, thumb_name: str) -> Path:
        return self.thumbs_dir / thumb_name

    def add(self, source: Path) -> tuple[str, str, str | None, int]:
        """Copy ``source`` into the store (once per content) and make its thumbnail.

        Returns
        -------
        (sha256, stored_name, thumb_name or None, size in bytes)

        Raises
        ------
        RecordsError
            The photo cannot be read or the copy cannot be written.
        """
        source = Path(source)
        try:
            sha = sha256_file(source)
            size = source.stat().st_size
        except OSError as exc:
            raise RecordsError(f"The photo {source} could not be read to keep a copy with the "
                               f"visit ({exc.strerror or exc}). Check that the file exists.") from exc
        suffix = source.suffix.lower()[:10] if source.suffix.isascii() else ""
        stored_name = f"{sha[:2]}/{sha}{suffix}"
        target = self.stored_path(stored_name)
        try:
            private_dir(target.parent)
            if not _refresh(target):
                def copy(handle) -> None:
                    with open(source, "rb") as src:
                        shutil.copyfileobj(src, handle, 1 << 20)
                write_atomic(target, copy, mode=FILE_MODE)
                if sha256_file(target) != sha:
                    target.unlink(missing_ok=True)
                    raise RecordsError(f"The photo {source} changed while it was being copied; "
                                       f"save the visit again.")
        except OSError as exc:
            raise RecordsError(f"Could not keep a copy of the photo in {self.photos_dir} "
                               f"({exc.strerror or exc}). Check the disk space and the folder's "
                               f"permissions.") from exc
        thumb_name = f"{sha}.jpg"
        thumb = self.thumb_path(thumb_name)
        if not _refresh(thumb):
            try:
                private_dir(self.thumbs_dir)
                make_thumbnail(target, thumb)
            except Exception:  # noqa: BLE001 - a thumbnail is a convenience; the copy is kept
                return sha, stored_name, None, size
        return sha, stored_name, thumb_name, size

    def ensure_present(self, sha: str, stored_name: str, thumb_name: str | None,
                       source: Path | None) -> str | None:
        """Make sure the copy ``stored_name`` (and its thumbnail) exists; call it under the
        database's write lock. Returns the thumbnail name to record (None when there is none).

        Raises
        ------
        RecordsError
            The copy is gone and cannot be made again from ``source``.
        """
        target = self.stored_path(stored_name)
        if not target.is_file():
            if source is None or not Path(source).is_file():
                raise RecordsError(f"The photo copy {target} was removed while the visit was "
                                   f"saved (an erasure ran at the same time); save it again.")
            got = self.add(Path(source))
            if got[0] != sha:
                raise RecordsError(f"The photo {source} changed while it was being saved; "
                                   f"save the visit again.")
            return got[2]
        if thumb_name and not self.thumb_path(thumb_name).is_file():
            try:
                make_thumbnail(target, self.thumb_path(thumb_name))
            except Exception:  # noqa: BLE001 - a thumbnail is a convenience; the copy is kept
                return None
        return thumb_name

    def remove(self, stored_names: Iterable[str], thumb_names: Iterable[str | None]) -> None:
        """Delete files (missing ones are fine)."""
        for name in stored_names:
            self.stored_path(name).unlink(missing_ok=True)
        for name in thumb_names:
            if name:
                self.thumb_path(name).unlink(missing_ok=True)

    def all_files(self) -> list[tuple[str, Path]]:
        """Every photo and thumbnail file: ``("photo"|"thumb", path)``."""
        found: list[tuple[str, Path]] = []
        if self.photos_dir.is_dir():
            found += [("photo", p) for p in self.photos_dir.glob("*/*") if p.is_file()]
        if self.thumbs_dir.is_dir():
            found += [("thumb", p) for p in self.thumbs_dir.glob("*") if p.is_file()]
        return found


def _refresh(path: Path) -> bool:
    """True when ``path`` exists; its mtime is bumped so an orphan sweep leaves it alone."""
    try:
        os.utime(path)
        return True
    except FileNotFoundError:
        return False


def make_thumbnail(photo: Path, out: Path, size: int = THUMBNAIL_SIZE) -> None:
    """Write a JPEG thumbnail (longest side ``size`` px) of ``photo`` to ``out``, 0600.

    Uses shadematch's own loader (ICC and EXIF orientation honoured, HEIC and RAW).

    Raises
    ------
    ShadematchError
        The photo cannot be decoded (the caller keeps the copy without a thumbnail).
    """
    from PIL import Image

    from shadematch.imaging import load_preview

    image = Image.fromarray(load_preview(photo, max_side=size * 2).rgb8())
    image.thumbnail((size, size), Image.Resampling.LANCZOS)

    def write(handle) -> None:
        image.save(handle, format="JPEG", quality=85)

    write_atomic(out, write, mode=FILE_MODE)


def prune_orphans(files: PhotoFiles, referenced_photos: set[str], referenced_thumbs: set[str],
                  min_age: float = ORPHAN_AGE_SECONDS) -> list[Path]:
    """Delete photo/thumbnail files no visit refers to and not touched for ``min_age`` seconds.

    Call it while holding the database's write lock so no save can commit a reference meanwhile.
    Returns the removed paths.
    """
    removed = []
    now = time.time()
    for kind, path in files.all_files():
        if path.name.startswith("."):
            # A temporary file of an atomic write; stale ones are leftovers of a killed process.
            stale = now - _mtime(path) > min_age
            if stale:
                path.unlink(missing_ok=True)
                removed.append(path)
            continue
        if kind == "photo":
            name = f"{path.parent.name}/{path.name}"
            used = name in referenced_photos
        else:
            used = path.name in referenced_thumbs
        if not used and now - _mtime(path) > min_age:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def sweep_temporary_files(files: PhotoFiles, min_age: float = ORPHAN_AGE_SECONDS) -> list[Path]:
    """Remove temporary files (``.name.xxx.tmp``) of atomic writes older than ``min_age`` s."""
    removed = []
    now = time.time()
    for _kind, path in files.all_files():
        if path.name.startswith(".") and path.name.endswith(".tmp") \
                and now - _mtime(path) > min_age:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()
