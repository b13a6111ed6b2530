"""Each photo keeps its analysis: switching photo keeps the one being left (per-photo store in the
user data folder, keyed by content hash), reopening it brings it back with its calibration, and a
tethered photo arriving while there is unsaved work never discards it (issue 13)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from folder_fixtures import write_photo
from gui_helpers import consultation_rgb, drag, idle
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from shadematch.photo_sessions import find_kept, list_kept, store_dir
from shadematch.sessions import file_sha256, list_recoverable


def _photo(path: Path, seed: int) -> Path:
    Image.fromarray(consultation_rgb(seed=seed)).save(path)
    return path


def _drop(window, path: Path) -> None:
    """Drop a file on the window as a file manager does (a real drop event)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(50, 50), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window, event)


def _draw_hair(qtbot, window) -> None:
    button = window.toolbar.widgetForAction(window.actions["tool_rect"])
    qtbot.mouseClick(button, Qt.LeftButton)
    assert window.actions["tool_rect"].isChecked()
    drag(qtbot, window, [(20, 30), (60, 80), (120, 200)])
    idle(qtbot, window)


def _wait_photo(qtbot, window, name: str) -> None:
    qtbot.waitUntil(lambda: window.workspace.photo_name == name, timeout=15000)
    idle(qtbot, window)


def test_switching_photo_keeps_its_analysis_and_reopening_brings_it_back(qtbot, make_window,
                                                                          tmp_path):
    first = _photo(tmp_path / "IMG_0101.png", seed=1)
    second = _photo(tmp_path / "IMG_0102.png", seed=2)
    window = make_window(photo=first)
    _draw_hair(qtbot, window)
    ws = window.workspace
    assert len(ws.regions) == 1 and ws.modified
    ws.notes = "client prefers a softer edge"
    _drop(window, second)
    _wait_photo(qtbot, window, second.name)
    assert ws.regions == []
    # kept in the user data folder under the photo's content hash, not next to the photo
    sha = file_sha256(first)
    kept = store_dir() / f"{sha}.shadematch"
    assert kept.is_file()
    assert not list(tmp_path.glob("*.shadematch"))
    assert os.environ["SHADEMATCH_DATA_DIR"] in str(kept)
    assert find_kept(sha)["notes"] == "client prefers a softer edge"
    bar = window.info_bar.label.text()
    assert window.info_bar.isVisible() and f"analysis of {first.name} is kept" in bar
    assert sha not in bar and sha not in window.windowTitle()
    # the kept analysis replaces its autosave: one entry per piece of work
    assert list_recoverable() == []
    entries = list_kept()
    assert [(e.photo_name, e.regions) for e in entries] == [(first.name, 1)]

    window.open_path(first)  # as a double-click in the camera panel does
    _wait_photo(qtbot, window, first.name)
    assert len(ws.regions) == 1 and ws.notes == "client prefers a softer edge"
    assert ws.modified  # it was unsaved work: it still is
    assert f"{first.name}: its analysis is back (1 region)" in window.info_bar.label.text()
    assert window.windowTitle().startswith(first.name)


def test_the_calibration_comes_back_with_the_photo(qtbot, make_window, tmp_path):
    from shadematch.calibration.model import Calibration, identity_transform

    first = _photo(tmp_path / "chart.png", seed=3)
    second = _photo(tmp_path / "next.png", seed=4)
    window = make_window(photo=first)
    ws = window.workspace
    ws.set_calibration(Calibration(chart="colorchecker24", reference="test", model="matrix-3x3",
                                   mean_delta_e=0.8412, max_delta_e=2.0,
                                   transform=identity_transform(),
                                   source_photo_sha256=ws.photo.sha256))
    _draw_hair(qtbot, window)
    window.open_path(second)
    _wait_photo(qtbot, window, second.name)
    assert ws.calibration is None  # made on the other photo, not kept for the shoot
    window.open_path(first)
    _wait_photo(qtbot, window, first.name)
    assert ws.calibration is not None and ws.calibration.mean_delta_e == pytest.approx(0.8412, abs=1e-3)
    assert ws.calibration.source_photo_sha256 == ws.photo.sha256


def test_a_photo_without_work_keeps_nothing(qtbot, make_window, tmp_path):
    first = _photo(tmp_path / "a.png", seed=5)
    second = _photo(tmp_path / "b.png", seed=6)
    window = make_window(photo=first)
    window.open_path(second)
    _wait_photo(qtbot, window, second.name)
    assert list_kept() == []
    assert not window.info_bar.isVisible() or "kept" not in window.info_bar.label.text()


def test_tethered_photo_arriving_keeps_the_unsaved_work_and_says_so(qtbot, tmp_path, monkeypatch):
    from shadematch.gui import app as app_module
    from shadematch.gui.common.settings import Settings

    settings = Settings.from_file(tmp_path / "settings.ini")
    folder = tmp_path / "tether"
    folder.mkdir()
    start = _photo(folder / "IMG_0001.png", seed=7)
    window = app_module.create_main_window([str(start)], settings=settings)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    try:
        _wait_photo(qtbot, window, start.name)
        panel = window.shell.panel
        panel.set_folder(folder)
        panel.auto_open_box.setChecked(True)
        qtbot.waitUntil(lambda: start in panel.paths(), timeout=10000)
        qtbot.waitUntil(lambda: not window.view.showing_preview, timeout=5000)
        window.view.fit()
        _draw_hair(qtbot, window)
        assert len(window.workspace.regions) == 1, window.last_error
        assert window.workspace.has_unsaved_work
        arrived = write_photo(folder / "IMG_0002.jpg", consultation_rgb(seed=8))
        _wait_photo(qtbot, window, arrived.name)
        assert f"analysis of {start.name} is kept" in window.info_bar.label.text()
        kept = find_kept(file_sha256(start))
        assert kept is not None and len(kept["regions"]) == 1
    finally:
        window.close()
        window.shell.shutdown()
        window.runner.shutdown()


def test_file_recover_work_lists_every_autosave_and_kept_analysis(qtbot, make_window, tmp_path):
    from shadematch.sessions import Autosaver

    first = _photo(tmp_path / "IMG_0201.png", seed=9)
    second = _photo(tmp_path / "IMG_0202.png", seed=10)
    crashed = _photo(tmp_path / "IMG_0199.png", seed=11)
    # work a crash left behind, on a third photo (two autosaves: not only the newest is offered)
    helper = make_window(photo=crashed)
    _draw_hair(qtbot, helper)
    record, settings = helper.workspace.to_dict(), helper.workspace.settings()
    helper.workspace.mark_saved()
    for key in ("older0001", "newer0002"):
        Autosaver.write(Autosaver().folder / f"autosave-{key}.shadematch", record, settings)
    helper.close()

    window = make_window(photo=first)
    window.offer_recovery = lambda: None
    _draw_hair(qtbot, window)
    window.open_path(second)
    _wait_photo(qtbot, window, second.name)

    window.actions["recover_work"].trigger()
    dialog = window.session.recover_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    rows = dialog.rows()
    assert len(rows) == 3
    assert sum(r.startswith(f"{crashed.name} — 1 region — autosaved") for r in rows) == 2
    assert any(r.startswith(f"{first.name} — 1 region — kept") for r in rows)
    assert not any(len(part) == 64 for r in rows for part in r.split())  # no store hashes

    # delete one autosave (mouse), then open the kept analysis (double-click)
    def click_row(text_start: str, double: bool = False) -> None:
        for i in range(dialog.list.count()):
            item = dialog.list.item(i)
            if item.text().startswith(text_start):
                rect = dialog.list.visualItemRect(item)
                qtbot.mouseClick(dialog.list.viewport(), Qt.LeftButton, pos=rect.center())
                if double:
                    qtbot.mouseDClick(dialog.list.viewport(), Qt.LeftButton, pos=rect.center())
                return
        raise AssertionError(f"no row {text_start!r} in {dialog.rows()}")

    click_row(f"{crashed.name}")
    qtbot.mouseClick(dialog.delete_button, Qt.LeftButton)
    assert len(dialog.rows()) == 2
    assert len(list_recoverable()) == 1
    click_row(f"{first.name}", double=True)
    _wait_photo(qtbot, window, first.name)
    assert len(window.workspace.regions) == 1 and window.workspace.modified
    assert window.windowTitle().startswith(first.name)


def test_activating_the_open_photo_again_leaves_its_analysis_alone(qtbot, make_window, tmp_path):
    photo = _photo(tmp_path / "IMG_0301.png", seed=13)
    window = make_window(photo=photo)
    _draw_hair(qtbot, window)
    regions = [r.to_dict() for r in window.workspace.regions]
    _drop(window, photo)                   # dropped (or double-clicked) again
    qtbot.waitUntil(lambda: "already open" in window.statusBar().currentMessage(), timeout=15000)
    idle(qtbot, window)
    assert [r.to_dict() for r in window.workspace.regions] == regions
    assert window.workspace.modified and list_kept() == []
