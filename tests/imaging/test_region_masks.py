"""Region shapes -> masks, clipping, errors and the command-line region syntax."""

from __future__ import annotations

import numpy as np
import pytest

from shadematch.errors import RegionError
from shadematch.imaging.regions import Region, combined_mask, parse_region_spec


def test_rectangle_mask_is_exact():
    m = Region("hair", "rect", {"x": 2, "y": 3, "w": 4, "h": 5}).mask(20, 30)
    assert m.sum() == 20
    assert m[3:8, 2:6].all()


def test_ellipse_area_is_close_to_pi_r_r():
    m = Region("skin", "ellipse", {"cx": 50, "cy": 50, "rx": 30, "ry": 20}).mask(100, 100)
    assert abs(m.sum() - np.pi * 30 * 20) / (np.pi * 600) < 0.02
    assert m[50, 50] and not m[50, 85]


def test_polygon_triangle_area():
    m = Region("scar", "polygon", {"points": [[0, 0], [40, 0], [0, 40]]}).mask(50, 50)
    assert abs(m.sum() - 800) < 45
    assert m[5, 5] and not m[35, 35]


def test_brush_stroke_is_a_thick_line():
    r = Region("skin", "brush", {"radius": 3, "strokes": [[[10, 20], [60, 20]]]})
    m = r.mask(40, 80)
    assert m[20, 10:60].all()
    assert not m[10, 30] and not m[30, 30]
    assert abs(m.sum() - (50 * 6 + np.pi * 9)) < 30


def test_partly_outside_is_clipped_wholly_outside_is_an_error():
    m = Region("hair", "rect", {"x": -10, "y": -10, "w": 20, "h": 20}).mask(50, 50)
    assert m.sum() == 100
    with pytest.raises(RegionError, match="wholly outside"):
        Region("hair", "rect", {"x": 60, "y": 0, "w": 5, "h": 5}).mask(50, 50)


def test_invalid_regions_are_refused():
    with pytest.raises(RegionError):
        Region("hair", "rect", {"x": 0, "y": 0, "w": 0, "h": 5})
    with pytest.raises(RegionError):
        Region("eyebrow", "rect", {"x": 0, "y": 0, "w": 2, "h": 5})
    with pytest.raises(RegionError):
        Region("hair", "polygon", {"points": [[0, 0], [1, 1]]})
    with pytest.raises(RegionError):
        Region("hair", "ellipse", {"cx": 0, "cy": 0, "rx": float("nan"), "ry": 1})
    with pytest.raises(RegionError, match="missing"):
        Region("hair", "rect", {"x": 0, "y": 0, "w": 2})


def test_spec_parsing():
    assert parse_region_spec("1,2,3,4", "hair").params == {"x": 1, "y": 2, "w": 3, "h": 4}
    assert parse_region_spec("rect:1,2,3,4", "hair").shape == "rect"
    e = parse_region_spec("ellipse:10,10,5,3", "skin")
    assert e.shape == "ellipse" and e.params["rx"] == 5
    p = parse_region_spec("poly:0,0,10,0,0,10", "scar")
    assert p.params["points"] == [[0, 0], [10, 0], [0, 10]]
    for bad in ("1,2,3", "circle:1,2,3", "poly:1,2,3,4", "a,b,c,d", "ellipse:1,2,3"):
        with pytest.raises(RegionError):
            parse_region_spec(bad, "hair")


def test_round_trip_and_translation():
    r = Region("scar", "polygon", {"points": [[0, 0], [4, 0], [0, 4]]})
    again = Region.from_dict(r.to_dict())
    assert again == r
    moved = r.translated(5, 6)
    assert moved.params["points"][0] == [5, 6] and moved.id == r.id


def test_combined_mask_unions_a_class():
    regions = [Region("hair", "rect", {"x": 0, "y": 0, "w": 5, "h": 5}),
               Region("hair", "rect", {"x": 10, "y": 10, "w": 5, "h": 5}),
               Region("skin", "rect", {"x": 20, "y": 20, "w": 5, "h": 5})]
    assert combined_mask(regions, "hair", 30, 30).sum() == 50
    assert combined_mask(regions, "scar", 30, 30) is None


@pytest.mark.parametrize("region", [
    Region("hair", "rect", {"x": -5.5, "y": 3.2, "w": 40, "h": 25}),
    Region("skin", "ellipse", {"cx": 60, "cy": 30, "rx": 20, "ry": 35}),
    Region("scar", "polygon", {"points": [[10, 10], [70, 15], [30, 45]]}),
    Region("skin", "brush", {"radius": 4, "strokes": [[[5, 5], [50, 40]], [[70, 5]]]}),
])
def test_box_mask_is_the_mask_inside_its_box(region):
    inside, (r0, r1, c0, c1) = region.box_mask(50, 80)
    full = region.mask(50, 80)
    assert inside.shape == (r1 - r0, c1 - c0)
    assert full[r0:r1, c0:c1].tolist() == inside.tolist()
    assert full.sum() == inside.sum()  # nothing outside the box


def test_combined_box_mask_matches_combined_mask():
    from shadematch.imaging.regions import combined_box_mask

    regions = [Region("hair", "rect", {"x": 2, "y": 3, "w": 10, "h": 5}),
               Region("hair", "ellipse", {"cx": 60, "cy": 40, "rx": 8, "ry": 6}),
               Region("skin", "rect", {"x": 0, "y": 0, "w": 5, "h": 5})]
    mask, (r0, r1, c0, c1) = combined_box_mask(regions, "hair", 50, 80)
    full = combined_mask(regions, "hair", 50, 80)
    assert full[r0:r1, c0:c1].tolist() == mask.tolist() and full.sum() == mask.sum()
    assert combined_box_mask(regions, "scar", 50, 80) is None
