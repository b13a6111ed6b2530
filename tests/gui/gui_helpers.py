"""Helpers shared by the GUI tests (plain functions and constants; fixtures live in conftest.py).

Import them with ``from gui_helpers import ...`` (pytest puts this folder on ``sys.path``).
"""

from __future__ import annotations

import numpy as np

HAIR_RGB = (48, 36, 30)
SKIN_RGB = (208, 164, 140)
SCAR_RGB = (226, 150, 150)


def consultation_rgb(height: int = 300, width: int = 400, seed: int = 0) -> np.ndarray:
    """A synthetic client photo: hair on the left, skin on the right, a pink scar bottom right."""
    rng = np.random.default_rng(seed)
    rgb = np.empty((height, width, 3), dtype=np.float64)
    rgb[:, : width // 2] = HAIR_RGB
    rgb[:, width // 2:] = SKIN_RGB
    rgb[int(height * 0.7):, int(width * 0.75):] = SCAR_RGB
    rgb += rng.normal(0, 1.5, rgb.shape)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def expected_Lab(rgb) -> np.ndarray:
    from shadematch.color import sRGB_to_Lab

    return np.asarray(sRGB_to_Lab(np.array([rgb], dtype=np.uint8))).reshape(3)


def wait_measured(qtbot, window, timeout: int = 10000) -> None:
    """Wait until the full-precision measurement of the current regions has landed."""
    qtbot.waitUntil(lambda: window.workspace.measurement_current
                    and window.runner.active_count() == 0, timeout=timeout)


def idle(qtbot, window, timeout: int = 10000) -> None:
    """Wait until the window's workers are done and their queued callbacks have run."""
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=timeout)
    qtbot.wait(20)


def vp(window, x: float, y: float):
    """Viewport position (QPoint) of photo pixel (x, y) in the window's photo view."""
    from PySide6.QtCore import QPointF

    return window.view.mapFromScene(QPointF(x, y))


def drag(qtbot, window, points, modifier=None) -> None:
    """Press at the first photo pixel, move through the others, release at the last."""
    from PySide6.QtCore import Qt

    modifier = Qt.NoModifier if modifier is None else modifier
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, modifier, vp(window, *points[0]))
    for p in points[1:]:
        qtbot.mouseMove(viewport, vp(window, *p))
    qtbot.mouseRelease(viewport, Qt.LeftButton, modifier, vp(window, *points[-1]))


def count_pixels(widget, predicate) -> int:
    """How many pixels of ``widget.grab()`` satisfy ``predicate(QColor)``."""
    image = widget.grab().toImage()
    return sum(1 for y in range(image.height()) for x in range(image.width())
               if predicate(image.pixelColor(x, y)))
