"""Collect cyclic garbage on the GUI thread only.

Python's cyclic garbage collector runs in whichever thread happens to allocate when its counters
overflow: often a worker. A Qt object in a reference cycle (a closed dialog whose slots refer to
it) is then destroyed off the GUI thread; Qt calls back into Python for it, needs the GIL and
can deadlock with the GUI thread (seen in the test suite: a worker importing while the GUI thread
set up a scroll area). :class:`GuiThreadCollector` switches automatic collection off and runs it
from a timer on the GUI thread instead (the usual remedy in PyQt/PySide applications).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """While alive, cyclic garbage is collected every ``INTERVAL_MS`` on the GUI thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        # the young generations each tick; everything when the old one has grown
        threshold = gc.get_threshold()
        counts = gc.get_count()
        generation = 2 if counts[2] >= threshold[2] else (1 if counts[1] >= threshold[1] else 0)
        gc.collect(generation)

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
