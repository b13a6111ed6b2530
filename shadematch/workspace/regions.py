"""Region edits of the workspace: add, move, resize, delete, show/hide, class change (undoable),
live previews while a region is dragged, the undo stack and the selection."""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from shadematch.edit_history import Command, PicksState, RegionState
from shadematch.errors import RegionError
from shadematch.region_geometry import geometry_problem, translate_params
from shadematch.workspace.constants import (
    CLASS_LABELS,
)

log = logging.getLogger(__name__)


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



class RegionEditing:
    """Region edits, undo/redo and selection (a part of :class:`~shadematch.workspace.Workspace`)."""

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

    def _restore(self, state: RegionState | PicksState) -> None:
        if isinstance(state, PicksState):
            self._restore_picks(state)
            return
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
            raise RegionError(f"Unknown region class {region_class!r}: use hair, skin, scar or healed.")
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
        """Undo the last edit (regions or shade choice); returns False when there is nothing to undo."""
        if self.editing:
            self.end_edit()
        command = self._history.undo()
        if command is None:
            return False
        self._undo_step(command.before)
        return True

    def redo(self) -> bool:
        """Redo the last undone edit (regions or shade choice); returns False when there is nothing to redo."""
        command = self._history.redo()
        if command is None:
            return False
        self._undo_step(command.after)
        return True

    def _undo_step(self, state: RegionState | PicksState) -> None:
        """Return to ``state`` (an undo or a redo) and say what changed."""
        self._restore(state)
        self._changed()
        self.events.history_changed.emit()
        if isinstance(state, PicksState):
            self.events.picks_changed.emit()
            return
        self.events.selection_changed.emit()
        self._regions_changed(transient=False)

    # -- selection (view state shared by the widgets; not saved) ---------------------------------
    def select(self, region_ids: Iterable[str]) -> None:
        ids = {r.id for r in self.regions}
        selected = tuple(i for i in region_ids if i in ids)
        if selected != self.selected:
            self.selected = selected
            self.events.selection_changed.emit()

