"""Fitted appearance models kept versioned, one active, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from healed_outcomes import PALETTE, save_outcomes

from shadematch.appearance.learning import fit_model
from shadematch.errors import RecordsError
from shadematch.palettes import load_palette
from shadematch.records.outcomes import recorded_outcomes


def test_fits_are_versioned_and_one_is_active(any_store):
    store = any_store
    save_outcomes(store, load_palette(PALETTE), 10, seed=11)
    report = fit_model(recorded_outcomes(store).outcomes)
    assert report.accepted
    first = store.save_fitted_model(report)
    second = store.save_fitted_model(report)          # the same fit again: the next version
    assert (first.version, second.version) == ("2", "3")
    assert [m.active for m in store.fitted_models()] == [False, True]
    assert store.active_model().version == 3
    store.activate_model("2")
    assert store.active_model().version == 2
    store.activate_model(None)
    assert store.active_model() is None
    with pytest.raises(RecordsError, match="no fitted model"):
        store.activate_model("7")
    assert store.fitted_models()[0].parameters == first.parameters
