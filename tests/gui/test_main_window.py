"""The main window: contract, photos (good and bad), matching panel, sessions, autosave."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from gui_helpers import HAIR_RGB, consultation_rgb, wait_measured
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMessageBox, QPushButton

from shadematch.gui.shell.main_window import MainWindow
from shadematch.sessions import list_recoverable, read_session
from shadematch.workspace import Workspace


def mark_hair_and_skin(qtbot, window):
    ws = window.workspace
    ws.add_region("rect", {"x": 20, "y": 20, "w": 120, "h": 150}, "hair")
    ws.add_region("ellipse", {"cx": 300, "cy": 100, "rx": 50, "ry": 40}, "skin")
    wait_measured(qtbot, window)


def test_contract_title_menus_docks_shortcuts(qtbot, make_window, photo_file):
    window = make_window()
    assert "shadematch" in window.windowTitle()
    assert set(window.menus) == {"file", "edit", "view", "tools", "palettes", "help"}
    assert window.runner is not None and isinstance(window.workspace, Workspace)
    label = QLabel("extra panel")
    dock = window.add_dock(label, "Camera folder", object_name="cameraFolderDock")
    assert isinstance(dock, QDockWidget) and dock.objectName() == "cameraFolderDock"
    assert dock.toggleViewAction() in window.menus["view"].actions()
    for name in ("select", "rect", "ellipse", "polygon", "brush"):
        assert not window.actions[f"tool_{name}"].shortcut().isEmpty()
    for key in ("open", "save", "undo", "redo", "fit", "actual", "zoom_in", "zoom_out", "delete"):
        assert not window.actions[key].shortcut().isEmpty(), key
        assert window.actions[key].toolTip()
    window.show_status("hello", 1000)
    assert window.statusBar().currentMessage() == "hello"
    window.open_path(photo_file)
    qtbot.waitUntil(lambda: window.workspace.photo is not None, timeout=10000)
    assert "client.png" in window.windowTitle() and "shadematch" in window.windowTitle()


def test_photo_is_shown_and_readout_gives_lab(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    view = window.view
    assert view.photo_size == (400, 300)
    image = view.viewport().grab().toImage()
    centre = view.mapFromScene(100, 100)
    c = image.pixelColor(centre.x(), centre.y())
    assert abs(c.red() - HAIR_RGB[0]) <= 6 and abs(c.green() - HAIR_RGB[1]) <= 6
    corner = image.pixelColor(2, 2)  # the neutral grey surround
    assert abs(corner.red() - corner.green()) <= 2 and abs(corner.green() - corner.blue()) <= 2
    qtbot.mouseMove(view.viewport(), view.mapFromScene(100.5, 100.5))
    text = window.readout_label.text()
    assert text.startswith("x 100  y 100")
    from shadematch.color import sRGB_to_Lab

    pixel = window.workspace.photo.rgb[100, 100]
    L = float(np.asarray(sRGB_to_Lab(pixel.reshape(1, 3))).reshape(3)[0])
    assert f"L* {L:.1f}" in text
    assert f"sRGB {pixel[0]} {pixel[1]} {pixel[2]}" in text


def test_bad_photo_shows_its_error_and_the_app_goes_on(qtbot, make_window, tmp_path, photo_file):
    window = make_window(photo_file)
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    window.open_path(bad)
    qtbot.waitUntil(lambda: window.info_bar.isVisible(), timeout=10000)
    assert "broken.jpg" in window.info_bar.label.text()
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and "broken.jpg" in boxes[0].informativeText()
    for box in boxes:
        box.close()
    # the previous photo is still there and usable
    assert window.workspace.photo.name == "client.png"
    assert window.view.photo_size == (400, 300)
    mark_hair_and_skin(qtbot, window)
    assert window.workspace.ranking


def test_matching_panel_select_compare_choose_and_sort(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    mark_hair_and_skin(qtbot, window)
    ws, panel = window.workspace, window.matching_panel
    assert panel.model.rowCount() == ws.top
    # the first row is selected: two swatches side by side, target and pigment
    assert panel.selected_entry_id() == ws.ranking[0].entry.id
    target = panel.target_swatch.grab().toImage()
    c = target.pixelColor(target.width() // 2, 5)
    assert abs(c.red() - HAIR_RGB[0]) <= 3 and abs(c.blue() - HAIR_RGB[2]) <= 3
    from shadematch.gui.common.swatch import lab_to_qcolor

    second = ws.ranking[1].entry
    panel.table.selectRow(1)
    expected, _ = lab_to_qcolor(second.Lab)
    pigment = panel.pigment_swatch.grab().toImage()
    assert pigment.pixelColor(pigment.width() // 2, 5) == expected
    qtbot.mouseClick(panel.choose_button, Qt.LeftButton)
    assert ws.picks["primary"]["entry_id"] == second.id
    assert second.name in panel.picks_label.text()
    # sort by delta-E, descending, by clicking the header twice
    header = panel.table.horizontalHeader()
    x = header.sectionViewportPosition(4) + header.sectionSize(4) // 2
    from PySide6.QtCore import QPoint

    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))
    shown = [float(panel.proxy.index(r, 4).data()) for r in range(panel.proxy.rowCount())]
    assert shown == sorted(shown, reverse=True)
    # formula, target and count choosers drive the model
    panel.top_spin.setValue(4)
    assert len(ws.ranking) == 4 and panel.model.rowCount() == 4
    panel.target_combo.setCurrentIndex(panel.target_combo.findData("skin"))
    panel.target_combo.activated.emit(panel.target_combo.currentIndex())
    assert ws.target == "skin" and ws.ranking == []       # healed is against the hair only
    qtbot.mouseClick(panel.card_only_box, Qt.LeftButton)  # card swatches against the skin: asked
    assert ws.card_only and ws.ranking[0].entry.Lab[0] > 40
    qtbot.keyClicks(panel.notes, "Client prefers soft edges")
    assert ws.notes == "Client prefers soft edges"


def test_first_session_lighter_pick(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    mark_hair_and_skin(qtbot, window)
    ws, panel = window.workspace, window.matching_panel
    row = next(i for i, m in enumerate(ws.ranking) if ws.palette.lighter_steps(m.entry.id))
    panel.select_entry(ws.ranking[row].entry.id)
    qtbot.keyClick(window.view, Qt.Key_Return, Qt.ControlModifier)
    assert ws.picks["primary"]["entry_id"] == ws.ranking[row].entry.id
    assert panel.first_button.isEnabled()
    qtbot.keyClick(window.view, Qt.Key_Return, Qt.ControlModifier | Qt.ShiftModifier)
    first = ws.picks["first_session"]
    assert first is not None and first["lab"][0] > ws.picks["primary"]["lab"][0]
    assert "First session" in panel.picks_label.text()


def test_session_saves_and_reopens_identically(qtbot, make_window, photo_file, tmp_path):
    window = make_window(photo_file)
    mark_hair_and_skin(qtbot, window)
    ws = window.workspace
    ws.choose(ws.ranking[0].entry.id)
    ws.set_notes("Session notes")
    path = tmp_path / "visit.shadematch"
    window.save_session_to(path)
    qtbot.waitUntil(lambda: not ws.modified, timeout=10000)
    assert str(path) == ws.session_path and "visit.shadematch" in window.windowTitle()
    saved = ws.to_dict()
    on_disk = read_session(path)
    assert on_disk["session"]["photo_sha256"] == ws.photo.sha256

    other = make_window()
    other.open_path(path)
    qtbot.waitUntil(lambda: other.workspace.photo is not None, timeout=10000)
    wait_measured(qtbot, other)
    reopened = other.workspace.to_dict()
    for key in ("photo", "regions", "samples", "ranking", "picks", "notes", "matching", "created"):
        assert reopened[key] == saved[key], key
    assert other.matching_panel.notes.toPlainText() == "Session notes"
    assert not other.workspace.modified


def test_moved_photo_is_detected_and_can_be_located(qtbot, make_window, photo_file, tmp_path,
                                                    monkeypatch):
    window = make_window(photo_file)
    mark_hair_and_skin(qtbot, window)
    path = tmp_path / "moved-visit.shadematch"
    window.save_session_to(path)
    qtbot.waitUntil(lambda: not window.workspace.modified, timeout=10000)
    saved = window.workspace.to_dict()
    moved = tmp_path / "elsewhere.png"
    os.replace(photo_file, moved)

    asked = []
    monkeypatch.setattr(MainWindow, "ask_photo_problem",
                        lambda self, check: asked.append(check.status) or "locate")
    monkeypatch.setattr(MainWindow, "locate_photo", lambda self, check: str(moved))
    other = make_window()
    other.open_path(path)
    qtbot.waitUntil(lambda: other.workspace.photo is not None, timeout=10000)
    wait_measured(qtbot, other)
    assert asked == ["missing"]
    assert other.workspace.photo.path == moved
    assert other.workspace.to_dict()["samples"] == saved["samples"]

    # a changed photo: "open anyway" measures the regions again on the new pixels
    from PIL import Image

    other.workspace.set_notes("now pointing at the moved photo")
    other.save_session_to(path)
    qtbot.waitUntil(lambda: not other.workspace.modified, timeout=10000)
    assert read_session(path)["session"]["photo_path"] == str(moved)

    Image.fromarray(consultation_rgb(seed=5)[:, ::-1].copy()).save(moved)
    monkeypatch.setattr(MainWindow, "ask_photo_problem",
                        lambda self, check: asked.append(check.status) or "anyway")
    third = make_window()
    third.open_path(path)
    qtbot.waitUntil(lambda: asked[-1] == "changed" and third.workspace.photo is not None,
                    timeout=10000)
    wait_measured(qtbot, third)
    # mirrored photo: the hair rectangle now lies on skin
    assert third.workspace.samples["hair"].Lab[0] > 50


def test_missing_photo_cancel_and_open_anyway(qtbot, make_window, photo_file, tmp_path,
                                              monkeypatch):
    window = make_window(photo_file)
    mark_hair_and_skin(qtbot, window)
    path = tmp_path / "gone.shadematch"
    window.save_session_to(path)
    qtbot.waitUntil(lambda: not window.workspace.modified, timeout=10000)
    saved = window.workspace.to_dict()
    os.remove(photo_file)
    monkeypatch.setattr(MainWindow, "ask_photo_problem", lambda self, check: "cancel")
    other = make_window()
    other.open_path(path)
    qtbot.waitUntil(lambda: "not opened" in other.statusBar().currentMessage(), timeout=10000)
    assert other.workspace.regions == []
    monkeypatch.setattr(MainWindow, "ask_photo_problem", lambda self, check: "anyway")
    other.open_path(path)
    qtbot.waitUntil(lambda: len(other.workspace.regions) == 2, timeout=10000)
    assert other.workspace.photo is None
    assert other.workspace.to_dict()["samples"] == saved["samples"]
    assert "missing" in other.info_bar.label.text()
    assert "client.png" in other.windowTitle()


def test_damaged_session_file_is_a_clear_error(qtbot, make_window, tmp_path):
    window = make_window()
    bad = tmp_path / "bad.shadematch"
    bad.write_text("{oops", encoding="utf-8")
    window.open_path(bad)
    qtbot.waitUntil(lambda: window.info_bar.isVisible(), timeout=5000)
    assert "damaged" in window.info_bar.label.text()
    for box in window.findChildren(QMessageBox):
        box.close()


def test_autosave_then_recovery_after_a_crash(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    window.autosaver.delay = 0.2
    mark_hair_and_skin(qtbot, window)
    window.workspace.set_notes("unsaved work")
    qtbot.waitUntil(lambda: os.path.exists(window.autosaver.path)
                    and "unsaved work" in window.autosaver.path.read_text(), timeout=5000)
    record = json.loads(window.autosaver.path.read_text())
    assert len(record["regions"]) == 2
    # simulate a crash: the window disappears without its closeEvent
    window.runner.shutdown()
    window._autosave_timer.stop()
    entries = list_recoverable()
    assert len(entries) == 1

    fresh = make_window()
    qtbot.waitUntil(lambda: fresh.info_bar.isVisible(), timeout=3000)
    assert "recovered" in fresh.info_bar.label.text()
    recover = next(b for b in fresh.info_bar.findChildren(QPushButton)
                   if b.text() == "Recover")
    qtbot.mouseClick(recover, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(fresh.workspace.regions) == 2, timeout=10000)
    assert fresh.workspace.notes == "unsaved work" and fresh.workspace.modified
    assert fresh.autosaver.path == entries[0].path  # keeps autosaving into the same file


def test_close_waits_for_workers_and_flushes_autosave(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    window.workspace.add_region("rect", {"x": 20, "y": 20, "w": 100, "h": 100}, "hair")
    window.workspace.set_notes("last words")
    window.close()
    assert window.runner.active_count() == 0
    assert "last words" in window.autosaver.path.read_text()


def test_saved_work_leaves_no_autosave(qtbot, make_window, photo_file, tmp_path):
    window = make_window(photo_file)
    window.autosaver.delay = 0.1
    mark_hair_and_skin(qtbot, window)
    qtbot.waitUntil(lambda: os.path.exists(window.autosaver.path), timeout=5000)
    window.save_session_to(tmp_path / "done.shadematch")
    qtbot.waitUntil(lambda: not window.workspace.modified, timeout=5000)
    window.close()
    assert list_recoverable() == []


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 720)])
def test_layout_at_common_sizes(qtbot, make_window, photo_file, size):
    window = make_window(photo_file, size=size)
    mark_hair_and_skin(qtbot, window)
    view = window.view
    assert view.width() >= 380 and view.height() >= 300
    assert window.matching_panel.table.isVisible()
    # the photo is fitted: fully visible and centred
    rect = view.mapFromScene(view.sceneRect()).boundingRect()
    assert rect.width() <= view.viewport().width() + 1 and rect.height() <= view.viewport().height() + 1


def test_user_palette_appears_and_reloads_when_its_file_changes(qtbot, make_window, photo_file):
    from dataclasses import replace

    from shadematch.palettes import load_palette, save_palette
    from shadematch.resources import user_palettes_dir

    window = make_window(photo_file)
    mark_hair_and_skin(qtbot, window)
    combo = window.matching_panel.palette_combo
    base = load_palette()
    mine = replace(base, name="clinic-own", entries=base.entries[:5])
    path = save_palette(mine, user_palettes_dir() / "clinic-own.json")
    qtbot.waitUntil(lambda: combo.findData("clinic-own") >= 0, timeout=5000)
    combo.setCurrentIndex(combo.findData("clinic-own"))
    combo.activated.emit(combo.currentIndex())
    ws = window.workspace
    assert ws.palette.name == "clinic-own" and len(ws.ranking) == 5
    save_palette(replace(base, name="clinic-own", entries=base.entries[:3]), path, overwrite=True)
    qtbot.waitUntil(lambda: len(ws.palette.entries) == 3, timeout=5000)
    assert len(ws.ranking) == 3 and window.matching_panel.model.rowCount() == 3


def test_photo_profile_and_loader_notes_in_the_status_bar(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    text = window.photo_label.text()
    assert "400 × 300" in text and "8-bit" in text and "sRGB" in text
    if window.workspace.photo.notes:  # a PNG without a profile: sRGB assumed, said on hover
        assert "⚠" in text and "sRGB" in window.photo_label.toolTip()


def _palette_doc(name: str, neat_L: float = 20.0, step_L: float = 40.0) -> dict:
    return {"format_version": 1, "name": name, "version": "1", "provenance": "test",
            "pigments": [{"id": "ink", "name": "Ink",
                          "colour": {"lab": [neat_L, 0.0, 0.0], "illuminant": "D65"},
                          "dilutions": [{"water_parts": 2, "colour": {"lab": [step_L, 0.5, 0.0],
                                                                      "illuminant": "D65"}}]}]}


def test_palette_folder_preference_one_scan_off_the_gui_thread(qtbot, tmp_path, monkeypatch):
    """The preference's folder is scanned (once, in a worker); a broken file is named once and
    a palette's own warnings are shown when it is chosen."""
    import threading

    import shadematch.palettes as palettes
    from shadematch.gui.common.settings import Settings

    folder = tmp_path / "clinic-palettes"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps(_palette_doc("clinic-good")))
    (folder / "odd.json").write_text(json.dumps(_palette_doc("clinic-odd", 30.0, 25.0)))
    (folder / "broken.json").write_text("{ not json")
    settings = Settings.from_file(tmp_path / "settings.ini")
    settings.user_palette_folder = str(folder)

    calls, real_scan = [], palettes.scan_palettes

    def spy(extra_folders=()):
        calls.append((threading.current_thread() is threading.main_thread(),
                      [str(f) for f in extra_folders]))
        return real_scan(extra_folders)

    def forbidden(*_a, **_k):
        raise AssertionError("the panel scans once with scan_palettes")

    monkeypatch.setattr(palettes, "scan_palettes", spy)
    monkeypatch.setattr(palettes, "list_palettes", forbidden)
    monkeypatch.setattr(palettes, "list_palette_problems", forbidden)
    window = MainWindow(Workspace(auto_measure=False), settings)
    qtbot.addWidget(window)
    window.show()
    panel = window.matching_panel
    qtbot.waitUntil(lambda: not panel.scanning and panel.palette_combo.count() > 0, timeout=5000)
    assert calls == [(False, [str(folder)])]
    combo = panel.palette_combo
    assert combo.findData("clinic-good") >= 0 and combo.findData("clinic-odd") >= 0
    note = panel.palette_note.text()
    assert panel.palette_note.isVisible() and note.count("broken.json") == 1
    assert not panel.palette_warnings.isVisible()

    # Choose the palette with a dilution step darker than its neat pigment, by keyboard.
    combo.setFocus()
    while combo.currentData() != "clinic-odd":
        qtbot.keyClick(combo, Qt.Key_Down)
    assert window.workspace.palette.name == "clinic-odd"
    assert panel.palette_warnings.isVisible()
    assert "not lighter" in panel.palette_warnings.text()
    window.close()


def test_healing_hint_under_the_swatches(qtbot, make_window, photo_file):
    window = make_window(photo_file)
    panel = window.matching_panel
    assert not panel.healing_hint.isVisible()  # nothing to compare yet
    mark_hair_and_skin(qtbot, window)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=5000)
    index = panel.proxy.index(1, 2)
    qtbot.mouseClick(panel.table.viewport(), Qt.LeftButton,
                     pos=panel.table.visualRect(index).center())
    assert panel.selected_entry_id() == window.workspace.ranking[1].entry.id
    hint = panel.healing_hint
    assert hint.isVisible()
    assert "lighter and cooler" in hint.text() and "first session goes lighter" in hint.text()
    swatch = panel.pigment_swatch
    below = hint.mapTo(panel, hint.rect().topLeft()).y()
    assert below >= swatch.mapTo(panel, swatch.rect().bottomLeft()).y()
    # and it is drawn: the hint's pixels are not all the background colour
    image = hint.grab().toImage()
    colours = {image.pixel(x, y) for y in range(image.height()) for x in range(image.width())}
    assert len(colours) > 2  # background and anti-aliased text


def test_restore_analysis_is_public_and_supersedes_a_loading_photo(qtbot, make_window,
                                                                    photo_file, tmp_path):
    from PIL import Image

    from shadematch.imaging.loading import load_photo

    window = make_window(photo_file)
    mark_hair_and_skin(qtbot, window)
    window.workspace.set_notes("from the visit")
    record = json.loads(json.dumps(window.workspace.to_dict()))
    other = make_window()
    later = tmp_path / "later.png"
    Image.fromarray(consultation_rgb(seed=7)[::-1]).save(later)
    other.open_path(later)                     # still decoding when the record is restored
    notes = other.restore_analysis(record, load_photo(photo_file))
    ws = other.workspace
    qtbot.waitUntil(lambda: other.runner.active_count() == 0, timeout=10000)
    qtbot.wait(50)
    assert ws.photo.name == "client.png"       # the photo that finished loading did not win
    assert [r.to_dict() for r in ws.regions] == record["regions"]
    assert ws.notes == "from the visit" and other.matching_panel.notes.toPlainText() == ws.notes
    assert ws.session_path is None and not ws.modified
    assert other.windowTitle().startswith("client.png")
    assert not notes or other.info_bar.isVisible()
    assert other.view.photo_size == (400, 300)
    image = other.view.viewport().grab().toImage()
    centre = other.view.mapFromScene(60, 200)
    c = image.pixelColor(centre.x(), centre.y())
    assert abs(c.red() - HAIR_RGB[0]) <= 8 and abs(c.green() - HAIR_RGB[1]) <= 8

    # Without its photo: the saved measurements, and the note the caller chose.
    notes = other.restore_analysis(record, None, missing_photo_note="Photo copy missing.")
    assert notes[0] == "Photo copy missing." and other.info_bar.isVisible()
    assert "Photo copy missing." in other.info_bar.label.text()
    assert ws.photo is None and "hair" in ws.samples
    assert other.view.photo_size == (0, 0)


def test_after_a_rerank_the_highlighted_row_is_the_best_or_the_chosen_one(qtbot, make_window,
                                                                         photo_file):
    """(issue 13) Row 8 (dE 19.7) could stay highlighted after a re-rank while row 1 was 12.4,
    and "Choose this shade" recorded it."""
    window = make_window(photo_file)
    mark_hair_and_skin(qtbot, window)
    ws, panel = window.workspace, window.matching_panel
    panel.select_entry(ws.ranking[7].entry.id)            # the practitioner browses down
    assert panel.selected_entry_id() == ws.ranking[7].entry.id
    ws.set_formula("cie76")                                # a re-rank
    assert panel.selected_entry_id() == ws.ranking[0].entry.id
    record = panel._record(panel.selected_entry_id())
    assert record["rank"] == 1
    panel.select_entry(ws.ranking[3].entry.id)
    qtbot.mouseClick(panel.choose_button, Qt.LeftButton)   # a chosen shade stays highlighted
    chosen = ws.picks["primary"]["entry_id"]
    ws.set_formula("ciede2000")
    if any(m.entry.id == chosen for m in ws.ranking):
        assert panel.selected_entry_id() == chosen
    else:
        assert panel.selected_entry_id() == ws.ranking[0].entry.id
