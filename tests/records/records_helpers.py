"""Helpers for the records tests: analysis records and small photos."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

ANALYSIS = {
    "format": "shadematch-analysis",
    "format_version": 1,
    "app_version": "0.1.0",
    "created": "2026-11-21T12:00:00+00:00",
    "photo": {"path": "", "name": "photo.jpg", "sha256": "", "width": 64, "height": 48,
              "format": "JPEG", "bit_depth": 8, "source_profile": "sRGB (assumed)",
              "profile_assumed": True, "orientation_applied": 1},
    "conditions": {"colour_space": "CIELAB", "illuminant": "D65", "observer": "2",
                   "rgb_space": "sRGB (IEC 61966-2-1)"},
    "calibration": None,
    "regions": [{"id": "r1", "class": "hair", "shape": "rect",
                 "params": {"x": 1, "y": 2, "w": 10, "h": 8}}],
    "samples": {
        "hair": {"class": "hair", "lab": [22.0, 3.0, 6.0], "lch": [22.0, 6.7, 63.4],
                 "srgb_hex": "#3b3430", "in_gamut": True},
        "skin": {"class": "skin", "lab": [62.0, 12.0, 16.0], "lch": [62.0, 20.0, 53.1],
                 "srgb_hex": "#b08f7b", "in_gamut": True, "ita": 34.2,
                 "ita_class": "intermediate"},
    },
    "matching": {"target": "hair", "formula": "ciede2000", "formula_label": "CIEDE2000",
                 "params": {}, "palette": {"name": "Test", "version": "1.0",
                                           "hash": "a1b2c3d4e5f6", "source": "shipped"},
                 "top": 2},
    "ranking": [
        {"rank": 1, "id": "carbon-black@4:1", "pigment_id": "carbon-black",
         "name": "Carbon Black 4:1", "pigment_name": "Carbon Black", "dilution": "4:1",
         "lab": [23.0, 2.0, 5.0], "delta_e": 1.23, "direction": ["lighter"], "band": "acceptable"},
        {"rank": 2, "id": "espresso@2:1", "pigment_id": "espresso", "name": "Espresso 2:1",
         "pigment_name": "Espresso", "dilution": "2:1", "lab": [25.0, 5.0, 9.0],
         "delta_e": 3.9, "direction": ["lighter", "warmer"], "band": "unacceptable"},
    ],
    "picks": {"primary": {"entry_id": "carbon-black@4:1", "name": "Carbon Black 4:1",
                          "dilution": "4:1", "lab": [23.0, 2.0, 5.0]},
              "first_session": None},
    "notes": "",
}


def make_analysis(hair=(22.0, 3.0, 6.0), skin=(62.0, 12.0, 16.0), pick="carbon-black@4:1"):
    """A small but complete analysis record (docs/ANALYSIS_FORMAT.md)."""
    data = copy.deepcopy(ANALYSIS)
    data["samples"]["hair"]["lab"] = [float(v) for v in hair]
    data["samples"]["skin"]["lab"] = [float(v) for v in skin]
    if pick is None:
        data["picks"]["primary"] = None
    else:
        entry = next(item for item in data["ranking"] if item["id"] == pick)
        data["picks"]["primary"] = {"entry_id": pick, "name": entry["name"],
                                    "dilution": entry["dilution"], "lab": entry["lab"]}
    return data


def make_photo(path: Path, seed: int = 0, size=(48, 64), orientation: int | None = None) -> Path:
    """A small random JPEG (height, width = size), optionally with an EXIF orientation tag."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(*size, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    if orientation is None:
        image.save(path, format="JPEG", quality=90)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(path, format="JPEG", quality=90, exif=exif)
    return path
