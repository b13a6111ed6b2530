"""Cyclic garbage is collected on the GUI thread only, while the application runs."""

from __future__ import annotations

import gc
import threading


def test_cycles_are_collected_by_the_gui_thread_timer(qtbot):
    from shadematch.gui.common.gui_thread_gc import GuiThreadCollector

    collected_on = []

    class Cycle:
        def __init__(self):
            self.me = self

        def __del__(self):
            collected_on.append(threading.current_thread() is threading.main_thread())

    collector = GuiThreadCollector(interval_ms=50)
    try:
        assert not gc.isenabled()
        for _ in range(50):
            Cycle()
        # a worker allocating a lot does not collect them (automatic collection is off)
        worker = threading.Thread(target=lambda: [[object() for _ in range(10)]
                                                  for _ in range(20000)])
        worker.start()
        worker.join()
        assert not any(x is False for x in collected_on)
        qtbot.waitUntil(lambda: len(collected_on) >= 50, timeout=5000)
        assert all(collected_on)
    finally:
        collector.stop()
    assert gc.isenabled()
