"""Consultation-preview speed: a 24 MP photo with a full-head treatment area.

    python bench/bench_preview.py [--repeat 5]

Run from the project root. A 6000 x 4000 JPEG of a skin-coloured scalp (with texture) is
written once; cases are timed in interleaved rounds (each round runs every case once in a new
shuffled order, so a busy machine slows them alike). The table gives each case's median wall
time and its ratio to the baseline timed in the same rounds: a bare decode of the same JPEG
(Pillow, to a numpy array). Goal (issue "Consultation preview"): a full-head render at most 3x
the bare decode. Speed is measured here, never asserted in a unit test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from interleaved import time_interleaved  # noqa: E402

from shadematch.appearance import fit_skin  # noqa: E402
from shadematch.imaging.regions import Region  # noqa: E402
from shadematch.palettes import load_palette  # noqa: E402
from shadematch.preview import TreatmentDesign, render_preview  # noqa: E402

BASELINE = "bare decode of the 24 MP JPEG (Pillow)"
SKIN_LAB = (61.4, 10.45, 16.7)     # ISSA "intermediate" mean
WIDTH, HEIGHT = 6000, 4000
SCALE = 24.0                        # px per mm: a head about 25 cm across fills the frame


def _photo(path: Path) -> None:
    from PIL import Image

    from shadematch.color.conversion import Lab_to_sRGB

    rgb01, _ = Lab_to_sRGB(np.asarray(SKIN_LAB))
    rng = np.random.default_rng(0)
    small = rng.normal(0, 6, (HEIGHT // 8, WIDTH // 8, 1))
    texture = np.kron(small, np.ones((8, 8, 1)))
    rgb = np.clip(rgb01 * 255 + texture, 0, 255).astype(np.uint8)
    Image.fromarray(rgb).save(path, quality=92)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from PIL import Image

    folder = Path(tempfile.mkdtemp(prefix="shadematch-bench-preview-"))
    path = folder / "head.jpg"
    _photo(path)

    def decode():
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))

    rgb = decode()
    skin = fit_skin(SKIN_LAB)
    entry = load_palette("carbon-black-dilution-modelled").entries[3]
    head = (Region("skin", "ellipse", {"cx": WIDTH / 2, "cy": HEIGHT / 2, "rx": 2700, "ry": 1800}),)
    design = TreatmentDesign(area=head, density_per_cm2=50, dot_mm=0.4, feather_mm=6)
    quarter = rgb[::4, ::4].copy()
    first = render_preview(rgb, design, SCALE, skin, entry)
    cases = {
        BASELINE: decode,
        "render full head, healed, final plan": lambda: render_preview(rgb, design, SCALE, skin,
                                                                       entry),
        "render full head, first session": lambda: render_preview(rgb, design, SCALE, skin,
                                                                  entry, session="1"),
        "quick render at 1/4 size (while editing)": lambda: render_preview(
            quarter, design, SCALE, skin, entry, photo_shape=(HEIGHT, WIDTH)),
    }
    medians = time_interleaved(cases, args.repeat)
    base = medians[BASELINE]
    print(f"{WIDTH} x {HEIGHT} photo, full-head area {first.layout.area_cm2:.0f} cm2, "
          f"{first.layout.count} dots of 0.4 mm at 50 per cm2, {SCALE:g} px/mm; "
          f"{args.repeat} rounds, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'case':<46} {'median ms':>10} {'x baseline':>11}")
    for name in cases:
        median = medians[name]
        print(f"{name:<46} {1000 * median:10.1f} {median / base:11.2f}")
    path.unlink()
    folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
