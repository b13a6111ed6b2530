"""Colour swatches drawn from CIELAB (converted to sRGB by the core); out-of-gamut ones are marked."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget


def lab_to_qcolor(Lab: Sequence[float]) -> tuple[QColor, bool]:
    """The sRGB colour of one CIELAB colour (L* 0..100) and whether it lies inside sRGB."""
    import numpy as np

    from shadematch.color import Lab_to_sRGB

    rgb, in_gamut = Lab_to_sRGB(np.asarray(Lab, dtype=np.float64).reshape(1, 3))
    r, g, b = (int(round(float(v) * 255)) for v in np.asarray(rgb).reshape(3))
    return QColor(r, g, b), bool(np.asarray(in_gamut).reshape(-1)[0])


def _paint_out_of_gamut(painter: QPainter, rect: QRectF, color: QColor) -> None:
    """A corner triangle with a "!" marks a colour that sRGB cannot show (clipped for display)."""
    side = min(rect.width(), rect.height()) * 0.35
    mark = QColor(255, 255, 255) if color.lightnessF() < 0.5 else QColor(0, 0, 0)
    painter.setPen(Qt.NoPen)
    painter.setBrush(mark)
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPolygonF

    tri = QPolygonF([QPointF(rect.right() - side, rect.top()), rect.topRight(),
                     QPointF(rect.right(), rect.top() + side)])
    painter.drawPolygon(tri)


def swatch_pixmap(Lab: Sequence[float] | None, size: QSize | int = 16, ratio: float = 1.0) -> QPixmap:
    """A small swatch (for table cells and lists); grey cross when there is no colour."""
    if isinstance(size, int):
        size = QSize(size, size)
    pm = QPixmap(int(size.width() * ratio), int(size.height() * ratio))
    pm.setDevicePixelRatio(ratio)
    pm.fill(Qt.transparent)
    painter = QPainter(pm)
    rect = QRectF(0.5, 0.5, size.width() - 1, size.height() - 1)
    if Lab is None:
        painter.setPen(QPen(QColor(128, 128, 128)))
        painter.drawRect(rect)
        painter.drawLine(rect.topLeft(), rect.bottomRight())
    else:
        color, in_gamut = lab_to_qcolor(Lab)
        painter.fillRect(rect, color)
        painter.setPen(QPen(QColor(90, 90, 90)))
        painter.drawRect(rect)
        if not in_gamut:
            _paint_out_of_gamut(painter, rect, color)
    painter.end()
    return pm


def swatch_icon(Lab: Sequence[float] | None, size: int = 16) -> QIcon:
    return QIcon(swatch_pixmap(Lab, size, 2.0))


class Swatch(QWidget):
    """A large swatch of one CIELAB colour with an optional caption; out-of-gamut marked."""

    def __init__(self, parent: QWidget | None = None, minimum: int = 64) -> None:
        super().__init__(parent)
        self._Lab: tuple[float, float, float] | None = None
        self._color = QColor(128, 128, 128)
        self._in_gamut = True
        self._caption = ""
        self.setMinimumSize(minimum, minimum)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)

    def set_Lab(self, Lab: Sequence[float] | None, caption: str = "") -> None:
        """Show this CIELAB colour (None: an empty swatch)."""
        self._Lab = None if Lab is None else tuple(float(v) for v in Lab)
        self._caption = caption
        if self._Lab is not None:
            self._color, self._in_gamut = lab_to_qcolor(self._Lab)
        tip = caption
        if self._Lab is not None and not self._in_gamut:
            tip = (tip + "\n" if tip else "") + (
                "Outside the sRGB gamut: the screen shows the nearest colour it can (clipped).")
        self.setToolTip(tip)
        self.update()

    @property
    def Lab(self):
        return self._Lab

    @property
    def in_gamut(self) -> bool:
        return self._in_gamut

    def color(self) -> QColor:
        return QColor(self._color) if self._Lab is not None else QColor()

    def sizeHint(self) -> QSize:
        return QSize(120, 80)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt name
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        if self._Lab is None:
            painter.setPen(QPen(QColor(110, 110, 110), 1, Qt.DashLine))
            painter.drawRect(rect)
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(rect, Qt.AlignCenter, self._caption or "no sample")
            return
        painter.fillRect(rect, self._color)
        painter.setPen(QPen(QColor(70, 70, 70)))
        painter.drawRect(rect)
        if not self._in_gamut:
            _paint_out_of_gamut(painter, rect, self._color)
        if self._caption:
            text_color = QColor(255, 255, 255) if self._color.lightnessF() < 0.5 else QColor(0, 0, 0)
            painter.setPen(text_color)
            painter.drawText(rect.adjusted(6, 4, -6, -4), Qt.AlignLeft | Qt.AlignBottom,
                             self._caption)
