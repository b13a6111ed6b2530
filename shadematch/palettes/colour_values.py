"""Single palette colours to CIELAB D65: sRGB hex codes, and Lab under D50 (Bradford-adapted).

Conversions use colormath2 (imported on first use: it pulls in networkx, which is slow to import).
"""

from __future__ import annotations

import math
import re

ILLUMINANTS = ("D65", "D50")
OBSERVERS = ("2",)
L_RANGE = (0.0, 100.0)
AB_RANGE = (-128.0, 128.0)
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


class ColourValueError(ValueError):
    """A colour value is invalid; ``field`` names the offending part, ``str()`` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_hex(text: object) -> tuple[int, int, int]:
    """``"#3a3330"`` (or ``"3a3330"``) to 8-bit sRGB ``(58, 51, 48)``.

    Raises
    ------
    ColourValueError
        When ``text`` is not six hex digits with an optional ``#``.
    """
    if not isinstance(text, str) or not _HEX.match(text.strip()):
        raise ColourValueError(
            "srgb_hex",
            f"{text!r} is not an sRGB hex code; write six hex digits like \"#3a3330\"")
    digits = _HEX.match(text.strip()).group(1)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def check_Lab(Lab: object) -> tuple[float, float, float]:
    """Validate ``[L, a, b]``: three finite numbers, L* 0..100, a* and b* -128..128.

    Raises
    ------
    ColourValueError
        Naming the component that is wrong and the allowed range.
    """
    if not isinstance(Lab, (list, tuple)) or len(Lab) != 3:
        raise ColourValueError("lab", f"{Lab!r} is not three numbers; write [L, a, b]")
    values = []
    for label, value, (low, high) in zip(("L*", "a*", "b*"), Lab,
                                         (L_RANGE, AB_RANGE, AB_RANGE), strict=True):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ColourValueError("lab", f"{label} is {value!r}, not a number; write a number "
                                          f"between {low:g} and {high:g}")
        value = float(value)
        if not math.isfinite(value):
            raise ColourValueError("lab", f"{label} is {value}; write a finite number between "
                                          f"{low:g} and {high:g}")
        if not low <= value <= high:
            raise ColourValueError("lab", f"{label} is {value:g}, outside {low:g}..{high:g}; "
                                          f"check the measurement and its scale")
        values.append(value)
    return values[0], values[1], values[2]


def hex_to_Lab(text: str) -> tuple[float, float, float]:
    """sRGB hex code (IEC 61966-2-1) to CIELAB, D65 white, 2 degree observer (L* 0..100)."""
    from colormath2.color_conversions import convert_color
    from colormath2.color_objects import LabColor, sRGBColor

    red, green, blue = parse_hex(text)
    lab = convert_color(sRGBColor(red, green, blue, is_upscaled=True), LabColor,
                        target_illuminant="d65")
    return float(lab.lab_l), float(lab.lab_a), float(lab.lab_b)


def Lab_to_D65(Lab: tuple[float, float, float], illuminant: str) -> tuple[float, float, float]:
    """CIELAB under ``illuminant`` ("D65" or "D50", 2 degree) to CIELAB D65.

    D50 values (what most spectrophotometers and ICC workflows report) are adapted to D65 with
    the Bradford transform.
    """
    if illuminant == "D65":
        return float(Lab[0]), float(Lab[1]), float(Lab[2])
    if illuminant != "D50":
        raise ColourValueError("illuminant", f"unknown illuminant {illuminant!r}; use one of "
                                             f"{', '.join(ILLUMINANTS)}")
    from colormath2.color_conversions import convert_color
    from colormath2.color_objects import LabColor, XYZColor

    xyz = convert_color(LabColor(*Lab, observer="2", illuminant="d50"), XYZColor)
    xyz.apply_adaptation("d65", adaptation="bradford")
    lab = convert_color(xyz, LabColor)
    return float(lab.lab_l), float(lab.lab_a), float(lab.lab_b)
