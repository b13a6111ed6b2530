"""Drawing the report's sections: one function per section, each drawing its part of
:class:`~shadematch.reporting.content.ReportContent` at the page cursor and moving it down.

No decisions about what to say are made here (that is :mod:`shadematch.reporting.content`);
only where it goes. Units are PDF points, origin at the bottom-left of the page.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from shadematch.errors import ReportError
from shadematch.reporting import content as rc
from shadematch.reporting import text
from shadematch.reporting.canvas import (
    ACCENT,
    HIGHLIGHT,
    INK,
    MUTED,
    RULE,
    WARN,
    Page,
    box,
    heading,
    rule,
)
from shadematch.reporting.colours import class_colour


class Drawer(Protocol):
    """What a section needs from the layout: swatches (recorded) and progress steps."""

    def swatch(self, c: Any, x: float, y: float, w: float, h: float,
               Lab: rc.LabTuple | None, key: str) -> None: ...

    def step(self, fraction: float, message: str) -> None: ...


# -- page 1: header ---------------------------------------------------------------------------
def header(page: Page, content: rc.ReportContent, logo: Path | None) -> None:
    c = page.canvas
    top = page.y
    x = page.left
    if logo:
        logo_w = _draw_logo(c, Path(logo), x, top)
        x += logo_w + 10 if logo_w else 0
    y = top - 13
    if content.clinic_name:
        text.draw(c, x, y, content.clinic_name, 13, text.BOLD, color=INK)
        y -= 13
    for line in content.clinic_address:
        text.draw(c, x, y, line, 8.5, color=MUTED)
        y -= 10.5
    right = page.left + page.content_width
    text.draw(c, right, top - 14, "SMP shade report", 16, text.BOLD, align="right",
              color=ACCENT)
    text.draw(c, right, top - 28, content.created, 8.5, align="right", color=MUTED)
    page.y = min(y, top - 34) - 8
    rule(c, page.left, right, page.y, ACCENT, 1.2)
    page.y -= 20
    text.draw(c, page.left, page.y, "Client", 7.5, color=MUTED)
    text.draw(c, page.left + page.content_width * 0.55, page.y, "Practitioner", 7.5,
              color=MUTED)
    page.y -= 15
    # Long names shrink (down to 10 pt), then wrap: they never run into the next column.
    left_w = page.content_width * 0.55 - 12
    right_w = page.content_width * 0.45
    client = content.client
    size = max(10.0, min(14.0, 14.0 * left_w / max(1.0, text.width(client, 14, text.BOLD))))
    y_left = text.draw_wrapped(c, page.left, page.y, client, size, left_w, text.BOLD,
                               leading=size * 1.2, color=INK, rtl_right=False)
    y_right = text.draw_wrapped(c, page.left + page.content_width * 0.55, page.y,
                                content.practitioner, 11, right_w, leading=13, color=INK,
                                rtl_right=False)
    page.y = min(y_left, y_right) + 13 - 16


def _draw_logo(c: Any, path: Path, x: float, top: float) -> float:
    from PIL import Image, UnidentifiedImageError
    from reportlab.lib.utils import ImageReader

    try:
        with Image.open(path) as img:
            img.load()
            logo = img.convert("RGBA")
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise ReportError(
            f"the clinic logo {path} could not be read ({exc}): choose a PNG or JPEG file "
            "in Preferences, or remove the logo"
        ) from exc
    logo.thumbnail((480, 480))
    box_w, box_h = 90.0, 44.0
    scale = min(box_w / logo.width, box_h / logo.height)
    w, h = logo.width * scale, logo.height * scale
    buf = io.BytesIO()
    logo.save(buf, "PNG")
    buf.seek(0)
    c.drawImage(ImageReader(buf), x, top - h, w, h, mask="auto")
    return float(w)


# -- page 1: the photo and, beside it, the chosen shade and the calibration -------------------
def photo_and_side(page: Page, content: rc.ReportContent, drawer: Drawer,
                   figure: Callable[[], tuple[bytes, int, int]] | None,
                   plain: bool = False) -> None:
    """The photo with its regions, and beside it the chosen shade and the calibration.

    ``plain`` (the client's copy): the shade in words only (no colour difference, no
    measurement line) and no calibration block.
    """
    c = page.canvas
    col_w = page.content_width * 0.52
    top = page.y - 6
    if figure is not None:
        jpeg, pw, ph = figure()
        from reportlab.lib.utils import ImageReader

        scale = min(col_w / pw, 300.0 / ph)
        w, h = pw * scale, ph * scale
        c.drawImage(ImageReader(io.BytesIO(jpeg)), page.left, top - h, w, h)
        c.setStrokeColorRGB(*RULE)
        c.setLineWidth(0.5)
        c.rect(page.left, top - h, w, h, stroke=1, fill=0)
    else:
        # A session reopened without its photo: the saved measurements still stand.
        w, h = col_w, 120.0
        box(c, page.left, top - h, w, h, fill=(0.95, 0.95, 0.96), stroke=RULE)
        text.draw(c, page.left + w / 2, top - h / 2 + 4, "Photo not available", 10,
                  text.BOLD, align="centre", color=MUTED)
        text.draw(c, page.left + w / 2, top - h / 2 - 10, "(moved or deleted since the "
                  "analysis; measurements as saved)", 7.5, align="centre", color=MUTED)
    y = top - h - 13
    x = page.left
    if content.legend:
        for cls, label in content.legend:
            label_w = 18 + text.width(label, 8)
            if x > page.left and x + label_w > page.left + w:  # wrap, never past the photo
                x, y = page.left, y - 11
            c.setFillColorRGB(*(v / 255 for v in class_colour(cls)))
            c.rect(x, y - 1, 14, 8, stroke=0, fill=1)
            x += 18 + text.draw(c, x + 18, y, label, 8, color=INK) + 14
    else:
        text.draw(c, x, y, "No regions marked", 8, color=MUTED)
    if not plain:
        y -= 12
        text.draw(c, page.left, y, content.photo_line, 7.5, color=MUTED)
    bottom_left = y
    x0 = page.left + col_w + 14
    side_w = page.content_width - col_w - 14
    y = shades(c, x0, top, side_w, content, drawer, plain=plain)
    if not plain:
        y = calibration(c, x0, y - 12, side_w, content.calibration)
    page.y = min(bottom_left, y) - 18


def _swatch_row(c: Any, x: float, top: float, w: float, swatches: list[rc.Swatch],
                drawer: Drawer, size: float = 40.0) -> float:
    """Swatches side by side with their captions under them; returns the y below."""
    gap = 6.0
    n = max(1, len(swatches))
    size = min(size, (w - gap * (n - 1)) / n)
    for i, s in enumerate(swatches):
        sx = x + i * (size + gap)
        drawer.swatch(c, sx, top - size, size, size, s.Lab, s.key)
        lines = text.wrap(s.caption, 6.3, size + gap - 1)
        for j, line in enumerate(lines[:2]):
            text.draw(c, sx, top - size - 8 - 7.5 * j, line, 6.3, color=MUTED)
    return top - size - 8 - 7.5 * 2 - 3


PLAIN_NO_PICK = "Your practitioner will confirm the final shade with you."


def shades(c: Any, x: float, top: float, w: float, content: rc.ReportContent,
           drawer: Drawer, plain: bool = False) -> float:
    """The chosen shade(s) as cards, or "No shade chosen yet"; returns the y below.

    ``plain``: without the colour-difference line (the words stay)."""
    if content.no_pick is not None:
        # The client's copy: no best-match figures, just what happens next.
        line = (PLAIN_NO_PICK if plain else content.no_pick.line)
        height = 62 if line else 40
        box(c, x, top - height, w, height, fill=(0.98, 0.97, 0.94), stroke=RULE)
        text.draw(c, x + 9, top - 16, content.no_pick.title, 10, text.BOLD, color=INK)
        if line:
            text.draw_wrapped(c, x + 9, top - 31, line, 8.5, w - 18, color=MUTED)
        return top - height
    y = top
    inner = w - 18
    for card in content.shades:
        name_lines = text.wrap(card.pigment, 12, inner, text.BOLD)
        recipe_lines = text.wrap(card.recipe, 8.5, inner, text.BOLD)
        detail_lines = text.wrap(card.detail, 7.6, inner) if card.detail and not plain else []
        word_lines = text.wrap(card.words, 7.6, inner) if card.words else []
        height = (24 + 14 * len(name_lines) + 12 + 11 * len(recipe_lines) + 6 + 40 + 26
                  + 9.5 * (len(detail_lines) + len(word_lines)) + 6)
        box(c, x, y - height, w, height, fill=HIGHLIGHT if card.strong else (0.97, 0.97, 0.98),
            stroke=ACCENT if card.strong else RULE, width=1.6 if card.strong else 0.8)
        text.draw(c, x + 9, y - 14, card.title.upper(), 7.5, text.BOLD,
                  color=ACCENT if card.strong else MUTED)
        ty = y - 30
        for line in name_lines:
            text.draw(c, x + 9, ty, line, 12, text.BOLD, color=INK)
            ty -= 14
        text.draw(c, x + 9, ty, card.dilution, 8.5, color=INK)
        ty -= 11
        for line in recipe_lines:
            text.draw(c, x + 9, ty, line, 8.5, text.BOLD, color=INK)
            ty -= 11
        ty = _swatch_row(c, x + 9, ty - 4, inner, card.swatches, drawer)
        for line in detail_lines:
            text.draw(c, x + 9, ty, line, 7.6, color=INK)
            ty -= 9.5
        for line in word_lines:
            text.draw(c, x + 9, ty, line, 7.6, color=MUTED)
            ty -= 9.5
        y -= height + 8
    return y + 8


def calibration(c: Any, x: float, top: float, w: float, cal: rc.Calibration) -> float:
    text.draw(c, x, top - 10, "CALIBRATION", 7.5, text.BOLD, color=MUTED)
    y = text.draw_wrapped(c, x, top - 23, cal.status, 9, w, text.BOLD,
                          color=WARN if cal.warn else INK)
    for i, line in enumerate(cal.lines):
        y = text.draw_wrapped(c, x, y - (1 if cal.warn and i == 0 else 0), line, 7.5, w,
                              color=MUTED)
    for warning in cal.warnings:
        y = text.draw_wrapped(c, x, y, "⚠ " + warning, 7.5, w, color=WARN)
    return y


# -- the plan, the guardrails, the prediction note -------------------------------------------
def plan(page: Page, plan: rc.Plan | None, drawer: Drawer, plain: bool = False) -> None:
    """The session plan; ``plain`` (the client's copy): the plain intro and no technical notes."""
    if plan is None:
        return
    page.ensure(70 + 42 * len(plan.steps))  # the plan is read as a whole: kept on one page
    heading(page, plan.title)
    c = page.canvas
    page.y = text.draw_wrapped(c, page.left, page.y - 8, plan.plain_intro if plain else plan.intro,
                               8.5, page.content_width, color=INK) - 4
    text_x = page.left + 130
    text_w = page.content_width - 130
    for step in plan.steps:
        purpose = text.wrap(step.purpose, 7.8, text_w)
        height = max(34.0, 12 + 11 + 10 + 9.5 * len(purpose)) + 4
        page.ensure(height)
        top = page.y
        text.draw(c, page.left, top - 12, step.title, 9.5, text.BOLD, color=ACCENT)
        drawer.swatch(c, page.left + 88, top - 30, 30, 28, step.Lab, step.key)
        text.draw(c, text_x, top - 12, step.shade, 9.5, text.BOLD, color=INK)
        text.draw(c, text_x, top - 23, step.recipe, 8, color=INK)
        y = top - 33
        for line in purpose:
            text.draw(c, text_x, y, line, 7.8, color=MUTED)
            y -= 9.5
        page.y = min(top - height, y)
    for note in () if plain else plan.notes:
        page.ensure(14)
        page.y = text.draw_wrapped(c, page.left, page.y - 10, "• " + note, 7.8,
                                   page.content_width, color=MUTED) + 2
    page.y -= 6


def guardrails(page: Page, messages: list[str]) -> None:
    if not messages:
        return
    heading(page, "Check before you start")
    c = page.canvas
    for message in messages:
        page.ensure(24)
        page.y = text.draw_wrapped(c, page.left, page.y - 10, "⚠ " + message, 8.5,
                                   page.content_width, color=WARN) + 1
    page.y -= 8


def prediction_note(page: Page, note: str) -> None:
    if not note:
        return
    page.ensure(26)
    c = page.canvas
    page.y = text.draw_wrapped(c, page.left, page.y - 8, note, 8, page.content_width,
                               text.BOLD, color=MUTED) - 6


# -- measured colours ------------------------------------------------------------------------
def samples(page: Page, samples: rc.Samples, drawer: Drawer) -> None:
    heading(page, samples.title)
    c = page.canvas
    if samples.empty:
        page.y -= 10
        text.draw(c, page.left, page.y, samples.empty, 9, color=MUTED)
        page.y -= 12
        return
    if samples.contrast:
        text.draw(c, page.left, page.y - 8, samples.contrast, 8.5, color=MUTED)
        page.y -= 18
    for problem in samples.problems:
        page.ensure(30)
        page.y = text.draw_wrapped(c, page.left, page.y - 10, "⚠ " + problem, 8.5,
                                   page.content_width, color=WARN) - 4
    for row in samples.rows:
        _sample_row(page, row, drawer)


def _sample_row(page: Page, s: rc.SampleRow, drawer: Drawer) -> None:
    c = page.canvas
    col = page.left + 58
    text_w = page.content_width - 58
    warn_lines = sum(len(text.wrap("⚠ " + m, 7.5, text_w)) for m in s.warnings)
    height = max(50.0, 40 + 10 * warn_lines) + 6
    page.ensure(height)
    top = page.y
    if s.Lab is not None:
        drawer.swatch(c, page.left, top - 46, 46, 46, s.Lab, f"sample:{s.region_class}")
    c.setFillColorRGB(*(v / 255 for v in class_colour(s.region_class)))
    c.rect(col, top - 11, 4, 10, stroke=0, fill=1)
    text.draw(c, col + 8, top - 10, s.label, 10.5, text.BOLD, color=INK)
    x2 = col + 120
    text.draw(c, x2, top - 10, s.lab_text, 9, color=INK)
    text.draw(c, x2 + 190, top - 10, s.lch_text, 9, color=INK)
    text.draw(c, col + 8, top - 24, s.pixels_text, 8, color=MUTED)
    text.draw(c, col + 8, top - 36, s.detail_text, 8, color=MUTED)
    y = top - 48
    for message in s.warnings:
        y = text.draw_wrapped(c, col + 8, y, "⚠ " + message, 7.5, text_w - 8, color=WARN,
                              leading=10)
    page.y = min(top - 52, y) - 6
    rule(c, page.left, page.left + page.content_width, page.y + 3, (0.9, 0.9, 0.92), 0.4)
    page.y -= 4


# -- the ranking -----------------------------------------------------------------------------
# Widths sum to the A4 content width (595.28 - 2 x 40 pt).
_WIDTHS = (18, 38, 24, 102, 76, 44, 80, 80, 53)


def ranking(page: Page, ranking: rc.Ranking, drawer: Drawer) -> None:
    heading(page, ranking.title)
    c = page.canvas
    if not ranking.rows:
        page.y = text.draw_wrapped(c, page.left, page.y - 10, ranking.empty, 9,
                                   page.content_width, color=MUTED) - 2
        return
    intro_x = page.left
    if ranking.target is not None:
        drawer.swatch(c, page.left, page.y - 36, 30, 30, ranking.target.Lab, ranking.target.key)
        text.draw(c, page.left + 36, page.y - 16, ranking.target.caption, 8, text.BOLD,
                  color=INK)
        intro_x = page.left + 36
    y = text.draw_wrapped(c, intro_x, page.y - 28 if ranking.target is not None else page.y - 8,
                          ranking.intro, 8.2, page.left + page.content_width - intro_x,
                          color=INK)
    page.y = min(y, page.y - 40 if ranking.target is not None else y) - 4
    _table_header(page, ranking)
    page.on_new_page.append(lambda: _table_header(page, ranking))
    for i, row in enumerate(ranking.rows, start=1):
        drawer.step(0.5 + 0.3 * (i / max(1, len(ranking.rows))), "Listing the matches")
        _ranking_row(page, row, drawer)
    page.on_new_page.clear()
    page.y -= 6
    if ranking.out_of_gamut:
        page.y -= 2
        text.draw(c, page.left, page.y, "A swatch with a marked corner (!) lies outside sRGB: "
                  "it is printed clipped to the nearest printable colour.", 7.5, color=MUTED)
        page.y -= 10
    page.y = text.draw_wrapped(c, page.left, page.y - 2, ranking.note, 8, page.content_width,
                               text.BOLD, color=MUTED) - 4


def _table_header(page: Page, ranking: rc.Ranking) -> None:
    c = page.canvas
    page.ensure(60)
    x = page.left
    c.setFillColorRGB(0.94, 0.95, 0.97)
    c.rect(page.left, page.y - 24, page.content_width, 24, stroke=0, fill=1)
    for title, w in zip(ranking.columns, _WIDTHS, strict=True):
        if title == "dL* dC* dH*":  # right-aligned over their numbers
            for i, label in enumerate(title.split()):
                text.draw(c, x + 25 + 25 * i, page.y - 10, label, 7.3, text.BOLD,
                          align="right", color=MUTED)
            x += w
            continue
        for i, line in enumerate(title.split("\n")):
            text.draw(c, x + 3, page.y - 10 - 9 * i, line, 7.3 if i == 0 else 6.5,
                      text.BOLD if i == 0 else text.REGULAR, color=MUTED)
        x += w
    page.y -= 26


def _ranking_row(page: Page, e: rc.RankingRow, drawer: Drawer) -> None:
    c = page.canvas
    xs = [float(page.left)]
    for w in _WIDTHS:
        xs.append(xs[-1] + w)
    name_lines = text.wrap(e.pigment, 8.8, _WIDTHS[3] - 6, text.BOLD)
    sub_lines = text.wrap(e.sub, 7, _WIDTHS[3] - 6) if e.sub else []
    word_lines = text.wrap(e.words, 7.6, _WIDTHS[7] - 6)
    rows = max(len(name_lines) + len(sub_lines) + (1 if e.tag else 0), len(word_lines), 2)
    height = max(36.0, 8 + 10.2 * rows)
    page.ensure(height)
    top = page.y
    if e.tag:
        box(c, page.left, top - height + 1, page.content_width, height - 2, fill=HIGHLIGHT,
            stroke=ACCENT, width=1.4 if e.tag == "CHOSEN" else 0.8, radius=2)
    text.draw(c, xs[0] + 3, top - 13, e.rank, 9, text.BOLD, color=INK)
    if e.target is not None:
        # The client's hair as a strip touching the ranked colour: compared side by side.
        drawer.swatch(c, xs[1] + 2, top - 4 - 28, 10, 28, e.target.Lab, e.target.key)
        drawer.swatch(c, xs[1] + 12, top - 4 - 28, 22, 28, e.ranked.Lab, e.ranked.key)
    else:
        drawer.swatch(c, xs[1] + 2, top - 4 - 28, 28, 28, e.ranked.Lab, e.ranked.key)
    if e.card is not None:
        drawer.swatch(c, xs[2] + 2, top - 4 - 20, 20, 20, e.card.Lab, e.card.key)
    y = top - 12
    if e.tag:
        text.draw(c, xs[3] + 3, y, e.tag, 6.8, text.BOLD, color=ACCENT)
        y -= 10
    for line in name_lines:
        text.draw(c, xs[3] + 3, y, line, 8.8, text.BOLD, color=INK)
        y -= 10.5
    for line in sub_lines:
        text.draw(c, xs[3] + 3, y, line, 7, color=MUTED)
        y -= 9
    text.draw(c, xs[4] + 3, top - 13, e.dilution, 9, text.BOLD, color=INK)
    ry = top - 24
    for line in text.wrap(e.recipe, 6.8, _WIDTHS[4] - 6):
        text.draw(c, xs[4] + 3, ry, line, 6.8, color=MUTED)
        ry -= 8.5
    text.draw(c, xs[5] + 3, top - 13, e.delta_e, 9.5, text.BOLD, color=INK)
    for i, value in enumerate(e.components):
        text.draw(c, xs[6] + 25 + 25 * i, top - 13, value, 7.6, align="right", color=INK)
    y = top - 13
    for line in word_lines:
        text.draw(c, xs[7] + 3, y, line, 7.6, color=INK)
        y -= 10
    for i, line in enumerate(text.wrap(e.band, 7.4, _WIDTHS[8] - 6)):
        text.draw(c, xs[8] + 3, top - 13 - 9 * i, line, 7.4, color=INK)
    page.y = top - height
    rule(c, page.left, page.left + page.content_width, page.y, (0.88, 0.88, 0.9), 0.4)


# -- notes and details -----------------------------------------------------------------------
def notes(page: Page, notes: str) -> None:
    if not notes:
        return
    page.y -= 8
    heading(page, "Notes")
    c = page.canvas
    for line in text.wrap(notes, 9.5, page.content_width):
        page.ensure(14)
        page.y -= 12
        if text.is_rtl(line):
            text.draw(c, page.left + page.content_width, page.y, line, 9.5, align="right",
                      color=INK)
        else:
            text.draw(c, page.left, page.y, line, 9.5, color=INK)
    page.y -= 8


def details(page: Page, rows: list[tuple[str, str]]) -> None:
    page.y -= 8
    wrapped = [text.wrap(value, 8, page.content_width - 100) for _, value in rows]
    page.ensure(40 + sum(11 + 10 * (len(lines) - 1) for lines in wrapped))  # kept together
    heading(page, "Measurement details (to repeat this measurement)")
    c = page.canvas
    for label, value in rows:
        lines = text.wrap(value, 8, page.content_width - 100)
        page.ensure(11 * len(lines) + 2)
        page.y -= 11
        text.draw(c, page.left, page.y, label, 8, text.BOLD, color=MUTED)
        for i, line in enumerate(lines):
            if i:
                page.y -= 10
            text.draw(c, page.left + 100, page.y, line, 8, color=INK)
