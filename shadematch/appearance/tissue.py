"""Tissue optics over 380-780 nm (10 nm steps): absorbers, scattering, colour-matching functions.

Every number here has its source in ``data/README.md`` and docs/APPEARANCE.md. Spectra are
loaded once, on first use, from the CSV files in ``data/`` (no colour-science at run time).

Units: wavelengths in nm; absorption ``mu_a`` and reduced scattering ``mu_s'`` in cm^-1;
reflectance 0..1; XYZ relative to the white's Y = 1.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import numpy as np

WAVELENGTHS = np.arange(380, 781, 10, dtype=np.float64)

# --- published constants ------------------------------------------------------------------------
# Jacques 2013 (Phys Med Biol 58:R37) sec. 5: mu_a(blood) = ln(10) * eps * 150 g/L / 64458 g/mol.
HGB_G_PER_L = 150.0
HGB_G_PER_MOL = 64458.0
# Jacques 2013 Figs 15-16, "generic tissue": S = 0.75.
OXYGEN_SATURATION = 0.75
# Jacques 2013 Table 2, skin mean (n = 8): mu_s' = a (lambda/500)^-b.
DERMIS_SCATTER_A = 46.0
DERMIS_SCATTER_B = 1.421
# Jacques 2013 Table 1 row 7, epidermis (Salomatina et al. 2006).
EPIDERMIS_SCATTER_A = 68.7
EPIDERMIS_SCATTER_B = 1.161
# Jacques 2013 eq. (8): mu_a(melanosome) = 519 (lambda/500)^-3 (column of melanin_absorption.csv).
# (melanin_absorption.csv holds the m = 3 curve; a test checks the formula against it.)
MELANOSOME_MUA_500 = 519.0
MELANOSOME_EXPONENT = 3.0
MELANOSOME_COLUMN = "mua_melanosome_Jacques2013_eq8_m3_cm-1"


def _data_path(name: str):
    return files("shadematch.appearance") / "data" / name


def _read_csv(name: str) -> tuple[list[str], np.ndarray]:
    with _data_path(name).open("r", encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        rows = [line.strip().split(",") for line in handle if line.strip()]
    return header, np.array(rows, dtype=object)


def _column_at(name: str, column: str) -> np.ndarray:
    header, rows = _read_csv(name)
    wl = rows[:, 0].astype(np.float64)
    values = rows[:, header.index(column)].astype(np.float64)
    return np.interp(WAVELENGTHS, wl, values)


def melanosome_mua(exponent=MELANOSOME_EXPONENT) -> np.ndarray:
    """Absorption of the interior of a melanosome, cm^-1: ``519 (lambda/500)^-m`` (Jacques 2013
    eq. 8, "m approximately 3"); ``exponent`` broadcasts against the wavelengths (..., 1)."""
    return MELANOSOME_MUA_500 * (WAVELENGTHS / 500.0) ** -np.asarray(exponent, dtype=np.float64)


@cache
def baseline_mua() -> np.ndarray:
    """Bloodless skin baseline absorption, cm^-1 (Jacques 1998, OMLC "Skin Optics" sec. 1.1)."""
    return 0.244 + 85.3 * np.exp(-(WAVELENGTHS - 154.0) / 66.2)


@cache
def _haemoglobin_mua() -> tuple[np.ndarray, np.ndarray]:
    scale = np.log(10.0) * HGB_G_PER_L / HGB_G_PER_MOL
    oxy = _column_at("hemoglobin_prahl_molar_extinction.csv", "eps_HbO2_cm-1_per_M")
    deoxy = _column_at("hemoglobin_prahl_molar_extinction.csv", "eps_Hb_cm-1_per_M")
    return scale * oxy, scale * deoxy


def blood_mua(saturation=OXYGEN_SATURATION) -> np.ndarray:
    """Absorption of whole blood (150 g/L haemoglobin), cm^-1, from Prahl's molar extinction;
    ``saturation`` (0..1) broadcasts against the wavelengths (..., 1)."""
    oxy, deoxy = _haemoglobin_mua()
    saturation = np.asarray(saturation, dtype=np.float64)
    return saturation * oxy + (1.0 - saturation) * deoxy


@cache
def dermis_musp() -> np.ndarray:
    """Reduced scattering of dermis, cm^-1 (Jacques 2013 Table 2 skin mean)."""
    return DERMIS_SCATTER_A * (WAVELENGTHS / 500.0) ** -DERMIS_SCATTER_B


@cache
def epidermis_musp() -> np.ndarray:
    """Reduced scattering of epidermis, cm^-1 (Jacques 2013 Table 1 row 7, Salomatina 2006)."""
    return EPIDERMIS_SCATTER_A * (WAVELENGTHS / 500.0) ** -EPIDERMIS_SCATTER_B


@cache
def _observer() -> tuple[np.ndarray, np.ndarray]:
    """(weights (41, 3) mapping reflectance to XYZ with white Y = 1, white XYZ (3,))."""
    header, rows = _read_csv("cie1931_2deg_d65_10nm.csv")
    table = rows.astype(np.float64)
    if not np.array_equal(table[:, 0], WAVELENGTHS):
        raise RuntimeError("cie1931_2deg_d65_10nm.csv is not on the 380-780 nm, 10 nm grid")
    cmfs = table[:, 1:4]
    spd = table[:, 4]
    weights = cmfs * spd[:, None]
    weights /= weights[:, 1].sum()
    return weights, weights.sum(axis=0)


def reflectance_to_XYZ(R: np.ndarray) -> np.ndarray:
    """CIE XYZ (D65, 2 degree, white Y = 1) of reflectance spectra ``R`` (..., 41), 0..1."""
    weights, _ = _observer()
    return np.asarray(R, dtype=np.float64) @ weights


def reflectance_to_Lab(R: np.ndarray) -> np.ndarray:
    """CIELAB (D65, 2 degree, L* 0..100) of reflectance spectra ``R`` (..., 41), 0..1."""
    from shadematch.color.conversion import XYZ_to_Lab

    _, white = _observer()
    return XYZ_to_Lab(reflectance_to_XYZ(R), white)
