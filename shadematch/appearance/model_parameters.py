"""The appearance model's adjustable parameters: the shipped assumptions, or a clinic's own fit.

The numbers no publication gives (how much a neat ink absorbs once healed in the skin, how deep
it sits, how much darker it is in the first days, how fast it fades, how strong each pigment is
relative to the reference carbon black) are collected in :class:`ModelParameters`. The shipped
defaults are the ASSUMPTIONS of docs/APPEARANCE.md; :mod:`shadematch.appearance.learning` fits
them to a clinic's follow-up photos, and every prediction records which model it used
(``name`` and ``version``).

The amount of ink in the skin over time, relative to healed (:func:`ink_amount`):

* day 0-7: ``fresh_factor`` (more ink sits in the healing epidermis and papillary dermis);
* day 7-42: falls log-linearly from ``fresh_factor`` to 1 (the skin sheds, the dot settles);
* from day 42 (healed, 4-6 weeks): ``(1 - fade_per_year) ** years_since_healed``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from shadematch.errors import AppearanceError

FRESH_DAYS = 7.0        # ASSUMPTION: the first week looks "fresh"
HEALED_DAYS = 42.0      # 6 weeks: healed (the practice: judge a session at 4-6 weeks)
DAYS_PER_YEAR = 365.25

# Bounds a fit may move each parameter in (the physically plausible range), docs/APPEARANCE.md.
BOUNDS = {
    "neat_ink_mua_550": (20.0, 3000.0),      # cm^-1
    "dermis_above_ink_um": (0.0, 150.0),     # um below the dermal-epidermal junction
    "fresh_factor": (1.0, 5.0),
    "fade_per_year": (0.0, 0.5),
    "pigment_strength": (0.2, 5.0),
}


@dataclass(frozen=True)
class ModelParameters:
    """The adjustable numbers of the appearance model (see the module docstring).

    ``pigment_strength`` maps a pigment id to a factor on its concentration (a clinic's bottle of
    that pigment absorbing more or less than the palette's optics say); absent ids are 1.
    ``name`` and ``version`` identify the model in every analysis that used it ("shipped" 1 is the
    assumptions of docs/APPEARANCE.md).
    """

    neat_ink_mua_550: float = 200.0
    dermis_above_ink_um: float = 10.0
    fresh_factor: float = 2.0
    fade_per_year: float = 0.08
    pigment_strength: dict = field(default_factory=dict)
    name: str = "shipped"
    version: int = 1

    def __post_init__(self) -> None:
        for key in ("neat_ink_mua_550", "dermis_above_ink_um", "fresh_factor", "fade_per_year"):
            value = getattr(self, key)
            low, high = BOUNDS[key]
            if not (isinstance(value, (int, float)) and math.isfinite(value)
                    and low <= value <= high):
                raise AppearanceError(f"model parameter {key} = {value!r} is outside "
                                      f"{low:g}..{high:g}: the model record is damaged; use the "
                                      f"shipped model or fit again")
        low, high = BOUNDS["pigment_strength"]
        for pigment, value in self.pigment_strength.items():
            if not (isinstance(value, (int, float)) and math.isfinite(value)
                    and low <= value <= high):
                raise AppearanceError(f"model strength of pigment {pigment!r} = {value!r} is "
                                      f"outside {low:g}..{high:g}: fit the model again")

    @property
    def dermis_above_ink_cm(self) -> float:
        return self.dermis_above_ink_um * 1e-4

    def strength(self, pigment_id: str) -> float:
        return float(self.pigment_strength.get(pigment_id, 1.0))

    def to_dict(self) -> dict:
        return {"name": self.name, "version": self.version,
                "neat_ink_mua_550": round(self.neat_ink_mua_550, 4),
                "dermis_above_ink_um": round(self.dermis_above_ink_um, 3),
                "fresh_factor": round(self.fresh_factor, 4),
                "fade_per_year": round(self.fade_per_year, 5),
                "pigment_strength": {k: round(v, 4) for k, v in
                                     sorted(self.pigment_strength.items())}}

    @classmethod
    def from_dict(cls, data: dict) -> ModelParameters:
        try:
            return cls(neat_ink_mua_550=float(data["neat_ink_mua_550"]),
                       dermis_above_ink_um=float(data["dermis_above_ink_um"]),
                       fresh_factor=float(data["fresh_factor"]),
                       fade_per_year=float(data["fade_per_year"]),
                       pigment_strength={str(k): float(v) for k, v in
                                         dict(data.get("pigment_strength") or {}).items()},
                       name=str(data.get("name", "clinic")), version=int(data.get("version", 1)))
        except (KeyError, TypeError, ValueError) as exc:
            raise AppearanceError(f"the appearance model record is damaged ({exc}): use the "
                                  f"shipped model or fit again") from None


SHIPPED = ModelParameters()


def ink_amount(days, model: ModelParameters = SHIPPED) -> np.ndarray:
    """Ink in the skin relative to healed, ``days`` after the session (array-like)."""
    days = np.asarray(days, dtype=np.float64)
    if not np.all(np.isfinite(days)) or np.any(days < 0):
        raise AppearanceError(f"the time since the session ({days.tolist()} days) must be a "
                              f"number of days >= 0")
    fresh = math.log(model.fresh_factor)
    settling = np.clip((days - FRESH_DAYS) / (HEALED_DAYS - FRESH_DAYS), 0.0, 1.0)
    amount = np.exp(fresh * (1.0 - settling))
    years = np.maximum(days - HEALED_DAYS, 0.0) / DAYS_PER_YEAR
    return amount * (1.0 - model.fade_per_year) ** years
