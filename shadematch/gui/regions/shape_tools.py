"""One small tool per shape: what a press, a drag, a release, a double-click and a key do with it.

:class:`~shadematch.gui.regions.region_tools.RegionTools` holds what the tools share (the photo
view, the workspace, the press position, the region being drawn, the rubber band, the brush
size) and hands each input event to the active tool. The shapes' geometry (parameters from a
bounding box, moving, resizing) is the core's (:mod:`shadematch.region_geometry`); a tool only
turns mouse positions into it and previews the result in the workspace.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from PySide6.QtCore import QPointF, QRectF, Qt, SignalInstance

from shadematch.region_geometry import fit_params, shape_bounds, translate_params
from shadematch.workspace import Workspace


class RegionTools(Protocol):
    """What the tools share (:class:`shadematch.gui.regions.region_tools.RegionTools` is it)."""

    view: Any                     # the PhotoView
    workspace: Workspace
    overlay: Any                  # the RegionOverlay: region_at(), handle_at()
    message: SignalInstance       # (text) said in the status bar
    region_class: str
    brush_radius: float
    press_pos: QPointF | None
    press_screen: QPointF | None
    drawing_id: str | None
    points: list[list[float]]

    def clamp(self, pos: QPointF) -> QPointF: ...

    def finish(self) -> None: ...

    def show_rubber_band(self, points: list[list[float]], cursor: QPointF | None) -> None: ...

    def show_brush_cursor(self, pos: QPointF) -> None: ...


def resized_bounds(bounds: QRectF, handle: str, pos: QPointF) -> tuple[float, float, float, float]:
    """The bounding box after dragging ``handle`` to ``pos`` (normalised, at least 1 px)."""
    left, top, right, bottom = bounds.left(), bounds.top(), bounds.right(), bounds.bottom()
    if "l" in handle:
        left = pos.x()
    if "r" in handle:
        right = pos.x()
    if handle.startswith("t"):
        top = pos.y()
    if handle.startswith("b"):
        bottom = pos.y()
    x0, x1 = sorted((left, right))
    y0, y1 = sorted((top, bottom))
    return x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0)


class ShapeTool:
    """The default behaviour of a tool (each method returns True when it used the event)."""

    name = ""
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, tools: RegionTools) -> None:
        self.tools = tools

    def press(self, pos: QPointF, event) -> bool:
        """The left button went down at ``pos`` (clamped to the photo)."""
        return True

    def hover(self, pos: QPointF, event) -> bool:
        """The mouse moved (any button state) before any drag handling; True stops there."""
        return False

    def idle(self, pos: QPointF) -> None:
        """The mouse moved with no button down."""

    def drag(self, pos: QPointF, event) -> bool:
        """The mouse moved with the left button down, past the drag threshold."""
        return False

    def release(self, dragged: bool) -> bool:
        """The left button went up (``dragged``: the mouse moved past the threshold)."""
        return True

    def double_click(self, event) -> bool:
        return False

    def key(self, event) -> bool:
        """A key this tool handles (True) or leaves to the common keys (False)."""
        return False

    def abort(self) -> None:
        """Forget what this tool was doing (the region being drawn is dropped by RegionTools)."""


class SelectTool(ShapeTool):
    """Click to select (Ctrl: add/remove), drag to move, drag a handle to resize; arrows nudge."""

    name = "select"
    cursor = Qt.CursorShape.ArrowCursor
    HANDLE_CURSORS = {"tl": Qt.CursorShape.SizeFDiagCursor, "br": Qt.CursorShape.SizeFDiagCursor,
                      "tr": Qt.CursorShape.SizeBDiagCursor, "bl": Qt.CursorShape.SizeBDiagCursor,
                      "t": Qt.CursorShape.SizeVerCursor, "b": Qt.CursorShape.SizeVerCursor,
                      "l": Qt.CursorShape.SizeHorCursor, "r": Qt.CursorShape.SizeHorCursor}

    def __init__(self, tools: RegionTools) -> None:
        super().__init__(tools)
        self.mode = ""  # "move", "resize"
        self.handle: tuple[str, str] | None = None
        self.originals: dict[str, tuple[str, dict]] = {}

    def abort(self) -> None:
        self.mode = ""

    def press(self, pos: QPointF, event) -> bool:
        t, ws = self.tools, self.tools.workspace
        if t.view.showing_preview:
            return True  # the regions shown belong to the photo being replaced
        handle = t.overlay.handle_at(pos)
        if handle is not None:
            self.mode, self.handle = "resize", handle
            region = ws.region(handle[0])
            self.originals = {region.id: (region.shape, dict(region.params))}
            return True
        rid = t.overlay.region_at(pos)
        selected = list(ws.selected)
        if rid is None:
            if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                ws.select([])
            self.mode = ""
            return True
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            selected = [i for i in selected if i != rid] if rid in selected else selected + [rid]
            ws.select(selected)
        elif rid not in selected:
            ws.select([rid])
        self.mode = "move"
        self.originals = {i: (ws.region(i).shape, dict(ws.region(i).params)) for i in ws.selected}
        return True

    def idle(self, pos: QPointF) -> None:
        """Show what a press would do: resize on a handle, move on a region."""
        t = self.tools
        handle = t.overlay.handle_at(pos)
        if handle is not None:
            cursor = self.HANDLE_CURSORS[handle[1]]
        elif t.overlay.region_at(pos) is not None:
            cursor = Qt.CursorShape.SizeAllCursor
        else:
            cursor = Qt.CursorShape.ArrowCursor
        if t.view.viewport().cursor().shape() != cursor:
            t.view.viewport().setCursor(cursor)

    def drag(self, pos: QPointF, event) -> bool:
        t, ws = self.tools, self.tools.workspace
        if self.mode == "move" and self.originals and t.press_pos is not None:
            if not ws.editing:
                ws.begin_edit("Move region")
            dx, dy = pos.x() - t.press_pos.x(), pos.y() - t.press_pos.y()
            ws.preview_regions({rid: translate_params(shape, params, dx, dy)
                                for rid, (shape, params) in self.originals.items()})
            return True
        if self.mode == "resize" and self.handle is not None:
            rid, handle = self.handle
            shape, params = self.originals[rid]
            if not ws.editing:
                ws.begin_edit("Resize region")
            bounds = resized_bounds(QRectF(*shape_bounds(shape, params)), handle, pos)
            ws.preview_region(rid, fit_params(shape, params, bounds))
            return True
        return False

    def release(self, dragged: bool) -> bool:
        self.mode = ""
        if self.tools.workspace.editing:
            self.tools.workspace.end_edit()
        return True

    def double_click(self, event) -> bool:
        return True

    def key(self, event) -> bool:
        ws = self.tools.workspace
        arrows = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1),
                  Qt.Key.Key_Down: (0, 1)}
        if event.key() in arrows and ws.selected:
            step = 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1  # pixels
            dx, dy = arrows[event.key()]
            ws.move_regions(ws.selected, dx * step, dy * step)
            return True
        return False


class BoxShapeTool(ShapeTool):
    """Drag a box: the shape fitted to it by the core (a rectangle, an ellipse)."""

    label = ""

    def drag(self, pos: QPointF, event) -> bool:
        t = self.tools
        start = t.clamp(t.press_pos)
        x0, x1 = sorted((start.x(), pos.x()))
        y0, y1 = sorted((start.y(), pos.y()))
        if t.drawing_id is None:
            t.drawing_id = t.workspace.new_region_id()
            t.workspace.begin_edit(f"Add {self.label}")
        params = fit_params(self.name, {}, (x0, y0, x1 - x0, y1 - y0))
        t.workspace.preview_region(t.drawing_id, params, shape=self.name,
                                   region_class=t.region_class)
        return True

    def release(self, dragged: bool) -> bool:
        if dragged and self.tools.drawing_id is not None:
            self.tools.finish()
        return True


class RectangleTool(BoxShapeTool):
    name, label = "rect", "rectangle"


class EllipseTool(BoxShapeTool):
    name, label = "ellipse", "ellipse"


class PolygonTool(ShapeTool):
    """Click corners (double-click or Enter closes, Backspace takes one back), or drag a lasso."""

    name = "polygon"

    def press(self, pos: QPointF, event) -> bool:
        self.tools.points.append([round(pos.x(), 2), round(pos.y(), 2)])
        self.update(pos)
        return True

    def hover(self, pos: QPointF, event) -> bool:
        if self.tools.points and not (event.buttons() & Qt.MouseButton.LeftButton):
            self.update(self.tools.clamp(pos))
            return True
        return False

    def drag(self, pos: QPointF, event) -> bool:  # lasso: dragging adds points continuously
        t = self.tools
        last = t.points[-1] if t.points else None
        scale = t.view.transform().m11() or 1.0
        if last is None or math.hypot(pos.x() - last[0], pos.y() - last[1]) * scale >= 4:
            t.points.append([round(pos.x(), 2), round(pos.y(), 2)])
            self.update(pos)
        return True

    def release(self, dragged: bool) -> bool:
        if dragged and len(self.tools.points) >= 3:  # a lasso closes when the button is released
            self.close()
        return True

    def double_click(self, event) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        self.tools.press_pos = self.tools.press_screen = None
        if len(self.tools.points) >= 3:
            self.close()
        return True

    def key(self, event) -> bool:
        t = self.tools
        if not t.points:
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if len(t.points) >= 3:
                self.close()
            else:
                t.message.emit("A polygon needs at least three corners.")
            return True
        if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            return self.remove_last_point()
        return False

    def remove_last_point(self) -> bool:
        """Take back the last corner; False when no polygon is being drawn."""
        t = self.tools
        if not t.points:
            return False
        t.points.pop()
        if t.drawing_id is not None:
            if len(t.points) >= 3:
                t.workspace.preview_region(t.drawing_id, {"points": [list(p) for p in t.points]})
            else:  # fewer than three corners: no region any more, keep drawing
                t.workspace.cancel_edit()
                t.drawing_id = None
        self.update(None)
        return True

    def update(self, cursor: QPointF | None) -> None:
        """Draw the rubber band to ``cursor``; from three corners on, preview the polygon."""
        t = self.tools
        t.show_rubber_band(t.points, cursor)
        if len(t.points) >= 3:
            if t.drawing_id is None:
                t.drawing_id = t.workspace.new_region_id()
                t.workspace.begin_edit("Add polygon")
            t.workspace.preview_region(t.drawing_id, {"points": [list(p) for p in t.points]},
                                       shape="polygon", region_class=t.region_class)

    def close(self) -> None:
        t = self.tools
        if t.drawing_id is not None:
            t.workspace.preview_region(t.drawing_id, {"points": [list(p) for p in t.points]})
        t.points = []
        t.show_rubber_band([], None)
        t.finish()


class BrushTool(ShapeTool):
    """Paint strokes of the brush radius; Shift paints onto the selected brush region."""

    name = "brush"

    def __init__(self, tools: RegionTools) -> None:
        super().__init__(tools)
        self.original: dict | None = None  # the params of the brush region painted onto

    def press(self, pos: QPointF, event) -> bool:
        t, ws = self.tools, self.tools.workspace
        target = None
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and len(ws.selected) == 1:
            region = ws.region(ws.selected[0])
            if region.shape == "brush":
                target = region
        ws.begin_edit("Paint" if target else "Add brush region")
        if target is not None:
            t.drawing_id, self.original = target.id, dict(target.params)
        else:
            t.drawing_id, self.original = ws.new_region_id(), None
        t.points = [[round(pos.x(), 2), round(pos.y(), 2)]]
        self.preview()
        return True

    def hover(self, pos: QPointF, event) -> bool:
        self.tools.show_brush_cursor(pos)
        return False

    def drag(self, pos: QPointF, event) -> bool:
        t = self.tools
        if t.drawing_id is None:
            return False
        last = t.points[-1]
        if math.hypot(pos.x() - last[0], pos.y() - last[1]) >= max(1.0, t.brush_radius / 3):
            t.points.append([round(pos.x(), 2), round(pos.y(), 2)])
            self.preview()
        return True

    def release(self, dragged: bool) -> bool:
        self.tools.finish()
        self.tools.points = []
        return True

    def preview(self) -> None:
        t = self.tools
        stroke = [list(p) for p in t.points]
        if self.original is not None:
            params = {"radius": self.original["radius"],
                      "strokes": [*self.original["strokes"], stroke]}
        else:
            params = {"radius": round(t.brush_radius, 2), "strokes": [stroke]}
        t.workspace.preview_region(t.drawing_id, params, shape="brush",
                                   region_class=t.region_class)


TOOL_CLASSES: tuple[type[ShapeTool], ...] = (SelectTool, RectangleTool, EllipseTool, PolygonTool,
                                             BrushTool)
