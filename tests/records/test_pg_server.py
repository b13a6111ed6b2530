"""The test PostgreSQL server itself: it runs, takes connections, gives fresh databases."""

from __future__ import annotations


def test_server_answers_on_loopback_and_socket(pg_server, pg_url):
    import psycopg

    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT 1 + 1").fetchone()[0] == 2
        # A fresh database holds no tables.
        assert conn.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"
                            ).fetchone()[0] == 0
    with psycopg.connect(pg_server.socket_url()) as conn:
        assert conn.execute("SHOW server_version").fetchone()[0]
