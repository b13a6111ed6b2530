"""Desktop application speed: launch to a shown window, and opening a 24-megapixel JPEG to its
quick preview and to the full-resolution photo on screen.

    python bench/gui_open_photo.py [--runs 5] [--platform offscreen|xcb] [--photo FILE.jpg]

Each run is a fresh interpreter (``--child``) with a fresh data folder: it builds the
``QApplication`` and the :class:`~shadematch.gui.shell.main_window.MainWindow`, waits until the window
is exposed (launch -> window, measured from just before the parent starts the process), then
opens the photo and waits for the preview to be painted (``view.showing_preview``) and for the
full-resolution photo (``photo_opened``) to be painted. The median of the runs is printed as a
markdown table. Without ``--photo`` the 6000 x 4000 JPEG of bench/run_benchmarks.py is made
(scikit-image's astronaut, tiled, noised, sRGB ICC profile).
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
STEPS = (("window", "launch -> window shown"),
         ("preview", "open 24 MP JPEG -> preview shown"),
         ("full", "open 24 MP JPEG -> full resolution shown"))


def make_photo(folder: Path) -> Path:
    """The 24-megapixel JPEG (with an sRGB ICC profile) of bench/run_benchmarks.py."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run_benchmarks import make_24mp_jpeg

    return make_24mp_jpeg(folder)


def child(photo: str, t0: float) -> None:
    """One run: print a JSON line of seconds for each step."""
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from shadematch.gui.common.theme import apply_theme
    from shadematch.gui.shell.main_window import MainWindow
    from shadematch.workspace import Workspace

    apply_theme(app)
    window = MainWindow(Workspace(auto_measure=False))
    window.resize(1600, 1000)
    window.show()
    while window.windowHandle() is None or not window.windowHandle().isExposed():
        app.processEvents()
    app.processEvents()
    marks = {"window": time.time() - t0}
    # Let start-up work (palette scan, first layout) finish so it does not count for the photo.
    deadline = time.perf_counter() + 5
    while window.runner.active_count() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()

    done: dict[str, float] = {}
    window.photo_opened.connect(lambda _path: done.setdefault("full", time.perf_counter()))
    start = time.perf_counter()
    window.open_path(photo)
    while "full" not in done:
        app.processEvents()
        if "preview" not in marks and window.view.showing_preview:
            window.view.viewport().repaint()
            marks["preview"] = time.perf_counter() - start
        time.sleep(0.0005)
    window.view.viewport().repaint()
    marks["full"] = time.perf_counter() - start
    photo_obj = window.workspace.photo
    marks["size"] = f"{photo_obj.width} x {photo_obj.height}"
    print(json.dumps(marks), flush=True)
    window.close()


def run_once(photo: Path, platform: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM=platform,
               SHADEMATCH_DATA_DIR=tempfile.mkdtemp(prefix="shadematch-bench-"),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.time()
    out = subprocess.run([sys.executable, __file__, "--child", str(photo), "--t0", repr(t0)],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"the run failed:\n{out.stderr}")
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--platform", default="offscreen")
    parser.add_argument("--photo", help="a JPEG to open (default: a generated 24 MP JPEG)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--t0", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.t0 if args.t0 is not None else time.time())
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(args.photo) if args.photo else make_photo(Path(tmp))
        runs = [run_once(photo, args.platform) for _ in range(args.runs)]
        size_mb = photo.stat().st_size / 1e6
    print(f"Photo: {runs[0]['size']} px JPEG, {size_mb:.1f} MB; {args.runs} runs, "
          f"QT_QPA_PLATFORM={args.platform}, {os.cpu_count()} CPUs, Python "
          f"{sys.version.split()[0]}\n")
    print("| step | median (ms) | min (ms) | max (ms) |")
    print("|---|---:|---:|---:|")
    for key, label in STEPS:
        values = [r[key] * 1000 for r in runs if key in r]
        if not values:
            print(f"| {label} | — | — | — |")
            continue
        print(f"| {label} | {statistics.median(values):.0f} | {min(values):.0f} | "
              f"{max(values):.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
