"""Which sections each copy of the report has, in order: the one place to add a section.

A section is a function ``section(layout)`` drawing on ``layout.page`` from ``layout.content``
(see :class:`shadematch.reporting.layout.ReportLayout`); a new section module (consent, outcome
plots...) adds its function to the copies it belongs in, here.

- ``practitioner``: every measurement detail (samples, ranking with colour differences,
  calibration, measurement details, the warnings), then the preview and the aftercare page.
- ``client``: plain words: the chosen shade and its recipe beside the photo, the session plan,
  the consultation preview where there is one, and the aftercare page with the clinic's phone.
  No Lab values, no colour differences, no quality bands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shadematch.reporting import aftercare, preview_page, sections

if TYPE_CHECKING:
    from shadematch.reporting.layout import ReportLayout

Section = Callable[["ReportLayout"], None]


def header(r: ReportLayout) -> None:
    sections.header(r.page, r.content, r.o.clinic_logo)


def photo_and_shade(r: ReportLayout) -> None:
    sections.photo_and_side(r.page, r.content, r, r.figure if r.photo_rgb is not None else None)


def photo_and_shade_plain(r: ReportLayout) -> None:
    sections.photo_and_side(r.page, r.content, r, r.figure if r.photo_rgb is not None else None,
                            plain=True)


def plan_plain(r: ReportLayout) -> None:
    sections.plan(r.page, r.content.plan, r, plain=True)


def guardrails(r: ReportLayout) -> None:
    sections.guardrails(r.page, r.content.guardrails)


def plan(r: ReportLayout) -> None:
    sections.plan(r.page, r.content.plan, r)


def prediction_note(r: ReportLayout) -> None:
    sections.prediction_note(r.page, r.content.prediction_note)


def samples(r: ReportLayout) -> None:
    sections.samples(r.page, r.content.samples, r)


def ranking(r: ReportLayout) -> None:
    if r.content.ranking.rows:
        r.page.ensure(300)  # the table starts where a good part of it fits
    sections.ranking(r.page, r.content.ranking, r)


def notes(r: ReportLayout) -> None:
    sections.notes(r.page, r.content.notes)


def details(r: ReportLayout) -> None:
    sections.details(r.page, r.content.details)


def preview(r: ReportLayout) -> None:
    r.step(0.8, "Drawing the consultation preview")
    images = preview_page.preview_images(r.analysis, r.photo_rgb)
    if images is not None:
        preview_page.draw_page(r.page, images)


def aftercare_page(r: ReportLayout) -> None:
    r.step(0.85, "Adding aftercare")
    if r.o.aftercare:
        aftercare.draw_page(r.page, r.o)


SECTIONS: dict[str, tuple[Section, ...]] = {
    "practitioner": (header, photo_and_shade, guardrails, plan, prediction_note, samples,
                     ranking, notes, details, preview, aftercare_page),
    "client": (header, photo_and_shade_plain, plan_plain, preview, aftercare_page),
}
