"""Undo and redo of region edits and of the shade choice (Qt-free).

:class:`EditHistory` keeps the undo and redo stacks of one analysis and the interactive edit in
progress (a drag: any number of previews, then one undo step). It stores immutable snapshots
(:class:`RegionState`) and never touches the regions itself: the
:class:`~shadematch.workspace.Workspace` takes the snapshots, restores them and emits its events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Undo steps kept; the oldest are dropped beyond this.
UNDO_LIMIT = 200


@dataclass(frozen=True)
class RegionState:
    """An immutable snapshot of the regions (for undo): their dicts, in order."""

    regions: tuple[dict, ...]


@dataclass(frozen=True)
class PicksState:
    """An immutable snapshot of the shade choice (for undo): the picks as (key, pick) pairs,
    each pick a dict of docs/ANALYSIS_FORMAT.md or None (copies: never changed afterwards)."""

    picks: tuple[tuple[str, dict | None], ...]


@dataclass(frozen=True)
class Command:
    """One undo step: what it is called ("Move region", "Choose shade") and the state before
    and after it (regions, or the shade choice)."""

    label: str
    before: RegionState | PicksState
    after: RegionState | PicksState


class EditHistory:
    """The undo and redo stacks of region edits and the interactive edit in progress.

    Parameters
    ----------
    limit : how many undo steps are kept (the oldest are dropped beyond it).
    """

    def __init__(self, limit: int = UNDO_LIMIT) -> None:
        self.limit = limit
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._edit_before: RegionState | None = None
        self._edit_label = ""

    def clear(self) -> None:
        """Forget every step and any edit in progress (a new analysis)."""
        self._undo.clear()
        self._redo.clear()
        self._edit_before = None

    def push(self, command: Command) -> None:
        """Record a finished edit; the redo stack is cleared."""
        self._undo.append(command)
        del self._undo[:-self.limit]
        self._redo.clear()

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    def redo_label(self) -> str:
        return self._redo[-1].label if self._redo else ""

    def undo(self) -> Command | None:
        """Move the last step to the redo stack and return it (restore its ``before``).

        Returns None when there is nothing to undo.
        """
        if not self._undo:
            return None
        command = self._undo.pop()
        self._redo.append(command)
        return command

    def redo(self) -> Command | None:
        """Move the last undone step back to the undo stack and return it (restore its ``after``).

        Returns None when there is nothing to redo.
        """
        if not self._redo:
            return None
        command = self._redo.pop()
        self._undo.append(command)
        return command

    # Interactive edits: begin_edit(), then take_edit() when it ends (finished or cancelled).
    @property
    def editing(self) -> bool:
        """True between :meth:`begin_edit` and :meth:`take_edit` (or :meth:`clear`)."""
        return self._edit_before is not None

    def begin_edit(self, label: str, snapshot: Callable[[], RegionState]) -> None:
        """Start an interactive edit called ``label``, or rename the one in progress.

        ``snapshot()`` gives the regions before the edit; it is called only when no edit is in
        progress (the state from before the first preview is the one an undo returns to).
        """
        if self._edit_before is None:
            self._edit_before = snapshot()
        self._edit_label = label

    def take_edit(self) -> tuple[str, RegionState] | None:
        """End the edit in progress: its label and the regions before it; None when none."""
        before, self._edit_before = self._edit_before, None
        if before is None:
            return None
        return self._edit_label, before
