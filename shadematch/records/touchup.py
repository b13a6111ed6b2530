"""Touch-up help: how a returning client's hair and skin colours changed since earlier visits.

Pure functions over Lab values (L* 0..100, D65, 2 degree observer). The difference is CIEDE2000
(``shadematch.color.delta_E``); its components and the direction words
(``shadematch.matching.direction_words``, the same words the ranking uses) describe the colour
*now* relative to the colour *then*: "darker" means today's sample is darker than at that visit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def compare(Lab_then: Sequence[float], Lab_now: Sequence[float]) -> dict:
    """``{"delta_e", "dL", "dC", "dH", "direction"}`` of now versus then (rounded to 0.01).

    ``delta_e`` is CIEDE2000; dL, dC, dH are CIELAB differences (now minus then).
    """
    from shadematch.color import delta_E, delta_E_components
    from shadematch.matching import direction_words

    then = np.asarray(Lab_then, dtype=np.float64)
    now = np.asarray(Lab_now, dtype=np.float64)
    dL, dC, dH = (float(v) for v in delta_E_components(then, now))
    da, db = float(now[1] - then[1]), float(now[2] - then[2])
    return {"delta_e": round(float(delta_E(then, now, formula="ciede2000")), 2),
            "dL": round(dL, 2), "dC": round(dC, 2), "dH": round(dH, 2),
            "direction": list(direction_words(dL, dC, da, db))}


def sample_lab(analysis: dict, region_class: str) -> list[float] | None:
    """The Lab of ``samples[region_class]`` in an analysis record, or None."""
    samples = analysis.get("samples") if isinstance(analysis, dict) else None
    sample = samples.get(region_class) if isinstance(samples, dict) else None
    lab = sample.get("lab") if isinstance(sample, dict) else None
    if not isinstance(lab, (list, tuple)) or len(lab) != 3:
        return None
    try:
        values = [float(v) for v in lab]
    except (TypeError, ValueError):
        return None
    return values if all(math.isfinite(v) for v in values) else None
