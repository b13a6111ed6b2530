"""Make the first-run demo photo: a synthetic shaved scalp with stubble, a ColorChecker and a ruler.

Run from the project root: ``python scripts/make_scalp_demo.py``. Writes ``assets/demo/scalp.jpg``
and ``assets/demo/scalp.regions.json``. The photo is SYNTHETIC (no client's photo ships with the
app): the top of a shaved head seen from the front, lit from the upper left, skin of a medium
ISSA tone with pores and mottling, dark brown stubble at about 60 follicles per cm2 thinning at
the temples and over the front, the forehead bare; a ColorChecker 24 (after-2014 reference
colours) and a millimetre ruler lie beside it, so calibration and the preview's scale line can be
tried. Scale: 10 pixels per mm at the scalp. Deterministic (fixed seeds).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1] / "assets" / "demo"
WIDTH, HEIGHT = 1600, 1200
PX_PER_MM = 10.0
SKIN_LAB = (60.5, 11.5, 17.5)        # a medium ("intermediate") skin, ISSA-like
STUBBLE_LAB = (28.0, 3.0, 4.5)       # dark brown stubble
BACKGROUND = (0.32, 0.33, 0.36)      # linear light: a neutral, slightly cool backdrop
HEAD = (800.0, 700.0, 640.0, 600.0)  # ellipse centre x, y, radii: the scalp
HAIRLINE_Y = 780.0                   # the front hairline (forehead below)
DENSITY_PER_CM2 = 62.0


def _linear(Lab) -> np.ndarray:
    from shadematch.color.conversion import Lab_to_XYZ, XYZ_to_linear_sRGB

    return np.clip(XYZ_to_linear_sRGB(Lab_to_XYZ(np.asarray(Lab, dtype=float))), 0, 1)


def _noise(shape, scale: float, rng) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    n = gaussian_filter(rng.standard_normal(shape), scale)
    return n / (n.std() + 1e-9)


def make() -> tuple[np.ndarray, list[dict]]:
    rng = np.random.default_rng(20261203)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    cx, cy, rx, ry = HEAD
    inside = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
    head = inside <= 1.0
    # shading of a dome lit from the upper left: Lambert on an ellipsoid, plus ambient
    nz = np.sqrt(np.clip(1.0 - inside, 0.0, 1.0))
    nx, ny = (xx - cx) / rx, (yy - cy) / ry
    light = np.array([-0.45, -0.55, 0.70])
    light /= np.linalg.norm(light)
    lambert = np.clip(nx * light[0] + ny * light[1] + nz * light[2], 0, 1)
    shade = 0.42 + 0.62 * lambert
    skin = _linear(SKIN_LAB)[None, None, :] * np.ones((HEIGHT, WIDTH, 1))
    mottle = 1.0 + 0.035 * _noise((HEIGHT, WIDTH), 18, rng)[..., None] \
        + 0.02 * _noise((HEIGHT, WIDTH), 3, rng)[..., None]
    redness = 0.015 * _noise((HEIGHT, WIDTH), 40, rng)
    skin = skin * mottle
    skin[..., 0] *= 1.0 + redness
    pores = _noise((HEIGHT, WIDTH), 0.8, rng) < -2.3
    skin[pores] *= 0.9
    image = np.empty((HEIGHT, WIDTH, 3))
    image[:] = np.asarray(BACKGROUND)[None, None, :] * (0.85 + 0.15 * (1 - yy / HEIGHT))[..., None]
    image[head] = (skin * shade[..., None])[head]
    # a soft specular highlight on the crown
    spec = np.exp(-(((xx - 640) / 170) ** 2 + ((yy - 330) / 120) ** 2)) * head
    image += 0.05 * spec[..., None]
    # stubble: follicles over the scalp above the hairline, thinning at the temples and front
    area_mm2 = np.count_nonzero(head & (yy < HAIRLINE_Y)) / PX_PER_MM ** 2
    n = int(DENSITY_PER_CM2 * area_mm2 / 100.0 * 1.6)
    px = rng.uniform(cx - rx, cx + rx, n)
    py = rng.uniform(cy - ry, HAIRLINE_Y, n)
    keep = ((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 <= 0.93
    # density falls off towards the hairline (a soft natural edge) and at the temples (receding)
    front = np.clip((HAIRLINE_Y - py) / 140.0, 0, 1)
    temples = 1.0 - 0.75 * np.exp(-(((np.abs(px - cx) - 330) / 110) ** 2
                                     + ((py - 600) / 160) ** 2))
    crown_thin = 1.0 - 0.45 * np.exp(-(((px - cx) / 150) ** 2 + ((py - 300) / 110) ** 2))
    probability = front * temples * crown_thin / 1.6
    keep &= rng.uniform(0, 1, n) < probability
    px, py = px[keep], py[keep]
    radius = 0.28 * PX_PER_MM * np.exp(0.18 * rng.standard_normal(px.size))
    stubble = _linear(STUBBLE_LAB)
    ss = 3                                                   # supersampled discs
    for x, y, r in zip(px, py, radius, strict=True):
        k = int(np.ceil(r)) + 2
        x0, y0 = int(x) - k, int(y) - k
        sub_y, sub_x = np.mgrid[0:(2 * k + 1) * ss, 0:(2 * k + 1) * ss] / ss
        disc = (((sub_x + x0 - x) ** 2 + (sub_y + y0 - y) ** 2) <= r * r)
        alpha = disc.reshape(2 * k + 1, ss, 2 * k + 1, ss).mean(axis=(1, 3))[..., None]
        patch = image[y0:y0 + 2 * k + 1, x0:x0 + 2 * k + 1]
        local_shade = shade[int(y), int(x)]
        patch[:] = patch * (1 - alpha) + (stubble * local_shade) * alpha
    # ColorChecker 24 at the lower left, lit like the head's front
    from shadematch.calibration.charts import chart_reference

    patches = chart_reference("colorchecker24", "after-2014").Lab
    pitch, size, ox, oy = 44, 36, 40, 930
    image[oy - 16:oy + 4 * pitch + 8, ox - 16:ox + 6 * pitch + 8] = 0.012
    for i, Lab in enumerate(patches):
        r, c = divmod(i, 6)
        image[oy + r * pitch:oy + r * pitch + size, ox + c * pitch:ox + c * pitch + size] = \
            _linear(Lab) * 0.92
    # a millimetre ruler along the bottom right: 100 mm at 10 px/mm
    rx0, ry0 = 1380 - 1000, 1140
    image[ry0 - 4:ry0 + 40, rx0 - 10:rx0 + 1010] = 0.78
    for mm in range(101):
        length = 30 if mm % 10 == 0 else (20 if mm % 5 == 0 else 12)
        x = rx0 + int(round(mm * PX_PER_MM))
        image[ry0:ry0 + length, x:x + 2] = 0.02
    noise = rng.normal(0, 0.006, image.shape)
    from shadematch.color.conversion import linear_to_sRGB

    rgb = np.clip(np.rint(linear_to_sRGB(np.clip(image + noise * np.sqrt(image + 0.01), 0, 1))
                          * 255), 0, 255).astype(np.uint8)
    regions = [
        {"id": "r1", "class": "hair", "shape": "rect",
         "params": {"x": 560, "y": 420, "w": 200, "h": 140}},
        {"id": "r2", "class": "skin", "shape": "ellipse",
         "params": {"cx": 760, "cy": 900, "rx": 90, "ry": 45}},
    ]
    return rgb, regions


def main() -> None:
    from PIL import Image, ImageCms

    rgb, regions = make()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    Image.fromarray(rgb).save(HERE / "scalp.jpg", "JPEG", quality=92,
                              icc_profile=profile.tobytes(), subsampling=0)
    record = {
        "format": "shadematch-demo-regions", "format_version": 1, "photo": "scalp.jpg",
        "source": "SYNTHETIC: made by scripts/make_scalp_demo.py (a shaved scalp with stubble, "
                  "a ColorChecker 24 and a millimetre ruler at 10 px/mm); no real client",
        "pixels_per_mm": PX_PER_MM,
        "chart_corners": [[58, 948], [278, 948], [278, 1080], [58, 1080]],
        "regions": regions,
    }
    (HERE / "scalp.regions.json").write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
