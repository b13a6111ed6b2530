"""Region tools: draw (rectangle, ellipse, polygon/lasso, brush), select, move, resize, delete.

Regions live in the :class:`~shadematch.workspace.Workspace`; this module only turns mouse and
key input into workspace calls and draws the regions over the photo. While a region is drawn or
dragged, the workspace gets transient previews (measured quickly); on release one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shadematch.gui.regions.shape_tools import (  # noqa: F401 - resized_bounds re-exported
    TOOL_CLASSES,
    ShapeTool,
    resized_bounds,
)
from shadematch.imaging.regions import CLASS_COLOURS
from shadematch.region_geometry import shape_bounds
from shadematch.workspace import CLASS_LABELS, Workspace

CLASS_COLORS = {name: QColor(*rgb) for name, rgb in CLASS_COLOURS.items()}
TOOLS = ("select", "rect", "ellipse", "polygon", "brush")
TOOL_LABELS = {"select": "Select / move", "rect": "Rectangle", "ellipse": "Ellipse",
               "polygon": "Polygon / lasso", "brush": "Brush"}
TOOL_SHORTCUTS = {"select": "V", "rect": "R", "ellipse": "E", "polygon": "P", "brush": "B"}
TOOL_TIPS = {
    "select": "Click a region to select it (Ctrl: add), drag to move, drag a handle to resize",
    "rect": "Drag to draw a rectangle",
    "ellipse": "Drag to draw an ellipse",
    "polygon": "Click corners, double-click or Enter to close; or drag to draw a lasso",
    "brush": "Paint over the area; [ and ] change the size; Shift adds to the selected brush region",
}
CLASS_SHORTCUTS = {"hair": "1", "skin": "2", "scar": "3", "healed": "4"}
SHAPE_LABELS = {"rect": "rectangle", "ellipse": "ellipse", "polygon": "polygon", "brush": "brush"}
HANDLE_PX = 9  # handle size in screen pixels
DRAG_THRESHOLD_PX = 3
HANDLES = ("tl", "t", "tr", "r", "br", "b", "bl", "l")


def region_path(shape: str, params: dict) -> QPainterPath:
    """The outline of a region's shape in photo pixel coordinates."""
    path = QPainterPath()
    if shape == "rect":
        path.addRect(QRectF(params["x"], params["y"], params["w"], params["h"]))
    elif shape == "ellipse":
        path.addEllipse(QPointF(params["cx"], params["cy"]), params["rx"], params["ry"])
    elif shape == "polygon":
        points = params["points"]
        if points:
            path.moveTo(*points[0])
            for x, y in points[1:]:
                path.lineTo(x, y)
            path.closeSubpath()
    elif shape == "brush":
        radius = float(params["radius"])
        strokes = QPainterPath()
        for stroke in params["strokes"]:
            if not stroke:
                continue
            if len(stroke) == 1:
                path.addEllipse(QPointF(*stroke[0]), radius, radius)
                continue
            strokes.moveTo(*stroke[0])
            for x, y in stroke[1:]:
                strokes.lineTo(x, y)
        if not strokes.isEmpty():
            stroker = QPainterPathStroker()
            stroker.setWidth(2 * radius)
            stroker.setCapStyle(Qt.RoundCap)
            stroker.setJoinStyle(Qt.RoundJoin)
            path.addPath(stroker.createStroke(strokes))
        path = path.simplified()
    return path


def class_icon(region_class: str, size: int = 14) -> QIcon:
    pm = QPixmap(size * 2, size * 2)
    pm.setDevicePixelRatio(2.0)
    pm.fill(Qt.transparent)
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setPen(QPen(QColor(30, 30, 30), 1))
    painter.setBrush(CLASS_COLORS.get(region_class, QColor(200, 200, 200)))
    painter.drawRoundedRect(QRectF(1.5, 1.5, size - 3, size - 3), 3, 3)
    painter.end()
    return QIcon(pm)


class RegionItem(QGraphicsPathItem):
    """One region drawn over the photo: class colour outline on a dark halo, light fill."""

    def __init__(self, region) -> None:
        super().__init__(region_path(region.shape, region.params))
        self.region_id = region.id
        self.region_class = region.region_class
        self.bounds = QRectF(*shape_bounds(region.shape, region.params))
        self.selected = False
        color = QColor(CLASS_COLORS.get(region.region_class, QColor(220, 220, 220)))
        fill = QColor(color)
        fill.setAlpha(45)
        self.setBrush(QBrush(fill))
        pen = QPen(color, 2)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setZValue(10)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt name
        # Room for the handles, which are drawn a fixed number of screen pixels wide.
        return super().boundingRect().united(self.bounds).adjusted(-50, -50, 50, 50)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        halo = QPen(QColor(0, 0, 0, 160), 4)
        halo.setCosmetic(True)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(halo)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())
        painter.setPen(self.pen())
        painter.setBrush(self.brush())
        painter.drawPath(self.path())
        if self.selected:
            dash = QPen(QColor(255, 255, 255), 1, Qt.DashLine)
            dash.setCosmetic(True)
            painter.setPen(dash)
            painter.setBrush(Qt.NoBrush)
            painter.drawRect(self.bounds)
            scale = painter.worldTransform().m11() or 1.0
            painter.setPen(QPen(QColor(20, 20, 20), 0))
            painter.setBrush(QColor(255, 255, 255))
            for rect in self.handle_rects(scale).values():
                painter.drawRect(rect)

    def handle_rects(self, scale: float) -> dict[str, QRectF]:
        """Resize handles in photo coordinates for a view at ``scale`` screen px per photo px."""
        half = HANDLE_PX / 2 / scale
        b = self.bounds
        cx, cy = b.center().x(), b.center().y()
        points = {"tl": (b.left(), b.top()), "t": (cx, b.top()), "tr": (b.right(), b.top()),
                  "r": (b.right(), cy), "br": (b.right(), b.bottom()), "b": (cx, b.bottom()),
                  "bl": (b.left(), b.bottom()), "l": (b.left(), cy)}
        return {k: QRectF(x - half, y - half, 2 * half, 2 * half) for k, (x, y) in points.items()}


class RegionOverlay(QObject):
    """Keeps one :class:`RegionItem` per workspace region in the view's scene."""

    def __init__(self, view, workspace: Workspace) -> None:
        super().__init__(view)
        self.view, self.workspace = view, workspace
        self.items: dict[str, RegionItem] = {}
        workspace.events.regions_changed.connect(self._on_regions)
        workspace.events.selection_changed.connect(self._on_selection)
        workspace.events.photo_changed.connect(self.sync)

    def _on_regions(self, transient: bool) -> None:
        self.sync()

    def sync(self) -> None:
        scene = self.view.scene()
        for item in self.items.values():
            scene.removeItem(item)
        self.items = {}
        for region in self.workspace.regions:
            try:
                item = RegionItem(region)
            except (KeyError, TypeError, ValueError):
                continue  # malformed geometry cannot be drawn; the sample panel says why
            item.setVisible(self.workspace.visible(region.id))
            item.selected = region.id in self.workspace.selected
            scene.addItem(item)
            self.items[region.id] = item

    def _on_selection(self) -> None:
        for rid, item in self.items.items():
            selected = rid in self.workspace.selected
            if selected != item.selected:
                item.selected = selected
                item.update()

    def set_visible(self, visible: bool) -> None:
        """Show or hide every region outline (hidden while another photo's preview shows)."""
        for rid, item in self.items.items():
            item.setVisible(visible and self.workspace.visible(rid))

    def region_at(self, pos: QPointF) -> str | None:
        """The topmost visible region containing ``pos`` (the last drawn wins)."""
        for region in reversed(self.workspace.regions):
            item = self.items.get(region.id)
            if item is not None and item.isVisible() and item.path().contains(pos):
                return region.id
        return None

    def handle_at(self, pos: QPointF) -> tuple[str, str] | None:
        scale = self.view.transform().m11() or 1.0
        for rid in self.workspace.selected:
            item = self.items.get(rid)
            if item is None or not item.isVisible():
                continue
            for name, rect in item.handle_rects(scale).items():
                if rect.adjusted(-1 / scale, -1 / scale, 1 / scale, 1 / scale).contains(pos):
                    return rid, name
        return None


class RegionTools(QObject):
    """The active tool, the class new regions get and the brush size; drives the workspace.

    What the tools share lives here; each tool (one class per shape, in
    :mod:`shadematch.gui.regions.shape_tools`) says what an input event does with its shape.
    """

    tool_changed = Signal(str)
    class_changed = Signal(str)
    brush_changed = Signal(float)
    message = Signal(str)

    def __init__(self, view, workspace: Workspace) -> None:
        super().__init__(view)
        self.view, self.workspace = view, workspace
        self.overlay = RegionOverlay(view, workspace)
        self.tools: dict[str, ShapeTool] = {cls.name: cls(self) for cls in TOOL_CLASSES}
        self.tool = "rect"
        self.region_class = "hair"
        self.brush_radius = 12.0
        #: Where the left button went down (photo pixels, and on screen), while it is down.
        self.press_pos: QPointF | None = None
        self.press_screen: QPointF | None = None
        #: The id of the region being drawn (previewed in the workspace), or None.
        self.drawing_id: str | None = None
        #: The corners (polygon) or the stroke (brush) being drawn.
        self.points: list[list[float]] = []
        self._dragging = False
        self._rubber = QGraphicsPathItem()
        pen = QPen(QColor(255, 255, 255), 1, Qt.DashLine)
        pen.setCosmetic(True)
        self._rubber.setPen(pen)
        self._rubber.setZValue(20)
        self._rubber.setVisible(False)
        view.scene().addItem(self._rubber)
        self._brush_cursor = QGraphicsEllipseItem()
        bpen = QPen(QColor(255, 255, 255), 1)
        bpen.setCosmetic(True)
        self._brush_cursor.setPen(bpen)
        self._brush_cursor.setZValue(21)
        self._brush_cursor.setVisible(False)
        self._brush_cursor.setFlag(QGraphicsItem.ItemIgnoresTransformations, False)
        view.scene().addItem(self._brush_cursor)
        view.tool = self
        workspace.events.photo_changed.connect(self._reset)
        self.set_tool(self.tool)

    @property
    def active(self) -> ShapeTool:
        return self.tools[self.tool]

    # -- settings --------------------------------------------------------------------------------
    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}")
        self._abort()
        self.tool = tool
        self.view.viewport().setCursor(self.cursor())
        self._brush_cursor.setVisible(False)
        self.tool_changed.emit(tool)

    def set_class(self, region_class: str) -> None:
        """Class of the next region drawn. The selected regions keep theirs: a new region stays
        selected, so "draw hair, press 2, draw skin" must not turn the hair into skin;
        reclassifying is the explicit :meth:`reclassify_selected` (Shift+1/2/3)."""
        self.region_class = region_class
        self.class_changed.emit(region_class)

    def reclassify_selected(self, region_class: str) -> None:
        """Give the selected regions ``region_class`` (one undo step); the next region too."""
        if self.workspace.selected and not self.drawing_id:
            ids = [i for i in self.workspace.selected
                   if self.workspace.region(i).region_class != region_class]
            if ids:
                self.workspace.set_region_class(ids, region_class)
            else:
                self.message.emit("The selected regions are already "
                                  f"{CLASS_LABELS[region_class].lower()}.")
        else:
            self.message.emit("Select the regions to reclassify first (click them with the "
                              "select tool).")
        self.set_class(region_class)

    def set_brush_radius(self, radius: float) -> None:
        self.brush_radius = float(min(max(radius, 1.0), 1000.0))
        self._brush_cursor.setRect(QRectF(-self.brush_radius, -self.brush_radius,
                                          2 * self.brush_radius, 2 * self.brush_radius))
        self.brush_changed.emit(self.brush_radius)

    def bigger_brush(self) -> None:
        self.set_brush_radius(self.brush_radius * 1.25)

    def smaller_brush(self) -> None:
        self.set_brush_radius(self.brush_radius / 1.25)

    def cursor(self):
        return self.active.cursor

    # -- what the tools share --------------------------------------------------------------------
    def clamp(self, pos: QPointF) -> QPointF:
        """``pos`` kept inside the photo."""
        w, h = self.view.photo_size
        return QPointF(min(max(pos.x(), 0.0), float(w)), min(max(pos.y(), 0.0), float(h)))

    def finish(self) -> None:
        """End the drawing/drag: keep it (one undo step) unless the region is unusable."""
        rid, self.drawing_id = self.drawing_id, None
        if rid is not None and self.workspace.editing:
            problem = self.workspace.region_problem(rid)
            if problem:
                self.workspace.cancel_edit()
                self.message.emit(problem)
                return
            self.workspace.end_edit()
            self.workspace.select([rid])
        elif self.workspace.editing:
            self.workspace.end_edit()

    def show_rubber_band(self, points: list[list[float]], cursor: QPointF | None) -> None:
        """The dashed outline of a polygon being drawn (hidden without points)."""
        path = QPainterPath()
        if points:
            path.moveTo(*points[0])
            for x, y in points[1:]:
                path.lineTo(x, y)
            if cursor is not None:
                path.lineTo(cursor)
        self._rubber.setPath(path)
        self._rubber.setVisible(bool(points))

    def show_brush_cursor(self, pos: QPointF) -> None:
        r = self.brush_radius
        self._brush_cursor.setRect(QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r))
        self._brush_cursor.setVisible(True)

    def _reset(self) -> None:
        self._abort()
        self.overlay.sync()

    def _abort(self) -> None:
        """Abandon a region being drawn or dragged."""
        if self.workspace.editing:
            self.workspace.cancel_edit()
        self.press_pos = self.press_screen = None
        self.drawing_id = None
        self.points = []
        self._dragging = False
        for tool in self.tools.values():
            tool.abort()
        self._rubber.setVisible(False)

    def _moved_enough(self, event) -> bool:
        if self.press_screen is None:
            return False
        d = event.position() - self.press_screen
        return abs(d.x()) + abs(d.y()) >= DRAG_THRESHOLD_PX

    def _photo_ready(self) -> bool:
        if self.view.photo_size[0] <= 0 or self.workspace.photo is None:
            self.message.emit("Open a photo first (File > Open, or pick one in the camera folder).")
            return False
        if self.view.showing_preview:
            self.message.emit("The full-resolution photo is still loading: draw in a moment.")
            return False
        return True

    # -- input (called by PhotoView; return True when used) --------------------------------------
    def press(self, pos: QPointF, event) -> bool:
        if event.button() != Qt.LeftButton:
            return False
        self.press_pos, self.press_screen, self._dragging = pos, event.position(), False
        if self.tool == "select":
            return self.active.press(pos, event)
        if not self._photo_ready():
            self.press_pos = self.press_screen = None
            return True
        return self.active.press(self.clamp(pos), event)

    def move(self, pos: QPointF, event) -> bool:
        tool = self.active
        if tool.hover(pos, event):
            return True
        if self.press_pos is None or not (event.buttons() & Qt.LeftButton):
            if not event.buttons():
                tool.idle(pos)
            return False
        if not self._dragging and not self._moved_enough(event):
            return True
        self._dragging = True
        return tool.drag(pos if self.tool == "select" else self.clamp(pos), event)

    def release(self, pos: QPointF, event) -> bool:
        if event.button() != Qt.LeftButton or self.press_pos is None:
            return False
        dragged, self.press_pos, self.press_screen = self._dragging, None, None
        self._dragging = False
        return self.active.release(dragged)

    def double_click(self, pos: QPointF, event) -> bool:
        return self.active.double_click(event)

    def key(self, event) -> bool:
        if self.active.key(event):
            return True
        if event.key() == Qt.Key_Escape:
            if self.points or self.workspace.editing:
                self._abort()
            else:
                self.workspace.select([])
            return True
        return False

    def remove_last_point(self) -> bool:
        """Take back the last corner of a polygon being drawn; False when none is drawn."""
        if self.tool != "polygon":
            return False
        return self.tools["polygon"].remove_last_point()


class RegionListPanel(QWidget):
    """The legend (class colours; click to draw that class) and the region list with show/hide.

    Double-clicking a region in the list shows it in the middle of the photo view.
    """

    def __init__(self, workspace: Workspace, tools: RegionTools, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("regionListPanel")
        self.workspace, self.tools = workspace, tools
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        # Two columns: four class buttons in one row would make the dock too wide for a
        # 1280-pixel screen.
        legend = QGridLayout()
        legend.setSpacing(4)
        self.class_buttons: dict[str, QPushButton] = {}
        for index, (name, label) in enumerate(CLASS_LABELS.items()):
            button = QPushButton(class_icon(name), label)
            button.setCheckable(True)
            button.setToolTip(f"Draw {label.lower()} regions ({CLASS_SHORTCUTS[name]}); "
                              f"selected regions become {label.lower()}")
            button.clicked.connect(lambda _=False, n=name: tools.set_class(n))
            legend.addWidget(button, index // 2, index % 2)
            self.class_buttons[name] = button
        layout.addLayout(legend)
        self.list = QListWidget()
        self.list.setObjectName("regionList")
        self.list.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.list.setToolTip("Tick to show a region's outline (hidden regions are still measured)")
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.class_combo = QComboBox()
        for name, label in CLASS_LABELS.items():
            self.class_combo.addItem(class_icon(name), label, name)
        self.class_combo.setToolTip("Class of the selected regions")
        self.class_combo.activated.connect(self._class_chosen)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected regions (Del)")
        self.delete_button.clicked.connect(lambda: workspace.delete_regions(workspace.selected))
        row.addWidget(QLabel("Class"))
        row.addWidget(self.class_combo, 1)
        row.addWidget(self.delete_button)
        layout.addLayout(row)
        self._syncing = False
        self.list.itemChanged.connect(self._item_changed)
        self.list.itemSelectionChanged.connect(self._list_selection)
        self.list.itemDoubleClicked.connect(self._centre_on)
        workspace.events.regions_changed.connect(self._on_regions)
        workspace.events.selection_changed.connect(self._on_selection)
        workspace.events.photo_changed.connect(self.refresh)
        tools.class_changed.connect(self._on_class)
        self._on_class(tools.region_class)
        self.refresh()

    def _on_class(self, region_class: str) -> None:
        for name, button in self.class_buttons.items():
            button.setChecked(name == region_class)

    def _on_regions(self, transient: bool) -> None:
        if not transient:
            self.refresh()

    def refresh(self) -> None:
        self._syncing = True
        try:
            self.list.clear()
            for region in self.workspace.regions:
                label = CLASS_LABELS.get(region.region_class, region.region_class)
                text = f"{region.id}  {label}  {SHAPE_LABELS.get(region.shape, region.shape)}"
                item = QListWidgetItem(class_icon(region.region_class), text)
                item.setData(Qt.UserRole, region.id)
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if self.workspace.visible(region.id) else Qt.Unchecked)
                self.list.addItem(item)
                item.setSelected(region.id in self.workspace.selected)
        finally:
            self._syncing = False
        self._update_buttons()

    def _on_selection(self) -> None:
        self._syncing = True
        try:
            for i in range(self.list.count()):
                item = self.list.item(i)
                item.setSelected(item.data(Qt.UserRole) in self.workspace.selected)
        finally:
            self._syncing = False
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = self.workspace.selected
        self.delete_button.setEnabled(bool(selected))
        self.class_combo.setEnabled(bool(selected))
        if selected:
            region_class = self.workspace.region(selected[0]).region_class
            self.class_combo.setCurrentIndex(list(CLASS_LABELS).index(region_class))

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._syncing:
            return
        rid = item.data(Qt.UserRole)
        visible = item.checkState() == Qt.Checked
        if visible != self.workspace.visible(rid):
            self.workspace.set_visible(rid, visible)

    def _list_selection(self) -> None:
        if not self._syncing:
            self.workspace.select([i.data(Qt.UserRole) for i in self.list.selectedItems()])

    def _centre_on(self, item: QListWidgetItem) -> None:
        region = self.workspace.region(item.data(Qt.UserRole))
        x, y, w, h = shape_bounds(region.shape, region.params)
        self.tools.view.centerOn(QPointF(x + w / 2, y + h / 2))

    def _class_chosen(self, index: int) -> None:
        self.workspace.set_region_class(self.workspace.selected, self.class_combo.itemData(index))
