"""RecordStore: clients, screening, consent, visits, photo copies, touch-up comparison, privacy."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat

import numpy as np
import pytest
from PIL import Image
from records_helpers import make_analysis, make_photo

from shadematch.errors import RecordsError
from shadematch.records import SCREENING_ITEMS, open_store, save_analysis_to_client


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_add_get_update_search(any_store):
    store = any_store  # on SQLite and on PostgreSQL
    ann = store.add_client("Ann Smith", dob="1980-02-03", contact="ann@example.org",
                           hair_loss_pattern="Ludwig II", notes="prefers mornings")
    bob = store.add_client("  Bob Jones ", contact="+44 7700 900123")
    client = store.get_client(ann)
    assert (client.name, client.dob, client.contact, client.hair_loss_pattern) == (
        "Ann Smith", "1980-02-03", "ann@example.org", "Ludwig II")
    assert store.get_client(bob).name == "Bob Jones"
    assert [c.id for c in store.search_clients("")] == [ann, bob]
    assert [c.id for c in store.search_clients("jones")] == [bob]
    assert [c.id for c in store.search_clients("7700")] == [bob]
    assert [c.id for c in store.search_clients(f"#{ann}")] == [ann]
    assert [c.id for c in store.search_clients("1")] == [ann, bob]  # id 1, or "1" in a phone
    assert store.search_clients("100%") == []  # LIKE wildcards are escaped
    updated = store.update_client(bob, dob="1975-12-31", hair_loss_pattern="Norwood 5")
    assert (updated.dob, updated.hair_loss_pattern, updated.name) == (
        "1975-12-31", "Norwood 5", "Bob Jones")


@pytest.mark.parametrize("kwargs, words", [
    ({"name": "  "}, "needs a name"),
    ({"name": "X", "dob": "03/02/1980"}, "YYYY-MM-DD"),
    ({"name": "X", "dob": "2999-01-01"}, "in the future"),
])
def test_bad_client_input_is_explained(any_store, kwargs, words):
    store = any_store  # on SQLite and on PostgreSQL
    with pytest.raises(RecordsError, match=words):
        store.add_client(**kwargs)
    assert store.search_clients() == []


def test_unknown_client_and_visit(any_store):
    store = any_store  # on SQLite and on PostgreSQL
    with pytest.raises(RecordsError, match="no client #42"):
        store.get_client(42)
    with pytest.raises(RecordsError, match="no visit #7"):
        store.get_visit(7)
    with pytest.raises(RecordsError, match="Cannot update uid"):
        store.update_client(1, uid="x")


def test_screening_flags_and_consent(any_store):
    store = any_store  # on SQLite and on PostgreSQL
    cid = store.add_client("Cara")
    assert store.get_client(cid).flags() == []
    store.set_screening(cid, {"keloid": "yes", "clotting": {"answer": "no", "note": "none"},
                              "pigment_allergy": {"answer": "no", "patch_test_date": "2026-10-01",
                                                  "patch_test_result": "no reaction"}})
    client = store.get_client(cid)
    assert client.flags() == ["keloid"]
    assert client.flag_labels() == [SCREENING_ITEMS["keloid"]]
    assert client.screening.answers["pigment_allergy"]["patch_test_date"] == "2026-10-01"
    assert client.screening.answers["clotting"] == {"answer": "no", "note": "none"}
    assert client.screening.answers["diabetes"]["answer"] is None
    # The latest screening counts; the earlier one is kept.
    store.set_screening(cid, {"keloid": "no", "diabetes": True},
                        when="2030-01-01T00:00:00+00:00")
    assert store.get_client(cid).flags() == ["diabetes"]
    assert len(store.screenings(cid)) == 2
    with pytest.raises(RecordsError, match="Unknown screening item"):
        store.set_screening(cid, {"tattoo": "yes"})
    with pytest.raises(RecordsError, match="'yes', 'no' or empty"):
        store.set_screening(cid, {"keloid": "maybe"})
    assert client.consent_at is None
    when = store.record_consent(cid, when=dt.datetime(2026, 11, 20, 9, 30,
                                                     tzinfo=dt.timezone.utc))
    assert when == "2026-11-20T09:30:00+00:00"
    assert store.get_client(cid).consent_at == when


def test_under_18_blocks_treatment_but_not_consultation(any_store, photo):
    store = any_store  # on SQLite and on PostgreSQL
    today = dt.date.today()
    minor = store.add_client("Dan", dob=today.replace(year=today.year - 17).isoformat())
    adult = store.add_client("Eve", dob=today.replace(year=today.year - 18).isoformat())
    flagged = store.add_client("Fay")
    store.set_screening(flagged, {"under_18": "yes"})
    assert store.get_client(minor).flags() == ["under_18"]
    for client_id in (minor, flagged):
        for kind in ("session", "touch-up", "session 2"):
            with pytest.raises(RecordsError, match="under 18.*Record a consultation"):
                store.save_visit(client_id, make_analysis(), photo, kind=kind)
        assert store.save_visit(client_id, make_analysis(), photo, kind="consultation") > 0
    assert store.save_visit(adult, make_analysis(), photo, kind="session") > 0
    assert [v.kind for v in store.visits(minor)] == ["consultation"]


def test_visit_round_trip_with_photo_copy(any_store, photo, tmp_path):
    store = any_store  # on SQLite and on PostgreSQL
    cid = store.add_client("Gus", dob="1970-01-01")
    analysis = make_analysis()
    vid = store.save_visit(cid, analysis, photo, kind="session", batch="LOT-42",
                           notes="first pass", visit_date="2026-11-01")
    visit = store.get_visit(vid)
    assert visit.analysis == analysis
    assert (visit.kind, visit.session_number, visit.label) == ("session", 1, "Session 1")
    # Chosen pigment and dilution default to the analysis's primary pick.
    assert (visit.chosen_entry_id, visit.chosen_name, visit.dilution, visit.batch) == (
        "carbon-black@4:1", "Carbon Black", "4:1", "LOT-42")
    assert visit.visit_date == "2026-11-01"
    copy = visit.photo
    assert copy.original_path == str(photo)
    assert copy.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert copy.stored_path.read_bytes() == photo.read_bytes()
    assert copy.stored_path.name == f"{copy.sha256}.jpg"
    # The camera folder gets emptied: the copy is what remains.
    photo.unlink()
    assert store.get_visit(vid).photo.stored_path.is_file()
    with Image.open(copy.thumbnail_path) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= 256

    second = store.save_visit(cid, make_analysis(pick="espresso@2:1"), None, kind="session",
                              dilution="3:1")
    explicit = store.save_visit(cid, make_analysis(), None, kind="touch-up",
                                chosen_entry_id="espresso@2:1")
    assert store.get_visit(second).session_number == 2
    # One pigment and one dilution: never the entry's "Espresso 2:1" beside another "3:1".
    assert (store.get_visit(second).chosen_entry_id, store.get_visit(second).chosen_name,
            store.get_visit(second).dilution) == ("espresso@2:1", "Espresso", "3:1")
    assert (store.get_visit(explicit).chosen_name, store.get_visit(explicit).dilution) == (
        "Espresso", "2:1")
    # A dilution the analysis ranked for the same pigment refers to that entry.
    ranked = make_analysis(pick="espresso@2:1")
    ranked["ranking"].append({"rank": 3, "id": "espresso@4:1", "pigment_id": "espresso",
                              "name": "Espresso 4:1", "pigment_name": "Espresso",
                              "dilution": "4:1", "lab": [30.0, 5.0, 9.0], "delta_e": 5.0})
    other = store.get_visit(store.save_visit(cid, ranked, None, dilution="8 : 2"))
    assert (other.chosen_entry_id, other.chosen_name, other.dilution) == (
        "espresso@4:1", "Espresso", "4:1")
    assert store.get_visit(explicit).session_number is None
    assert [v.id for v in store.visits(cid)] == [vid, second, explicit, other.id]
    store.update_visit(vid, report_path=str(tmp_path / "report.pdf"))
    assert store.get_visit(vid).report_path == str(tmp_path / "report.pdf")
    with pytest.raises(RecordsError, match="Unknown visit kind"):
        store.save_visit(cid, make_analysis(), None, kind="coffee")
    with pytest.raises(RecordsError, match="analysis record"):
        store.save_visit(cid, [1, 2], None)
    with pytest.raises(RecordsError, match="could not be read"):
        store.save_visit(cid, make_analysis(), tmp_path / "gone.jpg")


def test_same_photo_is_stored_once(any_store, photo):
    store = any_store  # on SQLite and on PostgreSQL
    cid = store.add_client("Hal")
    first = store.save_visit(cid, make_analysis(), photo)
    second = store.save_visit(cid, make_analysis(), photo)
    assert store.get_visit(first).photo.stored_path == store.get_visit(second).photo.stored_path
    assert store.counts()["photos"] == 1
    assert len(list((store.root / "photos").glob("*/*"))) == 1


def test_thumbnail_applies_exif_orientation(any_store, tmp_path):
    store = any_store  # on SQLite and on PostgreSQL
    # Stored 48 x 96 (h x w) with orientation 6 (rotate 90 CW): displayed 96 tall, 48 wide.
    rotated = make_photo(tmp_path / "rot.jpg", seed=3, size=(48, 96), orientation=6)
    cid = store.add_client("Ida")
    visit = store.get_visit(store.save_visit(cid, make_analysis(), rotated))
    with Image.open(visit.photo.thumbnail_path) as thumb:
        width, height = thumb.size
    assert height > width


def test_touch_up_comparison_against_earlier_visits(any_store):
    store = any_store  # on SQLite and on PostgreSQL
    import colour

    cid = store.add_client("Jo")
    first = store.save_visit(cid, make_analysis(hair=(20, 2, 3), skin=(60, 12, 15)), None,
                             kind="session", batch="A1", visit_date="2025-01-10")
    second = store.save_visit(cid, make_analysis(hair=(21, 2, 4), skin=(61, 12, 15),
                                                 pick="espresso@2:1"), None, kind="session",
                              visit_date="2025-02-10")
    now = {"hair": [26.0, 1.0, 2.0], "skin": [58.0, 14.0, 18.0]}
    rows = store.touch_up_comparison(cid, now)
    assert [(r["visit_id"], r["class"]) for r in rows] == [
        (second, "hair"), (second, "skin"), (first, "hair"), (first, "skin")]
    hair_first = rows[2]
    expected = colour.delta_E(np.array([20.0, 2, 3]), np.array([26.0, 1, 2]), method="CIE 2000")
    assert hair_first["delta_e"] == pytest.approx(expected, abs=0.01)
    assert hair_first["dL"] == pytest.approx(6.0)
    assert "lighter" in hair_first["direction"]
    assert (hair_first["chosen_entry_id"], hair_first["dilution"], hair_first["batch"]) == (
        "carbon-black@4:1", "4:1", "A1")
    assert rows[0]["chosen_name"] == "Espresso"
    assert "darker" in rows[1]["direction"]  # skin 61 -> 58
    # An analysis "samples" block is accepted as the current samples.
    block = make_analysis(hair=(26, 1, 2))["samples"]
    assert store.touch_up_comparison(cid, {"hair": block["hair"]})[0]["delta_e"] == \
        rows[0]["delta_e"]
    with pytest.raises(RecordsError, match="no valid Lab"):
        store.touch_up_comparison(cid, {"hair": [float("nan"), 0, 0]})


def test_files_and_folders_are_owner_only(store, photo, tmp_path):
    cid = store.add_client("Kim")
    store.save_visit(cid, make_analysis(), photo)
    backup = store.backup()
    export = store.export_client(cid, tmp_path / "export")
    root = store.root
    folders = [root, root / "photos", root / "thumbs", root / "backups", export,
               export / "photos", *(p for p in (root / "photos").iterdir())]
    files = [store.db_path, backup, *root.glob("photos/*/*"), *root.glob("thumbs/*"),
             *export.rglob("*.*")]
    files += [p for p in (root / "records.db-wal", root / "records.db-shm") if p.exists()]
    assert len(files) >= 6
    for folder in folders:
        assert _mode(folder) == 0o700, folder
    for path in files:
        assert _mode(path) == 0o600, path
    assert store.check() == []


def test_check_reports_missing_and_altered_photos(store, photo):
    cid = store.add_client("Lou")
    visit = store.get_visit(store.save_visit(cid, make_analysis(), photo))
    assert store.check() == []
    visit.photo.stored_path.write_bytes(b"tampered")
    assert any("does not match its SHA-256" in p for p in store.check())
    visit.photo.stored_path.unlink()
    visit.photo.thumbnail_path.unlink()
    problems = store.check()
    assert any("is missing" in p and "photos" in p for p in problems)
    assert any("thumbnail" in p for p in problems)


def test_delete_client_erases_visits_and_unshared_photos(any_store, tmp_path):
    store = any_store  # on SQLite and on PostgreSQL
    shared = make_photo(tmp_path / "shared.jpg", seed=5)
    own = make_photo(tmp_path / "own.jpg", seed=6)
    a = store.add_client("Max")
    b = store.add_client("Ned")
    store.set_screening(a, {"keloid": "yes"})
    store.record_consent(a)
    va = store.save_visit(a, make_analysis(), own)
    store.save_visit(a, make_analysis(), shared)
    vb = store.save_visit(b, make_analysis(), shared)
    own_copy = store.get_visit(va).photo
    assert store.delete_client(a) == {"visits": 2, "photos": 1, "backups": 0, "reports": 0,
                                      "autosaves": 0, "thumbnails": 0, "log_lines": 0}
    assert not own_copy.stored_path.exists() and not own_copy.thumbnail_path.exists()
    assert store.get_visit(vb).photo.stored_path.is_file()
    assert [c.id for c in store.search_clients()] == [b]
    counts = store.conn.execute(
        "SELECT (SELECT COUNT(*) FROM screenings), (SELECT COUNT(*) FROM consents), "
        "(SELECT COUNT(*) FROM visit_photos)").fetchone()
    assert counts == (0, 0, 1)
    assert store.check() == []
    if store.backend != "sqlite":
        return
    # secure_delete + checkpoint: the erased name is gone from the database files.
    blob = store.db_path.read_bytes()
    wal = store.db_path.with_name("records.db-wal")
    blob += wal.read_bytes() if wal.exists() else b""
    assert b"Max" not in blob


def test_orphan_files_are_only_pruned_on_request(data_dir, photo):
    store = open_store(data_dir)
    orphan = store.files.stored_path("ab/" + "ab" * 32 + ".jpg")
    orphan.parent.mkdir(mode=0o700)
    orphan.write_bytes(b"left by a killed save")
    stale_tmp = store.files.thumbs_dir / ".x.jpg.abc.tmp"
    stale_tmp.write_bytes(b"half")
    os.utime(stale_tmp, (0, 0))
    cid = store.add_client("Ona")
    kept = store.get_visit(store.save_visit(cid, make_analysis(), photo)).photo.stored_path
    store.close()
    store = open_store(data_dir)
    assert orphan.exists()             # never swept automatically
    assert not stale_tmp.exists()      # temporary files of killed writes are
    assert store.prune_orphans() == []  # too recent: may belong to a save in progress
    assert store.prune_orphans(min_age=0.0) == [orphan]
    assert kept.exists() and store.check() == []
    store.close()


def test_erasure_interrupted_after_commit_is_finished_at_next_start(data_dir, photo,
                                                                    monkeypatch):
    from shadematch.records.store import RecordStore

    store = open_store(data_dir)
    cid = store.add_client("Pat")
    copy = store.get_visit(store.save_visit(cid, make_analysis(), photo)).photo
    # The process "dies" right after the transaction: the files are still there.
    monkeypatch.setattr(RecordStore, "_finish_file_deletions", lambda self: None)
    store.delete_client(cid)
    store.close()
    assert copy.stored_path.exists() and copy.thumbnail_path.exists()
    monkeypatch.undo()
    with open_store(data_dir) as store:
        assert not copy.stored_path.exists() and not copy.thumbnail_path.exists()
        assert store.conn.execute("SELECT COUNT(*) FROM file_deletions").fetchone()[0] == 0


def test_erasure_does_not_remove_a_photo_saved_again(any_store, photo):
    store = any_store  # on SQLite and on PostgreSQL
    first = store.add_client("Quinn")
    store.save_visit(first, make_analysis(), photo)
    store.delete_client(first)
    second = store.add_client("Ray")
    visit = store.get_visit(store.save_visit(second, make_analysis(), photo))
    assert visit.photo.stored_path.is_file() and store.check() == []


def test_save_analysis_to_client(data_dir, photo):
    with open_store(data_dir) as store:
        cid = store.add_client("Pia")
    analysis = make_analysis()
    analysis["photo"]["path"] = str(photo)
    vid = save_analysis_to_client(cid, analysis, None, data_dir=data_dir)
    vid2 = save_analysis_to_client(cid, analysis, photo, kind="session", batch="B7")
    with open_store() as store:
        visit = store.get_visit(vid)
        assert visit.photo.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
        assert visit.kind == "consultation"
        assert (store.get_visit(vid2).kind, store.get_visit(vid2).batch) == ("session", "B7")


def test_store_usable_from_another_thread(any_store):
    store = any_store  # on SQLite and on PostgreSQL
    import threading

    results = []
    thread = threading.Thread(target=lambda: results.append(store.add_client("Quin")))
    thread.start()
    thread.join()
    assert store.get_client(results[0]).name == "Quin"


def test_unusable_data_folder_is_explained(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(RecordsError, match="cannot be used.*SHADEMATCH_DATA_DIR"):
        open_store(not_a_folder)
