"""Write a palette back out as JSON (e.g. a CSV import, kept for good): format version 1, or 2 when
a pigment carries its own ``optics`` block."""

from __future__ import annotations

import json
import re
from pathlib import Path

from shadematch.errors import PaletteError
from shadematch.palettes.file_format import FORMAT_NAME
from shadematch.palettes.model import Palette


def _one_line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def palette_json_text(document: dict) -> str:
    """JSON text for a palette document, laid out for editing by hand.

    Top-level fields and pigment fields one per line; each ``colour`` and each dilution step on
    a single line.
    """
    lines = ["{"]
    top = [(k, v) for k, v in document.items() if k != "pigments"]
    for key, value in top:
        lines.append(f"  {_one_line(key)}: {_one_line(value)},")
    lines.append('  "pigments": [')
    pigments = document.get("pigments", [])
    for p_index, pigment in enumerate(pigments):
        lines.append("    {")
        items = list(pigment.items())
        for i_index, (key, value) in enumerate(items):
            comma = "," if i_index < len(items) - 1 else ""
            if key == "dilutions" and isinstance(value, list) and value:
                lines.append(f"      {_one_line(key)}: [")
                for s_index, step in enumerate(value):
                    step_comma = "," if s_index < len(value) - 1 else ""
                    lines.append(f"        {_one_line(step)}{step_comma}")
                lines.append(f"      ]{comma}")
            else:
                lines.append(f"      {_one_line(key)}: {_one_line(value)}{comma}")
        lines.append("    }" + ("," if p_index < len(pigments) - 1 else ""))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _colour(Lab: tuple[float, float, float]) -> dict:
    return {"lab": [round(float(v), 4) for v in Lab], "illuminant": "D65", "observer": "2"}


def palette_to_dict(palette: Palette) -> dict:
    """The palette as a format-version-1 document (2 when a pigment has optics from its file);
    colours as Lab D65 (4 decimals).

    Loading the result gives the same entries (ids, names, dilutions and Lab to 1e-4).
    """
    from shadematch.appearance.pigment_optics import SOURCE_FILE

    pigments: dict[str, dict] = {}
    format_version = 1
    for entry in palette.entries:
        pigment = pigments.get(entry.pigment_id)
        if pigment is None:
            pigment = {"id": entry.pigment_id, "name": entry.pigment_name, "line": entry.line,
                       "undertone": entry.undertone}
            optics = getattr(entry, "optics", None)
            if optics is not None and optics.source == SOURCE_FILE:
                pigment["optics"] = optics.to_dict()
                format_version = 2
            pigments[entry.pigment_id] = pigment
        if entry.dilution is None or entry.dilution == "neat":
            pigment["colour"] = _colour(entry.Lab)
        else:
            pigment.setdefault("dilutions", []).append({
                "water_parts": entry.water_parts, "pigment_parts": entry.pigment_parts,
                "colour": _colour(entry.Lab)})
    return {
        "format": FORMAT_NAME,
        "format_version": format_version,
        "name": palette.name,
        "version": palette.version,
        "provenance": palette.provenance,
        "description": palette.description,
        "pigments": list(pigments.values()),
    }


def save_palette(palette: Palette, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``palette`` as JSON to ``path`` atomically.

    Raises
    ------
    PaletteError
        When ``path`` exists and ``overwrite`` is False, or it cannot be written.
    """
    from shadematch.atomic_files import write_text_atomic

    path = Path(path)
    text = palette_json_text(palette_to_dict(palette))
    try:
        return write_text_atomic(path, text, overwrite=overwrite)
    except FileExistsError:
        raise PaletteError(f"{path.name}: already exists; choose another name or confirm "
                           f"overwriting it") from None
    except OSError as exc:
        raise PaletteError(f"{path}: cannot be written ({exc.strerror}); check the folder and "
                           f"its permissions") from exc


def import_into_user_folder(csv_or_json: str | Path, name: str | None = None, *,
                            overwrite: bool = False) -> Palette:
    """Validate a palette file (``.csv`` or ``.json``) and save it in the user's palette folder.

    Returns the palette as loaded from its new home (source "user").

    Raises
    ------
    PaletteError
        When the file is invalid, or a palette file of that name exists and ``overwrite`` is False.
    """
    from shadematch.palettes.csv_import import import_palette_csv
    from shadematch.palettes.file_format import read_palette_json
    from shadematch.palettes.library import check_palette_file
    from shadematch.resources import user_palettes_dir

    source = Path(csv_or_json)
    if source.suffix.lower() == ".csv":
        palette = import_palette_csv(source, name)
    else:
        palette = check_palette_file(source)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", palette.name).strip("-.") or "palette"
    target = user_palettes_dir() / f"{stem}.json"
    save_palette(palette, target, overwrite=overwrite)
    return read_palette_json(target, source="user")
