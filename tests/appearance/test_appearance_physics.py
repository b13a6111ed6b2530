"""The prediction shows what practitioners know of carbon black healed in skin."""

from __future__ import annotations

import numpy as np
import pytest

from shadematch.appearance import predict_palette
from shadematch.appearance.predict import ink_absorption, predict_Lab
from shadematch.errors import AppearanceError
from shadematch.palettes import load_palette

LIGHTER_SKINS = ("very light", "light", "intermediate")
ALL_SKINS = ("very light", "light", "intermediate", "tan", "brown", "dark")


@pytest.fixture(scope="module")
def carbon():
    return load_palette("carbon-black-dilution-modelled")


@pytest.mark.parametrize("ita_class", ("very light", "light"))
def test_healed_carbon_black_is_cooler_than_on_card_and_than_neutral_grey(
        carbon, fitted_skins, ita_class):
    healed = predict_palette(fitted_skins[ita_class], carbon).healed
    card = carbon.Lab_array()
    # the concentrated steps (neat, 2:1), whose colour is the ink's more than the skin's
    for i in range(2):
        assert healed[i, 2] < card[i, 2], (carbon.entries[i].name, healed[i], card[i])
        assert healed[i, 2] < 0.0   # a neutral grey has b* = 0
        assert healed[i, 1] < 0.0   # and a* = 0: the blue-green cast of healed black


@pytest.mark.parametrize("ita_class", ALL_SKINS)
def test_healed_carbon_black_is_much_cooler_than_the_skin_it_is_in(
        carbon, fitted_skins, ita_class):
    """On tan to dark skin the melanin above the ink keeps b* > 0, but the dot is far cooler
    than the skin around it (which is how it is seen)."""
    p = predict_palette(fitted_skins[ita_class], carbon)
    assert p.healed[0, 2] < p.skin_Lab[2] - 3.0
    assert p.healed[0, 2] / p.skin_Lab[2] < p.healed[0, 0] / p.skin_Lab[0]


@pytest.mark.parametrize("ita_class", ALL_SKINS)
def test_more_water_gives_a_lighter_healed_dot(carbon, fitted_skins, ita_class):
    prediction = predict_palette(fitted_skins[ita_class], carbon)
    for state in (prediction.healed, prediction.fresh, prediction.faded):
        assert np.all(np.diff(state[:, 0]) >= -1e-9)
    assert np.all(np.diff(prediction.healed[1:, 0]) > 0)


@pytest.mark.parametrize("ita_class", ALL_SKINS)
def test_healed_dot_tends_to_skin_colour_as_dilution_grows(carbon, fitted_skins, ita_class):
    from shadematch.color.delta_e import delta_E
    from shadematch.palettes.model import PaletteEntry

    skin = fitted_skins[ita_class]
    base = carbon.entries[0]
    waters = [2.0, 20.0, 200.0, 2000.0, 1e6]
    entries = [PaletteEntry(**{**base.__dict__, "water_parts": w}) for w in waters]
    prediction = predict_Lab(skin, ink_absorption(entries))
    distance = delta_E(prediction.skin_Lab, prediction.healed, "ciede2000")
    assert np.all(np.diff(distance) < 0)
    assert distance[-1] < 0.05
    assert np.allclose(prediction.skin_Lab, skin.model_Lab, atol=1e-6)


def test_darker_skin_lowers_the_contrast(carbon, fitted_skins):
    """Light to dark ISSA classes (very light differs from light in scattering too, so it is
    left out here), and the same skin with more melanin and nothing else changed."""
    import dataclasses

    contrast = []
    for ita_class in ALL_SKINS[1:]:
        p = predict_palette(fitted_skins[ita_class], carbon)
        contrast.append(p.skin_Lab[0] - p.healed[0, 0])
    assert all(b < a for a, b in zip(contrast, contrast[1:], strict=False)), contrast
    base = fitted_skins["light"]
    swept = []
    for melanin in (0.01, 0.03, 0.06, 0.12, 0.2):
        p = predict_palette(dataclasses.replace(base, melanin=melanin), carbon)
        swept.append(p.skin_Lab[0] - p.healed[:, 0])
    for darker, lighter in zip(swept[1:], swept, strict=False):
        assert np.all(darker < lighter)


@pytest.mark.parametrize("ita_class", ALL_SKINS)
def test_fresh_is_darker_and_faded_lighter_than_healed(carbon, fitted_skins, ita_class):
    p = predict_palette(fitted_skins[ita_class], carbon, years=5)
    assert np.all(p.fresh[:, 0] <= p.healed[:, 0] + 1e-9)
    assert np.all(p.faded[:, 0] >= p.healed[:, 0] - 1e-9)
    assert np.all(p.fresh[3:, 0] < p.healed[3:, 0])     # from 6:1 on, visibly
    assert np.all(p.faded[3:, 0] > p.healed[3:, 0])


def test_warm_and_cool_blacks_heal_warmer_and_cooler(fitted_skins):
    palette = load_palette("smp-undertones-modelled")
    healed = predict_palette(fitted_skins["light"], palette).healed
    by_id = {e.id: healed[i] for i, e in enumerate(palette.entries)}
    for dilution in ("4:1", "8:1"):
        cool, neutral, warm = (by_id[f"{p}@{dilution}"] for p in
                               ("cool-black", "neutral-black", "warm-black"))
        assert cool[2] < neutral[2] < warm[2]


def test_bad_dilutions_and_missing_optics_are_named(carbon):
    from shadematch.palettes.model import PaletteEntry

    base = carbon.entries[1]
    for water, pig, words in ((4.0, 0.0, "no pigment"), (-1.0, 1.0, "negative water"),
                              (float("nan"), 1.0, "not a number")):
        entry = PaletteEntry(**{**base.__dict__, "water_parts": water, "pigment_parts": pig})
        with pytest.raises(AppearanceError, match=words) as info:
            ink_absorption([entry])
        assert base.name in str(info.value)
    no_optics = PaletteEntry(**{**base.__dict__, "optics": None})
    with pytest.raises(AppearanceError, match="'carbon-black' has no optical properties"):
        ink_absorption([no_optics])
