"""Find palettes: the shipped ones, the user's palette folder, or any file by path."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shadematch.errors import PaletteError
from shadematch.palettes.csv_import import import_palette_csv
from shadematch.palettes.file_format import MAX_FILE_BYTES, read_palette_json
from shadematch.palettes.model import Palette

DEFAULT_PALETTE_NAME = "smp-undertones-modelled"
PALETTE_SUFFIXES = (".json", ".csv")


@dataclass(frozen=True)
class PaletteProblem:
    """A palette file in a palette folder that could not be used, and why (what to do)."""

    path: Path
    source: str
    message: str


# Parsed palettes by (file, source, sha256 of its bytes): a rescan (the GUI rescans whenever a
# palette file changes) re-reads and re-hashes every file but parses only the changed ones.
_CACHE: dict[tuple[Path, str, str], Palette] = {}
_CACHE_MAX = 256


def _read_any(path: Path, source: str) -> Palette:
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
    except OSError:
        data = None  # the reader below reports the problem in its own words
    key = (path.resolve(), source, hashlib.sha256(data).hexdigest()) if data is not None else None
    if key is not None and key in _CACHE:
        return _CACHE[key]
    if path.suffix.lower() == ".csv":
        palette = import_palette_csv(path, source="csv" if source == "file" else source)
    else:
        palette = read_palette_json(path, source=source)
    if key is not None and palette.sha256 == key[2]:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = palette
    return palette


def check_palette_file(path: str | Path) -> Palette:
    """Validate one palette file (``.json`` or ``.csv``) and return it.

    Raises
    ------
    PaletteError
        Naming the file, the entry and the field, and what to do.
    """
    path = Path(path)
    if path.suffix.lower() not in PALETTE_SUFFIXES:
        raise PaletteError(f"{path.name}: not a palette file; palettes are .json files (or .csv "
                           f"measurements with columns name,L,a,b or name,hex)")
    return _read_any(path, "file")


def _folder_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir()
                      if p.is_file() and p.suffix.lower() in PALETTE_SUFFIXES
                      and not p.name.startswith("."))
    except FileNotFoundError:
        return []
    except OSError:
        return []


def _scan(extra_folders: Sequence[str | Path] = ()) -> tuple[list[Palette], list[PaletteProblem]]:
    from shadematch.resources import shipped_palettes_dir, user_palettes_dir

    palettes: list[Palette] = []
    problems: list[PaletteProblem] = []
    seen_names: dict[str, Palette] = {}
    folders = [(shipped_palettes_dir(), "shipped")]
    try:
        folders.append((user_palettes_dir(create=False), "user"))
    except OSError as exc:
        problems.append(PaletteProblem(Path(exc.filename or "."), "user",
                                       f"the user palette folder cannot be read: {exc.strerror}"))
    for extra in extra_folders:
        extra = Path(extra).expanduser()
        if not str(extra) or str(extra) == ".":
            continue
        if not extra.is_dir():
            problems.append(PaletteProblem(extra, "user", f"{extra}: the palette folder does not "
                                                          f"exist; choose another folder"))
            continue
        folders.append((extra, "user"))
    scanned: set[Path] = set()
    for folder, source in folders:
        try:
            resolved = folder.resolve()
        except OSError:
            resolved = folder
        if resolved in scanned:
            continue
        scanned.add(resolved)
        for path in _folder_files(folder):
            try:
                palette = _read_any(path, source)
            except PaletteError as exc:
                if source == "shipped":
                    raise PaletteError(f"a shipped palette is broken ({exc}); reinstall "
                                       f"shadematch") from exc
                problems.append(PaletteProblem(path, source, str(exc)))
                continue
            except (ValueError, RecursionError, UnicodeError, MemoryError) as exc:
                if source == "shipped":
                    raise
                # One bad file in a user folder never hides the other palettes: it is named.
                problems.append(PaletteProblem(path, source, f"{path.name}: cannot be read as a "
                                                             f"palette ({type(exc).__name__}: "
                                                             f"{str(exc)[:120]}); fix or remove "
                                                             f"it"))
                continue
            key = palette.name.casefold()
            if key in seen_names:
                other = seen_names[key]
                problems.append(PaletteProblem(
                    path, source,
                    f"{path.name}: the palette name '{palette.name}' is already used by "
                    f"{other.path.name if other.path else 'another palette'} ({other.source}); "
                    f"give this palette another \"name\" to use it"))
                continue
            seen_names[key] = palette
            palettes.append(palette)
    return palettes, problems


def scan_palettes(extra_folders: Sequence[str | Path] = ()
                  ) -> tuple[list[Palette], list[PaletteProblem]]:
    """:func:`list_palettes` and :func:`list_palette_problems` from one scan of the folders."""
    return _scan(extra_folders)


def list_palettes(extra_folders: Sequence[str | Path] = ()) -> list[Palette]:
    """The shipped palettes, then the user's, each folder by file name.

    Parameters
    ----------
    extra_folders : more folders of the user's palette files (e.g. one chosen in the
        preferences), scanned after the user's palette folder; their source is "user".

    A broken user file is left out and reported by :func:`list_palette_problems`.
    """
    return _scan(extra_folders)[0]


def list_palette_problems(extra_folders: Sequence[str | Path] = ()) -> list[PaletteProblem]:
    """User palette files that could not be loaded (or whose name clashes), with the reason."""
    return _scan(extra_folders)[1]


def _looks_like_path(text: str) -> bool:
    return (os.sep in text or "/" in text or text.lower().endswith(PALETTE_SUFFIXES)
            or Path(text).exists())


def load_palette(name_or_path: str | Path | None = None,
                 extra_folders: Sequence[str | Path] = ()) -> Palette:
    """Load a palette by name (shipped or user) or from a file.

    Parameters
    ----------
    name_or_path : a palette's ``name`` or file stem (e.g. ``"carbon-black-dilution-modelled"``),
        or the path of a ``.json`` / ``.csv`` file. None loads :data:`DEFAULT_PALETTE_NAME`.
    extra_folders : more folders of user palettes to search (see :func:`list_palettes`).

    Returns
    -------
    Palette
        ``source`` is "shipped" or "user" when found by name, "file" (JSON) or "csv" for a path.

    Raises
    ------
    PaletteError
        When there is no such palette, or the file fails validation.
    """
    if name_or_path is None:
        name_or_path = DEFAULT_PALETTE_NAME
    if isinstance(name_or_path, Path) or _looks_like_path(str(name_or_path)):
        path = Path(name_or_path).expanduser()
        if not path.exists():
            raise PaletteError(f"{path}: no such palette file; check the path, or give the name "
                               f"of a palette (see `shadematch palettes`)")
        return check_palette_file(path)
    wanted = str(name_or_path).strip().casefold()
    palettes, problems = _scan(extra_folders)
    for palette in palettes:
        if palette.name.casefold() == wanted:
            return palette
    for palette in palettes:
        if palette.path is not None and palette.path.stem.casefold() == wanted:
            return palette
    for problem in problems:
        if problem.path.stem.casefold() == wanted:
            raise PaletteError(problem.message)
    names = ", ".join(p.name for p in palettes) or "none"
    raise PaletteError(f"no palette named '{name_or_path}'; available: {names} (or give the path "
                       f"of a palette file)")
