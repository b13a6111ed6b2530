"""The in-memory palette: ``Palette`` and its rankable colours, ``PaletteEntry``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from shadematch.errors import PaletteError

PALETTE_SOURCES = ("shipped", "user", "file", "csv")


def format_parts(value: float) -> str:
    """A ratio part as written in a dilution label: ``4.0`` -> ``"4"``, ``2.5`` -> ``"2.5"``."""
    return f"{value:g}"


def dilution_label(water_parts: float, pigment_parts: float) -> str:
    """``"neat"`` for no water, otherwise ``"<water>:<pigment>"`` (e.g. ``"4:1"``)."""
    if water_parts == 0:
        return "neat"
    return f"{format_parts(water_parts)}:{format_parts(pigment_parts)}"


@dataclass(frozen=True)
class PaletteEntry:
    """One rankable colour: a pigment neat, or one step of its dilution series.

    Attributes
    ----------
    id : ``"<pigment_id>"`` when the pigment has no dilution series, otherwise
        ``"<pigment_id>@<water>:<pigment>"`` or ``"<pigment_id>@neat"`` (e.g. ``"carbon-black@4:1"``).
    pigment_id, pigment_name : the pigment this colour belongs to.
    name : display name, e.g. ``"Carbon Black 4:1"`` or ``"Carbon Black (neat)"``.
    line : brand / product line.
    undertone : ``"neutral"``, ``"warm"``, ``"cool"``... (``"unspecified"`` when not given).
    dilution : ``"neat"``, ``"4:1"`` (water:pigment) or None when the pigment has no series.
    water_parts, pigment_parts : the ratio (0 and 1 for neat / no series).
    Lab : CIELAB, D65 white, CIE 1931 2 degree observer; L* 0..100: the swatch ON CARD.
    step_index : 0 = neat (darkest); higher = more diluted (lighter).
    optics : the pigment's :class:`~shadematch.appearance.PigmentOptics` (format 2 ``optics``
        block, or derived from the undertone for format 1), None when a format-2 pigment has none.
    """

    id: str
    pigment_id: str
    pigment_name: str
    name: str
    line: str
    undertone: str
    dilution: str | None
    water_parts: float
    pigment_parts: float
    Lab: tuple[float, float, float]
    step_index: int
    optics: object | None = field(default=None, compare=False)

    @property
    def card_Lab(self) -> tuple[float, float, float]:
        """The swatch colour on white card (the same as ``Lab``)."""
        return self.Lab

    def to_dict(self) -> dict:
        """JSON-ready dict (keys as in the ``ranking`` items of docs/ANALYSIS_FORMAT.md)."""
        return {
            "id": self.id,
            "pigment_id": self.pigment_id,
            "name": self.name,
            "pigment_name": self.pigment_name,
            "line": self.line,
            "undertone": self.undertone,
            "dilution": self.dilution,
            "water_parts": self.water_parts,
            "pigment_parts": self.pigment_parts,
            "lab": [float(v) for v in self.Lab],
            "step_index": self.step_index,
        }


@dataclass(frozen=True)
class Palette:
    """A validated palette: its identity and its rankable colours in file order.

    Attributes
    ----------
    name, version, provenance, description : from the file.
    path : the file it was read from (None when built in memory).
    source : ``"shipped"``, ``"user"``, ``"file"`` or ``"csv"``.
    sha256 : hex SHA-256 of the file's bytes (identifies exactly which palette was used).
    entries : every rankable colour, pigments in file order, each pigment's steps neat first.
    warnings : things worth telling the user that do not stop the palette from loading
        (e.g. a dilution step that is not lighter than the one before).
    """

    name: str
    version: str
    provenance: str
    description: str
    path: Path | None
    source: str
    sha256: str
    entries: tuple[PaletteEntry, ...]
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of :attr:`sha256` (what reports and records show)."""
        return self.sha256[:12]

    @cached_property
    def _Lab(self) -> np.ndarray:
        array = np.array([entry.Lab for entry in self.entries], dtype=np.float64).reshape(-1, 3)
        array.setflags(write=False)
        return array

    def Lab_array(self) -> np.ndarray:
        """CIELAB of every entry, shape (N, 3), float64, D65 / 2 degree, read-only (cached)."""
        return self._Lab

    @cached_property
    def _by_id(self) -> dict[str, PaletteEntry]:
        return {entry.id: entry for entry in self.entries}

    def entry(self, entry_id: str) -> PaletteEntry:
        """The entry with this id.

        Raises
        ------
        PaletteError
            When the palette has no such entry.
        """
        try:
            return self._by_id[entry_id]
        except KeyError:
            raise PaletteError(
                f"palette '{self.name}' has no entry '{entry_id}': pick one of its entries "
                f"(e.g. '{self.entries[0].id}') or load the palette that contains it"
            ) from None

    def lighter_steps(self, entry_id: str) -> list[PaletteEntry]:
        """Steps of the same pigment that are more diluted than ``entry_id``, nearest first.

        Raises
        ------
        PaletteError
            When the palette has no such entry.
        """
        current = self.entry(entry_id)
        steps = [e for e in self.entries
                 if e.pigment_id == current.pigment_id and e.step_index > current.step_index]
        return sorted(steps, key=lambda e: e.step_index)

    def pigment_entries(self, pigment_id: str) -> list[PaletteEntry]:
        """All entries of one pigment, neat (darkest) first; empty when there is no such pigment."""
        return sorted((e for e in self.entries if e.pigment_id == pigment_id),
                      key=lambda e: e.step_index)

    def info(self) -> dict:
        """``{"name", "version", "hash", "source", "file"}``: what an analysis records."""
        return {
            "name": self.name,
            "version": self.version,
            "hash": self.short_hash,
            "source": self.source,
            "file": str(self.path) if self.path is not None else None,
        }

    def __len__(self) -> int:
        return len(self.entries)
