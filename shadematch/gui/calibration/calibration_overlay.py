"""The chart grid drawn over the photo, and the click tool that places and drags its corners.

The user clicks the centres of the four corner patches in chart order (dark skin, bluish green,
black, white). From the fourth click on, the 24 sampled squares are drawn over the photo, each
outlined in the colour that patch should have, so a misplaced click is obvious; the corner
handles can then be dragged.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from shadematch.calibration import CORNER_NAMES, chart_reference, patch_quads
from shadematch.errors import ShadematchError

HANDLE_RADIUS_PX = 7.0      # screen pixels
GRAB_DISTANCE_PX = 14.0     # screen pixels: a press this close to a handle drags it


def reference_colours(reference: str = "after-2014") -> list[QColor]:
    """The sRGB colour each ColorChecker patch should have (for outlining the grid)."""
    from shadematch.color import Lab_to_sRGB

    rgb, _ = Lab_to_sRGB(np.asarray(chart_reference("colorchecker24", reference).Lab))
    return [QColor(*(int(round(float(v) * 255)) for v in row)) for row in np.asarray(rgb)]


class ChartGridItem(QGraphicsItem):
    """Corner handles (numbered 1-4) and, once all four are set, the 24 sampled squares."""

    def __init__(self) -> None:
        super().__init__()
        self.corners: list[tuple[float, float]] = []
        self._quads: np.ndarray | None = None
        self._colours = reference_colours()
        self._bounds = QRectF()
        self.setZValue(30)

    def set_corners(self, corners) -> None:
        self.prepareGeometryChange()
        self.corners = [(float(x), float(y)) for x, y in corners]
        self._quads = None
        if len(self.corners) == 4:
            try:
                self._quads = patch_quads(self.corners)
            except (ShadematchError, np.linalg.LinAlgError):
                self._quads = None  # degenerate while dragging: only the handles are drawn
        pts = np.array(self.corners, dtype=float).reshape(-1, 2)
        if self._quads is not None and np.all(np.isfinite(self._quads)):
            pts = np.vstack([pts, self._quads.reshape(-1, 2)])
        if len(pts):
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            self._bounds = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        else:
            self._bounds = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt name
        # Generous margin: handles and labels are drawn at a fixed screen size.
        return self._bounds.adjusted(-4000, -4000, 4000, 4000) if self.corners else QRectF()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        scale = painter.worldTransform().m11() or 1.0
        painter.setRenderHint(QPainter.Antialiasing, True)
        if self._quads is not None:
            dark = QPen(QColor(0, 0, 0, 200), 3)
            dark.setCosmetic(True)
            for quad, colour in zip(self._quads, self._colours, strict=False):
                polygon = QPolygonF([QPointF(float(x), float(y)) for x, y in quad])
                painter.setBrush(Qt.NoBrush)
                painter.setPen(dark)
                painter.drawPolygon(polygon)
                pen = QPen(colour, 2)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.drawPolygon(polygon)
        elif len(self.corners) > 1:
            pen = QPen(QColor(255, 255, 255, 180), 1, Qt.DashLine)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in self.corners]))
        radius = HANDLE_RADIUS_PX / scale
        font = QFont()
        font.setPixelSize(12)
        for i, (x, y) in enumerate(self.corners):
            outline = QPen(QColor(0, 0, 0), 2)
            outline.setCosmetic(True)
            painter.setPen(outline)
            painter.setBrush(QBrush(QColor(255, 255, 255)))
            painter.drawEllipse(QPointF(x, y), radius, radius)
            painter.save()
            painter.translate(x, y)
            painter.scale(1 / scale, 1 / scale)
            painter.setFont(font)
            painter.setPen(QColor(0, 0, 0))
            painter.drawText(QRectF(-HANDLE_RADIUS_PX, -HANDLE_RADIUS_PX, 2 * HANDLE_RADIUS_PX,
                                    2 * HANDLE_RADIUS_PX), Qt.AlignCenter, str(i + 1))
            label_at = QPointF(HANDLE_RADIUS_PX + 3, -HANDLE_RADIUS_PX)
            painter.setPen(QColor(0, 0, 0))  # a dark halo keeps the name readable on white
            for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                painter.drawText(label_at + QPointF(dx, dy), CORNER_NAMES[i])
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(label_at, CORNER_NAMES[i])
            painter.restore()


class ChartClickTool(QObject):
    """The photo view's tool while the chart corners are placed (see ``PhotoView.tool``).

    Left click: the next corner (until four). Press on a handle and drag: move that corner.
    Backspace: remove the last corner. Escape: leave chart mode.

    Signals
    -------
    corners_changed(list) : the corners after a click or a finished drag.
    dragging(list) : the corners while a handle is dragged (for the live grid only).
    leave_requested() : Escape was pressed.
    """

    corners_changed = Signal(list)
    dragging = Signal(list)
    leave_requested = Signal()

    def __init__(self, view, parent=None) -> None:
        super().__init__(parent)
        self.view = view
        self.corners: list[tuple[float, float]] = []
        self._drag: int | None = None

    def set_corners(self, corners) -> None:
        self.corners = [(float(x), float(y)) for x, y in corners]

    def cursor(self):
        return Qt.CrossCursor

    def _clamp(self, pos: QPointF) -> tuple[float, float]:
        w, h = self.view.photo_size
        return (round(min(max(pos.x(), 0.0), max(w - 1, 0)), 2),
                round(min(max(pos.y(), 0.0), max(h - 1, 0)), 2))

    def handle_at(self, pos: QPointF) -> int | None:
        scale = self.view.transform().m11() or 1.0
        best, best_d = None, GRAB_DISTANCE_PX / scale
        for i, (x, y) in enumerate(self.corners):
            d = float(np.hypot(pos.x() - x, pos.y() - y))
            if d <= best_d:
                best, best_d = i, d
        return best

    # -- PhotoView tool protocol (return True when the event was used) ---------------------------
    def press(self, pos: QPointF, event) -> bool:
        if event.button() != Qt.LeftButton or self.view.photo_size[0] <= 0:
            return False
        handle = self.handle_at(pos)
        if handle is not None:
            self._drag = handle
            return True
        if len(self.corners) < 4:
            self.corners.append(self._clamp(pos))
            self.corners_changed.emit(list(self.corners))
        return True

    def move(self, pos: QPointF, event) -> bool:
        if self._drag is None:
            return False
        self.corners[self._drag] = self._clamp(pos)
        self.dragging.emit(list(self.corners))
        return True

    def release(self, pos: QPointF, event) -> bool:
        if self._drag is None:
            return event.button() == Qt.LeftButton
        self.corners[self._drag] = self._clamp(pos)
        self._drag = None
        self.corners_changed.emit(list(self.corners))
        return True

    def double_click(self, pos: QPointF, event) -> bool:
        return event.button() == Qt.LeftButton

    def key(self, event) -> bool:
        if event.key() == Qt.Key_Backspace and self.corners:
            self.corners.pop()
            self.corners_changed.emit(list(self.corners))
            return True
        if event.key() == Qt.Key_Escape:
            self.leave_requested.emit()
            return True
        return False
