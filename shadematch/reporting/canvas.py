"""Drawing primitives of the report: a canvas that numbers its pages, swatches, boxes, rules.

Units are PDF points (1/72 inch), origin at the bottom-left of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from shadematch.reporting import text

INK = (0.13, 0.13, 0.15)
MUTED = (0.40, 0.40, 0.44)
RULE = (0.78, 0.78, 0.80)
ACCENT = (0.05, 0.33, 0.52)
HIGHLIGHT = (0.90, 0.95, 0.99)
WARN = (0.62, 0.30, 0.00)


@dataclass
class SwatchPlacement:
    """Where a swatch was drawn, for tests and for anyone checking the printed colour."""

    page: int  # 1-based
    x: float
    y: float  # bottom edge, PDF points from the page bottom
    w: float
    h: float
    label: str
    Lab: tuple[float, float, float]
    rgb: tuple[float, float, float]  # sRGB 0..1 as written to the PDF
    in_gamut: bool


def make_canvas(buffer, pagesize, footer: Callable[[object, int, int], None]):
    """A reportlab canvas that draws ``footer(canvas, page, pages)`` on every page at save time."""
    from reportlab.pdfgen.canvas import Canvas

    class _NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                footer(self, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    text.register_fonts()
    # PDF 1.4 for the sRGB output intent; every colour must be RGB; no unembedded base font.
    return _NumberedCanvas(buffer, pagesize=pagesize, pageCompression=1, pdfVersion=(1, 4),
                           enforceColorSpace="rgb", initialFontName=text.REGULAR,
                           initialFontSize=10, lang="en")


@dataclass
class Page:
    """The page cursor: content box and the current y (top of the free space)."""

    canvas: object
    width: float
    height: float
    left: float = 40.0
    right: float = 40.0
    top: float = 40.0
    bottom: float = 56.0
    number: int = 1
    y: float = 0.0
    on_new_page: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.y = self.height - self.top

    @property
    def content_width(self) -> float:
        return self.width - self.left - self.right

    def new_page(self) -> None:
        self.canvas.showPage()
        self.number += 1
        self.y = self.height - self.top
        for hook in self.on_new_page:
            hook()

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` points are free below the cursor."""
        if self.y - height < self.bottom:
            self.new_page()


def rule(c, x0: float, x1: float, y: float, colour=RULE, width: float = 0.6) -> None:
    c.setStrokeColorRGB(*colour)
    c.setLineWidth(width)
    c.line(x0, y, x1, y)


def box(c, x: float, y: float, w: float, h: float, fill=None, stroke=RULE,
        width: float = 0.6, radius: float = 3.0) -> None:
    """A rounded rectangle with its bottom-left corner at (x, y)."""
    c.setLineWidth(width)
    if fill is not None:
        c.setFillColorRGB(*fill)
    if stroke is not None:
        c.setStrokeColorRGB(*stroke)
    c.roundRect(x, y, w, h, radius, stroke=int(stroke is not None), fill=int(fill is not None))


def swatch(c, x: float, y: float, w: float, h: float, rgb, in_gamut: bool) -> None:
    """A flat colour patch with a hairline border; out-of-gamut ones get a marked corner."""
    c.setFillColorRGB(*rgb)
    c.setStrokeColorRGB(0.55, 0.55, 0.58)
    c.setLineWidth(0.5)
    c.rect(x, y, w, h, stroke=1, fill=1)
    if not in_gamut:
        side = min(w, h) * 0.42
        light = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) < 0.45
        mark = (1, 1, 1) if light else (0, 0, 0)
        c.setFillColorRGB(*mark)
        path = c.beginPath()
        path.moveTo(x + w, y + h)
        path.lineTo(x + w - side, y + h)
        path.lineTo(x + w, y + h - side)
        path.close()
        c.drawPath(path, stroke=0, fill=1)
        text.draw(c, x + w - side * 0.28, y + h - side * 0.55, "!", side * 0.5, text.BOLD,
                  align="centre", color=rgb)


def heading(page: Page, title: str, size: float = 12.5, space_after: float = 6.0) -> None:
    """A section title with a thin accent rule under it; keeps 60 pt free after it."""
    page.ensure(size + space_after + 60)
    c = page.canvas
    page.y -= size
    text.draw(c, page.left, page.y, title, size, text.BOLD, color=ACCENT)
    page.y -= 4
    rule(c, page.left, page.left + page.content_width, page.y, ACCENT, 0.8)
    page.y -= space_after + 4
