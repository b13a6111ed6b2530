"""Keeping the store sound: erasure with its file-deletion journal, backups, the full check,
pruning unreferenced photo files, and counts."""

from __future__ import annotations

import time
from pathlib import Path

from shadematch.errors import RecordsError
from shadematch.records import backups as _backups
from shadematch.records.access import requires
from shadematch.records.clients import require_client
from shadematch.records.database import StoreBase, sql_errors
from shadematch.records.photos import ORPHAN_AGE_SECONDS, private_dir, prune_orphans
from shadematch.records.validation import content_problems


class MaintenanceMixin(StoreBase):
    """Erasing a client, backups, the integrity check, pruning and counts."""

    # ------------------------------------------------------------------ erasure
    @requires("erase")
    @sql_errors
    def delete_client(self, client_id: int) -> dict[str, int]:
        """Erase a client everywhere the app keeps them (:mod:`~shadematch.records.erasure`):
        their record, screenings, consents, visits, the photo copies and thumbnails no other
        client's visit uses, the backups (rewritten without them), the report PDFs, autosaves
        and camera-panel thumbnails of their photos. Returns counts of what was removed."""
        from shadematch.records import erasure

        with self._lock:
            with self._read() as conn:
                require_client(conn, client_id)
                traces = erasure.gather_traces(conn, client_id)
            self.require_writable()
            # The files first: if this is cut short the client is still listed, so the
            # erasure is simply run again.
            counts = erasure.scrub_app_files(self.root.parent, traces)
            erasure.journal_add(self.root, traces.uid, traces.client_id)
            removed = self._erase_rows(client_id)
            counts["backups"] = self._scrub_backups(traces.uid, traces.client_id, traces.name)
            erasure.journal_done(self.root, traces.uid)
        return {**removed, **counts}

    def _erase_rows(self, client_id: int) -> dict[str, int]:
        from shadematch.records import erasure

        with self._write() as conn:
            require_client(conn, client_id)
            erased = erasure.delete_client_rows(conn, client_id, self._audit)
            for _sha, stored_name, thumb_name in erased.photos:
                # Journaled in the same transaction: if the process dies before the files are
                # gone, the next start finishes the erasure.
                conn.execute("INSERT INTO file_deletions (stored_name, thumb_name, queued_at) "
                             "VALUES (?, ?, ?)", (stored_name, thumb_name, time.time()))
        self._finish_file_deletions()
        # Keep no erased data in freed pages of the database or its WAL.
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {"visits": erased.visits, "photos": len(erased.photos)}

    def _scrub_backups(self, uid: str, client_id: int, name: str | None) -> int:
        from shadematch.records import erasure

        _backups.sweep_partial_backups(self.backups_dir)
        return sum(erasure.scrub_backup(path, uid, client_id, name)
                   for path in self.list_backups())

    def _finish_pending_erasures(self) -> None:
        """Finish erasures a crash cut short (the journal says which), at start."""
        from shadematch.records import erasure

        try:
            pending = [e for e in erasure.read_journal(self.root) if not e.get("done")]
        except RecordsError as exc:
            self.warnings.append(str(exc))
            return
        for entry in pending:
            try:
                with self._read() as conn:
                    row = conn.execute("SELECT id FROM clients WHERE uid = ?",
                                       (entry["uid"],)).fetchone()
                if row is not None:
                    self.delete_client(row[0])
                else:
                    self._scrub_backups(entry["uid"], int(entry.get("id") or -1), None)
                    erasure.journal_done(self.root, entry["uid"])
            except (RecordsError, OSError) as exc:
                # Reading must go on (a full disk, say); the next start tries again.
                self.warnings.append(f"An erasure cut short earlier could not be finished yet "
                                     f"({exc}); it will be tried again at the next start.")

    def reapply_erasures(self) -> list[int]:
        """Erase again every client the erasure journal lists who is in the records (after a
        restore of an older backup); returns their ids."""
        from shadematch.records import erasure

        uids = [e["uid"] for e in erasure.read_journal(self.root)]
        found = []
        for start in range(0, len(uids), 500):
            chunk = uids[start:start + 500]
            with self._read() as conn:
                found += [r[0] for r in conn.execute(
                    f"SELECT id FROM clients WHERE uid IN ({', '.join('?' * len(chunk))})",
                    chunk)]
        for client_id in found:
            self.delete_client(client_id)
        return found

    def _finish_file_deletions(self) -> None:
        """Remove the files erasures committed to remove, unless a save reused them since."""
        with self._write() as conn:
            pending = conn.execute("SELECT id, stored_name, thumb_name, queued_at FROM "
                                   "file_deletions").fetchall()
            for row_id, stored_name, thumb_name, _queued_at in pending:
                in_use = conn.execute("SELECT 1 FROM photos WHERE stored_name = ?",
                                      (stored_name,)).fetchone() is not None
                if not in_use:
                    # Under the write lock: a save of the same photo in progress checks its
                    # copy under this lock too and copies it again (_link_photo).
                    for path in (self.files.stored_path(stored_name) if stored_name else None,
                                 self.files.thumb_path(thumb_name) if thumb_name else None):
                        if path is not None:
                            path.unlink(missing_ok=True)
                conn.execute("DELETE FROM file_deletions WHERE id = ?", (row_id,))

    # ------------------------------------------------------------------ safety
    @sql_errors
    def backup(self, dest: Path | str | None = None) -> Path:
        """A consistent copy of the database (SQLite backup API), 0600; returns its path.

        ``dest`` None: into the store's backups folder (the last 7 are kept); a folder: a new
        dated file inside it; a file name: that new file (never overwritten).
        """
        with self._lock:
            if dest is None:
                return _backups.backup_into(self.conn, self.backups_dir)
            dest = Path(dest).expanduser()
            if dest.is_dir():
                dest = dest / _backups.backup_name()
            if not dest.parent.is_dir():
                raise RecordsError(f"The folder {dest.parent} does not exist; create it or "
                                   f"choose another place for the backup.")
            return _backups.write_backup(self.conn, dest)

    def list_backups(self) -> list[Path]:
        """Backups in the store's backups folder, oldest first."""
        return [path for _when, path in _backups.list_backups(self.backups_dir)]

    def _backup_before_migration(self, version: int) -> None:
        if version > 0:
            private_dir(self.backups_dir)
            _backups.backup_into(self.conn, self.backups_dir, tag=f"pre-migration-v{version}")

    @requires("maintenance")
    @sql_errors
    def check(self) -> list[str]:
        """Full integrity check; returns the problems found (empty: all is well).

        Checks SQLite's integrity and foreign keys, the content
        (:func:`~shadematch.records.validation.content_problems`: dates of birth, screenings,
        visit kinds and dates, no treatment of a client under 18, analyses that are JSON
        objects), that every photo copy exists with the right SHA-256 and that files are
        owner-only.
        """
        from shadematch.records.photos import sha256_file

        problems: list[str] = []
        with self._read() as conn:
            problems += [f"database: {r[0]}" for r in conn.execute("PRAGMA integrity_check")
                         if r[0] != "ok"]
            problems += [f"database: broken reference in {r[0]} row {r[1]} to {r[2]}"
                         for r in conn.execute("PRAGMA foreign_key_check")]
            problems += content_problems(conn)
            photos = conn.execute("SELECT sha256, stored_name, thumb_name FROM photos").fetchall()
            dangling = conn.execute("SELECT vp.visit_id, vp.sha256 FROM visit_photos vp LEFT "
                                    "JOIN photos p ON p.sha256 = vp.sha256 WHERE "
                                    "vp.sha256 IS NOT NULL AND p.sha256 IS NULL").fetchall()
        problems += [f"visit #{v}: photo {s[:12]}… is not listed" for v, s in dangling]
        for sha, stored_name, thumb_name in photos:
            path = self.files.stored_path(stored_name)
            if not path.is_file():
                problems.append(f"photo {path} is missing")
            elif sha256_file(path) != sha:
                problems.append(f"photo {path} does not match its SHA-256 (changed on disk)")
            if thumb_name and not self.files.thumb_path(thumb_name).is_file():
                problems.append(f"thumbnail {self.files.thumb_path(thumb_name)} is missing")
        extra = [self.root / name for name in ("erasures.json", ".in-use")]
        for path in [self.db_path, *extra, *self.list_backups(),
                     *(p for _k, p in self.files.all_files())]:
            try:
                if path.exists() and path.stat().st_mode & 0o077:
                    problems.append(f"{path} is readable by other users (chmod 600 it)")
            except FileNotFoundError:
                pass
        return problems

    @requires("maintenance")
    @sql_errors
    def prune_orphans(self, min_age: float = ORPHAN_AGE_SECONDS) -> list[Path]:
        """Delete photo and thumbnail files no visit refers to, untouched for ``min_age`` s.

        Such files are left by saves killed before their transaction committed, or remain
        after restoring an older backup (copy them out first if you need them). Never run
        automatically. Returns the removed paths.
        """
        with self._write() as conn:
            photos = {r[0] for r in conn.execute("SELECT stored_name FROM photos")}
            thumbs = {r[0] for r in conn.execute("SELECT thumb_name FROM photos") if r[0]}
            return prune_orphans(self.files, photos, thumbs, min_age=min_age)

    @sql_errors
    def content_problems(self) -> list[str]:
        """The content check of :meth:`check` alone (no page or photo checks)."""
        with self._read() as conn:
            return content_problems(conn)

    @sql_errors
    def counts(self) -> dict[str, int]:
        """Numbers of clients, visits and photo copies."""
        with self._read() as conn:
            return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                    for table in ("clients", "visits", "photos")}

