"""The consultation preview and the palette tools as features of the main window.

:class:`ConsultationPreview` opens the preview window on the current photo and its measured
samples, starting from the analysis's saved treatment design, and keeps the design in the
workspace (so the session file and the client's visit hold it). :class:`PaletteTools` prints a
swatch card, reads its photo into a palette and imports palette files; the matching panel's
palette list is refreshed after each (``palettes_changed``).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from shadematch.errors import ShadematchError
from shadematch.gui.common.services import WindowServices


def _hair_box(workspace) -> tuple[float, float, float, float] | None:
    """A box over the scalp for the hairline templates: around the hair regions, widened."""
    boxes = [r.bounds() for r in workspace.regions if r.region_class == "hair"]
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[2] for b in boxes)
    y1 = max(b[3] for b in boxes)
    w, h = x1 - x0, y1 - y0
    return (x0 - 0.5 * w, y0 - 0.3 * h, 2.0 * w, 1.8 * h)


def _demo_scale(photo) -> float | None:
    """The scale a demo photo's region file records (the bundled demo is at 10 px/mm)."""
    regions = Path(str(getattr(photo, "path", ""))).with_suffix(".regions.json")
    try:
        return float(json.loads(regions.read_text("utf-8")).get("pixels_per_mm")) or None
    except (OSError, ValueError, TypeError, AttributeError):
        return None


class ConsultationPreview(QObject):
    """Tools > Consultation preview: see the module docstring."""

    def __init__(self, services: WindowServices) -> None:
        super().__init__(services.main_widget())
        self.services = services
        self.dialog = None

    def open(self) -> None:
        from shadematch.gui.preview.preview_dialog import PreviewDialog
        from shadematch.preview.design_editor import PreviewState

        ws = self.services.workspace
        if ws.photo is None:
            self.services.show_status("Open a client's photo first: the preview draws on it.")
            return
        missing = [c for c in ("hair", "skin") if c not in ws.samples]
        if missing:
            self.services.show_message(
                "The preview needs a measured hair region (the stubble the shade matches) and "
                "a skin region (the dots are coloured as in it): mark "
                + " and ".join(missing) + ".")
            return
        if ws.palette is None:
            self.services.show_message("Choose a palette in the matching panel first.")
            return
        state = None
        if ws.treatment:
            try:
                state = PreviewState.from_dict(ws.treatment)
            except ShadematchError as exc:
                self.services.show_message(f"The saved treatment design is not used: {exc}")
        if state is None:
            scale = _demo_scale(ws.photo)
            state = PreviewState(pixels_per_mm=scale) if scale else None
        self.dialog = PreviewDialog(ws.photo.rgb8(), dict(ws.samples), ws.palette,
                                    hair_box=_hair_box(ws), state=state,
                                    runner=self.services.runner,
                                    source=getattr(ws.photo, "source", None),
                                    chart_corners=getattr(ws.calibration, "corners", None),
                                    settings=self.services.settings,
                                    area="scar" if getattr(ws, "area", "scalp") == "scar"
                                    else "scalp", parent=self.services.main_widget())
        self.dialog.finished.connect(self._closed)
        self.dialog.open()

    def _closed(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        ws = self.services.workspace
        state = dialog.editor.state
        block = state.to_dict() if state.area else None
        if block != ws.treatment:
            ws.treatment = copy.deepcopy(block)
            ws.mark_modified()
            self.services.show_status("The treatment design is kept with this analysis.")


class PaletteTools(QObject):
    """Palettes menu: print a swatch card, read it, import a palette file."""

    palettes_changed = Signal()

    def __init__(self, services: WindowServices) -> None:
        super().__init__(services.main_widget())
        self.services = services
        self.dialog = None

    def print_card(self) -> None:
        from shadematch.gui.palettes.palette_dialogs import PrintCardDialog

        self.dialog = PrintCardDialog(self.services.runner, self.services.main_widget())
        self.dialog.open()

    def read_card(self) -> None:
        from shadematch.gui.palettes.palette_dialogs import ReadCardDialog

        dialog = ReadCardDialog(self.services.runner, self.services.main_widget())
        dialog.finished.connect(lambda _r: dialog.saved is not None
                                and self.palettes_changed.emit())
        self.dialog = dialog
        dialog.open()

    def import_palette(self) -> None:
        from shadematch.gui.palettes.palette_dialogs import import_palette_file

        import_palette_file(self.services.main_widget(), self.services.runner,
                            on_done=lambda _p: self.palettes_changed.emit())
