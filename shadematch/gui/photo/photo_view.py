"""The photo view: fit, zoom (wheel, +/-), 1:1, pan (space or middle button), cursor readout.

Scene coordinates are photo pixels of the full-resolution photo (after EXIF orientation), so a
preview shown while the full photo decodes is simply stretched over the same rectangle and the
regions drawn on it stay where they are when the full photo arrives. Zoomed out, a pre-scaled
overview is drawn (area-averaged, so fine hair texture does not alias); 1:1 means one photo
pixel per *device* pixel, so the photo is sharp on high-DPI screens.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
)

ZOOM_STEP = 1.25
MIN_ZOOM = 0.01  # device pixels per photo pixel
MAX_ZOOM = 32.0
OVERVIEW_SIDE = 2048
VIEW_BACKGROUND = QColor(88, 88, 88)  # neutral mid grey: the surround must not bias the eye


def rgb_to_qimage(rgb8: np.ndarray) -> QImage:
    """A QImage (32-bit, the format the screen is painted in) owning a copy of an H x W x 3
    uint8 sRGB array; the conversion happens here, so off the GUI thread when called there."""
    arr = np.ascontiguousarray(rgb8)
    h, w = arr.shape[:2]
    image = QImage(arr.data, w, h, arr.strides[0], QImage.Format_RGB888)
    return image.convertToFormat(QImage.Format_RGB32)  # a converted copy: detached from numpy


class DisplayImage:
    """The photo prepared for display: full image and an area-averaged overview (QImages).

    Made by :func:`prepare_display`, which is safe to call on a worker thread (QImage, unlike
    QPixmap, may be used off the GUI thread), so big photos do not stall the interface.
    """

    def __init__(self, image: QImage, overview: QImage | None) -> None:
        self.image, self.overview = image, overview


def overview_rgb(rgb8: np.ndarray, max_side: int = OVERVIEW_SIDE) -> np.ndarray | None:
    """A box-filtered (area-averaged) reduction whose long side is at most ``max_side``.

    Area averaging keeps fine hair texture from aliasing when the whole photo is shown; an
    integer factor makes it a cheap C loop (Pillow's ``reduce``, which releases the GIL).
    """
    from PIL import Image

    h, w = rgb8.shape[:2]
    factor = -(-max(h, w) // max_side)  # ceiling division
    if factor <= 1:
        return None
    arr = np.ascontiguousarray(rgb8)
    image = Image.frombuffer("RGB", (w, h), arr, "raw", "RGB", 0, 1)
    return np.asarray(image.reduce(factor))


def prepare_display(rgb8: np.ndarray) -> DisplayImage:
    """Convert an H x W x 3 uint8 sRGB array to a :class:`DisplayImage` (thread-safe)."""
    small = overview_rgb(rgb8)
    overview = rgb_to_qimage(small) if small is not None else None
    return DisplayImage(rgb_to_qimage(rgb8), overview)


class PhotoItem(QGraphicsItem):
    """Draws the photo over the scene rectangle (0, 0, width, height) of the full photo."""

    def __init__(self) -> None:
        super().__init__()
        self._pixmap: QPixmap | None = None
        self._overview: QPixmap | None = None
        self._size = (0, 0)
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption, True)
        self.setZValue(-10)

    def set_display(self, display: DisplayImage | None, size: tuple[int, int]) -> None:
        self.prepareGeometryChange()
        self._size = size
        if display is None:
            self._pixmap = self._overview = None
        else:
            self._pixmap = QPixmap.fromImage(display.image)
            self._overview = (QPixmap.fromImage(display.overview)
                              if display.overview is not None else None)
        self.update()

    def image_size(self) -> tuple[int, int]:
        """(width, height) in pixels of the pixmap being shown (smaller than the photo for previews)."""
        return (self._pixmap.width(), self._pixmap.height()) if self._pixmap else (0, 0)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt name
        return QRectF(0, 0, self._size[0], self._size[1])

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if self._pixmap is None:
            return
        width, height = self._size
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        device_ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        device_zoom = lod * device_ratio
        pixmap = self._pixmap
        if self._overview is not None and device_zoom * width <= self._overview.width() * 1.01:
            pixmap = self._overview
        # Smooth when shrinking or mildly enlarging; hard pixels when zoomed in to inspect them.
        painter.setRenderHint(QPainter.SmoothPixmapTransform, device_zoom * width / pixmap.width() < 3)
        exposed = option.exposedRect.intersected(self.boundingRect())
        if exposed.isEmpty():
            return
        sx, sy = pixmap.width() / width, pixmap.height() / height
        source = QRectF(exposed.x() * sx, exposed.y() * sy, exposed.width() * sx,
                        exposed.height() * sy)
        painter.drawPixmap(exposed, pixmap, source)


class PhotoView(QGraphicsView):
    """Shows one photo; zoom, pan and fit; forwards mouse input to the active region tool.

    Signals
    -------
    cursor_moved(float, float) : photo pixel coordinates under the cursor, (-1, -1) outside.
    zoom_changed(float) : device pixels per photo pixel.
    """

    cursor_moved = Signal(float, float)
    zoom_changed = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("photoView")
        self._scene = QGraphicsScene(self)
        self._scene.setBackgroundBrush(VIEW_BACKGROUND)
        self.setScene(self._scene)
        self.photo_item = PhotoItem()
        self._scene.addItem(self.photo_item)
        self._photo_size = (0, 0)
        self._preview = False
        self._fit_mode = True
        self._space = False
        self._pan_from: QPointF | None = None
        self.tool = None  # set by RegionTools: object with press/move/release/double_click/key
        self.setFrameShape(QFrame.NoFrame)
        self.setRenderHints(QPainter.Antialiasing | QPainter.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAcceptDrops(False)  # drops are handled by the main window
        self.setToolTip("Wheel or +/- to zoom, Space or middle button + drag to pan, "
                        "Ctrl+0 fit, Ctrl+1 actual pixels")

    # -- photo -----------------------------------------------------------------------------------
    def set_image(self, rgb8: np.ndarray | None, photo_size: tuple[int, int] | None = None,
                  preview: bool = False, keep_view: bool = False) -> None:
        """Show an H x W x 3 uint8 image stretched over ``photo_size`` = (width, height).

        ``preview`` marks a reduced image shown until the full photo arrives; with ``keep_view``
        the zoom and position stay (used when the full photo replaces its preview).
        """
        if rgb8 is None:
            self.set_display(None)
            return
        h, w = rgb8.shape[:2]
        self.set_display(prepare_display(rgb8), photo_size or (w, h), preview, keep_view)

    def set_display(self, display: DisplayImage | None, photo_size: tuple[int, int] = (0, 0),
                    preview: bool = False, keep_view: bool = False) -> None:
        """Show a prepared image (see :func:`prepare_display`); None clears the view."""
        if display is None:
            self._photo_size = (0, 0)
            self.photo_item.set_display(None, (0, 0))
            self._scene.setSceneRect(QRectF())
            return
        old_size = self._photo_size
        centre = self.mapToScene(self.viewport().rect().center())
        self._photo_size = (int(photo_size[0]), int(photo_size[1]))
        self._preview = preview
        self.photo_item.set_display(display, self._photo_size)
        self._scene.setSceneRect(QRectF(0, 0, *self._photo_size))
        if not keep_view or self._fit_mode or old_size[0] <= 0:
            self.fit()
        elif old_size != self._photo_size:
            # The full photo replaces its smaller preview: same place, same apparent size.
            ratio = old_size[0] / self._photo_size[0]
            old = self.transformationAnchor()
            self.setTransformationAnchor(QGraphicsView.NoAnchor)
            self.scale(ratio, ratio)
            self.setTransformationAnchor(old)
            self.centerOn(centre.x() / ratio, centre.y() / ratio)
            self.zoom_changed.emit(self.zoom())

    @property
    def photo_size(self) -> tuple[int, int]:
        return self._photo_size

    @property
    def showing_preview(self) -> bool:
        return self._preview

    # -- zoom ------------------------------------------------------------------------------------
    def device_ratio(self) -> float:
        return float(self.devicePixelRatioF() or 1.0)

    def zoom(self) -> float:
        """Device pixels per photo pixel (1.0 = actual pixels)."""
        return float(self.transform().m11()) * self.device_ratio()

    def set_zoom(self, device_zoom: float, anchor: QPointF | None = None) -> None:
        device_zoom = min(max(device_zoom, MIN_ZOOM), MAX_ZOOM)
        factor = device_zoom / self.zoom()
        if anchor is not None:
            old = self.transformationAnchor()
            self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
            self.scale(factor, factor)
            self.setTransformationAnchor(old)
        else:
            old = self.transformationAnchor()
            self.setTransformationAnchor(QGraphicsView.AnchorViewCenter)
            self.scale(factor, factor)
            self.setTransformationAnchor(old)
        self._fit_mode = False
        self.zoom_changed.emit(self.zoom())

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def actual_pixels(self) -> None:
        """1:1: one photo pixel on one device pixel."""
        self.set_zoom(1.0)

    def fit(self) -> None:
        """Fit the whole photo in the view (and keep fitting it when the window resizes)."""
        if self._photo_size[0] <= 0:
            return
        self.resetTransform()
        self.fitInView(QRectF(0, 0, *self._photo_size), Qt.KeepAspectRatio)
        self._fit_mode = True
        self.zoom_changed.emit(self.zoom())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if self._fit_mode:
            self.fit()

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt name
        delta = event.angleDelta().y()
        if delta == 0:
            return
        self.set_zoom(self.zoom() * ZOOM_STEP ** (delta / 120.0), anchor=event.position())
        event.accept()

    # -- mouse: panning here, everything else to the tool ----------------------------------------
    def photo_pos(self, event) -> QPointF:
        return self.mapToScene(event.position().toPoint())

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.setFocus()
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        if self.tool is not None and self.tool.press(self.photo_pos(event), event):
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt name
        pos = self.photo_pos(event)
        inside = 0 <= pos.x() < self._photo_size[0] and 0 <= pos.y() < self._photo_size[1]
        self.cursor_moved.emit(pos.x() if inside else -1.0, pos.y() if inside else -1.0)
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        if self.tool is not None and self.tool.move(pos, event):
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self._pan_from is not None and event.button() in (Qt.MiddleButton, Qt.LeftButton):
            self._pan_from = None
            self.viewport().setCursor(Qt.OpenHandCursor if self._space else self._tool_cursor())
            event.accept()
            return
        if self.tool is not None and self.tool.release(self.photo_pos(event), event):
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self.tool is not None and self.tool.double_click(self.photo_pos(event), event):
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.cursor_moved.emit(-1.0, -1.0)
        super().leaveEvent(event)

    def _tool_cursor(self):
        return getattr(self.tool, "cursor", lambda: Qt.ArrowCursor)()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt name
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.OpenHandCursor)
            event.accept()
            return
        if self.tool is not None and self.tool.key(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:  # noqa: N802 - Qt name
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().setCursor(self._tool_cursor())
            event.accept()
            return
        super().keyReleaseEvent(event)


def format_readout(x: float, y: float, rgb: np.ndarray | None, max_value: int = 255) -> str:
    """The cursor readout: position, sRGB (0..255) and CIELAB of the pixel under the cursor."""
    if x < 0 or rgb is None:
        return ""
    from shadematch.color import sRGB_to_Lab

    pixel = np.asarray(rgb).reshape(1, 3)
    L, a, b = (float(v) for v in np.asarray(sRGB_to_Lab(pixel)).reshape(3))
    r8, g8, b8 = (int(round(float(v) * 255 / max_value)) for v in pixel.reshape(3))
    return (f"x {int(x)}  y {int(y)}   sRGB {r8} {g8} {b8}   "
            f"L* {L:.1f}  a* {a:.1f}  b* {b:.1f}")
