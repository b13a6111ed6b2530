"""Regenerate the first-run demo: ``astronaut.jpg`` and ``astronaut.regions.json``.

Run from the project root: ``python scripts/make_demo.py``. It lives outside ``assets/``, which
ships inside the installed package, because it is a tool for the source tree, not data. The
photo is scikit-image's ``skimage.data.astronaut()`` (NASA portrait of Eileen Collins, public domain), saved as a JPEG
with an embedded sRGB ICC profile (LittleCMS's built-in sRGB, written by Pillow) so the
colour pipeline has a real profile to honour. The regions mark her hair and the skin of her
forehead and cheek; the app turns them into a session on first run.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "assets" / "demo"

REGIONS = [
    {"id": "r1", "class": "hair", "shape": "rect", "params": {"x": 196, "y": 30, "w": 68, "h": 26}},
    {"id": "r2", "class": "hair", "shape": "polygon",
     "params": {"points": [[160, 70], [178, 58], [186, 70], [182, 100], [166, 108], [158, 92]]}},
    {"id": "r3", "class": "skin", "shape": "ellipse",
     "params": {"cx": 192, "cy": 127, "rx": 8, "ry": 9}},
    {"id": "r4", "class": "skin", "shape": "ellipse",
     "params": {"cx": 254, "cy": 121, "rx": 7, "ry": 9}},
    {"id": "r5", "class": "skin", "shape": "ellipse",
     "params": {"cx": 222, "cy": 170, "rx": 14, "ry": 6}},
]


def main() -> None:
    from PIL import Image, ImageCms
    from skimage.data import astronaut

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    Image.fromarray(astronaut()).save(HERE / "astronaut.jpg", "JPEG", quality=95,
                                      icc_profile=profile.tobytes(), subsampling=0)
    record = {
        "format": "shadematch-demo-regions", "format_version": 1,
        "photo": "astronaut.jpg",
        "source": "skimage.data.astronaut(): NASA portrait of astronaut Eileen Collins "
                  "(public domain), as shipped with scikit-image",
        "regions": REGIONS,
    }
    (HERE / "astronaut.regions.json").write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
