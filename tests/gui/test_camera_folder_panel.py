"""The camera folder panel: listing, thumbnails, error badges, the folder watch, auto-open."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from shadematch.gui.camera.camera_folder_panel import CameraFolderPanel  # noqa: E402
from shadematch.gui.common.settings import Settings  # noqa: E402
from shadematch.imaging.thumbnail_cache import ThumbnailCache  # noqa: E402

try:  # tests/gui is a rootdir (no __init__.py) or a package
    from folder_fixtures import jpeg_bytes, set_mtime, write_photo  # noqa: E402
except ImportError:  # pragma: no cover
    from .folder_fixtures import jpeg_bytes, set_mtime, write_photo  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    return Settings.from_file(tmp_path / "settings.ini")


@pytest.fixture
def make_panel(qtbot, tmp_path, settings):
    panels = []

    def make(**kwargs):
        kwargs.setdefault("poll_interval_ms", 300)
        kwargs.setdefault("settle_seconds", 0.4)
        panel = CameraFolderPanel(settings, cache=ThumbnailCache(tmp_path / "cache", size=64),
                                  **kwargs)
        qtbot.addWidget(panel)
        panel.resize(320, 600)
        panel.show()
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        panel.shutdown()
        assert panel.runner.active_count() == 0


def _all_loaded(panel, count):
    paths = panel.paths()
    return len(paths) == count and all(panel.item_state(p)[0] != "loading" for p in paths)


def test_lists_newest_first_with_date_and_time(qtbot, tmp_path, make_panel, settings):
    folder = tmp_path / "camera"
    folder.mkdir()
    write_photo(folder / "a_old.jpg", taken="2021:01:01 09:00:00")
    write_photo(folder / "b_new.jpg", taken="2025:02:03 14:15:16")
    png = write_photo(folder / "c_mid.png")
    set_mtime(png, 3 * 365 * 86400)  # ~ three years ago, no EXIF
    (folder / "notes.txt").write_text("not a photo")
    panel = make_panel()
    panel.set_folder(folder)
    qtbot.waitUntil(lambda: _all_loaded(panel, 3), timeout=10000)
    assert [p.name for p in panel.paths()] == ["b_new.jpg", "c_mid.png", "a_old.jpg"]
    item = panel.item(folder / "b_new.jpg")
    assert item.text().splitlines() == ["b_new.jpg", "2025-02-03", "14:15:16"]
    assert panel.count_label.text() == "3 photos"
    # the folder is remembered
    assert settings.last_folder == str(folder)
    assert settings.recent_folders[0] == str(folder)


def test_thumbnail_for_each_format_and_error_badge_for_a_bad_file(qtbot, tmp_path, make_panel):
    from shadematch.imaging import SUPPORTED_SUFFIXES

    folder = tmp_path / "camera"
    folder.mkdir()
    names = []
    for suffix in (".jpg", ".png", ".tif", ".webp", ".heic"):
        if suffix in SUPPORTED_SUFFIXES:
            write_photo(folder / f"photo{suffix}")
            names.append(f"photo{suffix}")
    rgb16 = (np.linspace(0, 65535, 32 * 48 * 3).reshape(32, 48, 3)).astype(np.uint16)
    import tifffile  # noqa: F401  # scikit-image depends on it: a 16-bit RGB TIFF

    tifffile.imwrite(folder / "deep16.tif", rgb16, photometric="rgb")
    names.append("deep16.tif")
    bad = folder / "broken.jpg"
    bad.write_bytes(jpeg_bytes()[:300])
    panel = make_panel()
    panel.set_folder(folder)
    qtbot.waitUntil(lambda: _all_loaded(panel, len(names) + 1), timeout=20000)
    for name in names:
        state, error = panel.item_state(folder / name)
        assert state == "ok", (name, error)
    state, error = panel.item_state(bad)
    assert state == "error" and "broken.jpg" in error
    assert "broken.jpg" in panel.item(bad).toolTip() and error in panel.item(bad).toolTip()
    assert "1 unreadable" in panel.count_label.text()
    # the badge is drawn: the error icon has strongly red pixels, a thumbnail icon of the
    # astronaut is not a flat grey tile
    bad_image = panel.item(bad).icon().pixmap(64, 64).toImage()
    reds = [bad_image.pixelColor(x, y) for x in range(64) for y in range(64)]
    assert any(c.red() > 180 and c.green() < 90 and c.blue() < 90 for c in reds)
    ok_image = panel.item(folder / "photo.jpg").icon().pixmap(64, 64).toImage()
    colours = {ok_image.pixelColor(x, y).name() for x in range(0, 64, 4) for y in range(0, 64, 4)}
    assert len(colours) > 20


def test_watch_picks_up_a_photo_once_it_stops_growing(qtbot, tmp_path, make_panel):
    folder = tmp_path / "tether"
    folder.mkdir()
    write_photo(folder / "first.jpg", taken="2024:01:01 10:00:00")
    set_mtime(folder / "first.jpg", 3600)
    panel = make_panel(settle_seconds=0.6)  # 4x the pause between the chunks below
    opened = []
    panel.photo_activated.connect(opened.append)
    panel.auto_open_box.setChecked(True)
    panel.set_folder(folder)
    qtbot.waitUntil(lambda: _all_loaded(panel, 1), timeout=10000)
    assert opened == []  # photos already there are not auto-opened

    data = jpeg_bytes()
    target = folder / "IMG_0002.jpg"
    chunk = len(data) // 6 + 1
    with open(target, "wb") as handle:  # a tethering tool writing the file in pieces
        for i in range(0, len(data), chunk):
            handle.write(data[i:i + chunk])
            handle.flush()
            qtbot.wait(150)
            # still growing: not listed
            assert target not in panel.paths()
    qtbot.waitUntil(lambda: target in panel.paths()
                    and panel.item_state(target)[0] == "ok", timeout=5000)
    assert panel.paths()[0] == target  # newest first (mtime now vs EXIF 2024)
    assert opened == [str(target)]
    # deleting it removes it from the list
    target.unlink()
    qtbot.waitUntil(lambda: target not in panel.paths(), timeout=5000)
    assert panel.paths() == [folder / "first.jpg"]


def test_missing_folder_shows_inline_message_and_recovers(qtbot, tmp_path, make_panel):
    folder = tmp_path / "card"
    panel = make_panel()
    opened = []
    panel.photo_activated.connect(opened.append)
    panel.auto_open_box.setChecked(True)
    panel.set_folder(folder)
    qtbot.waitUntil(lambda: panel.message_label.isVisible(), timeout=5000)
    assert "does not exist" in panel.message_label.text()
    # the card is plugged in again: the poll finds the folder and its photos
    folder.mkdir()
    write_photo(folder / "x.jpg")
    set_mtime(folder / "x.jpg", 100)
    qtbot.waitUntil(lambda: _all_loaded(panel, 1), timeout=10000)
    assert not panel.message_label.isVisible()
    assert opened == []  # photos already on the card are not "new arrivals"


def test_double_click_activates_and_recent_menu_reopens(qtbot, tmp_path, make_panel, settings):
    from PySide6.QtCore import Qt

    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        write_photo(folder / f"{folder.name}.jpg")
        set_mtime(folder / f"{folder.name}.jpg", 100)
    panel = make_panel()
    panel.set_folder(one)
    qtbot.waitUntil(lambda: _all_loaded(panel, 1), timeout=10000)
    panel.set_folder(two)
    qtbot.waitUntil(lambda: _all_loaded(panel, 1) and panel.paths()[0].parent == two,
                    timeout=10000)
    assert settings.recent_folders[:2] == [str(two), str(one)]

    item = panel.item(two / "two.jpg")
    rect = panel.list.visualItemRect(item)
    with qtbot.waitSignal(panel.photo_activated, timeout=3000) as blocker:
        # a real double-click: press/release, then the double-click event
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.list.viewport(), Qt.MouseButton.LeftButton,
                          pos=rect.center())
    assert blocker.args == [str(two / "two.jpg")]
    with qtbot.waitSignal(panel.photo_activated, timeout=3000) as blocker:
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert blocker.args == [str(two / "two.jpg")]

    menu = panel.recent_folders_menu()
    menu.aboutToShow.emit()
    actions = [a for a in menu.actions() if a.text() == str(one)]
    assert actions
    actions[0].trigger()
    qtbot.waitUntil(lambda: _all_loaded(panel, 1) and panel.paths()[0].parent == one,
                    timeout=10000)
    assert panel.folder() == one


def test_a_replaced_photo_gets_a_new_thumbnail(qtbot, tmp_path, make_panel):
    folder = tmp_path / "edit"
    folder.mkdir()
    path = folder / "look.png"
    write_photo(path, np.full((40, 40, 3), (220, 30, 30), np.uint8))
    set_mtime(path, 100)
    panel = make_panel()
    panel.set_folder(folder)
    qtbot.waitUntil(lambda: _all_loaded(panel, 1), timeout=10000)

    def centre_colour():
        image = panel.item(path).icon().pixmap(64, 64).toImage()
        return image.pixelColor(32, 32)

    assert centre_colour().red() > 180 and centre_colour().blue() < 80
    write_photo(path, np.full((40, 40, 3), (30, 30, 220), np.uint8))  # edited in place
    qtbot.waitUntil(lambda: panel.item_state(path)[0] == "ok" and centre_colour().blue() > 180,
                    timeout=5000)
    assert panel.paths() == [path]
