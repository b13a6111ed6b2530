"""The workspace's vocabulary and defaults (region classes, treatment areas, ranking defaults)."""

from __future__ import annotations

from shadematch.vocabulary import REGION_LABELS

CLASS_LABELS = REGION_LABELS  # the words of shadematch.vocabulary
AREAS = ("scalp", "scar")
DEFAULT_FORMULA = "ciede2000"
DEFAULT_STEP_L = 4.0  # shadematch.plan.DEFAULT_STEP_L (not imported: it pulls in the model)
DEFAULT_TOP = 10
