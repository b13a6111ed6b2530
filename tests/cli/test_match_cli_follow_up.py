"""`shadematch match ... --client ID --save --kind follow-up --follows VISIT_ID`: a follow-up
visit linked to the session it follows; links to an unknown visit or another client's refused."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_match_cli_healed_region import _photo  # noqa: E402

from shadematch.cli import main  # noqa: E402
from shadematch.records import open_store  # noqa: E402

REGIONS = ["--hair", "10,10,180,180", "--skin", "410,10,180,180"]


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(data))
    return data


def _save(capsys, args) -> dict:
    assert main(["match", *args, "--save", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_follow_up_is_linked_to_the_session_it_follows(tmp_path, store_dir, capsys):
    photo = str(_photo(tmp_path / "follow.png"))
    with open_store() as store:
        ann = store.add_client("Ann Example", dob="1980-02-03")
    session = _save(capsys, [photo, *REGIONS, "--client", str(ann), "--kind", "session",
                             "--batch", "LOT-7", "--visit-date", "2026-01-05"])
    follow = _save(capsys, [photo, *REGIONS, "--healed", "210,10,180,180", "--client", str(ann),
                            "--kind", "follow-up", "--follows", str(session["visit_id"]),
                            "--visit-date", "2026-03-05"])
    with open_store() as store:
        visits = {v.id: v for v in store.visits(ann)}
    first, later = visits[session["visit_id"]], visits[follow["visit_id"]]
    assert (first.kind, first.batch, first.follows_visit_id) == ("session", "LOT-7", None)
    assert later.kind == "follow-up" and later.follows_visit_id == first.id
    assert later.visit_date.startswith("2026-03-05")
    assert "healed" in later.analysis["samples"]
    # the appearance model version the ranking used is kept with the visit
    used = follow["matching"]["appearance"]["model"]["parameters_version"]
    assert later.model_version == str(used) and used is not None
    assert later.to_dict()["follows_visit_id"] == first.id


def test_following_an_unknown_or_another_clients_visit_is_refused(tmp_path, store_dir, capsys):
    photo = str(_photo(tmp_path / "follow.png"))
    with open_store() as store:
        ann = store.add_client("Ann Example", dob="1980-02-03")
        bob = store.add_client("Bob Example", dob="1975-06-07")
    bobs = _save(capsys, [photo, *REGIONS, "--client", str(bob), "--kind", "session"])
    cases = {str(bobs["visit_id"]): "another client's",
             "9999": "no visit #9999"}
    for followed, words in cases.items():
        code = main(["match", photo, *REGIONS, "--client", str(ann), "--save", "--kind",
                     "follow-up", "--follows", followed])
        err = capsys.readouterr().err.strip()
        assert code != 0 and words in err and len(err.splitlines()) == 1, err
    # a consultation follows nothing; --follows without --save is refused before measuring
    assert main(["match", photo, *REGIONS, "--client", str(ann), "--save",
                 "--follows", str(bobs["visit_id"])]) != 0
    assert "only a follow-up or touch-up" in capsys.readouterr().err
    assert main(["match", photo, *REGIONS, "--kind", "follow-up", "--follows", "1"]) != 0
    assert "add --client ID --save" in capsys.readouterr().err
    with open_store() as store:
        assert store.visits(ann) == []


def test_a_clients_analysis_ranks_with_the_active_fitted_model(tmp_path, store_dir, capsys):
    from types import SimpleNamespace

    from shadematch.appearance import SHIPPED, ModelParameters

    photo = str(_photo(tmp_path / "follow.png"))
    fitted = ModelParameters.from_dict({**SHIPPED.to_dict(), "name": "clinic", "version": 5,
                                        "neat_ink_mua_550": SHIPPED.neat_ink_mua_550 * 1.6})
    with open_store() as store:
        ann = store.add_client("Ann Example", dob="1980-02-03")
        shipped = _save(capsys, [photo, *REGIONS, "--client", str(ann)])
        store.save_fitted_model(SimpleNamespace(fitted=fitted, accepted=True, excluded=[],
                                                error_current=2.0, loo_error_fitted=1.0,
                                                used=["a"] * 10))
    clinic = _save(capsys, [photo, *REGIONS, "--client", str(ann)])
    assert shipped["matching"]["appearance"]["model"]["parameters_version"] == SHIPPED.version
    assert clinic["matching"]["appearance"]["model"]["parameters"] == "clinic"
    assert clinic["matching"]["appearance"]["model"]["parameters_version"] == 5
    healed = {r["id"]: r["healed_lab"] for r in shipped["ranking"]}
    assert any(r["healed_lab"] != healed.get(r["id"]) for r in clinic["ranking"])
    with open_store() as store:
        assert store.get_visit(clinic["visit_id"]).model_version == "5"
