"""Learn the appearance model from a clinic's own healed results, and plan touch-ups.

No publication gives healed SMP colours; a clinic's follow-up photos do. Each follow-up of a
session gives an :class:`Outcome`: the client's skin, the pigment and dilution used, the days since
the session, and the measured healed dot colour. :func:`fit_model` fits the model parameters no
publication gives (:class:`~shadematch.appearance.model_parameters.ModelParameters`: neat-ink
absorption, ink depth, fresh factor, fade rate, per-pigment strength) to the usable outcomes by
least squares on CIELAB, reports the leave-one-out CIEDE2000 before (the current model) and after
(each outcome predicted by a model fitted without it), and accepts the fit only when it predicts
held-out outcomes better.

:func:`touch_up` measures how much ink is left in a faded dot and ranks the dilutions that bring
it back to the client's hair colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from shadematch.appearance import model_parameters as mp
from shadematch.appearance import skin as skin_model
from shadematch.appearance import tissue
from shadematch.appearance.model_parameters import SHIPPED, ModelParameters
from shadematch.errors import AppearanceError

MIN_OUTCOMES = 8            # fewer usable outcomes: no fit, say how many more are needed
MIN_PER_PIGMENT = 3         # a pigment's own strength is fitted from at least this many
MAX_DAYS = 20 * 365.25      # a follow-up more than 20 years after its session is not credible
MIN_IMPROVEMENT_DE00 = 0.05  # the fitted model must beat the current one by at least this
# Weak pulls towards the current model (Lab units per unit of the fitted variable), so that
# parameters the outcomes do not determine stay where they were.
PRIOR = {"log_neat": 0.5, "depth_um": 0.02, "log_fresh": 1.0, "fade": 5.0, "log_strength": 1.0}


@dataclass(frozen=True)
class Outcome:
    """One follow-up: what was done and what it looks like now.

    ``entry`` is the palette entry used (with ``optics``); ``days`` the time since the session;
    ``healed_Lab`` the measured dot colour (stubble-aware estimate on the healed region);
    ``follows`` the session visit it follows (None: not linked); ``same_batch`` False when the
    follow-up records a different pigment batch than the session.
    """

    id: str
    skin_Lab: tuple | None
    entry: object
    days: float
    healed_Lab: tuple
    calibrated: bool = True
    follows: str | None = "session"
    same_batch: bool = True


@dataclass
class FitReport:
    """What :func:`fit_model` did. ``model`` is the fitted model when ``accepted``, else the
    current one; errors are mean CIEDE2000 over the used outcomes."""

    model: ModelParameters
    current: ModelParameters
    fitted: ModelParameters | None
    used: list[str]
    excluded: list[tuple[str, str]]
    error_current: float | None
    loo_error_fitted: float | None
    accepted: bool
    message: str
    predictions: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        def r(v):
            return None if v is None else round(float(v), 3)

        return {"accepted": self.accepted, "message": self.message,
                "used": len(self.used), "excluded": [{"id": i, "reason": why}
                                                     for i, why in self.excluded],
                "error_current_de00": r(self.error_current),
                "loo_error_fitted_de00": r(self.loo_error_fitted),
                "current": self.current.to_dict(),
                "fitted": None if self.fitted is None else self.fitted.to_dict(),
                "model": self.model.to_dict(), "predictions": self.predictions}


def _finite_Lab(value) -> bool:
    try:
        arr = np.asarray(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return False
    return arr.shape == (3,) and bool(np.all(np.isfinite(arr)))


def check_outcomes(outcomes: Sequence[Outcome], include_uncalibrated: bool = False
                   ) -> tuple[list[tuple[Outcome, object]], list[tuple[str, str]]]:
    """The outcomes a fit can use, each with its fitted skin, and the excluded ones with why."""
    usable, excluded = [], []
    for o in outcomes:
        reason = None
        if o.follows is None:
            reason = "not linked to the session it follows: link the follow-up to its session"
        elif not o.same_batch:
            reason = "a different pigment batch than the session's"
        elif o.skin_Lab is None or not _finite_Lab(o.skin_Lab):
            reason = "no skin sample: mark the client's skin in the follow-up photo"
        elif not _finite_Lab(o.healed_Lab):
            reason = "no healed colour measured: mark the healed SMP"
        elif not (isinstance(o.days, (int, float)) and math.isfinite(o.days)
                  and 0 <= o.days <= MAX_DAYS):
            reason = (f"{o.days!r} days since the session is not credible (0 to "
                      f"{MAX_DAYS / mp.DAYS_PER_YEAR:.0f} years): check the visit dates")
        elif getattr(o.entry, "optics", None) is None:
            reason = f"pigment {getattr(o.entry, 'pigment_id', '?')!r} has no optical properties"
        elif not o.calibrated and not include_uncalibrated:
            reason = "not calibrated (no chart in the photo): shown, not fitted unless asked"
        if reason is None:
            try:
                skin = skin_model.fit_skin(o.skin_Lab)
            except AppearanceError as exc:
                reason = f"the skin cannot be modelled ({exc})"
        if reason is not None:
            excluded.append((o.id, reason))
        else:
            usable.append((o, skin))
    return usable, excluded


class _Problem:
    """The usable outcomes as arrays, and the model as a parameter vector."""

    def __init__(self, usable, current: ModelParameters):
        self.outcomes = [o for o, _ in usable]
        skins = [s for _, s in usable]
        self.skins = SimpleNamespace(**{k: np.array([getattr(s, k) for s in skins])
                                        for k in ("melanin", "blood", "scattering",
                                                  "melanin_exponent", "saturation")})
        rows = []
        for o in self.outcomes:
            water, pig = float(o.entry.water_parts), float(o.entry.pigment_parts)
            rows.append(o.entry.optics.relative_absorption() * (pig / (pig + water)))
        self.absorption = np.asarray(rows)
        self.days = np.array([float(o.days) for o in self.outcomes])
        self.target = np.array([o.healed_Lab for o in self.outcomes], dtype=np.float64)
        self.pigments = [o.entry.pigment_id for o in self.outcomes]
        counts: dict[str, int] = {}
        for p in self.pigments:
            counts[p] = counts.get(p, 0) + 1
        self.fit_pigments = sorted(p for p, n in counts.items() if n >= MIN_PER_PIGMENT) \
            if len(counts) > 1 else []
        self.fit_fresh = bool(np.any(self.days < mp.HEALED_DAYS))
        self.fit_fade = bool(np.any(self.days > mp.HEALED_DAYS + mp.DAYS_PER_YEAR))
        self.current = current

    def vector(self, model: ModelParameters) -> np.ndarray:
        x = [math.log(model.neat_ink_mua_550), model.dermis_above_ink_um]
        if self.fit_fresh:
            x.append(math.log(model.fresh_factor))
        if self.fit_fade:
            x.append(model.fade_per_year)
        x += [math.log(model.strength(p)) for p in self.fit_pigments]
        return np.array(x)

    def bounds(self):
        b = mp.BOUNDS
        low = [math.log(b["neat_ink_mua_550"][0]), b["dermis_above_ink_um"][0]]
        high = [math.log(b["neat_ink_mua_550"][1]), b["dermis_above_ink_um"][1]]
        if self.fit_fresh:
            low.append(math.log(b["fresh_factor"][0]))
            high.append(math.log(b["fresh_factor"][1]))
        if self.fit_fade:
            low.append(b["fade_per_year"][0])
            high.append(b["fade_per_year"][1])
        low += [math.log(b["pigment_strength"][0])] * len(self.fit_pigments)
        high += [math.log(b["pigment_strength"][1])] * len(self.fit_pigments)
        return np.array(low), np.array(high)

    def model(self, x: np.ndarray, name: str, version: int) -> ModelParameters:
        i = 2
        fresh, fade = self.current.fresh_factor, self.current.fade_per_year
        if self.fit_fresh:
            fresh, i = math.exp(x[i]), i + 1
        if self.fit_fade:
            fade, i = float(x[i]), i + 1
        strength = dict(self.current.pigment_strength)
        for p, value in zip(self.fit_pigments, x[i:], strict=True):
            strength[p] = math.exp(value)
        b = mp.BOUNDS
        return ModelParameters(
            neat_ink_mua_550=float(np.clip(math.exp(x[0]), *b["neat_ink_mua_550"])),
            dermis_above_ink_um=float(np.clip(x[1], *b["dermis_above_ink_um"])),
            fresh_factor=float(np.clip(fresh, *b["fresh_factor"])),
            fade_per_year=float(np.clip(fade, *b["fade_per_year"])),
            pigment_strength={k: float(np.clip(v, *b["pigment_strength"]))
                              for k, v in strength.items()},
            name=name, version=version)

    def predict(self, model: ModelParameters, which=slice(None)) -> np.ndarray:
        strength = np.array([model.strength(p) for p in self.pigments])[which]
        amount = mp.ink_amount(self.days[which], model)
        mua = (model.neat_ink_mua_550 * (strength * amount)[:, None]
               * self.absorption[which])
        skins = SimpleNamespace(**{k: v[which] for k, v in vars(self.skins).items()})
        R = skin_model.dot_reflectance(skins, mua, model.dermis_above_ink_cm)
        return tissue.reflectance_to_Lab(R)

    def residuals(self, x: np.ndarray, which: np.ndarray) -> np.ndarray:
        model = self.model(x, "fit", 1)
        diff = (self.predict(model, which) - self.target[which]).ravel()
        prior_x = self.vector(self.current)
        weights = [PRIOR["log_neat"], PRIOR["depth_um"]]
        if self.fit_fresh:
            weights.append(PRIOR["log_fresh"])
        if self.fit_fade:
            weights.append(PRIOR["fade"])
        weights += [PRIOR["log_strength"]] * len(self.fit_pigments)
        return np.concatenate([diff, np.asarray(weights) * (x - prior_x)])

    def solve(self, which: np.ndarray, start: np.ndarray) -> np.ndarray:
        from scipy.optimize import least_squares

        low, high = self.bounds()
        result = least_squares(self.residuals, np.clip(start, low, high), bounds=(low, high),
                               args=(which,), x_scale="jac", max_nfev=400)
        return result.x


def _mean_de00(a: np.ndarray, b: np.ndarray) -> float:
    from shadematch.color.delta_e import delta_E

    return float(np.mean(delta_E(a, b, "ciede2000")))


def fit_model(outcomes: Sequence[Outcome], current: ModelParameters = SHIPPED,
              include_uncalibrated: bool = False, name: str = "clinic",
              version: int | None = None) -> FitReport:
    """Fit the model parameters to a clinic's outcomes (see the module docstring).

    Parameters
    ----------
    outcomes : every follow-up outcome (unusable ones are listed in ``excluded`` with why).
    current : the model in use; the fit starts from it, is pulled weakly towards it, and must
        beat its error on the outcomes in leave-one-out to be accepted.
    include_uncalibrated : fit outcomes from photos without a chart too.
    name, version : the fitted model's identity (default version: current's + 1).
    """
    usable, excluded = check_outcomes(outcomes, include_uncalibrated)
    version = current.version + 1 if version is None else version
    if len(usable) < MIN_OUTCOMES:
        more = MIN_OUTCOMES - len(usable)
        return FitReport(current, current, None, [o.id for o, _ in usable], excluded, None, None,
                         False, f"{len(usable)} usable outcome{'s' if len(usable) != 1 else ''}: "
                                f"{more} more calibrated follow-up{'s' if more != 1 else ''} "
                                f"needed to fit the model (at least {MIN_OUTCOMES})")
    problem = _Problem(usable, current)
    n = len(problem.outcomes)
    everything = np.arange(n)
    before = problem.predict(current)
    error_current = _mean_de00(before, problem.target)
    x_all = problem.solve(everything, problem.vector(current))
    fitted = problem.model(x_all, name, version)
    held_out = np.empty((n, 3))
    for i in range(n):
        others = everything[everything != i]
        x_i = problem.solve(others, x_all)
        held_out[i] = problem.predict(problem.model(x_i, name, version), np.array([i]))[0]
    loo = _mean_de00(held_out, problem.target)
    accepted = loo < error_current - MIN_IMPROVEMENT_DE00
    after = problem.predict(fitted)
    from shadematch.color.delta_e import delta_E

    predictions = [{"id": o.id, "pigment_id": o.entry.pigment_id, "days": o.days,
                    "measured_lab": [round(float(v), 3) for v in problem.target[i]],
                    "current_lab": [round(float(v), 3) for v in before[i]],
                    "fitted_lab": [round(float(v), 3) for v in after[i]],
                    "held_out_lab": [round(float(v), 3) for v in held_out[i]],
                    "current_de00": round(float(delta_E(before[i], problem.target[i])), 3),
                    "held_out_de00": round(float(delta_E(held_out[i], problem.target[i])), 3)}
                   for i, o in enumerate(problem.outcomes)]
    if accepted:
        message = (f"fitted on {n} outcomes: held-out error {loo:.2f} dE00, was {error_current:.2f}"
                   f" with the {current.name} model v{current.version}")
    else:
        message = (f"not replaced: the fit predicts held-out outcomes with {loo:.2f} dE00, no "
                   f"better than the {current.name} model v{current.version} "
                   f"({error_current:.2f}); keep collecting follow-ups")
    return FitReport(fitted if accepted else current, current, fitted,
                     [o.id for o in problem.outcomes], excluded, error_current, loo, accepted,
                     message, predictions)


@dataclass(frozen=True)
class TouchUpOption:
    entry: object
    Lab: tuple[float, float, float]      # predicted healed colour after the touch-up
    delta_e: float                       # against the hair


@dataclass(frozen=True)
class TouchUp:
    """A returning client's faded SMP: the ink left (relative to a healed neat-strength layer of
    the pigment), what the session was predicted to look like now, and the touch-up dilutions
    ranked by how close the result heals to the hair."""

    remaining: float
    faded_Lab: tuple
    predicted_now_Lab: tuple | None
    options: list[TouchUpOption]

    @property
    def best(self) -> TouchUpOption:
        return self.options[0]


def touch_up(skin_Lab, faded_Lab, hair_Lab, entries: Sequence, session_entry=None,
             days_since_session: float | None = None,
             model: ModelParameters = SHIPPED) -> TouchUp:
    """Rank touch-up dilutions for faded SMP.

    The ink left is solved from the measured faded colour (the amount of the pigment's
    absorption that reproduces it in this skin); each candidate adds its healed amount on top,
    and the result is compared with the hair (CIEDE2000). ``entries`` are the candidate
    dilutions (usually the session pigment's); with ``session_entry`` and
    ``days_since_session`` the colour the model predicted for today is given too.
    """
    from scipy.optimize import minimize_scalar

    from shadematch.color.delta_e import delta_E

    if not entries:
        raise AppearanceError("no touch-up dilutions to rank: choose a palette with the pigment")
    for what, value in (("faded SMP", faded_Lab), ("hair", hair_Lab)):
        if not _finite_Lab(value):
            raise AppearanceError(f"the {what} colour is not a finite Lab value: re-measure it")
    skin = skin_model.fit_skin(skin_Lab)
    pigment = session_entry or entries[0]
    if getattr(pigment, "optics", None) is None:
        raise AppearanceError(f"pigment {getattr(pigment, 'pigment_id', '?')!r} has no optical "
                              f"properties: add them to its palette file")
    shape = pigment.optics.relative_absorption() * model.strength(pigment.pigment_id)
    scale = model.neat_ink_mua_550

    def lab_of(mua):
        return tissue.reflectance_to_Lab(skin_model.dot_reflectance(
            skin, np.atleast_2d(mua), model.dermis_above_ink_cm))

    faded = np.asarray(faded_Lab, dtype=np.float64)
    # A dense layer saturates (more ink no longer darkens it): scan the amounts, take the least
    # ink that reproduces the faded colour as well as any (conservative: a touch-up that
    # assumes less ink left is at worst a little light, which a next session can darken).
    grid = np.linspace(0.0, 3.0, 301)
    errors = delta_E(faded, lab_of(grid[:, None] * scale * shape[None, :]))
    start = float(grid[np.flatnonzero(errors <= errors.min() + 0.05)[0]])
    best = minimize_scalar(lambda q: float(delta_E(lab_of(q * scale * shape)[0], faded)),
                           bounds=(max(start - 0.01, 0.0), start + 0.01), method="bounded")
    remaining = float(best.x)
    predicted_now = None
    if session_entry is not None and days_since_session is not None:
        from shadematch.appearance import predict

        amount = float(mp.ink_amount(days_since_session, model))
        mua = predict.ink_absorption([session_entry], model) * amount
        predicted_now = tuple(float(v) for v in lab_of(mua)[0])
    from shadematch.appearance import predict

    added = predict.ink_absorption(entries, model)
    if remaining > 0:
        # the ink left is of the session pigment
        added = added + remaining * scale * shape[None, :]
    Labs = lab_of(added)
    dE = delta_E(np.asarray(hair_Lab, dtype=np.float64), Labs)
    order = np.argsort(dE, kind="stable")
    options = [TouchUpOption(entries[i], tuple(float(v) for v in Labs[i]), float(dE[i]))
               for i in order]
    return TouchUp(remaining, tuple(float(v) for v in faded), predicted_now, options)


__all__ = ["FitReport", "MIN_OUTCOMES", "Outcome", "TouchUp", "TouchUpOption",
           "check_outcomes", "fit_model", "touch_up"]
