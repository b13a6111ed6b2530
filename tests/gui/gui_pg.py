"""A real PostgreSQL server for GUI tests, and a ``backend`` fixture (SQLite or PostgreSQL)
for the window's records. Import the fixtures into a test module to use them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "records"))


@pytest.fixture(scope="module")
def pg_server():
    """A real PostgreSQL server for this module (skipped, with one line, without one)."""
    from pg_server import PgServer, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL GUI tests cannot run: no initdb/pg_ctl; CI must run them.")
        pytest.skip("PostgreSQL GUI tests skipped: no initdb/pg_ctl found (apt-get install "
                    "postgresql)")
    server = PgServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, monkeypatch):
    """The window's records on SQLite (the data folder) or on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        monkeypatch.delenv("SHADEMATCH_DATABASE_URL", raising=False)
        yield "sqlite"
        return
    server = request.getfixturevalue("pg_server")
    url = server.create_database()
    monkeypatch.setenv("SHADEMATCH_DATABASE_URL", url)
    yield "postgres"
    server.drop_database(url)
