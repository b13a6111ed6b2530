"""Read and validate palette files (JSON, format versions 1 and 2; see docs/PALETTE_FORMAT.md).

Version 2 adds an optional ``optics`` block per pigment (its absorption in skin, for the healed
appearance); a version-1 pigment gets optics derived from its undertone.

Every problem raises :class:`~shadematch.errors.PaletteError` whose message names the file, the
entry and the field, and says what to do.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

from shadematch.errors import PaletteError
from shadematch.palettes.colour_values import (
    ILLUMINANTS,
    OBSERVERS,
    ColourValueError,
    Lab_to_D65,
    check_Lab,
    hex_to_Lab,
)
from shadematch.palettes.model import Palette, PaletteEntry, dilution_label

FORMAT_NAME = "shadematch-palette"
FORMAT_VERSIONS = (1, 2)
LATEST_FORMAT_VERSION = 2
SLUG = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")

_TOP_KEYS = {"format", "format_version", "name", "version", "provenance", "description",
             "pigments", "notes"}
_PIGMENT_KEYS = {"id", "name", "line", "undertone", "colour", "dilutions", "notes", "optics"}
_STEP_KEYS = {"water_parts", "pigment_parts", "colour", "notes"}
_COLOUR_KEYS = {"lab", "illuminant", "observer", "srgb_hex", "surface"}
# The largest file we agree to parse: palettes are a few kilobytes; this catches a wrong file.
MAX_FILE_BYTES = 5_000_000


class _Invalid(Exception):
    """Internal: a validation failure at ``where`` / ``field``; turned into a PaletteError."""

    def __init__(self, where: str, field: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.field = field
        self.message = message


def _unknown_keys(obj: dict, allowed: set[str]) -> list[str]:
    return sorted(k for k in obj if k not in allowed and not str(k).startswith("_"))


def _check_keys(obj: dict, allowed: set[str], where: str, prefix: str = "") -> None:
    unknown = _unknown_keys(obj, allowed)
    if unknown:
        raise _Invalid(where, prefix + unknown[0],
                       f"unknown field; allowed fields are {', '.join(sorted(allowed))} "
                       f"(check the spelling; start a field name with '_' for a comment)")


def _text(obj: dict, key: str, where: str, *, required: bool, default: str = "",
          field: str | None = None) -> str:
    field = field or key
    if key not in obj or obj[key] is None:
        if required:
            raise _Invalid(where, field, "missing; add it (a non-empty text)")
        return default
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Invalid(where, field, f"{value!r} is not text; write it in double quotes")
    value = str(value).strip()
    if required and not value:
        raise _Invalid(where, field, "is empty; write a non-empty text")
    return value


def _parts(obj: dict, key: str, where: str, field: str, *, default: float | None,
           allow_zero: bool) -> float:
    if key not in obj:
        if default is None:
            raise _Invalid(where, field, "missing; add the number of parts (e.g. 4 for 4:1)")
        return default
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Invalid(where, field, f"{value!r} is not a number; write a number of parts")
    value = float(value)
    if not math.isfinite(value):
        raise _Invalid(where, field, f"is {value}; write a finite number of parts")
    if value < 0 or (value == 0 and not allow_zero):
        raise _Invalid(where, field, f"is {value:g}; it must be greater than 0 (a neat pigment "
                                     f"is the pigment's own 'colour', not a dilution step)")
    return value


def parse_colour(colour: object, where: str, field: str = "colour") -> tuple[float, float, float]:
    """Validate one ``colour`` object and return its CIELAB (D65, 2 degree, L* 0..100).

    Raises ``_Invalid`` (module-internal); the callers turn it into a PaletteError.
    """
    if not isinstance(colour, dict):
        raise _Invalid(where, field, 'is not an object; write {"lab": [L, a, b], "illuminant": '
                                     '"D65", "observer": "2"} or {"srgb_hex": "#3a3330"}')
    _check_keys(colour, _COLOUR_KEYS, where, prefix=f"{field}.")
    has_lab = "lab" in colour
    has_hex = "srgb_hex" in colour
    if has_lab == has_hex:
        raise _Invalid(where, field, "needs exactly one of 'lab' or 'srgb_hex'"
                       + (" (it has both; remove one)" if has_lab else " (it has neither)"))
    try:
        if has_hex:
            extra = sorted(k for k in ("illuminant", "observer") if k in colour)
            if extra:
                raise _Invalid(where, f"{field}.{extra[0]}",
                               "does not apply to srgb_hex (sRGB is defined for D65); remove it")
            return hex_to_Lab(colour["srgb_hex"])
        Lab = check_Lab(colour["lab"])
        if "illuminant" not in colour:
            raise _Invalid(where, f"{field}.illuminant",
                           f"missing; say which white the Lab values are relative to: "
                           f"{' or '.join(ILLUMINANTS)} (instruments and ICC tools often report "
                           f"D50)")
        illuminant = colour["illuminant"]
        if not isinstance(illuminant, str) or illuminant.strip().upper() not in ILLUMINANTS:
            raise _Invalid(where, f"{field}.illuminant",
                           f"unknown illuminant {illuminant!r}; use {' or '.join(ILLUMINANTS)} "
                           f"(convert other whites to one of these first)")
        observer = colour.get("observer", "2")
        if isinstance(observer, (int, float)) and not isinstance(observer, bool):
            observer = f"{observer:g}"
        if not isinstance(observer, str) or observer.strip().rstrip("°") not in OBSERVERS:
            raise _Invalid(where, f"{field}.observer",
                           f"unsupported observer {observer!r}; only the CIE 1931 2 degree "
                           f"observer (\"2\") is supported: re-export the measurement for 2 "
                           f"degrees")
        return Lab_to_D65(Lab, illuminant.strip().upper())
    except ColourValueError as exc:
        raise _Invalid(where, f"{field}.{exc.field}", str(exc)) from None


def _pigment_where(index: int, pigment: object) -> str:
    if isinstance(pigment, dict) and isinstance(pigment.get("id"), str) and pigment["id"]:
        return f"pigment '{pigment['id']}' (pigments[{index}])"
    return f"pigment #{index + 1} (pigments[{index}])"


def _parse_optics(pigment: dict, where: str, format_version: int, undertone: str):
    from shadematch.appearance.pigment_optics import (
        OpticsValueError,
        derived_optics,
        optics_from_dict,
    )

    if "optics" not in pigment:
        return derived_optics(undertone) if format_version == 1 else None
    if format_version == 1:
        raise _Invalid(where, "optics", "needs format_version 2; change \"format_version\" to 2")
    try:
        return optics_from_dict(pigment["optics"])
    except OpticsValueError as exc:
        field = "optics" + (f".{exc.field}" if exc.field else "")
        raise _Invalid(where, field, str(exc)) from None


def _parse_pigment(index: int, pigment: object, seen_ids: dict[str, int],
                   warnings: list[str], format_version: int = 1) -> list[PaletteEntry]:
    where = _pigment_where(index, pigment)
    if not isinstance(pigment, dict):
        raise _Invalid(where, "pigments", "is not an object; each pigment is {\"id\": ..., "
                                          "\"name\": ..., \"colour\": ...}")
    _check_keys(pigment, _PIGMENT_KEYS, where)
    pigment_id = _text(pigment, "id", where, required=True)
    if not SLUG.match(pigment_id):
        raise _Invalid(where, "id", f"{pigment_id!r} is not a slug; use lower-case letters, "
                                    f"digits and single hyphens, e.g. \"carbon-black\"")
    if pigment_id in seen_ids:
        raise _Invalid(where, "id", f"duplicate id '{pigment_id}' (also pigments"
                                    f"[{seen_ids[pigment_id]}]); give every pigment its own id")
    seen_ids[pigment_id] = index
    name = _text(pigment, "name", where, required=True)
    line = _text(pigment, "line", where, required=False)
    undertone = _text(pigment, "undertone", where, required=False, default="unspecified").lower()
    if not undertone:
        undertone = "unspecified"

    optics = _parse_optics(pigment, where, format_version, undertone)
    neat_Lab = None
    if "colour" in pigment:
        neat_Lab = parse_colour(pigment["colour"], where)

    steps_raw = pigment.get("dilutions")
    if steps_raw is None:
        steps_raw = []
    if not isinstance(steps_raw, list):
        raise _Invalid(where, "dilutions", "is not a list; write [ {\"water_parts\": 2, "
                                           "\"pigment_parts\": 1, \"colour\": {...}}, ... ]")
    if neat_Lab is None and not steps_raw:
        raise _Invalid(where, "colour", "missing; every pigment needs a colour: "
                                        "{\"lab\": [L, a, b], \"illuminant\": \"D65\"} or "
                                        "{\"srgb_hex\": \"#3a3330\"}")

    steps = []
    seen_ratios: dict[float, int] = {}
    for step_no, step in enumerate(steps_raw):
        field = f"dilutions[{step_no}]"
        if not isinstance(step, dict):
            raise _Invalid(where, field, "is not an object; write {\"water_parts\": 4, "
                                         "\"pigment_parts\": 1, \"colour\": {...}}")
        _check_keys(step, _STEP_KEYS, where, prefix=f"{field}.")
        water = _parts(step, "water_parts", where, f"{field}.water_parts", default=None,
                       allow_zero=False)
        pig = _parts(step, "pigment_parts", where, f"{field}.pigment_parts", default=1.0,
                     allow_zero=False)
        if "colour" not in step:
            raise _Invalid(where, f"{field}.colour", "missing; give the colour this dilution "
                                                     "gives, as for the pigment")
        Lab = parse_colour(step["colour"], where, f"{field}.colour")
        ratio = water / pig
        if ratio in seen_ratios:
            raise _Invalid(where, f"{field}.water_parts",
                           f"dilution {dilution_label(water, pig)} repeats dilutions"
                           f"[{seen_ratios[ratio]}] (same water:pigment ratio); keep one of them")
        seen_ratios[ratio] = step_no
        steps.append((ratio, water, pig, Lab))
    steps.sort(key=lambda s: s[0])

    entries: list[PaletteEntry] = []
    if not steps:
        entries.append(PaletteEntry(
            id=pigment_id, pigment_id=pigment_id, pigment_name=name, name=name, line=line,
            undertone=undertone, dilution=None, water_parts=0.0, pigment_parts=1.0,
            Lab=neat_Lab, step_index=0, optics=optics))
        return entries
    if neat_Lab is not None:
        entries.append(PaletteEntry(
            id=f"{pigment_id}@neat", pigment_id=pigment_id, pigment_name=name,
            name=f"{name} (neat)", line=line, undertone=undertone, dilution="neat",
            water_parts=0.0, pigment_parts=1.0, Lab=neat_Lab, step_index=0, optics=optics))
    for number, (_ratio, water, pig, Lab) in enumerate(steps, start=1):
        label = dilution_label(water, pig)
        entries.append(PaletteEntry(
            id=f"{pigment_id}@{label}", pigment_id=pigment_id, pigment_name=name,
            name=f"{name} {label}", line=line, undertone=undertone, dilution=label,
            water_parts=water, pigment_parts=pig, Lab=Lab, step_index=number, optics=optics))
    for darker, lighter in zip(entries, entries[1:], strict=False):
        if lighter.Lab[0] <= darker.Lab[0]:
            warnings.append(
                f"{where}: {lighter.name} (L* {lighter.Lab[0]:.1f}) is not lighter than "
                f"{darker.name} (L* {darker.Lab[0]:.1f}); re-measure these dilutions")
    return entries


def palette_from_dict(data: object, *, label: str, path: Path | None = None,
                      source: str = "file", sha256: str = "") -> Palette:
    """Validate a decoded palette document and build the :class:`Palette`.

    Parameters
    ----------
    data : the decoded JSON document.
    label : how errors name the file (usually its name).
    path, source, sha256 : recorded on the palette.

    Raises
    ------
    PaletteError
        Naming ``label``, the entry and the field, and what to do.
    """
    try:
        return _palette_from_dict(data, path=path, source=source, sha256=sha256)
    except _Invalid as exc:
        raise PaletteError(f"{label}: {exc.where}, field '{exc.field}': {exc.message}") from None


def _palette_from_dict(data: object, *, path: Path | None, source: str,
                       sha256: str) -> Palette:
    where = "palette"
    if not isinstance(data, dict):
        raise _Invalid(where, "(top level)", "is not a JSON object; a palette file starts with "
                                             "{ \"format_version\": 1, \"name\": ... }")
    _check_keys(data, _TOP_KEYS, where)
    fmt = data.get("format", FORMAT_NAME)
    if fmt != FORMAT_NAME:
        raise _Invalid(where, "format", f"{fmt!r} is not a shadematch palette (expected "
                                        f"\"{FORMAT_NAME}\"); open a palette file")
    if "format_version" not in data:
        raise _Invalid(where, "format_version", "missing; add \"format_version\": 1")
    version_value = data["format_version"]
    if isinstance(version_value, bool) or version_value not in FORMAT_VERSIONS:
        raise _Invalid(where, "format_version",
                       f"unknown format_version {version_value!r}; this shadematch reads "
                       f"version {', '.join(map(str, FORMAT_VERSIONS))}: update shadematch or "
                       f"save the palette in format version {LATEST_FORMAT_VERSION}")
    name = _text(data, "name", where, required=True)
    version = _text(data, "version", where, required=True)
    provenance = _text(data, "provenance", where, required=False)
    description = _text(data, "description", where, required=False)
    pigments = data.get("pigments")
    if pigments is None:
        raise _Invalid(where, "pigments", "missing; add a list of pigments")
    if not isinstance(pigments, list):
        raise _Invalid(where, "pigments", "is not a list; write \"pigments\": [ {...}, ... ]")
    if not pigments:
        raise _Invalid(where, "pigments", "is empty; add at least one pigment")
    entries: list[PaletteEntry] = []
    warnings: list[str] = []
    seen_ids: dict[str, int] = {}
    for index, pigment in enumerate(pigments):
        entries.extend(_parse_pigment(index, pigment, seen_ids, warnings, int(version_value)))
    return Palette(name=name, version=version, provenance=provenance, description=description,
                   path=path, source=source, sha256=sha256, entries=tuple(entries),
                   warnings=tuple(warnings))


def read_palette_json(path: str | Path, source: str = "file") -> Palette:
    """Read and validate one JSON palette file.

    Parameters
    ----------
    path : the ``.json`` file.
    source : recorded on the palette ("shipped", "user" or "file").

    Returns
    -------
    Palette

    Raises
    ------
    PaletteError
        When the file cannot be read or fails validation; the message names the file, the entry
        and the field.
    """
    path = Path(path)
    label = path.name
    data = _read_bytes(path)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PaletteError(f"{label}: is not UTF-8 text (bad byte at offset {exc.start}); save it "
                           f"as UTF-8 JSON") from exc
    if not text.strip():
        raise PaletteError(f"{label}: the file is empty; write a palette (see "
                           f"docs/PALETTE_FORMAT.md) or pick another file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PaletteError(f"{label}: not valid JSON at line {exc.lineno}, column {exc.colno}: "
                           f"{exc.msg}; fix it in a text editor (a missing comma, quote or "
                           f"bracket is the usual cause)") from exc
    except RecursionError as exc:
        raise PaletteError(f"{label}: nested too deeply to be a palette; pick the palette file "
                           f"(see docs/PALETTE_FORMAT.md)") from exc
    except ValueError as exc:  # e.g. a number with thousands of digits
        raise PaletteError(f"{label}: holds a value JSON cannot be read as ({str(exc)[:80]}); "
                           f"fix that value in a text editor") from exc
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PaletteError(f"{label}: holds an escaped character that is not text (a lone "
                           f"surrogate such as \\ud800); fix that name in a text editor") from exc
    return palette_from_dict(document, label=label, path=path.resolve(), source=source,
                             sha256=sha256)


def _read_bytes(path: Path) -> bytes:
    label = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise PaletteError(f"{path}: no such palette file; check the path") from None
    except OSError as exc:
        raise PaletteError(f"{path}: cannot be read ({exc.strerror}); check the path and "
                           f"permissions") from exc
    if path.is_dir():
        raise PaletteError(f"{path}: is a folder, not a palette file; pick a .json or .csv file")
    if size > MAX_FILE_BYTES:
        raise PaletteError(f"{label}: {size} bytes is far too large for a palette; pick the "
                           f"palette file (.json or .csv)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PaletteError(f"{path}: cannot be read ({exc.strerror}); check the permissions") \
            from exc
