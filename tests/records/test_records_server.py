"""Server mode: `records migrate-to`, settings and passwords, edit conflicts, the change
signal, the server going away (a real PostgreSQL server, see conftest.pg_server)."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from records_helpers import make_analysis, make_photo

from shadematch.cli import main
from shadematch.errors import RecordsError
from shadematch.records import open_store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _local_records(data_dir, tmp_path) -> dict:
    """A SQLite store with clients, an erased one, screenings, consents, visits and photos."""
    shared = make_photo(tmp_path / "shared.jpg", seed=11)
    with open_store(data_dir) as store:
        gone = store.add_client("Erased Person")
        a = store.add_client("Ana Alves", dob="1980-02-02", contact="ana@example.org")
        b = store.add_client("Bo Berg", notes="prefers mornings")
        store.set_screening(a, {"keloid": "no", "clotting": {"answer": "yes", "note": "aspirin"}})
        store.record_consent(a, note="form v3")
        store.save_visit(a, make_analysis(), make_photo(tmp_path / "a.jpg", seed=12),
                         kind="session", batch="L1")
        store.save_visit(a, make_analysis(), shared, kind="session")
        store.save_visit(b, make_analysis(pick="espresso@2:1"), shared)
        store.save_visit(b, make_analysis(), None, kind="touch-up")
        store.delete_client(gone)
        return {"a": a, "b": b, "gone": gone, "counts": store.counts(),
                "visits": {c: [v.to_dict() for v in store.visits(c)] for c in (a, b)},
                "clients": [c.to_dict() for c in store.search_clients()]}


def test_migrate_to_copies_and_verifies_everything(data_dir, tmp_path, pg_url, capsys):
    local = _local_records(data_dir, tmp_path)
    code, out, err = run(capsys, "records", "migrate-to", pg_url, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["counts"]["clients"] == 2 and report["counts"]["visits"] == 4
    assert report["counts"]["photos"] == 2 and report["photos_verified"] == 2
    assert report["counts"]["screenings"] == 1 and report["counts"]["consents"] == 1
    with open_store(data_dir, database_url=pg_url) as server:
        assert server.backend == "postgres"
        assert server.counts() == local["counts"]
        assert [c.to_dict() for c in server.search_clients()] == local["clients"]
        for cid, visits in local["visits"].items():
            got = server.visits(cid)
            assert [v.analysis for v in got] == [v["analysis"] for v in visits]
            assert [(v.kind, v.session_number, v.batch) for v in got] == [
                (v["kind"], v["session_number"], v["batch"]) for v in visits]
            for visit in got:
                for photo in visit.photos:
                    # Bytes from the server (via this workstation's cache), not the local copy.
                    assert hashlib.sha256(photo.stored_path.read_bytes()).hexdigest() \
                        == photo.sha256
                    assert "server-cache" in str(photo.stored_path)
        # Ids continue after SQLite's: the erased client's id is not given to anyone else.
        assert server.add_client("New One") > local["gone"]
        assert server.check() == []
    # A second copy into the now non-empty server is refused, untouched.
    code, out, err = run(capsys, "records", "migrate-to", pg_url)
    assert code != 0 and "already holds records" in err and "--replace" in err
    with open_store(data_dir, database_url=pg_url) as server:
        assert server.counts()["clients"] == 3
    code, out, err = run(capsys, "records", "migrate-to", pg_url, "--replace")
    assert code == 0, err
    assert "verified" in out and "2 photos" in out
    with open_store(data_dir, database_url=pg_url) as server:
        assert server.counts() == local["counts"]


def test_migrate_to_refuses_an_altered_photo_and_copies_nothing(data_dir, tmp_path, pg_url,
                                                                capsys):
    local = _local_records(data_dir, tmp_path)
    with open_store(data_dir) as store:
        store.visits(local["a"])[0].photo.stored_path.write_bytes(b"not the photo")
    code, out, err = run(capsys, "records", "migrate-to", pg_url)
    assert code != 0 and "does not match its SHA-256" in err
    with open_store(data_dir, database_url=pg_url) as server:
        assert server.counts() == {"clients": 0, "visits": 0, "photos": 0}


def test_migrate_to_an_unreachable_server_says_so(data_dir, tmp_path, capsys):
    _local_records(data_dir, tmp_path)
    code, out, err = run(capsys, "records", "migrate-to",
                         "postgresql://nobody@127.0.0.1:1/records?connect_timeout=2")
    assert code != 0 and "cannot be reached" in err and "127.0.0.1:1/records" in err


@pytest.mark.parametrize("fstype", ["nfs4", "cifs", "smb3", "fuse.sshfs"])
def test_sqlite_store_on_a_network_filesystem_is_refused(data_dir, tmp_path, monkeypatch,
                                                         fstype):
    from shadematch.records import netfs

    share = str(data_dir).replace(" ", "\\040")
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/sda1 / ext4 rw,relatime 0 0\n"
                      f"server:/export{share} {share} {fstype} rw,relatime 0 0\n"
                      "tmpfs /run tmpfs rw 0 0\n")
    monkeypatch.setattr(netfs, "MOUNTS_FILE", mounts)
    with pytest.raises(netfs.NetworkFilesystemError,
                       match=f"network filesystem \\({fstype}\\).*migrate-to") as caught:
        open_store(data_dir)
    assert "SHADEMATCH_DATABASE_URL" in str(caught.value)
    assert not (data_dir / "records").exists()  # nothing created on the share
    # The same table with the folder on a local disk: opened.
    mounts.write_text(mounts.read_text().replace(fstype, "ext4"))
    open_store(data_dir).close()


def test_mount_table_longest_prefix_and_escapes(tmp_path):
    from shadematch.records import netfs

    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/sda1 / ext4 rw 0 0\n"
                      "srv:/a /mnt/clinic\\040share nfs rw 0 0\n"
                      "/dev/sdb1 /mnt/clinic\\040share/local ext4 rw 0 0\n")
    assert netfs.fs_type_linux(tmp_path, mounts) == "ext4"
    from pathlib import Path

    assert netfs.fs_type_linux(Path("/mnt/clinic share/records"), mounts) == "nfs"
    assert netfs.fs_type_linux(Path("/mnt/clinic share/local/x"), mounts) == "ext4"
    assert netfs.fs_type_linux(Path("/mnt/clinic sharexyz"), mounts) == "ext4"


def _second(store, data_dir):
    """Another workstation on the same records (another connection, another store object)."""
    return open_store(data_dir, database_url=getattr(store, "url", ""))


def test_a_stale_save_is_refused_with_what_changed_and_by_whom(any_store, data_dir,
                                                               monkeypatch):
    from shadematch.records.backends.errors import EditConflict

    store = any_store
    cid = store.add_client("Cleo Cruz", contact="0101", notes="first")
    mine = store.get_client(cid)
    monkeypatch.setenv("SHADEMATCH_USER", "front desk")
    with _second(store, data_dir) as desk:
        assert desk.actor == "front desk"
        theirs = desk.update_client(cid, expected=desk.get_client(cid), contact="0202")
    assert theirs.row_version == mine.row_version + 1 and theirs.updated_by == "front desk"
    with pytest.raises(EditConflict) as caught:
        store.update_client(cid, expected=mine, notes="second")
    err = caught.value
    assert err.changed == ["contact"] and err.by == "front desk"
    assert err.current.contact == "0202"
    assert "changed by front desk" in str(err) and "(contact)" in str(err)
    assert "nothing was overwritten" in str(err)
    assert store.get_client(cid).notes == "first"  # nothing saved
    # The same field changed on both sides is named; a plain version number is accepted.
    with pytest.raises(EditConflict, match="Both of you changed contact"):
        store.update_client(cid, expected=mine, contact="0303")
    with pytest.raises(EditConflict):
        store.update_client(cid, expected=mine.row_version, notes="x")
    # After a reload (the current version) the save goes through.
    saved = store.update_client(cid, expected=err.current, notes="second")
    assert (saved.contact, saved.notes, saved.row_version) == ("0202", "second", 3)
    # Without expected (the CLI, scripts) the last write wins as before.
    assert store.update_client(cid, notes="third").row_version == 4


def test_change_watcher_sees_another_workstation_save(any_store, data_dir):
    import threading

    from shadematch.records.changes import ChangeWatcher

    store = any_store
    seen = []
    changed = threading.Event()
    watcher = ChangeWatcher(store, lambda token: (seen.append(token), changed.set()),
                            interval=0.2)
    assert watcher.poll() is False
    watcher.start()
    try:
        with _second(store, data_dir) as other:
            other.add_client("Dana Diaz")
        assert changed.wait(20), "no change seen"
    finally:
        watcher.stop()
    assert seen and seen[-1] == store.change_token()
    assert [c.name for c in store.search_clients()] == ["Dana Diaz"]
    assert watcher.poll() is False


def test_audit_log_is_append_only_and_keeps_erasures_without_content(any_store):
    store = any_store
    cid = store.add_client("Eve Erased", contact="eve@example.org")
    store.update_client(cid, notes="n")
    store.delete_client(cid)
    with store._read() as conn:
        rows = conn.execute("SELECT action, record, detail FROM audit_log ORDER BY id"
                            ).fetchall()
    assert [r[:2] for r in rows] == [("create", f"client #{cid}"), ("change", f"client #{cid}"),
                                     ("erase", f"client #{cid}")]
    # Opening a record is audited too (not the calls the store makes inside another one),
    # without making other workstations refresh.
    vid = store.save_visit(store.add_client("Viv"), make_analysis(), None)
    token = store.change_token()
    store.get_visit(vid)
    store.visits(store.get_visit(vid).client_id)
    assert store.change_token() == token
    with store._read() as conn:
        views = conn.execute("SELECT record FROM audit_log WHERE action = 'view' "
                             "ORDER BY id").fetchall()
    assert [r[0] for r in views] == [f"visit #{vid}", f"visit #{vid}",
                                     f"client #{cid + 1} visits"]
    assert not any("Eve" in str(r) or "eve@" in str(r) for r in rows)
    with pytest.raises((RecordsError, sqlite3.Error), match="append-only"):
        with store._write() as conn:
            conn.execute("DELETE FROM audit_log")
    with pytest.raises((RecordsError, sqlite3.Error), match="append-only"):
        with store._write() as conn:
            conn.execute("UPDATE audit_log SET actor = 'x'")


def test_server_going_away_mid_save_is_a_typed_error_and_nothing_is_lost(
        pg_server, pg_url, data_dir, photo):
    from shadematch.records.backends.errors import ServerUnavailable
    from shadematch.records.pending import PendingSaves

    store = open_store(data_dir, database_url=pg_url)
    try:
        cid = store.add_client("Finn Ford")
        token = "t-" + "1" * 30
        pg_server.stop("immediate")
        try:
            with pytest.raises(ServerUnavailable, match="cannot be reached.*save again"):
                store.save_visit(cid, make_analysis(), photo, kind="session",
                                 save_token=token)
            with pytest.raises(ServerUnavailable):
                store.search_clients()
            pending = PendingSaves.for_data_dir(data_dir)
            assert pending.add(cid, make_analysis(), photo, save_token=token,
                               kind="session", batch="B9") == token
            assert pending.flush(store) == {} and len(pending) == 1  # still away: kept
        finally:
            pg_server.start()
        # The server is back: the same store object reconnects by itself.
        assert [c.name for c in store.search_clients()] == ["Finn Ford"]
        stored = pending.flush(store)
        assert list(stored) == [token] and len(pending) == 0
        visit = store.get_visit(stored[token])
        assert (visit.kind, visit.session_number, visit.batch) == ("session", 1, "B9")
        assert visit.photo.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
        # Saving again with the token (a retry after a lost reply) stores nothing new.
        assert store.save_visit(cid, make_analysis(), photo, save_token=token) == visit.id
        assert store.counts()["visits"] == 1
    finally:
        store.close()


def test_unreachable_server_at_open_is_a_typed_error(data_dir):
    from shadematch.records.backends.errors import ServerUnavailable

    with pytest.raises(ServerUnavailable, match="127.0.0.1:1/x"):
        open_store(data_dir, database_url="postgresql://u@127.0.0.1:1/x?connect_timeout=2")


def test_records_setting_env_and_saved_url(data_dir, pg_url, monkeypatch):
    from shadematch.records import server_config as cfg

    assert cfg.load_records_config(data_dir) == cfg.RecordsConfig("sqlite", None, "default")
    tls_url = pg_url + "?sslmode=disable&application_name=shadematch-test"
    saved = cfg.save_records_config(tls_url, data_dir)
    assert (saved.backend, saved.url, saved.source) == ("postgres", tls_url, "settings")
    assert cfg.load_records_config(data_dir) == saved
    setting = data_dir / cfg.CONFIG_NAME
    assert setting.stat().st_mode & 0o077 == 0
    # open_store() with no argument follows the setting; TLS/libpq options pass through.
    with open_store(data_dir) as store:
        assert store.backend == "postgres"
        name = store.conn.execute("SHOW application_name").fetchone()[0]
        assert name == "shadematch-test"
    # The environment wins over the setting.
    monkeypatch.setenv(cfg.ENV_URL, "postgresql://other@db.example:6543/records")
    assert cfg.load_records_config(data_dir).url.endswith("db.example:6543/records")
    monkeypatch.delenv(cfg.ENV_URL)
    assert cfg.save_records_config(None, data_dir).backend == "sqlite"
    with open_store(data_dir) as store:
        assert store.backend == "sqlite"
    with pytest.raises(RecordsError, match="must start with postgresql://"):
        cfg.save_records_config("mysql://x@y/z", data_dir)


def test_a_password_is_never_written_in_plain_text(data_dir, monkeypatch):
    import sys

    from shadematch.records import server_config as cfg

    monkeypatch.setitem(sys.modules, "keyring", None)  # no keyring on this machine
    with pytest.raises(RecordsError, match="plain text.*nothing was saved.*pgpass"):
        cfg.save_records_config("postgresql://ana:s3cret@db.example/records", data_dir)
    with pytest.raises(RecordsError, match="plain text"):
        cfg.save_records_config("postgresql://ana@db.example/records", data_dir,
                                password="s3cret")
    assert not (data_dir / cfg.CONFIG_NAME).exists()

    class FakeKeyring:
        store: dict = {}

        @classmethod
        def set_password(cls, service, account, password):
            cls.store[(service, account)] = password

        @classmethod
        def get_password(cls, service, account):
            return cls.store.get((service, account))

    monkeypatch.setitem(sys.modules, "keyring", FakeKeyring)
    saved = cfg.save_records_config("postgresql://ana:s3cret@db.example/records", data_dir)
    assert saved.url == "postgresql://ana@db.example/records" and saved.password_stored
    assert "s3cret" not in (data_dir / cfg.CONFIG_NAME).read_text()
    assert cfg.server_password(saved.url) == "s3cret"
    assert FakeKeyring.store == {
        (cfg.KEYRING_SERVICE, "ana@db.example:5432/records"): "s3cret"}


def test_error_messages_never_show_the_password(data_dir):
    from shadematch.records.backends.errors import ServerUnavailable

    with pytest.raises(ServerUnavailable) as caught:
        open_store(data_dir,
                   database_url="postgresql://ana:s3cret@127.0.0.1:1/x?connect_timeout=2")
    assert "s3cret" not in str(caught.value)


def test_records_info_names_the_server(data_dir, pg_url, monkeypatch, capsys):
    monkeypatch.setenv("SHADEMATCH_DATABASE_URL", pg_url)
    code, out, err = run(capsys, "records", "info")
    assert code == 0, err
    assert out.startswith("records server: 127.0.0.1:") and "pg_dump" in out
    assert "holds: 0 clients" in out
    code, out, err = run(capsys, "backup")
    assert code != 0 and "pg_dump" in err


def test_server_check_finds_altered_photo_bytes_and_caches_are_swept(data_dir, pg_url, photo,
                                                                     tmp_path):
    with open_store(data_dir, database_url=pg_url) as store:
        cid = store.add_client("Lia")
        visit = store.get_visit(store.save_visit(cid, make_analysis(), photo))
        assert store.check() == []
        with store._write() as conn:
            conn.execute("UPDATE photos SET data = ?", (b"altered",))
        assert any("does not match its SHA-256" in p for p in store.check())
        with store._write() as conn:
            conn.execute("UPDATE photos SET data = ?", (photo.read_bytes(),))
        assert store.check() == []
    # Another workstation (its own data folder) gets the photo from the server...
    other_dir = tmp_path / "other"
    with open_store(other_dir, database_url=pg_url) as other:
        copy = other.get_visit(visit.id).photo.stored_path
        assert copy.read_bytes() == photo.read_bytes() and str(other_dir) in str(copy)
    # ...an admin erases the client on the first one; the other's cached copy goes at its
    # next start.
    with open_store(data_dir, database_url=pg_url) as store:
        store.delete_client(cid)
        assert not visit.photo.stored_path.exists()
    assert copy.exists()
    open_store(other_dir, database_url=pg_url).close()
    assert not copy.exists()


def test_a_stale_visit_edit_is_refused(any_store, data_dir, monkeypatch):
    from shadematch.records.backends.errors import EditConflict

    store = any_store
    vid = store.save_visit(store.add_client("Mo"), make_analysis(), None, batch="L1")
    mine = store.get_visit(vid)
    monkeypatch.setenv("SHADEMATCH_USER", "room 2")
    with _second(store, data_dir) as other:
        other.update_visit(vid, expected=other.get_visit(vid), batch="L2")
    with pytest.raises(EditConflict, match="changed by room 2.*\\(batch\\).*Both of you "
                                           "changed batch") as caught:
        store.update_visit(vid, expected=mine, batch="L3")
    assert caught.value.current.batch == "L2" and store.get_visit(vid).batch == "L2"
    assert store.update_visit(vid, expected=caught.value.current, notes="ok").row_version == 3
