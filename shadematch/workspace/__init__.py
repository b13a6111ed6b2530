"""The consultation workspace: the model behind the desktop application (Qt-free).

``from shadematch.workspace import Workspace``. The package's parts: :mod:`.model` (the
:class:`Workspace`: state, photo, measurement), :mod:`.regions` (region edits, undo, selection),
:mod:`.ranking` (ranking, plan, guardrails, picks, notes), :mod:`.record` (the analysis record),
:mod:`.events` (the declared, typed events) and :mod:`.constants`.
"""

from shadematch.region_geometry import fit_params, shape_bounds, translate_params
from shadematch.workspace.constants import (
    AREAS,
    CLASS_LABELS,
    DEFAULT_FORMULA,
    DEFAULT_STEP_L,
    DEFAULT_TOP,
)
from shadematch.workspace.events import Event, WorkspaceEvents
from shadematch.workspace.model import Workspace

__all__ = ["AREAS", "CLASS_LABELS", "DEFAULT_FORMULA", "DEFAULT_STEP_L", "DEFAULT_TOP", "Event",
           "Workspace", "WorkspaceEvents", "fit_params", "shape_bounds", "translate_params"]
