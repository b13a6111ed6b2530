"""The consultation workspace: the model behind the desktop application (Qt-free).

One :class:`Workspace` holds everything one consultation is about: the photo, the marked regions,
the samples measured in them, the calibration, the palette and how it is ranked, the
practitioner's picks and notes. Widgets take it in their constructor, listen to its events, and
write user input back through its methods; it is the source of truth. The same object runs
headless (tests, scripts): with ``auto_measure=True`` (the default) every region edit is measured
synchronously; the GUI switches that off and runs :meth:`Workspace.measurement_task` off the GUI
thread instead.

Region edits (add, move, resize, delete, show/hide, class change) go through an undo stack
(:mod:`shadematch.edit_history`); the shapes are measured, moved and resized by
:mod:`shadematch.region_geometry`.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from shadematch.edit_history import Command, EditHistory, RegionState
from shadematch.errors import RegionError, ShadematchError
from shadematch.region_geometry import (  # noqa: F401 - fit_params, shape_bounds re-exported
    fit_params,
    geometry_problem,
    shape_bounds,
    translate_params,
)

log = logging.getLogger(__name__)

CLASS_LABELS = {"hair": "Hair", "skin": "Skin", "scar": "Scar"}
AREAS = ("scalp", "scar")
DEFAULT_FORMULA = "ciede2000"
DEFAULT_STEP_L = 4.0  # shadematch.plan.DEFAULT_STEP_L (not imported: it pulls in the model)
DEFAULT_TOP = 10


class Event:
    """A list of callbacks called in order with the emitted arguments (the one event mechanism)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callable[..., Any]] = []

    def connect(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        """Call ``callback(*args)`` on every :meth:`emit`; returns it (usable as a decorator)."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[..., Any]) -> None:
        """Stop calling ``callback``; no error when it was not connected."""
        try:
            self._callbacks.remove(callback)
        except ValueError:
            pass

    def emit(self, *args: Any) -> None:
        """Call every callback; one that raises does not stop the others (first error re-raised).

        A broken listener (say, one panel) must not leave the other views stale.
        """
        error: BaseException | None = None
        for callback in list(self._callbacks):
            try:
                callback(*args)
            except Exception as exc:  # noqa: BLE001 - re-raised below, after the others ran
                log.exception("listener of %s failed", self.name)
                error = error or exc
        if error is not None:
            raise error


class WorkspaceEvents:
    """The events a :class:`Workspace` emits (each an :class:`Event`).

    photo_changed()            a new photo (or none) is loaded
    regions_changed(transient) the regions changed; ``transient`` while a drag is in progress
    selection_changed()        the selected region ids changed (not saved, not undoable)
    samples_changed()          new samples / problems
    ranking_changed()          new ranking (also after palette/formula/target/top changes)
    settings_changed()         palette, formula, target, top or calibration changed
    picks_changed()            the chosen shade(s) changed
    notes_changed()            the notes changed
    history_changed()          undo/redo availability changed
    modified_changed(bool)     unsaved changes appeared / were saved
    """

    NAMES = ("photo_changed", "regions_changed", "selection_changed", "samples_changed",
             "ranking_changed", "settings_changed", "picks_changed", "notes_changed",
             "history_changed", "modified_changed")

    def __init__(self) -> None:
        for name in self.NAMES:
            setattr(self, name, Event(name))


def _geometry_problem(region, photo) -> str | None:
    """Why ``region`` cannot be measured on ``photo`` judging by its geometry alone, or None."""
    return geometry_problem(region.shape, region.params,
                            CLASS_LABELS.get(region.region_class, region.region_class),
                            None if photo is None else (photo.width, photo.height))


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _region_type():
    from shadematch.imaging.regions import Region

    return Region


class Workspace:
    """The model of one consultation.

    Parameters
    ----------
    auto_measure : when True, every region edit is measured synchronously (a quick estimate while
        a drag is in progress, full precision otherwise). The GUI passes False and measures off
        the GUI thread with :meth:`measurement_task` / :meth:`apply_measurement`.
    """

    def __init__(self, auto_measure: bool = True) -> None:
        self.events = WorkspaceEvents()
        self.auto_measure = auto_measure
        self.photo = None
        self.regions: list = []
        self.selected: tuple[str, ...] = ()
        self.samples: dict = {}
        self.problems: dict[str, str] = {}
        self.regions_version = 0
        self.measured_version = -1
        self.measured_quick = False
        self.calibration = None
        #: Keep the calibration for the next photos of the same shoot (marked reused) instead of
        #: dropping it when a photo it was not made on is opened; see :meth:`set_photo`.
        self.keep_calibration_for_shoot = False
        #: What :meth:`set_photo` did with the calibration ("" when nothing happened to it).
        self.calibration_note = ""
        self.palette = None
        self.formula = DEFAULT_FORMULA
        self.params: dict = {}
        self.target = "hair"
        #: Where the pigment goes: "scalp" (into the skin sample) or "scar" (into the scar tissue).
        self.area = "scalp"
        #: Rank the card swatches instead of the predicted healed colours (only when asked).
        self.card_only = False
        #: How much lighter (predicted healed L*) the first session of the plan is.
        self.plan_step_L = DEFAULT_STEP_L
        self.top = DEFAULT_TOP
        self.ranking: list = []
        self.ranking_problem = ""
        #: The whole ranking behind :attr:`ranking` (a ``HealedRanking``: basis, skin fit,
        #: every entry's predicted colours), the session plan and the guardrails of the ranking.
        self.healed = None
        self.plan: dict | None = None
        self.guardrails: list[dict] = []
        self._skin_fits: dict[tuple, Any] = {}
        self.picks: dict[str, dict | None] = {"primary": None, "first_session": None}
        self.notes = ""
        self.session_path = None
        self.created = _now_iso()
        self._photo_info: dict | None = None
        self._stored_matching: dict | None = None
        self._stored_ranking: list[dict] = []
        self._stored_plan: dict | None = None
        self._stored_guardrails: list[dict] = []
        self._restored_samples: dict = {}
        self._history = EditHistory()
        self._next_id = 1
        self._modified = False

    # -- state ---------------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        """True when something changed since the last :meth:`mark_saved`."""
        return self._modified

    def _set_modified(self, value: bool) -> None:
        if value != self._modified:
            self._modified = value
            self.events.modified_changed.emit(value)

    @property
    def has_unsaved_work(self) -> bool:
        """True when the user changed something worth recovering after a crash: regions, notes,
        picks or a calibration, unsaved. A photo merely opened (it can be opened again), or a
        session opened and left as it was, is not."""
        from shadematch.sessions import holds_work

        return self._modified and holds_work(self.regions, self.notes, self.calibration,
                                             self.picks)

    def mark_modified(self) -> None:
        """Record that the state has unsaved changes (e.g. recovered from an autosave)."""
        self._set_modified(True)

    @property
    def photo_name(self) -> str | None:
        """File name of the photo (also when it is missing and only its record is known)."""
        if self.photo is not None:
            return self.photo.name
        return (self._photo_info or {}).get("name") or None

    def mark_saved(self, path=None) -> None:
        """Record that the current state has been saved (to ``path`` when given)."""
        if path is not None:
            self.session_path = path
        self._set_modified(False)

    def _changed(self) -> None:
        self._set_modified(True)

    # -- photo ---------------------------------------------------------------------------------
    def set_photo(self, photo, regions: Iterable | None = None,
                  keep_calibration: bool | None = None) -> None:
        """Start a new analysis on ``photo`` (a :class:`shadematch.imaging.photo.Photo` or None).

        Regions, samples, picks, notes and the undo history are reset (``regions`` may give the
        new ones); palette, formula, target and top are kept.

        Parameters
        ----------
        photo : the new photo, or None.
        regions : the new photo's regions (default none).
        keep_calibration : what to do with a calibration made on another photo (its
            ``source_photo_sha256`` / ``applied_to_photo_sha256`` differ from ``photo.sha256``):
            True keeps it for this shoot, marked reused (``Calibration.carried_to``); False drops
            it. None (default) uses :attr:`keep_calibration_for_shoot`. A calibration made on
            this very photo is always kept. :attr:`calibration_note` says what happened.
        """
        keep = self.keep_calibration_for_shoot if keep_calibration is None else keep_calibration
        calibration_changed = self._carry_calibration(photo, bool(keep))
        self.photo = photo
        self.regions = [self._as_region(r) for r in (regions or [])]
        self.selected = ()
        self.picks = {"primary": None, "first_session": None}
        self.notes = ""
        self.session_path = None
        self.created = _now_iso()
        self._photo_info = None
        self._stored_matching = None
        self._stored_ranking = []
        self._stored_plan, self._stored_guardrails = None, []
        self._history.clear()
        self._next_id = self._first_free_id()
        self.samples, self.problems = {}, {}
        self.events.photo_changed.emit()
        if calibration_changed:
            self.events.settings_changed.emit()
        self.events.history_changed.emit()
        self.events.selection_changed.emit()
        self.events.picks_changed.emit()
        self.events.notes_changed.emit()
        self._set_modified(bool(self.regions))
        self._regions_changed(transient=False)

    def _carry_calibration(self, photo, keep: bool) -> bool:
        """Apply the reuse rule to the calibration for ``photo``; True when it changed."""
        self.calibration_note = ""
        calibration = self.calibration
        if calibration is None or photo is None:
            return False
        sha = str(getattr(photo, "sha256", "") or "")
        carried_to = getattr(calibration, "carried_to", None)
        if carried_to is None:  # a foreign calibration object: keep only on request
            new = calibration if keep else None
        else:
            new = carried_to(sha, keep)
        if new is calibration:
            return False
        self.calibration = new
        if new is None:
            self.calibration_note = ("Calibration removed: it was made on another photo. Keep it "
                                     "for the shoot to reuse it on the next photos.")
        elif getattr(new, "reused", False):
            self.calibration_note = "Calibration reused from another photo of this shoot."
        else:
            self.calibration_note = "Calibration of this photo in use again."
        return True

    def replace_photo(self, photo) -> None:
        """Swap the pixels of the current photo (e.g. a relocated file) keeping everything else."""
        self.photo = photo
        self.events.photo_changed.emit()
        self._changed()
        self._regions_changed(transient=False)

    # -- regions -------------------------------------------------------------------------------
    def _first_free_id(self) -> int:
        n = 0
        for r in self.regions:
            if r.id.startswith("r") and r.id[1:].isdigit():
                n = max(n, int(r.id[1:]))
        return n + 1

    def new_region_id(self) -> str:
        """A region id not used yet ("r1", "r2", ...)."""
        used = {r.id for r in self.regions}
        while f"r{self._next_id}" in used:
            self._next_id += 1
        rid = f"r{self._next_id}"
        self._next_id += 1
        return rid

    @staticmethod
    def _as_region(region):
        Region = _region_type()
        if isinstance(region, Region):
            return region
        return Region.from_dict(region)

    def region(self, region_id: str):
        """The region with this id; ``KeyError`` when there is none."""
        for r in self.regions:
            if r.id == region_id:
                return r
        raise KeyError(region_id)

    def visible(self, region_id: str) -> bool:
        """Whether the region's outline is shown (hidden regions are still measured)."""
        return bool(self.region(region_id).visible)

    def _state(self) -> RegionState:
        return RegionState(tuple(r.to_dict() for r in self.regions))

    def _restore(self, state: RegionState) -> None:
        Region = _region_type()
        self.regions = [Region.from_dict(copy.deepcopy(d)) for d in state.regions]
        self._prune_selection()

    def _apply(self, label: str, mutate: Callable[[], None]) -> None:
        if self.editing:
            self.end_edit()
        before = self._state()
        mutate()
        after = self._state()
        if after == before:
            return
        selection = self.selected
        self._prune_selection()
        self._push(Command(label, before, after))
        self._regions_changed(transient=False)
        if self.selected != selection:
            self.events.selection_changed.emit()

    def _prune_selection(self) -> None:
        ids = {r.id for r in self.regions}
        self.selected = tuple(i for i in self.selected if i in ids)

    def _push(self, command: Command) -> None:
        self._history.push(command)
        self._changed()
        self.events.history_changed.emit()

    def add_region(self, shape: str, params: dict, region_class: str | None = None,
                   region_id: str | None = None):
        """Add a region (undoable) and select it; returns the new ``Region``.

        Raises
        ------
        RegionError
            The shape is unknown, degenerate, or lies wholly outside the photo.
        """
        Region = _region_type()
        region_class = region_class or self.target
        region = Region(region_class=region_class, shape=shape, params=copy.deepcopy(params),
                        id=region_id or self.new_region_id())
        problem = _geometry_problem(region, self.photo)
        if problem:
            raise RegionError(problem)
        self._apply(f"Add {CLASS_LABELS.get(region_class, region_class)} region",
                    lambda: self.regions.append(region))
        self.select([region.id])
        return region

    def delete_regions(self, region_ids: Iterable[str]) -> None:
        """Delete regions (undoable)."""
        ids = set(region_ids)
        if ids:
            self._apply("Delete region" if len(ids) == 1 else "Delete regions", lambda: setattr(
                self, "regions", [r for r in self.regions if r.id not in ids]))
            self.select([i for i in self.selected if i not in ids])

    def _replace(self, region_id: str, params: dict | None = None,
                 region_class: str | None = None, visible: bool | None = None) -> None:
        for i, r in enumerate(self.regions):
            if r.id == region_id:
                self.regions[i] = dataclasses.replace(
                    r, region_class=region_class or r.region_class,
                    params=copy.deepcopy(params if params is not None else r.params),
                    visible=r.visible if visible is None else bool(visible))
                return
        raise KeyError(region_id)

    def set_region_class(self, region_ids: Iterable[str], region_class: str) -> None:
        """Give regions another class (undoable)."""
        if region_class not in CLASS_LABELS:
            raise RegionError(f"Unknown region class {region_class!r}: use hair, skin or scar.")
        ids = list(region_ids)
        self._apply(f"Make {CLASS_LABELS[region_class]}", lambda: [
            self._replace(i, region_class=region_class) for i in ids])

    def set_visible(self, region_id: str, visible: bool) -> None:
        """Show or hide a region's outline (undoable). Hidden regions are still measured."""
        self._apply("Show region" if visible else "Hide region",
                    lambda: self._replace(region_id, visible=visible))

    def set_region_params(self, region_id: str, params: dict, label: str = "Edit region") -> None:
        """Replace a region's geometry in one undoable step."""
        self._apply(label, lambda: self._replace(region_id, params=params))

    def move_regions(self, region_ids: Iterable[str], dx: float, dy: float) -> None:
        """Move regions by ``(dx, dy)`` photo pixels in one undoable step."""
        ids = list(region_ids)
        self._apply("Move region", lambda: [
            self._replace(i, params=translate_params(self.region(i).shape, self.region(i).params,
                                                     dx, dy)) for i in ids])

    # Interactive edits: begin_edit(), any number of preview_region(), then end_edit() (one undo
    # step, measured at full precision) or cancel_edit().
    def begin_edit(self, label: str = "Edit region") -> None:
        """Start an interactive edit (a drag): previews follow, one undo step at the end."""
        self._history.begin_edit(label, self._state)

    def preview_region(self, region_id: str, params: dict, shape: str | None = None,
                       region_class: str | None = None) -> None:
        """Show a region's geometry during a drag (no undo step yet; a quick measurement).

        A region id that does not exist yet is created (a region being drawn) with ``shape`` and
        ``region_class`` (default: the target class).
        """
        self.preview_regions({region_id: params}, shape=shape, region_class=region_class)

    def preview_regions(self, changes: dict[str, dict], shape: str | None = None,
                        region_class: str | None = None) -> None:
        """:meth:`preview_region` for several regions at once (one event)."""
        if not self.editing:
            self.begin_edit()
        Region = _region_type()
        ids = {r.id for r in self.regions}
        for region_id, params in changes.items():
            if region_id in ids:
                self._replace(region_id, params=params)
            else:
                if shape is None:
                    raise RegionError("A new region needs a shape: rect, ellipse, polygon or brush.")
                self.regions.append(Region(region_class=region_class or self.target, shape=shape,
                                           params=copy.deepcopy(params), id=region_id))
        self._regions_changed(transient=True)

    def region_problem(self, region_id: str) -> str | None:
        """Why this region cannot be measured (outside the photo, no area), or None.

        A cheap geometric check (no mask is built, so it is fine on the GUI thread of a
        24-megapixel photo); anything subtler is reported by the measurement's ``problems``.
        """
        try:
            return _geometry_problem(self.region(region_id), self.photo)
        except KeyError:
            return f"There is no region {region_id!r}."

    @property
    def editing(self) -> bool:
        """True between :meth:`begin_edit` and :meth:`end_edit` / :meth:`cancel_edit`."""
        return self._history.editing

    def end_edit(self) -> None:
        """Finish the interactive edit: one undo step, full-precision measurement."""
        edit = self._history.take_edit()
        if edit is None:
            return
        label, before = edit
        after = self._state()
        if after != before:
            self._push(Command(label, before, after))
        self._regions_changed(transient=False)

    def cancel_edit(self) -> None:
        """Abandon the interactive edit and restore the geometry from before it."""
        edit = self._history.take_edit()
        if edit is not None:
            self._restore(edit[1])
            self._regions_changed(transient=False)

    # -- undo ----------------------------------------------------------------------------------
    def can_undo(self) -> bool:
        return self._history.can_undo()

    def can_redo(self) -> bool:
        return self._history.can_redo()

    def undo_label(self) -> str:
        return self._history.undo_label()

    def redo_label(self) -> str:
        return self._history.redo_label()

    def undo(self) -> bool:
        """Undo the last region edit; returns False when there is nothing to undo."""
        if self.editing:
            self.end_edit()
        command = self._history.undo()
        if command is None:
            return False
        self._restore(command.before)
        self._changed()
        self.events.history_changed.emit()
        self.events.selection_changed.emit()
        self._regions_changed(transient=False)
        return True

    def redo(self) -> bool:
        """Redo the last undone region edit; returns False when there is nothing to redo."""
        command = self._history.redo()
        if command is None:
            return False
        self._restore(command.after)
        self._changed()
        self.events.history_changed.emit()
        self.events.selection_changed.emit()
        self._regions_changed(transient=False)
        return True

    # -- selection (view state shared by the widgets; not saved) ---------------------------------
    def select(self, region_ids: Iterable[str]) -> None:
        ids = {r.id for r in self.regions}
        selected = tuple(i for i in region_ids if i in ids)
        if selected != self.selected:
            self.selected = selected
            self.events.selection_changed.emit()

    # -- measurement ---------------------------------------------------------------------------
    def _regions_changed(self, transient: bool, keep_saved_ranking: bool = False) -> None:
        if not keep_saved_ranking:
            self._stored_ranking = []  # the saved ranking no longer matches the regions
            self._stored_plan, self._stored_guardrails = None, []
        self.regions_version += 1
        self.events.regions_changed.emit(transient)
        if self.auto_measure:
            self.measure_now(quick=transient)

    def measurement_task(self, quick: bool = False) -> tuple[Callable[..., Any], dict, int]:
        """What to run (anywhere, e.g. a worker thread) to measure the current regions.

        Returns
        -------
        (fn, kwargs, version) : call ``fn(**kwargs)`` (it also accepts ``progress`` and
            ``cancelled``), then give the result and ``version`` to :meth:`apply_measurement`.
            The kwargs are a snapshot: later edits do not change them.
        """
        from shadematch.analysis import measure_regions

        Region = _region_type()
        kwargs = {
            "photo_rgb": self.photo,  # a Photo: wide-gamut photos are measured from their source
            "regions": [Region.from_dict(r.to_dict()) for r in self.regions],
            "calibration": self.calibration,
            "quick": quick,
            "photo_info": self.photo.info() if self.photo is not None else None,
        }
        return _measure_or_nothing(measure_regions), kwargs, self.regions_version

    def apply_measurement(self, result: tuple[dict, dict], version: int, quick: bool = False) -> bool:
        """Take the result of a measurement task; stale results (older regions) are dropped.

        Returns True when the result was taken.
        """
        if quick:
            # A quick estimate of a slightly older drag position is fine for live feedback, but
            # never replaces a newer result or the full-precision result of the same geometry.
            if version < self.measured_version or (version == self.measured_version
                                                   and not self.measured_quick):
                return False
        elif version != self.regions_version:
            return False
        if self.photo is None:
            return False  # the saved measurements of a photo-less session stay
        self.samples, self.problems = result
        self.measured_version, self.measured_quick = version, quick
        self.events.samples_changed.emit()
        self.rerank()
        return True

    def measure_now(self, quick: bool = False) -> None:
        """Measure the current regions on this thread and rank (headless use and tests)."""
        fn, kwargs, version = self.measurement_task(quick)
        self.apply_measurement(fn(**kwargs), version, quick)

    @property
    def measurement_current(self) -> bool:
        """True when the samples are the full-precision result of the current regions."""
        return self.measured_version == self.regions_version and not self.measured_quick

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

    def set_plan_step(self, step_L: float) -> None:
        """How much lighter (predicted healed L*) the first session of the plan is."""
        self.plan_step_L = float(step_L)
        self._settings_changed()

    def set_calibration(self, calibration) -> None:
        """Use a colour calibration (an object with ``linear_RGB_to_XYZ`` and ``to_dict``)."""
        self.calibration = calibration
        self._changed()
        self.events.settings_changed.emit()
        self._regions_changed(transient=False)

    def _settings_changed(self, by_user: bool = True) -> None:
        self._stored_ranking = []
        self._stored_plan, self._stored_guardrails = None, []
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
        session plan and the guardrails. With another target, when asked (:attr:`card_only`),
        or while no skin is marked yet, the card swatches are ranked and the guardrails say so.
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
        why = ""
        if self.card_only:
            pass
        elif self.target != "hair":
            why = (f"ranked on card colours against the {self.target}: the healed colour is "
                   "predicted against the hair")
        elif skin is None:
            label = CLASS_LABELS[skin_class].lower()
            why = (f"ranked on card colours: no {label} region is marked; mark one to rank by "
                   f"how each shade is predicted to heal in this skin")
        else:
            try:
                self._rank_healed(sample, skin, weight)
                return
            except AppearanceError as exc:
                why = (f"ranked on card colours: the healed colour cannot be predicted ({exc})")
        result = rank_healed(sample.Lab, self.palette, card_only=True, formula=self.formula,
                             lightness_weight=weight, **self.params)
        self.healed, self.ranking = result, result.matches[:self.top]
        if self.card_only:
            self.guardrails = plans.ranking_guardrails(result)
        else:
            self.guardrails = [{"code": "card_only", "message": why}]
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
        return {"entry_id": e.id, "name": e.name, "pigment_name": e.pigment_name,
                "dilution": e.dilution, "water_parts": e.water_parts,
                "pigment_parts": e.pigment_parts, "lab": lab or card,
                "delta_e": delta_e, "healed_lab": healed_lab, "card_lab": card}

    def choose(self, entry_id: str | None) -> None:
        """Record the chosen shade (the primary pick); None clears it."""
        self.picks["primary"] = None if entry_id is None else self._pick(entry_id)
        self._changed()  # before the event: listeners (the autosave) see the change as made
        self.events.picks_changed.emit()

    def choose_first_session(self, entry_id: str | None) -> None:
        """Record the optional lighter shade for the first session; None clears it."""
        self.picks["first_session"] = None if entry_id is None else self._pick(entry_id)
        self._changed()
        self.events.picks_changed.emit()

    def first_session_suggestion(self, entry_id: str | None = None):
        """The palette entry one step lighter than ``entry_id`` (default: the primary pick)."""
        if entry_id is None:
            primary = self.picks.get("primary")
            entry_id = primary["entry_id"] if primary else None
        if entry_id is None or self.palette is None:
            return None
        from shadematch.matching import first_session_suggestion

        return first_session_suggestion(self.palette, entry_id)

    def set_notes(self, notes: str) -> None:
        if notes != self.notes:
            self.notes = notes
            self._changed()
            self.events.notes_changed.emit()


    # -- the analysis record -------------------------------------------------------------------
    def settings(self) -> dict:
        """The choices the analysis is made with (stored in a session's ``settings``)."""
        return {"formula": self.formula, "params": dict(self.params), "target": self.target,
                "top": self.top, "area": self.area, "card_only": self.card_only,
                "plan_step_L": self.plan_step_L,
                "palette": self.palette.info() if self.palette is not None else None}

    def to_analysis(self):
        """The current state as a :class:`shadematch.analysis.Analysis` (``.to_dict()`` for JSON)."""
        from shadematch.analysis import Analysis
        from shadematch.matching import formula_label

        if self.photo is not None:
            photo = self.photo.info()
        else:
            photo = dict(self._photo_info or {})
        if self.palette is not None:
            palette_info = self.palette.info()
        else:
            palette_info = (self._stored_matching or {}).get("palette")
        ranking = [m.to_dict() for m in self.ranking] if self.ranking else list(
            self._stored_ranking)
        stored = self._stored_matching or {}
        if self.ranking and self.healed is not None:
            appearance = {**self.healed.info(), "area": self.area, "card_only": self.card_only}
            basis, plan, guardrails = self.healed.basis, self.plan, list(self.guardrails)
        else:  # the saved ranking (its palette is not available) keeps its saved context
            appearance = stored.get("appearance") or {"basis": "card", "area": self.area}
            basis = stored.get("basis", appearance.get("basis", "card"))
            plan, guardrails = self.plan_record(), self.guardrail_records()
        calibration = None
        if self.calibration is not None:
            calibration = (self.calibration.to_dict() if hasattr(self.calibration, "to_dict")
                           else dict(self.calibration))
        return Analysis(
            photo=photo, regions=list(self.regions), samples=dict(self.samples),
            problems=dict(self.problems), calibration=calibration,
            matching={"target": self.target, "formula": self.formula,
                      "formula_label": formula_label(self.formula), "params": dict(self.params),
                      "palette": palette_info, "top": self.top, "basis": basis,
                      "area": self.area, "appearance": appearance},
            ranking=ranking, picks=copy.deepcopy(self.picks), plan=copy.deepcopy(plan),
            guardrails=guardrails, notes=self.notes, created=self.created,
            palette=self.palette)

    def to_dict(self) -> dict:
        """The analysis record (docs/ANALYSIS_FORMAT.md) of the current state."""
        record = self.to_analysis().to_dict()
        # Samples restored from a record (photo missing) are written back exactly as read:
        # Sample.from_dict -> to_dict recomputes LCh from the rounded Lab (last digit differs).
        for region_class, (sample, data) in self._restored_samples.items():
            if self.samples.get(region_class) is sample:
                record["samples"][region_class] = copy.deepcopy(data)
        return record

    def from_analysis(self, analysis, photo=None, palette=None) -> list[str]:
        """Restore an analysis (an ``Analysis`` or its dict), e.g. from a session file.

        Parameters
        ----------
        analysis : the record to restore.
        photo : the decoded photo it was made on, or None to show the saved measurements
            without pixels (the photo is missing).
        palette : the palette to rank with; by default the record's palette is loaded by name
            (and the current one kept when it cannot be found).

        Returns
        -------
        list of str
            Things the user should know (palette not found or changed, calibration not restored).
        """
        from shadematch.analysis import Analysis

        notes: list[str] = []
        analysis_dict = analysis if isinstance(analysis, dict) else None
        if isinstance(analysis, dict):
            analysis = Analysis.from_dict(analysis)
        matching = dict(analysis.matching or {})
        if palette is None:
            palette, message = _find_palette(matching.get("palette"), self.palette)
            if message:
                notes.append(message)
        calibration = None
        if analysis.calibration:
            try:
                from shadematch.calibration.model import Calibration

                calibration = Calibration.from_dict(analysis.calibration)
            except Exception as exc:  # noqa: BLE001 - any damage in the stored block
                notes.append(f"The saved colour calibration could not be restored ({exc}): "
                             "the regions are measured without it; recalibrate with the chart.")
        auto, self.auto_measure = self.auto_measure, False
        self.calibration = None  # the record's own calibration (if any) replaces it below
        try:
            self.set_photo(photo, regions=analysis.regions)
        finally:
            self.auto_measure = auto
        self._photo_info = dict(analysis.photo)
        self._stored_matching = matching
        self._stored_ranking = list(analysis.ranking)
        self._stored_plan = copy.deepcopy(analysis.plan)
        self._stored_guardrails = list(analysis.guardrails)
        self.created = analysis.created or self.created
        self.calibration = calibration
        self.palette = palette
        formula = matching.get("formula") or self.formula
        self.formula, self.params = formula, dict(matching.get("params") or {})
        self.target = matching.get("target") or self.target
        self.area = matching.get("area") if matching.get("area") in AREAS else "scalp"
        self.card_only = bool((matching.get("appearance") or {}).get("card_only", False))
        if matching.get("top"):
            self.top = int(matching["top"])
        self.picks = {"primary": None, "first_session": None, **copy.deepcopy(analysis.picks)}
        self.notes = analysis.notes
        # The saved measurements are shown at once; with a photo they are measured again.
        self.samples, self.problems = dict(analysis.samples), dict(analysis.problems)
        raw = analysis_dict.get("samples", {}) if analysis_dict else {}
        self._restored_samples = {c: (sample, raw[c]) for c, sample in self.samples.items()
                                  if c in raw}
        self.measured_version, self.measured_quick = -1, False
        self.events.settings_changed.emit()
        self.events.picks_changed.emit()
        self.events.notes_changed.emit()
        self.events.samples_changed.emit()
        self.rerank()
        self._set_modified(False)
        if photo is not None:
            self._regions_changed(transient=False, keep_saved_ranking=True)
        return notes


def _find_palette(info: dict | None, current):
    """The palette an analysis names (by name, checking its hash), and a note when it differs."""
    if not info or not info.get("name"):
        return current, ""
    if current is not None and current.name == info.get("name") and (
            not info.get("hash") or current.short_hash == info.get("hash")):
        return current, ""
    from shadematch.errors import PaletteError
    from shadematch.palettes import load_palette

    name = info["name"]
    try:
        palette = load_palette(name)
    except PaletteError:
        if current is None:
            return None, (f"The palette {name!r} of this analysis is not installed: the saved "
                          "ranking is shown; import the palette to rank again.")
        return current, (f"The palette {name!r} of this analysis is not installed: ranking with "
                         f"{current.name!r} instead; import it to rank as before.")
    if info.get("hash") and palette.short_hash != info["hash"]:
        return palette, (f"The palette {name!r} has changed since this analysis was saved "
                         f"(version {info.get('version', '?')} then, {palette.version} now): "
                         "the ranking may differ.")
    return palette, ""


def _measure_or_nothing(measure_regions):
    def measure(photo_rgb, regions, calibration=None, quick=False, progress=None, cancelled=None,
                photo_info=None):
        if photo_rgb is None or not regions:
            return {}, {}
        return measure_regions(photo_rgb, regions, calibration=calibration, quick=quick,
                               progress=progress, cancelled=cancelled, photo_info=photo_info)

    measure.__name__ = "measure_regions"
    return measure
