"""Server mode: `records migrate-to`, settings and passwords, edit conflicts, the change
signal, the server going away (a real PostgreSQL server, see conftest.pg_server)."""

from __future__ import annotations

import hashlib
import json

import pytest
from records_helpers import make_analysis, make_photo

from shadematch.cli import main
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
