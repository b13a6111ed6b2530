"""Region geometry on plain parameter dicts (the shapes of docs/ANALYSIS_FORMAT.md); Qt-free.

A region's shape is one of ``rect`` (``x, y, w, h``), ``ellipse`` (``cx, cy, rx, ry``),
``polygon`` (``points``) or ``brush`` (``strokes`` of points, ``radius``), all in photo pixels.
These functions measure, move and resize such shapes without building a mask, so they are cheap
enough for the GUI thread of a 24-megapixel photo. The workspace uses them for its region edits
and its geometric region check; the region tools use them for dragging and resizing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from shadematch.errors import RegionError

#: How a shape is called in a message ("The hair rectangle is smaller than a pixel").
SHAPE_WORDS = {"rect": "rectangle", "ellipse": "ellipse", "polygon": "polygon",
               "brush": "brush stroke"}


def _points_bounds(points: Iterable[Iterable[float]]) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for x, y in points:
        xs.append(float(x))
        ys.append(float(y))
    if not xs:
        raise RegionError("The region has no points: draw it again.")
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def shape_bounds(shape: str, params: dict) -> tuple[float, float, float, float]:
    """Bounding box ``(x, y, w, h)`` of a region's shape in photo pixels (brush: with its radius).

    Parameters
    ----------
    shape : "rect", "ellipse", "polygon" or "brush".
    params : the shape's parameters (photo pixels).

    Returns
    -------
    tuple of float
        ``(x, y, w, h)`` of the bounding box.

    Raises
    ------
    RegionError
        The shape is unknown, or a polygon / brush has no points.
    """
    if shape == "rect":
        return float(params["x"]), float(params["y"]), float(params["w"]), float(params["h"])
    if shape == "ellipse":
        cx, cy, rx, ry = (float(params[k]) for k in ("cx", "cy", "rx", "ry"))
        return cx - rx, cy - ry, 2 * rx, 2 * ry
    if shape == "polygon":
        return _points_bounds(params["points"])
    if shape == "brush":
        r = float(params["radius"])
        x, y, w, h = _points_bounds(p for stroke in params["strokes"] for p in stroke)
        return x - r, y - r, w + 2 * r, h + 2 * r
    raise RegionError(f"Unknown region shape {shape!r}: use rect, ellipse, polygon or brush.")


def _r(value: float) -> float:
    """Round stored coordinates to 0.01 px: exact enough, and the JSON stays readable."""
    return round(float(value), 2)


def translate_params(shape: str, params: dict, dx: float, dy: float) -> dict:
    """The parameters of the same shape moved by ``(dx, dy)`` photo pixels.

    Parameters
    ----------
    shape : "rect", "ellipse", "polygon" or "brush".
    params : the shape's parameters (not changed; a moved copy is returned).
    dx, dy : the move in photo pixels.

    Returns
    -------
    dict
        The moved parameters, coordinates rounded to 0.01 px.

    Raises
    ------
    RegionError
        The shape is unknown.
    """
    p = copy.deepcopy(params)
    if shape == "rect":
        p["x"], p["y"] = _r(p["x"] + dx), _r(p["y"] + dy)
    elif shape == "ellipse":
        p["cx"], p["cy"] = _r(p["cx"] + dx), _r(p["cy"] + dy)
    elif shape == "polygon":
        p["points"] = [[_r(x + dx), _r(y + dy)] for x, y in p["points"]]
    elif shape == "brush":
        p["strokes"] = [[[_r(x + dx), _r(y + dy)] for x, y in s] for s in p["strokes"]]
    else:
        raise RegionError(f"Unknown region shape {shape!r}: use rect, ellipse, polygon or brush.")
    return p


def fit_params(shape: str, params: dict, bounds: tuple[float, float, float, float]) -> dict:
    """The parameters of the same shape scaled so that its bounding box becomes ``bounds``.

    Used to resize a region by its handles. A brush keeps its radius (only its strokes scale).

    Parameters
    ----------
    shape : "rect", "ellipse", "polygon" or "brush".
    params : the shape's parameters (not changed; a resized copy is returned).
    bounds : the new bounding box ``(x, y, w, h)`` in photo pixels (at least 1 x 1 is kept).

    Returns
    -------
    dict
        The resized parameters, coordinates rounded to 0.01 px.

    Raises
    ------
    RegionError
        The shape is unknown, or a polygon / brush has no points.
    """
    nx, ny, nw, nh = (float(v) for v in bounds)
    nw, nh = max(nw, 1.0), max(nh, 1.0)
    p = copy.deepcopy(params)
    if shape == "rect":
        p.update(x=_r(nx), y=_r(ny), w=_r(nw), h=_r(nh))
        return p
    if shape == "ellipse":
        p.update(cx=_r(nx + nw / 2), cy=_r(ny + nh / 2), rx=_r(nw / 2), ry=_r(nh / 2))
        return p
    ox, oy, ow, oh = shape_bounds(shape, params)
    pad = float(params["radius"]) if shape == "brush" else 0.0
    # Map the inner box (without the brush radius) onto the new inner box.
    ox, oy, ow, oh = ox + pad, oy + pad, ow - 2 * pad, oh - 2 * pad
    nx, ny, nw, nh = nx + pad, ny + pad, max(nw - 2 * pad, 0.0), max(nh - 2 * pad, 0.0)
    sx = nw / ow if ow > 0 else 1.0
    sy = nh / oh if oh > 0 else 1.0

    def tf(pt):
        return [_r(nx + (pt[0] - ox) * sx), _r(ny + (pt[1] - oy) * sy)]

    if shape == "polygon":
        p["points"] = [tf(pt) for pt in params["points"]]
    else:
        p["strokes"] = [[tf(pt) for pt in stroke] for stroke in params["strokes"]]
    return p


def geometry_problem(shape: str, params: dict, class_label: str,
                     photo_size: tuple[int, int] | None = None) -> str | None:
    """Why a region cannot be measured judging by its geometry alone, or None.

    Parameters
    ----------
    shape, params : the region's shape and its parameters (photo pixels).
    class_label : what the region marks, for the message ("Hair").
    photo_size : ``(width, height)`` of the photo in pixels; None skips the "outside" check.

    Returns
    -------
    str or None
        A message naming the region and what to do, or None when the geometry is fine.

    Raises
    ------
    RegionError
        The shape is unknown, or a polygon / brush has no points.
    """
    x, y, w, h = shape_bounds(shape, params)
    label = f"The {class_label.lower()} {SHAPE_WORDS.get(shape, shape)}"
    if w < 1 or h < 1:
        return f"{label} is smaller than a pixel: draw it larger."
    if photo_size is not None:
        width, height = photo_size
        if x + w <= 0 or y + h <= 0 or x >= width or y >= height:
            return (f"{label} lies wholly outside the {width} x {height} photo: "
                    "draw it on the photo.")
    return None
