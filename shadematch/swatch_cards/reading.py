"""Read a photographed swatch card: find its corner marks, map the cells, measure each.

The four corner marks are black squares with a white centre: dark blobs with exactly one hole,
square and solid, the four that lie furthest towards the photo's corners. (A painted neat cell is
a dark square without a hole; a ColorChecker's frame has 24 holes.) From the marks' centres a
homography maps the page (mm) to the photo; each cell is measured over its central
``SAMPLE_FRACTION`` (hand painting leaves uneven edges), as CIELAB through the chart calibration
when there is one, with its spread (median CIEDE2000 of the pixels from the cell's median).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from shadematch.swatch_cards.layout import (
    MARK_HOLE_MM,
    MARK_MM,
    CardError,
    CardLayout,
    Cell,
)

SAMPLE_FRACTION = 0.55       # of a cell's side, centred
SPREAD_WARNING_DE00 = 2.5    # a cell this uneven is flagged ("repaint or re-shoot")
UNPAINTED_DE00 = 3.0         # a painted cell this close to the blank card looks unpainted
MIN_CELL_PX = 12             # a cell narrower than this in the photo: too far away


@dataclass(frozen=True)
class CellReading:
    cell: Cell
    Lab: tuple[float, float, float]
    spread_de00: float
    pixels: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CardReading:
    """Every cell's reading, the marks found (photo pixels) and whether it was calibrated."""

    layout: CardLayout
    cells: list[CellReading]
    marks_px: np.ndarray
    calibrated: bool
    warnings: tuple[str, ...] = field(default=())

    def blank_Lab(self, row: int) -> tuple[float, float, float]:
        return next(c.Lab for c in self.cells if c.cell.row == row and c.cell.column is None)

    def series(self, row: int) -> list[CellReading]:
        """The painted cells of one pigment row, in dilution order."""
        return [c for c in self.cells if c.cell.row == row and c.cell.column is not None]

    def to_dict(self) -> dict:
        return {"calibrated": self.calibrated, "warnings": list(self.warnings),
                "marks_px": np.round(self.marks_px, 1).tolist(),
                "cells": [{"number": c.cell.number,
                           "pigment": self.layout.pigments[c.cell.row],
                           "dilution": (None if c.cell.column is None else
                                        _dilution_text(self.layout, c.cell.column)),
                           "lab": [round(v, 2) for v in c.Lab],
                           "spread_de00": round(c.spread_de00, 2), "pixels": c.pixels,
                           "warnings": list(c.warnings)} for c in self.cells]}


def _dilution_text(layout: CardLayout, column: int) -> str:
    from shadematch.swatch_cards.layout import dilution_text

    return dilution_text(*layout.dilutions[column])


def find_marks(rgb: np.ndarray) -> np.ndarray:
    """Centres (4, 2) of the corner marks in photo pixels, clockwise from the one nearest the
    photo's top left (which printed corner each is, :func:`read_card` decides)."""
    from skimage.measure import label, regionprops

    from shadematch.color.conversion import sRGB_to_linear

    grey = sRGB_to_linear(np.asarray(rgb)) @ np.array([0.2126, 0.7152, 0.0722])
    scale = max(1, int(max(grey.shape) // 1600))
    small = grey[::scale, ::scale]
    threshold = 0.5 * (np.percentile(small, 2) + np.percentile(small, 60))
    dark = small < threshold
    hole_ratio = (MARK_HOLE_MM / MARK_MM) ** 2
    candidates = []
    for region in regionprops(label(dark, connectivity=2)):
        if region.area < 30 or region.euler_number != 0:
            continue
        r0, c0, r1, c1 = region.bbox
        height, width = r1 - r0, c1 - c0
        if not 0.6 < height / max(width, 1) < 1.6:
            continue
        filled = region.area_filled
        if not 0.6 * hole_ratio < 1.0 - region.area / filled < 1.6 * hole_ratio:
            continue
        if region.solidity < 0.7 or filled / (height * width) < 0.45:
            continue
        y, x = region.centroid
        candidates.append((x * scale + (scale - 1) / 2, y * scale + (scale - 1) / 2, filled))
    if len(candidates) < 4:
        raise CardError(f"found {len(candidates)} of the card's 4 corner marks: photograph the "
                        f"whole card, flat and evenly lit, with every corner mark in view")
    points = np.array([(x, y) for x, y, _ in candidates])
    sizes = np.array([s for _, _, s in candidates])
    # the four marks are of one size: keep those near the median size of the largest four
    order = np.argsort(-sizes)
    points, sizes = points[order], sizes[order]
    centre = points.mean(axis=0)
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        score = (points[:, 0] - centre[0]) * sx + (points[:, 1] - centre[1]) * sy
        corners.append(points[int(np.argmax(score))])
    corners = np.array(corners)
    if len({tuple(p) for p in corners.tolist()}) < 4:
        raise CardError("the card's corner marks could not be told apart: photograph the card "
                        "straight on, filling most of the photo")
    return corners


def read_card(rgb: np.ndarray, layout: CardLayout, calibration=None,
              marks_px: np.ndarray | None = None,
              cancelled: Callable[[], bool] | None = None) -> CardReading:
    """Measure every cell of ``layout`` in the photo ``rgb`` (H, W, 3 sRGB uint8/uint16).

    Parameters
    ----------
    calibration : a :class:`~shadematch.calibration.Calibration` of the same photo (a
        ColorChecker beside the card), or None (then the readings are as the camera recorded them
        and say so).
    marks_px : the corner marks' centres when known (e.g. clicked); else they are found.

    Raises
    ------
    CardError
        Marks not found, the card too small in the photo, a cell outside the photo.
    """
    rgb = np.asarray(rgb)
    if marks_px is not None:
        marks = np.asarray(marks_px, dtype=np.float64)
        if marks.shape != (4, 2):
            raise CardError("give the four corner marks as x,y;x,y;x,y;x,y (top left, top "
                            "right, bottom right, bottom left)")
        return _read(rgb, layout, calibration, marks, cancelled)
    found = find_marks(rgb)
    # The card may lie in the photo turned by any quarter turn: each turn is read, and the one
    # whose blank cells (at the end of every row) are the lightest of their rows is the card.
    best, best_score = None, -np.inf
    for turn in range(4):
        marks = np.roll(found, -turn, axis=0)
        try:
            reading = _read(rgb, layout, calibration, marks, cancelled)
        except CardError:
            continue
        score = _orientation_score(reading)
        if score > best_score:
            best, best_score = reading, score
    if best is None:
        raise CardError("the card's cells could not be placed from its corner marks: photograph "
                        "the whole card, flat, filling most of the photo")
    return best


def _orientation_score(reading: CardReading) -> float:
    """How much lighter each row's blank cell is than its lightest painted cell (summed)."""
    total = 0.0
    for row in range(len(reading.layout.pigments)):
        painted = [c.Lab[0] for c in reading.series(row)]
        total += reading.blank_Lab(row)[0] - max(painted)
    return total


def _read(rgb, layout, calibration, marks, cancelled) -> CardReading:
    from shadematch.calibration.charts import apply_homography, homography
    from shadematch.color.conversion import XYZ_to_Lab, linear_sRGB_to_XYZ, sRGB_to_linear
    from shadematch.color.delta_e import delta_E

    try:
        H = homography(np.asarray(layout.marks), marks)
    except np.linalg.LinAlgError:
        raise CardError("the corner marks do not make a quadrilateral: check them") from None
    height, width = rgb.shape[:2]
    readings = []
    notes = []
    if calibration is None:
        notes.append("not calibrated: no chart was given, so the colours are as the camera "
                     "recorded them; photograph the card beside a ColorChecker for a palette "
                     "you can rank on")
    for cell in layout.cells:
        if cancelled is not None and cancelled():
            raise CardError("reading the card was cancelled")
        half = cell.size * SAMPLE_FRACTION / 2
        cx, cy = cell.centre
        quad = apply_homography(H, np.array([[cx - half, cy - half], [cx + half, cy - half],
                                             [cx + half, cy + half], [cx - half, cy + half]]))
        side_px = float(np.min(np.linalg.norm(quad - np.roll(quad, 1, axis=0), axis=1)))
        if side_px < MIN_CELL_PX * SAMPLE_FRACTION:
            raise CardError(f"the card's cells are only {side_px / SAMPLE_FRACTION:.0f} pixels "
                            f"across in the photo: photograph it closer (the card filling most "
                            f"of the photo)")
        if quad[:, 0].min() < 0 or quad[:, 1].min() < 0 or quad[:, 0].max() >= width or \
                quad[:, 1].max() >= height:
            raise CardError(f"cell {cell.number} lies outside the photo: photograph the whole "
                            f"card")
        from skimage.draw import polygon

        rows, cols = polygon(quad[:, 1], quad[:, 0], shape=(height, width))
        lin = sRGB_to_linear(rgb[rows, cols]).astype(np.float64)
        if calibration is not None:
            Lab = XYZ_to_Lab(calibration.linear_RGB_to_XYZ(lin))
        else:
            Lab = XYZ_to_Lab(linear_sRGB_to_XYZ(lin))
        median = np.median(Lab, axis=0)
        spread = float(np.median(delta_E(median, Lab)))
        warnings = []
        if spread > SPREAD_WARNING_DE00:
            warnings.append(f"cell {cell.number} is uneven (spread {spread:.1f} dE00): repaint "
                            f"it evenly or photograph without glare")
        readings.append(CellReading(cell, tuple(float(v) for v in median), spread, int(rows.size),
                                    tuple(warnings)))
    reading = CardReading(layout, readings, marks, calibration is not None, tuple(notes))
    # painted cells that look like the blank card
    for i, r in enumerate(reading.cells):
        if r.cell.column is None:
            continue
        blank = np.asarray(reading.blank_Lab(r.cell.row))
        if float(delta_E(blank, np.asarray(r.Lab))) < UNPAINTED_DE00:
            reading.cells[i] = CellReading(r.cell, r.Lab, r.spread_de00, r.pixels, r.warnings + (
                f"cell {r.cell.number} looks unpainted (as light as the blank card): paint it or "
                f"leave this dilution out",))
    return reading
