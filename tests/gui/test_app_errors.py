"""The one exception hook: an unexpected error is logged with its traceback, one dialog shows,
and the application keeps running."""

from __future__ import annotations

import logging
import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton  # noqa: E402

from shadematch.errors import ImageLoadError  # noqa: E402
from shadematch.gui.common.error_reporting import (  # noqa: E402
    ExceptionHook,
    current_log_file,
    setup_logging,
    show_action_error,
)


@pytest.fixture
def log_file(tmp_path):
    path = setup_logging(tmp_path / "logs")
    yield path
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "shadematch-file":
            root.removeHandler(handler)
            handler.close()


@pytest.fixture
def hook(qapp):
    hook = ExceptionHook().install()
    yield hook
    hook.uninstall()
    if hook.dialog is not None:
        hook.dialog.close()


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_is_logged_shown_once_and_the_app_goes_on(qtbot, log_file, hook):
    button = QPushButton("boom")
    qtbot.addWidget(button)

    def explode():
        raise ZeroDivisionError("a bug in a slot")

    button.clicked.connect(explode)
    button.show()
    button.click()  # Qt calls sys.excepthook (our hook) and carries on
    qtbot.waitUntil(lambda: hook.dialog is not None and hook.dialog.isVisible(), timeout=3000)
    text = log_file.read_text("utf-8")
    assert "ZeroDivisionError: a bug in a slot" in text
    assert "Traceback (most recent call last)" in text and "explode" in text
    assert "a bug in a slot" in hook.dialog.informativeText()
    assert str(log_file) in hook.dialog.text()
    assert "explode" in hook.dialog.detailedText()

    # a second error while the dialog is open: logged, counted, no second dialog
    first_dialog = hook.dialog
    button.click()
    qtbot.waitUntil(lambda: "1 more" in first_dialog.informativeText(), timeout=3000)
    assert hook.dialog is first_dialog and hook.count == 2
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.isVisible()]
    assert dialogs == [first_dialog]
    assert log_file.read_text("utf-8").count("Unexpected error: ZeroDivisionError") == 2

    # the event loop still works: a timer fires after the errors
    fired = []
    QTimer.singleShot(10, lambda: fired.append(True))
    qtbot.waitUntil(lambda: fired == [True], timeout=2000)


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_python_thread_is_logged_and_shown(qtbot, log_file, hook):
    def worker():
        raise RuntimeError("thread trouble")

    thread = threading.Thread(target=worker, name="worker-x")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: hook.dialog is not None and hook.dialog.isVisible(), timeout=3000)
    assert "thread trouble" in log_file.read_text("utf-8")
    assert not thread.is_alive()


def test_expected_error_gets_a_plain_warning_not_the_bug_dialog(qtbot, log_file, hook):
    box = show_action_error(None, "Opening the photo",
                            ImageLoadError("x.jpg could not be read: the file is truncated. "
                                           "Copy it from the camera again."), hook)
    qtbot.addWidget(box)
    assert box.isVisible() and "truncated" in box.informativeText()
    assert box.windowTitle().endswith("Opening the photo")
    assert hook.count == 0 and hook.dialog is None


def test_unexpected_error_of_an_action_goes_to_the_hook(qtbot, log_file, hook):
    try:
        raise KeyError("missing")
    except KeyError as exc:
        assert show_action_error(None, "Saving", exc, hook) is None
    qtbot.waitUntil(lambda: hook.dialog is not None, timeout=3000)
    assert hook.count == 1 and "KeyError" in log_file.read_text("utf-8")


def test_setup_logging_is_idempotent_and_retargets(tmp_path, log_file):
    again = setup_logging(tmp_path / "other")
    assert current_log_file() == again
    names = [h.get_name() for h in logging.getLogger().handlers]
    assert names.count("shadematch-file") == 1
    logging.getLogger("shadematch.test").warning("hello there")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "hello there" in again.read_text("utf-8")
    assert "hello there" not in log_file.read_text("utf-8")
