"""Helpers for the report tests: a hand-made analysis record (docs/ANALYSIS_FORMAT.md) and a
page renderer (poppler's pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

PIGMENTS = [
    # id, pigment name, line, undertone, water, pigment, Lab, dE, dL, dC, dH, direction, band
    ("carbon-black", "Carbon Black", "Core", "neutral", 4, 1, (24.1, 1.2, 3.0), 1.31, 0.9, -0.4,
     0.3, ["lighter"], "close"),
    ("espresso", "Espresso Brown", "Core", "warm", 3, 1, (26.0, 4.5, 7.9), 2.02, 2.8, 1.1, 0.4,
     ["lighter", "warmer"], "acceptable"),
    ("graphite", "Graphite Grey", "Core", "cool", 5, 1, (30.2, -0.5, -1.5), 3.37, 7.0, -2.9,
     -1.1, ["lighter", "cooler", "less saturated"], "noticeable"),
    ("midnight", "Midnight", "Studio", "cool", 2, 1, (18.5, 0.5, -2.2), 4.10, -4.7, -3.2, -2.0,
     ["darker", "cooler"], "noticeable"),
    ("umber", "Raw Umber", "Studio", "warm", 6, 1, (35.0, 6.0, 14.0), 6.60, 11.8, 8.0, 1.0,
     ["lighter", "warmer", "more saturated"], "poor"),
    ("ink-blue", "Ink Blue", "Lab", "cool", 0, 1, (30.0, 40.0, -95.0), 9.80, 6.0, 90.0, -30.0,
     ["lighter", "cooler", "more saturated"], "poor"),
]


def make_analysis(notes: str = "Client prefers a softer hairline; keep the temples 1:5.") -> dict:
    ranking = []
    for rank, (pid, pname, line, tone, water, pig, lab, de, dl, dc, dh, direction, band) in \
            enumerate(PIGMENTS, start=1):
        ranking.append({
            "rank": rank, "id": f"{pid}@{water}:{pig}", "pigment_id": pid,
            "name": f"{pname} {water}:{pig}", "pigment_name": pname, "line": line,
            "undertone": tone, "dilution": f"{water}:{pig}", "water_parts": water,
            "pigment_parts": pig, "lab": list(lab), "srgb_hex": "#000000", "in_gamut": True,
            "delta_e": de, "dL": dl, "dC": dc, "dH": dh, "direction": direction, "band": band,
        })
    return {
        "format": "shadematch-analysis",
        "format_version": 1,
        "app_version": "0.1.0",
        "created": "2026-11-21T11:00:00+00:00",
        "photo": {"path": "/photos/astronaut.png", "name": "astronaut.png", "sha256": "ab" * 32,
                  "width": 512, "height": 512, "format": "PNG", "bit_depth": 8,
                  "source_profile": "sRGB (assumed)", "profile_assumed": True,
                  "orientation_applied": 1},
        "conditions": {"colour_space": "CIELAB", "illuminant": "D65", "observer": "2",
                       "rgb_space": "sRGB (IEC 61966-2-1)"},
        "calibration": None,
        "regions": [
            {"id": "r1", "class": "hair", "shape": "rect",
             "params": {"x": 170, "y": 20, "w": 120, "h": 50}},
            {"id": "r2", "class": "skin", "shape": "ellipse",
             "params": {"cx": 240, "cy": 150, "rx": 40, "ry": 25}},
            {"id": "r3", "class": "scar", "shape": "polygon",
             "params": {"points": [[300, 300], [360, 290], [380, 340], [310, 350]]}},
            {"id": "r4", "class": "skin", "shape": "brush",
             "params": {"radius": 8, "strokes": [[[100, 400], [160, 420], [200, 410]]]}},
        ],
        "samples": {
            "hair": {"class": "hair", "lab": [23.2, 1.6, 2.7], "lch": [23.2, 3.1, 59.3],
                     "srgb_hex": "#3a3431", "in_gamut": True,
                     "spread": {"std_Lab": [4.1, 1.2, 2.0], "median_delta_e": 3.4},
                     "pixels": {"total": 6000, "used": 3900, "clipped": 12, "trimmed": 288,
                                "other_cluster": 1800},
                     "separation": {"applied": True, "kept_fraction": 0.65},
                     "warnings": [{"code": "spread", "message": "The hair region mixes several "
                                   "colours (spread 3.4): mark a smaller, even patch of hair."}]},
            "skin": {"class": "skin", "lab": [68.5, 12.3, 17.8], "lch": [68.5, 21.6, 55.4],
                     "srgb_hex": "#c9a189", "in_gamut": True,
                     "spread": {"std_Lab": [2.0, 1.1, 1.3], "median_delta_e": 1.6},
                     "pixels": {"total": 3400, "used": 3100, "clipped": 0, "trimmed": 300,
                                "other_cluster": 0},
                     "ita": 34.2, "ita_class": "intermediate", "warnings": []},
            "scar": {"class": "scar", "lab": [74.0, 9.0, 12.0], "lch": [74.0, 15.0, 53.1],
                     "srgb_hex": "#cfb3a4", "in_gamut": True,
                     "spread": {"std_Lab": [1.5, 0.9, 1.0], "median_delta_e": 1.2},
                     "pixels": {"total": 2600, "used": 2500, "clipped": 0, "trimmed": 100,
                                "other_cluster": 0},
                     "warnings": []},
        },
        "contrast": {"hair_skin_dL": -45.3},
        "matching": {"target": "hair", "formula": "ciede2000", "formula_label": "CIEDE2000",
                     "params": {},
                     "palette": {"name": "Demo SMP Palette", "version": "1.0",
                                 "hash": "a1b2c3d4e5f6", "source": "shipped"},
                     "top": 10},
        "ranking": ranking,
        "picks": {
            "primary": {"entry_id": ranking[1]["id"], "name": ranking[1]["name"],
                        "dilution": ranking[1]["dilution"], "lab": ranking[1]["lab"]},
            "first_session": {"entry_id": ranking[2]["id"], "name": ranking[2]["name"],
                              "dilution": ranking[2]["dilution"], "lab": ranking[2]["lab"]},
        },
        "notes": notes,
    }


def render_page(pdftoppm: str, pdf: Path, page: int, dpi: int, out_prefix: Path) -> np.ndarray:
    """Render one page with poppler and return it as an RGB array."""
    from PIL import Image

    subprocess.run([pdftoppm, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(out_prefix)], check=True, capture_output=True)
    with Image.open(f"{out_prefix}.png") as img:
        return np.asarray(img.convert("RGB"))


@lru_cache(maxsize=1)
def astronaut_rgb() -> np.ndarray:
    """skimage's astronaut portrait (512 x 512 sRGB uint8), read-only."""
    from skimage import data

    rgb = data.astronaut()
    rgb.setflags(write=False)
    return rgb


def pdftoppm_exe() -> str:
    """poppler's pdftoppm, or fail saying how to install it."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.fail("pdftoppm is missing: install poppler-utils (scripts/setup_environment.sh "
                    "test does it)")
    return exe
