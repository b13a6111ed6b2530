"""shadematch benchmarks: medians of several runs, each as a ratio to a baseline timed in the same run.

    python bench/run_benchmarks.py [--runs 5] [--json OUT.json]

Run from a checkout with any Python: when that one lacks shadematch's dependencies, the script runs
itself again with the checkout's ``.venv`` (made by ``bash scripts/start.sh`` or
``scripts/test.sh``). The code measured is the checkout's ``shadematch/``.

1. Opening a 24-megapixel JPEG with load_photo (decode, EXIF orientation, ICC -> sRGB, SHA-256)
   vs a bare Pillow decode of the same file (goal: at most 1.6x).
2. Sampling a 1-megapixel region (sample_region: clipping, Lab, hair/skin split, trimming, spread)
   vs skimage.color.rgb2lab alone on the same pixels.
3. Ranking 10,000 palette entries with CIEDE2000 vs colormath2's delta_e_cie2000 one pair at a time.
4. Peak memory (RSS) of open + sample of the 24-megapixel photo, in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _dependencies_missing() -> str | None:
    """The first of shadematch's dependencies this interpreter cannot import (None: all there)."""
    import importlib.util

    for name in ("numpy", "PIL", "skimage", "colormath2", "platformdirs"):
        if importlib.util.find_spec(name) is None:
            return name
    return None


def _use_the_checkout_environment() -> None:
    missing = _dependencies_missing()
    if missing is None:
        return
    venv = ROOT / ".venv"
    for venv_python in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        # (a venv's python is often a link to the base interpreter: compare the prefixes)
        if venv_python.is_file() and Path(sys.prefix).resolve() != venv.resolve():
            os.execv(str(venv_python), [str(venv_python), *sys.argv])
    sys.exit(f"run_benchmarks.py: this Python ({sys.executable}) has no {missing!r} and the "
             f"checkout has no .venv: run `bash scripts/start.sh --version` once to make it, "
             f"then this again")


if __name__ == "__main__":
    _use_the_checkout_environment()
    sys.path.insert(0, str(ROOT))  # measure the checkout's code, not an older installed copy

import numpy as np  # noqa: E402


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_24mp_jpeg(folder: Path) -> Path:
    """A 6000 x 4000 photo-like JPEG (the astronaut tiled and noised) with an sRGB ICC profile."""
    from PIL import Image, ImageCms
    from skimage import data

    base = np.asarray(Image.fromarray(data.astronaut()).resize((1500, 1000)))
    tiled = np.tile(base, (4, 4, 1))
    rng = np.random.default_rng(0)
    tiled = np.clip(tiled + rng.normal(0, 4, tiled.shape), 0, 255).astype(np.uint8)
    path = folder / "photo_24mp.jpg"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(tiled).save(path, quality=92, icc_profile=icc)
    return path


def bench_open(path: Path, runs: int) -> dict:
    from PIL import Image

    from shadematch.imaging import load_photo

    def bare():
        with Image.open(path) as im:
            im.convert("RGB")

    load_photo(path)  # warm caches (profiles, LUTs)
    t_base = median_time(bare, runs)
    t_ours = median_time(lambda: load_photo(path), runs)
    return {"name": "open 24 MP JPEG", "ours_s": t_ours, "baseline": "bare Pillow decode",
            "baseline_s": t_base, "ratio": t_ours / t_base, "goal": "<= 1.6x"}


def bench_sample(runs: int) -> dict:
    from skimage.color import rgb2lab

    from shadematch.color.region_statistics import sample_region

    rng = np.random.default_rng(1)
    rgb = np.empty((1000, 1000, 3), np.uint8)
    rgb[:] = (50, 40, 34)
    skin = rng.random((1000, 1000)) < 0.3
    rgb[skin] = (205, 165, 145)
    rgb = np.clip(rgb + rng.normal(0, 4, rgb.shape), 0, 255).astype(np.uint8)
    mask = np.ones((1000, 1000), bool)
    t_base = median_time(lambda: rgb2lab(rgb[mask]), runs)
    t_ours = median_time(lambda: sample_region(rgb, mask, "hair"), runs)
    from shadematch.color import sRGB_to_Lab

    t_conv = median_time(lambda: sRGB_to_Lab(rgb[mask]), runs)
    return {"name": "sample 1 MP region", "ours_s": t_ours,
            "baseline": "skimage.color.rgb2lab alone", "baseline_s": t_base,
            "ratio": t_ours / t_base, "sRGB_to_Lab_s": t_conv,
            "sRGB_to_Lab_speedup_vs_rgb2lab": t_base / t_conv, "goal": "sRGB_to_Lab >= 2x faster"}


def bench_rank(runs: int) -> dict:
    from colormath2.color_diff import delta_e_cie2000
    from colormath2.color_objects import LabColor

    from shadematch.matching import rank
    from shadematch.palettes import Palette, PaletteEntry

    rng = np.random.default_rng(2)
    labs = rng.uniform([5, -20, -20], [95, 20, 30], (10000, 3))
    entries = [PaletteEntry(id=f"p{i}", pigment_id=f"p{i}", pigment_name=f"P{i}", name=f"P{i}",
                            line="bench", undertone="neutral", dilution=None, water_parts=0.0,
                            pigment_parts=1.0, Lab=tuple(float(v) for v in lab), step_index=0)
               for i, lab in enumerate(labs)]
    palette = Palette(name="bench", version="1", provenance="random", description="", path=None,
                      source="bench", sha256="0" * 64, entries=tuple(entries))
    target = np.array([30.0, 3.0, 6.0])
    palette.Lab_array()  # built once when a palette loads
    t_ours = median_time(lambda: rank(target, palette, top=20), max(runs, 21))
    target_c = LabColor(*target)
    colours = [LabColor(*lab) for lab in labs]

    def baseline():
        scores = [float(delta_e_cie2000(target_c, c)) for c in colours]
        sorted(range(len(scores)), key=scores.__getitem__)[:20]

    t_base = median_time(baseline, max(1, runs // 2))
    return {"name": "rank 10,000 entries (CIEDE2000)", "ours_s": t_ours,
            "baseline": "colormath2 one pair at a time", "baseline_s": t_base,
            "ratio": t_ours / t_base, "goal": "well under 10 ms"}


_MEMORY_CHILD = r"""
import resource, sys
def peak_kb():
    # VmHWM: this process's own high-water mark (ru_maxrss can carry the parent's over fork)
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from shadematch.imaging import load_photo
from shadematch.color.region_statistics import sample_region
import numpy as np
before = peak_kb()
photo = load_photo(sys.argv[1])
mask = np.zeros(photo.rgb.shape[:2], bool)
mask[1000:2000, 1000:2000] = True
sample_region(photo.rgb, mask, "hair")
after = peak_kb()
print(before, after)
"""


def bench_memory(path: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    out = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, str(path)], capture_output=True,
                         text=True, check=True, env=env)
    before, after = (int(v) for v in out.stdout.split())
    pixels_mb = 6000 * 4000 * 3 / 2**20
    return {"name": "peak memory, open + sample 24 MP", "peak_rss_mb": after / 1024,
            "after_imports_mb": before / 1024, "added_mb": (after - before) / 1024,
            "photo_pixels_mb": pixels_mb, "ratio": (after - before) / 1024 / pixels_mb,
            "baseline": "size of the decoded 24 MP RGB array"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        photo = make_24mp_jpeg(Path(tmp))
        results.append(bench_open(photo, args.runs))
        results.append(bench_sample(args.runs))
        results.append(bench_rank(args.runs))
        results.append(bench_memory(photo))
    print(f"shadematch benchmarks, median of {args.runs} runs, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}")
    for r in results:
        if "ours_s" in r:
            print(f"- {r['name']}: {r['ours_s'] * 1000:.1f} ms vs {r['baseline']} "
                  f"{r['baseline_s'] * 1000:.1f} ms -> ratio {r['ratio']:.3f} ({r['goal']})")
        else:
            print(f"- {r['name']}: {r['added_mb']:.0f} MB above imports (peak RSS "
                  f"{r['peak_rss_mb']:.0f} MB) = {r['ratio']:.2f}x the decoded pixels "
                  f"({r['photo_pixels_mb']:.0f} MB)")
        if "sRGB_to_Lab_s" in r:
            print(f"  sRGB_to_Lab alone: {r['sRGB_to_Lab_s'] * 1000:.1f} ms = "
                  f"{r['sRGB_to_Lab_speedup_vs_rgb2lab']:.1f}x faster than rgb2lab")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
