"""The report's content as data (no PDF parsed): what each section says, in the vocabulary."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
from report_fixtures import make_analysis

from shadematch.errors import ReportError
from shadematch.reporting import ReportOptions
from shadematch.reporting.content import PREDICTION_NOTE, report_content

RECORDS = Path(__file__).parent.parent / "data" / "records"


def _record(name: str) -> dict:
    return json.loads((RECORDS / name).read_text("utf-8"))


def _all_text(content) -> str:
    return json.dumps(asdict(content), ensure_ascii=False)


def test_the_chosen_shade_is_shown_healed_beside_the_hair_with_fresh_and_card():
    record = _record("cli_healed.json")
    content = report_content(record)
    chosen = content.shades[0]
    assert chosen.title == "Chosen shade" and chosen.strong
    captions = [s.caption for s in chosen.swatches]
    assert captions == ["Client's hair", "Predicted healed", "Fresh (first days)",
                        "On card (swatch)"]
    entry = next(e for e in record["ranking"] if e["id"] == record["picks"]["primary"]["entry_id"])
    Labs = {s.caption: s.Lab for s in chosen.swatches}
    assert Labs["Predicted healed"] == pytest.approx(entry["healed_lab"])
    assert Labs["Fresh (first days)"] == pytest.approx(entry["fresh_lab"])
    assert Labs["On card (swatch)"] == pytest.approx(entry["card_lab"])
    assert Labs["Client's hair"] == pytest.approx(record["samples"]["hair"]["lab"], abs=1e-3)
    assert "healed vs hair" in chosen.detail and entry["band"] in chosen.detail
    assert chosen.words == ", ".join(entry["direction"])
    # The first-session shade is the plan's lighter one, with its healed colour.
    first = content.shades[1]
    assert first.title == "First session (lighter)"
    healed_first = next(s.Lab for s in first.swatches if s.caption == "Predicted healed")
    assert healed_first == pytest.approx(record["plan"]["first_session"]["healed_lab"])


def test_the_plan_has_a_lighter_first_session_the_final_shade_and_the_scar_recipe():
    record = _record("cli_scalp_with_scar.json")
    plan = report_content(record).plan
    titles = [s.title for s in plan.steps]
    assert titles == ["Session 1", "Sessions 2–3", "Scar"]
    first, final, scar = plan.steps
    assert first.Lab[0] >= final.Lab[0] + record["plan"]["step_L"] - 1e-6  # lighter healed
    assert final.shade == (f"{record['plan']['final']['pigment_name']} "
                           f"{record['plan']['final']['dilution']}")
    assert "parts water" in first.recipe
    assert record["plan"]["scar"]["recipe"]["dilution"] in scar.shade
    assert any("scar tissue takes pigment differently" in n for n in plan.notes)


def test_guardrails_and_the_prediction_note_are_said():
    record = _record("cli_healed.json")
    record["guardrails"] = [{"code": "helmet_look", "entry_id": "x", "message": "darker!"}]
    content = report_content(record)
    assert content.guardrails == ["Darker!"]
    assert content.prediction_note == PREDICTION_NOTE
    assert "to be checked against your own healed results" in content.ranking.note


def test_card_only_rankings_say_so_and_have_no_healed_swatches():
    content = report_content(_record("cli_card_only.json"))
    assert content.ranking.basis == "card"
    assert "card swatches" in content.prediction_note.lower()
    assert all(row.card is None and row.ranked.caption == "On card (swatch)"
               for row in content.ranking.rows)


@pytest.mark.parametrize("name", ["v1_cli.json", "v1_gui_workspace.json", "gui_workspace.json"])
def test_client_facing_text_never_condemns_a_shade(name):
    record = _record(name)
    assert any(e["band"] == "unacceptable" for e in record["ranking"])  # as written then
    text = _all_text(report_content(record))
    assert "unacceptable" not in text
    assert "visible difference" in text


def test_one_vocabulary_for_regions_and_charts():
    content = report_content(_record("cli_greycard.json"))
    assert content.calibration.status == "Calibrated with a grey card"
    assert [row.label for row in content.samples.rows] == ["Hair", "Scalp skin"]
    assert ("skin", "Scalp skin (1 region)") in content.legend
    fixture = make_analysis()
    fixture["calibration"] = {"chart": "colorchecker24", "mean_delta_e": 1, "max_delta_e": 2}
    assert report_content(fixture).calibration.status == \
        "Calibrated with a ColorChecker 24 chart"


def test_the_ranking_rows_show_the_hair_beside_each_healed_colour():
    record = _record("cli_healed.json")
    ranking = report_content(record, ReportOptions(top=3)).ranking
    assert len(ranking.rows) == 3
    for row, entry in zip(ranking.rows, record["ranking"], strict=False):
        assert row.ranked.Lab == pytest.approx(entry["healed_lab"])
        assert row.card.Lab == pytest.approx(entry["card_lab"])
        assert row.target.Lab == pytest.approx(record["samples"]["hair"]["lab"], abs=1e-3)
        assert row.band == entry["band"]


def test_no_ranking_says_why():
    record = _record("cli_healed.json")
    record["ranking"] = []
    record["matching"]["appearance"]["problem"] = "the skin colour is outside the model"
    ranking = report_content(record).ranking
    assert ranking.rows == [] and ranking.empty.endswith("the skin colour is outside the model")


def test_not_an_analysis_is_refused():
    with pytest.raises(ReportError, match="not a shadematch analysis"):
        report_content({"format": "x"})
    with pytest.raises(ReportError, match="newer"):
        report_content({"format": "shadematch-analysis", "format_version": 9})


def test_each_copy_declares_its_sections_and_the_client_copy_has_no_measurements():
    import pytest

    from shadematch.errors import ReportError
    from shadematch.reporting import ReportOptions, copies, copy_paths

    client, practitioner = copies.SECTIONS["client"], copies.SECTIONS["practitioner"]
    for technical in (copies.samples, copies.ranking, copies.details, copies.guardrails,
                      copies.photo_and_shade, copies.prediction_note):
        assert technical in practitioner and technical not in client
    for shared in (copies.header, copies.preview, copies.aftercare_page):
        assert shared in client and shared in practitioner
    assert copies.photo_and_shade_plain in client and copies.plan_plain in client
    assert copy_paths(Path("/r/zoe.pdf"), "client") == {"client": Path("/r/zoe.pdf")}
    assert copy_paths(Path("/r/zoe.pdf"), "both") == {
        "client": Path("/r/zoe client.pdf"), "practitioner": Path("/r/zoe practitioner.pdf")}
    with pytest.raises(ReportError, match="unknown report copy"):
        ReportOptions(copy="summary")


def test_the_visit_and_batch_head_the_measurement_details():
    from shadematch.reporting import ReportOptions
    from shadematch.reporting.content import report_content

    options = ReportOptions(visit="Session 2", batch="LOT-4471")
    rows = report_content(make_analysis(), options).details
    assert rows[:2] == [("Visit", "Session 2"), ("Pigment batch", "LOT-4471")]
    assert report_content(make_analysis(), ReportOptions()).details[0][0] == "Photo"
