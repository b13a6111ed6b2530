"""Delta-E formulas against Sharma et al. (2005) and an independent library (colour-science)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shadematch.color import FORMULAS, delta_E, delta_E_components

DATA = Path(__file__).resolve().parents[1] / "data"
SHARMA = np.loadtxt(DATA / "ciede2000_sharma.csv", delimiter=",", skiprows=1)


def test_sharma_2005_all_34_pairs_to_1e_4():
    assert SHARMA.shape == (34, 7)
    got = delta_E(SHARMA[:, 0:3], SHARMA[:, 3:6], "ciede2000")
    assert np.abs(got - SHARMA[:, 6]).max() < 1e-4


def test_ciede2000_is_symmetric():
    got = delta_E(SHARMA[:, 3:6], SHARMA[:, 0:3], "ciede2000")
    assert np.abs(got - SHARMA[:, 6]).max() < 1e-4


@pytest.fixture(scope="module")
def random_pairs():
    rng = np.random.default_rng(11)
    a = rng.uniform([0, -90, -90], [100, 90, 90], (5000, 3))
    b = a + rng.normal(0, 6, a.shape)
    b[:, 0] = np.clip(b[:, 0], 0, 100)
    return a, b


@pytest.mark.parametrize("formula, method, kwargs, their_kwargs", [
    ("ciede2000", "CIE 2000", {}, {}),
    ("cie76", "CIE 1976", {}, {}),
    ("cie94", "CIE 1994", {}, {}),
    ("cie94", "CIE 1994", {"application": "textiles"}, {"textiles": True}),
    ("cmc", "CMC", {}, {}),
    ("cmc", "CMC", {"l": 1, "c": 1}, {"l": 1, "c": 1}),
])
def test_agrees_with_colour_science_on_random_pairs(random_pairs, formula, method, kwargs,
                                                    their_kwargs):
    import colour

    a, b = random_pairs
    ours = delta_E(a, b, formula, **kwargs)
    theirs = colour.delta_E(a, b, method=method, **their_kwargs)
    assert np.abs(ours - theirs).max() < 1e-9


def test_ciede2000_agrees_with_colormath2():
    from colormath2.color_diff import delta_e_cie2000
    from colormath2.color_objects import LabColor

    for row in SHARMA[::3]:
        theirs = delta_e_cie2000(LabColor(*row[0:3]), LabColor(*row[3:6]))
        assert abs(float(delta_E(row[0:3], row[3:6])) - float(theirs)) < 1e-4


def test_asymmetric_formulas_use_first_argument_as_reference():
    ref, sample = np.array([50.0, 40.0, 10.0]), np.array([55.0, 10.0, 30.0])
    for formula in ("cie94", "cmc"):
        assert delta_E(ref, sample, formula) != pytest.approx(delta_E(sample, ref, formula))


def test_broadcasting_and_nd_shapes():
    a = np.random.default_rng(2).uniform(0, 60, (4, 5, 3))
    out = delta_E(a, np.array([50.0, 0.0, 0.0]))
    assert out.shape == (4, 5)
    for formula in FORMULAS:
        assert delta_E(a, a, formula).max() == pytest.approx(0.0, abs=1e-9)


def test_nan_only_poisons_its_own_pair():
    a = np.array([[50, 1, 2], [np.nan, 0, 0], [60, 5, 5]], dtype=float)
    out = delta_E(a, np.array([55.0, 0.0, 0.0]))
    assert np.isfinite(out[0]) and np.isnan(out[1]) and np.isfinite(out[2])


def test_unknown_formula_and_bad_parameters():
    with pytest.raises(ValueError, match="unknown delta-E formula"):
        delta_E([0, 0, 0], [1, 1, 1], "cie3000")
    with pytest.raises(ValueError):
        delta_E([0, 0, 0], [1, 1, 1], "cie94", application="paint")
    with pytest.raises(ValueError):
        delta_E([0, 0, 0], [1, 1, 1], "cie76", bogus=1)


def test_components_recompose_cie76_and_have_signs():
    rng = np.random.default_rng(9)
    a = rng.uniform([10, -30, -30], [90, 30, 30], (1000, 3))
    b = a + rng.normal(0, 5, a.shape)
    dL, dC, dH = delta_E_components(a, b)
    assert np.allclose(dL ** 2 + dC ** 2 + dH ** 2, delta_E(a, b, "cie76") ** 2)
    dL, dC, dH = delta_E_components([50, 10, 0], [60, 20, 0])
    assert dL == pytest.approx(10) and dC == pytest.approx(10) and dH == pytest.approx(0)
    _, _, dH = delta_E_components([50, 10, 0], [50, 0, 10])  # counter-clockwise rotation
    assert dH > 0
