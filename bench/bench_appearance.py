"""Healed-appearance speed: the whole shipped palette predicted and ranked on one fitted skin.

    python bench/bench_appearance.py [--repeat 15]

Run from the project root. Cases are timed in interleaved rounds (each round runs every case once
in a new shuffled order, so a busy machine slows them alike); the table gives the median wall time
of each case and its ratio to the baseline timed in the same rounds: scikit-image's ``rgb2lab`` on
a fixed 256 x 256 sRGB array (a familiar, fixed amount of numpy work). Goal: predicting and
ranking the whole shipped palette on one skin well under 50 ms, so the ranking stays live.
Speed is measured here, never asserted in a unit test.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from interleaved import time_interleaved  # noqa: E402

from shadematch.appearance import fit_skin, predict_palette  # noqa: E402
from shadematch.matching import rank_healed  # noqa: E402
from shadematch.palettes import load_palette  # noqa: E402

BASELINE = "skimage rgb2lab, 256 x 256 sRGB"
SKIN_LAB = (61.4, 10.45, 16.7)     # ISSA "intermediate" mean
HAIR_LAB = (38.0, 3.0, 6.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)

    from skimage.color import rgb2lab

    rgb = np.random.default_rng(0).random((256, 256, 3))
    palettes = [load_palette("carbon-black-dilution-modelled"),
                load_palette("smp-undertones-modelled")]
    entries = tuple(e for p in palettes for e in p.entries)
    skin = fit_skin(SKIN_LAB)
    cases = {
        BASELINE: lambda: rgb2lab(rgb),
        f"predict {len(entries)} entries (fresh, healed, faded)": lambda: predict_palette(
            skin, entries),
        f"rank_healed {len(entries)} entries, skin already fitted": lambda: rank_healed(
            HAIR_LAB, entries, skin=skin),
        "fit_skin (once per skin sample)": lambda: fit_skin(SKIN_LAB),
        f"fit_skin + rank_healed {len(entries)} entries": lambda: rank_healed(
            HAIR_LAB, entries, SKIN_LAB),
    }
    medians = time_interleaved(cases, args.repeat)
    base = medians[BASELINE]
    print(f"{len(entries)} palette entries (both shipped palettes), {args.repeat} rounds, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'case':<52} {'median ms':>10} {'x baseline':>11}")
    for name in cases:
        median = medians[name]
        print(f"{name:<52} {1000 * median:10.2f} {median / base:11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
