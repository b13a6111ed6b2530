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

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from shadematch.edit_history import EditHistory
from shadematch.workspace.constants import (
    DEFAULT_FORMULA,
    DEFAULT_STEP_L,
    DEFAULT_TOP,
)
from shadematch.workspace.events import WorkspaceEvents
from shadematch.workspace.ranking import Ranking
from shadematch.workspace.record import AnalysisRecord
from shadematch.workspace.regions import RegionEditing, _region_type

log = logging.getLogger(__name__)


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SavedVisit:
    """The client's visit this analysis was saved as (or opened from)."""

    visit_id: int
    client_id: int


class Workspace(RegionEditing, Ranking, AnalysisRecord):
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
        #: The client visit this analysis is saved as (a report written now is linked to it);
        #: a new analysis (another photo, a restored record) has none until saved or opened.
        self.saved_visit: SavedVisit | None = None
        self._photo_info: dict | None = None
        self._stored_matching: dict | None = None
        self._stored_ranking: list[dict] = []
        self._stored_plan: dict | None = None
        self._stored_guardrails: list[dict] = []
        self._saved_analysis = None  # the record restored last (its ranking kept without palette)
        self.treatment: dict | None = None   # the consultation preview's design (record block)
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

    def link_visit(self, visit_id: int, client_id: int) -> None:
        """This analysis is saved as (or was opened from) the client's visit ``visit_id``."""
        self.saved_visit = SavedVisit(int(visit_id), int(client_id))

    def unlink_client(self, client_id: int) -> None:
        """The client was erased: this analysis is no longer one of their visits."""
        if self.saved_visit is not None and self.saved_visit.client_id == int(client_id):
            self.saved_visit = None

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
        self.saved_visit = None
        self._photo_info = None
        self._stored_matching = None
        self._stored_ranking = []
        self._stored_plan, self._stored_guardrails = None, []
        self._saved_analysis = None
        self.treatment = None
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

    # -- measurement ---------------------------------------------------------------------------
    def _regions_changed(self, transient: bool, keep_saved_ranking: bool = False) -> None:
        if not keep_saved_ranking:
            self._stored_ranking = []  # the saved ranking no longer matches the regions
            self._stored_plan, self._stored_guardrails = None, []
            self._saved_analysis = None
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

    def apply_measurement(self, result: tuple, version: int, quick: bool = False) -> bool:
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
        self.samples, self.problems = result[0], result[1]
        if len(result) > 2:  # skin models fitted where the measurement ran (off the GUI thread)
            self.remember_skin_fits(result[2])
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


SKIN_NAMES = {"skin": "skin", "scar": "scar tissue"}


def fit_skins(samples: dict) -> dict:
    """The skin model fitted to the skin and scar samples, ``{(Lab, what): SkinParameters}``
    (skipped when the model cannot reproduce one: ranking says why). Runs with the
    measurement, off the GUI thread, so a region edit does not stall the ranking."""
    from shadematch.appearance import fit_skin
    from shadematch.errors import AppearanceError

    fits = {}
    for region_class, what in SKIN_NAMES.items():
        sample = samples.get(region_class)
        if sample is None:
            continue
        key = (tuple(float(v) for v in sample.Lab), what)
        try:
            fits[key] = fit_skin(sample.Lab, what=what)
        except AppearanceError:
            continue
    return fits


def _measure_or_nothing(measure_regions):
    def measure(photo_rgb, regions, calibration=None, quick=False, progress=None, cancelled=None,
                photo_info=None):
        if photo_rgb is None or not regions:
            return {}, {}, {}
        samples, problems = measure_regions(photo_rgb, regions, calibration=calibration,
                                            quick=quick, progress=progress, cancelled=cancelled,
                                            photo_info=photo_info)
        return samples, problems, fit_skins(samples)

    measure.__name__ = "measure_regions"
    return measure

