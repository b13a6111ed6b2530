"""The records on a PostgreSQL server: the same API as the SQLite store, for several
workstations of one clinic.

Everything is in the database, photo copies and thumbnails included (``bytea``), so one
``pg_dump`` holds all of it. Each workstation keeps a cache of the photos it has shown or saved
(``<data>/records/server-cache/<server>/``, owner-only), so the GUI gets file paths as on SQLite;
files of photos no longer on the server (erased elsewhere) are removed from the cache at open.

Every write transaction takes one advisory lock (so numbering sessions stays right with
several writers, as SQLite's single writer did), bumps ``records_changes`` and sends
``NOTIFY shadematch_records``: other workstations see the change (polling
:meth:`PgRecordStore.change_token`, or LISTEN).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shadematch.atomic_files import write_atomic
from shadematch.errors import RecordsError
from shadematch.records.access import requires
from shadematch.records.backends import pg_schema
from shadematch.records.backends.errors import ServerUnavailable, describe_url
from shadematch.records.backends.pg_connection import PgConnection, pg_error
from shadematch.records.clients import require_client
from shadematch.records.database import sql_errors
from shadematch.records.models import Visit
from shadematch.records.photos import FILE_MODE, PhotoFiles, private_dir
from shadematch.records.store import RecordStore

NOTIFY_CHANNEL = "shadematch_records"
CONNECT_TIMEOUT_SECONDS = 10


def connect_server(url: str, password: str | None = None) -> PgConnection:
    """An autocommit connection to ``url`` (libpq URL; ``sslmode``, ``sslrootcert``... pass
    through); ServerUnavailable when the server cannot be reached."""
    import psycopg

    kwargs: dict = {"autocommit": True}
    if "connect_timeout" not in url:
        kwargs["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    if password:
        kwargs["password"] = password
    try:
        raw = psycopg.connect(url, **kwargs)
    except psycopg.Error as exc:
        raise pg_error(exc, url) from exc
    except (ValueError, TypeError) as exc:
        raise RecordsError(f"The database URL for {describe_url(url)} is not valid ({exc}); "
                           f"write it as postgresql://user@host:5432/database.") from exc
    return PgConnection(raw, url)


def cache_folder(data_records: Path, url: str) -> Path:
    """This workstation's photo cache for the server at ``url`` (one per server/database)."""
    key = hashlib.sha256(describe_url(url).encode()).hexdigest()[:16]
    return data_records / "server-cache" / key


class PgRecordStore(RecordStore):
    """:class:`~shadematch.records.store.RecordStore` with its rows and photos on a server."""

    backend = "postgres"

    def __init__(self, url: str, cache_root: Path, *, password: str | None = None,
                 data_dir: Path | None = None) -> None:
        # RecordStore.__init__ opens a SQLite file: set up the common parts by hand.
        super(RecordStore, self).__init__(Path(cache_root))
        self.url = url
        self.where = describe_url(url)
        self._password = password
        self._data_dir = data_dir
        self._listener = None
        self.db_path = Path(self.where)  # only for messages
        try:
            private_dir(self.root)
            self.files = PhotoFiles(self.root)
            self.files.ensure_dirs()
        except OSError as exc:
            raise RecordsError(f"The photo cache {self.root} cannot be created "
                               f"({exc.strerror or exc}); check the data folder's "
                               f"permissions.") from exc
        self._conn = connect_server(url, password)
        try:
            pg_schema.migrate(self._conn)
            self._sweep_cache()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ connection
    @property
    def conn(self) -> PgConnection:  # type: ignore[override]
        if self._conn is None:
            raise RecordsError("The records store is closed; open it again with open_store().")
        if self._conn.broken and not self._conn.in_transaction:
            # The server went away and may be back: one new connection per call.
            self._conn.close()
            self._conn = connect_server(self.url, self._password)
        return self._conn

    @contextmanager
    def _write(self, changes: bool = True) -> Iterator[PgConnection]:
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN")
            try:
                if changes:
                    conn.execute(f"SELECT pg_advisory_xact_lock({pg_schema.WRITE_LOCK})")
                yield conn
                if changes:
                    conn.execute("UPDATE records_changes SET seq = seq + 1")
                    conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
            finally:
                conn.in_transaction = False

    @contextmanager
    def _read(self) -> Iterator[PgConnection]:
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield conn
            finally:
                _rollback(conn)
                conn.in_transaction = False

    @property
    def schema_version(self) -> int:  # type: ignore[override]
        with self._lock:
            return pg_schema.schema_version(self.conn)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            if self._listener is not None:
                try:
                    self._listener.close()
                except Exception:  # noqa: BLE001 - closing a dead connection
                    pass
                self._listener = None

    # ------------------------------------------------------------ photos
    def _link_photo(self, conn, visit_id, position, sha, stored_name, thumb_name, size,
                    original_path, source=None) -> None:
        if sha is not None:
            thumb_name = self.files.ensure_present(sha, stored_name, thumb_name, source)
            if conn.execute("SELECT 1 FROM photos WHERE sha256 = ?", (sha,)).fetchone() is None:
                data = None
                for _attempt in range(3):
                    try:
                        data = self.files.stored_path(stored_name).read_bytes()
                        break
                    except FileNotFoundError:
                        # Another shadematch on this workstation swept the photo cache (the
                        # copy was not on the server yet): copy it again from the photo.
                        thumb_name = self.files.ensure_present(sha, stored_name, thumb_name,
                                                               source)
                if data is None:
                    raise RecordsError(f"The photo copy {self.files.stored_path(stored_name)} "
                                       f"keeps disappearing while it is saved; save the visit "
                                       f"again.")
                if hashlib.sha256(data).hexdigest() != sha:
                    raise RecordsError(f"The photo copy {self.files.stored_path(stored_name)} "
                                       f"changed on disk; save the visit again.")
                try:
                    thumb = (self.files.thumb_path(thumb_name).read_bytes()
                             if thumb_name else None)
                except OSError:      # a thumbnail is a convenience: the photo is what counts
                    thumb = None
                conn.execute("INSERT INTO photos (sha256, stored_name, thumb_name, size, data, "
                             "thumb) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                             (sha, stored_name, thumb_name if thumb else None, size, data,
                              thumb))
        conn.execute("INSERT INTO visit_photos (visit_id, position, sha256, original_path) "
                     "VALUES (?, ?, ?, ?)", (visit_id, position, sha, original_path))

    def _visit(self, conn, row: tuple) -> Visit:
        visit = super()._visit(conn, row)
        for photo in visit.photos:
            missing_photo = photo.stored_path is not None and not photo.stored_path.is_file()
            missing_thumb = (photo.thumbnail_path is not None
                             and not photo.thumbnail_path.is_file())
            if photo.sha256 and (missing_photo or missing_thumb):
                self._fetch_into_cache(conn, photo.sha256)
        return visit

    def _fetch_into_cache(self, conn, sha: str) -> None:
        """Write the server's copy (and thumbnail) of photo ``sha`` into the cache."""
        row = conn.execute("SELECT stored_name, thumb_name, data, thumb FROM photos WHERE "
                           "sha256 = ?", (sha,)).fetchone()
        if row is None:
            return
        stored_name, thumb_name, data, thumb = row
        if not _SAFE_NAME.match(stored_name or ""):
            raise RecordsError(f"The server lists photo {sha[:12]}… under an unusable name "
                               f"({stored_name!r}); run `shadematch records check`.")
        pieces = [(self.files.stored_path(stored_name), bytes(data))]
        if thumb_name and thumb is not None and _SAFE_THUMB.match(thumb_name):
            pieces.append((self.files.thumb_path(thumb_name), bytes(thumb)))
        for path, blob in pieces:
            if not path.is_file():
                private_dir(path.parent)
                write_atomic(path, lambda handle, b=blob: handle.write(b), mode=FILE_MODE)

    def _sweep_cache(self) -> None:
        """Remove cached photos the server no longer has (erased on another workstation)."""
        files = self.files.all_files()
        if not files:
            return
        with self._read() as conn:
            known = {r[0] for r in conn.execute("SELECT sha256 FROM photos")}
        for _kind, path in files:
            sha = path.name.split(".")[0]
            if len(sha) == 64 and sha not in known:
                path.unlink(missing_ok=True)

    def _finish_file_deletions(self) -> None:
        """Nothing to finish: erased photos leave with their rows (the cache is swept)."""

    def _finish_pending_erasures(self) -> None:
        """Nothing to finish: a server erasure is one transaction."""

    # ------------------------------------------------------------ maintenance
    @requires("erase")
    @sql_errors
    def delete_client(self, client_id: int) -> dict[str, int]:
        """Erase a client: their rows and photo copies no other visit uses (one transaction,
        on the server), this workstation's cached copies, report PDFs, autosaves and log
        lines naming them. An audit entry (no name, no content) records the erasure."""
        from shadematch.records import erasure

        with self._lock:
            with self._read() as conn:
                require_client(conn, client_id)
                traces = erasure.gather_traces(conn, client_id)
            counts = erasure.scrub_app_files(self._data_dir or self.root.parent, traces)
            with self._write() as conn:
                require_client(conn, client_id)
                erased = erasure.delete_client_rows(conn, client_id, self._audit)
            unused = {sha for sha, _stored, _thumb in erased.photos}
            for _kind, path in self.files.all_files():
                if path.name.split(".")[0] in unused:
                    path.unlink(missing_ok=True)
        return {"visits": erased.visits, "photos": len(unused), "backups": 0, **counts}

    @requires("maintenance")
    @sql_errors
    def check(self) -> list[str]:
        """The content check, and every photo's bytes against its SHA-256 on the server."""
        from shadematch.records.validation import content_problems

        problems: list[str] = []
        with self._read() as conn:
            problems += content_problems(conn)
            dangling = conn.execute("SELECT vp.visit_id, vp.sha256 FROM visit_photos vp LEFT "
                                    "JOIN photos p ON p.sha256 = vp.sha256 WHERE "
                                    "vp.sha256 IS NOT NULL AND p.sha256 IS NULL").fetchall()
            problems += [f"visit #{v}: photo {s[:12]}… is not listed" for v, s in dangling]
            for sha, data, in conn.execute("SELECT sha256, sha256(data) FROM photos"):
                if bytes(data).hex() != sha:
                    problems.append(f"photo {sha[:12]}… on the server does not match its "
                                    f"SHA-256")
        return problems

    def backup(self, dest: Path | str | None = None) -> Path:
        raise RecordsError(
            f"The records are on the server {self.where}: back them up there with pg_dump "
            f"(`pg_dump -Fc -f records.dump DATABASE` holds clients, visits and photos). "
            f"shadematch backs up only the SQLite records of a single workstation.")

    def list_backups(self) -> list[Path]:
        return []

    @requires("maintenance")
    @sql_errors
    def prune_orphans(self, min_age: float = 0.0) -> list[Path]:
        """Remove cached photo files of this workstation the server does not list."""
        before = {p for _k, p in self.files.all_files()}
        self._sweep_cache()
        return sorted(before - {p for _k, p in self.files.all_files()})

    @sql_errors
    def change_token(self) -> int:
        """A number that grows with every write by any workstation (poll it to refresh)."""
        with self._lock:
            return int(self.conn.execute("SELECT seq FROM records_changes").fetchone()[0])

    def wait_for_change(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for a NOTIFY from any workstation's write (True if one
        came). Uses its own connection, so the store stays usable meanwhile."""
        import psycopg

        try:
            if self._listener is None or self._listener.closed or self._listener.broken:
                self._listener = connect_server(self.url, self._password).raw
                self._listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            for _note in self._listener.notifies(timeout=timeout, stop_after=1):
                return True
            return False
        except psycopg.Error as exc:
            if self._listener is not None:
                self._listener.close()
            self._listener = None
            raise pg_error(exc, self.url) from exc

    def __repr__(self) -> str:
        return f"<PgRecordStore {self.where}>"


_SAFE_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}(\.[A-Za-z0-9]{1,9})?$")
_SAFE_THUMB = re.compile(r"^[0-9a-f]{64}\.jpg$")


def _rollback(conn: PgConnection) -> None:
    if conn.broken:
        # The server dropped the transaction with the connection: not in one any more, so
        # the next call connects again (else the store stayed unavailable for good).
        conn.in_transaction = False
        return
    try:
        conn.execute("ROLLBACK")
    except (RecordsError, ServerUnavailable):
        pass
