"""The consultation workspace (Qt-free model): regions, undo/redo, measurement, ranking, record."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shadematch.errors import RegionError, ShadematchError
from shadematch.imaging.photo import Photo
from shadematch.palettes import load_palette
from shadematch.workspace import Workspace, fit_params, shape_bounds, translate_params

HAIR_RGB = (52, 38, 30)
SKIN_RGB = (205, 160, 135)


def two_tone_photo(height: int = 120, width: int = 160, seed: int = 0) -> Photo:
    """Left half dark brown (hair), right half light skin, a little noise."""
    rng = np.random.default_rng(seed)
    rgb = np.empty((height, width, 3), dtype=np.float64)
    rgb[:, : width // 2] = HAIR_RGB
    rgb[:, width // 2:] = SKIN_RGB
    rgb += rng.normal(0, 2.0, rgb.shape)
    return Photo.from_array(np.clip(rgb, 0, 255).astype(np.uint8), name="two_tone.png")


@pytest.fixture
def ws() -> Workspace:
    w = Workspace()
    w.set_palette(load_palette())
    w.set_photo(two_tone_photo())
    return w


def test_events_fire_and_can_be_disconnected():
    w = Workspace()
    seen = []
    cb = w.events.notes_changed.connect(lambda: seen.append(w.notes))
    w.set_notes("client prefers a softer line")
    w.events.notes_changed.disconnect(cb)
    w.set_notes("second")
    assert seen == ["client prefers a softer line"]
    assert w.modified


def test_a_failing_listener_does_not_starve_the_others():
    w = Workspace()
    seen = []

    def broken():
        raise RuntimeError("panel bug")

    w.events.notes_changed.connect(broken)
    w.events.notes_changed.connect(lambda: seen.append(w.notes))
    with pytest.raises(RuntimeError, match="panel bug"):
        w.set_notes("still delivered")
    assert seen == ["still delivered"]


def test_hair_region_is_measured_and_ranked(ws):
    ranked = []
    ws.events.ranking_changed.connect(lambda: ranked.append(len(ws.ranking)))
    ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 60}, "hair")
    hair = ws.samples["hair"]
    from shadematch.color import sRGB_to_Lab

    expected = sRGB_to_Lab(np.array([HAIR_RGB], dtype=np.uint8)).reshape(3)
    assert np.allclose(hair.Lab, expected, atol=1.5)
    assert ranked and ranked[-1] == ws.top == len(ws.ranking)
    deltas = [m.delta_E for m in ws.ranking]
    assert deltas == sorted(deltas)
    assert ws.measurement_current


def test_target_and_top_rerank(ws):
    ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 60}, "hair")
    ws.add_region("ellipse", {"cx": 120, "cy": 60, "rx": 20, "ry": 30}, "skin")
    hair_best = ws.ranking[0].entry.id
    ws.set_target("skin")
    assert ws.ranking[0].entry.Lab[0] > 40  # a light dilution for light skin
    assert ws.ranking[0].entry.id != hair_best
    ws.set_top(3)
    assert len(ws.ranking) == 3
    ws.set_target("scar")
    assert ws.ranking == [] and "scar" in ws.ranking_problem.lower()


def test_formula_change_reranks_and_bad_formula_is_refused(ws):
    ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 60}, "hair")
    de00 = [m.delta_E for m in ws.ranking]
    ws.set_formula("cie76")
    assert ws.formula == "cie76"
    assert [m.delta_E for m in ws.ranking] != de00
    with pytest.raises(ShadematchError, match="formula"):
        ws.set_formula("cie2042")
    ws.set_formula("dE00")
    assert ws.formula == "ciede2000" and [m.delta_E for m in ws.ranking] == de00


def test_undo_redo_every_region_edit(ws):
    r = ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 40}, "hair")
    ws.move_regions([r.id], 5, -3)
    ws.set_region_class([r.id], "skin")
    ws.set_visible(r.id, False)
    ws.begin_edit("Resize region")
    ws.preview_region(r.id, fit_params("rect", ws.region(r.id).params, (0, 0, 30, 30)))
    ws.end_edit()
    assert ws.region(r.id).params == {"x": 0.0, "y": 0.0, "w": 30.0, "h": 30.0}
    assert "skin" in ws.samples and "hair" not in ws.samples
    states = []
    while ws.can_undo():
        ws.undo()
        states.append([reg.to_dict() for reg in ws.regions])
    assert states[-1] == []
    assert states[0][0]["visible"] is False and states[1][0]["visible"] is True
    assert states[2][0]["class"] == "hair"
    assert states[3][0]["params"] == {"x": 10, "y": 10, "w": 40, "h": 40}
    assert ws.samples == {} and ws.ranking == []
    for _ in range(5):
        assert ws.redo()
    assert ws.region(r.id).params == {"x": 0.0, "y": 0.0, "w": 30.0, "h": 30.0}
    assert not ws.region(r.id).visible
    assert not ws.redo()


def test_new_edit_clears_redo(ws):
    r = ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 40}, "hair")
    ws.undo()
    assert ws.can_redo()
    ws.add_region("ellipse", {"cx": 50, "cy": 50, "rx": 10, "ry": 10}, "hair")
    assert not ws.can_redo()
    assert [x.id for x in ws.regions] != [r.id]


def test_drag_previews_are_one_undo_step_and_quick(ws):
    r = ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 40}, "hair")
    transient = []
    ws.events.regions_changed.connect(transient.append)
    ws.begin_edit("Move region")
    for dx in (2, 4, 6):
        ws.preview_region(r.id, translate_params("rect", r.params, dx, 0))
        assert ws.samples["hair"].quick
    ws.end_edit()
    assert transient == [True, True, True, False]
    assert not ws.samples["hair"].quick
    ws.undo()
    assert ws.region(r.id).params["x"] == 10


def test_cancel_edit_restores(ws):
    ws.begin_edit("Add rectangle")
    ws.preview_region("r7", {"x": 1, "y": 1, "w": 20, "h": 20}, shape="rect", region_class="hair")
    assert len(ws.regions) == 1
    ws.cancel_edit()
    assert ws.regions == [] and not ws.can_undo()


def test_region_outside_photo_is_refused(ws):
    with pytest.raises(RegionError, match="outside"):
        ws.add_region("rect", {"x": 500, "y": 500, "w": 10, "h": 10}, "hair")
    assert ws.regions == [] and not ws.can_undo()
    ws.begin_edit()
    ws.preview_region("r9", {"x": 900, "y": 900, "w": 4, "h": 4}, shape="rect")
    assert "outside" in ws.region_problem("r9")


def test_stale_measurements_are_dropped(ws):
    ws.auto_measure = False
    ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 40}, "hair")
    fn, kwargs, version = ws.measurement_task()
    old = fn(**kwargs)
    ws.add_region("rect", {"x": 100, "y": 10, "w": 40, "h": 40}, "skin")
    assert not ws.apply_measurement(old, version)
    fn, kwargs, version = ws.measurement_task()
    assert ws.apply_measurement(fn(**kwargs), version)
    assert set(ws.samples) == {"hair", "skin"}
    # a quick estimate never replaces the full-precision result of the same geometry
    qfn, qkwargs, qversion = ws.measurement_task(quick=True)
    assert not ws.apply_measurement(qfn(**qkwargs), qversion, quick=True)


def test_picks_and_first_session_suggestion():
    w = Workspace()
    w.set_palette(load_palette("carbon-black-dilution-modelled"))
    w.set_photo(two_tone_photo())
    w.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 40}, "hair")
    w.add_region("rect", {"x": 100, "y": 10, "w": 40, "h": 40}, "skin")  # healed needs skin
    best = w.to_dict()["ranking"][0]  # the pick records the saved (healed) ranking's figures
    w.choose(best["id"])
    assert w.picks["primary"]["entry_id"] == best["id"]
    assert w.picks["primary"]["delta_e"] == pytest.approx(best["delta_e"], abs=1e-3)
    lighter = w.first_session_suggestion()
    if lighter is not None:
        assert lighter.Lab[0] > best["card_lab"][0]
        w.choose_first_session(lighter.id)
        assert w.picks["first_session"]["entry_id"] == lighter.id
    with pytest.raises(ShadematchError):
        w.choose("no-such-pigment")


def test_analysis_record_round_trip(ws):
    ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 60}, "hair")
    ws.add_region("polygon", {"points": [[100, 20], [150, 30], [130, 100]]}, "skin")
    ws.add_region("brush", {"radius": 4, "strokes": [[[90, 90], [110, 95], [140, 100]]]}, "scar")
    ws.set_visible("r3", False)
    ws.choose(ws.ranking[0].entry.id)
    ws.set_notes("Try a cooler shade next time")
    record = ws.to_dict()
    assert record["format"] == "shadematch-analysis"
    assert [r["shape"] for r in record["regions"]] == ["rect", "polygon", "brush"]
    assert set(record["samples"]) == {"hair", "skin", "scar"}
    assert record["contrast"]["hair_skin_dL"] < -30
    assert record["ranking"][0]["rank"] == 1
    text = json.dumps(record)  # JSON-serialisable
    other = Workspace()
    other.from_analysis(json.loads(text), photo=ws.photo)
    again = other.to_dict()
    for key in ("regions", "samples", "ranking", "picks", "notes", "matching", "photo", "created"):
        assert again[key] == record[key], key
    assert not other.visible("r3")
    assert not other.modified and not other.can_undo()


def test_from_analysis_without_photo_keeps_saved_measurements(ws):
    ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 60}, "hair")
    ws.add_region("rect", {"x": 100, "y": 10, "w": 40, "h": 60}, "skin")  # healed needs skin
    record = ws.to_dict()
    assert record["ranking"]
    other = Workspace()
    other.from_analysis(record, photo=None)
    assert other.photo is None
    assert np.allclose(other.samples["hair"].Lab, ws.samples["hair"].Lab, atol=1e-3)
    assert other.to_dict()["ranking"][0]["id"] == record["ranking"][0]["id"]
    assert other.to_dict()["photo"] == record["photo"]


def test_missing_palette_is_reported(ws):
    ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 60}, "hair")
    ws.add_region("rect", {"x": 100, "y": 10, "w": 40, "h": 60}, "skin")  # healed needs skin
    record = ws.to_dict()
    assert record["ranking"]
    record["matching"]["palette"] = {"name": "gone-palette", "hash": "abc", "version": "1"}
    other = Workspace()
    notes = other.from_analysis(record, photo=ws.photo)
    assert notes and "gone-palette" in notes[0] and "not installed" in notes[0]
    assert other.to_dict()["ranking"] == record["ranking"]  # the saved ranking stands


def test_new_photo_resets_analysis_but_keeps_settings(ws):
    ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 60}, "hair")
    ws.set_formula("cie94")
    ws.set_notes("x")
    ws.set_photo(two_tone_photo(seed=1))
    assert ws.regions == [] and ws.samples == {} and ws.notes == "" and not ws.can_undo()
    assert ws.formula == "cie94" and ws.palette is not None


def test_geometry_helpers():
    assert shape_bounds("ellipse", {"cx": 10, "cy": 20, "rx": 5, "ry": 2}) == (5, 18, 10, 4)
    brush = {"radius": 2, "strokes": [[[10, 10], [20, 30]]]}
    assert shape_bounds("brush", brush) == (8, 8, 14, 24)
    scaled = fit_params("polygon", {"points": [[0, 0], [10, 0], [10, 10]]}, (5, 5, 20, 40))
    assert scaled["points"] == [[5, 5], [25, 5], [25, 45]]
    fitted = fit_params("brush", brush, (8, 8, 24, 44))
    assert shape_bounds("brush", fitted) == pytest.approx((8, 8, 24, 44))
    assert translate_params("rect", {"x": 1, "y": 2, "w": 3, "h": 4}, 1, 1)["x"] == 2
    with pytest.raises(RegionError):
        shape_bounds("star", {})


def _calibration_for(photo: Photo):
    """A real Calibration (identity transform) recorded as made on ``photo``."""
    from shadematch.calibration.model import Calibration, identity_transform

    return Calibration(chart="colorchecker24", reference="test", model="matrix-3x3",
                       mean_delta_e=0.8, max_delta_e=2.0, transform=identity_transform(),
                       source_photo_sha256=photo.sha256)


def test_calibration_of_another_photo_is_dropped_by_default(ws):
    first = ws.photo
    ws.set_calibration(_calibration_for(first))
    ws.add_region("rect", {"x": 5, "y": 5, "w": 40, "h": 40}, "hair")
    assert ws.samples["hair"].calibrated
    changed = []
    ws.events.settings_changed.connect(lambda: changed.append(ws.calibration))
    ws.set_photo(two_tone_photo(seed=3))                 # another photo, other sha256
    assert ws.photo.sha256 != first.sha256
    assert ws.calibration is None and changed == [None]
    assert "removed" in ws.calibration_note
    ws.add_region("rect", {"x": 5, "y": 5, "w": 40, "h": 40}, "hair")
    assert not ws.samples["hair"].calibrated
    assert ws.to_dict().get("calibration") is None


def test_calibration_kept_for_the_shoot_is_marked_reused(ws):
    first = ws.photo
    cal = _calibration_for(first)
    ws.set_calibration(cal)
    second = two_tone_photo(seed=4)
    ws.set_photo(second, keep_calibration=True)
    reused = ws.calibration
    assert reused is not cal and reused.reused
    assert reused.source_photo_sha256 == first.sha256
    assert reused.applied_to_photo_sha256 == second.sha256
    assert "reused" in ws.calibration_note
    record = ws.to_dict()["calibration"]
    assert record["reused"] is True and record["applied_to_photo_sha256"] == second.sha256
    assert any("same shoot" in w for w in record["warnings"])
    # the attribute gives the default for the next photos; back on its own photo: not reused
    ws.keep_calibration_for_shoot = True
    ws.set_photo(first)
    assert ws.calibration is not None and not ws.calibration.reused
    # the same photo again keeps it as it is, with nothing to say
    same = ws.calibration
    ws.set_photo(first, keep_calibration=False)
    assert ws.calibration is same and ws.calibration_note == ""


def test_restoring_a_record_uses_its_own_calibration(ws):
    first = ws.photo
    ws.set_calibration(_calibration_for(first))
    record = json.loads(json.dumps(ws.to_dict()))
    other = Workspace()
    other.set_calibration(_calibration_for(two_tone_photo(seed=5)))
    other.from_analysis(record, photo=first)
    assert other.calibration is not None
    assert other.calibration.source_photo_sha256 == first.sha256
    assert other.calibration_note == ""


def test_only_the_users_changes_are_unsaved_work():
    """A palette the application picks (at start, or reloaded from disk) is not an edit; a
    photo opened with nothing marked is not work to recover; the user's changes are, and a
    listener of the change event already sees them as modified (the autosave relies on it)."""
    ws = Workspace(auto_measure=True)
    ws.set_photo(two_tone_photo())
    ws.set_palette(load_palette(), by_user=False)
    assert not ws.modified and not ws.has_unsaved_work
    seen = []
    ws.events.notes_changed.connect(lambda: seen.append(ws.modified))
    ws.set_notes("soft hairline")
    assert seen == [True] and ws.has_unsaved_work
    ws.mark_saved("/tmp/x.shadematch")
    assert not ws.has_unsaved_work
    ws.set_palette(load_palette("carbon-black-dilution-modelled"))  # the user's choice
    assert ws.modified
    fresh = Workspace(auto_measure=True)
    fresh.set_photo(two_tone_photo())
    fresh.set_formula("cie76")  # a change, but nothing to recover on a bare photo
    assert fresh.modified and not fresh.has_unsaved_work


def _hair_skin_scar(ws):
    ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 60}, "hair")
    ws.add_region("rect", {"x": 100, "y": 10, "w": 40, "h": 40}, "skin")


def test_with_hair_and_skin_the_ranking_is_by_the_healed_colour_with_a_plan(ws):
    _hair_skin_scar(ws)
    assert ws.healed.basis == "healed"
    best = ws.ranking[0]
    assert best.healed_Lab is not None and best.healed_Lab != best.card_Lab
    assert np.allclose(ws.healed.skin.Lab, ws.samples["skin"].Lab, atol=1e-6)
    assert ws.plan["final"]["entry_id"] == best.entry.id
    first = ws.plan["first_session"]
    assert first["healed_lab"][0] >= ws.plan["final"]["healed_lab"][0]
    assert ws.plan["scar"] is None
    record = ws.to_dict()
    assert record["matching"]["basis"] == "healed" and record["matching"]["area"] == "scalp"
    assert record["ranking"][0]["healed_lab"] == [round(v, 3) for v in best.healed_Lab]
    assert record["plan"]["final"]["entry_id"] == best.entry.id
    assert all(g["code"] != "card_only" for g in record["guardrails"])
    ws.choose(best.entry.id)
    assert ws.picks["primary"]["healed_lab"] is not None
    assert ws.picks["primary"]["card_lab"] == [float(v) for v in best.entry.Lab]


def test_a_scar_gets_its_recipe_and_the_scar_area_ranks_in_the_scar_tissue(ws):
    _hair_skin_scar(ws)
    scalp_best = [m.healed_Lab for m in ws.ranking]
    ws.add_region("rect", {"x": 120, "y": 70, "w": 30, "h": 30}, "scar")
    assert ws.plan["scar"] is not None and ws.plan["scar"]["recipe"]["entry_id"]
    ws.set_area("scar")
    assert ws.skin_class == "scar" and ws.healed.basis == "healed"
    assert [m.healed_Lab for m in ws.ranking] != scalp_best
    assert ws.to_dict()["matching"]["area"] == "scar"
    with pytest.raises(ShadematchError, match="area"):
        ws.set_area("eyebrow")


def test_without_a_skin_region_card_colours_are_ranked_and_it_is_said(ws):
    ws.add_region("rect", {"x": 10, "y": 10, "w": 40, "h": 60}, "hair")
    assert ws.ranking and ws.healed.basis == "card"
    (card,) = [g for g in ws.guardrails if g["code"] == "card_only"]
    assert "skin region" in card["message"]
    assert ws.to_dict()["matching"]["basis"] == "card"


def test_card_only_when_asked(ws):
    _hair_skin_scar(ws)
    ws.set_card_only(True)
    assert ws.healed.basis == "card" and ws.ranking[0].healed_Lab is None
    assert any("as asked" in g["message"] for g in ws.guardrails)
    ws.set_card_only(False)
    assert ws.healed.basis == "healed"


def test_report_readiness_is_the_workspace_rule(ws):
    assert "Mark" in ws.report_problem()
    _hair_skin_scar(ws)
    assert ws.report_problem() == ""
    empty = Workspace()
    assert "Open a photo" in empty.report_problem()


def test_the_events_are_declared_once_with_their_names():
    from shadematch.workspace import Event, WorkspaceEvents

    events = WorkspaceEvents()
    assert [e.name for e in events] == list(WorkspaceEvents.NAMES)
    assert all(isinstance(e, Event) for e in events)
    declared = {name for name, value in vars(events).items() if isinstance(value, Event)}
    assert declared == set(WorkspaceEvents.NAMES)
    seen = []
    events.regions_changed.connect(lambda transient: seen.append(transient))
    events.regions_changed.emit(True)
    assert seen == [True]


def test_the_saved_visit_link_belongs_to_the_analysis(ws):
    _hair_skin_scar(ws)
    ws.link_visit(7, 3)
    assert (ws.saved_visit.visit_id, ws.saved_visit.client_id) == (7, 3)
    ws.unlink_client(4)
    assert ws.saved_visit is not None
    ws.unlink_client(3)
    assert ws.saved_visit is None
    ws.link_visit(8, 3)
    record = ws.to_dict()
    ws.set_photo(two_tone_photo(seed=2))  # a new analysis: no longer that visit
    assert ws.saved_visit is None
    ws.link_visit(8, 3)
    ws.from_analysis(record, photo=None)  # a restored record is linked by whoever opened it
    assert ws.saved_visit is None


def test_the_plan_step_moves_the_first_session_and_is_checked(ws):
    _hair_skin_scar(ws)
    ws.set_plan_step(0.0)
    assert ws.plan["first_session"]["entry_id"] == ws.plan["final"]["entry_id"]
    ws.set_plan_step(4.0)
    step4 = ws.plan["first_session"]["healed_lab"][0]
    assert step4 >= ws.plan["final"]["healed_lab"][0] + 4.0 or ws.plan["notes"]
    assert ws.plan["step_L"] == 4.0
    with pytest.raises(ShadematchError, match="between 0 and 20"):
        ws.set_plan_step(float("nan"))


def test_the_skin_model_is_fitted_with_the_measurement_not_when_ranking(ws, monkeypatch):
    ws.auto_measure = False
    _hair_skin_scar(ws)
    fn, kwargs, version = ws.measurement_task()
    samples, problems, fits = fn(**kwargs)
    assert (tuple(float(v) for v in samples["skin"].Lab), "skin") in fits
    import shadematch.appearance as appearance

    def no_fit(*_a, **_k):
        raise AssertionError("the skin was fitted again while ranking")

    monkeypatch.setattr(appearance, "fit_skin", no_fit)
    assert ws.apply_measurement((samples, problems, fits), version)
    assert ws.healed.basis == "healed"


def test_the_lighter_first_session_pick_is_the_plans(ws):
    _hair_skin_scar(ws)
    final = ws.plan["final"]["entry_id"]
    ws.choose(final)
    suggestion = ws.first_session_suggestion()
    if ws.plan["first_session"]["entry_id"] != final:
        assert suggestion.id == ws.plan["first_session"]["entry_id"]
    else:  # no lighter step: the palette's next lighter dilution, if any
        assert suggestion is None or suggestion.Lab[0] > ws.palette.entry(final).Lab[0]
