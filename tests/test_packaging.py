"""Shipped data is found wherever shadematch is installed (source tree or a normal pip install)."""

from __future__ import annotations

from shadematch import resources
from shadematch.palettes import list_palettes


def test_shipped_palettes_and_assets_are_found():
    palettes_dir = resources.shipped_palettes_dir()
    assert palettes_dir.is_dir()
    assert len(list(palettes_dir.glob("*.json"))) >= 2
    assert resources.assets_dir().is_dir()
    assert len([p for p in list_palettes() if p.source == "shipped"]) >= 2


def test_user_folders_follow_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "data"))
    assert resources.user_data_dir() == tmp_path / "data"
    assert resources.user_palettes_dir().is_dir()
    assert resources.log_dir().parent == tmp_path / "data"
