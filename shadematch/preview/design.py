"""The treatment design of a consultation preview: where the dots go, how dense, how big.

A :class:`TreatmentDesign` is plain data (stored in the analysis record and the session file, so
the treatment follows the consultation and a touch-up years later can redraw it). Lengths are in
millimetres of scalp; the photo's scale (pixels per mm) turns them into pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from shadematch.errors import PreviewError, RegionError
from shadematch.imaging.regions import Region

# ASSUMPTIONS for the defaults (docs/APPEARANCE.md, "Consultation preview"): a scalp shows
# about 65-100 follicular units per cm2 (Caucasian scalps, trichoscopy studies); SMP impressions
# are placed somewhat sparser per session and are about 0.3-0.5 mm across when healed.
DEFAULT_DENSITY_PER_CM2 = 50.0
DEFAULT_DOT_MM = 0.4
DEFAULT_FEATHER_MM = 6.0        # a soft front edge; a hard hairline is the sign of bad SMP
DEFAULT_SIZE_VARIATION = 0.15   # relative spread (log-normal sigma) of dot diameters
# More than this share of the area covered by dots is no longer "dots": it is refused.
MAX_COVERAGE = 0.5
STAGES = ("fresh", "healed", "faded")


@dataclass(frozen=True)
class TreatmentDesign:
    """Treatment area (one or more regions, their union), dot density (per cm2) and diameter
    (mm), the width (mm) over which density fades in from the area's edge, the relative spread
    of dot sizes and the random seed that makes the layout reproducible."""

    area: tuple[Region, ...]
    density_per_cm2: float = DEFAULT_DENSITY_PER_CM2
    dot_mm: float = DEFAULT_DOT_MM
    feather_mm: float = DEFAULT_FEATHER_MM
    size_variation: float = DEFAULT_SIZE_VARIATION
    seed: int = 0
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.area:
            raise PreviewError("the treatment area is empty: draw the area to treat")
        for name, value in (("density", self.density_per_cm2), ("dot size", self.dot_mm)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise PreviewError(f"the {name} must be a positive number, not {value!r}")
        if not (math.isfinite(self.feather_mm) and self.feather_mm >= 0):
            raise PreviewError(f"the edge feather must be 0 mm or more, not {self.feather_mm!r}")
        if not (math.isfinite(self.size_variation) and 0 <= self.size_variation <= 1):
            raise PreviewError(f"the dot size variation must be 0..1, not {self.size_variation!r}")
        coverage = self.coverage
        if coverage > MAX_COVERAGE:
            most = MAX_COVERAGE / (math.pi * (self.dot_mm / 2) ** 2) * 100.0
            raise PreviewError(
                f"{self.density_per_cm2:g} dots per cm2 of {self.dot_mm:g} mm would cover "
                f"{100 * coverage:.0f}% of the area (solid, not dots): at most {most:.0f} per cm2 "
                f"fit with {self.dot_mm:g} mm dots; lower the density or the dot size")

    @property
    def coverage(self) -> float:
        """Share of the area the dots cover (ignoring overlaps)."""
        return self.density_per_cm2 * math.pi * (self.dot_mm / 2) ** 2 / 100.0

    def to_dict(self) -> dict:
        return {"area": [{"id": r.id, "shape": r.shape, "params": r.params} for r in self.area],
                "density_per_cm2": self.density_per_cm2, "dot_mm": self.dot_mm,
                "feather_mm": self.feather_mm, "size_variation": self.size_variation,
                "seed": self.seed}

    @classmethod
    def from_dict(cls, data: dict) -> TreatmentDesign:
        try:
            area = tuple(Region(shape=a["shape"], region_class="skin", params=a["params"],
                                **({"id": str(a["id"])} if "id" in a else {}))
                         for a in data["area"])
            return cls(area=area,
                       density_per_cm2=float(data.get("density_per_cm2", DEFAULT_DENSITY_PER_CM2)),
                       dot_mm=float(data.get("dot_mm", DEFAULT_DOT_MM)),
                       feather_mm=float(data.get("feather_mm", DEFAULT_FEATHER_MM)),
                       size_variation=float(data.get("size_variation", DEFAULT_SIZE_VARIATION)),
                       seed=int(data.get("seed", 0)))
        except (KeyError, TypeError, ValueError, RegionError) as exc:
            raise PreviewError(f"the treatment design record is damaged ({exc}): draw the "
                               "treatment area again") from None


def scale_from_chart(corners, row_mm: float) -> float:
    """Pixels per mm from a ColorChecker 24's corner patch centres (chart order: dark skin,
    bluish green, black, white) and ``row_mm``, the distance between the centres of the first
    and last patch of a row of six (dark skin to bluish green), measured once on the chart with
    a ruler: patch spacing differs between the Classic, Passport and Mini charts, so the app
    does not assume it. The four edges are averaged (5 patch spacings along a row, 3 down a
    column), which evens out a slight perspective."""
    if not (isinstance(row_mm, (int, float)) and math.isfinite(row_mm) and row_mm > 0):
        raise PreviewError(f"the chart's row length must be a positive number of mm, not "
                           f"{row_mm!r}")
    points = [(float(x), float(y)) for x, y in corners]
    if len(points) != 4:
        raise PreviewError("the chart scale needs the four corner patch centres")
    edges = [(0, 1, 5), (3, 2, 5), (1, 2, 3), (0, 3, 3)]
    spacing = [math.dist(points[a], points[b]) / n for a, b, n in edges]
    pixels_per_spacing = sum(spacing) / len(spacing)
    if pixels_per_spacing * 5 < 10:
        raise PreviewError("the chart is too small in the photo to give a scale: draw a line over "
                           "a ruler instead")
    return pixels_per_spacing * 5 / float(row_mm)


def scale_from_line(x1: float, y1: float, x2: float, y2: float, length_mm: float) -> float:
    """Pixels per mm from a line drawn over a known length (a ruler in the photo)."""
    pixels = math.hypot(x2 - x1, y2 - y1)
    if not (math.isfinite(length_mm) and length_mm > 0):
        raise PreviewError(f"the known length must be a positive number of mm, not {length_mm!r}")
    if pixels < 10:
        raise PreviewError(f"the scale line is only {pixels:.1f} pixels long: draw it over a longer "
                           "known length (e.g. 10 mm or more of a ruler)")
    return pixels / length_mm
