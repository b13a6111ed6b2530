"""How numbers, dates and dilutions are written in the report."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np


def fmt_number(value, digits: int = 1, signed: bool = False) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        return "–"
    if not np.isfinite(v):
        return "–"
    s = f"{v:+.{digits}f}" if signed else f"{v:.{digits}f}"
    return s.replace("-", "−")


def fmt_count(value) -> str:
    try:
        return f"{int(value):,}".replace(",", " ")
    except (TypeError, ValueError):
        return "–"


def fmt_when(created: str | None) -> str:
    if not created:
        return "date not recorded"
    try:
        moment = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return str(created)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone()
    offset = local.utcoffset()
    zone = "UTC" if not offset else "UTC" + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    return f"{local.day} {local.strftime('%B %Y, %H:%M')} ({zone})"


def recipe(water_parts, pigment_parts) -> str:
    """Dilution as a mixing instruction, e.g. "4 parts water : 1 part pigment"."""
    try:
        water = float(water_parts)
        pigment = float(pigment_parts)
    except (TypeError, ValueError):
        return "dilution not recorded"

    def parts(n: float, what: str) -> str:
        shown = f"{n:g}"
        return f"{shown} part{'' if n == 1 else 's'} {what}"

    if water <= 0:
        return "undiluted pigment (no water)"
    return f"{parts(water, 'water')} : {parts(pigment, 'pigment')}"


def parse_dilution(dilution) -> tuple[float | None, float | None]:
    try:
        water, pigment = str(dilution).split(":")
        return float(water), float(pigment)
    except (ValueError, AttributeError):
        return None, None
