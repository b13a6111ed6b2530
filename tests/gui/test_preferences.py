"""Typed settings and the preferences dialog: values persist in a (temporary) INI file."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QByteArray, Qt  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from shadematch.gui.common.settings import MAX_RECENT_FOLDERS, Settings  # noqa: E402
from shadematch.gui.preferences.preferences_dialog import PreferencesDialog  # noqa: E402


def test_every_option_declared_once_with_a_default_of_its_type():
    options = Settings.options()
    keys = [o.key for o in options.values()]
    assert len(keys) == len(set(keys))
    for name in ("geometry", "window_state", "last_folder", "recent_folders", "default_formula",
                 "palette", "number_of_matches", "user_palette_folder", "camera_folder",
                 "clinic_name", "clinic_address", "auto_open_newest", "last_session"):
        assert name in options
    for option in options.values():
        assert isinstance(option.default, option.type), option.key


def test_defaults_then_values_round_trip_through_the_ini_file(tmp_path):
    path = tmp_path / "s.ini"
    s = Settings.from_file(path)
    assert s.default_formula == "ciede2000" and s.number_of_matches == 10
    assert s.auto_open_newest is False and s.recent_folders == []
    s.number_of_matches = 7
    s.auto_open_newest = True
    s.clinic_address = "1 High St\nTown"
    s.geometry = QByteArray(b"\x01\x02geometry")
    s.set_splitter_state("main", QByteArray(b"split"))
    s.sync()
    again = Settings.from_file(path)
    assert again.number_of_matches == 7
    assert again.auto_open_newest is True
    assert again.clinic_address == "1 High St\nTown"
    assert bytes(again.geometry) == b"\x01\x02geometry"
    assert bytes(again.splitter_state("main")) == b"split"
    assert bytes(again.splitter_state("other")) == b""


def test_bad_stored_values_fall_back_to_defaults_and_bad_writes_are_refused(tmp_path):
    path = tmp_path / "s.ini"
    path.write_text("[matching]\nnumber_of_matches=lots\n[camera]\nauto_open_newest=maybe\n")
    s = Settings.from_file(path)
    assert s.number_of_matches == 10
    assert s.auto_open_newest is False
    with pytest.raises(ValueError):
        s.number_of_matches = 0
    with pytest.raises(ValueError):
        s.number_of_matches = "x"


def test_recent_folders_most_recent_first_without_duplicates(tmp_path):
    s = Settings.from_file(tmp_path / "s.ini")
    for i in range(12):
        s.add_recent_folder(tmp_path / f"f{i}")
    s.add_recent_folder(tmp_path / "f5")
    s.sync()
    folders = Settings.from_file(tmp_path / "s.ini").recent_folders
    assert len(folders) == MAX_RECENT_FOLDERS
    assert folders[0] == str(tmp_path / "f5") and folders.count(str(tmp_path / "f5")) == 1
    assert folders[1] == str(tmp_path / "f11")
    # a single folder survives the INI round trip as a list
    one = Settings.from_file(tmp_path / "one.ini")
    one.add_recent_folder(tmp_path)
    one.sync()
    assert Settings.from_file(tmp_path / "one.ini").recent_folders == [str(tmp_path)]


def test_preferences_dialog_writes_on_ok_and_persists(qtbot, tmp_path):
    path = tmp_path / "s.ini"
    s = Settings.from_file(path)
    camera = tmp_path / "camera"
    camera.mkdir()
    dialog = PreferencesDialog(s, palette_names=["smp-undertones-modelled", "mine"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.formula_combo.currentData() == "ciede2000"
    dialog.formula_combo.setCurrentIndex(dialog.formula_combo.findData("cie94"))
    dialog.palette_combo.setCurrentIndex(dialog.palette_combo.findData("mine"))
    dialog.matches_spin.clear()
    qtbot.keyClicks(dialog.matches_spin, "15")
    qtbot.keyClicks(dialog.camera_folder.edit, str(camera))
    qtbot.keyClicks(dialog.clinic_name, "Scalp Studio")
    qtbot.keyClicks(dialog.clinic_address, "2 Mill Lane")
    qtbot.keyClicks(dialog.clinic_phone, "+44 20 7946 0000")
    qtbot.mouseClick(dialog.auto_open_box, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert dialog.result() == PreferencesDialog.DialogCode.Accepted
    again = Settings.from_file(path)
    assert again.default_formula == "cie94"
    assert again.palette == "mine"
    assert again.number_of_matches == 15
    assert again.camera_folder == str(camera)
    assert again.clinic_name == "Scalp Studio"
    assert again.clinic_address == "2 Mill Lane"
    assert again.clinic_phone == "+44 20 7946 0000"
    assert again.auto_open_newest is True
    # reopening shows the stored values
    reopened = PreferencesDialog(again, palette_names=["smp-undertones-modelled", "mine"])
    qtbot.addWidget(reopened)
    assert reopened.values()["number_of_matches"] == 15
    assert reopened.values()["palette"] == "mine"


def test_missing_folder_is_shown_inline_and_blocks_ok(qtbot, tmp_path):
    s = Settings.from_file(tmp_path / "s.ini")
    dialog = PreferencesDialog(s, palette_names=[])
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dialog.palette_folder.edit, str(tmp_path / "nowhere"))
    assert not ok.isEnabled()
    assert dialog.palette_folder.message.isVisible()
    assert "not an existing folder" in dialog.palette_folder.message.text()
    dialog.accept()  # even if forced, nothing is written
    assert Settings.from_file(tmp_path / "s.ini").user_palette_folder == ""
    dialog.palette_folder.edit.clear()
    assert ok.isEnabled() and not dialog.palette_folder.message.isVisible()


def test_cancel_writes_nothing_and_restore_defaults(qtbot, tmp_path):
    s = Settings.from_file(tmp_path / "s.ini")
    s.number_of_matches = 30
    dialog = PreferencesDialog(s, palette_names=[])
    qtbot.addWidget(dialog)
    dialog.matches_spin.setValue(3)
    dialog.reject()
    assert s.number_of_matches == 30
    dialog.restore_defaults()
    assert dialog.values()["number_of_matches"] == 10


def _logo_png(path, size=(120, 40)):
    from PIL import Image

    img = Image.new("RGB", size, (20, 60, 140))
    img.paste((240, 200, 40), (0, 0, size[0] // 2, size[1]))
    img.save(path)
    return path


def test_clinic_logo_and_practitioner_round_trip_through_the_ini_file(tmp_path):
    path = tmp_path / "s.ini"
    s = Settings.from_file(path)
    assert s.clinic_logo == "" and s.practitioner == ""
    s.clinic_logo = str(tmp_path / "logo.png")
    s.practitioner = "Ana Núñez"
    s.sync()
    again = Settings.from_file(path)
    assert again.clinic_logo == str(tmp_path / "logo.png")
    assert again.practitioner == "Ana Núñez"
    assert Settings.options()["clinic_logo"].key == "clinic/logo"
    assert Settings.options()["practitioner"].key == "clinic/practitioner"


def test_logo_chosen_and_practitioner_typed_persist_then_clear(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    logo = _logo_png(tmp_path / "clinic logo.png")
    path = tmp_path / "s.ini"
    dialog = PreferencesDialog(Settings.from_file(path), palette_names=[])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.clinic_logo.preview.pixmap().isNull()
    assert not dialog.clinic_logo.clear.isEnabled()
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: asked.append(a) or (str(logo), "PNG or JPEG images"))
    qtbot.mouseClick(dialog.clinic_logo.choose, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "*.png" in asked[0][3] and "*.jpg" in asked[0][3]
    assert not dialog.clinic_logo.message.isVisible()
    preview = dialog.clinic_logo.preview.pixmap()
    assert not preview.isNull() and preview.width() <= 96 and preview.height() <= 48
    # the preview shows the logo: its left half is yellow, its right half blue
    image = preview.toImage()
    left = image.pixelColor(2, image.height() // 2)
    right = image.pixelColor(image.width() - 3, image.height() // 2)
    assert left.red() > 200 and left.blue() < 90
    assert right.blue() > 110 and right.red() < 60
    assert dialog.clinic_logo.name.text() == "clinic logo.png"
    qtbot.keyClicks(dialog.practitioner, "Ana Lopez ")  # QTest types ASCII only
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert dialog.result() == PreferencesDialog.DialogCode.Accepted
    again = Settings.from_file(path)
    assert again.clinic_logo == str(logo)
    assert again.practitioner == "Ana Lopez"

    reopened = PreferencesDialog(again, palette_names=[])
    qtbot.addWidget(reopened)
    reopened.show()
    assert reopened.practitioner.text() == "Ana Lopez"
    assert not reopened.clinic_logo.preview.pixmap().isNull()
    reopened.restore_defaults()  # the clinic's own data is not a "default"
    assert reopened.values()["clinic_logo"] == str(logo)
    qtbot.mouseClick(reopened.clinic_logo.clear, Qt.MouseButton.LeftButton)
    assert reopened.clinic_logo.preview.pixmap().isNull()
    qtbot.mouseClick(reopened.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert Settings.from_file(path).clinic_logo == ""
    assert Settings.from_file(path).practitioner == "Ana Lopez"


@pytest.mark.parametrize("kind", ["not an image", "gif", "truncated"])
def test_bad_logo_file_is_shown_inline_and_blocks_ok(qtbot, tmp_path, monkeypatch, kind):
    from PIL import Image
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    if kind == "not an image":
        bad = tmp_path / "logo.png"
        bad.write_text("this is a text file, not a picture")
        expected = "could not be read as an image"
    elif kind == "gif":
        bad = tmp_path / "logo.gif"
        Image.new("RGB", (20, 10), (1, 2, 3)).save(bad)
        expected = "is a GIF image"
    else:
        bad = tmp_path / "logo.jpg"
        good = tmp_path / "whole.jpg"
        Image.new("RGB", (200, 100), (200, 10, 10)).save(good, quality=90)
        bad.write_bytes(good.read_bytes()[:300])
        expected = "could not be read as an image"
    monkeypatch.setattr(QMessageBox, "exec", lambda *a: pytest.fail("no modal pop-up"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    path = tmp_path / "s.ini"
    dialog = PreferencesDialog(Settings.from_file(path), palette_names=[])
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(dialog.clinic_logo.choose, Qt.MouseButton.LeftButton)
    assert dialog.clinic_logo.message.isVisible()
    text = dialog.clinic_logo.message.text()
    assert bad.name in text and expected in text and "PNG or JPEG" in text
    assert dialog.clinic_logo.preview.pixmap().isNull()
    assert not ok.isEnabled()
    dialog.accept()  # even if forced, nothing is written
    assert Settings.from_file(path).clinic_logo == ""
    qtbot.mouseClick(dialog.clinic_logo.clear, Qt.MouseButton.LeftButton)
    assert ok.isEnabled() and not dialog.clinic_logo.message.isVisible()


def test_stored_logo_that_went_missing_is_shown_inline(qtbot, tmp_path):
    s = Settings.from_file(tmp_path / "s.ini")
    s.clinic_logo = str(tmp_path / "gone.png")
    dialog = PreferencesDialog(s, palette_names=[])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.clinic_logo.message.isVisible()
    assert "gone.png does not exist" in dialog.clinic_logo.message.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_the_first_session_step_is_a_preference_the_plan_follows(qtbot, tmp_path):
    from shadematch.gui.shell.main_window import MainWindow
    from shadematch.workspace import Workspace

    path = tmp_path / "s.ini"
    path.write_text("[matching]\nfirst_session_step=nan\n")
    s = Settings.from_file(path)
    assert s.first_session_step == 4.0  # unreadable: the default
    dialog = PreferencesDialog(s, palette_names=[])
    qtbot.addWidget(dialog)
    dialog.step_spin.setValue(6.5)
    dialog.accept()
    again = Settings.from_file(path)
    assert again.first_session_step == 6.5
    with pytest.raises(ValueError):
        again.first_session_step = 25.0
    window = MainWindow(Workspace(auto_measure=False), again)
    qtbot.addWidget(window)
    assert window.workspace.plan_step_L == 6.5
    window.close()


def test_records_on_the_clinic_server_are_set_in_preferences(qtbot, tmp_path, monkeypatch):
    """Preferences > Client records writes the workstation's server URL (no password in any
    file); a password without a keyring, or a bad URL, is refused and the dialog stays open."""
    import json
    import os
    import sys

    from shadematch.records.server_config import CONFIG_NAME, ENV_URL, load_records_config
    from shadematch.resources import user_data_dir

    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.setitem(sys.modules, "keyring", None)       # no platform keyring here
    s = Settings.from_file(tmp_path / "s.ini")
    dialog = PreferencesDialog(s)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.records_local.isChecked() and not dialog.records_url.isEnabled()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    from PySide6.QtCore import QPoint

    def on(radio):      # a radio button takes clicks on its circle and text, not its far right
        return QPoint(8, radio.height() // 2)

    qtbot.mouseClick(dialog.records_server, Qt.MouseButton.LeftButton, pos=on(dialog.records_server))
    assert dialog.records_url.isEnabled()
    qtbot.keyClicks(dialog.records_url, "mysql://clinic/db")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "postgresql://" in dialog.records_problem.text()
    dialog.records_url.clear()
    qtbot.keyClicks(dialog.records_url, "postgresql://shadematch@clinic-server:5432/records")
    qtbot.keyClicks(dialog.records_password, "s3cret")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "plain text" in dialog.records_problem.text()
    assert not (user_data_dir() / CONFIG_NAME).exists()
    dialog.records_password.clear()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    saved = (user_data_dir() / CONFIG_NAME).read_text()
    assert "s3cret" not in saved and json.loads(saved)["url"].endswith("/records")
    assert oct(os.stat(user_data_dir() / CONFIG_NAME).st_mode & 0o777) == "0o600"
    config = load_records_config()
    assert config.backend == "postgres" and config.source == "settings"
    # and back to this workstation
    again = PreferencesDialog(s)
    qtbot.addWidget(again)
    again.show()
    assert again.records_server.isChecked() and again.records_url.text().endswith("/records")
    qtbot.mouseClick(again.records_local, Qt.MouseButton.LeftButton, pos=on(again.records_local))
    qtbot.mouseClick(again.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert load_records_config().backend == "sqlite"
