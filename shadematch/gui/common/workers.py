"""Run core functions off the GUI thread.

The one adapter between plain core functions (which take optional ``progress`` and ``cancelled``
callables) and Qt's thread pool. Results and errors are delivered on the GUI thread through
callbacks; no widget is ever touched from a worker. A new job for the same ``channel`` cancels the
previous one, whose result is then dropped.

One error policy for every background operation (as Anki's ``QueryOp`` has): a job that fails
with a :class:`~shadematch.errors.ShadematchError` (an expected problem whose message says what
to do) goes to the job's ``on_expected`` (shown inline, near its widget) or else to the runner's
expected-error reporter; anything else is a bug: its traceback is logged and it goes to the
runner's unexpected-error reporter (the window: info bar and one dialog). ``on_failure`` runs
first on either path (hide a progress bar, reset a label). A ``quiet`` job (an autosave, a
preview, a cache prune: the user did not ask for it and something else reports or retries) only
logs its failure. ``on_error`` overrides all of this for the few jobs that must see the raw
exception.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from shadematch.errors import ShadematchError

log = logging.getLogger(__name__)

#: ``report(title, exc)``: how the runner reports a failure no job handled itself.
Reporter = Callable[[str, BaseException], None]


def failure_text(exc: BaseException, what: str) -> str:
    """What a person is told about a failed background job, said inline near its widget: an
    expected problem's own message (it says what to do); for a bug, ``what`` failed and where
    the details are (the runner has logged the traceback)."""
    if isinstance(exc, ShadematchError):
        return str(exc)
    return f"{what} ({exc}); see the log file."


class _Relay(QObject):
    """Lives on the GUI thread; worker threads emit, Qt queues the call to the GUI thread."""

    done = Signal(object, object)        # job, result
    failed = Signal(object, object, str)  # job, exception, traceback text
    progressed = Signal(object, float, str)  # job, fraction 0..1, message


class Job:
    """A handle to one background call: ``cancel()`` it, ask ``cancelled()``."""

    def __init__(self, channel: str | None) -> None:
        self.channel = channel
        self._cancel = threading.Event()
        self.finished = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Runnable(QRunnable):
    def __init__(self, job: Job, fn: Callable[..., Any], kwargs: dict, relay: _Relay,
                 pass_progress: bool) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job, self._fn, self._kwargs, self._relay = job, fn, kwargs, relay
        self._pass_progress = pass_progress

    def run(self) -> None:  # worker thread
        job = self._job
        try:
            kwargs = dict(self._kwargs)
            if self._pass_progress:
                kwargs["progress"] = lambda fraction, message="": self._relay.progressed.emit(
                    job, float(fraction), str(message))
                kwargs["cancelled"] = job.cancelled
            result = self._fn(**kwargs)
            # Always emitted (even when cancelled) so the GUI side forgets the job; the
            # handlers drop results of cancelled jobs.
            self._relay.done.emit(job, result)
        except BaseException as exc:  # noqa: BLE001 - delivered to on_error on the GUI thread
            self._relay.failed.emit(job, exc, traceback.format_exc())
        finally:
            job.finished.set()


class TaskRunner(QObject):
    """Submit callables to a thread pool; callbacks arrive on the GUI thread.

    Usage::

        runner.submit(load_photo, path=p, channel="photo",
                      on_done=self._show, on_error=self._fail, on_progress=self._bar)

    With ``pass_progress=True`` (default) the function receives ``progress(fraction, message)``
    and ``cancelled()`` keyword arguments.
    """

    def __init__(self, parent: QObject | None = None, max_threads: int | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        if max_threads:
            self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay()
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self._relay.progressed.connect(self._on_progress)
        self._callbacks: dict[Job, tuple] = {}
        self._failures: dict[Job, tuple] = {}
        self._latest: dict[str, Job] = {}
        self._report_expected: Reporter | None = None
        self._report_unexpected: Reporter | None = None

    def set_reporters(self, expected: Reporter | None, unexpected: Reporter | None) -> None:
        """Where failures go that a job does not handle (see the module docstring).

        Without reporters an expected failure is logged and an unexpected one is raised on the
        GUI thread, where the application's exception hook logs it and shows its dialog.
        """
        self._report_expected, self._report_unexpected = expected, unexpected

    def submit(self, fn: Callable[..., Any], *, channel: str | None = None,
               on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException, str], None] | None = None,
               on_progress: Callable[[float, str], None] | None = None,
               pass_progress: bool = True, title: str = "",
               on_expected: Callable[[ShadematchError], None] | None = None,
               on_failure: Callable[[BaseException], None] | None = None,
               quiet: bool = False, **kwargs: Any) -> Job:
        """Run ``fn(**kwargs)`` in the pool; cancels the previous job on the same channel.

        ``title`` names the operation for people ("Opening photo.jpg"); ``on_expected`` shows an
        expected problem inline; ``on_failure(exc)`` cleans up after any failure; ``quiet``
        only logs a failure; ``on_error`` (exception, traceback text) replaces the policy for
        this job.
        """
        job = Job(channel)
        if channel is not None:
            old = self._latest.get(channel)
            if old is not None:
                old.cancel()
            self._latest[channel] = job
        self._callbacks[job] = (on_done, on_error, on_progress)
        self._failures[job] = (title or getattr(fn, "__name__", "A background task"),
                               on_expected, on_failure, quiet)
        self._pool.start(_Runnable(job, fn, kwargs, self._relay, pass_progress))
        return job

    def cancel_channel(self, channel: str) -> None:
        """Cancel the latest job on ``channel`` (its result and error are then dropped)."""
        job = self._latest.pop(channel, None)
        if job is not None:
            job.cancel()

    def cancel_all(self) -> None:
        for job in list(self._callbacks):
            job.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every job has finished (used at shutdown and in tests)."""
        return self._pool.waitForDone(msecs)

    def active_count(self) -> int:
        return self._pool.activeThreadCount()

    def shutdown(self) -> None:
        self.cancel_all()
        self._pool.clear()
        self._pool.waitForDone(10000)

    @Slot(object, object)
    def _on_done(self, job: Job, result: Any) -> None:
        on_done, _, _ = self._callbacks.pop(job, (None, None, None))
        self._failures.pop(job, None)
        self._forget(job)
        if on_done is not None and not job.cancelled():
            on_done(result)

    @Slot(object, object, str)
    def _on_failed(self, job: Job, exc: BaseException, tb: str) -> None:
        _, on_error, _ = self._callbacks.pop(job, (None, None, None))
        title, on_expected, on_failure, quiet = self._failures.pop(job, ("", None, None, False))
        self._forget(job)
        if job.cancelled():
            return
        if on_error is not None:
            on_error(exc, tb)
            return
        if on_failure is not None:
            on_failure(exc)
        if quiet:
            if isinstance(exc, (ShadematchError, OSError)):
                log.warning("%s failed: %s", title, exc)
            else:
                log.error("%s failed:\n%s", title, tb)
            return
        if isinstance(exc, ShadematchError):
            log.info("%s: %s", title, exc)
            if on_expected is not None:
                on_expected(exc)
            elif self._report_expected is not None:
                self._report_expected(title, exc)
            return
        log.error("%s failed:\n%s", title, tb)
        if self._report_unexpected is not None:
            self._report_unexpected(title, exc)
        else:
            raise exc

    @Slot(object, float, str)
    def _on_progress(self, job: Job, fraction: float, message: str) -> None:
        callbacks = self._callbacks.get(job)
        if callbacks and callbacks[2] is not None and not job.cancelled():
            callbacks[2](fraction, message)

    def _forget(self, job: Job) -> None:
        if job.channel is not None and self._latest.get(job.channel) is job:
            del self._latest[job.channel]
