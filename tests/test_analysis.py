"""The headless analysis pipeline and its JSON record."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shadematch.analysis import Analysis, analyse
from shadematch.analysis_record import FORMAT_VERSION
from shadematch.errors import ShadematchError
from shadematch.imaging.photo import Photo
from shadematch.imaging.regions import Region
from shadematch.palettes import DEFAULT_PALETTE_NAME, load_palette


@pytest.fixture(scope="module")
def photo():
    img = np.zeros((100, 200, 3), np.uint8)
    img[:, :100] = (40, 32, 28)     # hair
    img[:, 100:] = (200, 160, 140)  # skin
    rng = np.random.default_rng(0)
    return Photo.from_array(np.clip(img + rng.normal(0, 2, img.shape), 1, 254).astype(np.uint8))


@pytest.fixture(scope="module")
def palette():
    return load_palette(DEFAULT_PALETTE_NAME)


def test_analyse_and_round_trip(photo, palette):
    regions = [Region("hair", "rect", {"x": 10, "y": 10, "w": 50, "h": 50}),
               Region("skin", "ellipse", {"cx": 150, "cy": 50, "rx": 30, "ry": 30})]
    a = analyse(photo, regions, palette, top=4)
    assert set(a.samples) == {"hair", "skin"}
    assert len(a.ranking) == 4
    a.set_pick(a.ranking[1].id)
    a.notes = "first consultation"
    record = json.loads(json.dumps(a.to_dict()))
    assert record["contrast"]["hair_skin_dL"] < -30
    assert record["conditions"]["illuminant"] == "D65"
    back = Analysis.from_dict(record)
    assert back.to_dict() == record


def test_missing_target_is_explained(photo, palette):
    a = analyse(photo, [Region("skin", "rect", {"x": 120, "y": 10, "w": 30, "h": 30})], palette,
                target="hair")
    assert a.ranking == [] and "no hair region" in a.matching.problem
    assert "hair" not in a.problems  # problems are regions that could not be measured


def test_region_outside_is_a_problem_not_a_crash(photo, palette):
    a = analyse(photo, [Region("hair", "rect", {"x": 500, "y": 10, "w": 30, "h": 30})], palette)
    assert "outside" in a.problems["hair"]


def test_not_an_analysis_record():
    with pytest.raises(ShadematchError):
        Analysis.from_dict({"format": "something else"})
    with pytest.raises(ShadematchError, match="newer"):
        Analysis.from_dict({"format": "shadematch-analysis", "format_version": 99})


def test_analysis_ranks_by_healed_colour_in_the_skin(palette):
    from shadematch.color.conversion import Lab_to_sRGB

    img = np.zeros((100, 200, 3), np.uint8)
    for sl, Lab in ((np.s_[:, :100], (40.0, 3.0, 6.0)), (np.s_[:, 100:], (61.4, 10.45, 16.7))):
        rgb, _ = Lab_to_sRGB(np.array(Lab))
        img[sl] = np.round(np.asarray(rgb) * 255)
    photo = Photo.from_array(img)
    regions = [Region("hair", "rect", {"x": 10, "y": 10, "w": 50, "h": 50}),
               Region("skin", "rect", {"x": 120, "y": 10, "w": 50, "h": 50})]
    a = analyse(photo, regions, palette, top=3)
    record = json.loads(json.dumps(a.to_dict()))
    assert record["format_version"] == FORMAT_VERSION and record["matching"]["basis"] == "healed"
    assert record["ranking"][0]["healed_lab"] and record["plan"]["final"]
    back = Analysis.from_dict(record).to_dict()
    assert back["ranking"] == record["ranking"] and back["plan"] == record["plan"]
    assert back["matching"] == record["matching"] and back["guardrails"] == record["guardrails"]
    card = analyse(photo, regions, palette, top=3, card_only=True).to_dict()
    assert card["matching"]["basis"] == "card" and card["ranking"][0]["healed_lab"] is None
    assert any(g["code"] == "card_only" for g in card["guardrails"])


def test_unreachable_skin_is_recorded_not_raised(palette):
    img = np.zeros((100, 200, 3), np.uint8)
    img[:, :100] = (40, 32, 28)
    img[:, 100:] = (120, 200, 120)      # green "skin"
    photo = Photo.from_array(img)
    regions = [Region("hair", "rect", {"x": 10, "y": 10, "w": 50, "h": 50}),
               Region("skin", "rect", {"x": 120, "y": 10, "w": 50, "h": 50})]
    a = analyse(photo, regions, palette)
    assert a.ranking == [] and "outside what the skin model" in a.matching.appearance.problem


def test_format_1_records_are_still_read():
    record = {"format": "shadematch-analysis", "format_version": 1, "photo": {},
              "matching": {"target": "hair", "formula": "ciede2000"},
              "ranking": [{"id": "carbon-black@4:1", "name": "Carbon Black 4:1",
                           "lab": [39.8, 0, 0.7], "delta_e": 12.0, "band": "unacceptable"}]}
    a = Analysis.from_dict(record)
    assert a.matching.basis == "card" and a.plan is None and a.guardrails == []
    a.set_pick("carbon-black@4:1")
    assert a.picks.primary.card_lab == [39.8, 0, 0.7]
