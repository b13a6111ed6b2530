"""The dilution swatch card: where each numbered cell, label and corner mark is on the page.

A card is one row per pigment and one column per dilution, plus a blank (unpainted) cell at the
end of each row that measures the card itself. Four corner marks (a black square with a white
centre, unlike any painted cell) let a photo of the card be mapped back to the page. The layout
is plain data in millimetres (A4 portrait, origin top left, y down) and is written beside the PDF
as JSON, so the photo is read with exactly the layout that was printed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from shadematch.errors import ShadematchError

FORMAT = "shadematch-swatch-card"
FORMAT_VERSION = 1
PAGE_MM = (210.0, 297.0)          # A4 portrait
MARK_MM = 12.0                    # corner mark side
MARK_HOLE_MM = 5.0                # its white centre
MARK_INSET_MM = 16.0              # mark centre from the page edge
CELL_MM = 15.0
GAP_MM = 3.0
GRID_TOP_MM = 62.0
LABEL_COLUMN_MM = 30.0            # pigment names left of the grid
MAX_PIGMENTS = 8
MAX_DILUTIONS = 7                 # + the blank cell: 8 columns fit on A4


class CardError(ShadematchError):
    """A swatch card cannot be laid out or read (the message says what to do)."""


def parse_dilution(text: str) -> tuple[float, float]:
    """``"neat"`` -> (0, 1); ``"4:1"`` -> (4, 1) (water:pigment)."""
    text = str(text).strip().lower()
    if text == "neat":
        return 0.0, 1.0
    try:
        water, pigment = (float(v) for v in text.split(":"))
    except ValueError:
        raise CardError(f"dilution {text!r} is not 'neat' or water:pigment (e.g. 4:1)") from None
    if not (math.isfinite(water) and math.isfinite(pigment)) or water < 0 or pigment <= 0:
        raise CardError(f"dilution {text!r} needs water >= 0 and pigment > 0 parts")
    return water, pigment


def dilution_text(water: float, pigment: float) -> str:
    return "neat" if water == 0 else f"{water:g}:{pigment:g}"


@dataclass(frozen=True)
class Cell:
    """One cell: ``number`` (printed under it), its pigment row and dilution column (``None``
    for the blank card cell), and its square in mm (top-left ``x``, ``y``, side ``size``)."""

    number: int
    row: int
    column: int | None
    x: float
    y: float
    size: float = CELL_MM

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.size / 2, self.y + self.size / 2


@dataclass(frozen=True)
class CardLayout:
    """The card for ``pigments`` (names, one row each) and ``dilutions`` ((water, pigment)
    parts, one column each)."""

    title: str
    pigments: tuple[str, ...]
    dilutions: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not self.pigments:
            raise CardError("no pigment to put on the card: name at least one")
        if len(self.pigments) > MAX_PIGMENTS:
            raise CardError(f"{len(self.pigments)} pigments do not fit on one card: at most "
                            f"{MAX_PIGMENTS}; make a second card")
        if not self.dilutions:
            raise CardError("no dilution to put on the card: give e.g. neat,2:1,4:1")
        if len(self.dilutions) > MAX_DILUTIONS:
            raise CardError(f"{len(self.dilutions)} dilutions do not fit on one card: at most "
                            f"{MAX_DILUTIONS}")
        if len(set(self.dilutions)) != len(self.dilutions):
            raise CardError("a dilution is listed twice: give each once")
        if len({p.strip().lower() for p in self.pigments}) != len(self.pigments) or \
                any(not p.strip() for p in self.pigments):
            raise CardError("pigment names must be given, and each once")

    @property
    def cells(self) -> list[Cell]:
        out = []
        number = 1
        for row in range(len(self.pigments)):
            y = GRID_TOP_MM + row * (CELL_MM + GAP_MM + 6.0)
            for column in list(range(len(self.dilutions))) + [None]:
                position = len(self.dilutions) if column is None else column
                x = MARK_INSET_MM + LABEL_COLUMN_MM + position * (CELL_MM + GAP_MM)
                out.append(Cell(number, row, column, x, y))
                number += 1
        return out

    @property
    def marks(self) -> list[tuple[float, float]]:
        """Corner mark centres (mm): top left, top right, bottom right, bottom left."""
        w, h = PAGE_MM
        i = MARK_INSET_MM
        return [(i, i), (w - i, i), (w - i, h - i), (i, h - i)]

    def to_dict(self) -> dict:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "title": self.title,
                "pigments": list(self.pigments),
                "dilutions": [dilution_text(w, p) for w, p in self.dilutions]}

    @classmethod
    def from_dict(cls, data: dict) -> CardLayout:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise CardError("this is not a shadematch swatch-card layout (the .json written "
                            "beside the card's PDF)")
        if int(data.get("format_version", 0)) > FORMAT_VERSION:
            raise CardError("this swatch card was made by a newer shadematch: update it")
        try:
            return cls(title=str(data.get("title", "")),
                       pigments=tuple(str(p) for p in data["pigments"]),
                       dilutions=tuple(parse_dilution(d) for d in data["dilutions"]))
        except (KeyError, TypeError) as exc:
            raise CardError(f"the swatch-card layout is damaged ({exc}): print a new card") \
                from None


def read_layout(path: str | Path) -> CardLayout:
    path = Path(path)
    try:
        return CardLayout.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise CardError(f"{path}: no such layout file (it is written beside the card's PDF)") \
            from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CardError(f"{path.name}: cannot be read as a card layout ({exc})") from None


def layout_path_for(pdf_path: str | Path) -> Path:
    """The layout JSON written beside a card PDF: ``card.pdf`` -> ``card.layout.json``."""
    pdf_path = Path(pdf_path)
    return pdf_path.with_name(pdf_path.stem + ".layout.json")
