"""Colour-difference formulas over CIELAB arrays of any leading shape.

``delta_E(Lab_1, Lab_2, formula)`` with formulas ``"ciede2000"`` (CIE 142-2001, implemented after
Sharma, Wu and Dalal 2005), ``"cie94"`` (CIE 116-1995; graphic arts or textiles weights), ``"cmc"``
(CMC l:c, BS 6923) and ``"cie76"`` (Euclidean distance). For the asymmetric formulas (cie94, cmc)
the first argument is the reference (the standard), the second the sample.

All functions take (..., 3) arrays (L* 0..100) and broadcast them against each other; NaN in an
input gives NaN in the output for that pair only.
"""

from __future__ import annotations

import numpy as np

FORMULAS = ("ciede2000", "cie94", "cie76", "cmc")
FORMULA_LABELS = {
    "ciede2000": "CIEDE2000",
    "cie94": "CIE94",
    "cie76": "CIE76",
    "cmc": "CMC l:c",
}


def _split(Lab: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Lab = np.asarray(Lab, dtype=np.float64)
    if Lab.shape[-1:] != (3,):
        raise ValueError(f"Lab arrays need a last axis of 3 (L*, a*, b*), got shape {Lab.shape}")
    return Lab[..., 0], Lab[..., 1], Lab[..., 2]


def delta_E_CIE1976(Lab_1: np.ndarray, Lab_2: np.ndarray) -> np.ndarray:
    """CIE 1976 colour difference: Euclidean distance in CIELAB."""
    L1, a1, b1 = _split(Lab_1)
    L2, a2, b2 = _split(Lab_2)
    return np.sqrt((L1 - L2) ** 2 + (a1 - a2) ** 2 + (b1 - b2) ** 2)


def _delta_H_squared(a1, b1, a2, b2, C1, C2) -> np.ndarray:
    """dH*ab squared, from da, db and dC; clipped at 0 against rounding."""
    return np.maximum((a1 - a2) ** 2 + (b1 - b2) ** 2 - (C1 - C2) ** 2, 0.0)


def delta_E_CIE1994(Lab_1: np.ndarray, Lab_2: np.ndarray,
                    application: str = "graphic_arts") -> np.ndarray:
    """CIE 1994 colour difference; ``Lab_1`` is the reference.

    Parameters
    ----------
    application : "graphic_arts" (kL=1, K1=0.045, K2=0.015) or "textiles" (kL=2, K1=0.048,
        K2=0.014).
    """
    weights = {"graphic_arts": (1.0, 0.045, 0.015), "textiles": (2.0, 0.048, 0.014)}
    if application not in weights:
        raise ValueError(f"unknown CIE94 application {application!r}: use 'graphic_arts' or "
                         "'textiles'")
    kL, K1, K2 = weights[application]
    L1, a1, b1 = _split(Lab_1)
    L2, a2, b2 = _split(Lab_2)
    C1, C2 = np.hypot(a1, b1), np.hypot(a2, b2)
    dL, dC = L1 - L2, C1 - C2
    dH2 = _delta_H_squared(a1, b1, a2, b2, C1, C2)
    SC = 1.0 + K1 * C1
    SH = 1.0 + K2 * C1
    return np.sqrt((dL / kL) ** 2 + (dC / SC) ** 2 + dH2 / SH ** 2)


def delta_E_CMC(Lab_1: np.ndarray, Lab_2: np.ndarray, l: float = 2.0, c: float = 1.0) -> np.ndarray:  # noqa: E741
    """CMC l:c colour difference; ``Lab_1`` is the reference. 2:1 for acceptability (default),
    1:1 for perceptibility."""
    L1, a1, b1 = _split(Lab_1)
    L2, a2, b2 = _split(Lab_2)
    C1, C2 = np.hypot(a1, b1), np.hypot(a2, b2)
    dL, dC = L1 - L2, C1 - C2
    dH2 = _delta_H_squared(a1, b1, a2, b2, C1, C2)
    h1 = np.degrees(np.arctan2(b1, a1)) % 360.0
    T = np.where((h1 >= 164.0) & (h1 <= 345.0),
                 0.56 + np.abs(0.2 * np.cos(np.radians(h1 + 168.0))),
                 0.36 + np.abs(0.4 * np.cos(np.radians(h1 + 35.0))))
    C1_4 = C1 ** 4
    F = np.sqrt(C1_4 / (C1_4 + 1900.0))
    SL = np.where(L1 < 16.0, 0.511, 0.040975 * L1 / (1.0 + 0.01765 * L1))
    SC = 0.0638 * C1 / (1.0 + 0.0131 * C1) + 0.638
    SH = SC * (F * T + 1.0 - F)
    return np.sqrt((dL / (l * SL)) ** 2 + (dC / (c * SC)) ** 2 + dH2 / SH ** 2)


def delta_E_CIE2000(Lab_1: np.ndarray, Lab_2: np.ndarray, kL: float = 1.0, kC: float = 1.0,
                    kH: float = 1.0) -> np.ndarray:
    """CIEDE2000 colour difference (symmetric), following Sharma, Wu and Dalal (2005).

    Angles are handled in radians throughout (the published formula is stated in degrees).
    """
    L1, a1, b1 = _split(Lab_1)
    L2, a2, b2 = _split(Lab_2)
    two_pi = 2.0 * np.pi
    C1 = np.sqrt(a1 * a1 + b1 * b1)
    C2 = np.sqrt(a2 * a2 + b2 * b2)
    C_bar7 = (0.5 * (C1 + C2)) ** 7
    G = 0.5 * (1.0 - np.sqrt(C_bar7 / (C_bar7 + 25.0 ** 7)))
    a1p = (1.0 + G) * a1
    a2p = (1.0 + G) * a2
    C1p = np.sqrt(a1p * a1p + b1 * b1)
    C2p = np.sqrt(a2p * a2p + b2 * b2)
    # Hue angles 0..2pi; 0 where the chroma is 0 (Sharma note 1: arctan2(0, 0) is 0).
    h1p = np.arctan2(b1, a1p)
    h1p = np.where(h1p < 0.0, h1p + two_pi, h1p)
    h2p = np.arctan2(b2, a2p)
    h2p = np.where(h2p < 0.0, h2p + two_pi, h2p)

    chroma_product = C1p * C2p
    zero_chroma = chroma_product == 0.0
    dhp = h2p - h1p
    dhp = np.where(dhp > np.pi, dhp - two_pi, np.where(dhp < -np.pi, dhp + two_pi, dhp))
    dhp = np.where(zero_chroma, 0.0, dhp)
    dHp = 2.0 * np.sqrt(chroma_product) * np.sin(0.5 * dhp)

    Lp_bar = 0.5 * (L1 + L2)
    Cp_bar = 0.5 * (C1p + C2p)
    h_sum = h1p + h2p
    far = np.abs(h1p - h2p) > np.pi
    hp_bar = np.where(far, np.where(h_sum < two_pi, h_sum + two_pi, h_sum - two_pi), h_sum) * 0.5
    hp_bar = np.where(zero_chroma, h_sum, hp_bar)

    T = (1.0
         - 0.17 * np.cos(hp_bar - np.radians(30.0))
         + 0.24 * np.cos(2.0 * hp_bar)
         + 0.32 * np.cos(3.0 * hp_bar + np.radians(6.0))
         - 0.20 * np.cos(4.0 * hp_bar - np.radians(63.0)))
    # d_theta = 30 deg * exp(-((hbar - 275 deg) / 25 deg)^2)
    d_theta = np.radians(30.0) * np.exp(-(((hp_bar - np.radians(275.0)) / np.radians(25.0)) ** 2))
    Cp_bar7 = Cp_bar ** 7
    RC = 2.0 * np.sqrt(Cp_bar7 / (Cp_bar7 + 25.0 ** 7))
    L50 = (Lp_bar - 50.0) ** 2
    SL = 1.0 + 0.015 * L50 / np.sqrt(20.0 + L50)
    SC = 1.0 + 0.045 * Cp_bar
    SH = 1.0 + 0.015 * Cp_bar * T
    RT = -np.sin(2.0 * d_theta) * RC

    tL = (L2 - L1) / (kL * SL)
    tC = (C2p - C1p) / (kC * SC)
    tH = dHp / (kH * SH)
    return np.sqrt(tL * tL + tC * tC + tH * tH + RT * tC * tH)


_FUNCTIONS = {
    "ciede2000": delta_E_CIE2000,
    "cie94": delta_E_CIE1994,
    "cie76": delta_E_CIE1976,
    "cmc": delta_E_CMC,
}


def delta_E(Lab_1: np.ndarray, Lab_2: np.ndarray, formula: str = "ciede2000",
            **params) -> np.ndarray:
    """Colour difference between ``Lab_1`` and ``Lab_2`` (broadcast, (..., 3) -> (...)).

    Parameters
    ----------
    Lab_1, Lab_2 : array_like (..., 3)
        CIELAB, L* 0..100. For cie94 and cmc ``Lab_1`` is the reference.
    formula : "ciede2000" (params kL, kC, kH), "cie94" (application="graphic_arts"|"textiles"),
        "cie76", "cmc" (l=2, c=1).

    Returns
    -------
    ndarray (...) of float64; a scalar array for single colours.

    Raises
    ------
    ValueError
        Unknown formula or parameter, or arrays without a last axis of 3.
    """
    key = formula.lower().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {"de2000": "ciede2000", "cie2000": "ciede2000", "de00": "ciede2000",
               "cie1994": "cie94", "cie1976": "cie76", "cmclc": "cmc"}
    key = aliases.get(key, key)
    function = _FUNCTIONS.get(key)
    if function is None:
        raise ValueError(f"unknown delta-E formula {formula!r}: use one of {', '.join(FORMULAS)}")
    try:
        return function(Lab_1, Lab_2, **params)
    except TypeError as exc:
        raise ValueError(f"bad parameters for {FORMULA_LABELS[key]}: {exc}") from exc


def normalise_formula(formula: str) -> str:
    """The canonical formula name for ``formula`` (accepts aliases like "dE00"); ValueError if
    unknown."""
    delta_E(np.zeros(3), np.zeros(3), formula)  # validates
    key = formula.lower().replace("-", "").replace("_", "").replace(" ", "")
    return {"de2000": "ciede2000", "cie2000": "ciede2000", "de00": "ciede2000",
            "cie1994": "cie94", "cie1976": "cie76", "cmclc": "cmc"}.get(key, key)


def delta_E_components(Lab_ref: np.ndarray, Lab: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                      np.ndarray]:
    """Lightness, chroma and hue differences of ``Lab`` relative to ``Lab_ref`` (CIELAB units).

    Returns
    -------
    dL, dC, dH : ndarrays
        dL* = L*(Lab) - L*(ref); dC*ab = C*(Lab) - C*(ref); dH*ab signed by the direction of the
        hue rotation from the reference to the sample (positive = counter-clockwise in the a*b*
        plane), with dL*^2 + dC*^2 + dH*^2 = dE76^2.
    """
    L1, a1, b1 = _split(Lab_ref)
    L2, a2, b2 = _split(Lab)
    C1, C2 = np.hypot(a1, b1), np.hypot(a2, b2)
    dH = np.sqrt(_delta_H_squared(a1, b1, a2, b2, C1, C2))
    sign = np.sign(a1 * b2 - b1 * a2)  # cross product: counter-clockwise positive
    return L2 - L1, C2 - C1, dH * np.where(sign == 0, 1.0, sign)
