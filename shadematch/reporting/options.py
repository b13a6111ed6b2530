"""What a report is made with (:class:`ReportOptions`) and what rendering gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shadematch.errors import ReportError
from shadematch.reporting.canvas import SwatchPlacement


class ReportCancelled(ReportError):
    """The report was cancelled before it was written; nothing was written."""


@dataclass
class ReportOptions:
    """What the practitioner adds to a report beyond the analysis.

    Attributes
    ----------
    client_name, practitioner : printed in the header (empty: left out).
    clinic_name, clinic_address, clinic_logo : the clinic block (from preferences; may be empty).
    clinic_phone : printed on the aftercare page ("call us if..."; empty: left out).
    aftercare : add the client's aftercare page.
    top : how many ranked matches to list (None: all in the record).
    copy : "practitioner" (every measurement detail) or "client" (plain words: the shade, the
        plan, the preview, aftercare); the sections of each are declared in
        :mod:`shadematch.reporting.copies`.
    visit, batch : the visit's kind and session number ("Session 2") and the pigment batch, in
        the practitioner's measurement details (empty: left out).
    """

    client_name: str = ""
    practitioner: str = ""
    clinic_name: str = ""
    clinic_address: str = ""
    clinic_logo: Path | None = None
    aftercare: bool = True
    top: int | None = None
    clinic_phone: str = ""
    copy: str = "practitioner"
    visit: str = ""
    batch: str = ""

    def __post_init__(self) -> None:
        if self.copy not in COPIES:
            raise ReportError(f"unknown report copy {self.copy!r}: choose "
                              + " or ".join(COPIES))


COPIES = ("client", "practitioner")


@dataclass
class RenderedReport:
    """A report rendered in memory: the PDF bytes and where its swatches are."""

    pdf: bytes
    pages: int
    swatches: list[SwatchPlacement] = field(default_factory=list)
