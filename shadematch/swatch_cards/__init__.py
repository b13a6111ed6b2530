"""Your own pigments from a dilution swatch card, Qt-free.

Print a card (:func:`shadematch.reporting.swatch_card_pdf.write_card`), paint each dilution of
each pigment in its numbered cell, photograph it beside a ColorChecker, then
:func:`read_card` finds the corner marks and measures every cell and
:func:`palette_document` fits each pigment's optics from its series and builds a palette (v2)
the appearance model can use.
"""

from __future__ import annotations

from shadematch.swatch_cards.layout import CardError, CardLayout, parse_dilution, read_layout
from shadematch.swatch_cards.optics_fit import PigmentFit, fit_pigment, palette_document
from shadematch.swatch_cards.reading import CardReading, CellReading, find_marks, read_card

__all__ = ["CardError", "CardLayout", "CardReading", "CellReading", "PigmentFit", "find_marks",
           "fit_pigment", "palette_document", "parse_dilution", "read_card", "read_layout"]
