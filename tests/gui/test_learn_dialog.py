"""Tools > Learn from healed results…: the fit runs off the GUI thread, the dialog shows the
error before and after, the excluded follow-ups and the track-record plot; Use this model makes
the fit active (real clicks)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "records"))
from healed_outcomes import PALETTE, healed_analysis, save_outcomes  # noqa: E402

from shadematch.palettes import load_palette  # noqa: E402
from shadematch.records import open_store  # noqa: E402


def _fill_records(count: int) -> None:
    with open_store() as store:
        save_outcomes(store, load_palette(PALETTE), count, seed=21)
        lone = store.add_client("Lone", dob="1980-01-01")
        store.save_visit(lone, healed_analysis((60.0, 10.0, 16.0), (40.0, 1.0, -2.0)), None,
                         kind="follow-up", visit_date="2025-05-01")


def _open_dialog(qtbot, window):
    window.actions["learn"].trigger()
    dialog = window.findChild(QDialog, "learnDialog")
    qtbot.waitUntil(lambda: dialog.fit_result is not None, timeout=30000)
    return dialog


def test_fit_use_this_model(qtbot, make_window):
    _fill_records(12)
    window = make_window()
    dialog = _open_dialog(qtbot, window)
    text = dialog.summary.text()
    assert "12 outcomes used, 1 not used" in text and "without it" in text
    assert "not linked to the session" in dialog.excluded.item(0).text()
    assert not dialog.plot.pixmap().isNull()
    assert dialog.use_button.isEnabled()
    QTest.mouseClick(dialog.use_button, Qt.LeftButton)
    assert not dialog.isVisible()
    with open_store() as store:
        assert store.active_model() is not None
        assert [m.active for m in store.fitted_models()] == [True]


def test_too_few_outcomes_keep_current(qtbot, make_window):
    _fill_records(3)
    window = make_window()
    dialog = _open_dialog(qtbot, window)
    assert "more calibrated follow-ups needed" in dialog.summary.text()
    assert not dialog.use_button.isEnabled()
    QTest.mouseClick(dialog.keep_button, Qt.LeftButton)
    assert not dialog.isVisible()
    with open_store() as store:
        assert store.active_model() is None and store.fitted_models() == []
