"""Predicted colour of every pigment and dilution of a palette in one fitted skin, vectorised.

The pigment layer of :mod:`shadematch.appearance.skin` absorbs

    mu_a,ink(lambda) = NEAT_INK_MUA_550 * c * state * a(lambda)

with ``a`` the pigment's relative absorption (:mod:`~shadematch.appearance.pigment_optics`),
``c = pigment_parts / (pigment_parts + water_parts)`` the pigment fraction of the dilution (a
needle deposits about the same volume of liquid whatever the dilution), and ``state`` the fraction
of the healed amount present: ``FRESH_FACTOR`` in the first days, 1 when healed (4-6 weeks), and
``(1 - FADE_PER_YEAR)^years`` after ``years``. All three numbers are ASSUMPTIONS (no published
in-skin spectrum of tattoo ink, nor retention data for SMP, was found): docs/APPEARANCE.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shadematch.appearance import skin as skin_model
from shadematch.appearance import tissue
from shadematch.appearance.model_parameters import SHIPPED, ModelParameters
from shadematch.appearance.pigment_optics import PigmentOptics
from shadematch.errors import AppearanceError

# Absorption (cm^-1) at 550 nm of the reference carbon black, neat, in the healed pigment layer.
# ASSUMPTION, chosen so that neat and 2:1 still differ when healed (the layer is not opaque) and
# neat is close to opaque: an ink of about 20 % carbon (200 g/L) absorbing 7.5 m^2/g (Bond &
# Bergstrom 2006) has mu_a about 15 000 cm^-1, so this is about 1.3 % ink by volume in the layer.
# (The shipped values live in :data:`shadematch.appearance.model_parameters.SHIPPED`, which a
# clinic's fitted model replaces.)
NEAT_INK_MUA_550 = SHIPPED.neat_ink_mua_550
# In the first days more ink sits in the healing epidermis and papillary dermis.
FRESH_FACTOR = SHIPPED.fresh_factor
# Fraction of the healed ink lost per year (macrophage clearance, sun).
FADE_PER_YEAR = SHIPPED.fade_per_year
DEFAULT_FADE_YEARS = 5.0


@dataclass(frozen=True)
class Prediction:
    """Predicted CIELAB (D65, 2 degree, L* 0..100), one row per palette entry: ``healed``
    (4-6 weeks), ``fresh`` (first days), ``faded`` (after ``years``); ``skin_Lab`` the modelled
    skin without pigment; ``model`` the parameters used."""

    healed: np.ndarray
    fresh: np.ndarray
    faded: np.ndarray
    years: float
    skin_Lab: np.ndarray
    model: ModelParameters = SHIPPED


def _entry_name(entry) -> str:
    return getattr(entry, "name", None) or getattr(entry, "id", "?")


def ink_absorption(entries: Sequence, model: ModelParameters | None = None) -> np.ndarray:
    """Healed pigment-layer absorption (N, 41), cm^-1, of palette entries (each with
    ``optics``, ``water_parts``, ``pigment_parts``), with ``model``'s neat-ink absorption and
    pigment strengths (default the shipped model).

    Raises
    ------
    AppearanceError
        Naming the entry: no optics, a dilution of 0 or less, or a value that is not a number.
    """
    rows = []
    cache: dict[int, np.ndarray] = {}
    for entry in entries:
        optics: PigmentOptics | None = getattr(entry, "optics", None)
        if optics is None:
            raise AppearanceError(
                f"pigment '{getattr(entry, 'pigment_id', _entry_name(entry))}' has no optical "
                f"properties (no 'optics' block in its format-2 palette file): add one (see "
                f"docs/PALETTE_FORMAT.md) or rank on card colours only")
        water, pig = float(entry.water_parts), float(entry.pigment_parts)
        if not (math.isfinite(water) and math.isfinite(pig)):
            raise AppearanceError(f"{_entry_name(entry)}: the dilution {water}:{pig} is not a "
                                  f"number; fix the palette entry")
        if pig <= 0 or water < 0:
            raise AppearanceError(f"{_entry_name(entry)}: the dilution {water:g}:{pig:g} "
                                  f"(water:pigment) has no pigment or negative water; use parts "
                                  f"greater than 0")
        key = id(optics)
        if key not in cache:
            cache[key] = optics.relative_absorption()
        strength = model.strength(getattr(entry, "pigment_id", "")) if model else 1.0
        rows.append(cache[key] * (strength * pig / (pig + water)))
    if not rows:
        return np.zeros((0, tissue.WAVELENGTHS.size))
    return (model or SHIPPED).neat_ink_mua_550 * np.asarray(rows)


def state_factors(years: float = DEFAULT_FADE_YEARS,
                  model: ModelParameters | None = None) -> dict[str, float]:
    """The amount of ink relative to healed, per state."""
    model = model or SHIPPED
    if not math.isfinite(years) or years < 0:
        raise AppearanceError(f"the fade time {years} years must be a number of years >= 0")
    return {"fresh": model.fresh_factor, "healed": 1.0,
            "faded": (1.0 - model.fade_per_year) ** years}


def predict_Lab(skin: skin_model.SkinParameters, ink_mua: np.ndarray,
                years: float = DEFAULT_FADE_YEARS,
                model: ModelParameters | None = None) -> Prediction:
    """Fresh, healed and faded CIELAB of pigment absorptions ``ink_mua`` (N, 41) in ``skin``
    (``ink_mua`` from :func:`ink_absorption` with the same ``model``)."""
    model = model or SHIPPED
    factors = state_factors(years, model)
    ink_mua = np.asarray(ink_mua, dtype=np.float64)
    n = ink_mua.shape[0]
    stacked = np.concatenate([ink_mua * factors["healed"], ink_mua * factors["fresh"],
                              ink_mua * factors["faded"], np.zeros((1, ink_mua.shape[1]))])
    Lab = tissue.reflectance_to_Lab(skin_model.dot_reflectance(skin, stacked,
                                                               model.dermis_above_ink_cm))
    return Prediction(healed=Lab[:n], fresh=Lab[n:2 * n], faded=Lab[2 * n:3 * n], years=years,
                      skin_Lab=Lab[-1], model=model)


def predict_palette(skin: skin_model.SkinParameters, palette,
                    years: float = DEFAULT_FADE_YEARS,
                    model: ModelParameters | None = None) -> Prediction:
    """Predicted colours of every entry of ``palette`` (a Palette or a sequence of entries).

    Parameters
    ----------
    skin : the client's fitted skin (:func:`shadematch.appearance.fit_skin`).
    palette : a Palette (its ``entries``) or a sequence of PaletteEntry with ``optics``.
    years : fade time for ``faded``.
    model : the model parameters (default the shipped assumptions; a clinic's fitted model).

    Raises
    ------
    AppearanceError
        When an entry has no optics or a bad dilution (the message names it).
    """
    entries = palette.entries if hasattr(palette, "entries") else list(palette)
    return predict_Lab(skin, ink_absorption(entries, model), years, model)
