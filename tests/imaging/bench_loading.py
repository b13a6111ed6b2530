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


def median_seconds(fn, repeat: int) -> float:
    fn()  # warm the file cache and lazy imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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

        t_load = median_seconds(bare_load, args.repeat)
        t_array = median_seconds(bare_array, args.repeat)
        print(f"24 MP JPEG (6000 x 4000, {size_mb:.1f} MB), median of {args.repeat}")
        print(f"  bare Pillow Image.open().load()                {t_load * 1000:7.0f} ms")
        print(f"  bare Pillow np.asarray(open().convert('RGB'))  {t_array * 1000:7.0f} ms")
        for label, path in files.items():
            t = median_seconds(lambda p=path: load_photo(p), args.repeat)
            print(f"  load_photo, {label:<22}             {t * 1000:7.0f} ms  "
                  f"= {t / t_load:.2f} x load(), {t / t_array:.2f} x asarray")
        t = median_seconds(lambda: load_preview(files["Display P3 profile"], 1024), args.repeat)
        print(f"  load_preview 1024, Display P3                  {t * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
