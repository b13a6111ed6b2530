"""Where the dots of a treatment design go: irregular like follicles, never on a visible grid.

Dots are laid out by stratified jitter (one dot uniformly anywhere in each cell of a square
lattice whose cell holds one dot at the requested density) followed by a few rounds of
relaxation that push apart dots closer than half the lattice spacing: a blue-noise layout, with
no lattice left to see and no clumps. Near the area's edge the density fades in over
``feather_mm`` (a smoothstep of the distance to the edge), so the front edge is soft. Sizes vary
log-normally around the design's diameter.

Coordinates are photo pixels (x to the right, y down, pixel centres at +0.5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shadematch.errors import PreviewError

RELAXATION_ROUNDS = 3
MIN_SPACING = 0.5       # of the lattice spacing: closer dots are pushed apart
MAX_DOTS = 400_000      # beyond this the area or density is not a scalp at this scale


@dataclass(frozen=True)
class DotLayout:
    """Dot centres ``x``, ``y`` (photo pixels), radii ``radius`` (pixels), the area in cm2, the
    density reached in the area's inner part (beyond the feather; None when that part is under
    1 cm2), the mean density over the whole area, and ``expected_count``, the number of dots the
    design asks for (density x area, less what the feathered edge fades out)."""

    x: np.ndarray
    y: np.ndarray
    radius: np.ndarray
    area_cm2: float
    inner_density_per_cm2: float | None
    mean_density_per_cm2: float
    expected_count: float

    @property
    def count(self) -> int:
        return int(len(self.x))


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _edge_distance(mask: np.ndarray, feather_px: float
                   ) -> tuple[np.ndarray, int, np.ndarray]:
    """Distance (pixels) from the area's edge on a grid of ``block`` x ``block`` pixel blocks,
    and each block's count of area pixels. The feather needs the distance only to about a
    sixteenth of its width, so big areas are measured on blocks (a full-head area of a 24 MP
    photo would otherwise spend seconds in the distance transform)."""
    from scipy import ndimage

    block = max(1, int(feather_px // 16))
    h, w = mask.shape
    H, W = -(-h // block), -(-w // block)
    padded = np.zeros((H * block, W * block), dtype=np.float32)
    padded[:h, :w] = mask
    cover = padded.reshape(H, block, W, block).sum(axis=(1, 3))
    inside = cover >= 0.5 * block * block
    distance = ndimage.distance_transform_edt(np.pad(inside, 1))[1:-1, 1:-1] * block
    # a block centre is half a block from its edge: distances are to pixel centres
    distance = np.where(inside, np.maximum(distance - 0.5 * (block - 1), 0.5), 0.0)
    return distance.astype(np.float64), block, cover


def lay_out_dots(mask: np.ndarray, box: tuple[int, int, int, int], pixels_per_mm: float,
                 density_per_cm2: float, dot_mm: float, feather_mm: float = 0.0,
                 size_variation: float = 0.0, seed: int = 0,
                 density_factor: float = 1.0) -> DotLayout:
    """Dots over the True pixels of ``mask`` (the area's mask within ``box`` = (r0, r1, c0, c1)).

    ``density_factor`` scales the density (e.g. a first session placing part of the final
    density); the layout of a lower factor is a subset of the full one (same seed), so session 1
    and the final plan show the same dots where they overlap.
    """
    from scipy import ndimage
    from scipy.spatial import cKDTree

    if not (pixels_per_mm > 0 and np.isfinite(pixels_per_mm)):
        raise PreviewError("the photo's scale is unknown: give the pixels per mm (or draw a line "
                           "over a known length) so density and dot size can be drawn")
    r0, r1, c0, c1 = box
    mask = np.asarray(mask, dtype=bool)
    px_per_cm = 10.0 * pixels_per_mm
    area_cm2 = float(np.count_nonzero(mask)) / px_per_cm ** 2
    if area_cm2 <= 0:
        raise PreviewError("the treatment area covers no pixels: draw it on the photo")
    expected = density_per_cm2 * area_cm2
    if expected > MAX_DOTS:
        raise PreviewError(f"{expected:.0f} dots ({density_per_cm2:g} per cm2 over "
                           f"{area_cm2:.0f} cm2) is more than a scalp holds at this photo's scale "
                           f"({pixels_per_mm:.2f} px/mm): check the scale")
    spacing = px_per_cm / np.sqrt(density_per_cm2)       # pixels per lattice cell
    rng = np.random.default_rng(seed)
    height, width = mask.shape
    # lattice cells covering the box, with a random offset so no cell edge lines up with the box
    off = rng.uniform(0, spacing, 2)
    gx = np.arange(-off[0], width + spacing, spacing)
    gy = np.arange(-off[1], height + spacing, spacing)
    cx, cy = np.meshgrid(gx, gy)
    x = cx.ravel() + rng.uniform(0, spacing, cx.size)
    y = cy.ravel() + rng.uniform(0, spacing, cy.size)
    keep_draw = rng.uniform(0, 1, x.size)           # drawn before any filtering: stable subsets
    size_draw = rng.standard_normal(x.size)
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    x, y, keep_draw, size_draw = x[inside], y[inside], keep_draw[inside], size_draw[inside]
    # relaxation: push apart pairs closer than MIN_SPACING x spacing
    for _ in range(RELAXATION_ROUNDS):
        pts = np.column_stack([x, y])
        pairs = cKDTree(pts).query_pairs(MIN_SPACING * spacing, output_type="ndarray")
        if not len(pairs):
            break
        d = pts[pairs[:, 1]] - pts[pairs[:, 0]]
        dist = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-6)
        push = (MIN_SPACING * spacing - dist) / 2 / dist
        move = np.zeros_like(pts)
        np.add.at(move, pairs[:, 0], -d * push[:, None])
        np.add.at(move, pairs[:, 1], d * push[:, None])
        x = np.clip(pts[:, 0] + move[:, 0], 0, width - 1e-3)
        y = np.clip(pts[:, 1] + move[:, 1], 0, height - 1e-3)
    rows, cols = y.astype(int), x.astype(int)
    in_area = mask[rows, cols]
    # the density fades in from the edge of the area over the feather width
    feather_px = feather_mm * pixels_per_mm
    edge_distance, block, cover = _edge_distance(mask, feather_px)
    if feather_px > 0:
        at_dots = ndimage.map_coordinates(edge_distance, [(y + 0.5) / block - 0.5,
                                                          (x + 0.5) / block - 0.5],
                                          order=1, mode="nearest")
        weight = _smoothstep(at_dots / feather_px)
    else:
        weight = np.ones(len(x))
    keep = in_area & (keep_draw < weight * min(density_factor, 1.0))
    radius = dot_mm / 2 * pixels_per_mm * np.exp(size_variation * size_draw[keep]
                                                 - size_variation ** 2 / 2)
    inner_blocks = edge_distance > feather_px + block
    inner_area = float(cover[inner_blocks].sum()) / px_per_cm ** 2
    small_rows = np.minimum((rows // block), inner_blocks.shape[0] - 1)
    small_cols = np.minimum((cols // block), inner_blocks.shape[1] - 1)
    inner_dots = int(np.count_nonzero(keep & inner_blocks[small_rows, small_cols]))
    factor = min(density_factor, 1.0)
    if feather_px > 0:
        weighted_area = float((cover * _smoothstep(edge_distance / feather_px)).sum()
                              ) / px_per_cm ** 2
    else:
        weighted_area = area_cm2
    return DotLayout(x=x[keep] + c0, y=y[keep] + r0, radius=radius, area_cm2=area_cm2,
                     inner_density_per_cm2=(inner_dots / inner_area if inner_area >= 1.0
                                            else None),
                     mean_density_per_cm2=float(np.count_nonzero(keep)) / area_cm2,
                     expected_count=density_per_cm2 * factor * weighted_area)
