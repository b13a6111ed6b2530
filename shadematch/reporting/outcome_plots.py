"""Plots of healed results: a client's SMP over visits (fading), and the model's track record.

A plot is built as plain data (:class:`Plot`: axes, series of points, reference lines, labels),
then drawn by whoever shows it: :func:`draw_plot` on a reportlab canvas (the practitioner's
report), :func:`plot_png` with Pillow (files, tests, and any view that shows a picture). The GUI
may draw the same :class:`Plot` with its own painter.

* :func:`timeline_plot` - healed L* and hue angle of a client's SMP at each follow-up, with the
  target (the hair) and the predicted healed colour, against months since the first session.
* :func:`track_record_plot` - predicted against measured healed L* over the clinic's outcomes,
  with the identity line, before and after fitting: how far the model is to be trusted.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from shadematch.errors import ReportError


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[float, float], ...]
    colour: tuple[float, float, float]
    line: bool = False          # join the points
    marker: str = "circle"      # "circle", "square", "none"
    dashed: bool = False


@dataclass(frozen=True)
class Plot:
    title: str
    x_label: str
    y_label: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    series: tuple[Series, ...]
    notes: tuple[str, ...] = field(default=())

    def ticks(self, axis: str, count: int = 5) -> list[float]:
        low, high = self.x_range if axis == "x" else self.y_range
        return _nice_ticks(low, high, count)


def _nice_ticks(low: float, high: float, count: int) -> list[float]:
    span = max(high - low, 1e-9)
    raw = span / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw),
               default=10 * magnitude)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _range(values: Sequence[float], pad: float = 0.08, minimum_span: float = 4.0):
    low, high = min(values), max(values)
    if high - low < minimum_span:
        mid = (low + high) / 2
        low, high = mid - minimum_span / 2, mid + minimum_span / 2
    span = high - low
    return low - pad * span, high + pad * span


INK = (0.13, 0.13, 0.15)
TARGET = (0.05, 0.33, 0.52)
PREDICTED = (0.62, 0.30, 0.00)
MEASURED = (0.13, 0.13, 0.15)
FITTED = (0.10, 0.50, 0.25)


def timeline_plot(visits: Sequence[dict], quantity: str = "L") -> Plot:
    """A client's healed SMP over follow-ups.

    ``visits``: dicts with ``months`` (since the first session), ``measured_lab`` (the healed
    SMP), and optionally ``predicted_lab`` and ``target_lab`` (the hair). ``quantity`` "L"
    (lightness L*) or "h" (hue angle, degrees).
    """
    if quantity not in ("L", "h"):
        raise ReportError(f"unknown plot quantity {quantity!r}: use 'L' or 'h'")
    rows = [v for v in visits if v.get("measured_lab") is not None]
    if not rows:
        raise ReportError("no follow-up with a measured healed colour to plot: measure the "
                          "healed SMP at a follow-up visit")

    def value(lab):
        if quantity == "L":
            return float(lab[0])
        return math.degrees(math.atan2(float(lab[2]), float(lab[1]))) % 360.0

    rows = sorted(rows, key=lambda v: float(v["months"]))
    measured = tuple((float(v["months"]), value(v["measured_lab"])) for v in rows)
    series = [Series("measured (healed SMP)", measured, MEASURED, line=True)]
    predicted = tuple((float(v["months"]), value(v["predicted_lab"])) for v in rows
                      if v.get("predicted_lab") is not None)
    if predicted:
        series.append(Series("predicted", predicted, PREDICTED, line=True, marker="square",
                             dashed=True))
    targets = [value(v["target_lab"]) for v in rows if v.get("target_lab") is not None]
    xs = [p[0] for p in measured]
    x_range = (0.0, max(max(xs) * 1.08, 2.0))
    if targets:
        target = targets[-1]
        series.append(Series("target (the hair)", ((x_range[0], target), (x_range[1], target)),
                             TARGET, line=True, marker="none", dashed=True))
    ys = [p[1] for s in series for p in s.points]
    label = "healed L*" if quantity == "L" else "hue angle h (degrees)"
    return Plot(title=("Lightness" if quantity == "L" else "Hue") + " of the healed SMP over time",
                x_label="months since the first session", y_label=label, x_range=x_range,
                y_range=_range(ys, minimum_span=6.0 if quantity == "L" else 20.0),
                series=tuple(series))


def track_record_plot(predictions: Sequence[dict]) -> Plot:
    """Predicted against measured healed L* over a clinic's outcomes (from
    :meth:`shadematch.appearance.learning.FitReport.to_dict`'s ``predictions``: each with
    ``measured_lab``, ``current_lab`` and, after a fit, ``held_out_lab``)."""
    if not predictions:
        raise ReportError("no outcomes to plot: the model's track record needs follow-ups with a "
                          "measured healed colour")
    current = tuple((float(p["measured_lab"][0]), float(p["current_lab"][0]))
                    for p in predictions)
    series = [Series("current model", current, PREDICTED)]
    held = tuple((float(p["measured_lab"][0]), float(p["held_out_lab"][0]))
                 for p in predictions if p.get("held_out_lab") is not None)
    if held:
        series.append(Series("fitted, each predicted without it", held, FITTED, marker="square"))
    values = [v for s in series for pt in s.points for v in pt]
    low, high = _range(values, minimum_span=10.0)
    series.insert(0, Series("prediction = measurement", ((low, low), (high, high)), INK,
                            line=True, marker="none", dashed=True))

    def mean_abs(points):
        return sum(abs(a - b) for a, b in points) / len(points)

    notes = [f"current model: mean |predicted - measured| L* {mean_abs(current):.1f}"]
    if held:
        notes.append(f"fitted (held out): {mean_abs(held):.1f}")
    return Plot(title=f"The model's track record ({len(predictions)} outcomes)",
                x_label="measured healed L*", y_label="predicted healed L*",
                x_range=(low, high), y_range=(low, high), series=tuple(series),
                notes=tuple(notes))


# -- drawing -------------------------------------------------------------------------------------
def _mapper(plot: Plot, x0: float, y0: float, w: float, h: float, flip: bool):
    (xa, xb), (ya, yb) = plot.x_range, plot.y_range

    def to(px: float, py: float) -> tuple[float, float]:
        X = x0 + (px - xa) / (xb - xa) * w
        Y = (py - ya) / (yb - ya) * h
        return X, (y0 + h - Y) if flip else (y0 + Y)

    return to


def draw_plot(c, plot: Plot, x: float, y: float, w: float, h: float,
              font: str = "Helvetica", bold: str = "Helvetica-Bold") -> None:
    """Draw ``plot`` on a reportlab canvas in the box (x, y bottom-left, w, h), PDF points."""
    left, bottom, top = 42.0, 30.0, 22.0 + 9.0 * len(plot.notes)
    legend_h = 12.0 * math.ceil(len(plot.series) / 2)
    ax_x, ax_y = x + left, y + bottom + legend_h
    ax_w, ax_h = w - left - 8.0, h - bottom - top - legend_h
    to = _mapper(plot, ax_x, ax_y, ax_w, ax_h, flip=False)
    c.saveState()
    c.setFillColorRGB(*INK)
    c.setFont(bold, 9)
    c.drawString(x, y + h - 11, plot.title)
    c.setStrokeColorRGB(0.78, 0.78, 0.80)
    c.setLineWidth(0.4)
    c.setFont(font, 6.5)
    for t in plot.ticks("x"):
        X, _ = to(t, plot.y_range[0])
        c.line(X, ax_y, X, ax_y + ax_h)
        c.drawCentredString(X, ax_y - 9, f"{t:g}")
    for t in plot.ticks("y"):
        _, Y = to(plot.x_range[0], t)
        c.line(ax_x, Y, ax_x + ax_w, Y)
        c.drawRightString(ax_x - 3, Y - 2, f"{t:g}")
    c.setStrokeColorRGB(*INK)
    c.setLineWidth(0.6)
    c.rect(ax_x, ax_y, ax_w, ax_h, stroke=1, fill=0)
    c.setFont(font, 7)
    c.drawCentredString(ax_x + ax_w / 2, ax_y - 19, plot.x_label)
    c.saveState()
    c.translate(x + 9, ax_y + ax_h / 2)
    c.rotate(90)
    c.drawCentredString(0, 0, plot.y_label)
    c.restoreState()
    path_clip = c.beginPath()
    path_clip.rect(ax_x, ax_y, ax_w, ax_h)
    c.saveState()
    c.clipPath(path_clip, stroke=0, fill=0)
    for s in plot.series:
        c.setStrokeColorRGB(*s.colour)
        c.setFillColorRGB(*s.colour)
        c.setLineWidth(1.0)
        if s.dashed:
            c.setDash(3, 2)
        if s.line and len(s.points) > 1:
            pts = [to(*p) for p in s.points]
            for (xa, ya), (xb, yb) in zip(pts, pts[1:], strict=False):
                c.line(xa, ya, xb, yb)
        c.setDash()
        for p in s.points:
            X, Y = to(*p)
            if s.marker == "circle":
                c.circle(X, Y, 2.2, stroke=0, fill=1)
            elif s.marker == "square":
                c.rect(X - 2, Y - 2, 4, 4, stroke=0, fill=1)
    c.restoreState()
    c.setFont(font, 6.5)
    for i, s in enumerate(plot.series):
        lx = x + left + (i % 2) * (ax_w / 2)
        ly = y + 4 + 12.0 * (math.ceil(len(plot.series) / 2) - 1 - i // 2)
        c.setFillColorRGB(*s.colour)
        c.rect(lx, ly + 1, 8, 3, stroke=0, fill=1)
        c.setFillColorRGB(*INK)
        c.drawString(lx + 11, ly, s.label)
    c.setFont(font, 6.5)
    for i, note in enumerate(plot.notes):
        c.drawRightString(x + w - 8, y + h - 13 - 9 * (i + 1), note)
    c.restoreState()


def plot_png(plot: Plot, width: int = 640, height: int = 420) -> bytes:
    """``plot`` as a PNG (Pillow), for files and views that show a picture."""
    from PIL import Image, ImageDraw, ImageFont

    from shadematch.resources import assets_dir

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype(str(assets_dir() / "fonts" / "DejaVuSans.ttf"), 12)
        small = ImageFont.truetype(str(assets_dir() / "fonts" / "DejaVuSans.ttf"), 10)
    except OSError:
        font = small = ImageFont.load_default()
    left, right = 60, 16
    top, bottom = 34 + 14 * len(plot.notes), 60 + 16 * math.ceil(len(plot.series) / 2)
    ax = (left, top, width - right, height - bottom)
    to = _mapper(plot, ax[0], ax[1], ax[2] - ax[0], ax[3] - ax[1], flip=True)

    def rgb(colour):
        return tuple(int(round(255 * v)) for v in colour)

    draw.text((8, 8), plot.title, fill=rgb(INK), font=font)
    for t in plot.ticks("x"):
        X, _ = to(t, plot.y_range[0])
        draw.line([(X, ax[1]), (X, ax[3])], fill=(210, 210, 214))
        draw.text((X, ax[3] + 4), f"{t:g}", fill=rgb(INK), font=small, anchor="ma")
    for t in plot.ticks("y"):
        _, Y = to(plot.x_range[0], t)
        draw.line([(ax[0], Y), (ax[2], Y)], fill=(210, 210, 214))
        draw.text((ax[0] - 4, Y), f"{t:g}", fill=rgb(INK), font=small, anchor="rm")
    draw.rectangle(ax, outline=rgb(INK))
    draw.text(((ax[0] + ax[2]) / 2, ax[3] + 20), plot.x_label, fill=rgb(INK), font=small,
              anchor="ma")
    label = Image.new("RGBA", (int(ax[3] - ax[1]), 16), (255, 255, 255, 0))
    ImageDraw.Draw(label).text((label.width / 2, 0), plot.y_label, fill=rgb(INK), font=small,
                               anchor="ma")
    image.paste(label.rotate(90, expand=True), (6, int(ax[1])), label.rotate(90, expand=True))
    for s in plot.series:
        pts = [to(*p) for p in s.points]
        if s.line and len(pts) > 1:
            if s.dashed:
                for (xa, ya), (xb, yb) in zip(pts, pts[1:], strict=False):
                    n = max(int(math.hypot(xb - xa, yb - ya) // 8), 1)
                    for k in range(0, n, 2):
                        draw.line([(xa + (xb - xa) * k / n, ya + (yb - ya) * k / n),
                                   (xa + (xb - xa) * (k + 1) / n, ya + (yb - ya) * (k + 1) / n)],
                                  fill=rgb(s.colour), width=2)
            else:
                draw.line(pts, fill=rgb(s.colour), width=2)
        for X, Y in pts:
            if s.marker == "circle":
                draw.ellipse([X - 3.5, Y - 3.5, X + 3.5, Y + 3.5], fill=rgb(s.colour))
            elif s.marker == "square":
                draw.rectangle([X - 3, Y - 3, X + 3, Y + 3], fill=rgb(s.colour))
    for i, s in enumerate(plot.series):
        lx = left + (i % 2) * ((width - left - right) / 2)
        ly = height - 16 * math.ceil(len(plot.series) / 2) - 6 + 16 * (i // 2)
        draw.rectangle([lx, ly + 5, lx + 14, ly + 9], fill=rgb(s.colour))
        draw.text((lx + 20, ly), s.label, fill=rgb(INK), font=small)
    for i, note in enumerate(plot.notes):
        draw.text((width - right, 28 + 14 * i), note, fill=rgb(INK), font=small, anchor="ra")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
