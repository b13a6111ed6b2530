"""Print the leave-one-out and skin-patch figures of docs/CALIBRATION.md (not a test).

    PYTHONPATH=.:tests/calibration python tests/calibration/loo_figures.py
"""

from __future__ import annotations

import numpy as np
from calib_synth import dE00, measured_patch_Lab, render_chart

from shadematch.calibration import calibrate_from_chart, chart_reference


def main() -> None:
    ref = chart_reference()
    print("| cast | tone curve | exposure | model chosen | residual mean / max | "
          "leave-one-out mean | dark skin | light skin | light skin uncalibrated |")
    print("|---|---|---|---|---|---|---|---|---|")
    loo_all, skin_all = [], []
    for cast in ("neutral", "warm", "cool", "greenish"):
        for tone in ("srgb", "gamma1.8", "filmic"):
            for exposure in (0.6, 1.0):
                img, corners = render_chart(cast=cast, tone=tone, exposure=exposure,
                                            noise=0.02, jpeg_quality=85, pitch=80, rotation=17)
                cal = calibrate_from_chart(img, corners)
                skin = [dE00(measured_patch_Lab(cal, img, corners, i), ref.Lab[i]) for i in (0, 1)]
                raw = dE00(measured_patch_Lab(None, img, corners, 1), ref.Lab[1])
                loo_all.append(cal.leave_one_out_mean_delta_e)
                skin_all += skin
                print(f"| {cast} | {tone} | {exposure} | {cal.model} | {cal.mean_delta_e:.2f} / "
                      f"{cal.max_delta_e:.2f} | {cal.leave_one_out_mean_delta_e:.2f} | "
                      f"{skin[0]:.2f} | {skin[1]:.2f} | {raw:.1f} |")
    print(f"\nleave-one-out mean over all: {np.mean(loo_all):.2f}, worst {np.max(loo_all):.2f}; "
          f"skin patches: mean {np.mean(skin_all):.2f}, worst {np.max(skin_all):.2f}")

    print("\n| noise (sigma, 0..1) | JPEG quality | patch pitch px | worst skin dE00 | "
          "mean skin dE00 | mean leave-one-out |")
    print("|---|---|---|---|---|---|")
    for noise, quality, pitch in ((0.0, None, 80), (0.01, None, 80), (0.01, 85, 80),
                                  (0.02, 85, 80), (0.02, 95, 80), (0.02, 75, 60)):
        worst, skins, loos = 0.0, [], []
        for cast in ("warm", "cool", "greenish"):
            for tone in ("gamma1.8", "filmic"):
                img, corners = render_chart(cast=cast, tone=tone, exposure=0.8, noise=noise,
                                            jpeg_quality=quality, pitch=pitch)
                cal = calibrate_from_chart(img, corners)
                s = [dE00(measured_patch_Lab(cal, img, corners, i), ref.Lab[i]) for i in (0, 1)]
                skins += s
                loos.append(cal.leave_one_out_mean_delta_e)
        worst = max(skins)
        print(f"| {noise} | {quality or 'none (PNG)'} | {pitch} | {worst:.2f} | "
              f"{np.mean(skins):.2f} | {np.mean(loos):.2f} |")

    print("\n| test case (cast, curve, exposure, rotation) | mean | 90th percentile | max |")
    print("|---|---|---|---|")
    from test_calibration_accuracy import CAMERA, CASES

    for cast, tone, exposure, rotation in CASES:
        worst = []
        for seed in range(12):
            img, corners = render_chart(cast=cast, tone=tone, exposure=exposure,
                                        rotation=rotation, seed=seed, **CAMERA)
            cal = calibrate_from_chart(img, corners)
            worst.append(max(dE00(measured_patch_Lab(cal, img, corners, i), ref.Lab[i])
                             for i in (0, 1)))
        print(f"| {cast}, {tone}, x{exposure}, {rotation} deg | {np.mean(worst):.2f} | "
              f"{np.percentile(worst, 90):.2f} | {np.max(worst):.2f} |")


if __name__ == "__main__":
    main()
