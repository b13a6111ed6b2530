from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty user data folder (SHADEMATCH_DATA_DIR) for the test."""
    folder = tmp_path / "userdata"
    folder.mkdir()
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(folder))
    return folder
