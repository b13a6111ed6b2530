"""The records never lose, never lie and never leak: one test per defect of the adversarial
campaign (an empty database, unvalidated imports, a full disk, erasure, partial backups, the
photo race, imports reaching outside their folder, read-only records, Unicode search...)."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from records_helpers import make_analysis, make_photo

from shadematch.cli import main
from shadematch.errors import RecordsError
from shadematch.records import DamagedRecordsError, open_store, records_dir, restore_backup
from shadematch.records.database import DiskFullError, ReadOnlyRecordsError


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _no_restore_advice(message: str) -> None:
    assert "restore" not in message.lower() and "damaged" not in message.lower(), message


def _files_holding(folder: Path, needle: str) -> list[Path]:
    """Every file under ``folder`` whose bytes hold ``needle`` (UTF-8)."""
    data = needle.encode("utf-8")
    return [p for p in folder.rglob("*") if p.is_file() and data in p.read_bytes()]


# ---------------------------------------------------------------------------- High
def test_an_empty_database_beside_backups_is_refused_and_restored(data_dir, photo, capsys):
    with open_store(data_dir) as store:
        cid = store.add_client("Ada Lane")
        store.save_visit(cid, make_analysis(), photo)
        backup = store.backup()
        db = store.db_path
    db.write_bytes(b"")                         # a sync tool truncated it
    backups_before = sorted(p.name for p in backup.parent.iterdir())
    with pytest.raises(DamagedRecordsError) as info:
        open_store(data_dir)
    message = str(info.value)
    assert "empty (0 bytes)" in message and "shadematch restore" in message
    assert db.stat().st_size == 0
    code, out, err = run(capsys, "records", "check")
    assert code == 1 and "OK" not in out and "empty (0 bytes)" in err
    assert sorted(p.name for p in backup.parent.iterdir()) == backups_before  # none rotated
    result = restore_backup(backup, data_dir)
    assert result["previous_kept_as"] and ".damaged-" in result["previous_kept_as"]
    with open_store(data_dir) as store:
        assert [c.name for c in store.search_clients()] == ["Ada Lane"]
        assert store.check() == []


def test_an_empty_database_of_a_fresh_install_is_simply_used(data_dir):
    folder = records_dir(data_dir)
    folder.mkdir(parents=True)
    (folder / "records.db").write_bytes(b"")
    with open_store(data_dir) as store:
        assert store.add_client("New") == 1


def _export(store, tmp_path, photo, **client):
    cid = store.add_client("Bo Bright", dob="1980-04-23")
    store.save_visit(cid, make_analysis(), photo, kind="session",
                     visit_date="2026-10-01T10:00:00+00:00")
    out = store.export_client(cid, tmp_path / f"export-{cid}")
    store.delete_client(cid)
    manifest = json.loads((out / "client.json").read_text(encoding="utf-8"))
    manifest["client"].update(client)
    return out, manifest


def _write_manifest(out: Path, manifest) -> None:
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    (out / "client.json").write_text(text, encoding="utf-8")


def test_import_validates_everything_before_it_writes(store, tmp_path, photo, capsys):
    out, manifest = _export(store, tmp_path, photo, dob="23/04/1980")
    _write_manifest(out, manifest)
    with pytest.raises(RecordsError, match="date of birth.*nothing was imported"):
        store.import_client(out)
    assert store.counts()["clients"] == 0
    # Under 18 on the day of the session: refused too, nothing written.
    manifest["client"]["dob"] = "2012-01-01"
    _write_manifest(out, manifest)
    with pytest.raises(RecordsError, match="under 18"):
        store.import_client(out)
    assert store.counts() == {"clients": 0, "visits": 0, "photos": 0}
    manifest["client"]["dob"] = "1980-04-23"
    _write_manifest(out, manifest)
    assert store.get_client(store.import_client(out)).dob == "1980-04-23"
    code, out_text, err = run(capsys, "clients", "list")
    assert code == 0 and "Bo Bright" in out_text


def test_check_validates_content_and_one_bad_row_does_not_hide_the_others(store, capsys):
    good = store.add_client("Cy Good")
    bad = store.add_client("Di Bad")
    store.conn.execute("UPDATE clients SET dob = '23/04/1980' WHERE id = ?", (bad,))
    store.conn.execute(
        "INSERT INTO visits (client_id, visit_date, kind, analysis_json, created) VALUES "
        "(?, '2026-01-01', 'session', '{}', '2026-01-01')", (good,))
    store.conn.execute("UPDATE clients SET dob = '2015-05-05' WHERE id = ?", (good,))
    problems = store.check()
    assert any(f"client #{bad}" in p and "date of birth" in p for p in problems)
    assert any("under 18" in p for p in problems)
    # Listing still works for everyone, and the client whose birth date is unreadable
    # counts as a minor until it is corrected.
    listed = {c.id: c for c in store.search_clients()}
    assert set(listed) == {good, bad}
    assert listed[bad].to_dict()["age"] is None and listed[bad].is_minor()
    with pytest.raises(RecordsError, match="not a date"):
        store.save_visit(bad, make_analysis(), None, kind="session")
    code, _, _ = run(capsys, "records", "check")
    assert code == 1


def test_a_full_disk_is_said_as_such_and_reading_goes_on(store):
    store.add_client("Eve")
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")   # SQLite's own SQLITE_FULL
    with pytest.raises(DiskFullError) as info:
        store.add_client("Fay", notes="x" * 200_000)
    assert "full" in str(info.value)
    _no_restore_advice(str(info.value))
    assert [c.name for c in store.search_clients()] == ["Eve"]


def test_a_due_backup_on_a_full_disk_does_not_stop_reading(data_dir, capsys, monkeypatch,
                                                           tmp_path, photo):
    with open_store(data_dir) as store:
        cid = store.add_client("Gil")
        store.save_visit(cid, make_analysis(), photo)
    for backup in (records_dir(data_dir) / "backups").glob("*.db"):
        backup.unlink()                                        # the daily backup is due

    import tempfile

    real_mkstemp = tempfile.mkstemp

    def full(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).name == "backups":   # that disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", full)
    code, out, err = run(capsys, "clients", "list")
    assert code == 0 and "Gil" in out
    assert "warning" in err and "full" in err
    _no_restore_advice(err)
    code, out, err = run(capsys, "clients", "export", str(cid), "-o", str(tmp_path / "gil"))
    assert code == 0 and (tmp_path / "gil" / "client.json").is_file()
    with pytest.raises(DiskFullError) as info, open_store(data_dir) as store:
        store.backup()
    _no_restore_advice(str(info.value))


class _FailingConnection:
    """A real connection whose statements containing ``fail_on`` raise ``error``."""

    def __init__(self, conn, fail_on: str, error: Exception) -> None:
        self._conn, self._fail_on, self._error = conn, fail_on, error

    def execute(self, sql, *args):
        if self._fail_on in sql:
            raise self._error
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.mark.parametrize("error", ["disk I/O error", "database or disk is full"])
def test_an_io_error_or_full_disk_on_opening_never_suggests_a_restore(data_dir, monkeypatch,
                                                                     error):
    with open_store(data_dir) as store:
        store.add_client("Fred")
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        return _FailingConnection(real_connect(*args, **kwargs), "journal_mode = WAL",
                                  sqlite3.OperationalError(error))

    monkeypatch.setattr(sqlite3, "connect", connect)
    with pytest.raises(RecordsError) as info:
        open_store(data_dir)
    _no_restore_advice(str(info.value))
    assert "disk" in str(info.value)


# ---------------------------------------------------------------------------- Medium
def test_erasure_leaves_no_copy_anywhere(data_dir, tmp_path, monkeypatch):
    from shadematch.imaging.thumbnail_cache import ThumbnailCache

    name = "Hazel Quinlan-Erasable"
    camera = tmp_path / "camera"
    camera.mkdir()
    photo = make_photo(camera / f"{name}.jpg", seed=3)
    report = tmp_path / f"report {name}.pdf"
    report.write_bytes(b"%PDF-1.4 " + name.encode())
    outside = tmp_path / "usb"
    outside.mkdir()
    with open_store(data_dir) as store:
        keep = store.add_client("Ivo Stays")
        cid = store.add_client(name, notes=name)
        vid = store.save_visit(cid, make_analysis(), photo, notes=name)
        store.update_visit(vid, report_path=str(report))
        store.backup()                                    # in the backups folder
        external = store.backup(outside / "copy.db")      # a copy the app cannot reach
        sha = store.get_visit(vid).photo.sha256
    autosave = data_dir / "autosave"
    autosave.mkdir()
    (autosave / "autosave-1.shadematch").write_text(json.dumps(
        {"photo": {"path": str(photo), "sha256": sha}, "notes": ""}), encoding="utf-8")
    (autosave / "autosave-2.shadematch").write_text('{"photo": {"sha256": "other"}}',
                                                    encoding="utf-8")
    logs = data_dir / "logs"
    logs.mkdir()
    (logs / "shadematch.log").write_text(f"12:00 started\n12:01 report written to {report}\n"
                                         f"12:02 done\n", encoding="utf-8")
    cache = ThumbnailCache(data_dir / "thumbnails")
    assert cache.get(photo).ok and cache.cached(photo) is not None
    (data_dir / "thumbnails" / "keep-me.txt").write_text("not the cache's", encoding="utf-8")
    (logs / "other.log").write_text(f"{name}\n", encoding="utf-8")   # not shadematch's log
    assert _files_holding(data_dir, name)                 # the name is there before
    with open_store(data_dir) as store:
        removed = store.delete_client(cid)
        assert [c.id for c in store.search_clients()] == [keep]
    assert removed["backups"] >= 1 and removed["reports"] == 1
    assert removed["autosaves"] == 1 and removed["thumbnails"] >= 1
    assert removed["log_lines"] == 1
    assert (logs / "shadematch.log").read_text(encoding="utf-8") == "12:00 started\n12:02 done\n"
    assert _files_holding(data_dir, name) == [logs / "other.log"]
    (logs / "other.log").unlink()
    assert (data_dir / "thumbnails" / "keep-me.txt").exists()
    assert _files_holding(data_dir, sha) == []            # nor their photo's fingerprint
    assert not [p for p in data_dir.rglob(f"*{sha}*")]
    assert not report.exists() and cache.cached(photo) is None
    assert (autosave / "autosave-2.shadematch").exists()
    # Restoring a copy taken before the erasure erases them again.
    result = restore_backup(external, data_dir)
    assert result["erased_again"] == 1
    with open_store(data_dir) as store:
        assert [c.id for c in store.search_clients()] == [keep]
    assert _files_holding(records_dir(data_dir), name) == []


def test_an_erasure_cut_short_is_finished_at_the_next_start(data_dir):
    from shadematch.records import erasure

    with open_store(data_dir) as store:
        cid = store.add_client("Jan Cut")
        uid = store.get_client(cid).uid
        store.backup()
        # Killed right after the journal entry was written.
        erasure.journal_add(store.root, uid, cid)
    with open_store(data_dir) as store:
        assert store.search_clients() == []
    assert _files_holding(records_dir(data_dir), "Jan Cut") == []


def test_a_killed_backup_leaves_no_copy_behind(data_dir):
    import fcntl

    with open_store(data_dir) as store:
        store.add_client("Kim")
        backups = store.backups_dir
        backups.mkdir(exist_ok=True)
        stale = backups / ".records-20261201T000000000000Z.db.abcd.tmp"
        stale.write_bytes(b"SQLite format 3\x00" + b"Kim" * 1000)
        busy = backups / ".records-20261202T000000000000Z.db.efgh.tmp"
        busy.write_bytes(b"in progress")
        fd = os.open(busy, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)                    # another process is writing it
        try:
            store.backup()
        finally:
            os.close(fd)
        assert not stale.exists() and busy.exists()


def test_erasing_while_another_store_saves_the_same_photo_keeps_the_photo(data_dir, photo):
    first = open_store(data_dir)
    second = open_store(data_dir)
    try:
        erased = first.add_client("Lou")
        first.save_visit(erased, make_analysis(), photo)
        other = first.add_client("Mo")
        real_add = second.files.add

        def add_then_erasure_runs(source):
            got = real_add(source)          # the copy exists and is fresh ...
            if not first.search_clients(f"#{erased}") == []:
                first.delete_client(erased)  # ... then another process erases its only user
            return got

        second.files.add = add_then_erasure_runs
        visit = second.get_visit(second.save_visit(other, make_analysis(), photo))
        assert visit.photo.stored_path.is_file()
        assert second.check() == []
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink"])
def test_import_takes_only_plain_files_inside_the_export(store, tmp_path, photo, kind):
    out, manifest = _export(store, tmp_path, photo)
    from shadematch.records.photos import sha256_file

    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"not yours")
    item = manifest["visits"][0]["photos"][0]
    item["sha256"] = sha256_file(secret)      # the manifest vouches for the outside file
    if kind == "dotdot":
        item["file"] = "../secret.jpg"
    elif kind == "absolute":
        item["file"] = str(secret)
    else:
        target = out / item["file"]
        target.unlink()
        target.symlink_to(secret)
    _write_manifest(out, manifest)
    before = sorted(p for _k, p in store.files.all_files())
    with pytest.raises(RecordsError, match="nothing was imported|Nothing was imported"):
        store.import_client(out)
    assert sorted(p for _k, p in store.files.all_files()) == before
    assert store.counts()["clients"] == 0


BAD_MANIFESTS = {
    "deep nesting": lambda m: '{"format": "shadematch-client-export", "x": ' + "[" * 100_000
    + "]" * 100_000 + "}",
    "huge integer": lambda m: json.dumps(m).replace('"format_version": 1',
                                                    '"format_version": ' + "9" * 5000),
    "lone surrogate": lambda m: json.dumps(m).replace('"Bo Bright"', '"Bo \\ud800"'),
    "version text": lambda m: {**m, "format_version": "one"},
    "visits not a list": lambda m: {**m, "visits": {"a": 1}},
    "client not an object": lambda m: {**m, "client": ["Bo"]},
    "name a number": lambda m: {**m, "client": {**m["client"], "name": 12}},
    "screening answers text": lambda m: {**m, "screenings": [{"recorded_at": "2026-01-01",
                                                               "answers": "yes"}]},
    "consent without time": lambda m: {**m, "consents": [{"note": "x"}]},
    "visit date garbage": lambda m: {**m, "visits": [{**m["visits"][0], "visit_date": "soon"}]},
    "session number text": lambda m: {**m, "visits": [{**m["visits"][0],
                                                       "session_number": "two"}]},
    "photos not a list": lambda m: {**m, "visits": [{**m["visits"][0], "photos": 3}]},
    "sha not hex": lambda m: {**m, "visits": [{**m["visits"][0], "photos": [
        {"sha256": "zz", "file": "photos/x.jpg"}]}]},
    "deep analysis": lambda m: json.dumps(m).replace('"analysis": {', '"analysis": {"n": '
                                                     + "[" * 3000 + "]" * 3000 + ', ', 1),
    "not utf-8": lambda m: None,
}


@pytest.mark.parametrize("case", sorted(BAD_MANIFESTS))
def test_a_bad_client_json_is_one_clear_error(store, tmp_path, photo, case):
    out, manifest = _export(store, tmp_path, photo)
    bad = BAD_MANIFESTS[case](manifest)
    if bad is None:
        (out / "client.json").write_bytes(b'{"format": "\xff\xfe"}')
    else:
        _write_manifest(out, bad)
    with pytest.raises(RecordsError):
        store.import_client(out)
    assert store.counts()["clients"] == 0


def test_two_imports_of_one_export_at_once_give_one_client(data_dir, tmp_path, photo):
    with open_store(data_dir) as store:
        out, _manifest = _export(store, tmp_path, photo)
    results: list[object] = []

    def run_import() -> None:
        with open_store(data_dir) as store:
            try:
                results.append(store.import_client(out))
            except RecordsError as exc:
                results.append(exc)

    threads = [threading.Thread(target=run_import) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(results) == len(threads) and len(results) - len(errors) == 1
    assert all("already in the records" in str(e) for e in errors)
    with open_store(data_dir) as store:
        assert store.counts()["clients"] == 1 and store.check() == []


def test_text_that_is_not_utf8_is_one_clear_line(data_dir, capsys):
    code, out, err = run(capsys, "clients", "add", "--name", "Nia \udcff")
    assert code == 1 and err.count("\n") == 1 and "not valid text" in err
    code, out, err = run(capsys, "clients", "list", "--search", "\udcff")
    assert code == 1 and err.count("\n") == 1


# ---------------------------------------------------------------------------- Low
@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_records_are_opened_read_only(data_dir, what):
    with open_store(data_dir) as store:
        store.add_client("Oli")
        db, root = store.db_path, store.root
    target = db if what == "file" else root
    os.chmod(target, 0o400 if what == "file" else 0o500)
    try:
        with open_store(data_dir) as store:
            assert store.read_only and "read-only" in store.warnings[0]
            assert [c.name for c in store.search_clients()] == ["Oli"]
            with pytest.raises(ReadOnlyRecordsError, match="read-only"):
                store.add_client("Pam")
        assert (target.stat().st_mode & 0o777) == (0o400 if what == "file" else 0o500)
    finally:
        os.chmod(target, 0o600 if what == "file" else 0o700)
    with open_store(data_dir) as store:
        assert [c.name for c in store.search_clients()] == ["Oli"]


def test_content_corruption_is_not_backed_up(data_dir):
    with open_store(data_dir) as store:
        cid = store.add_client("Quin")
        store.conn.execute("UPDATE clients SET dob = 'not a date' WHERE id = ?", (cid,))
        backups = store.backups_dir
    for backup in backups.glob("*.db"):
        backup.unlink()
    with open_store(data_dir) as store:
        assert any("daily backup was not taken" in w for w in store.warnings)
        assert store.list_backups() == []


def test_renames_are_followed_by_a_folder_fsync(tmp_path, monkeypatch):
    import stat

    from shadematch import atomic_files

    synced: list[bool] = []
    real = os.fsync

    def spy(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        return real(fd)

    monkeypatch.setattr(atomic_files.os, "fsync", spy)
    atomic_files.write_text_atomic(tmp_path / "a.txt", "x")
    assert synced == [False, True]


def test_restore_is_refused_while_the_records_are_open(data_dir):
    with open_store(data_dir) as store:
        store.add_client("Ray")
        backup = store.backup()
        with pytest.raises(RecordsError, match="open in another shadematch"):
            restore_backup(backup, data_dir)
        assert [c.name for c in store.search_clients()] == ["Ray"]
    restore_backup(backup, data_dir)


def test_search_folds_case_in_every_script(store):
    zoe = store.add_client("Zoë Ærøskøbing")
    store.add_client("Zoe Plain")
    for query in ("ZOË", "zoë", "ærø", "ÆRØSKØBING"):
        assert [c.id for c in store.search_clients(query)] == [zoe], query
    decomposed = "Zoe\u0308"  # the same letters, typed as e + combining diaeresis
    assert [c.id for c in store.search_clients(decomposed)] == [zoe]


def test_no_first_party_import_fallbacks():
    import re

    import shadematch.folder_scanning as scanning
    import shadematch.records.photos as photos

    fallback = re.compile(r"try:\s*\n\s*from shadematch[^\n]*\n(\s*[^\n]*\n)*?\s*except "
                          r"ImportError")
    for module in (scanning, photos):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert not fallback.search(source), module.__name__


def _can_mount_tmpfs(tmp_path: Path) -> bool:
    import shutil
    import subprocess

    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c",
                            f"mount -t tmpfs -o size=1m tmpfs {tmp_path}"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def test_a_real_full_disk(tmp_path, child_env):
    """On a 3 MB tmpfs (a private mount namespace): the full disk is said, reading goes on,
    the records open again with the daily backup due and no room for it."""
    import shlex
    import subprocess
    import sys

    disk = tmp_path / "disk"
    disk.mkdir()
    if not _can_mount_tmpfs(disk):
        pytest.skip("needs unshare and tmpfs mounts in a user namespace")
    child = Path(__file__).with_name("records_full_disk.py")
    script = (f"mount -t tmpfs -o size=3m tmpfs {shlex.quote(str(disk))} && exec "
              f"{shlex.quote(sys.executable)} {shlex.quote(str(child))} "
              f"{shlex.quote(str(disk))}")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True,
                          env=child_env, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    seen = json.loads(done.stdout.decode().splitlines()[-1])
    assert seen["full_error"][0] == "DiskFullError" and seen["added"] > 0
    assert seen["listed"] == seen["added"]
    assert "reopen_error" not in seen and seen["reopened_listed"] == seen["added"]
    assert any("full" in w for w in seen["warnings"])
    assert seen["backup_error"][0] == "DiskFullError"
    for message in (seen["full_error"][1], *seen["warnings"], seen["backup_error"][1]):
        _no_restore_advice(message)


def test_a_backup_killed_half_way_is_cleaned_up(data_dir, child_env, tmp_path):
    """SIGKILL a process while it writes backups of a 20 MB database: the hidden partial copy
    it leaves is removed by the next backup."""
    import signal
    import subprocess
    import sys
    import time

    with open_store(data_dir) as store:
        for i in range(200):
            store.add_client(f"Big {i}", notes=os.urandom(50_000).hex())
        backups = store.backups_dir
    script = ("import sys\nfrom shadematch.records import open_store\n"
              "store = open_store(sys.argv[1], auto_backup=False)\nprint('open', flush=True)\n"
              "while True:\n    store.backup()\n")
    left = []
    for attempt in range(20):
        proc = subprocess.Popen([sys.executable, "-c", script, str(data_dir)],
                                stdout=subprocess.PIPE, env=child_env)
        assert proc.stdout.readline() == b"open\n"
        time.sleep(0.05 + 0.03 * attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        left = list(backups.glob(".*.tmp"))
        if left:
            break
    assert left, "no kill landed inside a backup"
    with open_store(data_dir, auto_backup=False) as store:
        store.backup()
    assert list(backups.glob(".*.tmp")) == []
    assert len(list(backups.glob("records-*.db"))) <= 7
