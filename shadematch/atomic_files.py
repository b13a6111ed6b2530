"""Write files atomically: to a temporary file in the same folder, then rename over the target.

A crash mid-write never leaves a half-written file under the final name, and the folder is
synced after the rename, so a power cut cannot lose the rename either.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def fsync_dir(folder: str | os.PathLike) -> None:
    """Flush a folder's entries (a rename or a new file in it) to the disk.

    Where a folder cannot be opened for that (Windows), this does nothing.
    """
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike, write: Callable[[BinaryIO], object], *,
                 overwrite: bool = True, mode: int | None = None) -> Path:
    """Call ``write(fileobj)`` on a temporary file next to ``path``, fsync it, then rename it.

    Parameters
    ----------
    path : destination file.
    write : callable that writes the whole content to the binary file object it is given.
    overwrite : when False and ``path`` exists, raise ``FileExistsError`` and write nothing.
    mode : optional permission bits for the new file (e.g. ``0o600`` for client data).

    Raises
    ------
    FileExistsError, OSError
        The temporary file is removed on any failure.
    """
    target = Path(path)
    if not overwrite and target.exists():
        raise FileExistsError(str(target))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        if not overwrite and target.exists():
            raise FileExistsError(str(target))
        os.replace(tmp_name, target)
        fsync_dir(target.parent)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    return target


def write_text_atomic(path: str | os.PathLike, text: str, **kwargs) -> Path:
    """Write ``text`` (UTF-8) atomically; see :func:`write_atomic`."""
    data = text.encode("utf-8")
    return write_atomic(path, lambda handle: handle.write(data), **kwargs)
