"""Camera folder speed: listing, thumbnails, and how soon a new photo shows.

    QT_QPA_PLATFORM=offscreen python bench/camera_folder.py [--photos 300] [--arrivals 6]

1. ``list_photos`` on a folder of N JPEGs with EXIF dates (off the GUI thread in the app).
2. A thumbnail of a 24-megapixel JPEG: made (``load_preview`` + resize + cache write) and cached.
3. The panel filled with N photos: time to list them and to have every thumbnail.
4. Arrival latency: a photo written in 8 kB chunks; the time from its last byte until it is
   listed with its thumbnail, with the folder watcher's notifications and with the poll only
   (network drives).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _jpeg_bytes(side: int = 512) -> bytes:
    import io

    from PIL import Image
    from skimage.data import astronaut

    buffer = io.BytesIO()
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = "2026:01:01 10:00:00"
    Image.fromarray(astronaut()).resize((side, side)).save(buffer, "JPEG", quality=90,
                                                           exif=exif.tobytes())
    return buffer.getvalue()


def _spin(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)


def _wait(app, condition, timeout: float = 60.0, every: float = 0.002) -> float:
    """Run the event loop until ``condition()``; it is checked every ``every`` seconds (an O(n)
    check over hundreds of rows must not itself slow the panel down)."""
    start = time.perf_counter()
    next_check = start
    while True:
        now = time.perf_counter()
        if now >= next_check:
            if condition():
                return now - start
            next_check = now + every
        if now - start > timeout:
            raise TimeoutError
        app.processEvents()
        time.sleep(0.002)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--arrivals", type=int, default=6)
    opts = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="shadematch-bench-"))
    os.environ["SHADEMATCH_DATA_DIR"] = str(tmp / "data")
    try:
        import numpy as np
        from PIL import Image
        from PySide6.QtWidgets import QApplication

        from shadematch.folder_scanning import list_photos
        from shadematch.gui.camera.camera_folder_panel import CameraFolderPanel
        from shadematch.gui.common.qt_workarounds import guard_singleton_refcounts
        from shadematch.gui.common.settings import Settings
        from shadematch.imaging.thumbnail_cache import ThumbnailCache

        app = QApplication.instance() or QApplication([])
        guard_singleton_refcounts()
        data = _jpeg_bytes()
        folder = tmp / "camera"
        folder.mkdir()
        for i in range(opts.photos):
            (folder / f"IMG_{i:04d}.jpg").write_bytes(data)
        start = time.perf_counter()
        entries = list_photos(folder)
        print(f"list_photos, {len(entries)} JPEGs: {(time.perf_counter() - start) * 1000:.0f} ms")

        from skimage.data import astronaut

        big = np.tile(np.asarray(Image.fromarray(astronaut()).resize((1500, 1000))), (4, 4, 1))
        Image.fromarray(big).save(tmp / "24mp.jpg", quality=92)
        made = []
        for i in range(3):
            cache = ThumbnailCache(tmp / f"thumbs{i}")
            start = time.perf_counter()
            cache.get(tmp / "24mp.jpg")
            made.append(time.perf_counter() - start)
        start = time.perf_counter()
        cache.get(tmp / "24mp.jpg")
        cached = time.perf_counter() - start
        print(f"thumbnail of a 24 MP JPEG: {statistics.median(made) * 1000:.0f} ms made, "
              f"{cached * 1000:.1f} ms from the cache")

        settings = Settings.from_file(tmp / "settings.ini")
        panel = CameraFolderPanel(settings, cache=ThumbnailCache(tmp / "panel-thumbs"))
        start = time.perf_counter()
        panel.set_folder(folder)
        listed = _wait(app, lambda: len(panel.paths()) == opts.photos, every=0.02)
        _wait(app, lambda: all(panel.item_state(p)[0] != "loading" for p in panel.paths()),
              every=0.05)
        print(f"panel, {opts.photos} photos: listed after {listed:.2f} s, every thumbnail after "
              f"{time.perf_counter() - start:.2f} s")

        arrivals = tmp / "arrivals"
        for label, notifications in (("with notifications", True), ("poll only", False)):
            shutil.rmtree(arrivals, ignore_errors=True)
            arrivals.mkdir()
            panel.set_folder(arrivals)
            _spin(app, 0.5)
            if not notifications:
                panel._watcher.blockSignals(True)
            latencies = []
            for i in range(opts.arrivals):
                path = arrivals / f"NEW_{i}.jpg"
                with open(path, "wb") as handle:
                    for k in range(0, len(data), 8000):
                        handle.write(data[k:k + 8000])
                        handle.flush()
                        _spin(app, 0.05)
                latencies.append(_wait(app, lambda p=path: p in panel.paths()
                                       and panel.item_state(p)[0] == "ok"))
                _spin(app, 0.3)
            panel._watcher.blockSignals(False)
            print(f"new photo shown {label}: median {statistics.median(latencies):.2f} s, "
                  f"max {max(latencies):.2f} s after its last byte ({opts.arrivals} photos)")
        panel.shutdown()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
