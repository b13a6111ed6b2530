"""Keep what the C image libraries print to the terminal out of it: into the log instead.

libtiff (inside Pillow) and LibRaw (inside rawpy) report damaged data by writing straight to
file descriptor 2 ("tempfile.tif: Using code not yet in table."), below Python's ``sys.stderr``
and its ``warnings``. On the command line that text came before the one line saying what went
wrong. :func:`capture` points fd 2 at a temporary file for the length of a decode, puts it back,
and logs what was caught (logger ``shadematch.imaging.native``, level INFO) with the files being
decoded.

fd 2 belongs to the whole process, so the redirection is shared: the first decode to enter
redirects, the last one to leave restores (a lock guards the count), and whatever the libraries
wrote meanwhile is logged once for all of them. Anything else the process writes to stderr during
a decode (another thread's message) is logged too, never lost.

It only acts once :func:`enable` was called: the command line does so. The desktop application
keeps its stderr as it is (its own messages already go to the log file).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator

log = logging.getLogger("shadematch.imaging.native")

_STDERR_FD = 2
_lock = threading.Lock()
_enabled = False
_depth = 0
_saved_fd: int | None = None
_sink = None  # the temporary file fd 2 points at while captured
_labels: list[str] = []


def enable(on: bool = True) -> None:
    """Turn the capture on (or off) for this process; off by default."""
    global _enabled
    _enabled = on


def enabled() -> bool:
    """Whether :func:`capture` redirects fd 2."""
    return _enabled


def _flush_python_stderr() -> None:
    with contextlib.suppress(Exception):
        if sys.stderr is not None:
            sys.stderr.flush()


def _begin(label: str) -> bool:
    """Redirect fd 2 (first caller) and count this caller; False when fd 2 cannot be used."""
    global _depth, _saved_fd, _sink
    with _lock:
        if _depth == 0:
            try:
                sink = tempfile.TemporaryFile()
                saved = os.dup(_STDERR_FD)
            except OSError:  # no fd 2 (a detached process) or no temporary folder
                return False
            _flush_python_stderr()
            try:
                os.dup2(sink.fileno(), _STDERR_FD)
            except OSError:
                os.close(saved)
                sink.close()
                return False
            _saved_fd, _sink = saved, sink
            _labels.clear()
        _depth += 1
        _labels.append(label)
        return True


def _end() -> None:
    """Count this caller out; the last one restores fd 2 and logs what was written."""
    global _depth, _saved_fd, _sink
    with _lock:
        _depth -= 1
        if _depth > 0:
            return
        _flush_python_stderr()
        saved, sink, labels = _saved_fd, _sink, list(_labels)
        _saved_fd, _sink = None, None
        _labels.clear()
        try:
            os.dup2(saved, _STDERR_FD)
        finally:
            os.close(saved)
    try:
        sink.seek(0)
        text = sink.read().decode("utf-8", "replace").strip()
    finally:
        sink.close()
    if text:
        log.info("image libraries wrote while decoding %s:\n%s", ", ".join(labels), text)


@contextlib.contextmanager
def capture(label: str) -> Iterator[None]:
    """Within the block, what C code writes to fd 2 goes to the log (when enabled).

    Parameters
    ----------
    label : what is being decoded (the file's name), named in the log entry.
    """
    if not _enabled or not _begin(label):
        yield
        return
    try:
        yield
    finally:
        _end()
