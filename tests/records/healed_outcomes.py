"""Synthetic healed results saved as real visits: a session and its follow-up per outcome, the
follow-up's healed colour generated from a model whose parameters differ from the shipped ones."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
from records_helpers import make_analysis

from shadematch.appearance import ModelParameters
from shadematch.appearance.learning import Outcome, _Problem, check_outcomes

PALETTE = "smp-undertones-modelled"
TRUTH = ModelParameters(neat_ink_mua_550=420.0, dermis_above_ink_um=50.0, fresh_factor=2.8,
                        fade_per_year=0.16, pigment_strength={"warm-black": 1.6},
                        name="truth", version=1)
START = dt.date(2025, 1, 6)


def healed_analysis(skin, healed, calibrated=True) -> dict:
    """A follow-up's analysis record: a skin sample and a healed SMP sample."""
    data = make_analysis(skin=skin, pick=None)
    data["matching"]["palette"]["name"] = PALETTE
    sample = copy.deepcopy(data["samples"]["hair"])
    sample.update({"class": "healed", "lab": [float(v) for v in healed],
                   "calibrated": calibrated})
    data["samples"]["healed"] = sample
    data["samples"]["skin"]["calibrated"] = calibrated
    return data


def save_outcomes(store, palette, n, seed=0, model=TRUTH, noise=0.4, calibrated=True) -> list:
    """n clients, each with a session and a follow-up linked to it; returns the follow-up ids."""
    rng = np.random.default_rng(seed)
    ids = []
    for i in range(n):
        skin = (rng.uniform(38, 72), rng.uniform(6, 14), rng.uniform(12, 22))
        entry = palette.entries[rng.integers(len(palette.entries))]
        days = int(rng.choice([30, 45, 60, 120, 400, 900, 1500, 2500]))
        probe = Outcome("probe", skin, entry, days, (50.0, 0.0, 0.0))
        usable, _ = check_outcomes([probe])
        healed = _Problem(usable, model).predict(model)[0] + rng.normal(0, noise, 3)
        client = store.add_client(f"Client {seed}-{i}", dob="1980-01-01")
        session = make_analysis(skin=skin, pick=None)
        session["matching"]["palette"]["name"] = PALETTE
        sid = store.save_visit(client, session, None, kind="session", chosen_entry_id=entry.id,
                               chosen_name=entry.name, batch="LOT-1",
                               visit_date=START.isoformat())
        ids.append(store.save_visit(
            client, healed_analysis(skin, healed, calibrated), None, kind="follow-up",
            follows_visit_id=sid, batch="LOT-1",
            visit_date=(START + dt.timedelta(days=days)).isoformat()))
    return ids
