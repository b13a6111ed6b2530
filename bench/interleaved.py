"""Time cases in interleaved rounds: each round runs every case once, in a new shuffled order,
so a busy machine slows them alike; the medians are compared with a baseline timed in the same
rounds."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable


def time_interleaved(cases: dict[str, Callable[[], object]], repeat: int,
                     warm_up: bool = True) -> dict[str, float]:
    """Median wall time (s) of each case over ``repeat`` interleaved rounds."""
    if warm_up:
        for case in cases.values():
            case()
    times: dict[str, list[float]] = {name: [] for name in cases}
    order = list(cases)
    for _ in range(repeat):
        random.shuffle(order)
        for name in order:
            start = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
