"""Ranking palette entries against a target."""

from __future__ import annotations

import numpy as np
import pytest

from shadematch.color import delta_E
from shadematch.matching import band_for, direction_words, first_session_suggestion, rank
from shadematch.palettes import DEFAULT_PALETTE_NAME, load_palette


@pytest.fixture(scope="module")
def palette():
    return load_palette(DEFAULT_PALETTE_NAME)


def test_rank_orders_by_delta_e_and_is_complete(palette):
    target = np.array([30.0, 2.0, 3.0])
    matches = rank(target, palette)
    assert len(matches) == len(palette.entries)
    values = [m.delta_E for m in matches]
    assert values == sorted(values)
    expected = delta_E(target, palette.Lab_array())
    assert values[0] == pytest.approx(expected.min())
    assert matches[0].entry.Lab == palette.entries[int(expected.argmin())].Lab
    assert [m.rank for m in matches[:3]] == [1, 2, 3]


def test_exact_entry_ranks_first_with_zero(palette):
    entry = palette.entries[7]
    best = rank(entry.Lab, palette, top=1)[0]
    assert best.entry.Lab == entry.Lab and best.delta_E == pytest.approx(0, abs=1e-9)
    assert best.band == "imperceptible" and best.direction == ()


@pytest.mark.parametrize("formula", ["ciede2000", "cie94", "cie76", "cmc"])
def test_every_formula_ranks(palette, formula):
    matches = rank([40, 1, 1], palette, formula=formula, top=5)
    assert len(matches) == 5
    assert (matches[0].band is None) == (formula != "ciede2000")


def test_components_and_words_follow_pigment_minus_target():
    assert direction_words(5.0, 0.0, 0.0, 0.0) == ("lighter",)
    assert direction_words(-5.0, 0.0, 0.0, 0.0) == ("darker",)
    assert direction_words(0.0, 0.0, 0.0, -3.0)[0] == "cooler"
    assert direction_words(0.0, 2.0, 1.0, 3.0)[0] == "warmer"
    assert "more saturated" in direction_words(0.0, 4.0, 0.0, 0.0)
    assert direction_words(0.2, 0.1, 0.1, 0.1) == ()


def test_bands_use_paravina_thresholds():
    assert band_for(0.8) == "imperceptible"
    assert band_for(0.81) == "acceptable"
    assert band_for(1.8) == "acceptable"
    assert band_for(1.81) == "unacceptable"


def test_first_session_is_lighter(palette):
    entry = next(e for e in palette.entries if e.dilution not in (None, "neat"))
    lighter = first_session_suggestion(palette, entry.id)
    assert lighter is not None and lighter.pigment_id == entry.pigment_id
    assert lighter.Lab[0] > entry.Lab[0]


def test_target_must_be_finite(palette):
    with pytest.raises(ValueError):
        rank([np.nan, 0, 0], palette)


def test_top_n_is_the_prefix_of_the_full_ranking_even_with_ties():
    from shadematch.matching import rank_arrays

    rng = np.random.default_rng(8)
    labs = np.round(rng.uniform([10, -5, -5], [60, 5, 5], (3000, 3)))  # many exact ties
    full = rank_arrays([30, 1, 1], labs).order
    for top in (0, 1, 7, 50, 2999, 3000, 5000):
        assert list(rank_arrays([30, 1, 1], labs, top=top).order) == list(full[:top])
