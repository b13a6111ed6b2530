"""Optical properties of SMP pigments: carbon black as a broadband absorber, plus colourants.

A pigment's absorption spectrum is given *relative to the reference carbon black* at 550 nm::

    a(lambda) = carbon * (lambda / 550)^-angstrom_exponent + sum(colourant shapes)

Carbon black absorbs about as lambda^-1 (absorption Angstrom exponent about 1.0, observed 0.6-1.3:
Liu et al. 2018, Atmos Chem Phys 18:6259; Bond & Bergstrom 2006). A colourant adds
``"gaussian"`` absorption (``strength`` at ``peak_nm``, standard deviation ``width_nm``: e.g. a blue
toner absorbing orange-red light) or ``"exponential"`` absorption (``strength`` at 400 nm falling
as exp(-(lambda - 400)/decay_nm): a brown, iron-oxide-like toner absorbing blue).

The absolute scale (how strongly a neat pigment absorbs once healed in the skin) is an assumption
of the prediction model (:data:`shadematch.appearance.predict.NEAT_INK_MUA_550`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from shadematch.appearance.tissue import WAVELENGTHS

COLOURANT_SHAPES = ("gaussian", "exponential")
OPTICS_KEYS = {"carbon", "angstrom_exponent", "colourants", "notes"}
COLOURANT_KEYS = {"name", "shape", "strength", "peak_nm", "width_nm", "decay_nm", "notes"}
# Where a pigment's optics came from, as recorded in an analysis.
SOURCE_FILE = "palette file"
SOURCE_DERIVED = "derived from the undertone (palette format 1)"


class OpticsValueError(ValueError):
    """A bad value in an ``optics`` block; ``field`` names it (e.g. ``colourants[0].peak_nm``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Colourant:
    """One colourant's absorption shape (see the module docstring); strengths relative to the
    reference carbon black at 550 nm."""

    shape: str
    strength: float
    peak_nm: float = 0.0
    width_nm: float = 0.0
    decay_nm: float = 0.0
    name: str = ""

    def absorption(self) -> np.ndarray:
        if self.shape == "gaussian":
            return self.strength * np.exp(-0.5 * ((WAVELENGTHS - self.peak_nm) / self.width_nm) ** 2)
        return self.strength * np.exp(-(WAVELENGTHS - 400.0) / self.decay_nm)

    def to_dict(self) -> dict:
        out: dict = {"shape": self.shape, "strength": self.strength}
        if self.name:
            out = {"name": self.name, **out}
        if self.shape == "gaussian":
            out.update(peak_nm=self.peak_nm, width_nm=self.width_nm)
        else:
            out["decay_nm"] = self.decay_nm
        return out


@dataclass(frozen=True)
class PigmentOptics:
    """A pigment's absorption relative to the reference carbon black (see the module docstring).

    Attributes
    ----------
    carbon : carbon-black absorption at 550 nm, relative to the reference (1 = reference), >= 0.
    angstrom_exponent : the carbon's spectral slope (1.0; literature 0.6-1.3).
    colourants : added toner absorptions.
    source : ``SOURCE_FILE`` or ``SOURCE_DERIVED``.
    """

    carbon: float = 1.0
    angstrom_exponent: float = 1.0
    colourants: tuple[Colourant, ...] = ()
    source: str = field(default=SOURCE_FILE, compare=False)

    def relative_absorption(self) -> np.ndarray:
        """Absorption (41,) over 380-780 nm, relative to the reference carbon black at 550 nm."""
        a = self.carbon * (WAVELENGTHS / 550.0) ** -self.angstrom_exponent
        for colourant in self.colourants:
            a = a + colourant.absorption()
        return a

    def to_dict(self) -> dict:
        """The ``optics`` block of a palette file (format version 2)."""
        out: dict = {"carbon": self.carbon, "angstrom_exponent": self.angstrom_exponent}
        if self.colourants:
            out["colourants"] = [c.to_dict() for c in self.colourants]
        return out


def _number(obj: dict, key: str, field: str, *, low: float, high: float,
            default: float | None = None) -> float:
    if key not in obj:
        if default is None:
            raise OpticsValueError(field, "missing; add a number")
        return default
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OpticsValueError(field, f"{value!r} is not a number")
    value = float(value)
    if not math.isfinite(value) or not low <= value <= high:
        raise OpticsValueError(field, f"is {value:g}; it must be between {low:g} and {high:g}")
    return value


def optics_from_dict(block: object) -> PigmentOptics:
    """Validate an ``optics`` block of a palette file.

    Raises
    ------
    OpticsValueError
        With the field (relative to ``optics``) and what is wrong.
    """
    if not isinstance(block, dict):
        raise OpticsValueError("", 'is not an object; write {"carbon": 1.0, '
                                   '"angstrom_exponent": 1.0}')
    unknown = sorted(k for k in block if k not in OPTICS_KEYS and not str(k).startswith("_"))
    if unknown:
        raise OpticsValueError(unknown[0], f"unknown field; allowed fields are "
                                           f"{', '.join(sorted(OPTICS_KEYS))}")
    carbon = _number(block, "carbon", "carbon", low=0.0, high=20.0)
    aae = _number(block, "angstrom_exponent", "angstrom_exponent", low=0.0, high=3.0, default=1.0)
    colourants = []
    raw = block.get("colourants", [])
    if not isinstance(raw, list):
        raise OpticsValueError("colourants", "is not a list of colourants")
    for i, c in enumerate(raw):
        where = f"colourants[{i}]"
        if not isinstance(c, dict):
            raise OpticsValueError(where, 'is not an object; write {"shape": "gaussian", '
                                          '"strength": 0.2, "peak_nm": 600, "width_nm": 50}')
        unknown = sorted(k for k in c if k not in COLOURANT_KEYS and not str(k).startswith("_"))
        if unknown:
            raise OpticsValueError(f"{where}.{unknown[0]}", "unknown field; allowed fields are "
                                   f"{', '.join(sorted(COLOURANT_KEYS))}")
        shape = c.get("shape")
        if shape not in COLOURANT_SHAPES:
            raise OpticsValueError(f"{where}.shape", f"{shape!r}: use one of "
                                                     f"{', '.join(COLOURANT_SHAPES)}")
        strength = _number(c, "strength", f"{where}.strength", low=0.0, high=20.0)
        name = str(c.get("name", ""))
        if shape == "gaussian":
            colourants.append(Colourant(
                shape, strength, name=name,
                peak_nm=_number(c, "peak_nm", f"{where}.peak_nm", low=300.0, high=900.0),
                width_nm=_number(c, "width_nm", f"{where}.width_nm", low=5.0, high=300.0)))
        else:
            colourants.append(Colourant(
                shape, strength, name=name,
                decay_nm=_number(c, "decay_nm", f"{where}.decay_nm", low=5.0, high=1000.0)))
    if carbon == 0.0 and not colourants:
        raise OpticsValueError("carbon", "is 0 and there are no colourants: the pigment would "
                                         "absorb nothing")
    return PigmentOptics(carbon, aae, tuple(colourants), SOURCE_FILE)


# --- the format-1 rule -------------------------------------------------------------------------
# A format-1 pigment has only a card colour and an undertone word. Its optics are derived from the
# undertone with these fixed recipes (an ASSUMPTION documented in docs/PALETTE_FORMAT.md):
BLUE_TONER = Colourant("gaussian", 0.25, peak_nm=610.0, width_nm=50.0, name="blue toner")
BROWN_TONER = Colourant("exponential", 0.6, decay_nm=70.0, name="brown toner")
_DERIVED = {
    "cool": PigmentOptics(1.0, 1.0, (BLUE_TONER,), SOURCE_DERIVED),
    "warm": PigmentOptics(0.85, 1.0, (BROWN_TONER,), SOURCE_DERIVED),
}
_NEUTRAL = PigmentOptics(1.0, 1.0, (), SOURCE_DERIVED)


def derived_optics(undertone: str) -> PigmentOptics:
    """Optics for a format-1 pigment: ``cool`` = carbon + blue toner, ``warm`` = 0.85 carbon +
    brown toner, anything else = carbon black."""
    return _DERIVED.get(str(undertone).strip().lower(), _NEUTRAL)
