"""Both backends run one schema history: after every migration, SQLite and PostgreSQL hold the
same tables with the same columns (the PostgreSQL dialect differs only in types)."""

from __future__ import annotations

import sqlite3

from shadematch.records import open_store
from shadematch.records.store import records_dir

# Server-only: PostgreSQL keeps photo bytes in the database and its version in schema_meta.
_SERVER_ONLY = {("photos", "data"), ("photos", "thumb")}
_SERVER_ONLY_TABLES = {"schema_meta"}
_SQLITE_ONLY_TABLES = {"sqlite_sequence"}


def _sqlite_shape(data_dir) -> dict[str, set[str]]:
    open_store(data_dir).close()
    conn = sqlite3.connect(records_dir(data_dir) / "records.db")
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: {c[1] for c in conn.execute(f"PRAGMA table_info({t})")}
                for t in tables if t not in _SQLITE_ONLY_TABLES}
    finally:
        conn.close()


def _pg_shape(data_dir, url) -> dict[str, set[str]]:
    import psycopg

    open_store(data_dir, database_url=url).close()
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()").fetchall()
    shape: dict[str, set[str]] = {}
    for table, column in rows:
        if table in _SERVER_ONLY_TABLES or (table, column) in _SERVER_ONLY:
            continue
        shape.setdefault(table, set()).add(column)
    return shape


def test_sqlite_and_postgresql_hold_the_same_tables_and_columns(tmp_path, pg_url):
    lite, server = tmp_path / "lite", tmp_path / "server"
    lite.mkdir()
    server.mkdir()
    sqlite_shape = _sqlite_shape(lite)
    pg_shape = _pg_shape(server, pg_url)
    assert sorted(sqlite_shape) == sorted(pg_shape)
    for table in sqlite_shape:
        assert sqlite_shape[table] == pg_shape[table], table
    assert {"follows_visit_id", "needle", "model_version"} <= pg_shape["visits"]
    assert "fitted_models" in pg_shape
