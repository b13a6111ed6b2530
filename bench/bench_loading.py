"""Photo loading speed: load_photo / load_preview on a 24-megapixel JPEG vs a bare Pillow decode.

    python bench/bench_loading.py [--repeat 7]

Run from the project root. Cases are timed in interleaved rounds (each round runs every case
once, in a new shuffled order, so a busy machine slows them alike); the table gives the median wall and process CPU
time (all threads) of each case and its ratio to the bare ``Image.open().load()`` of the same
file timed in the same rounds. Photos with a profile use the profile's cached conversion table
(built by the warm-up round); the "first photo" case pays for building it, and the last two
cases force the LittleCMS paths for comparison. Goal: load_photo at most 1.6x the bare decode, with or without a profile.
The machine's load average and CPU count are printed with the table: on a shared machine the
parallel colour conversion cannot use cores that other processes hold.
Speed is measured here, never asserted in a unit test.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shadematch.imaging import icc_profiles, load_photo, load_preview  # noqa: E402
from shadematch.imaging import loading as loading_module  # noqa: E402

BASELINE = "bare Pillow `Image.open().load()`"


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, process CPU seconds, all threads) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def interleaved(cases: dict[str, Callable[[], object]], repeat: int
                ) -> dict[str, tuple[float, float, float]]:
    """(median wall, median CPU, fastest wall) per case over ``repeat`` interleaved rounds,
    after one warm-up round."""
    for fn in cases.values():
        fn()  # warm the file cache, lazy imports and the colour tables
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    order = list(cases)
    shuffle = random.Random(0).shuffle
    for _ in range(repeat):
        shuffle(order)  # a new order each round: no case always follows the same one
        for name in order:
            samples[name].append(timed(cases[name]))
    return {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs),
                   min(w for w, _ in runs))
            for name, runs in samples.items()}


def patched(fn: Callable[[], object], **values: object) -> Callable[[], object]:
    """``fn`` run with settings of the imaging modules replaced (each name is looked up in the
    module that reads it: ``_TABLE_MIN_PIXELS`` in srgb_conversion, ``_workers`` in pixels)."""
    from shadematch.imaging import pixels, srgb_conversion

    owners = {name: next(m for m in (srgb_conversion, pixels) if hasattr(m, name))
              for name in values}

    def run() -> object:
        saved = {name: getattr(owners[name], name) for name in values}
        for name, value in values.items():
            setattr(owners[name], name, value)
        try:
            return fn()
        finally:
            for name, value in saved.items():
                setattr(owners[name], name, value)
    return run


def cold(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` with the colour tables forgotten: the first photo with a new profile. The tables
    of the other cases are put back afterwards, so that only this case pays for a build."""
    def run() -> object:
        kept = dict(icc_profiles._TABLE_CACHE)
        icc_profiles.clear_lookup_tables()
        try:
            return fn()
        finally:
            icc_profiles._TABLE_CACHE.clear()
            icc_profiles._TABLE_CACHE.update(kept)
    return run


def test_photo() -> np.ndarray:
    """6000 x 4000 astronaut with sensor-like noise (so the JPEG is as large as a camera's)."""
    rng = np.random.default_rng(0)
    big = np.asarray(Image.fromarray(data.astronaut()).resize((6000, 4000),
                                                              Image.Resampling.BICUBIC))
    return np.clip(big + rng.normal(0, 4, big.shape), 0, 255).astype(np.uint8)


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds (default 7)")
    args = parser.parse_args()
    big = test_photo()
    exif = Image.Exif()
    exif[0x0112] = 6
    p3 = icc_profiles.named_profile("Display P3")
    adobe = icc_profiles.named_profile("Adobe RGB (1998)")
    with tempfile.TemporaryDirectory() as folder:
        files = {
            "no profile": (Path(folder, "plain.jpg"), {}),
            "sRGB profile": (Path(folder, "srgb.jpg"),
                             {"icc_profile": icc_profiles.srgb_profile_bytes()}),
            "Display P3": (Path(folder, "p3.jpg"), {"icc_profile": p3}),
            "Display P3 + orientation 6": (Path(folder, "p3_rot.jpg"),
                                           {"icc_profile": p3, "exif": exif.tobytes()}),
            "Adobe RGB": (Path(folder, "adobe.jpg"), {"icc_profile": adobe}),
        }
        for path, extra in files.values():
            Image.fromarray(big).save(path, quality=92, **extra)
        plain = files["no profile"][0]
        p3_file = files["Display P3"][0]
        size_mb = plain.stat().st_size / 1e6

        def bare_load() -> None:
            with Image.open(plain) as img:
                img.load()

        def bare_draft(size: tuple[int, int]) -> Callable[[], None]:
            def run() -> None:
                with Image.open(plain) as img:
                    img.draft(None, size)
                    img.load()
            return run

        cases: dict[str, Callable[[], object]] = {BASELINE: bare_load}
        for label, (path, _) in files.items():
            cases[f"load_photo, {label}"] = lambda p=path: load_photo(p)
        p3_load = lambda: load_photo(p3_file)  # noqa: E731
        cases["load_photo, Display P3, first photo with this profile (table built)"] = cold(p3_load)
        cases["load_photo, Display P3, LittleCMS on strips (no table)"] = patched(
            p3_load, _TABLE_MIN_PIXELS=1 << 40)
        cases["load_photo, Display P3, LittleCMS whole image, one thread (before)"] = patched(
            p3_load, _TABLE_MIN_PIXELS=1 << 40, _workers=lambda: 1)
        cases["load_preview 1024, Display P3"] = lambda: load_preview(p3_file, 1024)
        cases["Pillow draft (1024, 1024) + load (old request: 1/2)"] = bare_draft((1024, 1024))
        cases["Pillow draft (1024, 682) + load (aspect: 1/4)"] = bare_draft((1024, 682))
        results = interleaved(cases, args.repeat)

    base_wall, base_cpu, base_fastest = results[BASELINE]
    print(f"24 MP JPEG (6000 x 4000, quality 92, {size_mb:.1f} MB); median of {args.repeat} "
          "interleaved rounds")
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"colour threads {loading_module._workers()}, load average {load_average()}")
    print()
    print("| case | wall ms | CPU ms | wall / bare | CPU / bare | fastest wall / bare |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, (wall, cpu, fastest) in results.items():
        print(f"| {name} | {wall * 1000:.0f} | {cpu * 1000:.0f} | {wall / base_wall:.2f} | "
              f"{cpu / base_cpu:.2f} | {fastest / base_fastest:.2f} |")
    print()
    print("wall, CPU: medians; CPU is the process's, all threads; fastest: the quickest round of "
          "each case over the quickest bare decode (least disturbed by other processes).")


if __name__ == "__main__":
    main()
