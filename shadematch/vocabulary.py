"""The words shown to people for the record's codes: one place, so every screen says the same.

The analysis record stores codes ("skin", "greycard", "healed", "visible difference"); the
window, the command line and the PDF report show these labels for them. Client-facing text
never condemns a shade: a band is a distance in practitioner words, not a verdict.
"""

from __future__ import annotations

import re

# Region classes ("hair", "skin", "scar", "healed" in the record).
REGION_LABELS = {"hair": "Hair", "skin": "Scalp skin", "scar": "Scar", "healed": "Healed SMP"}

# Reference charts of a calibration (``calibration.chart`` in the record), as a noun phrase.
CHART_NAMES = {"colorchecker24": "a ColorChecker 24 chart", "greycard": "a grey card"}

# The states of a pigment a report and the matching panel show side by side.
COLOUR_STATES = {
    "target": "Client's hair",
    "healed": "Predicted healed",
    "fresh": "Fresh (first days)",
    "faded": "Faded",
    "card": "On card (swatch)",
}

# Bands of the ranking. SMP bands (format 2) are said as they are; the dental bands of format-1
# records are shown in the same neutral words (never "unacceptable" to a client).
BAND_LABELS = {
    "matches": "matches",
    "close": "close",
    "visible difference": "visible difference",
    "imperceptible": "matches",
    "acceptable": "close",
    "unacceptable": "visible difference",
}

BASIS_LABELS = {"healed": "predicted healed colour in the client's skin",
                "card": "card swatch (not the healed colour)"}
AREA_LABELS = {"scalp": "scalp skin", "scar": "scar tissue"}


def region_label(region_class: str) -> str:
    """"Hair", "Scalp skin", "Scar" (an unknown class capitalised)."""
    return REGION_LABELS.get(str(region_class), str(region_class).capitalize())


def chart_name(chart: str | None) -> str:
    """"a ColorChecker 24 chart", "a grey card"; an unknown chart as "a <name> chart"."""
    if not chart:
        return "a reference chart"
    return CHART_NAMES.get(str(chart), f"a {chart} chart")


def calibration_label(chart: str | None) -> str:
    """"Calibrated with a grey card", "Calibrated with a ColorChecker 24 chart"."""
    return f"Calibrated with {chart_name(chart)}"


def band_label(band: str | None) -> str:
    """The band in practitioner words; "–" when there is none (formulas without bands)."""
    if not band:
        return "–"
    return BAND_LABELS.get(str(band), str(band))


def colour_state_label(state: str, years: float | None = None) -> str:
    """"Predicted healed", "On card (swatch)", "Faded after 5 years" ..."""
    if state == "faded" and years is not None:
        return f"Faded after {years:g} years"
    return COLOUR_STATES.get(state, state.capitalize())


# A palette entry's name carries its dilution ("Carbon Black 4:1", "Carbon Black (neat)"); a visit
# keeps the pigment and the dilution apart, and records written before that kept the entry name.
_NAME_DILUTION = re.compile(r"\s*(?:\((neat)\)|(\d+(?:\.\d+)?:\d+(?:\.\d+)?)|(neat))\s*$",
                            re.IGNORECASE)


def split_shade_name(name: str | None) -> tuple[str | None, str | None]:
    """``("Carbon Black", "4:1")`` from "Carbon Black 4:1"; a name without a dilution as is."""
    if not name:
        return None, None
    text = str(name).strip()
    found = _NAME_DILUTION.search(text)
    if found is None or found.start() == 0:
        return text, None
    dilution = next(g for g in found.groups() if g)
    return text[:found.start()].rstrip(" ,"), dilution.lower() if dilution.lower() == "neat" \
        else dilution


def shade_label(name: str | None, dilution: str | None = None,
                empty: str = "no shade chosen") -> str:
    """One pigment and one dilution (water:pigment): "Carbon Black, 4:1", "Carbon Black, neat".

    A name that already carries a dilution (an older record's "Carbon Black 2:1") is shown with
    the visit's own dilution only, never both.
    """
    pigment, named = split_shade_name(name)
    if not pigment:
        return empty
    dilution = (str(dilution).strip() if dilution else "") or named
    return f"{pigment}, {dilution}" if dilution else pigment
