"""A psycopg 3 connection that speaks the records' SQL: the store's statements (written for
SQLite, ``?`` placeholders) are translated once to PostgreSQL's, and server errors become
:class:`~shadematch.records.backends.errors.ServerUnavailable` or RecordsError with advice.

Translation is deliberately small and mechanical: ``?`` -> ``%s``, ``X COLLATE NOCASE`` ->
``lower(X)``, ``INSERT INTO <table with an id>`` gets ``RETURNING id`` (for ``lastrowid``), and
the two integrity PRAGMAs answer "ok" (the server checks its own pages and foreign keys).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from shadematch.errors import RecordsError
from shadematch.records.backends.errors import ServerUnavailable, describe_url

_ID_TABLES = {"clients", "visits", "screenings", "consents", "file_deletions", "audit_log",
              "users", "fitted_models"}
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_NOCASE = re.compile(r"([\w.]+)\s+COLLATE\s+NOCASE", re.IGNORECASE)


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> tuple[str, bool]:
    """``(postgres_sql, returns_id)`` for one of the store's statements."""
    out = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
            out.append(char)
        elif char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    text = _NOCASE.sub(r"lower(\1)", "".join(out))
    match = _INSERT.match(text)
    returns_id = bool(match and match.group(1).lower() in _ID_TABLES
                      and "RETURNING" not in text.upper())
    if returns_id:
        text += " RETURNING id"
    return text, returns_id


class _Rows:
    """The few cursor features the store uses: fetchone, fetchall, iteration, lastrowid."""

    def __init__(self, rows: list[tuple], lastrowid: int | None = None,
                 rowcount: int = -1) -> None:
        self._rows = rows
        self._at = 0
        self.lastrowid = lastrowid
        self.rowcount = rowcount

    def fetchone(self) -> tuple | None:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchall(self) -> list[tuple]:
        rest = self._rows[self._at:]
        self._at = len(self._rows)
        return rest

    def __iter__(self):
        while (row := self.fetchone()) is not None:
            yield row


class PgConnection:
    """An autocommit psycopg connection with explicit BEGIN/COMMIT, like the SQLite one."""

    def __init__(self, raw: Any, url: str) -> None:
        self.raw = raw
        self.url = url
        self.in_transaction = False

    @property
    def broken(self) -> bool:
        return bool(self.raw.closed or self.raw.broken)

    def execute(self, sql: str, params: tuple | list = ()) -> _Rows:
        import psycopg

        word = sql.lstrip()[:12].upper()
        if word.startswith("PRAGMA"):
            return self._pragma(sql)
        if sql.strip().upper() == "BEGIN IMMEDIATE":
            sql = "BEGIN"
        try:
            if word.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
                self.raw.execute(sql)
                self.in_transaction = word.startswith("BEGIN")
                return _Rows([])
            text, returns_id = translate(sql)
            cursor = self.raw.execute(text, tuple(params) if params else None)
            rows = cursor.fetchall() if cursor.description is not None else []
            lastrowid = int(rows[0][0]) if returns_id and rows else None
            return _Rows(rows, lastrowid, cursor.rowcount)
        except psycopg.Error as exc:
            raise pg_error(exc, self.url) from exc

    def executemany(self, sql: str, rows) -> None:
        for params in rows:
            self.execute(sql, params)

    def _pragma(self, sql: str) -> _Rows:
        name = sql.split()[1].split("(")[0].lower()
        if name in ("integrity_check", "quick_check"):
            return _Rows([("ok",)])
        if name in ("foreign_key_check", "wal_checkpoint"):
            return _Rows([])
        raise RecordsError(f"Internal error: {sql!r} has no PostgreSQL counterpart.")

    def close(self) -> None:
        try:
            self.raw.close()
        except Exception:  # noqa: BLE001 - closing a dead connection
            pass


def pg_error(exc: Exception, url: str) -> RecordsError:
    """A psycopg error as advice: the server gone (ServerUnavailable), a conflict, or other."""
    import psycopg

    where = describe_url(url)
    text = " ".join(str(exc).split())
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)) and not isinstance(
            exc, psycopg.errors.QueryCanceled):
        return ServerUnavailable(
            f"The records server {where} cannot be reached ({text}). Nothing was saved on the "
            f"server; keep the work open (it is kept as a session) and save again when the "
            f"server is back. Check the network, or ask whoever looks after the server.")
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return RecordsError(f"The records server {where} refused this ({text}); the database "
                            f"user needs rights on the shadematch tables (ask the admin).")
    if isinstance(exc, psycopg.IntegrityError):
        return RecordsError(f"The change conflicts with what is already in the records "
                            f"({text}); nothing was changed. Refresh and try again.")
    return RecordsError(f"The records server {where} could not do this ({text}). Nothing was "
                        f"changed; run `shadematch records check`.")
