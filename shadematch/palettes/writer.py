"""Write a palette back out as JSON (e.g. a CSV import, kept for good): format version 1, or 2 when
a pigment carries its own ``optics`` block."""

from __future__ import annotations

import json
import os
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


class PaletteNameTakenError(PaletteError):
    """The palette's name is already used by a shipped palette or one in the user's folder.

    Attributes
    ----------
    name : the name asked for.
    existing : the palette that has it (``existing.source`` is "shipped" or "user").
    suggestion : a free name to import under instead.
    """

    def __init__(self, name: str, existing: Palette, suggestion: str) -> None:
        self.name, self.existing, self.suggestion = name, existing, suggestion
        where = existing.path.name if existing.path is not None else "another palette"
        if existing.source == "shipped":
            message = (f"'{name}' is the name of a palette that ships with shadematch "
                       f"({where}), which cannot be replaced: import it under another name, "
                       f"e.g. '{suggestion}'")
        else:
            message = (f"a palette named '{name}' is already in your palette folder ({where}): "
                       f"import under another name, e.g. '{suggestion}', or replace it")
        super().__init__(message)


def _file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "palette"


def _free_name(name: str, taken: set[str], folder: Path) -> str:
    for n in range(2, 1000):
        candidate = f"{name}-{n}"
        if (candidate.casefold() not in taken
                and not (folder / f"{_file_stem(candidate)}.json").exists()):
            return candidate
    return f"{name}-new"


def import_into_user_folder(csv_or_json: str | Path, name: str | None = None, *,
                            overwrite: bool = False) -> Palette:
    """Validate a palette file (``.csv`` or ``.json``) and save it in the user's palette folder.

    The name is checked against every palette shadematch loads before anything is written: a
    palette whose name is taken would be left out of the palette list ("name already used").

    Parameters
    ----------
    csv_or_json : the file to import.
    name : the palette's name (default: a CSV's file name, a JSON file's own ``name``).
    overwrite : replace the user's palette of the same name (its file is replaced, or removed
        when it had another file name). A shipped palette's name is never taken over.

    Returns
    -------
    Palette
        The palette as loaded from its new home (source "user").

    Raises
    ------
    PaletteNameTakenError
        A shipped palette has the name, or a user palette has it and ``overwrite`` is False.
    PaletteError
        When the file is invalid or cannot be written.
    """
    import dataclasses

    from shadematch.palettes.csv_import import import_palette_csv
    from shadematch.palettes.file_format import read_palette_json
    from shadematch.palettes.library import check_palette_file, scan_palettes
    from shadematch.resources import user_palettes_dir

    source = Path(csv_or_json)
    if source.suffix.lower() == ".csv":
        palette = import_palette_csv(source, name)
    else:
        palette = check_palette_file(source)
        if name:
            palette = dataclasses.replace(palette, name=name.strip())
    folder = user_palettes_dir()
    target = folder / f"{_file_stem(palette.name)}.json"
    palettes, _problems = scan_palettes()
    existing = next((p for p in palettes if p.name.casefold() == palette.name.casefold()), None)
    if existing is not None and (existing.source == "shipped" or not overwrite):
        taken = {p.name.casefold() for p in palettes}
        raise PaletteNameTakenError(palette.name, existing,
                                    _free_name(palette.name, taken, folder))
    owner = next((p for p in palettes if p.path is not None and target.exists()
                  and p.path.exists() and os.path.samefile(p.path, target)), None)
    if owner is not None and owner is not existing:
        # The file name belongs to a palette with another name: keep it, use a free file name.
        stem = _file_stem(palette.name)
        target = next(folder / f"{stem}-{n}.json" for n in range(2, 10000)
                      if not (folder / f"{stem}-{n}.json").exists())
    save_palette(palette, target, overwrite=overwrite)
    old = existing.path if existing is not None else None
    if old is not None and old.exists() and not os.path.samefile(old, target):
        old.unlink()  # the replaced palette had another file name: its name is used once
    return read_palette_json(target, source="user")
