"""Ranking in the workspace: the palette, formula, target, area and how many; the ranking by the
predicted healed colour (or card colours), the session plan, the guardrails; the picks and notes."""

from __future__ import annotations

import copy
import logging

from shadematch.edit_history import Command, PicksState
from shadematch.errors import ShadematchError
from shadematch.workspace.constants import (
    AREAS,
    CLASS_LABELS,
)

log = logging.getLogger(__name__)


class Ranking:
    """Ranking, plan, guardrails, picks and notes (a part of :class:`~shadematch.workspace.Workspace`)."""

    # -- matching ------------------------------------------------------------------------------
    def set_palette(self, palette, *, by_user: bool = True) -> None:
        """Use ``palette`` (a ``shadematch.palettes.Palette`` or None) for the ranking.

        ``by_user=False`` for a palette the application chose itself (the first one loaded at
        start, a palette file reloaded after it changed on disk): the ranking follows, but the
        analysis is not marked modified, so untouched work is never autosaved or "recovered".
        """
        self.palette = palette
        self._settings_changed(by_user)

    def set_formula(self, formula: str, params: dict | None = None) -> None:
        """Rank with this delta-E formula ("ciede2000", "cie94", "cie76", "cmc" or an alias)."""
        from shadematch.color import FORMULAS, normalise_formula

        try:
            formula = normalise_formula(formula)
        except ValueError:
            raise ShadematchError(f"Unknown delta-E formula {formula!r}: use one of "
                                  f"{', '.join(FORMULAS)}.") from None
        self.formula, self.params = formula, dict(params or {})
        self._settings_changed()

    def set_target(self, target: str) -> None:
        if target not in CLASS_LABELS:
            raise ShadematchError(f"Unknown target {target!r}: use hair, skin or scar.")
        self.target = target
        self._settings_changed()

    def set_top(self, top: int) -> None:
        self.top = max(1, int(top))
        self._settings_changed()

    def set_area(self, area: str) -> None:
        """Where the pigment goes: "scalp" (the skin sample is the skin) or "scar" (the scar
        tissue is the skin; the hair stays the target)."""
        if area not in AREAS:
            raise ShadematchError(f"Unknown area {area!r}: use {' or '.join(AREAS)}.")
        self.area = area
        self._settings_changed()

    def set_card_only(self, card_only: bool) -> None:
        """Rank on the card swatches instead of the predicted healed colours (said everywhere)."""
        self.card_only = bool(card_only)
        self._settings_changed()

    def set_plan_step(self, step_L: float, *, by_user: bool = True) -> None:
        """How much lighter (predicted healed L*) the first session of the plan is
        (``by_user=False`` from the preferences: not an edit of this analysis)."""
        step_L = float(step_L)
        if not (step_L == step_L and 0.0 <= step_L <= 20.0):
            raise ShadematchError(f"The first-session step {step_L} must be between 0 and 20 "
                                  "L*: set it in Preferences.")
        self.plan_step_L = step_L
        self._settings_changed(by_user)

    def set_calibration(self, calibration) -> None:
        """Use a colour calibration (an object with ``linear_RGB_to_XYZ`` and ``to_dict``)."""
        self.calibration = calibration
        self._changed()
        self.events.settings_changed.emit()
        self._regions_changed(transient=False)

    def _settings_changed(self, by_user: bool = True) -> None:
        self._stored_ranking = []
        self._stored_plan, self._stored_guardrails = None, []
        self._saved_analysis = None
        if by_user:
            self._changed()
        self.events.settings_changed.emit()
        self.rerank()

    @property
    def skin_class(self) -> str:
        """The sample the pigment is predicted in: "skin" on the scalp, "scar" on a scar."""
        return "scar" if self.area == "scar" else "skin"

    def rerank(self) -> None:
        """Rank the palette (cheap: vectorised in the core; the skin fit is kept per colour).

        With the hair as target and the skin (or, on a scar, the scar tissue) measured, every
        pigment and dilution is ranked by its predicted healed colour in that skin, with the
        session plan and the guardrails. Only when asked (:attr:`card_only`) are the card
        swatches ranked (and the guardrails say so); without a skin sample, or with a skin the
        model cannot reproduce, there is no ranking and :attr:`ranking_problem` says why.
        """
        self.ranking, self.ranking_problem = [], ""
        self.healed, self.plan, self.guardrails = None, None, []
        sample = self.samples.get(self.target)
        label = CLASS_LABELS.get(self.target, self.target)
        if self.palette is None:
            self.ranking_problem = "Choose a palette to rank pigments."
        elif sample is None:
            self.ranking_problem = self.problems.get(self.target) or (
                f"Mark a {label.lower()} region to rank pigments against the {label.lower()}.")
        else:
            try:
                self._rank(sample)
            except ShadematchError as exc:
                self.ranking, self.healed, self.plan, self.guardrails = [], None, None, []
                self.ranking_problem = str(exc)
        self.events.ranking_changed.emit()

    def remember_skin_fits(self, fits: dict) -> None:
        """Keep skin models fitted elsewhere (``{(Lab, what): SkinParameters}``)."""
        if len(self._skin_fits) + len(fits) > 32:
            self._skin_fits.clear()
        self._skin_fits.update(fits)

    def _fitted_skin(self, Lab, what: str):
        """The skin model fitted to ``Lab`` (kept: a region edit elsewhere does not refit)."""
        from shadematch.appearance import fit_skin

        key = (tuple(float(v) for v in Lab), what)
        if key not in self._skin_fits:
            if len(self._skin_fits) > 32:
                self._skin_fits.clear()
            self._skin_fits[key] = fit_skin(Lab, what=what)
        return self._skin_fits[key]

    def _rank(self, sample) -> None:
        from shadematch import plan as plans
        from shadematch.errors import AppearanceError
        from shadematch.matching import lightness_weight_for, rank_healed

        weight = lightness_weight_for(sample) if self.target == "hair" else 1.0
        skin_class = self.skin_class
        skin = self.samples.get(skin_class)
        if not self.card_only:
            # Card colours are ranked only when asked (issue "Rank every pigment and dilution
            # by how it will look healed"): otherwise no ranking, and the reason.
            if self.target != "hair":
                raise ShadematchError(
                    f"The healed colour is ranked against the hair: choose Hair, or tick Card "
                    f"colours only to rank card swatches against the {self.target}.")
            if skin is None:
                label = CLASS_LABELS[skin_class].lower()
                raise ShadematchError(
                    f"Mark a {label} region: each shade is ranked by how it is predicted to heal "
                    f"in it (or tick Card colours only).")
            try:
                self._rank_healed(sample, skin, weight)
                return
            except AppearanceError as exc:
                raise ShadematchError(f"The healed colour cannot be predicted: {exc}. Mark "
                                      f"another skin area, or tick Card colours only.") from None
        result = rank_healed(sample.Lab, self.palette, card_only=True, formula=self.formula,
                             lightness_weight=weight, **self.params)
        self.healed, self.ranking = result, result.matches[:self.top]
        self.guardrails = plans.ranking_guardrails(result)
        self.plan = plans.session_plan(result, None, self.plan_step_L)
        self.guardrails += plans.sample_guardrails(self.samples, (self.target,))

    def _rank_healed(self, sample, skin, weight: float) -> None:
        from shadematch import plan as plans
        from shadematch.errors import AppearanceError
        from shadematch.matching import rank_healed

        skin_class = self.skin_class
        what = "scar tissue" if skin_class == "scar" else "skin"
        result = rank_healed(sample.Lab, self.palette, skin=self._fitted_skin(skin.Lab, what),
                             formula=self.formula, lightness_weight=weight, **self.params)
        scar_result, scar_problem = None, []
        if skin_class == "scar":
            scar_result = result
        elif "scar" in self.samples:
            try:
                scar_result = rank_healed(
                    sample.Lab, self.palette,
                    skin=self._fitted_skin(self.samples["scar"].Lab, "scar tissue"),
                    formula=self.formula, lightness_weight=weight, **self.params)
            except AppearanceError as exc:  # the scalp plan stands; the scar gets no recipe
                scar_problem = [{"code": "scar_not_predicted", "message": (
                    f"no scar recipe: the healed colour in the scar cannot be predicted ({exc})")}]
        self.healed, self.ranking = result, result.matches[:self.top]
        self.plan = plans.session_plan(result, scar_result, self.plan_step_L)
        self.guardrails = (plans.ranking_guardrails(result) + scar_problem
                           + plans.sample_guardrails(self.samples, ("hair", skin_class)))

    def report_problem(self) -> str:
        """Why a report of this analysis cannot be made right now ("" when it can)."""
        if self.photo is None and not (self.samples or self._stored_ranking):
            return "Open a photo and mark regions before exporting a report."
        if not self.regions:
            return "Mark hair, skin or scar regions before exporting a report."
        if self.photo is not None and not self.measurement_current:
            return "The regions are still being measured: export again in a moment."
        return ""

    def ranking_records(self) -> list[dict]:
        """The ranking as items of the analysis record (the saved one when it cannot be redone)."""
        if self.ranking:
            return [m.to_dict() for m in self.ranking]
        return list(self._stored_ranking)

    def plan_record(self) -> dict | None:
        """The session plan of the ranking shown (the saved one when it cannot be redone)."""
        return copy.deepcopy(self.plan if self.ranking else self._stored_plan)

    def guardrail_records(self) -> list[dict]:
        """The warnings of the ranking shown (the saved ones when it cannot be redone)."""
        return list(self.guardrails if self.ranking else self._stored_guardrails)

    # -- picks and notes -----------------------------------------------------------------------
    def _entry(self, entry_id: str):
        if self.palette is None:
            raise ShadematchError("No palette is loaded: choose a palette, then a shade.")
        return self.palette.entry(entry_id)

    def _pick(self, entry_id: str) -> dict:
        """The pick record of docs/ANALYSIS_FORMAT.md (as ``Analysis.set_pick`` writes it)."""
        delta_e, healed_lab, lab = None, None, None
        for match in self.ranking:
            if match.entry.id == entry_id:
                delta_e = round(float(match.delta_E), 4)
                lab = [round(float(v), 3) for v in match.Lab]
                if match.healed_Lab is not None:
                    healed_lab = [round(float(v), 3) for v in match.healed_Lab]
        e = self._entry(entry_id)
        card = [float(v) for v in e.Lab]
        healed = self.healed
        if lab is None and healed is not None and healed.predicted is not None:
            # beyond the shown rows (a lighter first-session step): its prediction all the same
            index = next((i for i, x in enumerate(healed.entries) if x.id == e.id), None)
            if index is not None:
                healed_lab = [round(float(v), 3) for v in healed.predicted.healed[index]]
                lab = healed_lab
        return {"entry_id": e.id, "name": e.name, "pigment_name": e.pigment_name,
                "dilution": e.dilution, "water_parts": e.water_parts,
                "pigment_parts": e.pigment_parts, "lab": lab or card,
                "delta_e": delta_e, "healed_lab": healed_lab, "card_lab": card}

    def choose(self, entry_id: str | None) -> None:
        """Record the chosen shade (the primary pick); None clears it. Undoable."""
        pick = None if entry_id is None else self._pick(entry_id)
        self._set_picks({"primary": pick}, "Choose shade" if pick else "Clear shade choice")

    def choose_first_session(self, entry_id: str | None) -> None:
        """Record the optional lighter shade for the first session; None clears it. Undoable."""
        pick = None if entry_id is None else self._pick(entry_id)
        self._set_picks({"first_session": pick},
                        "Choose first-session shade" if pick else "Clear first-session shade")

    def clear_choice(self) -> bool:
        """Forget the chosen shade and its first-session step (one undo step); False when
        nothing was chosen."""
        if not any(self.picks.values()):
            return False
        self._set_picks({"primary": None, "first_session": None}, "Clear shade choice")
        return True

    def _picks_state(self) -> PicksState:
        return PicksState(tuple((k, copy.deepcopy(v)) for k, v in self.picks.items()))

    def _restore_picks(self, state: PicksState) -> None:
        self.picks = {k: copy.deepcopy(v) for k, v in state.picks}

    def _set_picks(self, changes: dict, label: str) -> None:
        if self.editing:
            self.end_edit()
        before = self._picks_state()
        self.picks.update(changes)
        after = self._picks_state()
        if after == before:
            return
        self._history.push(Command(label, before, after))
        self._changed()  # before the events: listeners (the autosave) see the change as made
        self.events.history_changed.emit()
        self.events.picks_changed.emit()

    def first_session_suggestion(self, entry_id: str | None = None):
        """The palette entry one step lighter than ``entry_id`` (default: the primary pick):
        the plan's first-session shade when ``entry_id`` is the plan's final shade (lighter by
        the predicted healed L*), else the next lighter dilution of the same pigment."""
        if entry_id is None:
            primary = self.picks.get("primary")
            entry_id = primary["entry_id"] if primary else None
        if entry_id is None or self.palette is None:
            return None
        plan = self.plan if self.ranking else None
        if plan and plan["final"]["entry_id"] == entry_id \
                and plan["first_session"]["entry_id"] != entry_id:
            return self.palette.entry(plan["first_session"]["entry_id"])
        from shadematch.matching import first_session_suggestion

        return first_session_suggestion(self.palette, entry_id)

    def set_notes(self, notes: str) -> None:
        if notes != self.notes:
            self.notes = notes
            self._changed()
            self.events.notes_changed.emit()


