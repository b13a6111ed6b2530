"""A synthetic shaved scalp for the preview window's tests: skin with shading, stubble patch."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "color"))

import numpy as np
from synthetic_scalp import FOLLICLE_DARK, SKIN_TONES, scalp_photo  # noqa: E402


def scalp_rgb(width: int = 900, height: int = 600) -> np.ndarray:
    """Skin lit from the upper left (shading), a 200 x 200 patch of stubble at the left."""
    from shadematch.color.conversion import linear_to_sRGB, sRGB_to_linear

    skin = np.asarray(SKIN_TONES["medium"], dtype=np.uint8)
    yy, xx = np.mgrid[0:height, 0:width]
    light = 1.0 - 0.35 * (xx / width) - 0.2 * (yy / height)
    lin = sRGB_to_linear(skin).astype(float)[None, None, :] * light[..., None]
    rgb = np.clip(np.rint(linear_to_sRGB(lin) * 255), 0, 255).astype(np.uint8)
    rgb[380:580, 20:220] = scalp_photo(SKIN_TONES["medium"], FOLLICLE_DARK, coverage=0.15,
                                       radius=3.0, size=200, seed=3)
    return rgb


HAIR_REGION = (30, 390, 180, 180)
SKIN_REGION = (260, 420, 120, 120)
