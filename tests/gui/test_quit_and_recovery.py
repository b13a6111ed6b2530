"""SIGTERM quits like File > Quit; only what the user changed is autosaved; one recovery banner
at a time. (What a new user met: after a logout, the untouched demo came back as "Unsaved work
can be recovered", and the banners piled up.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from folder_fixtures import write_photo
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from shadematch.gui import app as app_module
from shadematch.gui.common.settings import Settings
from shadematch.sessions import Autosaver, list_recoverable

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGTERM") or sys.platform == "win32",
                                reason="POSIX signals")


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


def _settle(qtbot, window, seconds: float = 1.6) -> None:
    """Let the palette scan land and the autosave timer tick (it is due after 0.1 s)."""
    qtbot.waitUntil(lambda: window.workspace.palette is not None, timeout=15000)
    qtbot.wait(int(seconds * 1000))
    qtbot.waitUntil(lambda: window.runner.active_count() == 0, timeout=10000)


def _buttons(window) -> dict:
    return {b.text(): b for b in window.info_bar.findChildren(QPushButton) if b.isVisible()}


# -- autosave only what the user changed --------------------------------------------------------
def test_the_untouched_first_run_demo_leaves_nothing_to_recover(start, qtbot, settings):
    window = start([])
    window.autosaver.delay = 0.1
    ws = window.workspace
    qtbot.waitUntil(lambda: ws.photo is not None and bool(ws.ranking), timeout=15000)
    _settle(qtbot, window)
    assert not ws.modified and not ws.has_unsaved_work
    assert list_recoverable() == []
    assert settings.last_session == str(ws.session_path)  # remembered at once, crash or not


def test_a_photo_with_nothing_marked_is_not_unsaved_work(start, qtbot, settings, tmp_path):
    settings.demo_shown = True
    window = start([str(write_photo(tmp_path / "client.jpg"))])
    window.autosaver.delay = 0.1
    qtbot.waitUntil(lambda: window.workspace.photo is not None, timeout=15000)
    _settle(qtbot, window)  # the palette arrives after the photo: not an edit
    assert not window.workspace.modified
    assert list_recoverable() == []
    # The user's own change is kept.
    window.workspace.set_notes("client asked for a softer hairline")
    qtbot.waitUntil(lambda: len(list_recoverable()) == 1, timeout=5000)


# -- SIGTERM is a clean quit --------------------------------------------------------------------
def test_sigterm_closes_the_window_as_quit_does(start, qtbot, settings):
    from shadematch.gui.shell.quit_signals import QuitOnSignals

    window = start([])
    ws = window.workspace
    qtbot.waitUntil(lambda: ws.photo is not None and bool(ws.ranking), timeout=15000)
    demo = str(ws.session_path)
    settings.last_session = ""  # so that the quit has to remember it
    quitter = QuitOnSignals(window.shell.quit_cleanly)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    finally:
        quitter.uninstall()
    assert quitter.received == [signal.SIGTERM]
    assert settings.last_session == demo
    assert list_recoverable() == []
    assert window.runner.active_count() == 0
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers put back


def test_sigterm_keeps_unsaved_work_for_the_next_start(start, qtbot, settings, tmp_path):
    from shadematch.gui.shell.quit_signals import QuitOnSignals

    settings.demo_shown = True
    window = start([str(write_photo(tmp_path / "client.jpg"))])
    qtbot.waitUntil(lambda: window.workspace.photo is not None, timeout=15000)
    window.workspace.add_region("rect", {"x": 5, "y": 5, "w": 20, "h": 20}, "hair")
    quitter = QuitOnSignals(window.shell.quit_cleanly)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    finally:
        quitter.uninstall()
    entries = list_recoverable()
    assert [(e.photo_name, e.regions) for e in entries] == [("client.jpg", 1)]


# -- one recovery banner at a time --------------------------------------------------------------
def _autosave(folder: Path, name: str, regions: int, age: float) -> Path:
    record = {"format": "shadematch-analysis", "format_version": 1,
              "photo": {"name": name, "path": f"/gone/{name}"},
              "regions": [{"id": f"r{i + 1}", "class": "hair", "shape": "rect",
                           "params": {"x": 1, "y": 1, "w": 5, "h": 5}} for i in range(regions)],
              "samples": {}, "problems": {}, "matching": {}, "ranking": [], "notes": ""}
    path = Autosaver(folder).save(record)
    stamp = time.time() - age  # as if autosaved ``age`` seconds ago
    data = json.loads(path.read_text("utf-8"))
    data["session"]["saved"] = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(stamp))
    path.write_text(json.dumps(data), "utf-8")
    os.utime(path, (stamp, stamp))
    return path


def test_recovery_is_offered_one_banner_at_a_time(qtbot, make_window):
    from shadematch.sessions import autosave_dir

    folder = autosave_dir()
    older = _autosave(folder, "older.jpg", 2, age=600)
    newer = _autosave(folder, "newer.jpg", 1, age=60)
    empty = _autosave(folder, "untouched.jpg", 0, age=30)  # left by an older version
    window = make_window()
    qtbot.waitUntil(lambda: window.info_bar.isVisible(), timeout=5000)
    text = window.info_bar.label.text()
    assert "newer.jpg, 1 region" in text and "1 older after this one" in text
    assert "older.jpg" not in text and not empty.exists()  # nothing to recover: removed
    assert text.count("Unsaved work") == 1

    qtbot.mouseClick(_buttons(window)["Discard"], Qt.LeftButton)
    assert not newer.exists()
    qtbot.waitUntil(lambda: window.info_bar.isVisible()
                    and "older.jpg, 2 regions" in window.info_bar.label.text(), timeout=5000)
    assert "older after" not in window.info_bar.label.text()
    assert set(_buttons(window)) == {"Recover", "Discard", "Dismiss"}

    qtbot.mouseClick(_buttons(window)["Discard"], Qt.LeftButton)
    qtbot.wait(100)
    assert not window.info_bar.isVisible() and not older.exists()
    assert list_recoverable() == []


# -- the real application, in a child process (it runs its own event loop) ----------------------
def _wait_for_log(log: Path, text: str, count: int, process, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.is_file() and log.read_text("utf-8", "replace").count(text) >= count:
            return
        if process.poll() is not None:
            pytest.fail(f"shadematch ended early ({process.returncode}): "
                        f"{process.stderr.read()}")
        time.sleep(0.1)
    pytest.fail(f"{text!r} did not appear {count} time(s) in {log}")


@pytest.mark.slow
def test_after_sigterm_or_a_crash_the_untouched_demo_comes_back_as_the_demo(tmp_path,
                                                                          child_env):
    data = tmp_path / "data"
    env = dict(child_env, SHADEMATCH_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    log = data / "logs" / "shadematch.log"
    opened = "opened the session " + str(data / "demo" / "scalp-demo.shadematch")

    def launch():
        return subprocess.Popen([sys.executable, "-m", "shadematch"], env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    first = launch()  # first run: the demo
    try:
        _wait_for_log(log, opened, 1, first)
        time.sleep(4)  # longer than the autosave delay: an untouched demo must not be saved
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0, first.stderr.read()
    finally:
        first.kill()
    text = log.read_text("utf-8")
    assert "quitting as from File > Quit" in text and "closed (exit code 0)" in text
    assert list_recoverable(data / "autosave") == []

    second = launch()  # the demo again (the session open at the quit), then a crash
    try:
        _wait_for_log(log, opened, 2, second)
        time.sleep(4)
        second.kill()
        second.wait(timeout=30)
    finally:
        second.kill()
    assert list_recoverable(data / "autosave") == []

    third = launch()  # after the crash: the demo, with no recovery to offer
    try:
        _wait_for_log(log, opened, 3, third)
        third.send_signal(signal.SIGTERM)
        assert third.wait(timeout=60) == 0, third.stderr.read()
    finally:
        third.kill()
    assert list_recoverable(data / "autosave") == []
