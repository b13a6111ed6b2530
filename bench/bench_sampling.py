"""Live sampling speed: region measurement timed against skimage.color.rgb2lab in the same run.

    python bench/bench_sampling.py [--runs 7]

Goals (issue 9): the quick estimate of a 0.25 MP region on a 24 MP photo costs no more than
``rgb2lab`` on 0.25 MP pixels; the full measurement of a 1 MP region no more than 2x ``rgb2lab`` on
1 MP; the cost grows with the region, not the photo. Each figure is the median of ``--runs`` runs,
through :func:`shadematch.analysis.measure_regions` (mask building included), on a synthetic shaved
scalp (15% dark follicle dots of radius 3 px on medium skin) tiled over the photo. Prints a
markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "color"))


def median_time(fn, runs: int) -> float:
    fn()  # warm-up (lookup tables, imports)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scalp_photo(height: int, width: int) -> np.ndarray:
    from synthetic_scalp import scalp_photo as tile_photo

    tile = tile_photo(coverage=0.15, radius=3.0, size=500, seed=3)
    reps = (-(-height // 500), -(-width // 500), 1)
    return np.ascontiguousarray(np.tile(tile, reps)[:height, :width])


def rect(side: int, x: int = 1000, y: int = 1000, region_class: str = "hair"):
    from shadematch.imaging.regions import Region

    return Region(region_class, "rect", {"x": x, "y": y, "w": side, "h": side})


def main() -> int:
    from skimage.color import rgb2lab

    from shadematch.analysis import measure_regions

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runs = args.runs
    photo_24 = scalp_photo(4000, 6000)
    photo_2 = np.ascontiguousarray(photo_24[:1500, :1500])
    rows = []

    def row(what, fn, base_fn, base_name, goal):
        t = median_time(fn, runs)
        b = median_time(base_fn, runs)
        rows.append((what, t, base_name, b, t / b, goal))

    px_025 = np.ascontiguousarray(photo_24[1000:1500, 1000:1500])
    px_1 = np.ascontiguousarray(photo_24[1000:2000, 1000:2000])
    base_025 = lambda: rgb2lab(px_025)  # noqa: E731
    base_1 = lambda: rgb2lab(px_1)  # noqa: E731
    row("quick, 0.25 MP hair region, 24 MP photo",
        lambda: measure_regions(photo_24, [rect(500)], quick=True), base_025,
        "rgb2lab 0.25 MP", "<= 1")
    row("quick, 0.25 MP hair region, 2.25 MP photo",
        lambda: measure_regions(photo_2, [rect(500)], quick=True), base_025,
        "rgb2lab 0.25 MP", "same as on 24 MP")
    row("quick, hair + skin 0.04 MP each, 24 MP photo",
        lambda: measure_regions(photo_24, [rect(200), rect(200, 3000, 3000, "skin")], quick=True),
        base_025, "rgb2lab 0.25 MP", "-")
    row("full, 0.25 MP hair region, 24 MP photo",
        lambda: measure_regions(photo_24, [rect(500)]), base_025, "rgb2lab 0.25 MP", "-")
    row("full, 1 MP hair region, 24 MP photo",
        lambda: measure_regions(photo_24, [rect(1000)]), base_1, "rgb2lab 1 MP", "<= 2")
    row("full, 1 MP skin region, 24 MP photo",
        lambda: measure_regions(photo_24, [rect(1000, region_class="skin")]), base_1,
        "rgb2lab 1 MP", "<= 2")
    row("full, 1 MP hair region (ellipse), 24 MP photo",
        lambda: measure_regions(photo_24, [__import__("shadematch.imaging.regions", fromlist=["Region"])
                                           .Region("hair", "ellipse", {"cx": 1500, "cy": 1500,
                                                                      "rx": 564, "ry": 564})]),
        base_1, "rgb2lab 1 MP", "<= 2")
    print(f"Region sampling, median of {runs} runs (ratio to rgb2lab timed in the same run)\n")
    print("| measurement | ours (ms) | baseline | baseline (ms) | ratio | goal |")
    print("|---|---|---|---|---|---|")
    for what, t, base_name, b, ratio, goal in rows:
        print(f"| {what} | {t * 1000:.1f} | {base_name} | {b * 1000:.1f} | {ratio:.2f} | {goal} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
