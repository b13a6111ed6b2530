"""Start-up with the real main window: demo, photo, folder and session arguments, and run_gui."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QDockWidget  # noqa: E402

from shadematch.gui import app as app_module  # noqa: E402
from shadematch.gui.common.settings import Settings  # noqa: E402

try:
    from folder_fixtures import set_mtime, write_photo  # noqa: E402
except ImportError:  # pragma: no cover
    from .folder_fixtures import set_mtime, write_photo  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    return Settings.from_file(tmp_path / "settings.ini")


@pytest.fixture
def start(qtbot, settings):
    windows = []

    def start(argv):
        window = app_module.create_main_window(argv, settings=settings)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield start
    for window in windows:
        window.close()
        window.shell.shutdown()
        window.runner.shutdown()


def test_no_argument_first_run_shows_the_demo_with_samples_and_ranking(start, qtbot, settings):
    window = start([])
    ws = window.workspace
    qtbot.waitUntil(lambda: ws.photo is not None and set(ws.samples) == {"hair", "skin"}
                    and bool(ws.ranking), timeout=15000)
    assert "shadematch" in window.windowTitle() and "scalp" in window.windowTitle()
    assert {r.region_class for r in ws.regions} == {"hair", "skin"}
    assert ws.samples["hair"].Lab[0] < ws.samples["skin"].Lab[0]
    assert settings.demo_shown
    assert window.findChild(QDockWidget, "cameraFolderDock") is not None
    assert not ws.modified  # opening the demo leaves no unsaved work to recover


def test_photo_argument(start, qtbot, tmp_path, settings):
    settings.demo_shown = True
    photo = write_photo(tmp_path / "client_001.jpg")
    window = start([str(photo)])
    qtbot.waitUntil(lambda: window.workspace.photo is not None
                    and "client_001.jpg" in window.windowTitle(), timeout=15000)
    assert "shadematch" in window.windowTitle()
    assert window.workspace.photo.width == photo_width(photo)


def photo_width(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as im:
        return im.width


def test_folder_argument_fills_the_camera_panel(start, qtbot, tmp_path, settings):
    settings.demo_shown = True
    folder = tmp_path / "today"
    folder.mkdir()
    for i in range(3):
        set_mtime(write_photo(folder / f"IMG_{i}.jpg"), 100 - i)
    window = start([str(folder)])
    panel = window.shell.panel
    qtbot.waitUntil(lambda: len(panel.paths()) == 3
                    and all(panel.item_state(p)[0] == "ok" for p in panel.paths()),
                    timeout=15000)
    assert [p.name for p in panel.paths()] == ["IMG_2.jpg", "IMG_1.jpg", "IMG_0.jpg"]
    assert "shadematch" in window.windowTitle()
    assert window.workspace.photo is None
    # double-click equivalent: the panel's activation opens the photo in the window
    panel.photo_activated.emit(str(folder / "IMG_1.jpg"))
    qtbot.waitUntil(lambda: "IMG_1.jpg" in window.windowTitle(), timeout=15000)
    # the open photo is the one selected in the panel
    qtbot.waitUntil(lambda: panel.list.currentItem() is panel.item(folder / "IMG_1.jpg"),
                    timeout=15000)


def test_session_argument_and_later_run_reopens_it(start, qtbot, tmp_path, settings):
    settings.demo_shown = True
    session = app_module.prepare_demo_session(tmp_path / "saved")
    window = start([str(session)])
    ws = window.workspace
    qtbot.waitUntil(lambda: ws.photo is not None and len(ws.regions) == 2, timeout=15000)
    assert "shadematch" in window.windowTitle()
    window.close()
    window.shell.shutdown()
    assert settings.last_session == str(session)

    again = start([])
    qtbot.waitUntil(lambda: again.workspace.photo is not None
                    and len(again.workspace.regions) == 2, timeout=15000)
    assert again.workspace.session_path is not None
    assert Path(again.workspace.session_path) == session


def test_a_bad_photo_argument_shows_its_error_and_the_window_stays(start, qtbot, tmp_path,
                                                                   settings):
    settings.demo_shown = True
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    window = start([str(bad)])
    qtbot.waitUntil(lambda: "broken.jpg" in window.last_error, timeout=15000)
    assert window.isVisible() and window.workspace.photo is None


# run_gui enters and leaves the QApplication's event loop, which a pytest-qt process must not do
# (queued signals from worker threads stop arriving afterwards), so it runs in a child process.
def _run_shadematch(tmp_path, child_env, *args):
    env = dict(child_env, SHADEMATCH_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "shadematch", "--startup-check", *args],
                          env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_python_dash_m_shadematch_starts_a_window_and_logs(tmp_path, child_env):
    out = _run_shadematch(tmp_path, child_env)
    assert out.returncode == 0, out.stderr
    assert "window shown" in out.stdout
    assert (tmp_path / "data" / "settings.ini").is_file()
    log_text = (tmp_path / "data" / "logs" / "shadematch.log").read_text("utf-8")
    assert "starting" in log_text and "closed (exit code 0)" in log_text
    # a second start with a photo argument
    photo = write_photo(tmp_path / "p.png")
    out = _run_shadematch(tmp_path, child_env, str(photo))
    assert out.returncode == 0, out.stderr


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dropping_a_folder_then_a_photo_on_the_real_window(start, qtbot, tmp_path, settings):
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    settings.demo_shown = True
    window = start([])
    folder = tmp_path / "dropped"
    folder.mkdir()
    photo = write_photo(folder / "drop_me.jpg")
    set_mtime(photo, 50)

    def drop(path):
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        enter = QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(window, enter)
        assert enter.isAccepted()
        QApplication.sendEvent(window, QDropEvent(
            QPointF(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier))

    drop(folder)
    panel = window.shell.panel
    qtbot.waitUntil(lambda: panel.paths() == [photo], timeout=10000)
    drop(photo)
    qtbot.waitUntil(lambda: "drop_me.jpg" in window.windowTitle(), timeout=15000)
    assert window.workspace.photo is not None
