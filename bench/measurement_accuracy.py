"""Accuracy of the stubble measurement on synthetic shaved scalps with known colours.

    python bench/measurement_accuracy.py [--size 240] [--quick]

Prints markdown tables of the CIEDE2000 error of the hair (follicle) and skin readings against the
colours the photos were painted with, by dot coverage, dot radius, skin tone and file format, and
the error of the coverage and dot count. The photos come from tests/color/synthetic_scalp.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "color"))

from synthetic_scalp import FOLLICLE_DARK, SKIN_TONES, scalp_photo, truth_Lab  # noqa: E402

from shadematch.color.delta_e import delta_E_CIE2000  # noqa: E402
from shadematch.color.region_statistics import sample_region  # noqa: E402

FORMATS = {"PNG": ("PNG", 0), "JPEG 4:4:4": ("JPEG", 0), "JPEG 4:2:0": ("JPEG", 2)}


def measure(skin, follicle, coverage, radius, fmt, size, quick=False, seed=0, old=False):
    kind, sub = FORMATS[fmt]
    img = scalp_photo(skin=skin, follicle=follicle, coverage=coverage, radius=radius, size=size,
                      seed=seed, fmt=kind, subsampling=sub, quality=90)
    mask = np.ones(img.shape[:2], bool)
    s_skin = sample_region(img, mask, "skin", quick=quick)
    s_hair = sample_region(img, mask, "hair", quick=quick, skin_Lab=s_skin.Lab)
    e_hair = float(delta_E_CIE2000(s_hair.Lab, truth_Lab(follicle)))
    e_skin = float(delta_E_CIE2000(s_skin.Lab, truth_Lab(skin)))
    dL = float(s_hair.Lab[0] - truth_Lab(follicle)[0])
    return e_hair, dL, e_skin, s_hair


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=240)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    coverages = (0.05, 0.15, 0.45, 0.70)
    radii = (1.5, 3.0, 5.0)
    print(f"Hair (follicle) error dE00 / skin error dE00, medium skin, dark follicles, "
          f"{args.size} px square region{' (quick estimate)' if args.quick else ''}\n")
    for fmt in FORMATS:
        print(f"**{fmt}**\n")
        print("| coverage | " + " | ".join(f"r = {r} px" for r in radii) + " |")
        print("|---|" + "---|" * len(radii))
        for c in coverages:
            cells = []
            for r in radii:
                e_hair, dL, e_skin, s = measure(SKIN_TONES["medium"], FOLLICLE_DARK, c, r, fmt,
                                                args.size, args.quick)
                cells.append(f"{e_hair:.1f} (dL {dL:+.1f}) / {e_skin:.1f}")
            print(f"| {c:.0%} | " + " | ".join(cells) + " |")
        print()
    print("Skin tones (r = 3 px, 15% coverage): hair / skin dE00\n")
    print("| skin | " + " | ".join(FORMATS) + " |")
    print("|---|" + "---|" * len(FORMATS))
    for name, skin in SKIN_TONES.items():
        cells = []
        for fmt in FORMATS:
            e_hair, dL, e_skin, s = measure(skin, FOLLICLE_DARK, 0.15, 3.0, fmt, args.size,
                                            args.quick)
            cells.append(f"{e_hair:.1f} / {e_skin:.1f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
