"""One small GUI tool per shape, over the core's shape geometry."""

from __future__ import annotations

from gui_helpers import drag, wait_measured
from PySide6.QtCore import Qt

from shadematch.gui.regions.region_tools import TOOLS
from shadematch.gui.regions.shape_tools import TOOL_CLASSES
from shadematch.region_geometry import shape_bounds


def test_every_tool_has_one_class():
    assert sorted(cls.name for cls in TOOL_CLASSES) == sorted(TOOLS)


def test_rectangle_and_ellipse_dragged_over_the_same_box_have_the_same_bounds(qtbot, make_window,
                                                                            photo_file):
    window = make_window(photo_file)
    ws, tools = window.workspace, window.tools
    bounds = []
    for name in ("rect", "ellipse"):
        tools.set_tool(name)
        drag(qtbot, window, [(40, 50), (80, 90), (140, 170)])
        wait_measured(qtbot, window)
        region = ws.regions[-1]
        assert region.shape == name
        bounds.append(shape_bounds(region.shape, region.params))
    assert all(abs(a - b) < 1e-6 for a, b in zip(*bounds, strict=True))
    assert abs(bounds[0][2] - 100) < 3 and abs(bounds[0][3] - 120) < 3


def test_escape_abandons_a_polygon_and_the_tool_forgets_it(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    tools = window.tools
    tools.set_tool("polygon")
    viewport = window.view.viewport()
    from gui_helpers import vp

    for p in ((30, 30), (120, 40), (90, 140)):
        qtbot.mouseClick(viewport, Qt.LeftButton, pos=vp(window, *p))
    assert len(tools.points) == 3 and tools.drawing_id is not None
    qtbot.keyClick(window.view, Qt.Key_Escape)
    assert tools.points == [] and tools.drawing_id is None
    assert window.workspace.regions == []
