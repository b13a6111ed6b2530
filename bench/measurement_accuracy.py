"""Accuracy of the stubble measurement on synthetic shaved scalps with known colours.

    python bench/measurement_accuracy.py [--size 200] [--seeds 3] [--quick]

Prints the markdown tables of docs/MEASUREMENT.md: for each file format, dot radius and coverage,
the worst error over ``--seeds`` seeds and four skin tones (light, medium, brown, dark) of the hair
(follicle) reading (CIEDE2000 and its L* part), the skin reading (skin region drawn over the same
stubble), the coverage (percentage points) and the dot count (%), and the share of those photos
whose hair or skin sample carries a warning that the reading is off (unresolved, soft or tiny
dots, mixed hair and skin, large spread). The photos come from
tests/color/synthetic_scalp.py (dark brown-black follicles, noise 2 code values, JPEG quality 90).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "color"))

from synthetic_scalp import FOLLICLE_DARK, SKIN_TONES, scalp_photo, truth_dots, truth_Lab  # noqa: E402

from shadematch.color.delta_e import delta_E_CIE2000  # noqa: E402
from shadematch.color.region_statistics import sample_region  # noqa: E402

FORMATS = {"PNG": ("PNG", 0), "JPEG 4:4:4": ("JPEG", 0), "JPEG 4:2:0": ("JPEG", 2)}
# what Photo.info() says of such files (the 4:2:0 hair chroma is then recovered from blocks)
INFO = {"PNG": {}, "JPEG 4:4:4": {"chroma_subsampling": "4:4:4", "jpeg_quality": 90},
        "JPEG 4:2:0": {"chroma_subsampling": "4:2:0", "jpeg_quality": 90}}


def errors(skin, coverage, radius, fmt, size, seed, quick=False, blur=0.0) -> dict:
    kind, sub = FORMATS[fmt]
    img = scalp_photo(skin=skin, follicle=FOLLICLE_DARK, coverage=coverage, radius=radius,
                      size=size, seed=seed, fmt=kind, subsampling=sub, quality=90, blur=blur)
    mask = np.ones(img.shape[:2], bool)
    s_skin = sample_region(img, mask, "skin", quick=quick)
    s_hair = sample_region(img, mask, "hair", quick=quick, skin_Lab=s_skin.Lab,
                           photo_info=INFO[fmt])
    warned = {w["code"] for w in s_hair.warnings + s_skin.warnings} & WARNED
    hair_truth = truth_Lab(FOLLICLE_DARK)
    true_cov, true_n = truth_dots(size, coverage, radius, seed)
    f = s_hair.follicles
    out = {"hair": float(delta_E_CIE2000(s_hair.Lab, hair_truth)),
           "dL": float(s_hair.Lab[0] - hair_truth[0]),
           "skin": float(delta_E_CIE2000(s_skin.Lab, truth_Lab(skin))),
           "cov": abs(f.coverage_percent - 100 * true_cov) if f else np.nan,
           "count": (100 * (f.dot_count / true_n - 1) if f and f.dot_count else np.nan),
           "warned": float(bool(warned))}
    return out


WARNED = {"unresolved_dots", "soft_dots", "mixed_hair_and_skin", "tiny_dots", "spread"}


def worst(values: list[dict]) -> dict:
    out = {"warned": float(np.mean([v["warned"] for v in values]))}
    for key in values[0]:
        if key == "warned":
            continue
        column = np.array([v[key] for v in values], dtype=float)
        out[key] = np.nan if np.isnan(column).all() else column[int(np.nanargmax(np.abs(column)))]
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--blur", type=float, default=0.0)
    args = parser.parse_args()
    coverages = (0.05, 0.15, 0.45, 0.70)
    radii = (1.5, 3.0, 5.0)
    print(f"Worst over {args.seeds} seeds x 4 skin tones, {args.size} px square regions"
          f"{', quick estimate' if args.quick else ''}"
          f"{f', lens blur sigma {args.blur} px' if args.blur else ''}.\n")
    print("| format | dot diameter | coverage | hair dE00 | hair dL* | skin dE00 | coverage error "
          "(points) | dot count error | warned |")
    print("|---|---|---|---|---|---|---|---|---|")
    for fmt in FORMATS:
        for r in radii:
            for c in coverages:
                w = worst([errors(skin, c, r, fmt, args.size, seed, args.quick, args.blur)
                           for seed in range(args.seeds) for skin in SKIN_TONES.values()])
                count = "-" if np.isnan(w["count"]) else f"{w['count']:+.0f}%"
                print(f"| {fmt} | {2 * r:g} px | {c:.0%} | {w['hair']:.1f} | {w['dL']:+.1f} | "
                      f"{w['skin']:.1f} | {w['cov']:.1f} | {count} | {w['warned']:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
