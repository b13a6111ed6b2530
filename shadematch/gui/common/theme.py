"""The neutral grey interface.

Colour-critical tools surround the image with neutral grey (R = G = B) so the surround does not
bias the eye; a coloured accent next to a skin swatch would shift how the swatch is seen. Every
colour here is achromatic, including the selection highlight. Only the error badge is coloured,
and it only appears on a thumbnail that failed to load.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

# Neutral greys (sRGB code values, R = G = B). Window ~ L* 33, a mid-dark surround.
GREYS = {
    "window": 80,
    "base": 64,
    "alternate_base": 72,
    "button": 88,
    "text": 228,
    "disabled_text": 140,
    "highlight": 140,
    "highlighted_text": 255,
    "mid": 60,
    "dark": 40,
    "shadow": 20,
    "light": 120,
    "midlight": 100,
    "tooltip_base": 48,
}
ERROR_COLOUR = QColor(214, 48, 39)       # the error badge on an unreadable photo
WARNING_TEXT_COLOUR = QColor(255, 196, 0)  # inline warnings ("folder not found")


def grey(value: int) -> QColor:
    """A neutral grey of sRGB code value ``value`` (0..255) on all three channels."""
    return QColor(value, value, value)


def neutral_palette() -> QPalette:
    """The application palette: achromatic greys only."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "window",
        QPalette.ColorRole.WindowText: "text",
        QPalette.ColorRole.Base: "base",
        QPalette.ColorRole.AlternateBase: "alternate_base",
        QPalette.ColorRole.ToolTipBase: "tooltip_base",
        QPalette.ColorRole.ToolTipText: "text",
        QPalette.ColorRole.PlaceholderText: "disabled_text",
        QPalette.ColorRole.Text: "text",
        QPalette.ColorRole.Button: "button",
        QPalette.ColorRole.ButtonText: "text",
        QPalette.ColorRole.BrightText: "highlighted_text",
        QPalette.ColorRole.Light: "light",
        QPalette.ColorRole.Midlight: "midlight",
        QPalette.ColorRole.Mid: "mid",
        QPalette.ColorRole.Dark: "dark",
        QPalette.ColorRole.Shadow: "shadow",
        QPalette.ColorRole.Highlight: "highlight",
        QPalette.ColorRole.HighlightedText: "highlighted_text",
        QPalette.ColorRole.Link: "text",
        QPalette.ColorRole.LinkVisited: "disabled_text",
    }
    for role, name in roles.items():
        palette.setColor(role, grey(GREYS[name]))
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText, QPalette.ColorRole.HighlightedText):
        palette.setColor(disabled, role, grey(GREYS["disabled_text"]))
    palette.setColor(disabled, QPalette.ColorRole.Highlight, grey(GREYS["mid"]))
    return palette


STYLE_SHEET = """
QToolTip { color: #e4e4e4; background-color: #303030; border: 1px solid #5a5a5a; padding: 3px; }
QDockWidget::title { background: #4a4a4a; padding: 4px 6px; }
QLabel[role="inline-error"] { color: #ffc400; }
QLabel[role="hint"] { color: #a8a8a8; }
QStatusBar { background: #484848; }
QMenu::separator { height: 1px; background: #606060; margin: 4px 8px; }
"""


def apply_theme(app: QApplication) -> None:
    """Fusion style with the neutral grey palette and the small style sheet above."""
    style = QStyleFactory.create("Fusion")
    if style is not None:
        app.setStyle(style)
    app.setPalette(neutral_palette())
    app.setStyleSheet(STYLE_SHEET)


def configure_high_dpi() -> None:
    """Call before the QApplication exists: keep fractional scale factors (e.g. 150 %) exact so
    photos and swatches are drawn sharp rather than rounded to whole-number scaling."""
    from PySide6.QtCore import Qt

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
