"""Regions a practitioner marks on a photo, and their boolean masks.

Coordinates are pixels of the photo as displayed (after EXIF orientation), x to the right and y down,
with (0, 0) the top-left corner of the top-left pixel; a pixel belongs to a region when its centre
(x + 0.5, y + 0.5) does. Regions partly outside the photo are clipped; a region wholly outside
the photo or with no pixels raises :class:`RegionError`.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field, replace

import numpy as np

from shadematch.errors import RegionError

REGION_CLASSES = ("hair", "skin", "scar", "healed")
# One colour per class wherever regions are drawn (the GUI, the report), sRGB 0..255: they stand
# out on dark hair and on skin alike and stay distinct for colour-blind eyes
# (orange/blue/magenta/white).
CLASS_COLOURS: dict[str, tuple[int, int, int]] = {
    "hair": (255, 170, 0),
    "skin": (0, 190, 255),
    "scar": (255, 70, 170),
    "healed": (235, 235, 235),
}
SHAPES = ("rect", "ellipse", "polygon", "brush")


def _finite(values, what: str) -> list[float]:
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise RegionError(f"{what}: {v!r} is not a number") from None
        if not math.isfinite(f):
            raise RegionError(f"{what}: {v!r} is not a finite number")
        out.append(f)
    return out


@dataclass(frozen=True)
class Region:
    """One marked region.

    Attributes
    ----------
    id : unique id within an analysis.
    region_class : "hair", "skin", "scar" or "healed" (healed SMP at a follow-up).
    shape : "rect" {x, y, w, h}; "ellipse" {cx, cy, rx, ry}; "polygon" {points: [[x, y], ...]};
        "brush" {radius, strokes: [[[x, y], ...], ...]}.
    params : the shape's parameters (pixels).
    visible : shown in the GUI (hidden regions are still measured).
    """

    region_class: str
    shape: str
    params: dict
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    visible: bool = True

    def __post_init__(self) -> None:
        if self.region_class not in REGION_CLASSES:
            raise RegionError(f"unknown region class {self.region_class!r}: use one of "
                              f"{', '.join(REGION_CLASSES)}")
        if self.shape not in SHAPES:
            raise RegionError(f"unknown region shape {self.shape!r}: use one of {', '.join(SHAPES)}")
        self._validate()

    def _validate(self) -> None:
        p = self.params
        try:
            if self.shape == "rect":
                x, y, w, h = _finite([p["x"], p["y"], p["w"], p["h"]], "rectangle")
                if w <= 0 or h <= 0:
                    raise RegionError(f"rectangle {w:g} x {h:g} has no area: give a positive "
                                      "width and height")
            elif self.shape == "ellipse":
                cx, cy, rx, ry = _finite([p["cx"], p["cy"], p["rx"], p["ry"]], "ellipse")
                if rx <= 0 or ry <= 0:
                    raise RegionError("ellipse radii must be positive")
            elif self.shape == "polygon":
                points = p["points"]
                if len(points) < 3:
                    raise RegionError("a polygon needs at least 3 points")
                for point in points:
                    if len(point) != 2:
                        raise RegionError(f"polygon point {point!r} must be x,y")
                    _finite(point, "polygon point")
            elif self.shape == "brush":
                radius = _finite([p["radius"]], "brush radius")[0]
                if radius <= 0:
                    raise RegionError("brush radius must be positive")
                strokes = p["strokes"]
                if not strokes or not any(len(s) for s in strokes):
                    raise RegionError("a brush region needs at least one stroke")
                for stroke in strokes:
                    for point in stroke:
                        if len(point) != 2:
                            raise RegionError(f"brush point {point!r} must be x,y")
                        _finite(point, "brush point")
        except KeyError as exc:
            raise RegionError(f"{self.shape} region is missing its {exc.args[0]!r} value") from None

    # -- geometry ---------------------------------------------------------------------------
    def bounds(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) bounding box in pixels (unclipped)."""
        p = self.params
        if self.shape == "rect":
            return p["x"], p["y"], p["x"] + p["w"], p["y"] + p["h"]
        if self.shape == "ellipse":
            return p["cx"] - p["rx"], p["cy"] - p["ry"], p["cx"] + p["rx"], p["cy"] + p["ry"]
        if self.shape == "polygon":
            pts = np.asarray(p["points"], dtype=float)
            return pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()
        pts = np.concatenate([np.asarray(s, dtype=float).reshape(-1, 2) for s in p["strokes"]])
        r = float(p["radius"])
        return pts[:, 0].min() - r, pts[:, 1].min() - r, pts[:, 0].max() + r, pts[:, 1].max() + r

    def translated(self, dx: float, dy: float) -> Region:
        """The same region moved by (dx, dy) pixels."""
        p = dict(self.params)
        if self.shape == "rect":
            p["x"], p["y"] = p["x"] + dx, p["y"] + dy
        elif self.shape == "ellipse":
            p["cx"], p["cy"] = p["cx"] + dx, p["cy"] + dy
        elif self.shape == "polygon":
            p["points"] = [[x + dx, y + dy] for x, y in p["points"]]
        else:
            p["strokes"] = [[[x + dx, y + dy] for x, y in s] for s in p["strokes"]]
        return replace(self, params=p)

    def mask(self, height: int, width: int) -> np.ndarray:
        """Boolean mask (height x width) of the pixels whose centres lie inside the region.

        Raises
        ------
        RegionError
            The region lies wholly outside the photo or covers no pixel centre.
        """
        inside, (r0, r1, c0, c1) = self.box_mask(height, width)
        mask = np.zeros((height, width), dtype=bool)
        mask[r0:r1, c0:c1] = inside
        return mask

    def box_mask(self, height: int, width: int) -> tuple[np.ndarray, tuple[int, int, int, int]]:
        """The mask of the region's bounding box (clipped to the photo) and that box.

        Returns
        -------
        mask : bool (r1 - r0, c1 - c0)
        box : (r0, r1, c0, c1), rows and columns of the photo; the cost grows with the region,
            not the photo.

        Raises
        ------
        RegionError
            As :meth:`mask`.
        """
        x0, y0, x1, y1 = self.bounds()
        if x1 <= 0 or y1 <= 0 or x0 >= width or y0 >= height:
            raise RegionError(f"the {self.region_class} {self._shape_word()} lies wholly outside "
                              f"the {width} x {height} photo: draw it on the photo")
        # Work inside the clipped bounding box only.
        c0, r0 = max(int(math.floor(x0)), 0), max(int(math.floor(y0)), 0)
        c1, r1 = min(int(math.ceil(x1)) + 1, width), min(int(math.ceil(y1)) + 1, height)
        # open grids: a row of x and a column of y, broadcast by each shape's test
        yy, xx = np.ogrid[r0:r1, c0:c1]
        px, py = xx + 0.5, yy + 0.5
        p = self.params
        if self.shape == "rect":
            inside = (px >= p["x"]) & (px < p["x"] + p["w"]) & (py >= p["y"]) & (py < p["y"] + p["h"])
        elif self.shape == "ellipse":
            inside = ((px - p["cx"]) / p["rx"]) ** 2 + ((py - p["cy"]) / p["ry"]) ** 2 <= 1.0
        elif self.shape == "polygon":
            from skimage.draw import polygon2mask

            pts = np.asarray(p["points"], dtype=float)
            # polygon2mask works in (row, col) of pixel centres: shift by -0.5 to our convention.
            inside = polygon2mask((r1 - r0, c1 - c0),
                                  np.column_stack([pts[:, 1] - 0.5 - r0, pts[:, 0] - 0.5 - c0]))
        else:
            inside = np.zeros((r1 - r0, c1 - c0), dtype=bool)
            r2 = float(p["radius"]) ** 2
            for stroke in p["strokes"]:
                pts = np.asarray(stroke, dtype=float).reshape(-1, 2)
                if len(pts) == 1:
                    pts = np.vstack([pts, pts])
                for (ax, ay), (bx, by) in zip(pts[:-1], pts[1:], strict=True):
                    # distance from each pixel centre to the segment a-b
                    dx, dy = bx - ax, by - ay
                    length2 = dx * dx + dy * dy
                    if length2 == 0:
                        t = 0.0
                    else:
                        t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0)
                    inside |= (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2 <= r2
        inside = np.broadcast_to(inside, (r1 - r0, c1 - c0))
        if not inside.any():
            raise RegionError(f"the {self.region_class} {self._shape_word()} covers no whole pixel: "
                              "draw it larger")
        return inside, (r0, r1, c0, c1)

    def _shape_word(self) -> str:
        return {"rect": "rectangle", "ellipse": "ellipse", "polygon": "polygon",
                "brush": "brush stroke"}[self.shape]

    # -- serialisation ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"id": self.id, "class": self.region_class, "shape": self.shape,
                "params": _plain(self.params), "visible": self.visible}

    @classmethod
    def from_dict(cls, data: dict) -> Region:
        """Inverse of :meth:`to_dict`; RegionError on malformed data."""
        try:
            return cls(region_class=data["class"], shape=data["shape"], params=dict(data["params"]),
                       id=str(data.get("id") or uuid.uuid4().hex[:8]),
                       visible=bool(data.get("visible", True)))
        except (KeyError, TypeError, AttributeError) as exc:
            raise RegionError(f"malformed region record {data!r}: {exc}") from None


def _plain(value):
    """JSON-friendly copy (tuples -> lists, numpy scalars -> float)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def parse_region_spec(spec: str, region_class: str) -> Region:
    """A region from its command-line form.

    Forms: ``x,y,w,h`` or ``rect:x,y,w,h`` (rectangle); ``ellipse:cx,cy,rx,ry``;
    ``poly:x1,y1,x2,y2,...`` (at least 3 points).

    Raises
    ------
    RegionError
        With the offending text and the accepted forms.
    """
    text = spec.strip()
    kind, _, rest = text.partition(":")
    if not rest:
        kind, rest = "rect", text
    kind = kind.strip().lower()
    forms = "use x,y,w,h, rect:x,y,w,h, ellipse:cx,cy,rx,ry or poly:x1,y1,x2,y2,x3,y3,..."
    try:
        numbers = [float(v) for v in rest.replace(" ", "").split(",") if v != ""]
    except ValueError:
        raise RegionError(f"region {spec!r} is not understood: {forms}") from None
    if kind in ("rect", "rectangle"):
        if len(numbers) != 4:
            raise RegionError(f"region {spec!r} needs 4 numbers for a rectangle: {forms}")
        x, y, w, h = numbers
        return Region(region_class, "rect", {"x": x, "y": y, "w": w, "h": h})
    if kind == "ellipse":
        if len(numbers) != 4:
            raise RegionError(f"region {spec!r} needs 4 numbers for an ellipse: {forms}")
        cx, cy, rx, ry = numbers
        return Region(region_class, "ellipse", {"cx": cx, "cy": cy, "rx": rx, "ry": ry})
    if kind in ("poly", "polygon"):
        if len(numbers) < 6 or len(numbers) % 2:
            raise RegionError(f"region {spec!r} needs an even number of coordinates, at least 3 "
                              f"points: {forms}")
        points = [[numbers[i], numbers[i + 1]] for i in range(0, len(numbers), 2)]
        return Region(region_class, "polygon", {"points": points})
    raise RegionError(f"region {spec!r} has an unknown shape {kind!r}: {forms}")


def combined_box_mask(regions, region_class: str, height: int, width: int
                      ) -> tuple[np.ndarray, tuple[int, int, int, int]] | None:
    """Union of the masks of the regions of one class within their common bounding box.

    Returns (mask, (r0, r1, c0, c1)) or None when there are none; see :meth:`Region.box_mask`.
    """
    parts = [region.box_mask(height, width) for region in regions
             if region.region_class == region_class]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    r0 = min(b[0] for _, b in parts)
    r1 = max(b[1] for _, b in parts)
    c0 = min(b[2] for _, b in parts)
    c1 = max(b[3] for _, b in parts)
    out = np.zeros((r1 - r0, c1 - c0), dtype=bool)
    for m, (a0, a1, b0, b1) in parts:
        out[a0 - r0:a1 - r0, b0 - c0:b1 - c0] |= m
    return out, (r0, r1, c0, c1)


def combined_mask(regions, region_class: str, height: int, width: int) -> np.ndarray | None:
    """Union of the masks of the regions of one class, or None when there are none."""
    out = None
    for region in regions:
        if region.region_class != region_class:
            continue
        m = region.mask(height, width)
        out = m if out is None else (out | m)
    return out
