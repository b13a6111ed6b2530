"""How the GUI is composed: features receive the window services, never the window's private
parts or each other through it; one module composes the window."""

from __future__ import annotations

import re
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "shadematch" / "gui"


def _sources():
    for path in sorted(GUI.rglob("*.py")):
        yield path.relative_to(GUI).as_posix(), path.read_text(encoding="utf-8")


def test_no_feature_duck_types_the_window():
    pattern = re.compile(r"\b(getattr|hasattr)\((self\.)?(window|services)\b")
    found = [f"{name}: {m.group(0)}" for name, text in _sources()
             for m in pattern.finditer(text)]
    assert not found, found


def test_no_feature_calls_private_methods_of_the_window():
    pattern = re.compile(r"\b(self\.)?(window|services)\._[a-z]")
    found = [f"{name}: {m.group(0)}" for name, text in _sources()
             for m in pattern.finditer(text)]
    assert not found, found


def test_only_the_shell_and_the_application_know_the_main_window():
    found = [name for name, text in _sources()
             if "shadematch.gui.shell.main_window import" in text
             and not (name.startswith("shell/") or name == "app.py")]
    assert not found, found


def test_features_are_installed_by_the_composition_with_the_window_services(qtbot, make_window):
    from shadematch.gui.common.services import WindowServices
    from shadematch.gui.shell.composition import Features

    window = make_window()
    assert isinstance(window.features, Features)
    services = [window.report_exporter.services, window.client_records.services,
                window.calibration_tool.services, window.session.services]
    assert all(s is window for s in services)
    for name in ("workspace", "runner", "actions", "settings"):
        assert hasattr(window, name)
    for name in [n for n in dir(WindowServices) if not n.startswith("_")]:
        assert callable(getattr(window, name, None)) or hasattr(window, name), name
