"""The report's pages: the order of the sections, page numbers, running header, swatches.

Page 1: header (clinic, client, date, practitioner), the photo with outlined regions and legend,
the chosen shade beside the client's hair (healed, fresh, on card) with its recipe, calibration
status, the warnings to check, the session plan and the prediction note, the measured samples.
Then the ranked matches, notes and measurement details; with a treatment design, the consultation
preview (before, first session and final plan, healed); last, the client's aftercare page. Every
page has a footer (page x of y, app version, palette, formula) and, from page 2, a running header.

The sections of each copy (practitioner, client) and their order are declared in
:mod:`shadematch.reporting.copies`. What is said comes from :func:`shadematch.reporting.content.report_content`; the sections are
drawn by :mod:`shadematch.reporting.sections`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np

from shadematch import __version__
from shadematch.reporting import copies, text
from shadematch.reporting.canvas import (
    MUTED,
    RULE,
    Page,
    SwatchPlacement,
    box,
    make_canvas,
    rule,
    swatch,
)
from shadematch.reporting.colours import add_srgb_output_intent, lab_to_srgb
from shadematch.reporting.content import LabTuple, ReportContent, report_content, valid_lab
from shadematch.reporting.figure import render_figure
from shadematch.reporting.options import RenderedReport, ReportCancelled, ReportOptions

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]


class ReportLayout:
    """Draws one report, section by section, on a numbered canvas; :meth:`render` returns it."""

    def __init__(self, analysis: dict, photo_rgb: np.ndarray | None, options: ReportOptions,
                 progress: ProgressFn | None, cancelled: CancelledFn | None) -> None:
        self.content: ReportContent = report_content(analysis, options)
        self.analysis = analysis
        self.photo_rgb = photo_rgb
        self.o = options
        self._progress = progress
        self._cancelled = cancelled
        self.swatches: list[SwatchPlacement] = []
        self._page: Page | None = None

    # progress / cancel
    def step(self, fraction: float, message: str) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ReportCancelled("the report was cancelled: nothing was written")
        if self._progress is not None:
            self._progress(fraction, message)

    def swatch(self, c: Any, x: float, y: float, w: float, h: float, Lab: LabTuple | None,
               key: str) -> None:
        """A colour patch (recorded in :attr:`swatches`), or a labelled empty frame."""
        Lab = valid_lab(Lab)
        if Lab is None:
            # No usable colour recorded: an empty, labelled frame rather than a wrong colour.
            box(c, x, y, w, h, fill=(1, 1, 1), stroke=MUTED, width=0.5, radius=0)
            text.draw(c, x + w / 2, y + h / 2 - 3, "no colour", min(8.0, w / 5), align="centre",
                      color=MUTED)
            return
        rgb, in_gamut = lab_to_srgb(Lab)
        swatch(c, x, y, w, h, rgb, in_gamut)
        number = self._page.number if self._page is not None else 1
        self.swatches.append(SwatchPlacement(number, x, y, w, h, key, Lab, rgb, in_gamut))

    def footer(self, c: Any, number: int, total: int) -> None:
        width = c._pagesize[0]
        y = 30
        rule(c, 40, width - 40, y + 11, RULE, 0.5)
        items = list(self.content.footer)
        if self.o.copy == "client":
            items = [i for i in items if "ΔE" not in i]  # plain words: no colour formula
        items.append(f"{self.o.copy.capitalize()}'s copy")
        text.draw(c, 40, y, "  ·  ".join(items), 7.2, color=MUTED)
        text.draw(c, width - 40, y, f"Page {number} of {total}", 7.2, text.BOLD, align="right",
                  color=MUTED)
        if number > 1:
            # A running header, so a loose page still says whose report it is.
            top = c._pagesize[1] - 24
            text.draw(c, 40, top, f"{self.content.running_client}  ·  SMP shade report", 7.5,
                      color=MUTED)
            text.draw(c, width - 40, top, self.content.created, 7.5, align="right", color=MUTED)

    @property
    def page(self) -> Page:
        assert self._page is not None, "the page exists once render() has started"
        return self._page

    def figure(self) -> tuple[bytes, int, int]:
        self.step(0.1, "Reducing the photo")
        figure = render_figure(self.photo_rgb, self.content.regions, cancelled=self._cancelled)
        self.step(0.45, "Laying out the report")
        return figure

    def render(self) -> RenderedReport:
        from reportlab.lib.pagesizes import A4

        text.register_fonts()
        self.step(0.0, "Preparing the report")
        content = self.content
        buf = io.BytesIO()
        c = make_canvas(buf, A4, self.footer)
        add_srgb_output_intent(c)
        c.setTitle(content.title)
        c.setAuthor(content.author)
        c.setSubject(content.subject)
        c.setCreator(f"shadematch {__version__}")
        c.setKeywords("scalp micropigmentation, SMP, pigment, shade, CIELAB, delta-E")
        page = Page(c, *A4)
        self._page = page
        for section in copies.SECTIONS[self.o.copy]:
            section(self)
        c.showPage()
        self.step(0.9, "Compressing")
        c.save()
        return RenderedReport(buf.getvalue(), page.number, self.swatches)
