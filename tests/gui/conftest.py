"""GUI test set-up: offscreen Qt, a private user-data folder, and no worker left running."""

from __future__ import annotations

import os

# Before anything imports Qt: no display needed, and the same rendering everywhere.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402
from gui_helpers import (  # noqa: E402, F401 - re-exported for tests not yet moved over
    HAIR_RGB,
    SCAR_RGB,
    SKIN_RGB,
    consultation_rgb,
    expected_Lab,
    wait_measured,
)

from shadematch.gui.common import workers as _workers  # noqa: E402

# Strong references for the duration of one test, so a runner the test dropped is still checked.
_RUNNERS: list = []
_original_init = _workers.TaskRunner.__init__


def _tracking_init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    _RUNNERS.append(self)


_workers.TaskRunner.__init__ = _tracking_init


def _busy_runners() -> list:
    busy = []
    for runner in list(_RUNNERS):
        try:
            if runner.active_count() > 0:
                busy.append(runner)
        except RuntimeError:  # its C++ object is gone, and its pool with it
            continue
    return busy


@pytest.fixture(autouse=True)
def _private_data_and_no_leftover_workers(tmp_path, monkeypatch):
    """Every GUI test gets its own data and reports folders and must leave no worker thread
    running."""
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "user-data"))
    monkeypatch.setenv("SHADEMATCH_REPORTS_DIR", str(tmp_path / "shadematch reports"))
    from PySide6.QtCore import QThreadPool

    _RUNNERS.clear()
    yield
    busy = _busy_runners()
    _RUNNERS.clear()
    global_busy = QThreadPool.globalInstance().activeThreadCount()
    for runner in busy:  # stop them so the next test starts clean, then fail this one
        runner.shutdown()
    QThreadPool.globalInstance().waitForDone(10000)
    # Collect the test's Qt objects here, on the GUI thread. Left to the cyclic garbage collector,
    # they would be destroyed by whichever thread happens to allocate next, possibly a worker of
    # a later test: a QObject destroyed off its thread needs the GIL inside Qt and deadlocked
    # the suite (a worker importing while the GUI thread set up a scroll area).
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    app = QCoreApplication.instance()
    if app is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    gc.collect()
    if busy or global_busy:
        pytest.fail(f"the test left {len(busy)} task runner(s) and {global_busy} global pool "
                    "thread(s) working: close the window or call runner.shutdown()")


@pytest.fixture
def photo_file(tmp_path):
    from PIL import Image

    path = tmp_path / "client.png"
    Image.fromarray(consultation_rgb()).save(path)
    return path


@pytest.fixture
def make_window(qtbot):
    """Build a shown MainWindow on a fresh Workspace; ``photo=`` a path to open (and wait for)."""
    from shadematch.gui.shell.main_window import MainWindow
    from shadematch.workspace import Workspace

    windows = []

    def make(photo=None, size=(1400, 900)):
        window = MainWindow(Workspace(auto_measure=False))
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        if photo is not None:
            window.open_path(photo)
            qtbot.waitUntil(lambda: window.workspace.photo is not None, timeout=15000)
            qtbot.waitUntil(lambda: not window.view.showing_preview, timeout=5000)
        return window

    yield make
    for window in windows:
        window.close()
