"""Colour science for shadematch: sRGB <-> CIELAB, delta-E formulas, region statistics, descriptors.

Names follow colour-science notation; L* 0..100, sRGB 0..1 floats or integer code values.
"""

from shadematch.color.conversion import (
    D65_XYZ,
    Lab_to_hex,
    Lab_to_LCh,
    Lab_to_sRGB,
    Lab_to_XYZ,
    XYZ_to_Lab,
    XYZ_to_linear_sRGB,
    linear_sRGB_to_XYZ,
    linear_to_sRGB,
    sRGB_to_Lab,
    sRGB_to_linear,
)
from shadematch.color.delta_e import (
    FORMULA_LABELS,
    FORMULAS,
    delta_E,
    delta_E_components,
    normalise_formula,
)
from shadematch.color.descriptors import ITA, hair_skin_contrast, ita_class

__all__ = [
    "D65_XYZ", "FORMULAS", "FORMULA_LABELS", "ITA", "Lab_to_LCh", "Lab_to_XYZ", "Lab_to_hex",
    "Lab_to_sRGB", "XYZ_to_Lab", "XYZ_to_linear_sRGB", "delta_E", "delta_E_components",
    "hair_skin_contrast", "ita_class", "linear_sRGB_to_XYZ", "linear_to_sRGB",
    "normalise_formula", "sRGB_to_Lab", "sRGB_to_linear",
]
