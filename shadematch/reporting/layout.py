"""The report's pages: what goes where, section by section.

Page 1: header (clinic, client, date, practitioner), the photo with outlined regions and legend,
the chosen shade with its recipe, calibration status, measured samples. Then the ranked matches,
notes and measurement details; last, the client's aftercare page. Every page has a footer (page x
of y, app version, palette, formula) and, from page 2, a running header.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from shadematch import __version__
from shadematch.errors import ReportError
from shadematch.reporting import aftercare, text
from shadematch.reporting.canvas import (
    ACCENT,
    HIGHLIGHT,
    INK,
    MUTED,
    RULE,
    WARN,
    Page,
    SwatchPlacement,
    box,
    heading,
    make_canvas,
    rule,
    swatch,
)
from shadematch.reporting.colours import (
    add_srgb_output_intent,
    class_colour,
    class_label,
    lab_to_srgb,
)
from shadematch.reporting.figure import render_figure
from shadematch.reporting.formatting import (
    fmt_count,
    fmt_number,
    fmt_when,
    parse_dilution,
    recipe,
)
from shadematch.reporting.options import RenderedReport, ReportCancelled, ReportOptions

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]


def _valid_lab(lab) -> tuple[float, float, float] | None:
    """Three finite numbers, or None for a missing or damaged colour."""
    try:
        values = tuple(float(v) for v in lab)
    except (TypeError, ValueError):
        return None
    if len(values) != 3 or not all(np.isfinite(values)):
        return None
    return values


def _pigment_label(entry: dict) -> str:
    """The pigment's name for a column or line that shows the dilution beside it."""
    if entry.get("dilution") and entry.get("pigment_name"):
        return str(entry["pigment_name"])
    return str(entry.get("name") or entry.get("id") or "")


class ReportLayout:
    """Draws one report, section by section, on a numbered canvas; :meth:`render` returns it."""

    def __init__(self, analysis: dict, photo_rgb: np.ndarray, options: ReportOptions,
                 progress: ProgressFn | None, cancelled: CancelledFn | None) -> None:
        self.a = analysis
        self.photo_rgb = photo_rgb
        self.o = options
        self._progress = progress
        self._cancelled = cancelled
        self.swatches: list[SwatchPlacement] = []
        matching = analysis.get("matching") or {}
        self.formula_label = str(matching.get("formula_label") or matching.get("formula") or "")
        self.palette = matching.get("palette") or {}
        ranking = list(analysis.get("ranking") or [])
        top = options.top if options.top is not None else matching.get("top")
        if top is not None:
            ranking = ranking[: max(0, int(top))]
        self.ranking = ranking
        self.picks = analysis.get("picks") or {}

    # progress / cancel
    def step(self, fraction: float, message: str) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ReportCancelled("the report was cancelled: nothing was written")
        if self._progress is not None:
            self._progress(fraction, message)

    # --- footer ----------------------------------------------------------------------------
    def footer(self, c, number: int, total: int) -> None:
        width = c._pagesize[0]
        y = 30
        rule(c, 40, width - 40, y + 11, RULE, 0.5)
        palette = self.palette
        parts = [f"shadematch {self.a.get('app_version') or __version__}"]
        if palette:
            name = palette.get("name") or "palette"
            version = palette.get("version")
            ph = str(palette.get("hash") or "")[:8]
            parts.append(f"Palette: {name}" + (f" v{version}" if version else "")
                         + (f" ({ph})" if ph else ""))
        if self.formula_label:
            parts.append(f"ΔE: {self.formula_label}")
        text.draw(c, 40, y, "  ·  ".join(parts), 7.2, color=MUTED)
        text.draw(c, width - 40, y, f"Page {number} of {total}", 7.2, text.BOLD, align="right",
                  color=MUTED)
        if number > 1:
            # A running header, so a loose page still says whose report it is.
            top = c._pagesize[1] - 24
            who = self.o.client_name.strip() or "Client not named"
            text.draw(c, 40, top, f"{who}  ·  SMP shade report", 7.5, color=MUTED)
            text.draw(c, width - 40, top, fmt_when(self.a.get("created")), 7.5, align="right",
                      color=MUTED)

    # --- page 1 ----------------------------------------------------------------------------
    def header(self, page: Page) -> None:
        c, o = page.canvas, self.o
        top = page.y
        x = page.left
        if o.clinic_logo:
            logo_w = self._draw_logo(c, Path(o.clinic_logo), x, top)
            x += logo_w + 10 if logo_w else 0
        y = top - 13
        if o.clinic_name:
            text.draw(c, x, y, o.clinic_name, 13, text.BOLD, color=INK)
            y -= 13
        for line in (o.clinic_address or "").splitlines():
            if line.strip():
                text.draw(c, x, y, line.strip(), 8.5, color=MUTED)
                y -= 10.5
        right = page.left + page.content_width
        text.draw(c, right, top - 14, "SMP shade report", 16, text.BOLD, align="right",
                  color=ACCENT)
        text.draw(c, right, top - 28, fmt_when(self.a.get("created")), 8.5, align="right",
                  color=MUTED)
        page.y = min(y, top - 34) - 8
        rule(c, page.left, right, page.y, ACCENT, 1.2)
        page.y -= 20
        # Client and practitioner line.
        client = o.client_name.strip() or "(client not named)"
        text.draw(c, page.left, page.y, "Client", 7.5, color=MUTED)
        text.draw(c, page.left + page.content_width * 0.55, page.y, "Practitioner", 7.5,
                  color=MUTED)
        page.y -= 15
        # Long names shrink (down to 10 pt), then wrap: they never run into the next column.
        left_w = page.content_width * 0.55 - 12
        right_w = page.content_width * 0.45
        size = max(10.0, min(14.0, 14.0 * left_w / max(1.0, text.width(client, 14, text.BOLD))))
        y_left = text.draw_wrapped(c, page.left, page.y, client, size, left_w, text.BOLD,
                                   leading=size * 1.2, color=INK, rtl_right=False)
        y_right = text.draw_wrapped(c, page.left + page.content_width * 0.55, page.y,
                                    o.practitioner.strip() or "–", 11, right_w, leading=13,
                                    color=INK, rtl_right=False)
        page.y = min(y_left, y_right) + 13 - 16

    def _draw_logo(self, c, path: Path, x: float, top: float) -> float:
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
        return w

    def photo_and_side(self, page: Page) -> None:
        c = page.canvas
        col_w = page.content_width * 0.56
        top = page.y - 6
        if self.photo_rgb is not None:
            self.step(0.1, "Reducing the photo")
            jpeg, pw, ph = render_figure(self.photo_rgb, self.a.get("regions") or [],
                                         cancelled=self._cancelled)
            self.step(0.45, "Laying out the report")
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
        # Legend under the photo.
        y = top - h - 13
        x = page.left
        counts: dict[str, int] = {}
        for region in self.a.get("regions") or []:
            counts[region.get("class", "?")] = counts.get(region.get("class", "?"), 0) + 1
        if counts:
            for cls, n in counts.items():
                c.setFillColorRGB(*(v / 255 for v in class_colour(cls)))
                c.rect(x, y - 1, 14, 8, stroke=0, fill=1)
                label = f"{class_label(cls)} ({n} region{'s' if n != 1 else ''})"
                x += 18 + text.draw(c, x + 18, y, label, 8, color=INK) + 14
        else:
            text.draw(c, x, y, "No regions marked", 8, color=MUTED)
        photo = self.a.get("photo") or {}
        y -= 12
        info = photo.get("name") or "photo"
        if photo.get("width") and photo.get("height"):
            info += f", {photo['width']} × {photo['height']} px"
        text.draw(c, page.left, y, info, 7.5, color=MUTED)
        bottom_left = y
        # Right column: chosen shade, calibration.
        x0 = page.left + col_w + 14
        side_w = page.content_width - col_w - 14
        y = self.chosen_shade(c, x0, top, side_w)
        y = self.calibration(c, x0, y - 12, side_w)
        page.y = min(bottom_left, y) - 18

    def _entry_for(self, pick: dict | None) -> dict | None:
        if not pick:
            return None
        entry_id = pick.get("entry_id")
        for entry in self.a.get("ranking") or []:
            if entry.get("id") == entry_id:
                return entry
        # Not in the (possibly cut) ranking: describe it from the pick itself.
        water, pigment = parse_dilution(pick.get("dilution"))
        return {"id": entry_id, "name": pick.get("name") or entry_id, "lab": pick.get("lab"),
                "dilution": pick.get("dilution"), "water_parts": water, "pigment_parts": pigment}

    def chosen_shade(self, c, x: float, top: float, w: float) -> float:
        primary = self._entry_for(self.picks.get("primary"))
        first = self._entry_for(self.picks.get("first_session"))
        blocks = []
        if primary:
            blocks.append(("Chosen shade", primary))
        if first:
            blocks.append(("First session (lighter)", first))
        if not blocks:
            best = (self.a.get("ranking") or [None])[0]
            height = 62 if best else 40
            box(c, x, top - height, w, height, fill=(0.98, 0.97, 0.94), stroke=RULE)
            text.draw(c, x + 9, top - 16, "No shade chosen yet", 10, text.BOLD, color=INK)
            if best:
                y = text.draw_wrapped(c, x + 9, top - 31,
                                      f"Best match: {best.get('name', '')} "
                                      f"(ΔE {fmt_number(best.get('delta_e'), 2)})", 8.5, w - 18,
                                      color=MUTED)
            return top - height
        y = top
        for title, entry in blocks:
            # The dilution has its own line below: the pigment's name alone, not "X 4:1".
            name_lines = text.wrap(_pigment_label(entry), 12, w - 76, text.BOLD)
            water = entry.get("water_parts")
            pigment = entry.get("pigment_parts")
            if water is None:
                water, pigment = parse_dilution(entry.get("dilution"))
            recipe_lines = text.wrap(recipe(water, pigment), 8.5, w - 78, text.BOLD)
            detail_lines = len(text.wrap(f"ΔE {fmt_number(entry.get('delta_e'), 2)} "
                                         f"{self.formula_label} ({entry.get('band')})", 8, w - 78))
            height = (92 + 14 * (len(name_lines) - 1) + 11 * (len(recipe_lines) - 1)
                      + 10 * (detail_lines - 1))
            strong = title == "Chosen shade"
            box(c, x, y - height, w, height, fill=HIGHLIGHT if strong else (0.97, 0.97, 0.98),
                stroke=ACCENT if strong else RULE, width=1.6 if strong else 0.8)
            text.draw(c, x + 9, y - 14, title.upper(), 7.5, text.BOLD,
                      color=ACCENT if strong else MUTED)
            lab = entry.get("lab")
            sw_top = y - 22
            if lab is not None:
                self._swatch(c, x + 9, sw_top - 52, 52, 52, lab, f"pick:{title}")
            ty = y - 34
            for line in name_lines:
                text.draw(c, x + 70, ty, line, 12, text.BOLD, color=INK)
                ty -= 14
            text.draw(c, x + 70, ty - 1, f"Dilution {entry.get('dilution') or '–'}", 8.5,
                      color=INK)
            ty -= 12
            for line in recipe_lines:
                text.draw(c, x + 70, ty - 1, line, 8.5, text.BOLD, color=INK)
                ty -= 11
            ty -= 1
            if entry.get("delta_e") is not None:
                detail = f"ΔE {fmt_number(entry.get('delta_e'), 2)} {self.formula_label}"
                if entry.get("band"):
                    detail += f" ({entry['band']})"
                for line in text.wrap(detail, 8, w - 78):
                    text.draw(c, x + 70, ty - 1, line, 8, color=MUTED)
                    ty -= 10
            y -= height + 8
        return y + 8

    def calibration(self, c, x: float, top: float, w: float) -> float:
        cal = self.a.get("calibration")
        text.draw(c, x, top - 10, "CALIBRATION", 7.5, text.BOLD, color=MUTED)
        y = top - 23
        if not cal:
            y = text.draw_wrapped(c, x, y, "Not calibrated: colours are as the camera recorded "
                                  "them.", 9, w, text.BOLD, color=WARN)
            y = text.draw_wrapped(c, x, y - 1, "No colour chart was used, so lighting and camera "
                                  "settings affect the measured values.", 7.5, w, color=MUTED)
            return y
        chart = {"colorchecker24": "ColorChecker 24"}.get(cal.get("chart"), cal.get("chart"))
        y = text.draw_wrapped(c, x, y, f"Calibrated with a {chart} chart", 9, w, text.BOLD,
                              color=INK)
        lines = [f"Fit error: mean ΔE {fmt_number(cal.get('mean_delta_e'), 2)}, "
                 f"max {fmt_number(cal.get('max_delta_e'), 2)}"]
        if cal.get("leave_one_out_mean_delta_e") is not None:
            lines.append(f"Cross-checked (leave-one-out) mean ΔE "
                         f"{fmt_number(cal.get('leave_one_out_mean_delta_e'), 2)}")
        rejected = [p for p in cal.get("patches") or [] if p.get("rejected")]
        if rejected:
            lines.append(f"{len(rejected)} patch{'es' if len(rejected) != 1 else ''} left out: "
                         + ", ".join(str(p.get("name")) for p in rejected))
        if cal.get("model"):
            lines.append(f"Model: {cal['model']}")
        if cal.get("reference"):
            lines.append(f"Reference: {cal['reference']}")
        if cal.get("reused"):
            lines.append("Fit reused from an earlier photo of the same session")
        for line in lines:
            y = text.draw_wrapped(c, x, y, line, 7.5, w, color=MUTED)
        return y

    def _swatch(self, c, x: float, y: float, w: float, h: float, lab, label: str) -> None:
        Lab = _valid_lab(lab)
        if Lab is None:
            # No usable colour recorded: an empty, labelled frame rather than a wrong colour.
            box(c, x, y, w, h, fill=(1, 1, 1), stroke=MUTED, width=0.5, radius=0)
            text.draw(c, x + w / 2, y + h / 2 - 3, "no colour", min(8.0, w / 5), align="centre",
                      color=MUTED)
            return
        rgb, in_gamut = lab_to_srgb(Lab)
        swatch(c, x, y, w, h, rgb, in_gamut)
        self.swatches.append(SwatchPlacement(self._page.number, x, y, w, h, label, Lab, rgb,
                                             in_gamut))

    # --- samples ---------------------------------------------------------------------------
    def samples(self, page: Page) -> None:
        samples = self.a.get("samples") or {}
        heading(page, "Measured colours")
        c = page.canvas
        if not samples and not self.a.get("problems"):
            page.y -= 10
            text.draw(c, page.left, page.y, "No regions were measured.", 9, color=MUTED)
            page.y -= 12
            return
        if self.a.get("contrast", {}).get("hair_skin_dL") is not None:
            dl = self.a["contrast"]["hair_skin_dL"]
            text.draw(c, page.left, page.y - 8, f"Hair is {fmt_number(abs(dl))} L* "
                      f"{'darker' if dl < 0 else 'lighter'} than the scalp skin.", 8.5,
                      color=MUTED)
            page.y -= 18
        for cls, problem in (self.a.get("problems") or {}).items():
            if cls not in samples and problem:
                page.ensure(30)
                page.y = text.draw_wrapped(
                    c, page.left, page.y - 10, f"⚠ {class_label(cls)} not measured: {problem}",
                    8.5, page.content_width, color=WARN) - 4
        for cls in ("hair", "skin", "scar", *[k for k in samples if k not in ("hair", "skin",
                                                                               "scar")]):
            sample = samples.get(cls)
            if not sample:
                continue
            self._sample_row(page, cls, sample)

    def _sample_row(self, page: Page, cls: str, s: dict) -> None:
        c = page.canvas
        warnings = [w.get("message") or w.get("code") for w in s.get("warnings") or []]
        col = page.left + 58
        text_w = page.content_width - 58
        warn_lines = sum(len(text.wrap("⚠ " + str(m), 7.5, text_w)) for m in warnings)
        height = max(50.0, 40 + 10 * warn_lines) + 6
        page.ensure(height)
        top = page.y
        if s.get("lab") is not None:
            self._swatch(c, page.left, top - 46, 46, 46, s["lab"], f"sample:{cls}")
        c.setFillColorRGB(*(v / 255 for v in class_colour(cls)))
        c.rect(col, top - 11, 4, 10, stroke=0, fill=1)
        text.draw(c, col + 8, top - 10, class_label(cls), 10.5, text.BOLD, color=INK)
        lab = _valid_lab(s.get("lab")) or (None,) * 3
        lch = _valid_lab(s.get("lch")) or (None,) * 3
        x2 = col + 120
        text.draw(c, x2, top - 10, f"L* {fmt_number(lab[0])}   a* {fmt_number(lab[1])}   b* {fmt_number(lab[2])}",
                  9, color=INK)
        text.draw(c, x2 + 190, top - 10,
                  f"L* {fmt_number(lch[0])}   C* {fmt_number(lch[1])}   h {fmt_number(lch[2], 0)}°", 9, color=INK)
        px = s.get("pixels") or {}
        detail = f"{fmt_count(px.get('used'))} of {fmt_count(px.get('total'))} pixels used"
        extra = [f"{fmt_count(px[k])} {label}" for k, label in
                 (("clipped", "clipped"), ("trimmed", "outliers"),
                  ("other_cluster", "skin between hairs" if cls == "hair" else "other colour"))
                 if px.get(k)]
        if extra:
            detail += " (left out: " + ", ".join(extra) + ")"
        text.draw(c, col + 8, top - 24, detail, 8, color=MUTED)
        spread = s.get("spread") or {}
        bits = []
        if spread.get("median_delta_e") is not None:
            bits.append(f"spread: median ΔE00 to the centre {fmt_number(spread['median_delta_e'])}")
        if spread.get("std_Lab"):
            sd = spread["std_Lab"]
            bits.append(f"SD L*a*b* {fmt_number(sd[0])} / {fmt_number(sd[1])} / {fmt_number(sd[2])}")
        if s.get("ita") is not None:
            bits.append(f"ITA {fmt_number(s['ita'])}° ({s.get('ita_class', '–')})")
        if not s.get("in_gamut", True) or (s.get("lab") is not None
                                          and _valid_lab(s["lab"]) is not None
                                          and not lab_to_srgb(_valid_lab(s["lab"]))[1]):
            bits.append("outside sRGB: swatch clipped")
        text.draw(c, col + 8, top - 36, ";  ".join(bits), 8, color=MUTED)
        y = top - 48
        for message in warnings:
            y = text.draw_wrapped(c, col + 8, y, "⚠ " + str(message), 7.5, text_w - 8,
                                  color=WARN, leading=10)
        page.y = min(top - 52, y) - 6
        rule(c, page.left, page.left + page.content_width, page.y + 3, (0.9, 0.9, 0.92), 0.4)
        page.y -= 4

    # --- ranking ---------------------------------------------------------------------------
    # Widths sum to the A4 content width (595.28 - 2 x 40 pt).
    _COLS = (("#", 18), ("", 34), ("Pigment", 124), ("Dilution\n(water : pigment)", 88),
             ("ΔE\n{formula}", 46), ("dL* dC* dH*", 84), ("Pigment is…", 64), ("Band", 57))

    def ranking_table(self, page: Page) -> None:
        matching = self.a.get("matching") or {}
        target = class_label(matching.get("target", "")) if matching.get("target") else "target"
        heading(page, f"Ranked pigment matches for the {target.lower()} colour")
        c = page.canvas
        if not self.ranking:
            problem = (self.a.get("problems") or {}).get(matching.get("target", ""), "")
            page.y = text.draw_wrapped(c, page.left, page.y - 10,
                                       "No palette was matched" + (f": {problem}" if problem
                                                                   else "."),
                                       9, page.content_width, color=MUTED) - 2
            return
        pal = self.palette
        intro = (f"delta-E formula: {self.formula_label}.  Palette: {pal.get('name', '–')}"
                 f"{' v' + str(pal['version']) if pal.get('version') else ''}.  "
                 "Smaller ΔE is closer; dL*, dC*, dH* are pigment minus target.")
        page.y = text.draw_wrapped(c, page.left, page.y - 8, intro, 8.5, page.content_width,
                                   color=INK) - 4
        self._table_header(page)
        page.on_new_page.append(lambda: self._table_header(page))
        primary = (self.picks.get("primary") or {}).get("entry_id")
        first = (self.picks.get("first_session") or {}).get("entry_id")
        for entry in self.ranking:
            self.step(0.5 + 0.3 * (entry.get("rank", 1) / max(1, len(self.ranking))),
                      "Listing the matches")
            self._ranking_row(page, entry, primary, first)
        page.on_new_page.clear()
        page.y -= 6
        if any(not lab_to_srgb(lab)[1] for lab in (_valid_lab(e.get("lab")) for e in self.ranking)
               if lab is not None):
            page.y -= 2
            text.draw(c, page.left, page.y, "A swatch with a marked corner (!) lies outside sRGB: "
                      "it is printed clipped to the nearest printable colour.", 7.5, color=MUTED)
            page.y -= 10

    def _table_header(self, page: Page) -> None:
        c = page.canvas
        page.ensure(60)
        x = page.left
        c.setFillColorRGB(0.94, 0.95, 0.97)
        c.rect(page.left, page.y - 24, page.content_width, 24, stroke=0, fill=1)
        for title, w in self._COLS:
            if title == "dL* dC* dH*":  # right-aligned over their numbers
                for i, label in enumerate(title.split()):
                    text.draw(c, x + 25 + 27 * i, page.y - 10, label, 7.3, text.BOLD,
                              align="right", color=MUTED)
                x += w
                continue
            lines = title.format(formula=self.formula_label).split("\n")
            for i, line in enumerate(lines):
                text.draw(c, x + 3, page.y - 10 - 9 * i, line, 7.3 if i == 0 else 6.5,
                          text.BOLD if i == 0 else text.REGULAR, color=MUTED)
            x += w
        page.y -= 26

    def _ranking_row(self, page: Page, e: dict, primary, first) -> None:
        c = page.canvas
        xs = [page.left]
        for _, w in self._COLS:
            xs.append(xs[-1] + w)
        # The dilution has its own column: the pigment's name alone, not "X 4:1".
        name_lines = text.wrap(_pigment_label(e), 8.8, self._COLS[2][1] - 6, text.BOLD)
        sub = " · ".join(str(v) for v in (e.get("line"), e.get("undertone")) if v)
        sub_lines = text.wrap(sub, 7, self._COLS[2][1] - 6) if sub else []
        dirs = ", ".join(e.get("direction") or []) or "–"
        dir_lines = text.wrap(dirs, 7.8, self._COLS[6][1] - 6)
        tag = "CHOSEN" if e.get("id") == primary else ("1ST SESSION" if e.get("id") == first
                                                       else "")
        rows = max(len(name_lines) + len(sub_lines) + (1 if tag else 0), len(dir_lines), 2)
        height = max(34.0, 8 + 10.5 * rows)
        page.ensure(height)
        top = page.y
        if tag:
            box(c, page.left, top - height + 1, page.content_width, height - 2, fill=HIGHLIGHT,
                stroke=ACCENT, width=1.4 if tag == "CHOSEN" else 0.8, radius=2)
        text.draw(c, xs[0] + 3, top - 13, str(e.get("rank", "")), 9, text.BOLD, color=INK)
        if e.get("lab") is not None:
            self._swatch(c, xs[1] + 2, top - 4 - 26, 28, 26, e["lab"], f"rank:{e.get('id')}")
        y = top - 12
        if tag:
            text.draw(c, xs[2] + 3, y, tag, 6.8, text.BOLD, color=ACCENT)
            y -= 10
        for line in name_lines:
            text.draw(c, xs[2] + 3, y, line, 8.8, text.BOLD, color=INK)
            y -= 10.5
        for line in sub_lines:
            text.draw(c, xs[2] + 3, y, line, 7, color=MUTED)
            y -= 9
        water, pigment = e.get("water_parts"), e.get("pigment_parts")
        if water is None:
            water, pigment = parse_dilution(e.get("dilution"))
        text.draw(c, xs[3] + 3, top - 13, str(e.get("dilution") or "–"), 9, text.BOLD, color=INK)
        ry = top - 24
        for line in text.wrap(recipe(water, pigment), 6.8, self._COLS[3][1] - 6):
            text.draw(c, xs[3] + 3, ry, line, 6.8, color=MUTED)
            ry -= 8.5
        text.draw(c, xs[4] + 3, top - 13, fmt_number(e.get("delta_e"), 2), 9.5, text.BOLD, color=INK)
        for i, key in enumerate(("dL", "dC", "dH")):
            text.draw(c, xs[5] + 25 + 27 * i, top - 13, fmt_number(e.get(key), 1, True), 7.6,
                      align="right", color=INK)
        y = top - 13
        for line in dir_lines:
            text.draw(c, xs[6] + 3, y, line, 7.8, color=INK)
            y -= 10
        text.draw(c, xs[7] + 3, top - 13, str(e.get("band") or "–"), 7.4, color=INK)
        page.y = top - height
        rule(c, page.left, page.left + page.content_width, page.y, (0.88, 0.88, 0.9), 0.4)

    # --- notes and details -----------------------------------------------------------------
    def notes(self, page: Page) -> None:
        notes = str(self.a.get("notes") or "").strip()
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

    def details(self, page: Page) -> None:
        page.y -= 8
        heading(page, "Measurement details (to repeat this measurement)")
        photo = self.a.get("photo") or {}
        cond = self.a.get("conditions") or {}
        pal = self.palette
        matching = self.a.get("matching") or {}
        rows = [
            ("Photo", f"{photo.get('name', '–')} ({photo.get('format', '?')}, "
                      f"{photo.get('bit_depth', '?')}-bit, {photo.get('width', '?')} × "
                      f"{photo.get('height', '?')} px)"),
            ("Photo SHA-256", str(photo.get("sha256") or "–")),
            ("Colour profile", str(photo.get("source_profile") or "–")
             + (" (no profile in the file: sRGB assumed)" if photo.get("profile_assumed")
                else "")),
            ("Colour space", f"{cond.get('colour_space', 'CIELAB')}, illuminant "
                             f"{cond.get('illuminant', 'D65')}, {cond.get('observer', '2')}° "
                             f"observer, from {cond.get('rgb_space', 'sRGB')}"),
            ("Matching", f"target: {matching.get('target', '–')}; formula: "
                         f"{self.formula_label or '–'}"
             + (f" {matching['params']}" if matching.get("params") else "")),
            ("Palette", f"{pal.get('name', '–')} version {pal.get('version', '–')}, hash "
                        f"{pal.get('hash', '–')} ({pal.get('source', '–')})"),
            ("Analysed", f"{fmt_when(self.a.get('created'))} with shadematch "
                         f"{self.a.get('app_version', '–')}"),
            ("Report made", f"{fmt_when(datetime.now(timezone.utc).isoformat())} with shadematch "
                            f"{__version__}"),
        ]
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

    # --- all -------------------------------------------------------------------------------
    def render(self) -> RenderedReport:
        from reportlab.lib.pagesizes import A4

        text.register_fonts()
        self.step(0.0, "Preparing the report")
        buf = io.BytesIO()
        c = make_canvas(buf, A4, self.footer)
        add_srgb_output_intent(c)
        client = self.o.client_name.strip()
        title = "SMP shade report" + (f" – {client}" if client else "")
        c.setTitle(title)
        c.setAuthor(self.o.practitioner.strip() or self.o.clinic_name.strip() or "shadematch")
        c.setSubject(f"Pigment shade match ({self.formula_label or 'delta-E'}) for "
                     f"{client or 'a client'}, palette {self.palette.get('name', '–')}")
        c.setCreator(f"shadematch {__version__}")
        c.setKeywords("scalp micropigmentation, SMP, pigment, shade, CIELAB, delta-E")
        page = Page(c, *A4)
        self._page = page
        self.header(page)
        self.photo_and_side(page)
        self.samples(page)
        if self.ranking:
            page.new_page()
        self.ranking_table(page)
        self.notes(page)
        self.details(page)
        self.step(0.85, "Adding aftercare")
        if self.o.aftercare:
            aftercare.draw_page(page, self.o)
        c.showPage()
        self.step(0.9, "Compressing")
        c.save()
        return RenderedReport(buf.getvalue(), page.number, self.swatches)
