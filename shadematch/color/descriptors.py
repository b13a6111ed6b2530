"""Skin and hair descriptors: Individual Typology Angle and hair-to-skin contrast.

ITA is a colorimetric descriptor of skin (Chardon et al. 1991; classes after Del Bino et al. 2006).
It is not a Fitzpatrick phototype and must not be presented as one.
"""

from __future__ import annotations

import numpy as np

# (lower bound exclusive, label), checked from the lightest class down.
ITA_CLASSES = (
    (55.0, "very light"),
    (41.0, "light"),
    (28.0, "intermediate"),
    (10.0, "tan"),
    (-30.0, "brown"),
    (-np.inf, "dark"),
)


def ITA(Lab: np.ndarray) -> np.ndarray:
    """Individual Typology Angle in degrees: atan((L* - 50) / b*) * 180 / pi.

    Uses ``arctan2`` so that b* = 0 gives +/-90 degrees instead of a division by zero. The result is
    meaningful for skin (b* > 0).
    """
    Lab = np.asarray(Lab, dtype=np.float64)
    return np.degrees(np.arctan2(Lab[..., 0] - 50.0, Lab[..., 2]))


def ita_class(ita: float) -> str:
    """The ITA class name: very light > 55, light 41-55, intermediate 28-41, tan 10-28,
    brown -30-10, dark < -30 (degrees)."""
    if not np.isfinite(ita):
        return "unknown"
    for lower, label in ITA_CLASSES:
        if ita > lower:
            return label
    return "dark"


def hair_skin_contrast(hair_Lab: np.ndarray, skin_Lab: np.ndarray) -> float:
    """Lightness contrast dL* = L*(hair) - L*(skin); negative when the hair is darker."""
    return float(np.asarray(hair_Lab)[0] - np.asarray(skin_Lab)[0])
