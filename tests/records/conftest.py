"""Fixtures for the records tests: a private data folder and a store in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from records_helpers import make_photo


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh data folder, also set as SHADEMATCH_DATA_DIR."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def store(data_dir):
    from shadematch.records import open_store

    opened = open_store(data_dir)
    yield opened
    opened.close()


@pytest.fixture
def photo(tmp_path) -> Path:
    return make_photo(tmp_path / "photo.jpg", seed=1)
