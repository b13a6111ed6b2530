"""Users and roles enforced by the records API, per role, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from records_helpers import make_analysis

from shadematch.errors import RecordsError
from shadematch.records.access import AccessDenied


@pytest.fixture
def clinic(any_store, photo):
    """A store with an admin, a practitioner and a front-desk user, and one client with a
    screening, a consent and a visit with a photo; nobody signed in."""
    store = any_store
    with pytest.raises(RecordsError, match="first user must be an admin"):
        store.add_user("Pat", "practitioner", "1234")
    store.add_user("Ada Admin", "admin", "9999")
    # From now on nothing is readable without signing in.
    with pytest.raises(AccessDenied, match="sign in"):
        store.search_clients()
    store.sign_in("Ada Admin", "9999")
    store.add_user("Pat", "practitioner", "1234")
    store.add_user("Fran", "front_desk", "5678")
    cid = store.add_client("Gil Green", dob="1975-05-05", contact="gil@example.org",
                           notes="latex allergy", hair_loss_pattern="Norwood 4")
    store.set_screening(cid, {"keloid": "yes"})
    store.record_consent(cid)
    vid = store.save_visit(cid, make_analysis(), photo, kind="session", batch="L7")
    store.lock()
    return store, cid, vid


def test_front_desk_sees_appointments_and_contacts_only(clinic, tmp_path):
    store, cid, vid = clinic
    store.sign_in("Fran", "5678")
    client = store.get_client(cid)
    assert (client.name, client.contact) == ("Gil Green", "gil@example.org")
    assert client.screening is None and client.notes is None
    assert client.hair_loss_pattern is None
    assert [c.screening for c in store.search_clients("gil")] == [None]
    visit = store.get_visit(vid)
    assert (visit.kind, visit.session_number) == ("session", 1)
    assert visit.analysis == {} and visit.photos == [] and visit.batch is None
    assert [v.photos for v in store.visits(cid)] == [[]]
    # Contact details and consent: allowed.
    store.update_client(cid, contact="0777")
    store.record_consent(cid)
    new = store.add_client("Hana Hill")
    for call, what in [
            (lambda: store.screenings(cid), "see screening answers"),
            (lambda: store.set_screening(cid, {"keloid": "no"}), "record a screening"),
            (lambda: store.save_visit(new, make_analysis(), None), "save or change visits"),
            (lambda: store.update_visit(vid, notes="x"), "save or change visits"),
            (lambda: store.export_client(cid, tmp_path / "out"), "export a client"),
            (lambda: store.delete_client(cid), "erase a client"),
            (lambda: store.add_user("Eve", "admin", "0000"), "change users"),
            (lambda: store.audit_log(), "see the audit log"),
            (lambda: store.touch_up_comparison(cid, {"hair": [20, 3, 5]}),
             "see screening answers")]:
        with pytest.raises(AccessDenied, match=f"Fran \\(front desk\\) may not {what}"):
            call()
    assert not (tmp_path / "out").exists()
    store.lock()
    store.sign_in("Ada Admin", "9999")
    assert store.get_client(cid).contact == "0777"
    assert len(store.get_client(cid).consents) == 2


def test_practitioner_treats_but_does_not_erase_or_manage_users(clinic, photo):
    store, cid, vid = clinic
    store.sign_in("Pat", "1234")
    assert store.get_client(cid).screening.answers["keloid"]["answer"] == "yes"
    assert store.get_visit(vid).photo.stored_path.read_bytes() == photo.read_bytes()
    store.save_visit(cid, make_analysis(), photo, kind="session")
    store.set_screening(cid, {"keloid": "no"})
    with pytest.raises(AccessDenied, match="may not erase a client.*admin"):
        store.delete_client(cid)
    with pytest.raises(AccessDenied, match="change users"):
        store.set_user_role("Fran", "admin")
    assert store.get_client(cid).visit_count == 2


def test_admin_erases_and_manages_users_and_reads_the_audit_log(clinic):
    store, cid, vid = clinic
    with pytest.raises(AccessDenied, match="wrong PIN"):
        store.sign_in("Ada Admin", "0000")
    store.sign_in("Ada Admin", "9999")
    assert [u.name for u in store.users()] == ["Ada Admin", "Fran", "Pat"]
    with pytest.raises(RecordsError, match="last admin"):
        store.set_user_role("Ada Admin", "practitioner")
    store.set_user_role("Pat", disabled=True)
    store.lock()
    with pytest.raises(AccessDenied, match="disabled"):
        store.sign_in("Pat", "1234")
    store.sign_in("Ada Admin", "9999")
    store.delete_client(cid)
    log = store.audit_log()
    assert log[0]["action"] == "change user" or log[0]["action"] == "erase"
    erase = next(e for e in log if e["action"] == "erase")
    assert erase["actor"] == "Ada Admin" and erase["record"] == f"client #{cid}"
    assert not any("Gil" in str(e) for e in log)
    assert {e["actor"] for e in log if e["action"] == "create"} == {"Ada Admin"}


def test_no_users_means_a_single_workstation_with_everything_allowed(any_store):
    cid = any_store.add_client("Ivy")
    any_store.set_screening(cid, {"keloid": "no"})
    assert any_store.users() == [] and any_store.delete_client(cid)["visits"] == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_cli_signs_in_with_named_users(data_dir, capsys, monkeypatch, request, backend):
    from shadematch.cli import main

    if backend == "postgres":
        monkeypatch.setenv("SHADEMATCH_DATABASE_URL", request.getfixturevalue("pg_url"))
    monkeypatch.setenv("SHADEMATCH_NEW_PIN", "2468")
    assert main(["records", "add-user", "Ada", "--role", "admin"]) == 0
    capsys.readouterr()
    # Users exist now: the CLI refuses without a signed-in user...
    assert main(["clients", "list"]) != 0
    assert "sign in" in capsys.readouterr().err
    # ...and works once SHADEMATCH_USER and the PIN are given.
    monkeypatch.setenv("SHADEMATCH_USER", "Ada")
    monkeypatch.setenv("SHADEMATCH_PIN", "2468")
    assert main(["clients", "add", "--name", "Jo"]) == 0
    assert main(["records", "add-user", "Fran", "--role", "front_desk"]) == 0
    capsys.readouterr()
    assert main(["records", "audit", "--json"]) == 0
    log = __import__("json").loads(capsys.readouterr().out)
    assert [e["action"] for e in log][:2] == ["add user", "create"]
    assert {e["actor"] for e in log[:2]} == {"Ada"}
    monkeypatch.setenv("SHADEMATCH_PIN", "0000")
    assert main(["clients", "list"]) != 0
    assert "wrong PIN" in capsys.readouterr().err
    monkeypatch.setenv("SHADEMATCH_USER", "Fran")
    monkeypatch.setenv("SHADEMATCH_PIN", "2468")
    assert main(["clients", "delete", "1", "--yes"]) != 0
    assert "may not erase a client" in capsys.readouterr().err


def test_a_view_that_cannot_be_audited_is_still_shown(store, monkeypatch):
    cid = store.add_client("Kit")

    def full(*args, **kwargs):
        raise RecordsError("The disk holding the records is full")

    monkeypatch.setattr(store, "_audit", full)
    assert store.get_client(cid).name == "Kit"
    assert store.get_client(cid).name == "Kit"
    assert [w for w in store.warnings if "audit log" in w] == [
        "Views of records are not being written to the audit log (The disk holding the "
        "records is full); free disk space or run `shadematch records check`."]


def test_front_desk_cannot_overwrite_the_fields_it_does_not_see(clinic):
    store, cid, _vid = clinic
    store.sign_in("Fran", "5678")
    with pytest.raises(AccessDenied, match="may not change a client's notes; they are not"):
        store.update_client(cid, contact="0888", notes=None)
    with pytest.raises(AccessDenied, match="hair-loss"):
        store.update_client(cid, hair_loss_pattern="")
    store.update_client(cid, contact="0888")
    store.lock()
    store.sign_in("Ada Admin", "9999")
    client = store.get_client(cid)
    assert (client.contact, client.notes, client.hair_loss_pattern) == (
        "0888", "latex allergy", "Norwood 4")
