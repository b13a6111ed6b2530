"""The consultation-preview editor's model (Qt-free): the design being edited, with undo/redo.

The GUI is a thin view over :class:`DesignEditor`: every change (area drawn or a template chosen,
a vertex dragged, density, dot size, feather, the scale line, stage, session, shade) goes through
it, is validated, becomes one undo step (a drag: one step however many moves), and is announced to
the ``listeners`` (called with the editor after each change). What is drawn follows from
:attr:`DesignEditor.state`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from shadematch.errors import PreviewError, ShadematchError
from shadematch.imaging.regions import Region
from shadematch.preview import design as designs
from shadematch.preview.design import STAGES, TreatmentDesign, scale_from_line
from shadematch.preview.templates import template_region

UNDO_LIMIT = 200


@dataclass(frozen=True)
class PreviewState:
    """What the preview shows: the design's parts (``area`` may be empty while none is drawn),
    the photo's scale and the line it came from, stage, session and shade (None: the best)."""

    area: tuple[Region, ...] = ()
    density_per_cm2: float = designs.DEFAULT_DENSITY_PER_CM2
    dot_mm: float = designs.DEFAULT_DOT_MM
    feather_mm: float = designs.DEFAULT_FEATHER_MM
    seed: int = 0
    pixels_per_mm: float | None = None
    scale_line: tuple[float, float, float, float, float] | None = None   # x1, y1, x2, y2, mm
    stage: str = "healed"
    session: str = "final"
    shade: str | None = None

    def design(self) -> TreatmentDesign:
        """The treatment design (PreviewError while no area is drawn or a value is refused)."""
        return TreatmentDesign(area=self.area, density_per_cm2=self.density_per_cm2,
                               dot_mm=self.dot_mm, feather_mm=self.feather_mm, seed=self.seed)

    def to_dict(self) -> dict:
        """The ``treatment`` block of the analysis record (docs/ANALYSIS_FORMAT.md)."""
        return {"area": [{"id": r.id, "shape": r.shape, "params": r.params} for r in self.area],
                "density_per_cm2": self.density_per_cm2, "dot_mm": self.dot_mm,
                "feather_mm": self.feather_mm, "seed": self.seed,
                "pixels_per_mm": self.pixels_per_mm,
                "scale_line": None if self.scale_line is None else list(self.scale_line),
                "stage": self.stage, "session": self.session, "shade": self.shade}

    @classmethod
    def from_dict(cls, data: dict) -> PreviewState:
        """Read a ``treatment`` block back (PreviewError naming what is damaged)."""
        try:
            area = tuple(Region("skin", a["shape"], dict(a["params"]),
                                **({"id": str(a["id"])} if a.get("id") else {}))
                         for a in data.get("area") or [])
            line = data.get("scale_line")
            state = cls(area=area,
                        density_per_cm2=float(data.get("density_per_cm2",
                                                       designs.DEFAULT_DENSITY_PER_CM2)),
                        dot_mm=float(data.get("dot_mm", designs.DEFAULT_DOT_MM)),
                        feather_mm=float(data.get("feather_mm", designs.DEFAULT_FEATHER_MM)),
                        seed=int(data.get("seed", 0)),
                        pixels_per_mm=(None if data.get("pixels_per_mm") is None
                                       else float(data["pixels_per_mm"])),
                        scale_line=None if line is None else tuple(float(v) for v in line),
                        stage=str(data.get("stage", "healed")),
                        session=str(data.get("session", "final")),
                        shade=data.get("shade") or None)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PreviewError(f"the treatment design is damaged ({exc}): draw the treatment "
                               f"area again") from None
        except ShadematchError as exc:
            raise PreviewError(f"the treatment design is damaged ({exc}): draw the treatment "
                               f"area again") from None
        if state.stage not in STAGES or state.session not in ("final", "1"):
            raise PreviewError(f"the treatment design names an unknown stage or session "
                               f"({state.stage!r}, {state.session!r}): choose them again")
        if state.area:
            state.design()
        return state

    def ready(self) -> str | None:
        """None when a preview can be drawn, else what is missing (for the user)."""
        if not self.area:
            return "Draw the treatment area, or choose a hairline template."
        if self.pixels_per_mm is None:
            return ("The photo has no scale: draw a line over a known length (a ruler on the "
                    "scalp) and enter its length, or enter the pixels per mm.")
        try:
            self.design()
        except PreviewError as exc:
            return str(exc)[:1].upper() + str(exc)[1:] + "."
        return None


@dataclass(frozen=True)
class _Step:
    label: str
    before: PreviewState
    after: PreviewState


class DesignEditor:
    """The preview state with undo and redo (see the module docstring)."""

    def __init__(self, state: PreviewState | None = None) -> None:
        self.state = state or PreviewState()
        self._undo: list[_Step] = []
        self._redo: list[_Step] = []
        self._drag_before: PreviewState | None = None
        self._drag_label = ""
        self.listeners: list[Callable[[DesignEditor], None]] = []

    # -- history ---------------------------------------------------------------------------------
    def _set(self, new: PreviewState, label: str) -> None:
        if new == self.state:
            return
        if self._drag_before is None:
            self._undo.append(_Step(label, self.state, new))
            del self._undo[:-UNDO_LIMIT]
            self._redo.clear()
        self.state = new
        self._announce()

    def _announce(self) -> None:
        for listener in list(self.listeners):
            listener(self)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    @property
    def redo_label(self) -> str:
        return self._redo[-1].label if self._redo else ""

    def undo(self) -> None:
        self.end_drag()
        if self._undo:
            step = self._undo.pop()
            self._redo.append(step)
            self.state = step.before
            self._announce()

    def redo(self) -> None:
        self.end_drag()
        if self._redo:
            step = self._redo.pop()
            self._undo.append(step)
            self.state = step.after
            self._announce()

    def begin_drag(self, label: str) -> None:
        """Start an interactive edit: the changes until :meth:`end_drag` are one undo step."""
        if self._drag_before is None:
            self._drag_before, self._drag_label = self.state, label

    def end_drag(self) -> None:
        before, self._drag_before = self._drag_before, None
        if before is not None and before != self.state:
            self._undo.append(_Step(self._drag_label, before, self.state))
            del self._undo[:-UNDO_LIMIT]
            self._redo.clear()

    @property
    def dragging(self) -> bool:
        return self._drag_before is not None

    # -- edits -----------------------------------------------------------------------------------
    def set_area(self, regions, label: str = "Draw treatment area") -> None:
        regions = tuple(Region("skin", r.shape, r.params, id=r.id) for r in regions)
        self._set(replace(self.state, area=regions), label)

    def apply_template(self, name: str, box) -> None:
        from shadematch.preview.templates import LABELS

        self._set(replace(self.state, area=(template_region(name, box),)),
                  f"Hairline: {LABELS.get(name, name)}")

    def move_vertex(self, index: int, x: float, y: float) -> None:
        """Move a vertex of the (single polygon) area; use inside begin_drag/end_drag."""
        if len(self.state.area) != 1 or self.state.area[0].shape != "polygon":
            raise PreviewError("only a polygon treatment area has vertices to move")
        region = self.state.area[0]
        points = [list(p) for p in region.params["points"]]
        if not 0 <= index < len(points):
            raise PreviewError(f"the area has no vertex {index}")
        points[index] = [round(float(x), 2), round(float(y), 2)]
        moved = Region("skin", "polygon", {"points": points}, id=region.id)
        self._set(replace(self.state, area=(moved,)), "Move hairline point")

    def clear_area(self) -> None:
        self._set(replace(self.state, area=()), "Clear treatment area")

    def _checked(self, **changes) -> PreviewState:
        new = replace(self.state, **changes)
        if new.area:
            new.design()      # raises PreviewError naming the value
        else:
            TreatmentDesign(area=(Region("skin", "rect", {"x": 0, "y": 0, "w": 1, "h": 1}),),
                            density_per_cm2=new.density_per_cm2, dot_mm=new.dot_mm,
                            feather_mm=new.feather_mm)
        return new

    def set_density(self, value: float) -> None:
        self._set(self._checked(density_per_cm2=float(value)), "Change density")

    def set_dot_mm(self, value: float) -> None:
        self._set(self._checked(dot_mm=float(value)), "Change dot size")

    def set_feather_mm(self, value: float) -> None:
        self._set(self._checked(feather_mm=float(value)), "Change edge feather")

    def set_seed(self, value: int) -> None:
        self._set(replace(self.state, seed=int(value)), "New dot layout")

    def set_scale(self, pixels_per_mm: float) -> None:
        if not (pixels_per_mm > 0):
            raise PreviewError(f"the scale must be a positive number of pixels per mm, not "
                               f"{pixels_per_mm!r}")
        self._set(replace(self.state, pixels_per_mm=float(pixels_per_mm), scale_line=None),
                  "Set scale")

    def set_scale_line(self, x1: float, y1: float, x2: float, y2: float, mm: float) -> None:
        ppm = scale_from_line(x1, y1, x2, y2, mm)
        self._set(replace(self.state, pixels_per_mm=ppm, scale_line=(x1, y1, x2, y2, mm)),
                  "Draw scale line")

    def set_stage(self, stage: str) -> None:
        if stage not in STAGES:
            raise PreviewError(f"unknown stage {stage!r}: use one of {', '.join(STAGES)}")
        self._set(replace(self.state, stage=stage), "Show " + stage)

    def set_session(self, session: str) -> None:
        if session not in ("final", "1"):
            raise PreviewError(f"unknown session {session!r}: use 'final' or '1'")
        self._set(replace(self.state, session=session),
                  "Show first session" if session == "1" else "Show final plan")

    def set_shade(self, entry_id: str | None) -> None:
        self._set(replace(self.state, shade=entry_id), "Choose preview shade")

    def set_density_from_hair(self, sample) -> None:
        from shadematch.preview.consultation import density_from_hair

        self._set(self._checked(density_per_cm2=round(density_from_hair(sample), 1)),
                  "Match the client's density")
