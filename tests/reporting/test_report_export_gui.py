"""File > Export report... (Ctrl+E) in the main window: off the GUI thread, asks before replacing."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from report_fixtures import astronaut_rgb  # noqa: E402


@pytest.fixture
def astronaut() -> np.ndarray:
    return astronaut_rgb()


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, astronaut):
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "user-data"))
    monkeypatch.setenv("SHADEMATCH_REPORTS_DIR", str(tmp_path / "documents" / "shadematch reports"))
    from PySide6.QtCore import QThreadPool

    from shadematch.gui.shell.main_window import MainWindow
    from shadematch.imaging.photo import Photo
    from shadematch.workspace import Workspace

    ws = Workspace(auto_measure=False)
    win = MainWindow(ws)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: ws.palette is not None, timeout=10000)  # palettes load off-thread
    photo = Photo.from_array(np.ascontiguousarray(astronaut), name="astronaut.png")
    ws.set_photo(photo)
    ws.add_region("rect", {"x": 170, "y": 20, "w": 120, "h": 50}, "hair")
    ws.add_region("rect", {"x": 200, "y": 130, "w": 80, "h": 40}, "skin")
    ws.measure_now()
    assert ws.ranking, "the workspace ranked the palette"
    ws.choose(ws.ranking_records()[0]["id"])
    yield win
    win.runner.cancel_all()
    win.runner.wait(10000)
    QThreadPool.globalInstance().waitForDone(10000)
    win.close()


def test_export_action_is_in_the_file_menu_with_ctrl_e(window):
    from PySide6.QtGui import QKeySequence

    action = window.report_exporter.action
    assert action in window.menus["file"].actions()
    assert action.shortcut() == QKeySequence("Ctrl+E")
    actions = window.menus["file"].actions()
    assert actions.index(action) == actions.index(window.actions["save_as"]) + 1


def test_export_writes_the_report_off_the_gui_thread(window, qtbot, tmp_path):
    import threading

    import shadematch.reporting.builder as reporting
    from shadematch.reporting import ReportOptions

    exporter = window.report_exporter
    threads = []

    original = reporting.build_report

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return original(*args, **kwargs)

    out = tmp_path / "gui.pdf"
    reporting.build_report = spy
    try:
        with qtbot.waitSignal(exporter.exported, timeout=30000) as blocker:
            exporter.export_to(out, ReportOptions(client_name="王小明"))
    finally:
        reporting.build_report = original
    assert blocker.args == [str(out)]
    assert threads and threads[0] is not threading.main_thread()
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "王小明" in text
    assert window.workspace.ranking_records()[0]["pigment_name"] in text
    assert "Report written" in window.statusBar().currentMessage()


def test_dialog_flow_asks_before_replacing(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog, QMessageBox

    from shadematch.gui.reports import report_export

    out = tmp_path / "existing.pdf"
    out.write_bytes(b"keep")

    def fake_exec(dialog):
        dialog.client.setText("Zoë Ó Súilleabháin")
        dialog.practitioner.setText("Sam")
        qtbot.keyClicks(dialog.batch, "LOT-9")
        dialog.copy.setCurrentIndex(dialog.copy.findData("practitioner"))
        dialog.path.setText(str(out))
        return QDialog.Accepted

    monkeypatch.setattr(report_export.ReportDialog, "exec", fake_exec)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a) or QMessageBox.No)
    window.report_exporter.action.trigger()
    assert len(asked) == 1 and "existing.pdf" in asked[0][2]
    qtbot.wait(200)
    assert out.read_bytes() == b"keep"  # "No": nothing written

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    with qtbot.waitSignal(window.report_exporter.exported, timeout=30000):
        window.report_exporter.action.trigger()
    assert out.read_bytes().startswith(b"%PDF")
    assert window.report_exporter.client == "Zoë Ó Súilleabháin"
    assert "Zoë Ó Súilleabháin" in PdfReader(out).pages[0].extract_text()
    assert "LOT-9" in " ".join(p.extract_text() for p in PdfReader(out).pages)


def test_error_is_shown_not_raised(window, qtbot, tmp_path):
    from shadematch.reporting import ReportOptions

    with qtbot.waitSignal(window.report_exporter.failed, timeout=30000) as blocker:
        window.report_exporter.export_to(tmp_path / "missing" / "r.pdf", ReportOptions())
    assert "does not exist" in blocker.args[0]
    assert not (tmp_path / "missing").exists()


def test_nothing_to_export_says_why(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "user-data"))
    from shadematch.gui.shell.main_window import MainWindow
    from shadematch.workspace import Workspace

    win = MainWindow(Workspace(auto_measure=False))
    qtbot.addWidget(win)
    win.report_exporter.action.trigger()
    assert "Open a photo" in win.statusBar().currentMessage()
    assert not list(Path(tmp_path).glob("*.pdf"))
    win.close()


def test_dialog_is_prefilled_with_the_selected_client(window, monkeypatch):
    from types import SimpleNamespace

    from PySide6.QtWidgets import QDialog

    from shadematch.gui.reports import report_export

    seen = {}

    def fake_exec(dialog):
        seen["client"] = dialog.client.text()
        seen["path"] = dialog.path.text()
        return QDialog.Rejected

    monkeypatch.setattr(report_export.ReportDialog, "exec", fake_exec)
    # the client selected in the Clients panel (the composition connects it to the export)
    monkeypatch.setattr(window.client_records.view, "client", SimpleNamespace(name="محمد"))
    window.report_exporter.export()
    assert seen["client"] == "محمد"
    assert seen["path"].endswith("astronaut report.pdf")


def _image_xobjects(path: Path) -> list[tuple[int, int]]:
    """(width, height) of every image XObject the pages of ``path`` draw."""
    sizes = []
    for page in PdfReader(path).pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                sizes.append((int(obj["/Width"]), int(obj["/Height"])))
    return sizes


def test_logo_and_practitioner_from_preferences(window, qtbot, tmp_path, monkeypatch):
    from PIL import Image
    from PySide6.QtWidgets import QDialog

    from shadematch.gui.common.settings import Settings
    from shadematch.gui.reports import report_export

    logo = tmp_path / "logo.png"
    Image.new("RGB", (123, 41), (10, 90, 160)).save(logo)
    settings = Settings.from_file(tmp_path / "prefs.ini")
    settings.clinic_logo = str(logo)
    settings.practitioner = "Dr Ana Núñez"
    settings.clinic_phone = "+353 1 555 0100"
    window.settings = settings
    assert window.report_exporter.options().clinic_phone == "+353 1 555 0100"
    out = {"path": None}
    seen = []

    def fake_exec(dialog):
        seen.append(dialog.practitioner.text())
        dialog.copy.setCurrentIndex(dialog.copy.findData("practitioner"))
        dialog.path.setText(str(out["path"]))
        return QDialog.Accepted

    monkeypatch.setattr(report_export.ReportDialog, "exec", fake_exec)

    def export(name: str) -> Path:
        out["path"] = tmp_path / name
        with qtbot.waitSignal(window.report_exporter.exported, timeout=30000):
            window.report_exporter.action.trigger()
        return out["path"]

    with_logo = export("with-logo.pdf")
    assert seen == ["Dr Ana Núñez"]  # the dialog starts with the practitioner of Preferences
    assert "Dr Ana Núñez" in PdfReader(with_logo).pages[0].extract_text()
    window.report_exporter.practitioner = ""  # a new session: Preferences again
    settings.clinic_logo = ""
    without = export("without-logo.pdf")
    assert "Dr Ana Núñez" in PdfReader(without).pages[0].extract_text()
    images_with, images_without = _image_xobjects(with_logo), _image_xobjects(without)
    assert len(images_with) == len(images_without) + 1
    assert (123, 41) in images_with and (123, 41) not in images_without

    # the logo file has gone: the report is written without it, and the status bar says so
    window.report_exporter.practitioner = ""
    settings.clinic_logo = str(tmp_path / "moved.png")
    missing = export("missing-logo.pdf")
    assert missing.read_bytes().startswith(b"%PDF")
    assert len(_image_xobjects(missing)) == len(images_without)
    message = window.statusBar().currentMessage()
    assert "Report written" in message and "moved.png was not found" in message


def test_file_label_is_a_mnemonic_for_the_path_not_a_literal_ampersand(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    from shadematch.gui.reports.report_export import ReportDialog

    dialog = ReportDialog(None, "/tmp/x report.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    labels = [w for w in dialog.findChildren(QLabel) if w.buddy() is dialog.path]
    assert len(labels) == 1 and labels[0].text() == "&File:"
    dialog.client.setFocus()
    # Sent to the window, as the window system does: that is where shortcuts are matched.
    qtbot.keyClick(dialog.windowHandle(), Qt.Key_F, Qt.AltModifier)
    assert dialog.path.hasFocus()


def _type(widget, text: str) -> None:
    """Type ``text`` with real key events (QTest.keyClicks knows only ASCII keys)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, char))


def test_dialog_names_the_characters_no_font_can_print_before_export(qtbot, monkeypatch):
    from shadematch.gui.reports.report_export import ReportDialog
    from shadematch.reporting import text as rtext

    # Only the shipped fonts (a system font could cover Georgian on this machine).
    monkeypatch.setattr(rtext, "_fallbacks", None)
    monkeypatch.setattr(rtext, "SYSTEM_FALLBACKS", ())

    dialog = ReportDialog(None, "/tmp/x report.pdf", other_text="Clinic")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.font_note.isHidden()
    _type(dialog.client, "प्रिया")  # Devanagari: the shipped Noto font prints it
    assert dialog.client.text() == "प्रिया"
    assert dialog.font_note.isHidden()
    _type(dialog.practitioner, "ნინო")  # Georgian: no shipped font
    assert dialog.practitioner.text() == "ნინო", dialog.practitioner.text()
    assert not dialog.font_note.isHidden(), dialog.font_note.text()
    assert "ნ ი ო" in dialog.font_note.text() and "?" in dialog.font_note.text()


def test_reports_default_to_the_documents_reports_folder_and_open_report_opens_it(
        window, qtbot, monkeypatch, tmp_path):
    from PySide6.QtCore import Qt, QUrl
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDialog, QPushButton

    from shadematch.gui.reports import report_export

    reports = tmp_path / "documents" / "shadematch reports"
    window.show()
    seen = {}

    def fake_exec(dialog):
        seen["path"] = dialog.path.text()
        seen["copy"] = dialog.copy.currentData()
        return QDialog.Accepted

    monkeypatch.setattr(report_export.ReportDialog, "exec", fake_exec)
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    exporter = window.report_exporter
    assert not exporter.open_action.isEnabled()
    with qtbot.waitSignal(exporter.exported, timeout=30000) as blocker:
        exporter.action.trigger()
    assert Path(seen["path"]).parent == reports and seen["copy"] == "both"
    qtbot.waitUntil(lambda: len(exporter.last_reports) == 2, timeout=30000)
    written = [reports / "astronaut report client.pdf",
               reports / "astronaut report practitioner.pdf"]
    assert Path(blocker.args[0]) == written[0]
    assert all(w.read_bytes().startswith(b"%PDF") for w in written)
    assert exporter.open_action.isEnabled()
    buttons = [b for b in window.info_bar.findChildren(QPushButton) if b.text() == "Open report"]
    assert len(buttons) == 1 and buttons[0].isVisible()
    QTest.mouseClick(buttons[0], Qt.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(w)) for w in written]
    exporter.open_action.trigger()
    assert len(opened) == 4


def test_save_session_as_suggests_the_reports_folder_not_the_camera_folder(window, monkeypatch,
                                                                           tmp_path):
    from PySide6.QtWidgets import QFileDialog

    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: asked.append(a) or ("", ""))
    window.actions["save_as"].trigger()
    suggested = Path(asked[0][2])
    assert suggested.parent == tmp_path / "documents" / "shadematch reports"
    assert suggested.name == "astronaut.shadematch"
