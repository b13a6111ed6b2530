"""Reference charts: their patches, reference colours and where the patches lie in a photo.

A ColorChecker Classic 24 is a 4 x 6 grid of patches. The user gives the centres of the four corner
patches in chart order -- dark skin, bluish green, black, white -- which is the chart's top-left,
top-right, bottom-right and bottom-left as printed. A projective transform (homography) from chart
grid coordinates (column, row) to photo pixels then places every patch, whatever the rotation or
perspective, as long as the photo is not mirrored.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from shadematch.errors import CalibrationError

_HERE = Path(__file__).resolve().parent

#: Smallest allowed distance between neighbouring patch centres, in pixels. Below it the sampled
#: square (half the pitch) holds too few pixels to be robust against noise and JPEG blocks.
MIN_PATCH_PITCH_PX = 10.0

#: Side of the square sampled in the middle of each patch, as a fraction of the patch pitch. A
#: ColorChecker patch covers about 86% of its pitch, so half the pitch stays clear of the black
#: gaps with a click error of up to ~0.18 pitch, while holding enough pixels to average out
#: sensor noise and JPEG block errors (0.4 gave 30% larger errors on noisy JPEGs).
SAMPLE_FRACTION = 0.5

#: Reference data sets: key -> (CSV file, label used in the analysis record).
REFERENCES = {
    "after-2014": ("colorchecker24_after_2014.csv",
                   "ColorChecker24 after November 2014 (D50→D65 Bradford)"),
    "before-2014": ("colorchecker24_before_2014.csv",
                    "ColorChecker24 before November 2014 (D50→D65 Bradford)"),
}

CHARTS = ("colorchecker24", "greycard")

CORNER_NAMES = ("dark skin", "bluish green", "black", "white")


@dataclass(frozen=True)
class ChartLayout:
    """Geometry of a patch chart.

    Attributes
    ----------
    name : chart key ("colorchecker24").
    rows, cols : grid size.
    corner_grid : grid coordinates (column, row) of the four corner patches in click order.
    """

    name: str
    rows: int
    cols: int
    corner_grid: tuple[tuple[float, float], ...]

    @property
    def n_patches(self) -> int:
        return self.rows * self.cols

    def grid_coordinates(self) -> np.ndarray:
        """(n_patches, 2) grid coordinates (column, row) of every patch centre, row order."""
        rows, cols = np.mgrid[0:self.rows, 0:self.cols]
        return np.stack([cols.ravel(), rows.ravel()], axis=-1).astype(np.float64)


COLORCHECKER24 = ChartLayout("colorchecker24", rows=4, cols=6,
                             corner_grid=((0.0, 0.0), (5.0, 0.0), (5.0, 3.0), (0.0, 3.0)))


def chart_layout(chart: str) -> ChartLayout:
    """The patch grid of ``chart``; raises CalibrationError for a chart without one."""
    if chart == "colorchecker24":
        return COLORCHECKER24
    raise CalibrationError(
        f"Unknown patch chart {chart!r}: use 'colorchecker24' (or 'greycard' with a region).")


@dataclass(frozen=True)
class ChartReference:
    """Reference colours of a chart.

    Attributes
    ----------
    key : "after-2014" or "before-2014".
    label : human-readable description stored in the analysis record.
    names : patch names in row order.
    Lab : (n, 3) CIELAB, D65 white, 2 degree observer (L* 0..100).
    """

    key: str
    label: str
    names: tuple[str, ...]
    Lab: np.ndarray


@cache
def chart_reference(chart: str = "colorchecker24", reference: str = "after-2014") -> ChartReference:
    """Load the reference Lab (D65) of ``chart`` for the chart edition ``reference``.

    Raises
    ------
    CalibrationError
        Unknown chart or reference edition.
    """
    chart_layout(chart)
    if reference not in REFERENCES:
        raise CalibrationError(
            f"Unknown chart reference {reference!r}: use 'after-2014' for charts made after "
            "November 2014 or 'before-2014' for older ones.")
    filename, label = REFERENCES[reference]
    names: list[str] = []
    values: list[list[float]] = []
    with open(_HERE / filename, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            names.append(row["name"])
            values.append([float(row["L_d65"]), float(row["a_d65"]), float(row["b_d65"])])
    Lab = np.array(values)
    Lab.setflags(write=False)
    return ChartReference(reference, label, tuple(names), Lab)


_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"


def parse_corners(text: str) -> list[tuple[float, float]]:
    """Parse ``"x1,y1;x2,y2;x3,y3;x4,y4"`` (pixel coordinates) into four (x, y) pairs.

    Parameters
    ----------
    text : four ``x,y`` pairs separated by semicolons, in chart order dark skin, bluish green,
        black, white. Spaces are allowed.

    Returns
    -------
    list of four (x, y) float tuples.

    Raises
    ------
    CalibrationError
        Not exactly four pairs, or a value that is not a finite number.
    """
    example = '"120,80;620,85;615,390;118,385"'
    if not isinstance(text, str) or not text.strip():
        raise CalibrationError(
            "No chart corners given: pass the centres of the dark skin, bluish green, black and "
            f"white patches as x,y pairs separated by semicolons, e.g. {example}.")
    parts = [p.strip() for p in text.strip().strip(";").split(";")]
    if len(parts) != 4:
        raise CalibrationError(
            f"Chart corners {text!r} hold {len(parts)} point(s), need exactly 4 x,y pairs "
            f"separated by semicolons (dark skin, bluish green, black, white), e.g. {example}.")
    points: list[tuple[float, float]] = []
    for i, part in enumerate(parts):
        match = re.fullmatch(rf"\s*({_NUMBER})\s*,\s*({_NUMBER})\s*", part)
        if not match:
            raise CalibrationError(
                f"Chart corner {i + 1} ({CORNER_NAMES[i]}) {part!r} is not an x,y pair of numbers; "
                f"write the four corners like {example}.")
        x, y = float(match.group(1)), float(match.group(2))
        if not (math.isfinite(x) and math.isfinite(y)):
            raise CalibrationError(
                f"Chart corner {i + 1} ({CORNER_NAMES[i]}) {part!r} is not a finite number.")
        points.append((x, y))
    return points


def format_corners(corners: Sequence[tuple[float, float]]) -> str:
    """The inverse of :func:`parse_corners` (one decimal)."""
    return ";".join(f"{x:.1f},{y:.1f}" for x, y in corners)


def homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 3x3 projective transform taking four ``src`` points (4, 2) onto ``dst`` (4, 2)."""
    A = np.zeros((8, 8))
    b = np.zeros(8)
    for i, ((x, y), (u, v)) in enumerate(zip(src, dst, strict=True)):
        A[2 * i] = [x, y, 1, 0, 0, 0, -u * x, -u * y]
        A[2 * i + 1] = [0, 0, 0, x, y, 1, -v * x, -v * y]
        b[2 * i], b[2 * i + 1] = u, v
    h = np.linalg.solve(A, b)
    return np.append(h, 1.0).reshape(3, 3)


def apply_homography(H: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map (..., 2) points through the homography ``H``."""
    pts = np.asarray(points, dtype=np.float64)
    homogeneous = pts @ H[:, :2].T + H[:, 2]
    return homogeneous[..., :2] / homogeneous[..., 2:3]


def _as_corner_array(corners: Sequence[tuple[float, float]]) -> np.ndarray:
    try:
        pts = np.asarray(corners, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CalibrationError(
            "Chart corners must be four (x, y) pixel positions: dark skin, bluish green, black, "
            "white.") from exc
    if pts.shape != (4, 2):
        raise CalibrationError(
            f"Chart corners must be four (x, y) pixel positions, got an array of shape {pts.shape}: "
            "give the centres of the dark skin, bluish green, black and white patches.")
    if not np.all(np.isfinite(pts)):
        raise CalibrationError("Chart corners contain a value that is not a finite number.")
    return pts


def validate_corners(corners: Sequence[tuple[float, float]], chart: str = "colorchecker24",
                     image_shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Check that four corner clicks describe a usable chart; return them as a (4, 2) array.

    Parameters
    ----------
    corners : centres of the corner patches in chart order (dark skin, bluish green, black, white).
    chart : chart key.
    image_shape : the photo's shape (H, W, ...); when given, every patch must lie inside it.

    Raises
    ------
    CalibrationError
        A corner outside the photo, corners that coincide or are collinear, a self-intersecting
        or mirrored order, or a chart too small to sample.
    """
    layout = chart_layout(chart)
    pts = _as_corner_array(corners)
    names = CORNER_NAMES
    order_hint = ("click the centres of the corner patches in order dark skin, bluish green, "
                  "black, white (going round the chart)")

    if image_shape is not None:
        height, width = int(image_shape[0]), int(image_shape[1])
        for name, (x, y) in zip(names, pts, strict=True):
            if not (0 <= x <= width - 1 and 0 <= y <= height - 1):
                raise CalibrationError(
                    f"The {name} corner ({x:.0f}, {y:.0f}) lies outside the photo "
                    f"({width} x {height} pixels): {order_hint}, all inside the photo.")

    edges = np.roll(pts, -1, axis=0) - pts
    lengths = np.hypot(edges[:, 0], edges[:, 1])
    diagonal = max(np.hypot(*(pts[2] - pts[0])), np.hypot(*(pts[3] - pts[1])))
    if lengths.min() < 1e-6 * max(diagonal, 1.0) or diagonal == 0:
        raise CalibrationError(f"Two chart corners are at the same place: {order_hint}.")

    # Turning direction at each corner; a (possibly perspective-distorted) rectangle is a convex
    # quadrilateral, so all four must agree. sin(angle) near 0 means three collinear points.
    cross = np.array([edges[i - 1, 0] * edges[i, 1] - edges[i - 1, 1] * edges[i, 0]
                      for i in range(4)])
    sines = cross / (np.roll(lengths, 1) * lengths)
    if np.min(np.abs(sines)) < 0.2:
        i = int(np.argmin(np.abs(sines)))
        raise CalibrationError(
            f"The chart corners are (nearly) in a line around the {names[i]} corner, so they do "
            f"not outline a chart: {order_hint}.")
    if not (np.all(sines > 0) or np.all(sines < 0)):
        raise CalibrationError(
            f"The chart corners cross over (the outline they make intersects itself): {order_hint}.")
    if np.all(sines < 0):
        raise CalibrationError(
            "The chart corners go round the chart the wrong way (as in a mirror image): "
            f"{order_hint}. If the photo itself is mirrored (front camera), flip it first.")

    H = homography(np.asarray(layout.corner_grid), pts)
    centres = apply_homography(H, layout.grid_coordinates())
    pitch = _min_pitch(centres, layout)
    if pitch < MIN_PATCH_PITCH_PX:
        raise CalibrationError(
            f"The chart is too small in the photo: its patches are only {pitch:.1f} pixels apart "
            f"(at least {MIN_PATCH_PITCH_PX:.0f} needed). Take the photo closer to the chart or "
            "use a higher resolution.")
    if image_shape is not None:
        height, width = int(image_shape[0]), int(image_shape[1])
        inside = ((centres[:, 0] >= 0) & (centres[:, 0] <= width - 1)
                  & (centres[:, 1] >= 0) & (centres[:, 1] <= height - 1))
        if not inside.all():
            raise CalibrationError(
                "Part of the chart falls outside the photo with these corners: "
                f"{order_hint}.")
    return pts


def _min_pitch(centres: np.ndarray, layout: ChartLayout) -> float:
    grid = centres.reshape(layout.rows, layout.cols, 2)
    across = np.hypot(*np.moveaxis(np.diff(grid, axis=1), -1, 0))
    down = np.hypot(*np.moveaxis(np.diff(grid, axis=0), -1, 0))
    return float(min(across.min(), down.min()))


def chart_homography(corners: Sequence[tuple[float, float]],
                     chart: str = "colorchecker24") -> np.ndarray:
    """The homography from chart grid coordinates (column, row) to photo pixels (x, y)."""
    layout = chart_layout(chart)
    return homography(np.asarray(layout.corner_grid), _as_corner_array(corners))


def patch_centres(corners: Sequence[tuple[float, float]], chart: str = "colorchecker24") -> np.ndarray:
    """Pixel centres (x, y) of every patch, row order, for drawing the grid over the photo.

    Parameters
    ----------
    corners : centres of the corner patches in chart order (dark skin, bluish green, black, white).
    chart : chart key.

    Returns
    -------
    ndarray, shape (24, 2) for the ColorChecker 24.

    Raises
    ------
    CalibrationError
        Malformed corners (not four finite pairs); geometry is checked by :func:`validate_corners`.
    """
    layout = chart_layout(chart)
    pts = _as_corner_array(corners)
    try:
        H = homography(np.asarray(layout.corner_grid), pts)
    except np.linalg.LinAlgError as exc:
        raise CalibrationError(
            "These four corners do not outline a chart (three of them are in a line): click the "
            "dark skin, bluish green, black and white patch centres.") from exc
    return apply_homography(H, layout.grid_coordinates())


def patch_quads(corners: Sequence[tuple[float, float]], chart: str = "colorchecker24",
                fraction: float = SAMPLE_FRACTION) -> np.ndarray:
    """Outline of the sampled middle of each patch: a square of ``fraction`` x the patch pitch.

    Returns
    -------
    ndarray, shape (n_patches, 4, 2): pixel (x, y) corners of each sampled square.
    """
    layout = chart_layout(chart)
    H = chart_homography(corners, chart)
    half = fraction / 2
    offsets = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
    grid = layout.grid_coordinates()[:, None, :] + offsets[None, :, :]
    return apply_homography(H, grid)
