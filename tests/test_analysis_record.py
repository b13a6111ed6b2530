"""The typed analysis record: records written by earlier versions load, nothing read is lost,
and the desktop application and the command line save the same record for the same input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from shadematch.analysis import analyse
from shadematch.analysis_record import (
    FORMAT_VERSION,
    Analysis,
    Pick,
    Plan,
    RankingEntry,
    upgrade,
)
from shadematch.color.conversion import Lab_to_sRGB
from shadematch.errors import ShadematchError
from shadematch.imaging.photo import Photo
from shadematch.imaging.regions import Region
from shadematch.palettes import load_palette

RECORDS = Path(__file__).parent / "data" / "records"
ALL = sorted(p.name for p in RECORDS.iterdir() if p.suffix in (".json", ".shadematch"))


def _read(name: str) -> dict:
    return json.loads((RECORDS / name).read_text("utf-8"))


def _kept(read, written, path="") -> list[str]:
    """Where ``written`` lost or changed a value of ``read`` (numbers within 0.0015: LCh, ITA and contrast
    are recomputed from the stored Lab)."""
    if isinstance(read, dict):
        if not isinstance(written, dict):
            return [f"{path}: {written!r} is not an object"]
        out = []
        for key, value in read.items():
            if key not in written:
                out.append(f"{path}.{key}: dropped")
            else:
                out += _kept(value, written[key], f"{path}.{key}")
        return out
    if isinstance(read, list):
        if not isinstance(written, list) or len(read) != len(written):
            return [f"{path}: {written!r} instead of {read!r}"]
        return [m for i, (a, b) in enumerate(zip(read, written, strict=True))
                for m in _kept(a, b, f"{path}[{i}]")]
    if isinstance(read, float | int) and not isinstance(read, bool) and \
            isinstance(written, float | int) and not isinstance(written, bool):
        return [] if math.isclose(read, written, abs_tol=1.5e-3) else [f"{path}: {written} != {read}"]
    return [] if read == written else [f"{path}: {written!r} != {read!r}"]


def test_the_fixtures_are_there():
    assert {"v1_cli.json", "v1_gui_workspace.json", "cli_healed.json", "gui_workspace.json",
            "gui_session.shadematch"} <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_records_written_by_earlier_versions_load_and_keep_everything(name):
    raw = _read(name)
    analysis = Analysis.from_dict(raw)
    written = analysis.to_dict()
    assert written["format_version"] == FORMAT_VERSION
    # Nothing read is dropped or changed, except what the upgrade step itself defines.
    expected = upgrade(raw)
    assert _kept(expected, written) == []
    # Reading what was written gives the same record back.
    assert Analysis.from_dict(written).to_dict() == written
    # The typed fields are the values of the file.
    assert [e.id for e in analysis.ranking] == [e["id"] for e in raw["ranking"]]
    assert [e.delta_e for e in analysis.ranking] == [e["delta_e"] for e in raw["ranking"]]
    for region_class, sample in raw["samples"].items():
        assert np.allclose(analysis.samples[region_class].Lab, sample["lab"])
    primary = raw["picks"]["primary"]
    if primary:
        assert analysis.picks.primary.entry_id == primary["entry_id"]
    assert analysis.notes == raw.get("notes", "")


def test_format_1_is_upgraded_to_a_card_ranking():
    raw = _read("v1_cli.json")
    assert raw["format_version"] == 1 and "basis" not in raw["matching"]
    analysis = Analysis.from_dict(raw)
    assert analysis.matching.basis == "card" and analysis.plan is None
    assert analysis.guardrails == []
    first = analysis.ranking[0]
    assert first.basis == "card" and first.card_lab == raw["ranking"][0]["lab"]
    assert first.healed_lab is None
    assert first.band == raw["ranking"][0]["band"]  # the dental word, as written then
    assert analysis.picks.primary.card_lab == raw["picks"]["primary"]["lab"]


def test_format_2_saved_by_the_old_desktop_application_is_a_card_ranking():
    raw = _read("gui_workspace.json")
    assert raw["format_version"] == 2 and "basis" not in raw["matching"]
    analysis = Analysis.from_dict(raw)
    assert analysis.matching.basis == "card"
    assert all(e.basis == "card" and e.card_lab == e.lab for e in analysis.ranking)


def test_a_healed_record_reads_into_types():
    analysis = Analysis.from_dict(_read("cli_scalp_with_scar.json"))
    assert isinstance(analysis.ranking[0], RankingEntry) and analysis.ranking[0].healed_lab
    assert isinstance(analysis.plan, Plan) and analysis.plan.scar is not None
    assert analysis.plan.scar.recipe.healed_lab[0] >= analysis.plan.scar.final.healed_lab[0]
    assert [s.number for s in analysis.plan.sessions] == [1, 2, 3]
    assert analysis.matching.appearance.skin_fit["fit_delta_e"] < 1.0


def test_a_session_block_and_unknown_keys_are_kept():
    raw = _read("gui_session.shadematch")
    raw["ranking"][0]["written_by_a_newer_version"] = {"x": 1}
    raw["matching"]["future"] = [1, 2]
    written = Analysis.from_dict(raw).to_dict()
    assert written["session"] == raw["session"]
    assert written["ranking"][0]["written_by_a_newer_version"] == {"x": 1}
    assert written["matching"]["future"] == [1, 2]


def test_damaged_and_foreign_records_are_refused_with_a_reason():
    with pytest.raises(ShadematchError, match="not a shadematch analysis"):
        Analysis.from_dict({"format": "something else"})
    with pytest.raises(ShadematchError, match="newer shadematch"):
        Analysis.from_dict({"format": "shadematch-analysis", "format_version": 99})
    raw = _read("cli_healed.json")
    raw["ranking"][0]["healed_lab"] = [1, 2]
    with pytest.raises(ShadematchError, match="damaged"):
        Analysis.from_dict(raw)


def test_a_pick_outside_the_ranking_comes_from_the_palette():
    analysis = Analysis.from_dict(_read("cli_healed.json"))
    analysis.palette = load_palette(analysis.matching.palette.name)
    last = analysis.palette.entries[-1]
    assert analysis.entry(last.id) is None
    analysis.set_pick(last.id, "first_session")
    assert isinstance(analysis.picks.first_session, Pick)
    assert analysis.picks.first_session.card_lab == [float(v) for v in last.Lab]
    with pytest.raises(ShadematchError, match="not in the ranking"):
        Analysis.from_dict(_read("cli_healed.json")).set_pick("no-such-pigment")


# -- the desktop application and the command line save the same record ----------------------------
def _photo(card_rgb: int | None = None) -> Photo:
    img = np.zeros((120, 240, 3), np.uint8)
    for sl, Lab in ((np.s_[:, :80], (40.0, 3.0, 6.0)), (np.s_[:, 80:160], (61.4, 10.45, 16.7)),
                    (np.s_[:, 160:], (68.0, 14.0, 15.0))):
        rgb, _ = Lab_to_sRGB(np.array(Lab))
        img[sl] = np.round(np.asarray(rgb) * 255)
    if card_rgb is not None:
        img[90:, 200:] = card_rgb
    rng = np.random.default_rng(3)
    return Photo.from_array(np.clip(img + rng.normal(0, 1.5, img.shape), 0, 255).astype(np.uint8))


REGIONS = [{"id": "r1", "class": "hair", "shape": "rect",
            "params": {"x": 10, "y": 10, "w": 50, "h": 50}},
           {"id": "r2", "class": "skin", "shape": "ellipse",
            "params": {"cx": 120, "cy": 40, "rx": 25, "ry": 20}},
           {"id": "r3", "class": "scar", "shape": "rect",
            "params": {"x": 165, "y": 10, "w": 30, "h": 30}}]


def _gui_and_cli(photo, calibration=None, pick=True):
    from shadematch.workspace import Workspace

    palette = load_palette(None)
    cli = analyse(photo, [Region.from_dict(r) for r in REGIONS], palette, top=10,
                  calibration=calibration)
    ws = Workspace(auto_measure=True)
    ws.set_palette(palette)
    ws.set_top(10)
    ws.set_photo(photo, regions=REGIONS)
    if calibration is not None:
        ws.set_calibration(calibration)
    if pick and cli.ranking:
        entry = cli.ranking[1].id
        cli.set_pick(entry)
        ws.choose(entry)
    cli.notes = "soft hairline"
    ws.set_notes("soft hairline")
    gui = ws.to_dict()
    cli_record = cli.to_dict()
    gui.pop("created"), cli_record.pop("created")
    return gui, cli_record


def test_the_gui_and_the_cli_save_the_same_record():
    gui, cli = _gui_and_cli(_photo())
    assert cli["ranking"] and cli["plan"]["scar"] and cli["matching"]["basis"] == "healed"
    assert gui == cli


def test_the_exposure_warning_is_saved_by_the_gui_too():
    from shadematch.calibration import calibrate_from_grey_card

    photo = _photo(card_rgb=60)     # a dark grey card: the regions are far brighter than it
    mask = np.zeros((photo.height, photo.width), bool)
    mask[95:, 205:] = True
    calibration = calibrate_from_grey_card(photo.rgb, mask, photo_sha256=photo.sha256)
    gui, cli = _gui_and_cli(photo, calibration, pick=False)
    assert any("brighter than the chart" in w for w in cli["calibration"]["warnings"])
    assert gui == cli
