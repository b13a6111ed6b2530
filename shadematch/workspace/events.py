"""The workspace's events: declared once, each with the arguments it is emitted with.

``Event[[bool]]`` is an event whose callbacks take one ``bool``; a type checker holds both the
callbacks and the emitters to it. The one event mechanism of the core (plain callbacks, no Qt).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, ParamSpec

log = logging.getLogger(__name__)

P = ParamSpec("P")


class Event(Generic[P]):
    """A list of callbacks called in order with the emitted arguments."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callable[P, Any]] = []

    def connect(self, callback: Callable[P, Any]) -> Callable[P, Any]:
        """Call ``callback(*args)`` on every :meth:`emit`; returns it (usable as a decorator)."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[P, Any]) -> None:
        """Stop calling ``callback``; no error when it was not connected."""
        try:
            self._callbacks.remove(callback)
        except ValueError:
            pass

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every callback; one that raises does not stop the others (first error re-raised).

        A broken listener (say, one panel) must not leave the other views stale.
        """
        error: BaseException | None = None
        for callback in list(self._callbacks):
            try:
                callback(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - re-raised below, after the others ran
                log.exception("listener of %s failed", self.name)
                error = error or exc
        if error is not None:
            raise error

    def __repr__(self) -> str:
        return f"<Event {self.name} ({len(self._callbacks)} listeners)>"


class WorkspaceEvents:
    """The events a :class:`~shadematch.workspace.Workspace` emits, with their arguments."""

    NAMES = ("photo_changed", "regions_changed", "selection_changed", "samples_changed",
             "ranking_changed", "settings_changed", "picks_changed", "notes_changed",
             "history_changed", "modified_changed")

    def __init__(self) -> None:
        #: A new photo (or none) is loaded.
        self.photo_changed: Event[[]] = Event("photo_changed")
        #: The regions changed; the argument is True while a drag is in progress (transient).
        self.regions_changed: Event[[bool]] = Event("regions_changed")
        #: The selected region ids changed (not saved, not undoable).
        self.selection_changed: Event[[]] = Event("selection_changed")
        #: New samples / problems.
        self.samples_changed: Event[[]] = Event("samples_changed")
        #: A new ranking, plan and guardrails (also after palette/formula/target/area/top).
        self.ranking_changed: Event[[]] = Event("ranking_changed")
        #: Palette, formula, target, area, top, card-only or calibration changed.
        self.settings_changed: Event[[]] = Event("settings_changed")
        #: The chosen shade(s) changed.
        self.picks_changed: Event[[]] = Event("picks_changed")
        #: The notes changed.
        self.notes_changed: Event[[]] = Event("notes_changed")
        #: Undo/redo availability changed.
        self.history_changed: Event[[]] = Event("history_changed")
        #: Unsaved changes appeared (True) / were saved (False).
        self.modified_changed: Event[[bool]] = Event("modified_changed")

    def __iter__(self):
        """Every event, in :data:`NAMES` order."""
        return (getattr(self, name) for name in self.NAMES)
