"""Unicode text for the PDF report: embedded fonts, per-script font fallback, Arabic shaping, wrapping.

reportlab draws one font per string and neither shapes Arabic nor reorders right-to-left text on
its own (that needs optional extras). So text goes through three steps here:

1. wrap in logical order (line breaks at spaces, or between any two CJK characters);
2. each line: Arabic letters reshaped to their joined presentation forms (``arabic_reshaper``) and
   the line put in visual order with the Unicode bidi algorithm (``python-bidi``);
3. the visual line cut into runs by the first font that has every glyph of the run
   (DejaVu Sans, then Noto Sans Devanagari, then Droid Sans Fallback for CJK), each run drawn as
   real, selectable text. Devanagari is drawn without shaping (reportlab has no Indic shaper
   here): every letter and sign prints, but some conjuncts show a visible virama (e.g. "शर्मा").

The fonts ship in ``assets/fonts`` (see its README for provenance and licences).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from shadematch.errors import ReportError
from shadematch.resources import assets_dir

log = logging.getLogger(__name__)

REGULAR = "SM-Sans"
BOLD = "SM-Sans-Bold"
CJK = "SM-CJK"
DEVANAGARI = "SM-Devanagari"
DEVANAGARI_BOLD = "SM-Devanagari-Bold"

_FONT_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    CJK: "DroidSansFallback-CJK.ttf",
    DEVANAGARI: "NotoSansDevanagari-Regular.ttf",
    DEVANAGARI_BOLD: "NotoSansDevanagari-Bold.ttf",
}
# Bold text falls back to the regular CJK face: there is no bold CJK font shipped.
_CHAINS = {REGULAR: (REGULAR, DEVANAGARI, CJK), BOLD: (BOLD, DEVANAGARI_BOLD, CJK)}

# Fonts the system may have for scripts the shipped subsets leave out (e.g. Korean Hangul); used
# only for characters no shipped font has, and only if the file is a loadable TrueType font.
SYSTEM_FALLBACKS = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # Debian fonts-droid-fallback
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",  # Debian fonts-noto-core
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",  # Debian fonts-nanum (Korean)
    "/usr/share/fonts/truetype/unfonts-core/UnDotum.ttf",  # Debian fonts-unfonts-core (Korean)
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",  # full DejaVu (Georgian, Armenian...)
    "/usr/share/fonts/truetype/unifont/unifont.ttf",
    "C:/Windows/Fonts/malgun.ttf",
    "C:/Windows/Fonts/seguisym.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)

_RTL_RE = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


@lru_cache(maxsize=1)
def register_fonts() -> dict[str, object]:
    """Register the shipped fonts with reportlab once; returns {font name: TTFont}.

    Raises
    ------
    ReportError
        A font file is missing or unreadable (the installation is incomplete).
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = {}
    folder = assets_dir() / "fonts"
    for name, filename in _FONT_FILES.items():
        path = folder / filename
        try:
            font = TTFont(name, str(path))
        except Exception as exc:  # reportlab raises plain Exception/TTFError subclasses
            raise ReportError(
                f"the report font {path} could not be loaded ({exc}): reinstall shadematch"
            ) from exc
        pdfmetrics.registerFont(font)
        fonts[name] = font
    return fonts


_fallbacks: list[str] | None = None


def system_fallbacks() -> list[str]:
    """Names of the system fallback fonts that loaded (registered on first use)."""
    global _fallbacks
    if _fallbacks is None:
        from pathlib import Path

        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        names = []
        for path in SYSTEM_FALLBACKS:
            if not Path(path).is_file():
                continue
            # Named by the file: a name is registered once per process, for one file only.
            name = "SM-Fallback-" + hashlib.sha1(str(path).encode()).hexdigest()[:10]
            if name in _FONTS_EXTRA:
                names.append(name)
                continue
            try:
                font = TTFont(name, path)
            except Exception as exc:  # noqa: BLE001 - e.g. CFF outlines: not usable, skip it
                log.info("fallback font %s not usable: %s", path, exc)
                continue
            shipped = {f.face.name for f in register_fonts().values()}
            if font.face.name in shipped:
                # Same PostScript name as a shipped subset: the PDF would mix up their glyphs.
                log.info("fallback font %s skipped: same name as a shipped font", path)
                continue
            pdfmetrics.registerFont(font)
            _FONTS_EXTRA[name] = font
            names.append(name)
        _fallbacks = names
    return _fallbacks


_FONTS_EXTRA: dict[str, object] = {}


def _has_glyph(font_name: str, char: str) -> bool:
    font = register_fonts().get(font_name) or _FONTS_EXTRA[font_name]
    return ord(char) in font.face.charToGlyph


def _font_for(char: str, chain: tuple[str, ...]) -> str | None:
    if char in " \t" or unicodedata.category(char).startswith("Z"):
        return None  # spaces join whatever run they sit in
    for name in chain:
        if _has_glyph(name, char):
            return name
    for name in system_fallbacks():
        if _has_glyph(name, char):
            return name
    return ""


def clean(text: str) -> str:
    """Text safe to draw: NFC-normalised, control characters removed, tabs as spaces."""
    text = unicodedata.normalize("NFC", str(text)).replace("\t", " ")
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf")
                   or c in "\u200c\u200d")


def is_rtl(line: str) -> bool:
    """True when the line's first strong character is right-to-left (its bidi base direction)."""
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def to_visual(line: str) -> str:
    """One line in logical order -> shaped glyph characters in visual (left-to-right) order."""
    if not _RTL_RE.search(line):
        return line
    if _ARABIC_RE.search(line):
        import arabic_reshaper

        line = arabic_reshaper.reshape(line)
    from bidi import get_display

    return get_display(line)


@dataclass(frozen=True)
class Run:
    """A piece of a visual line drawn in one font."""

    text: str
    font: str


_warned: set[str] = set()


def unprintable(text: str) -> list[str]:
    """The distinct characters of ``text`` that no shipped or system font can draw, in order."""
    register_fonts()
    out: list[str] = []
    for char in clean(text):
        if char != "\n" and char not in out and _font_for(char, _CHAINS[REGULAR]) == "":
            out.append(char)
    return out


def runs(visual: str, font: str = REGULAR) -> list[Run]:
    """Cut a visual-order line into runs by font coverage; uncovered characters become "?".

    Each uncovered character is logged once per process, however often it is measured or drawn.
    """
    chain = _CHAINS.get(font, (font,))
    out: list[Run] = []
    current_font = chain[0]
    buf: list[str] = []
    for char in visual:
        name = _font_for(char, chain)
        if name == "":
            if char not in _warned:
                _warned.add(char)
                log.warning("no shipped font has U+%04X (%s); drawn as '?'", ord(char),
                            unicodedata.name(char, "unnamed"))
            char, name = "?", chain[0]
        if name is None:  # a space: stays in the current run if that font has the glyph
            name = current_font if _has_glyph(current_font, char) else chain[0]
        if name != current_font and buf:
            out.append(Run("".join(buf), current_font))
            buf = []
        current_font = name
        buf.append(char)
    if buf:
        out.append(Run("".join(buf), current_font))
    return out


def width(text: str, size: float, font: str = REGULAR) -> float:
    """Width in points of one logical line drawn at ``size``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    register_fonts()
    return sum(stringWidth(r.text, r.font, size) for r in runs(to_visual(clean(text)), font))


def draw(canvas, x: float, y: float, text: str, size: float, font: str = REGULAR,
         align: str = "left", color: tuple[float, float, float] | None = None) -> float:
    """Draw one line of text with its baseline at ``y``; returns its width in points.

    ``align`` is "left" (x is the left edge), "right" (x is the right edge) or "centre".
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    register_fonts()
    pieces = runs(to_visual(clean(text).replace("\n", " ")), font)
    total = sum(stringWidth(r.text, r.font, size) for r in pieces)
    if align == "right":
        x -= total
    elif align == "centre":
        x -= total / 2
    if color is not None:
        canvas.setFillColorRGB(*color)
    for piece in pieces:
        canvas.setFont(piece.font, size)
        canvas.drawString(x, y, piece.text)
        x += stringWidth(piece.text, piece.font, size)
    return total


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x3000 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def _tokens(paragraph: str) -> list[str]:
    """Break opportunities: words with their trailing space, and every CJK character alone."""
    tokens: list[str] = []
    for word in re.findall(r"\S+\s*|\s+", paragraph):
        if any(_is_cjk(c) for c in word):
            buf = ""
            for char in word:
                if _is_cjk(char):
                    if buf:
                        tokens.append(buf)
                        buf = ""
                    tokens.append(char)
                else:
                    buf += char
            if buf:
                tokens.append(buf)
        else:
            tokens.append(word)
    return tokens


def wrap(text: str, size: float, max_width: float, font: str = REGULAR) -> list[str]:
    """Logical lines of ``text`` that each fit ``max_width`` points (explicit newlines kept)."""
    lines: list[str] = []
    for paragraph in clean(text).split("\n"):
        line = ""
        for token in _tokens(paragraph):
            candidate = line + token
            if line and width(candidate.rstrip(), size, font) > max_width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = candidate
            # A single token longer than the line: cut it by characters. The characters'
            # advances are measured once and summed (linear in the token's length: a 2,000
            # character pigment name must not take minutes).
            if len(line) > 1 and width(line.rstrip(), size, font) > max_width:
                advances = [width(char, size, font) for char in line]
                start = 0
                while start < len(line) - 1:
                    total, cut = 0.0, start
                    while cut < len(line) and total + advances[cut] <= max_width:
                        total += advances[cut]
                        cut += 1
                    if cut == len(line):
                        break
                    cut = max(cut, start + 1)
                    lines.append(line[start:cut])
                    start = cut
                line = line[start:]
        lines.append(line.rstrip())
    return lines


def draw_wrapped(canvas, x: float, y: float, text: str, size: float, max_width: float,
                 font: str = REGULAR, leading: float | None = None,
                 color: tuple[float, float, float] | None = None,
                 rtl_right: bool = True) -> float:
    """Draw wrapped text, first baseline at ``y``; returns the y below the last line.

    Right-to-left lines are right-aligned in ``max_width`` unless ``rtl_right`` is False.
    """
    leading = leading or size * 1.35
    for line in wrap(text, size, max_width, font):
        if rtl_right and is_rtl(line):
            draw(canvas, x + max_width, y, line, size, font, align="right", color=color)
        else:
            draw(canvas, x, y, line, size, font, color=color)
        y -= leading
    return y
