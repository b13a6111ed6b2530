"""Helpers shared by the palette tests: a valid palette document and a writer."""

from __future__ import annotations

import copy
import json
from pathlib import Path

VALID = {
    "format": "shadematch-palette",
    "format_version": 1,
    "name": "test-palette",
    "version": "3",
    "provenance": "test fixture",
    "description": "two pigments",
    "pigments": [
        {
            "id": "ink",
            "name": "Ink",
            "line": "Test line",
            "undertone": "cool",
            "colour": {"lab": [18.0, 0.0, -2.0], "illuminant": "D65", "observer": "2"},
            "dilutions": [
                {"water_parts": 4, "pigment_parts": 1,
                 "colour": {"lab": [40.0, 0.0, -1.0], "illuminant": "D65"}},
                {"water_parts": 2, "pigment_parts": 1,
                 "colour": {"lab": [28.0, 0.0, -1.5], "illuminant": "D65"}},
                {"water_parts": 10, "pigment_parts": 1, "colour": {"srgb_hex": "#a0a0a0"}},
            ],
        },
        {
            "id": "brown",
            "name": "Brown",
            "colour": {"srgb_hex": "#3a3330"},
        },
    ],
}


def valid_document() -> dict:
    return copy.deepcopy(VALID)


def write_json(folder: Path, document: object, name: str = "mine.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path
