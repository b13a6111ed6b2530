"""Benchmark: load_photo on a 24-megapixel JPEG against a bare Pillow decode (median of 5).

Run from the project root:  .venv/bin/python tests/imaging/bench_loading.py [--repeat 5]
Goal: load_photo <= 1.6 x bare Pillow decode. Not a test (speed is never asserted in tests).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shadematch.imaging import icc_profiles, load_photo, load_preview  # noqa: E402


def timed(fn) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def interleaved(cases: dict, repeat: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU time per case, the cases run in turn in each round so that a busy
    machine slows them alike."""
    for fn in cases.values():
        fn()  # warm the file cache and lazy imports
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, fn in cases.items():
            samples[name].append(timed(fn))
    return {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
            for name, runs in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    big = np.asarray(Image.fromarray(data.astronaut()).resize((6000, 4000),
                                                              Image.Resampling.BICUBIC))
    big = np.clip(big + rng.normal(0, 4, big.shape), 0, 255).astype(np.uint8)  # sensor noise
    exif = Image.Exif()
    exif[0x0112] = 6
    with tempfile.TemporaryDirectory() as folder:
        files = {
            "no profile": Path(folder, "plain.jpg"),
            "sRGB profile": Path(folder, "srgb.jpg"),
            "Display P3 profile": Path(folder, "p3.jpg"),
            "P3 + orientation 6": Path(folder, "p3_rot.jpg"),
        }
        Image.fromarray(big).save(files["no profile"], quality=92)
        Image.fromarray(big).save(files["sRGB profile"], quality=92,
                                  icc_profile=icc_profiles.srgb_profile_bytes())
        p3 = icc_profiles.named_profile("Display P3")
        Image.fromarray(big).save(files["Display P3 profile"], quality=92, icc_profile=p3)
        Image.fromarray(big).save(files["P3 + orientation 6"], quality=92, icc_profile=p3,
                                  exif=exif.tobytes())
        plain = files["no profile"]
        size_mb = plain.stat().st_size / 1e6

        def bare_load() -> None:
            with Image.open(plain) as img:
                img.load()

        def bare_array() -> None:
            with Image.open(plain) as img:
                np.asarray(img.convert("RGB"))

        cases = {"bare Pillow Image.open().load()": bare_load,
                 "bare Pillow np.asarray(open().convert('RGB'))": bare_array}
        for label, path in files.items():
            cases[f"load_photo, {label}"] = lambda p=path: load_photo(p)
        cases["load_preview 1024, Display P3"] = lambda: load_preview(
            files["Display P3 profile"], 1024)
        results = interleaved(cases, args.repeat)
        base_wall, base_cpu = results["bare Pillow Image.open().load()"]
        print(f"24 MP JPEG (6000 x 4000, {size_mb:.1f} MB), median of {args.repeat} "
              "(interleaved rounds)")
        print(f"  {'case':<48} {'wall ms':>8} {'CPU ms':>8} {'wall/load':>10} {'CPU/load':>9}")
        for name, (wall, cpu) in results.items():
            print(f"  {name:<48} {wall * 1000:8.0f} {cpu * 1000:8.0f} {wall / base_wall:10.2f} "
                  f"{cpu / base_cpu:9.2f}")


if __name__ == "__main__":
    main()
