"""`shadematch appearance fit|list|use` end to end: synthetic healed results saved as real
follow-up visits in a temporary store, fitted from the command line."""

from __future__ import annotations

import json

import pytest
from healed_outcomes import PALETTE, save_outcomes

from shadematch.appearance import SHIPPED
from shadematch.appearance.learning import MIN_OUTCOMES
from shadematch.cli import main
from shadematch.palettes import load_palette
from shadematch.records import open_store


@pytest.fixture(scope="module")
def palette():
    return load_palette(PALETTE)


def _run(capsys, *args):
    code = main(["appearance", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_fit_on_30_follow_ups_beats_the_shipped_model_and_becomes_active(data_dir, palette,
                                                                           capsys):
    with open_store(data_dir) as store:
        save_outcomes(store, palette, 30, seed=3)
    code, out, _ = _run(capsys, "fit", "--json")
    report = json.loads(out)
    assert code == 0 and report["accepted"] and report["used"] == 30
    before, after = report["error_current_de00"], report["loo_error_fitted_de00"]
    assert after < 0.5 * before, (before, after)
    assert report["stored_version"] == report["active_version"] == str(SHIPPED.version + 1)
    with open_store(data_dir) as store:
        active = store.active_model()
        (stored,) = store.fitted_models()
    assert active is not None and active.version == SHIPPED.version + 1
    assert stored.active and stored.n_outcomes == 30 and stored.loo_after == pytest.approx(after, abs=1e-3)
    code, out, _ = _run(capsys, "list")
    assert code == 0 and out.startswith(f"* {stored.version}") and "30 outcomes" in out
    # back to the shipped model, and the list says so
    assert _run(capsys, "use", "shipped")[0] == 0
    listing = json.loads(_run(capsys, "list", "--json")[1])
    assert listing["active"] == "shipped" and not listing["models"][0]["active"]
    code, _, err = _run(capsys, "use", "99")
    assert code != 0 and "no fitted model '99'" in err


def test_a_fit_no_better_than_the_model_in_use_is_kept_not_used(data_dir, palette, capsys):
    with open_store(data_dir) as store:
        save_outcomes(store, palette, 12, seed=5, model=SHIPPED, noise=0.6)
    code, out, _ = _run(capsys, "fit")
    assert "kept, not in use" in out
    with open_store(data_dir) as store:
        assert store.active_model() is None
        assert [m.active for m in store.fitted_models()] == [False]


def test_too_few_outcomes_say_how_many_more_are_needed(data_dir, palette, capsys):
    with open_store(data_dir) as store:
        save_outcomes(store, palette, 3, seed=7)
        client = store.add_client("Lone", dob="1980-01-01")
        from healed_outcomes import healed_analysis

        store.save_visit(client, healed_analysis((60.0, 10.0, 16.0), (40.0, 1.0, -2.0)), None,
                         kind="follow-up", visit_date="2025-05-01")
    code, out, _ = _run(capsys, "fit")
    assert code == 1 and f"{MIN_OUTCOMES - 3} more calibrated follow-ups needed" in out
    assert "not linked to the session" in out
    with open_store(data_dir) as store:
        assert store.fitted_models() == []
