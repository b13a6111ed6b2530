"""The skin model reproduces measured skin across the ITA range, and says when it cannot."""

from __future__ import annotations

import csv
from importlib.resources import files

import numpy as np
import pytest

from shadematch.appearance import fit_skin
from shadematch.appearance.skin import FIT_TOLERANCE_DE00, skin_parameters_reflectance
from shadematch.appearance.tissue import WAVELENGTHS, melanosome_mua, reflectance_to_Lab
from shadematch.errors import AppearanceError, ShadematchError
from shadematch.palettes.colour_values import Lab_to_D65

CLASSES = ("very light", "light", "intermediate", "tan", "brown", "dark")


def _csv(name):
    with (files("shadematch.appearance") / "data" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("ita_class", CLASSES)
def test_fits_issa_mean_of_every_ita_class(fitted_skins, ita_class):
    skin = fitted_skins[ita_class]
    assert skin.fit_delta_e <= FIT_TOLERANCE_DE00 == 1.0
    assert skin.fit_delta_e < 0.2   # in practice these fit closely


@pytest.mark.parametrize("edition", ["After November 2014", "Before November 2014"])
@pytest.mark.parametrize("patch", ["light skin", "dark skin"])
def test_fits_colorchecker_skin_patches(edition, patch):
    row = next(r for r in _csv("colorchecker_skin_patches.csv")
               if r["patch"] == patch and edition in r["edition"])
    Lab = Lab_to_D65((float(row["L"]), float(row["a"]), float(row["b"])), "D50")
    assert fit_skin(Lab).fit_delta_e <= 1.0


def test_spectral_fit_against_issa_mean_reflectance(fitted_skins):
    """The fit is made in Lab only; its spectrum still follows the measured mean reflectance."""
    rows = _csv("issa_mean_reflectance_by_ITA_class.csv")
    wl = np.array([float(r["wavelength_nm"]) for r in rows])
    for ita_class in CLASSES:
        measured = np.array([float(r["R_mean_" + ita_class.replace(" ", "_")]) for r in rows])
        model = np.interp(wl, WAVELENGTHS, skin_parameters_reflectance(fitted_skins[ita_class]))
        rms = float(np.sqrt(np.mean((model - measured) ** 2)))
        # very light 0.052, light 0.029, intermediate 0.020, tan 0.013, brown 0.011, dark 0.006
        assert rms < 0.06, (ita_class, rms)


def test_fitted_melanin_rises_from_very_light_to_dark(fitted_skins):
    melanin = [fitted_skins[c].melanin for c in CLASSES]
    assert melanin[-1] > melanin[3] > melanin[1]


def test_lab_of_the_model_is_what_colour_science_computes():
    """The tabulated CMFs x D65 give the Lab colour-science computes (an independent library)."""
    import warnings

    colour = pytest.importorskip("colour")
    shape = colour.SpectralShape(380, 780, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cmfs = colour.MSDS_CMFS["CIE 1931 2 Degree Standard Observer"].copy().align(shape)
        illuminant = colour.SDS_ILLUMINANTS["D65"].copy().align(shape)
        R = np.linspace(0.1, 0.6, WAVELENGTHS.size)
        sd = colour.SpectralDistribution(dict(zip(WAVELENGTHS, R, strict=True)))
        XYZ = colour.sd_to_XYZ(sd, cmfs, illuminant, method="Integration") / 100
        white = colour.sd_to_XYZ(colour.sd_ones(shape), cmfs, illuminant,
                                 method="Integration") / 100
    expected = colour.XYZ_to_Lab(XYZ, colour.XYZ_to_xy(white))
    assert np.allclose(reflectance_to_Lab(R), expected, atol=0.02)


def test_melanin_formula_matches_the_copied_table():
    rows = _csv("melanin_absorption.csv")
    table = {float(r["wavelength_nm"]): float(r["mua_melanosome_Jacques2013_eq8_m3_cm-1"])
             for r in rows}
    assert np.allclose(melanosome_mua(3.0), [table[w] for w in WAVELENGTHS], rtol=1e-6)


@pytest.mark.parametrize("Lab", [(94.2, 1.5, 5.4), (14.6, 1.5, 3.5), (50.0, -30.0, 10.0),
                                 (60.0, 10.0, -20.0)])
def test_unreachable_skin_is_refused_naming_the_lab(Lab):
    with pytest.raises(AppearanceError) as info:
        fit_skin(Lab)
    message = str(info.value)
    assert f"L* {Lab[0]:.1f}" in message and "outside what the skin model can reproduce" in message
    assert isinstance(info.value, ShadematchError)


@pytest.mark.parametrize("Lab", [(np.nan, 10, 15), (60, np.inf, 15), (60, 10)])
def test_nan_or_malformed_skin_is_refused(Lab):
    with pytest.raises(AppearanceError, match="not a finite Lab value"):
        fit_skin(Lab, what="scar tissue")
