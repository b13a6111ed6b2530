"""Knowing when another workstation (or process) changed the records, so lists can refresh.

Every write transaction bumps a counter (``records_changes``) on both backends; on PostgreSQL
it also sends ``NOTIFY shadematch_records``. :class:`ChangeWatcher` waits for the notification
(PostgreSQL) or polls the counter (SQLite, and as a fallback), and calls ``on_change(token)``
from its own thread when the counter moved. A GUI hands that call over to its own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from shadematch.errors import RecordsError

DEFAULT_INTERVAL_SECONDS = 2.0


class ChangeWatcher:
    """Watch ``store`` for changes made through any connection (this one included).

    ``poll()`` checks once (returns True when something changed since the last check);
    ``start()`` runs a daemon thread that calls ``on_change(token)`` for each change it sees
    and ``on_error(exc)`` (if given) when the records cannot be read (ServerUnavailable: the
    watcher keeps trying); ``stop()`` ends it.
    """

    def __init__(self, store, on_change: Callable[[int], None] | None = None, *,
                 interval: float = DEFAULT_INTERVAL_SECONDS,
                 on_error: Callable[[RecordsError], None] | None = None) -> None:
        self.store = store
        self.on_change = on_change
        self.on_error = on_error
        self.interval = float(interval)
        self.token = store.change_token()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> bool:
        token = self.store.change_token()
        if token == self.token:
            return False
        self.token = token
        if self.on_change is not None:
            self.on_change(token)
        return True

    def _run(self) -> None:
        wait = getattr(self.store, "wait_for_change", None)
        while not self._stop.is_set():
            try:
                if wait is not None:
                    wait(self.interval)  # returns early on NOTIFY
                else:
                    self._stop.wait(self.interval)
                if not self._stop.is_set():
                    self.poll()
            except RecordsError as exc:
                if self.on_error is not None:
                    self.on_error(exc)
                self._stop.wait(self.interval)

    def start(self) -> ChangeWatcher:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="records-changes",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout if timeout is not None else self.interval + 5)
            self._thread = None
