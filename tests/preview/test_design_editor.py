"""The preview editor's model: templates, edits with undo/redo, drags as one step, readiness."""

from __future__ import annotations

import pytest

from shadematch.errors import PreviewError
from shadematch.imaging.regions import Region
from shadematch.preview.design_editor import DesignEditor
from shadematch.preview.templates import TEMPLATES, template_points, template_region

BOX = (100, 50, 400, 200)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_is_a_polygon_inside_its_box(name):
    region = template_region(name, BOX)
    mask = region.mask(400, 700)
    assert mask.any()
    ys, xs = mask.nonzero()
    assert xs.min() >= 100 and xs.max() <= 500 and ys.min() >= 50 and ys.max() <= 250
    assert all(0 <= u <= 1 and 0 <= v <= 1 for u, v in template_points(name))


def test_templates_differ_where_a_practitioner_expects():
    # the receded hairline is further back at the temples than the straight one
    straight = template_region("straight", BOX).mask(400, 700)
    receded = template_region("receded", BOX).mask(400, 700)
    temple_column = int(100 + 0.22 * 400)
    assert straight[:, temple_column].sum() > receded[:, temple_column].sum() + 40
    assert template_region("scar-strip", BOX).mask(400, 700).sum() < 0.1 * straight.sum()
    with pytest.raises(PreviewError, match="unknown hairline template 'mohawk'"):
        template_region("mohawk", BOX)


def test_edits_are_undone_and_redone_in_order_and_announced():
    editor = DesignEditor()
    seen = []
    editor.listeners.append(lambda e: seen.append(e.state))
    assert editor.state.ready().startswith("Draw the treatment area")
    editor.apply_template("soft", BOX)
    assert "no scale" in editor.state.ready()
    editor.set_scale_line(0, 0, 300, 0, 10)
    assert editor.state.pixels_per_mm == pytest.approx(30)
    editor.set_density(70)
    editor.set_stage("faded")
    assert editor.state.ready() is None
    assert editor.undo_label == "Show faded" and len(seen) == 4
    editor.undo()
    editor.undo()
    assert editor.state.density_per_cm2 == 50 and editor.state.stage == "healed"
    assert editor.redo_label == "Change density"
    editor.redo()
    assert editor.state.density_per_cm2 == 70
    editor.set_dot_mm(0.5)          # a new edit clears the redo stack
    assert not editor.can_redo


def test_a_vertex_drag_is_one_undo_step():
    editor = DesignEditor()
    editor.apply_template("straight", BOX)
    before = editor.state.area[0].params["points"][0]
    editor.begin_drag("Move hairline point")
    for k in range(10):
        editor.move_vertex(0, 100 + k, 40 + k)
    editor.end_drag()
    assert editor.state.area[0].params["points"][0] == [109.0, 49.0]
    editor.undo()
    assert editor.state.area[0].params["points"][0] == before
    editor.undo()
    assert editor.state.area == ()


def test_bad_values_are_refused_and_change_nothing():
    editor = DesignEditor()
    editor.apply_template("straight", BOX)
    with pytest.raises(PreviewError, match="density must be a positive number"):
        editor.set_density(0)
    with pytest.raises(PreviewError, match="at most"):
        editor.set_density(900)
    with pytest.raises(PreviewError, match="only 5.0 pixels"):
        editor.set_scale_line(0, 0, 3, 4, 10)
    with pytest.raises(PreviewError, match="unknown stage"):
        editor.set_stage("cured")
    assert editor.state.density_per_cm2 == 50 and editor.state.pixels_per_mm is None
    assert editor.undo_label.startswith("Hairline")
    editor.set_area([Region("hair", "rect", {"x": 0, "y": 0, "w": 10, "h": 10})])
    assert editor.state.area[0].region_class == "skin"


def test_the_state_round_trips_through_the_analysis_record():
    from shadematch.analysis_record import Analysis
    from shadematch.preview.design_editor import PreviewState

    editor = DesignEditor()
    editor.apply_template("receded", BOX)
    editor.set_scale_line(10, 10, 250, 10, 20)
    editor.set_density(65)
    editor.set_session("1")
    editor.set_shade("neutral-black@4:1")
    block = editor.state.to_dict()
    record = Analysis(treatment=block).to_dict()
    assert record["treatment"] == block
    again = PreviewState.from_dict(Analysis.from_dict(record).treatment)
    assert again == editor.state
    assert "treatment" not in Analysis().to_dict()        # records without one stay as they were
    with pytest.raises(PreviewError, match="treatment design is damaged"):
        PreviewState.from_dict({"area": [{"shape": "polygon", "params": {"points": [[0, 0]]}}]})
    with pytest.raises(PreviewError, match="unknown stage"):
        PreviewState.from_dict({**block, "stage": "cured"})
