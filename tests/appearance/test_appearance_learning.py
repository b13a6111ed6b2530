"""Learning the model from a clinic's outcomes, and touch-up dilutions for faded SMP.

Synthetic outcomes are generated from a model whose parameters differ from the shipped ones (a
stronger, deeper ink that fades faster, one pigment stronger than its palette says), with
measurement noise; a fit on 30 of them must predict 10 held-out ones much better than the
shipped model does.
"""

from __future__ import annotations

import numpy as np
import pytest

from shadematch.appearance import SHIPPED, ModelParameters, ink_amount, predict_palette
from shadematch.appearance.learning import (
    MIN_OUTCOMES,
    Outcome,
    _Problem,
    check_outcomes,
    fit_model,
    touch_up,
)
from shadematch.appearance.model_parameters import HEALED_DAYS
from shadematch.color.delta_e import delta_E
from shadematch.errors import AppearanceError
from shadematch.palettes import load_palette

TRUTH = ModelParameters(neat_ink_mua_550=420.0, dermis_above_ink_um=50.0, fresh_factor=2.8,
                        fade_per_year=0.16, pigment_strength={"warm-black": 1.6},
                        name="truth", version=1)


@pytest.fixture(scope="module")
def palette():
    return load_palette("smp-undertones-modelled")


def _outcomes(palette, n, seed, model=TRUTH, noise=0.4):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        skin = (rng.uniform(38, 72), rng.uniform(6, 14), rng.uniform(12, 22))
        entry = palette.entries[rng.integers(len(palette.entries))]
        days = float(rng.choice([30, 45, 60, 120, 400, 900, 1500, 2500]))
        probe = Outcome(f"o{seed}-{i}", skin, entry, days, (50.0, 0.0, 0.0))
        usable, _ = check_outcomes([probe])
        Lab = _Problem(usable, model).predict(model)[0] + rng.normal(0, noise, 3)
        out.append(Outcome(probe.id, skin, entry, days, tuple(Lab)))
    return out


def _error(outcomes, model):
    usable, _ = check_outcomes(outcomes)
    problem = _Problem(usable, model)
    return float(np.mean(delta_E(problem.predict(model), problem.target)))


def test_the_generator_agrees_with_the_palette_prediction(palette):
    """The fitting code's prediction is the model's: a healed outcome at 42 days equals
    predict_palette's healed colour for that skin, pigment and dilution."""
    from shadematch.appearance import fit_skin

    entry = palette.entries[5]
    skin_Lab = (60.0, 10.0, 17.0)
    usable, _ = check_outcomes([Outcome("x", skin_Lab, entry, HEALED_DAYS, (0.0, 0.0, 0.0))])
    mine = _Problem(usable, TRUTH).predict(TRUTH)[0]
    theirs = predict_palette(fit_skin(skin_Lab), [entry], model=TRUTH).healed[0]
    assert mine == pytest.approx(theirs, abs=1e-6)


def test_a_fit_on_30_outcomes_predicts_held_out_ones_far_better(palette):
    train = _outcomes(palette, 30, seed=1)
    held_out = _outcomes(palette, 10, seed=2)
    report = fit_model(train)
    assert report.accepted, report.message
    before, after = _error(held_out, SHIPPED), _error(held_out, report.model)
    assert before > 2.0
    assert after < 0.45 * before and after < 1.2
    # the leave-one-out figure reported is of the same order as the true held-out error
    assert report.loo_error_fitted == pytest.approx(after, abs=0.6)
    assert report.error_current > 2 * report.loo_error_fitted
    # the parameters move towards the truth
    m = report.model
    assert abs(m.neat_ink_mua_550 - 420) < abs(SHIPPED.neat_ink_mua_550 - 420)
    assert abs(m.fade_per_year - 0.16) < 0.05
    assert m.strength("warm-black") > 1.25
    assert m.name == "clinic" and m.version == 2
    assert len(report.predictions) == 30 and report.to_dict()["used"] == 30


def test_a_fit_that_is_no_better_does_not_replace_the_model(palette):
    """Outcomes that the current model already predicts (only noise left): refused."""
    outcomes = _outcomes(palette, 12, seed=3, model=SHIPPED, noise=0.6)
    report = fit_model(outcomes)
    assert not report.accepted
    assert report.model is SHIPPED
    assert "not replaced" in report.message


def test_unusable_outcomes_are_excluded_with_their_reason(palette):
    entry = palette.entries[0]
    no_optics = type("E", (), {"pigment_id": "mystery", "optics": None, "water_parts": 1,
                               "pigment_parts": 1})()
    bad = [
        Outcome("unlinked", (60, 10, 17), entry, 60, (50, 1, 4), follows=None),
        Outcome("batch", (60, 10, 17), entry, 60, (50, 1, 4), same_batch=False),
        Outcome("noskin", None, entry, 60, (50, 1, 4)),
        Outcome("future", (60, 10, 17), entry, -3, (50, 1, 4)),
        Outcome("ancient", (60, 10, 17), entry, 40 * 365.25, (50, 1, 4)),
        Outcome("nan", (60, 10, 17), entry, 60, (float("nan"), 1, 4)),
        Outcome("optics", (60, 10, 17), no_optics, 60, (50, 1, 4)),
        Outcome("nochart", (60, 10, 17), entry, 60, (50, 1, 4), calibrated=False),
        Outcome("notskin", (60, 60, -40), entry, 60, (50, 1, 4)),
    ]
    usable, excluded = check_outcomes(bad)
    assert usable == []
    reasons = dict(excluded)
    assert "linked" in reasons["unlinked"] and "batch" in reasons["batch"]
    assert "skin sample" in reasons["noskin"] and "not credible" in reasons["future"]
    assert "not credible" in reasons["ancient"] and "healed" in reasons["nan"]
    assert "optical" in reasons["optics"] and "not calibrated" in reasons["nochart"]
    assert "cannot be modelled" in reasons["notskin"]
    usable, _ = check_outcomes(bad[-2:-1], include_uncalibrated=True)
    assert len(usable) == 1


def test_too_few_outcomes_say_how_many_more_are_needed(palette):
    report = fit_model(_outcomes(palette, 5, seed=4))
    assert not report.accepted and report.fitted is None
    assert f"{MIN_OUTCOMES - 5} more calibrated follow-ups needed" in report.message


def test_ink_amount_over_time_and_model_records(palette):
    amounts = ink_amount([0, 7, 24.5, 42, 42 + 365.25 * 5], TRUTH)
    assert amounts[0] == pytest.approx(2.8) and amounts[1] == pytest.approx(2.8)
    assert 1.0 < amounts[2] < 2.8 and amounts[3] == pytest.approx(1.0)
    assert amounts[4] == pytest.approx(0.84 ** 5)
    assert ModelParameters.from_dict(TRUTH.to_dict()) == TRUTH
    with pytest.raises(AppearanceError, match="fade_per_year"):
        ModelParameters.from_dict({**TRUTH.to_dict(), "fade_per_year": 3})
    with pytest.raises(AppearanceError, match="damaged"):
        ModelParameters.from_dict({"name": "x"})
    with pytest.raises(AppearanceError, match="days >= 0"):
        ink_amount(-1)


def test_a_fitted_model_changes_the_ranking_record(palette):
    from shadematch.matching import rank_healed

    ranking = rank_healed((30.0, 2.0, 4.0), palette, (60.0, 10.0, 17.0), model=TRUTH)
    info = ranking.info()["model"]
    assert info["parameters"] == "truth" and info["neat_ink_mua_550_per_cm"] == 420.0
    assert info["pigment_strength"] == {"warm-black": 1.6}
    shipped = rank_healed((30.0, 2.0, 4.0), palette, (60.0, 10.0, 17.0))
    assert shipped.info()["model"]["parameters"] == "shipped"
    assert not np.allclose(ranking.predicted.healed, shipped.predicted.healed)


def test_touch_up_finds_the_ink_left_and_the_dilution_that_brings_it_back(palette):
    from shadematch.appearance import fit_skin, predict

    skin_Lab, hair = (62.0, 10.0, 17.0), (34.0, 2.0, 5.0)
    skin = fit_skin(skin_Lab)
    cool = [e for e in palette.entries if e.pigment_id == "neutral-black"]
    # a mid dilution (a neat layer is close to opaque: its ink left cannot be told apart)
    session = next(e for e in cool if e.water_parts / e.pigment_parts == 2.0)
    years = 6.0
    faded = predict.predict_palette(skin, [session], years=years).faded[0]
    plan = touch_up(skin_Lab, faded, hair, cool, session_entry=session,
                    days_since_session=HEALED_DAYS + years * 365.25)
    # the ink left is what 6 years of fading leave of the session's healed amount
    healed_amount = session.pigment_parts / (session.pigment_parts + session.water_parts)
    assert plan.remaining == pytest.approx(healed_amount * (1 - 0.08) ** years, rel=0.05)
    assert plan.predicted_now_Lab == pytest.approx(tuple(faded), abs=0.05)
    # the best touch-up heals closer to the hair than leaving it faded
    assert plan.best.delta_e < float(delta_E(np.asarray(hair), faded))
    assert [o.delta_e for o in plan.options] == sorted(o.delta_e for o in plan.options)
    # a lighter faded dot needs a stronger touch-up than a barely faded one
    light = touch_up(skin_Lab, predict.predict_palette(skin, [session], years=20).faded[0],
                     hair, cool, session_entry=session)
    barely = touch_up(skin_Lab, predict.predict_palette(skin, [session], years=1).faded[0],
                      hair, cool, session_entry=session)

    def strength(entry):
        return entry.pigment_parts / (entry.pigment_parts + entry.water_parts)

    assert strength(light.best.entry) >= strength(barely.best.entry)
    with pytest.raises(AppearanceError, match="no touch-up dilutions"):
        touch_up(skin_Lab, faded, hair, [])
