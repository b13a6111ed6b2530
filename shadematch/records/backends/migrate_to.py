"""Copy a workstation's SQLite records to a PostgreSQL server, then verify the copy.

Everything is copied in one server transaction (a failure leaves the server as it was): clients
(same ids, so "client #38" on an old report is the same client), screenings, consents, visits,
photo copies and thumbnails (the bytes, checked against their SHA-256 on the way), the visits'
photo lists and the audit log. The server's id counters continue after SQLite's (ids of erased
clients are not reused). Afterwards every table is counted on both sides and every photo's
SHA-256 is computed by the server; any difference is an error. The SQLite store is only read.
"""

from __future__ import annotations

import hashlib

from shadematch.errors import RecordsError

# Copied in this order (parents first); the columns are those both sides have.
TABLES = ("clients", "screenings", "visits", "consents", "photos", "visit_photos", "users",
          "fitted_models", "audit_log")
_ID_TABLES = ("clients", "screenings", "visits", "consents", "users", "fitted_models")
_RECORD_TABLES = ("clients", "screenings", "visits", "consents", "photos", "visit_photos",
                  "users", "fitted_models")


def _sqlite_columns(conn, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _pg_columns(conn, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND table_name = ? ORDER BY ordinal_position", (table,))]


def server_counts(conn) -> dict[str, int]:
    return {t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES}


def migrate_to(source, target, *, replace: bool = False) -> dict:
    """Copy the SQLite store ``source`` into the server store ``target`` and verify it.

    ``replace``: empty the target's records first (the audit log is kept: it is append-only);
    without it a target holding any client, visit or photo is refused, untouched.

    Returns ``{"counts": {table: n}, "photos_verified": n, "target": "host:port/db"}``.

    Raises
    ------
    RecordsError
        The target is not empty, a photo copy is missing or altered, or the verification
        found a difference (named).
    """
    if source.backend != "sqlite" or target.backend != "postgres":
        raise RecordsError("migrate-to copies the local SQLite records to a PostgreSQL server; "
                           "unset SHADEMATCH_DATABASE_URL so the local records are read.")
    problems = source.content_problems()
    with source._read() as src:
        held = {t: int(src.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES}
        sequences = dict(src.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
    if problems:
        raise RecordsError(f"The local records fail their check ({problems[0]}); fix them "
                           f"(`shadematch records check`) before copying them to a server. "
                           f"Nothing was copied.")
    with target._write() as dst:
        existing = {t: int(dst.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
                    for t in _RECORD_TABLES}
        if any(existing.values()) and not replace:
            raise RecordsError(
                f"The server {target.where} already holds records ("
                + ", ".join(f"{n} {t}" for t, n in existing.items() if n)
                + "); nothing was copied. Copy into an empty database, or run again with "
                  "--replace to empty it first (its audit log is kept).")
        if any(existing.values()):
            dst.execute("DELETE FROM visit_photos")
            dst.execute("DELETE FROM photos")
            dst.execute("DELETE FROM clients")  # screenings, consents, visits cascade
            dst.execute("DELETE FROM users")
        with source._read() as src:
            for table in TABLES:
                _copy_table(source, src, dst, table)
        for table in _ID_TABLES:
            top = max(int(sequences.get(table, 0) or 0), int(dst.execute(
                f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]))
            if top:
                dst.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ?)",
                            (top,))
        target._audit(dst, "import", "all records",
                      f"migrated from {source.db_path.name}: {held['clients']} clients")
    return verify_copy(source, target, held)


def _copy_table(source, src, dst, table: str) -> None:
    wanted = set(_pg_columns(dst, table))
    columns = [c for c in _sqlite_columns(src, table) if c in wanted]
    if table == "audit_log":
        columns = [c for c in columns if c != "id"]  # the server numbers its own entries
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    rows = src.execute(f"SELECT {names} FROM {table} ORDER BY rowid").fetchall()
    if table == "photos":
        _copy_photos(source, dst, columns, rows)
        return
    for row in rows:
        dst.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", row)


def _copy_photos(source, dst, columns: list[str], rows: list[tuple]) -> None:
    at = {name: i for i, name in enumerate(columns)}
    for row in rows:
        sha, stored_name = row[at["sha256"]], row[at["stored_name"]]
        thumb_name = row[at["thumb_name"]]
        path = source.files.stored_path(stored_name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise RecordsError(f"The photo copy {path} cannot be read ({exc.strerror or exc});"
                               f" run `shadematch records check`. Nothing was copied.") from exc
        if hashlib.sha256(data).hexdigest() != sha:
            raise RecordsError(f"The photo copy {path} does not match its SHA-256 (changed on "
                               f"disk); run `shadematch records check`. Nothing was copied.")
        thumb = None
        if thumb_name and source.files.thumb_path(thumb_name).is_file():
            thumb = source.files.thumb_path(thumb_name).read_bytes()
        dst.execute("INSERT INTO photos (sha256, stored_name, thumb_name, size, data, thumb) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (sha, stored_name, thumb_name if thumb is not None else None,
                     row[at["size"]], data, thumb))


def verify_copy(source, target, held: dict[str, int] | None = None) -> dict:
    """Counts per table on both sides, and each photo's SHA-256 as the server computes it."""
    if held is None:
        with source._read() as src:
            held = {t: int(src.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
                    for t in TABLES}
    with source._read() as src:
        shas = {r[0] for r in src.execute("SELECT sha256 FROM photos")}
    with target._read() as dst:
        got = server_counts(dst)
        computed = dict(dst.execute("SELECT sha256, encode(sha256(data), 'hex') FROM photos"
                                    ).fetchall())
    differences = [f"{t}: {held[t]} here, {got[t]} on the server" for t in TABLES
                   if t != "audit_log" and held[t] != got[t]]
    if got["audit_log"] < held["audit_log"]:
        differences.append(f"audit_log: {held['audit_log']} here, {got['audit_log']} on the "
                           f"server")
    differences += [f"photo {sha[:12]}… is not on the server" for sha in sorted(shas)
                    if sha not in computed]
    differences += [f"photo {sha[:12]}… arrived altered" for sha, value in computed.items()
                    if value != sha]
    if differences:
        raise RecordsError(f"The copy on {target.where} differs from the local records: "
                           + "; ".join(differences[:5]) + ". Keep using the local records and "
                           "run the copy again (with --replace).")
    return {"counts": {t: held[t] for t in TABLES}, "photos_verified": len(computed),
            "target": target.where}

