"""Mouse tools of the preview window: draw the treatment area, move its points, draw the scale.

A thin layer over :class:`~shadematch.preview.design_editor.DesignEditor`: every change goes to
the editor (a vertex drag is one undo step); the overlay only draws what the editor holds.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from shadematch.errors import ShadematchError
from shadematch.imaging.regions import Region
from shadematch.preview.design_editor import DesignEditor

AREA_COLOUR = QColor(255, 196, 0)
SCALE_COLOUR = QColor(0, 200, 255)
HANDLE_PX = 8
MODES = ("edit", "draw", "scale")


class AreaOverlay:
    """Draws the treatment area, its points and the scale line over the photo."""

    def __init__(self, scene) -> None:
        self.halo = QGraphicsPathItem()
        self.outline = QGraphicsPathItem()
        self.handles = QGraphicsPathItem()
        self.scale = QGraphicsPathItem()
        for item, colour, width in ((self.halo, QColor(0, 0, 0, 160), 4.0),
                                    (self.outline, AREA_COLOUR, 1.6),
                                    (self.handles, AREA_COLOUR, 1.2),
                                    (self.scale, SCALE_COLOUR, 2.0)):
            pen = QPen(colour, width)
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setZValue(10)
            scene.addItem(item)
        dashed = QPen(AREA_COLOUR, 1.6, Qt.PenStyle.DashLine)
        dashed.setCosmetic(True)
        self.outline.setPen(dashed)
        self.visible = True

    def show(self, editor: DesignEditor, pending: list[QPointF], zoom: float) -> None:
        path = QPainterPath()
        handles = QPainterPath()
        size = HANDLE_PX / max(zoom, 1e-6)
        for region in editor.state.area:
            if region.shape == "polygon":
                points = region.params["points"]
                path.moveTo(*points[0])
                for x, y in points[1:]:
                    path.lineTo(x, y)
                path.closeSubpath()
                for x, y in points:
                    handles.addRect(x - size / 2, y - size / 2, size, size)
            else:
                from shadematch.gui.regions.region_tools import region_path

                path.addPath(region_path(region.shape, region.params))
        if pending:
            path.moveTo(pending[0])
            for p in pending[1:]:
                path.lineTo(p)
            for p in pending:
                handles.addRect(p.x() - size / 2, p.y() - size / 2, size, size)
        self.halo.setPath(path)
        self.outline.setPath(path)
        self.handles.setPath(handles)
        line = QPainterPath()
        if editor.state.scale_line is not None:
            x1, y1, x2, y2, _ = editor.state.scale_line
            line.moveTo(x1, y1)
            line.lineTo(x2, y2)
        self.scale.setPath(line)
        for item in (self.halo, self.outline, self.handles, self.scale):
            item.setVisible(self.visible)


class AreaTool(QObject):
    """The photo view's tool in the preview window (see :class:`PhotoView`'s ``tool``)."""

    changed = Signal()            # the pending polygon or scale line changed: redraw
    scale_drawn = Signal(float, float, float, float)   # a line over a known length
    problem = Signal(str)

    def __init__(self, editor: DesignEditor, view) -> None:
        super().__init__(view)
        self.editor = editor
        self.view = view
        self.mode = "edit"
        self.pending: list[QPointF] = []
        self._vertex: int | None = None
        self._scale_from: QPointF | None = None
        self.scale_preview: tuple[QPointF, QPointF] | None = None

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.pending = []
        self._scale_from = None
        self.view.viewport().setCursor(self.cursor())
        self.changed.emit()

    def cursor(self):
        return Qt.CursorShape.CrossCursor if self.mode in ("draw", "scale") else Qt.CursorShape.ArrowCursor

    def _near_vertex(self, pos: QPointF) -> int | None:
        area = self.editor.state.area
        if len(area) != 1 or area[0].shape != "polygon":
            return None
        reach = 1.5 * HANDLE_PX / max(self.view.zoom() / self.view.device_ratio(), 1e-6)
        best, best_d = None, reach
        for i, (x, y) in enumerate(area[0].params["points"]):
            d = math.hypot(pos.x() - x, pos.y() - y)
            if d <= best_d:
                best, best_d = i, d
        return best

    def press(self, pos: QPointF, event) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        if self.mode == "draw":
            self.pending.append(pos)
            self.changed.emit()
            return True
        if self.mode == "scale":
            self._scale_from = pos
            self.scale_preview = (pos, pos)
            return True
        vertex = self._near_vertex(pos)
        if vertex is not None:
            self._vertex = vertex
            self.editor.begin_drag("Move hairline point")
            return True
        return False

    def move(self, pos: QPointF, event) -> bool:
        if self._vertex is not None:
            try:
                self.editor.move_vertex(self._vertex, pos.x(), pos.y())
            except ShadematchError as exc:
                self.problem.emit(str(exc))
            return True
        if self._scale_from is not None:
            self.scale_preview = (self._scale_from, pos)
            self.changed.emit()
            return True
        return False

    def release(self, pos: QPointF, event) -> bool:
        if self._vertex is not None:
            self._vertex = None
            self.editor.end_drag()
            return True
        if self._scale_from is not None:
            start, self._scale_from = self._scale_from, None
            self.scale_preview = None
            self.scale_drawn.emit(start.x(), start.y(), pos.x(), pos.y())
            return True
        return False

    def double_click(self, pos: QPointF, event) -> bool:
        if self.mode == "draw":
            self.finish_polygon()
            return True
        return False

    def finish_polygon(self) -> None:
        points = [[round(p.x(), 2), round(p.y(), 2)] for p in self.pending]
        # a double-click adds the same point twice
        unique = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        self.pending = []
        if len(unique) < 3:
            self.problem.emit("The area needs at least 3 points: click its corners, then "
                              "double-click or press Enter.")
        else:
            self.editor.set_area([Region("skin", "polygon", {"points": unique})])
            self.set_mode("edit")
        self.changed.emit()

    def key(self, event) -> bool:
        if self.mode == "draw" and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish_polygon()
            return True
        if event.key() == Qt.Key.Key_Escape and (self.pending or self.mode != "edit"):
            self.set_mode("edit")
            return True
        return False
