"""Camera folder file names keep their frame number and extension when the panel is narrow."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from shadematch.gui.camera.camera_folder_panel import (  # noqa: E402
    CameraFolderPanel,
    elide_keeping_frame,
)
from shadematch.gui.common.settings import Settings  # noqa: E402
from shadematch.imaging.thumbnail_cache import ThumbnailCache  # noqa: E402

try:  # tests/gui is a rootdir (no __init__.py) or a package
    from folder_fixtures import write_photo  # noqa: E402
except ImportError:  # pragma: no cover
    from .folder_fixtures import write_photo  # noqa: E402


def _fits_chars(limit):
    return lambda text: len(text) <= limit


def test_a_name_that_fits_is_left_whole():
    assert elide_keeping_frame("IMG_0101.jpg", _fits_chars(40)) == "IMG_0101.jpg"


def test_the_frame_number_and_the_end_survive():
    name = "IMG_0101_after_second_session_2.jpg"
    short = elide_keeping_frame(name, _fits_chars(16))
    assert len(short) <= 16
    assert short.startswith("IMG_0101\u2026")
    assert short.endswith("2.jpg")
    # plain middle eliding would have cut the frame number: "IMG_010…on_2.jpg"


def test_very_narrow_keeps_the_number_first():
    short = elide_keeping_frame("PORTRAIT_SESSION_0101_x.jpg", _fits_chars(11))
    assert "0101" in short and len(short) <= 11


def test_a_name_without_digits_is_elided_in_the_middle():
    short = elide_keeping_frame("scalp_left_temple_close.png", _fits_chars(12))
    assert len(short) <= 12 and short.startswith("scal") and short.endswith("png")


def test_the_panel_shows_the_frame_number_narrow_and_the_whole_name_wide(qtbot, tmp_path):
    folder = tmp_path / "camera"
    folder.mkdir()
    name = "IMG_0101_client_crown_after_session_two_2.jpg"
    write_photo(folder / name, taken="2025:02:03 14:15:16")
    panel = CameraFolderPanel(Settings.from_file(tmp_path / "settings.ini"),
                              cache=ThumbnailCache(tmp_path / "cache", size=64),
                              poll_interval_ms=300, settle_seconds=0.4)
    qtbot.addWidget(panel)
    panel.resize(240, 500)
    panel.show()
    try:
        panel.set_folder(folder)
        qtbot.waitUntil(lambda: panel.item(folder / name) is not None
                        and panel.item_state(folder / name)[0] != "loading", timeout=10000)
        item = panel.item(folder / name)
        first = item.text().splitlines()[0]
        assert first != name
        assert first.startswith("IMG_0101") and first.endswith("2.jpg")
        metrics = panel.list.fontMetrics()
        assert metrics.horizontalAdvance(first) <= panel.list.name_width()
        assert name in item.toolTip()
        assert item.text().splitlines()[1:] == ["2025-02-03", "14:15:16"]

        panel.resize(900, 500)
        qtbot.waitUntil(lambda: item.text().splitlines()[0] == name, timeout=3000)
    finally:
        panel.shutdown()
