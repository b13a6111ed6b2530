"""Photos and colours shared by the consultation-preview tests."""

from __future__ import annotations

import numpy as np


def flat_photo(Lab, height: int = 300, width: int = 400, dtype=np.uint8) -> np.ndarray:
    """A photo of one colour (CIELAB), sRGB ``dtype``."""
    from shadematch.color.conversion import Lab_to_sRGB

    rgb01, _ = Lab_to_sRGB(np.asarray(Lab, dtype=float))
    top = 65535 if dtype == np.uint16 else 255
    pixel = np.rint(np.clip(rgb01, 0, 1) * top).astype(dtype)
    return np.tile(pixel, (height, width, 1))


SKIN_LAB = (62.0, 12.0, 18.0)       # a medium ("intermediate") scalp
