"""The treatment design: validation that names the problem, storage, and the scale line."""

from __future__ import annotations

import math

import pytest

from shadematch.errors import PreviewError
from shadematch.imaging.regions import Region
from shadematch.preview import TreatmentDesign, scale_from_line

AREA = (Region("skin", "rect", {"x": 10, "y": 10, "w": 100, "h": 50}),)


def test_a_design_round_trips_through_its_record():
    design = TreatmentDesign(area=AREA + (Region("skin", "ellipse",
                                                 {"cx": 50, "cy": 80, "rx": 20, "ry": 10}),),
                             density_per_cm2=62.5, dot_mm=0.35, feather_mm=4, seed=7)
    again = TreatmentDesign.from_dict(design.to_dict())
    assert again == design
    assert [r.shape for r in again.area] == ["rect", "ellipse"]


@pytest.mark.parametrize("kwargs, words", [
    ({"density_per_cm2": 0}, "density must be a positive number"),
    ({"density_per_cm2": math.nan}, "density must be a positive number"),
    ({"dot_mm": -0.4}, "dot size must be a positive number"),
    ({"feather_mm": -1}, "feather must be 0 mm or more"),
    ({"size_variation": 2}, "size variation must be 0..1"),
])
def test_bad_values_are_refused_by_name(kwargs, words):
    with pytest.raises(PreviewError, match=words):
        TreatmentDesign(area=AREA, **kwargs)


def test_an_empty_area_asks_for_one():
    with pytest.raises(PreviewError, match="draw the area"):
        TreatmentDesign(area=())


def test_a_density_that_would_paint_the_area_solid_says_what_fits():
    # 1 mm dots at 80 per cm2 cover 63 % of the scalp: no longer dots
    with pytest.raises(PreviewError) as info:
        TreatmentDesign(area=AREA, density_per_cm2=80, dot_mm=1.0)
    message = str(info.value)
    assert "63%" in message and "at most 64 per cm2" in message


def test_a_damaged_record_says_to_draw_again():
    with pytest.raises(PreviewError, match="draw the treatment area again"):
        TreatmentDesign.from_dict({"density_per_cm2": 50})


def test_the_scale_from_a_line_over_a_ruler():
    assert scale_from_line(100, 200, 340, 200, 10) == pytest.approx(24.0)
    assert scale_from_line(0, 0, 30, 40, 5) == pytest.approx(10.0)
    with pytest.raises(PreviewError, match="only 5.0 pixels long"):
        scale_from_line(0, 0, 3, 4, 1)
    with pytest.raises(PreviewError, match="positive number of mm"):
        scale_from_line(0, 0, 300, 0, 0)
