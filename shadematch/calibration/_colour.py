"""The colour formulas calibration uses, taken from :mod:`shadematch.color` so that a fit and a
region measurement see exactly the same sRGB decoding, matrix, white and CIELAB.

Scales: sRGB code values uint8 (0..255), uint16 (0..65535) or float 0..1; linear RGB 0..1;
XYZ with the D65 white's Y = 1; L* 0..100.
"""

from __future__ import annotations

import numpy as np

from shadematch.color.conversion import (
    D65_XYZ,
    Lab_to_XYZ,
    MATRIX_sRGB_TO_XYZ,
    MATRIX_XYZ_TO_sRGB,
)
from shadematch.color.conversion import XYZ_to_Lab as _XYZ_to_Lab
from shadematch.color.conversion import linear_to_sRGB as _linear_to_sRGB
from shadematch.color.conversion import sRGB_to_linear as _sRGB_to_linear
from shadematch.color.delta_e import delta_E_CIE2000

XYZ_D65 = D65_XYZ
M_sRGB_TO_XYZ = MATRIX_sRGB_TO_XYZ
M_XYZ_TO_sRGB = MATRIX_XYZ_TO_sRGB

__all__ = ["M_XYZ_TO_sRGB", "M_sRGB_TO_XYZ", "XYZ_D65", "Lab_to_XYZ", "XYZ_to_Lab",
           "code_values_to_unit", "delta_E_CIE2000", "linear_to_sRGB", "sRGB_to_linear"]


def code_values_to_unit(rgb: np.ndarray) -> np.ndarray:
    """uint8 (0..255), uint16 (0..65535) or float (0..1) sRGB code values -> float64 0..1."""
    arr = np.asarray(rgb)
    if arr.dtype == np.uint8:
        return arr.astype(np.float64) / 255.0
    if arr.dtype == np.uint16:
        return arr.astype(np.float64) / 65535.0
    return arr.astype(np.float64)


def sRGB_to_linear(RGB: np.ndarray) -> np.ndarray:
    """sRGB EOTF: encoded values (uint8, uint16 or float 0..1) -> linear float64."""
    return np.asarray(_sRGB_to_linear(code_values_to_unit(RGB)), dtype=np.float64)


def linear_to_sRGB(RGB_lin: np.ndarray) -> np.ndarray:
    """Inverse EOTF: linear -> encoded float 0..1; negative input is clipped to 0 first."""
    return _linear_to_sRGB(np.clip(np.asarray(RGB_lin, dtype=np.float64), 0.0, None))


def XYZ_to_Lab(XYZ: np.ndarray) -> np.ndarray:
    """CIE XYZ (D65, Y = 1) -> CIELAB, float64."""
    return _XYZ_to_Lab(np.asarray(XYZ, dtype=np.float64))
