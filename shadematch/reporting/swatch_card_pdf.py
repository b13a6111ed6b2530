"""Print a dilution swatch card (PDF): numbered cells to paint, labels, corner marks.

The geometry is :class:`shadematch.swatch_cards.layout.CardLayout` (mm, origin top left); this
module only draws it. Print at 100 % ("actual size"): the reading maps the photo through the
corner marks, so the scale need not be exact, but the page must not be cropped.
"""

from __future__ import annotations

import io
from pathlib import Path

from shadematch.atomic_files import write_atomic
from shadematch.errors import ShadematchError
from shadematch.reporting import canvas as drawing
from shadematch.reporting import text
from shadematch.swatch_cards.layout import (
    MARK_HOLE_MM,
    MARK_MM,
    PAGE_MM,
    CardLayout,
    dilution_text,
    layout_path_for,
)

MM = 72.0 / 25.4


def _y(page_height: float, y_mm: float) -> float:
    return page_height - y_mm * MM


def card_pdf_bytes(layout: CardLayout) -> bytes:
    width, height = PAGE_MM[0] * MM, PAGE_MM[1] * MM
    buffer = io.BytesIO()

    def footer(c, number, total):
        c.setFont(text.REGULAR, 7)
        c.setFillColorRGB(*drawing.MUTED)
        c.drawCentredString(width / 2, 8 * MM, "shadematch dilution swatch card - print at "
                                                "100 % (actual size), do not crop")

    c = drawing.make_canvas(buffer, (width, height), footer)
    c.setTitle(f"Swatch card: {layout.title}")
    # corner marks: a black square with a white centre
    for mx, my in layout.marks:
        c.setFillColorRGB(0, 0, 0)
        c.rect((mx - MARK_MM / 2) * MM, _y(height, my + MARK_MM / 2), MARK_MM * MM, MARK_MM * MM,
               stroke=0, fill=1)
        c.setFillColorRGB(1, 1, 1)
        c.rect((mx - MARK_HOLE_MM / 2) * MM, _y(height, my + MARK_HOLE_MM / 2),
               MARK_HOLE_MM * MM, MARK_HOLE_MM * MM, stroke=0, fill=1)
    c.setFillColorRGB(*drawing.INK)
    c.setFont(text.BOLD, 14)
    c.drawString(30 * MM, _y(height, 30), f"Dilution swatch card{': ' + layout.title if layout.title else ''}")
    c.setFont(text.REGULAR, 8.5)
    lines = ["Paint each cell evenly, edge to edge, with the dilution above it (water:pigment,",
             "mixed as you mix for a client). Leave the last cell of every row blank. When dry,",
             "photograph the whole card flat in even daylight beside a ColorChecker, all four",
             "corner marks in view, and read it with shadematch (palette read-card)."]
    for i, line in enumerate(lines):
        c.drawString(30 * MM, _y(height, 37 + 4.2 * i), line)
    cells = layout.cells
    # column headings: the dilution above each column
    c.setFont(text.BOLD, 8)
    first_row = [cell for cell in cells if cell.row == 0]
    for cell in first_row:
        label = "blank" if cell.column is None else dilution_text(*layout.dilutions[cell.column])
        c.drawCentredString((cell.x + cell.size / 2) * MM, _y(height, cell.y - 2.0), label)
    for cell in cells:
        if cell.column == 0:
            c.setFont(text.BOLD, 8.5)
            c.setFillColorRGB(*drawing.INK)
            name = layout.pigments[cell.row]
            c.drawRightString((cell.x - 2.5) * MM, _y(height, cell.y + cell.size / 2 + 1.2),
                              name[:22])
        c.setStrokeColorRGB(0.55, 0.55, 0.58)
        c.setLineWidth(0.4)
        if cell.column is None:
            c.setDash(2, 2)
        c.rect(cell.x * MM, _y(height, cell.y + cell.size), cell.size * MM, cell.size * MM,
               stroke=1, fill=0)
        c.setDash()
        c.setFont(text.REGULAR, 6.5)
        c.setFillColorRGB(*drawing.MUTED)
        c.drawCentredString((cell.x + cell.size / 2) * MM, _y(height, cell.y + cell.size + 3.0),
                            str(cell.number))
    c.showPage()
    c.save()
    return buffer.getvalue()


def write_card(layout: CardLayout, path: str | Path) -> tuple[Path, Path]:
    """Write the card PDF and its layout JSON beside it (``card.pdf``, ``card.layout.json``)."""
    import json

    from shadematch.atomic_files import write_text_atomic

    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise ShadematchError(f"{path.name}: the swatch card is a PDF; name it .pdf")
    data = card_pdf_bytes(layout)
    layout_file = layout_path_for(path)
    try:
        write_atomic(path, lambda handle: handle.write(data))
        write_text_atomic(layout_file, json.dumps(layout.to_dict(), indent=2) + "\n")
    except OSError as exc:
        raise ShadematchError(f"cannot write the swatch card {path}: {exc.strerror or exc}; "
                              f"choose another folder") from None
    return path, layout_file
