"""Fit a pigment's optics from its measured dilution series on card, and build a palette (v2).

A swatch of pigment fraction ``c`` on white card is modelled spectrally as

    R(lambda) = F + (R_card(lambda) - F) * exp(-KAPPA_CARD * c * a(lambda))

with ``a`` the pigment's absorption relative to the reference carbon black at 550 nm (the
palette's ``optics``: carbon x (lambda/550)^-angstrom + a brown and a blue toner, see
:mod:`shadematch.appearance.pigment_optics`), ``F`` the surface reflectance a neat, opaque swatch
keeps, and ``R_card`` the blank card's reflectance (a smooth spectrum fitted to the blank cells).
``KAPPA_CARD`` = 11 is the optical thickness of a neat reference-black swatch, the value of the
shipped modelled palettes' neutral black (``k_RGB`` 11, :mod:`shadematch.palettes.dilution_model`):
an ASSUMPTION that ties the card to the skin model, whose absolute strength a clinic's healed
results then correct (``ModelParameters.pigment_strength``).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

import numpy as np

from shadematch.appearance import tissue
from shadematch.appearance.pigment_optics import Colourant, PigmentOptics
from shadematch.swatch_cards.layout import CardError, dilution_text
from shadematch.swatch_cards.reading import CardReading

KAPPA_CARD = 11.0
BROWN = {"decay_nm": 70.0}              # the brown toner's shape (as derived format-1 optics)
BLUE = {"peak_nm": 610.0, "width_nm": 50.0}
MIN_CELLS = 3                           # painted, usable cells needed per pigment
FIT_WARNING_DE00 = 2.0
# bounds: surface F, carbon, angstrom exponent, brown strength, blue strength
LOW = np.array([0.0, 0.0, 0.6, 0.0, 0.0])
HIGH = np.array([0.08, 6.0, 1.3, 6.0, 6.0])


@dataclass(frozen=True)
class PigmentFit:
    name: str
    optics: PigmentOptics
    surface: float
    mean_de00: float
    max_de00: float
    cells_used: int
    warnings: tuple[str, ...]

    def undertone(self) -> str:
        brown = sum(c.strength for c in self.optics.colourants if c.shape == "exponential")
        blue = sum(c.strength for c in self.optics.colourants if c.shape == "gaussian")
        carbon = max(self.optics.carbon, 1e-6)
        if brown / carbon > 0.15 and brown > blue:
            return "warm"
        if blue / carbon > 0.08:
            return "cool"
        return "neutral"


def _card_spectrum(blank_Lab) -> np.ndarray:
    """A smooth reflectance spectrum (quadratic in wavelength) with the blank card's Lab."""
    from scipy.optimize import least_squares

    w = (tissue.WAVELENGTHS - 580.0) / 200.0
    target = np.asarray(blank_Lab, dtype=np.float64)

    def spectrum(p):
        return np.clip(p[0] + p[1] * w + p[2] * w * w, 1e-4, 1.0)

    fit = least_squares(lambda p: tissue.reflectance_to_Lab(spectrum(p)) - target,
                        [0.8, 0.0, 0.0], bounds=([0.0, -1, -1], [1.0, 1, 1]))
    return spectrum(fit.x)


def _absorption(p: np.ndarray) -> np.ndarray:
    _, carbon, angstrom, brown, blue = p
    lam = tissue.WAVELENGTHS
    return (carbon * (lam / 550.0) ** -angstrom + brown * np.exp(-(lam - 400.0) / BROWN["decay_nm"])
            + blue * np.exp(-0.5 * ((lam - BLUE["peak_nm"]) / BLUE["width_nm"]) ** 2))


def card_Lab(p: np.ndarray, fractions: np.ndarray, card: np.ndarray) -> np.ndarray:
    """Modelled Lab (n, 3) of swatches of pigment ``fractions`` (n,) on ``card`` (41,)."""
    surface = p[0]
    a = _absorption(p)
    R = surface + (card - surface)[None, :] * np.exp(-KAPPA_CARD * fractions[:, None] * a[None, :])
    return tissue.reflectance_to_Lab(R)


def fit_pigment(reading: CardReading, row: int) -> PigmentFit:
    """Fit the optics of the pigment in ``row`` of the card from its painted cells.

    Raises
    ------
    CardError
        Fewer than MIN_CELLS usable cells (unpainted or uneven ones are left out).
    """
    from scipy.optimize import least_squares

    from shadematch.color.delta_e import delta_E

    name = reading.layout.pigments[row]
    usable = [c for c in reading.series(row)
              if not any("unpainted" in w or "uneven" in w for w in c.warnings)]
    if len(usable) < MIN_CELLS:
        raise CardError(f"{name}: only {len(usable)} usable painted cells (at least {MIN_CELLS} "
                        f"dilutions are needed to fit the pigment): paint the missing cells "
                        f"evenly and photograph the card again")
    fractions = np.array([p / (p + w) for w, p in
                          (reading.layout.dilutions[c.cell.column] for c in usable)])
    measured = np.array([c.Lab for c in usable])
    card = _card_spectrum(reading.blank_Lab(row))
    best = None
    for start in ([0.03, 1.0, 1.0, 0.1, 0.1], [0.03, 0.8, 1.0, 0.8, 0.0],
                  [0.03, 1.0, 1.0, 0.0, 0.5]):
        fit = least_squares(lambda p: (card_Lab(p, fractions, card) - measured).ravel(),
                            start, bounds=(LOW, HIGH))
        if best is None or fit.cost < best.cost:
            best = fit
    p = best.x
    errors = delta_E(measured, card_Lab(p, fractions, card))
    colourants = []
    if p[3] > 1e-3:
        colourants.append(Colourant("exponential", round(float(p[3]), 4), decay_nm=BROWN["decay_nm"],
                                    name="brown toner (fitted)"))
    if p[4] > 1e-3:
        colourants.append(Colourant("gaussian", round(float(p[4]), 4), peak_nm=BLUE["peak_nm"],
                                    width_nm=BLUE["width_nm"], name="blue toner (fitted)"))
    optics = PigmentOptics(round(float(p[1]), 4), round(float(p[2]), 4), tuple(colourants),
                           "palette file")
    warnings = []
    if float(np.mean(errors)) > FIT_WARNING_DE00:
        warnings.append(f"{name}: the card model reproduces the swatches only to "
                        f"{np.mean(errors):.1f} dE00 on average: check the cells' dilutions and "
                        f"that the card is lit evenly")
    return PigmentFit(name, optics, float(p[0]), float(np.mean(errors)), float(np.max(errors)),
                      len(usable), tuple(warnings))


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")
    return s or "pigment"


def palette_document(reading: CardReading, name: str, line: str = "",
                     version: str | None = None) -> tuple[dict, list[PigmentFit]]:
    """A palette (format 2) from a card reading: each pigment's measured dilutions on card (as
    measured, "surface": "white card") and its fitted optics."""
    if not reading.calibrated:
        raise CardError("the card photo is not calibrated: photograph the card beside a "
                        "ColorChecker and give the chart, so the palette's colours are measured "
                        "colours")
    fits = [fit_pigment(reading, row) for row in range(len(reading.layout.pigments))]
    today = _dt.date.today().isoformat()
    pigments = []
    for row, fit in enumerate(fits):
        entry = {"id": slug(fit.name), "name": fit.name, "line": line,
                 "undertone": fit.undertone(), "optics": {**fit.optics.to_dict(), "notes": (
                     f"fitted from a swatch card photographed {today}: card model mean "
                     f"{fit.mean_de00:.2f} dE00 over {fit.cells_used} cells")}}
        dilutions = []
        for c in reading.series(row):
            if any("unpainted" in w for w in c.warnings):
                continue
            water, pigment = reading.layout.dilutions[c.cell.column]
            colour = {"lab": [round(v, 3) for v in c.Lab], "illuminant": "D65",
                      "observer": "2", "surface": "white card"}
            if water == 0:
                entry["colour"] = colour
            else:
                dilutions.append({"water_parts": water, "pigment_parts": pigment,
                                  "colour": colour})
        if dilutions:
            entry["dilutions"] = sorted(dilutions,
                                        key=lambda d: d["water_parts"] / d["pigment_parts"])
        pigments.append(entry)
    spreads = ", ".join(f"cell {c.cell.number} {c.spread_de00:.1f}" for c in reading.cells)
    document = {
        "format": "shadematch-palette", "format_version": 2, "name": name,
        "version": version or today,
        "provenance": (f"Measured by shadematch from a photographed swatch card "
                       f"({reading.layout.title or 'untitled'}, dilutions "
                       f"{', '.join(dilution_text(w, p) for w, p in reading.layout.dilutions)}), "
                       f"calibrated with the chart in the photo, {today}. Cell spreads (median "
                       f"dE00): {spreads}."),
        "description": "Your own pigments on white card; optics fitted from the dilution series "
                       "(docs/PALETTE_FORMAT.md).",
        "pigments": pigments,
    }
    return document, fits

