"""Ranking by predicted healed colour: fields, bands and words, weights, guardrails, the plan."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shadematch.errors import AppearanceError
from shadematch.matching import (
    SMP_BANDS,
    lightness_weight_for,
    rank,
    rank_healed,
    smp_band,
    smp_direction_words,
)
from shadematch.palettes import load_palette
from shadematch.plan import (
    FLAG_COOLER,
    FLAG_DARKER,
    ranking_guardrails,
    sample_guardrails,
    session_plan,
)

HAIR = (40.0, 3.0, 6.0)


@pytest.fixture(scope="module")
def carbon():
    return load_palette("carbon-black-dilution-modelled")


@pytest.fixture(scope="module")
def undertones():
    return load_palette("smp-undertones-modelled")


def test_entries_carry_healed_fresh_faded_and_card(undertones, fitted_skins):
    result = rank_healed(HAIR, undertones, skin=fitted_skins["light"], top=5)
    assert result.basis == "healed" and len(result.matches) == 5
    d = result.matches[0].to_dict()
    for key in ("healed_lab", "fresh_lab", "faded_lab", "card_lab", "healed_srgb_hex",
                "card_srgb_hex", "flags", "basis"):
        assert key in d
    assert d["lab"] == d["healed_lab"] and d["card_lab"] == [round(v, 3) for v in
                                                            result.matches[0].entry.Lab]
    assert d["band"] in SMP_BANDS
    # delta_e is healed vs target
    from shadematch.color.delta_e import delta_E
    assert d["delta_e"] == pytest.approx(float(delta_E(np.array(HAIR),
                                                       np.array(d["healed_lab"]))), abs=1e-3)
    assert [m.delta_E for m in result.matches] == sorted(m.delta_E for m in result.matches)
    json.dumps(d)


def test_skin_lab_is_fitted_when_given(carbon, issa_Lab):
    result = rank_healed(HAIR, carbon, issa_Lab["tan"])
    assert result.skin.fit_delta_e < 1.0 and result.info()["skin_fit"]["melanin_fraction"] > 0


def test_same_hair_light_vs_dark_skin_gives_different_best_dilutions(carbon, fitted_skins):
    best = {name: rank_healed(HAIR, carbon, skin=fitted_skins[name], top=1).matches[0].entry.id
            for name in ("light", "brown", "dark")}
    assert len(set(best.values())) == 3, best


def test_healed_ranking_differs_from_the_card_ranking(carbon, fitted_skins):
    hair = (30.0, 1.0, 2.0)   # on card 2:1 is nearest; healed, every step is lighter
    healed = rank_healed(hair, carbon, skin=fitted_skins["light"], top=1).matches[0]
    card = rank(hair, carbon, top=1)[0]
    assert healed.entry.id == "carbon-black@neat" and card.entry.id == "carbon-black@2:1"
    on_card = rank_healed(hair, carbon, card_only=True, top=1)
    assert on_card.basis == "card" and on_card.matches[0].entry.id == card.entry.id
    assert on_card.matches[0].healed_Lab is None


def test_formula_choice_is_kept(carbon, fitted_skins):
    a = rank_healed(HAIR, carbon, skin=fitted_skins["light"], formula="cie76")
    assert a.formula == "cie76"
    healed = np.array(a.matches[0].healed_Lab)
    assert a.matches[0].delta_E == pytest.approx(float(np.linalg.norm(healed - HAIR)))


def test_lightness_weight_counts_chroma_less(undertones, fitted_skins):
    plain = rank_healed((40.0, 6.0, 14.0), undertones, skin=fitted_skins["light"])
    weighted = rank_healed((40.0, 6.0, 14.0), undertones, skin=fitted_skins["light"],
                           lightness_weight=2.0)
    assert weighted.matches[0].delta_E < plain.matches[0].delta_E
    assert lightness_weight_for(type("S", (), {"warnings": [{"code": "chroma_unreliable"}]})) == 2
    assert lightness_weight_for(type("S", (), {"warnings": []})) == 1
    assert lightness_weight_for(None) == 1
    with pytest.raises(AppearanceError):
        rank_healed(HAIR, undertones, skin=fitted_skins["light"], lightness_weight=0)


def test_bands_and_words_never_condemn():
    assert [smp_band(v) for v in (1.0, 3.0, 4.0, 6.0, 15.0)] == \
        ["matches", "matches", "close", "close", "visible difference"]
    assert smp_direction_words(2.0, 0.0, 0.0, -5.0) == ("noticeably cooler", "slightly lighter")
    assert smp_direction_words(0.5, 0.2, 0.0, 0.3) == ()


def test_nan_hair_is_refused(carbon, fitted_skins):
    with pytest.raises(AppearanceError, match="hair colour"):
        rank_healed((np.nan, 0, 0), carbon, skin=fitted_skins["light"])


def test_no_skin_is_refused(carbon):
    with pytest.raises(AppearanceError, match="no skin colour"):
        rank_healed(HAIR, carbon)


def test_helmet_look_and_cooler_guardrails(carbon, undertones, fitted_skins):
    # pale stubble on dark skin: every dot heals darker than the stubble
    dark = rank_healed((45.0, 8.0, 14.0), carbon, skin=fitted_skins["dark"])
    assert FLAG_DARKER in dark.matches[0].flags
    assert [g["code"] for g in ranking_guardrails(dark)][0] == "helmet_look"
    # warm brown hair on light skin: healed blacks are cooler
    warm = rank_healed((40.0, 6.0, 16.0), carbon, skin=fitted_skins["light"])
    assert FLAG_COOLER in warm.matches[0].flags
    messages = [g["message"] for g in ranking_guardrails(warm)]
    assert any("warmer black or a warm corrector" in m for m in messages)


def test_unreliable_samples_are_said():
    sample = type("S", (), {"warnings": [{"code": "spread", "message": "mixed colours"}]})
    out = sample_guardrails({"hair": sample, "skin": type("S", (), {"warnings": []})})
    assert out == [{"code": "sample_unreliable", "sample": "hair",
                    "message": "the hair sample may be too unreliable to rank on: mixed colours"}]


def test_session_plan_first_session_is_a_step_lighter(carbon, fitted_skins):
    result = rank_healed((45.0, 2.0, 4.0), carbon, skin=fitted_skins["light"])
    plan = session_plan(result, step_L=3.0)
    final, first = plan["final"], plan["first_session"]
    assert final["entry_id"] == result.matches[0].entry.id
    assert first["healed_lab"][0] >= final["healed_lab"][0] + 3.0
    assert [s["number"] for s in plan["sessions"]] == [1, 2, 3]
    assert plan["sessions"][0]["entry_id"] == first["entry_id"]
    assert plan["sessions"][1]["entry_id"] == plan["sessions"][2]["entry_id"] == final["entry_id"]
    bigger = session_plan(result, step_L=8.0)
    assert bigger["first_session"]["healed_lab"][0] >= first["healed_lab"][0]
    json.dumps(plan)


def test_session_plan_for_a_scar_adds_a_lighter_scar_recipe(carbon, fitted_skins):
    from shadematch.appearance import fit_skin

    scalp = rank_healed(HAIR, carbon, skin=fitted_skins["light"])
    scar = rank_healed(HAIR, carbon, skin=fit_skin((70.0, 14.0, 12.0), what="scar tissue"),
                       skin_name="scar tissue")
    plan = session_plan(scalp, scar)
    assert plan["scar"]["skin_lab"] == [70.0, 14.0, 12.0]
    assert plan["scar"]["recipe"]["healed_lab"][0] >= plan["scar"]["final"]["healed_lab"][0]
    assert plan["final"]["entry_id"] == scalp.matches[0].entry.id
