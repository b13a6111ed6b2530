"""Fixtures for the records tests: a private data folder and a store in it, on SQLite and on a
real PostgreSQL server (one per test session, a fresh database per test)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from records_helpers import make_photo

_NO_SERVER = ("PostgreSQL tests skipped: no initdb/pg_ctl found (install postgresql, e.g. "
              "`apt-get install postgresql`)")


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the whole session; skips (fails when CI=true) without one."""
    from pg_server import PgServer, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(_NO_SERVER.replace("skipped", "cannot run") + "; CI must run them.")
        pytest.skip(_NO_SERVER)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL tests cannot run: psycopg is not installed.")
        pytest.skip("PostgreSQL tests skipped: psycopg is not installed (pip install "
                    "'psycopg[binary]')")
    server = PgServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def pg_url(pg_server, monkeypatch):
    """The URL of a fresh, empty database on the session's server."""
    url = pg_server.create_database()
    monkeypatch.delenv("SHADEMATCH_DATABASE_URL", raising=False)
    yield url
    pg_server.drop_database(url)


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh data folder, also set as SHADEMATCH_DATA_DIR."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(folder))
    monkeypatch.delenv("SHADEMATCH_DATABASE_URL", raising=False)
    return folder


@pytest.fixture
def store(data_dir):
    from shadematch.records import open_store

    opened = open_store(data_dir)
    yield opened
    opened.close()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request, data_dir):
    """The same records API on each backend: SQLite in the data folder, or a fresh database."""
    from shadematch.records import open_store

    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        opened = open_store(data_dir, database_url=url)
    else:
        opened = open_store(data_dir)
    yield opened
    opened.close()


@pytest.fixture
def photo(tmp_path) -> Path:
    return make_photo(tmp_path / "photo.jpg", seed=1)
