"""Kubelka-Munk layers: one layer's reflectance and transmittance, and stacking layers.

Diffuse light, no interface inside the skin. Arrays broadcast (any leading shape, wavelengths
last). ``K`` and ``S`` are the Kubelka-Munk absorption and scattering coefficients (cm^-1) and
``d`` the thickness (cm). From transport coefficients (van Gemert & Star 1987; Star et al. 1988):
``K = 2 mu_a`` and ``S = 3/4 mu_s' - 1/4 mu_a``.
"""

from __future__ import annotations

import numpy as np

# Smallest KM scattering coefficient used, cm^-1 (keeps the hyperbolic formulas finite).
_MIN_S = 1e-6


def km_coefficients(mua: np.ndarray, musp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kubelka-Munk ``K``, ``S`` (cm^-1) from ``mu_a`` and ``mu_s'`` (cm^-1)."""
    K = 2.0 * np.asarray(mua)
    S = np.maximum(0.75 * np.asarray(musp) - 0.25 * np.asarray(mua), _MIN_S)
    return K, S


def layer(K: np.ndarray, S: np.ndarray, d: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Diffuse reflectance and transmittance of one layer of thickness ``d`` cm (Kubelka 1948)."""
    a = 1.0 + K / S
    b = np.sqrt(a * a - 1.0)
    bSd = np.minimum(b * S * d, 300.0)   # beyond this the layer is opaque; avoid overflow
    sh = np.sinh(bSd)
    ch = np.cosh(bSd)
    denominator = a * sh + b * ch
    return sh / denominator, b / denominator


def infinite(K: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Reflectance of an optically thick layer, ``R_inf = 1 + K/S - sqrt((K/S)^2 + 2 K/S)``."""
    q = K / S
    return 1.0 + q - np.sqrt(q * q + 2.0 * q)


def stack(R_top: np.ndarray, T_top: np.ndarray, R_below: np.ndarray
          ) -> np.ndarray:
    """Reflectance of a layer (``R_top``, ``T_top``) over a background of reflectance ``R_below``."""
    return R_top + T_top * T_top * R_below / (1.0 - R_top * R_below)


def stack_layers(R1, T1, R2, T2) -> tuple[np.ndarray, np.ndarray]:
    """Reflectance and transmittance of layer 1 on top of layer 2 (Kubelka's combination)."""
    denominator = 1.0 - R1 * R2
    return R1 + T1 * T1 * R2 / denominator, T1 * T2 / denominator


def saunderson(R_body: np.ndarray, internal: float, external: float = 0.0) -> np.ndarray:
    """Reflectance seen from air, from the body reflectance under the skin surface.

    Saunderson (1942): ``R = k1 + (1 - k1)(1 - k2) R_b / (1 - k2 R_b)``, ``k1`` the specular part
    measured (0: specular excluded) and ``k2`` the internal diffuse reflectance of the surface.
    """
    return external + (1.0 - external) * (1.0 - internal) * R_body / (1.0 - internal * R_body)
