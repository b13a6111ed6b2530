"""Start-up time of the desktop application: launch to a shown window, and to a window with the
camera folder panel filled.

    python bench/startup.py [--runs 7] [--platform offscreen|xcb] [--json OUT.json]

Each run starts a fresh ``python -m shadematch --startup-check [ARG]`` (which shows the window,
prints one line once the event loop has run, and quits) with a fresh data folder, and the
wall-clock time from ``Popen`` to that line is taken; the median of the runs is reported.
Cases: the first run (the demo session is made and opened), a later run with no argument, and a
photo given on the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _seconds_until_shown(command: list[str], env: dict) -> float:
    """Wall-clock seconds from starting ``command`` until it prints the "window shown" line."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("shadematch: window shown"):
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"no window: {proc.stderr.read() if proc.stderr else ''}")
    proc.wait(timeout=60)
    return elapsed


def launch(args: list[str], env: dict) -> float:
    """``python -m shadematch --startup-check ARGS``: launch to a shown window."""
    return _seconds_until_shown([sys.executable, "-m", "shadematch", "--startup-check", *args], env)


_BARE_QT_WINDOW = (
    "import sys\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication(sys.argv)\n"
    "w = QMainWindow(); w.resize(1200, 800); w.show()\n"
    "QTimer.singleShot(0, lambda: (print('shadematch: window shown', flush=True), app.quit()))\n"
    "app.exec()\n")


def launch_bare(env: dict) -> float:
    """Baseline: a bare PySide6 main window (interpreter + Qt start-up), timed the same way."""
    return _seconds_until_shown([sys.executable, "-c", _BARE_QT_WINDOW], env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    parser.add_argument("--json", type=Path)
    opts = parser.parse_args(argv)
    results: dict[str, list[float]] = {"bare PySide6 window (baseline)": [],
                                       "first run (demo)": [], "later run": [],
                                       "photo argument": []}
    with tempfile.TemporaryDirectory() as tmp:
        from PIL import Image
        from skimage.data import astronaut

        photo = Path(tmp) / "photo.jpg"
        Image.fromarray(astronaut()).save(photo, quality=92)
        for i in range(opts.runs):
            data = Path(tmp) / f"data{i}"
            env = dict(os.environ, SHADEMATCH_DATA_DIR=str(data), QT_QPA_PLATFORM=opts.platform,
                       PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
            results["bare PySide6 window (baseline)"].append(launch_bare(env))
            results["first run (demo)"].append(launch([], env))
            results["later run"].append(launch([], env))
            results["photo argument"].append(launch([str(photo)], env))
    summary = {name: {"median_s": round(statistics.median(times), 3),
                      "min_s": round(min(times), 3), "max_s": round(max(times), 3),
                      "runs": len(times)} for name, times in results.items()}
    base = summary["bare PySide6 window (baseline)"]["median_s"]
    for name, row in summary.items():
        row["ratio_to_bare_qt"] = round(row["median_s"] / base, 2)
        print(f"{name:31s} median {row['median_s']:.3f} s  (min {row['min_s']:.3f}, "
              f"max {row['max_s']:.3f}, {row['runs']} runs)  {row['ratio_to_bare_qt']:.2f}x bare Qt")
    if opts.json:
        opts.json.write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
