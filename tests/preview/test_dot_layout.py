"""Dot layouts: inside the area only, at the density asked, irregular (no grid, no clumps),
feathered at the edge, reproducible, the first session a subset of the final plan."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from shadematch.errors import PreviewError
from shadematch.imaging.regions import Region
from shadematch.preview import lay_out_dots

SCALE = 10.0    # pixels per mm


def _area(region: Region, height=600, width=800):
    return region.box_mask(height, width)


def test_every_dot_lies_inside_an_irregular_area():
    poly = Region("skin", "polygon", {"points": [[100, 100], [600, 80], [700, 400], [300, 500],
                                                 [350, 300]]})
    mask, box = _area(poly)
    layout = lay_out_dots(mask, box, SCALE, 60, 0.4, feather_mm=3, size_variation=0.2, seed=3)
    full = poly.mask(600, 800)
    assert layout.count > 500
    assert full[layout.y.astype(int), layout.x.astype(int)].all()


def test_the_density_inside_the_feather_is_the_one_asked_within_10_percent():
    rect = Region("skin", "rect", {"x": 0, "y": 0, "w": 800, "h": 600})   # 48 cm2
    mask, box = _area(rect)
    for density in (30, 60, 90):
        layout = lay_out_dots(mask, box, SCALE, density, 0.4, feather_mm=5, seed=1)
        assert layout.inner_density_per_cm2 == pytest.approx(density, rel=0.10)
        assert layout.count == pytest.approx(layout.expected_count, rel=0.10)


def test_the_density_fades_in_over_the_feathered_edge():
    rect = Region("skin", "rect", {"x": 0, "y": 0, "w": 800, "h": 600})
    mask, box = _area(rect)
    layout = lay_out_dots(mask, box, SCALE, 80, 0.4, feather_mm=10, seed=2)
    edge = np.minimum.reduce([layout.x, layout.y, 800 - layout.x, 600 - layout.y])
    outer = np.count_nonzero(edge < 30) / (2 * 30 * (800 + 600 - 60))     # first 3 mm
    inner = np.count_nonzero(edge > 100) / ((800 - 200) * (600 - 200))
    assert outer < 0.25 * inner
    hard = lay_out_dots(mask, box, SCALE, 80, 0.4, feather_mm=0, seed=2)
    hard_edge = np.minimum.reduce([hard.x, hard.y, 800 - hard.x, 600 - hard.y])
    hard_outer = np.count_nonzero(hard_edge < 30) / (2 * 30 * (800 + 600 - 60))
    assert hard_outer > 0.7 * inner


def test_dots_are_irregular_not_on_a_grid_and_never_clumped():
    rect = Region("skin", "rect", {"x": 0, "y": 0, "w": 800, "h": 600})
    mask, box = _area(rect)
    layout = lay_out_dots(mask, box, SCALE, 50, 0.4, seed=5)
    spacing = 10 * SCALE / np.sqrt(50)
    points = np.column_stack([layout.x, layout.y])
    nearest = cKDTree(points).query(points, k=2)[0][:, 1]
    # no clumps: no two dots closer than 40 % of the mean spacing
    assert nearest.min() > 0.4 * spacing
    # not a grid: the nearest-neighbour distances vary (a lattice gives one value) ...
    assert nearest.std() / nearest.mean() > 0.12
    # ... and the positions modulo the lattice spacing fill the cell evenly (chi-square)
    for coordinate in (layout.x, layout.y):
        phase = np.floor((coordinate % spacing) / spacing * 10).astype(int)
        counts = np.bincount(phase, minlength=10)
        expected = len(coordinate) / 10
        assert ((counts - expected) ** 2 / expected).sum() < 30   # 9 dof: p ~ 0.0005


def test_dot_sizes_vary_around_the_diameter_asked():
    rect = Region("skin", "rect", {"x": 0, "y": 0, "w": 800, "h": 600})
    mask, box = _area(rect)
    layout = lay_out_dots(mask, box, SCALE, 50, 0.5, size_variation=0.2, seed=5)
    diameters_mm = 2 * layout.radius / SCALE
    assert np.mean(diameters_mm) == pytest.approx(0.5, rel=0.05)
    assert np.std(np.log(diameters_mm)) == pytest.approx(0.2, rel=0.15)


def test_a_seed_reproduces_the_layout_and_the_first_session_is_a_subset():
    rect = Region("skin", "ellipse", {"cx": 400, "cy": 300, "rx": 350, "ry": 250})
    mask, box = _area(rect)
    full = lay_out_dots(mask, box, SCALE, 60, 0.4, feather_mm=4, seed=9)
    again = lay_out_dots(mask, box, SCALE, 60, 0.4, feather_mm=4, seed=9)
    assert np.array_equal(full.x, again.x) and np.array_equal(full.y, again.y)
    first = lay_out_dots(mask, box, SCALE, 60, 0.4, feather_mm=4, seed=9, density_factor=0.6)
    assert first.count == pytest.approx(0.6 * full.count, rel=0.08)
    kept = {(round(x, 6), round(y, 6)) for x, y in zip(full.x, full.y, strict=True)}
    assert all((round(x, 6), round(y, 6)) in kept for x, y in zip(first.x, first.y, strict=True))
    other = lay_out_dots(mask, box, SCALE, 60, 0.4, feather_mm=4, seed=10)
    assert not np.array_equal(full.x[:50], other.x[:50])


def test_no_scale_and_impossible_counts_are_refused_clearly():
    mask, box = _area(Region("skin", "rect", {"x": 0, "y": 0, "w": 800, "h": 600}))
    with pytest.raises(PreviewError, match="scale is unknown"):
        lay_out_dots(mask, box, 0.0, 50, 0.4)
    with pytest.raises(PreviewError, match="check the scale"):
        lay_out_dots(mask, box, 0.05, 50, 0.4)      # 0.05 px/mm: 19 m2 of "scalp"
    with pytest.raises(PreviewError, match="covers no pixels"):
        lay_out_dots(np.zeros((10, 10), bool), (0, 10, 0, 10), SCALE, 50, 0.4)
