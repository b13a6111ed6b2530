"""Import a practitioner's own measurements from a CSV file.

Header row required; column names are case-insensitive:

* ``name`` and either ``L, a, b`` (``L*``, ``a*``, ``b*`` also accepted) or ``hex``;
* optional: ``id``, ``line``, ``undertone``, ``illuminant`` (D65 default, or D50 for Lab),
  ``water`` and ``pigment`` (or ``water_parts`` / ``pigment_parts``): the dilution,
  water:pigment. Rows that share a ``name`` are the dilution steps of one pigment; a row with no
  water (blank or 0) is the neat pigment.

Semicolon-separated files with decimal commas (what spreadsheet programs write in many locales)
are read too.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from pathlib import Path

from shadematch.errors import PaletteError
from shadematch.palettes.colour_values import ILLUMINANTS, ColourValueError, check_Lab, parse_hex
from shadematch.palettes.file_format import FORMAT_NAME, SLUG, _read_bytes, palette_from_dict
from shadematch.palettes.model import Palette, dilution_label

_ALIASES = {
    "name": "name", "pigment name": "name", "shade": "name",
    "l": "L", "l*": "L", "a": "a", "a*": "a", "b": "b", "b*": "b",
    "hex": "hex", "srgb_hex": "hex", "srgb hex": "hex", "srgb": "hex",
    "id": "id", "line": "line", "brand": "line", "undertone": "undertone",
    "illuminant": "illuminant",
    "water": "water", "water_parts": "water", "water parts": "water",
    "pigment": "pigment", "pigment_parts": "pigment", "pigment parts": "pigment",
}


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "pigment"


def _number(text: str, label: str, row_no: int, column: str, *, decimal_comma: bool) -> float:
    raw = text.strip()
    if decimal_comma:
        raw = raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise PaletteError(f"{label}: row {row_no}, column '{column}': {text.strip()!r} is not a "
                           f"number; write a number like 23.5") from None
    if not math.isfinite(value):
        raise PaletteError(f"{label}: row {row_no}, column '{column}': is {value}; write a "
                           f"finite number")
    return value


def import_palette_csv(path: str | Path, name: str | None = None, *,
                       source: str = "csv") -> Palette:
    """Read a CSV of measured colours as a palette.

    Parameters
    ----------
    path : the ``.csv`` file (UTF-8; header row required, see the module docstring).
    name : the palette's name; defaults to the file name without its suffix.
    source : recorded on the palette (``"csv"``, or ``"user"`` for the user's palette folder).

    Returns
    -------
    Palette
        Lab values are D65 (D50 rows are Bradford-adapted); version ``"1"``.

    Raises
    ------
    PaletteError
        The message names the file, the row and the column, and says what to fix.
    """
    path = Path(path)
    label = path.name
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise PaletteError(f"{label}: is not a text file; save it as CSV (UTF-8)") from exc
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise PaletteError(f"{label}: the file is empty; write a header row (name,L,a,b or "
                           f"name,hex) and one row per colour")
    header_line = lines[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    if "\t" in header_line and header_line.count("\t") > header_line.count(delimiter):
        delimiter = "\t"
    decimal_comma = delimiter != ","
    # newline=None: rows may end in \n, \r\n or a lone \r (old Mac exports).
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    try:
        rows = [(no, row) for no, row in enumerate(reader, start=1)
                if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise PaletteError(f"{label}: row {reader.line_num} cannot be read as CSV ({exc}); "
                           f"fix that row (a name longer than 131,072 characters, or a stray "
                           f"quote, is the usual cause)") from exc
    header = rows[0][1]
    if _looks_numeric(header):
        raise PaletteError(f"{label}: the first row looks like data, not a header; add a header "
                           f"row: name,L,a,b or name,hex")
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _ALIASES.get(cell.strip().lower())
        if key is None:
            if cell.strip():
                raise PaletteError(
                    f"{label}: header row, column '{cell.strip()}': unknown column; use name "
                    f"and L,a,b or hex (optional: id, line, undertone, illuminant, water, "
                    f"pigment)")
            continue
        if key in columns:
            raise PaletteError(f"{label}: header row, column '{cell.strip()}': appears twice; "
                               f"keep one")
        columns[key] = index
    has_lab = all(k in columns for k in ("L", "a", "b"))
    has_hex = "hex" in columns
    if "name" not in columns or not (has_lab or has_hex):
        raise PaletteError(f"{label}: header row: needs the columns name,L,a,b or name,hex; "
                           f"found {', '.join(c.strip() for c in header) or 'nothing'}")
    if has_lab and has_hex:
        raise PaletteError(f"{label}: header row: has both L,a,b and hex columns; keep one kind "
                           f"of colour per file")
    if len(rows) < 2:
        raise PaletteError(f"{label}: has a header but no colours; add one row per colour")
    has_series = "water" in columns

    pigments: dict[str, dict] = {}
    first_row_of: dict[tuple[str, float], int] = {}
    used_ids: set[str] = set()
    for row_no, row in rows[1:]:
        def cell(key: str, row=row) -> str:
            index = columns.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        pigment_name = cell("name")
        if not pigment_name:
            raise PaletteError(f"{label}: row {row_no}, column 'name': is empty; give the colour "
                               f"a name")
        where = f"{label}: row {row_no} ('{pigment_name}')"
        illuminant = (cell("illuminant") or "D65").upper()
        if illuminant not in ILLUMINANTS:
            raise PaletteError(f"{where}, column 'illuminant': unknown illuminant "
                               f"{cell('illuminant')!r}; use D65 or D50")
        try:
            if has_lab:
                Lab = check_Lab([_number(cell(k), label, row_no, k, decimal_comma=decimal_comma)
                                 for k in ("L", "a", "b")])
                colour = {"lab": list(Lab), "illuminant": illuminant, "observer": "2"}
            else:
                if cell("illuminant"):
                    raise PaletteError(f"{where}, column 'illuminant': does not apply to hex "
                                       f"colours (sRGB is D65); leave it empty")
                parse_hex(cell("hex"))
                colour = {"srgb_hex": cell("hex")}
        except ColourValueError as exc:
            column = "hex" if exc.field == "srgb_hex" else _Lab_column(str(exc))
            raise PaletteError(f"{where}, column '{column}': {exc}") from None

        water = 0.0
        pigment_parts = 1.0
        if has_series:
            if cell("water"):
                water = _number(cell("water"), label, row_no, "water",
                                decimal_comma=decimal_comma)
            if cell("pigment"):
                pigment_parts = _number(cell("pigment"), label, row_no, "pigment",
                                        decimal_comma=decimal_comma)
            if water < 0 or pigment_parts <= 0:
                raise PaletteError(f"{where}, column 'water'/'pigment': {water:g}:"
                                   f"{pigment_parts:g} is not a dilution; use water >= 0 and "
                                   f"pigment > 0 (e.g. 4 and 1 for 4:1)")
        key = (pigment_name, water / pigment_parts)
        if key in first_row_of:
            what = ("dilution " + dilution_label(water, pigment_parts)) if has_series else "name"
            raise PaletteError(f"{where}: repeats the {what} of row {first_row_of[key]}; give "
                               f"each colour its own name"
                               + (" or dilution" if has_series else
                                  " (or add water and pigment columns for dilution steps)"))
        first_row_of[key] = row_no

        pigment = pigments.get(pigment_name)
        if pigment is None:
            pigment_id = cell("id") or _slug(pigment_name)
            if not SLUG.match(pigment_id):
                raise PaletteError(f"{where}, column 'id': {pigment_id!r} is not a slug; use "
                                   f"lower-case letters, digits and hyphens")
            base, suffix = pigment_id, 2
            while pigment_id in used_ids:
                if cell("id"):
                    raise PaletteError(f"{where}, column 'id': duplicate id '{pigment_id}'; "
                                       f"give every pigment its own id")
                pigment_id, suffix = f"{base}-{suffix}", suffix + 1
            used_ids.add(pigment_id)
            pigment = {"id": pigment_id, "name": pigment_name, "line": cell("line"),
                       "undertone": cell("undertone") or "unspecified", "dilutions": []}
            pigments[pigment_name] = pigment
        if water == 0:
            pigment["colour"] = colour
        else:
            pigment["dilutions"].append({"water_parts": water, "pigment_parts": pigment_parts,
                                         "colour": colour})

    palette_name = (name or path.stem).strip() or path.stem
    document = {
        "format": FORMAT_NAME,
        "format_version": 1,
        "name": palette_name,
        "version": "1",
        "provenance": f"Practitioner's measurements imported from {path.name}",
        "description": "",
        "pigments": [{k: v for k, v in p.items() if not (k == "dilutions" and not v)}
                     for p in pigments.values()],
    }
    return palette_from_dict(document, label=label, path=path.resolve(), source=source,
                             sha256=hashlib.sha256(data).hexdigest())


def _looks_numeric(cells: list[str]) -> bool:
    numeric = 0
    for cell in cells:
        try:
            float(cell.strip().replace(",", "."))
            numeric += 1
        except ValueError:
            if re.fullmatch(r"#?[0-9a-fA-F]{6}", cell.strip()):
                numeric += 1
    return numeric >= 1 and numeric >= len(cells) - 1


def _Lab_column(message: str) -> str:
    """The CSV column a Lab error message is about ("L* is 200, ..." -> "L")."""
    for column in ("L", "a", "b"):
        if message.startswith(f"{column}* "):
            return column
    return "L,a,b"
