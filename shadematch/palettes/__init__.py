"""Pigment palettes: the file format, validation, and the shipped and user palette folders.

The shipped palettes are MODELLED (see :mod:`shadematch.palettes.dilution_model`); practitioners
are told to measure their own pigments and import them (JSON, or CSV via
:func:`import_palette_csv`). The format is documented in docs/PALETTE_FORMAT.md.
"""

from __future__ import annotations

from shadematch.palettes.csv_import import import_palette_csv
from shadematch.palettes.file_format import FORMAT_VERSIONS, palette_from_dict, read_palette_json
from shadematch.palettes.library import (
    DEFAULT_PALETTE_NAME,
    PaletteProblem,
    check_palette_file,
    list_palette_problems,
    list_palettes,
    load_palette,
    scan_palettes,
)
from shadematch.palettes.model import Palette, PaletteEntry
from shadematch.palettes.writer import import_into_user_folder, palette_to_dict, save_palette

__all__ = [
    "DEFAULT_PALETTE_NAME",
    "FORMAT_VERSIONS",
    "Palette",
    "PaletteEntry",
    "PaletteProblem",
    "check_palette_file",
    "import_into_user_folder",
    "import_palette_csv",
    "list_palette_problems",
    "list_palettes",
    "load_palette",
    "palette_from_dict",
    "palette_to_dict",
    "read_palette_json",
    "save_palette",
    "scan_palettes",
]
