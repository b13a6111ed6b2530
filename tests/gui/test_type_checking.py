"""The mypy configuration of the GUI (pyproject.toml [tool.mypy]): the list of GUI modules that
mypy skips only shrinks, and names modules that exist."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The GUI modules mypy skipped when the list was made. A module leaves the list once it is clean;
# none joins it (type a new module instead).
SKIPPED_WHEN_THE_LIST_WAS_MADE = frozenset({
    "shadematch.gui.app",
    "shadematch.gui.calibration.calibration_overlay",
    "shadematch.gui.calibration.calibration_tool",
    "shadematch.gui.camera.camera_folder_panel",
    "shadematch.gui.clients.client_dialog",
    "shadematch.gui.clients.clients_view",
    "shadematch.gui.common.error_reporting",
    "shadematch.gui.common.qt_workarounds",
    "shadematch.gui.common.settings",
    "shadematch.gui.common.swatch",
    "shadematch.gui.common.theme",
    "shadematch.gui.common.workers",
    "shadematch.gui.consultation.matching_panel",
    "shadematch.gui.consultation.sample_panel",
    "shadematch.gui.consultation.session_actions",
    "shadematch.gui.photo.photo_decoding",
    "shadematch.gui.photo.photo_view",
    "shadematch.gui.preferences.preferences_dialog",
    "shadematch.gui.regions.region_tools",
    "shadematch.gui.reports.report_export",
    "shadematch.gui.shell.actions",
    "shadematch.gui.shell.main_window",
    "shadematch.gui.shell.quit_signals",
})


def _mypy_config() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["mypy"]


def _skipped_gui_modules(config: dict) -> set[str]:
    skipped: set[str] = set()
    for override in config.get("overrides", []):
        if override.get("ignore_errors"):
            modules = override["module"]
            skipped |= {m for m in ([modules] if isinstance(modules, str) else modules)
                        if m.startswith("shadematch.gui")}
    return skipped


def test_the_skip_list_of_the_gui_only_shrinks():
    skipped = _skipped_gui_modules(_mypy_config())
    added = skipped - SKIPPED_WHEN_THE_LIST_WAS_MADE
    assert not added, f"type these modules instead of skipping them: {sorted(added)}"
    assert not any(m.endswith("*") for m in skipped), "skip modules one by one, not by pattern"


def test_the_skip_list_names_modules_that_exist():
    missing = [m for m in sorted(_skipped_gui_modules(_mypy_config()))
               if importlib.util.find_spec(m) is None]
    assert not missing, f"moved or removed: update the mypy skip list: {missing}"


def test_the_whole_package_is_checked():
    config = _mypy_config()
    assert config["packages"] == ["shadematch"]
    assert config.get("ignore_errors") is not True
