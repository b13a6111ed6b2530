"""The application shell around the main window: start-up choices, demo, menus, drag and drop.

These tests use a minimal stand-in that honours the MainWindow contract (open_path, add_dock,
menus, show_status, workspace, runner), so the shell is tested on its own;
test_app_main_window.py runs the same start-up paths with the real window.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl, Signal  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence  # noqa: E402
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow  # noqa: E402

from shadematch.gui import app as app_module  # noqa: E402
from shadematch.gui.common.settings import Settings  # noqa: E402
from shadematch.gui.common.workers import TaskRunner  # noqa: E402

try:
    from folder_fixtures import set_mtime, write_photo  # noqa: E402
except ImportError:  # pragma: no cover
    from .folder_fixtures import set_mtime, write_photo  # noqa: E402


from shadematch.gui.shell.actions import ActionRegistry  # noqa: E402


class ContractWindow(QMainWindow):
    """The MainWindow contract (app.ShellWindow), recording what it is asked to open."""

    photo_opened = Signal(str)
    folder_requested = Signal(str)

    def __init__(self, workspace, settings=None, runner=None):
        super().__init__()
        self.workspace = workspace
        self.settings = settings
        self.runner = runner or TaskRunner(self)
        self.opened: list[str] = []
        self.statuses: list[str] = []
        self.actions = ActionRegistry(self)
        self.menus = self.actions.build_menus(self.menuBar())
        for key in ("open", "save", "quit"):
            self.actions.bind(key, lambda _=False: None)
        self.setWindowTitle("shadematch")

    def open_path(self, path):
        self.opened.append(str(path))

    def add_dock(self, widget, title, area=Qt.DockWidgetArea.LeftDockWidgetArea,
                 object_name=""):
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def show_status(self, text, msecs=4000):
        self.statuses.append(text)

    def palette_names(self):
        # what the real window's matching panel has scanned off the GUI thread
        from shadematch.palettes import list_palettes

        return [p.name for p in list_palettes()]

    def reload_palettes(self):
        pass


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def make_window(qtbot, data_dir, monkeypatch):
    monkeypatch.setattr(app_module, "_main_window_class", lambda: ContractWindow)
    windows = []

    def make(argv, settings=None):
        settings = settings or Settings.from_file(data_dir / "settings.ini")
        window = app_module.create_main_window(argv, settings=settings)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shell.shutdown()
        window.runner.shutdown()
        assert window.shell.panel.runner.active_count() == 0


def test_demo_session_has_hair_and_skin_regions_and_measures(data_dir):
    from shadematch.palettes import load_palette
    from shadematch.sessions import check_photo, read_session
    from shadematch.workspace import Workspace

    session = app_module.prepare_demo_session()
    assert session.is_file() and session.suffix == ".shadematch"
    assert data_dir in session.parents
    record = read_session(session)
    assert check_photo(record).ok
    assert {r["class"] for r in record["regions"]} == {"hair", "skin"}
    assert record["photo"]["profile_assumed"] is False  # the demo JPEG carries an sRGB profile
    from shadematch.imaging import load_photo

    workspace = Workspace(auto_measure=True)
    workspace.set_palette(load_palette())
    workspace.from_analysis(record, photo=load_photo(record["photo"]["path"]))
    workspace.measure_now()
    assert set(workspace.samples) == {"hair", "skin"}
    hair_L = workspace.samples["hair"].Lab[0]
    skin_L = workspace.samples["skin"].Lab[0]
    assert hair_L < skin_L - 20  # dark-ish hair against light skin
    assert workspace.ranking and workspace.ranking[0].rank == 1


def test_first_run_opens_the_demo_later_runs_reopen_folder_and_session(make_window, data_dir,
                                                                      tmp_path, qtbot):
    settings = Settings.from_file(data_dir / "settings.ini")
    first = make_window([], settings)
    qtbot.waitUntil(lambda: len(first.opened) == 1, timeout=10000)  # made off the GUI thread
    assert len(first.opened) == 1 and first.opened[0].endswith("scalp-demo.shadematch")
    assert settings.demo_shown is True
    assert "shadematch" in first.windowTitle()

    folder = tmp_path / "camera"
    folder.mkdir()
    session = tmp_path / "client.shadematch"
    session.write_text("{}")
    first.shell.panel.set_folder(folder)
    first.workspace.session_path = session
    first.shell.shutdown()  # what closing the window does

    again = make_window([], Settings.from_file(data_dir / "settings.ini"))
    assert again.opened == [str(session)]
    assert again.shell.panel.folder() == folder


def test_arguments_photo_folder_session(make_window, tmp_path, qtbot):
    photo = write_photo(tmp_path / "client.jpg")
    window = make_window([str(photo)])
    assert window.opened == [str(photo)]

    session = tmp_path / "visit.shadematch"
    session.write_text("{}")
    window = make_window([str(session)])
    assert window.opened == [str(session)]

    folder = tmp_path / "shoot"
    folder.mkdir()
    set_mtime(write_photo(folder / "a.jpg"), 100)
    window = make_window([str(folder)])
    assert window.opened == []
    assert window.shell.panel.folder() == folder
    qtbot.waitUntil(lambda: window.shell.panel.paths() == [folder / "a.jpg"], timeout=10000)


def test_a_missing_photo_argument_is_passed_on_for_the_window_to_explain(make_window,
                                                                          tmp_path):
    window = make_window([str(tmp_path / "nope.jpg")])
    assert window.opened == [str(tmp_path / "nope.jpg")]


def test_menus_have_folder_recent_preferences_and_log_actions(make_window):
    window = make_window([])
    file_texts = [a.text() for a in window.menus["file"].actions()]
    assert "Open &folder…" in file_texts
    assert "Recent &folders" in file_texts
    assert "&Preferences…" in file_texts
    # Preferences comes before Quit
    assert file_texts.index("&Preferences…") < file_texts.index("&Quit")
    shell = window.shell
    assert shell.preferences_action.shortcut() == QKeySequence("Ctrl+,")
    assert shell.open_folder_action.shortcut() == QKeySequence("Ctrl+Shift+O")
    help_texts = [a.text() for a in window.menus["help"].actions()]
    assert "Open &log folder" in help_texts and "Open the &demo" in help_texts
    assert window.findChild(QDockWidget, "cameraFolderDock") is not None


def test_preferences_action_opens_the_dialog_and_applies(make_window, qtbot, tmp_path):
    window = make_window([])
    window.shell.preferences_action.trigger()
    dialog = window.shell.preferences_dialog
    assert dialog.isVisible()
    assert dialog.palette_combo.count() >= 2  # "(default)" + the shipped palettes
    camera = tmp_path / "tethered"
    camera.mkdir()
    dialog.camera_folder.edit.setText(str(camera))
    dialog.auto_open_box.setChecked(True)
    dialog.accept()
    assert window.shell.settings.camera_folder == str(camera)
    assert window.shell.panel.auto_open_box.isChecked()
    assert "Preferences saved" in window.statuses


def _drop(window, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    accepted = enter.isAccepted()
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    return accepted


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_drag_and_drop_photos_sessions_and_folders(make_window, tmp_path):
    window = make_window([])
    window.opened.clear()
    photo = write_photo(tmp_path / "dropped.png")
    assert _drop(window, [photo])
    assert window.opened == [str(photo)]
    folder = tmp_path / "dropped-folder"
    folder.mkdir()
    assert _drop(window, [folder])
    assert window.shell.panel.folder() == folder
    text = tmp_path / "notes.txt"
    text.write_text("x")
    window.opened.clear()
    assert not _drop(window, [text])
    assert window.opened == []


def test_activating_a_photo_in_the_panel_opens_it(make_window, tmp_path):
    window = make_window([])
    window.opened.clear()
    window.shell.panel.photo_activated.emit(str(tmp_path / "x.jpg"))
    assert window.opened == [str(tmp_path / "x.jpg")]


def test_parse_and_classify():
    assert app_module.parse_arguments([]).path is None
    args = app_module.parse_arguments(["-style", "fusion", "photo.jpg"])
    assert args.path == "photo.jpg" and not args.startup_check
    args = app_module.parse_arguments(["--platform=offscreen", "--startup-check", "a b.jpg"])
    assert args.path == "a b.jpg" and args.startup_check
    assert app_module.classify_path("x.shadematch") == "session"
    assert app_module.classify_path("x.JPG") == "photo"
    assert app_module.classify_path(Path(__file__).parent) == "folder"


def test_open_log_folder_uses_the_file_manager_or_says_where(make_window, monkeypatch, tmp_path):
    from shadematch.gui.common import error_reporting

    window = make_window([])
    calls = []
    monkeypatch.setattr(error_reporting, "open_folder", lambda f: calls.append(Path(f)) or True)
    window.shell.log_folder_action.trigger()
    assert len(calls) == 1 and calls[0].name == "logs"
    monkeypatch.setattr(error_reporting, "open_folder", lambda f: False)
    window.shell.log_folder_action.trigger()
    box = window.shell.log_folder_box
    assert box.isVisible() and str(calls[0]) in box.text()
    box.close()
