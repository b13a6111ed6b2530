"""The consultation preview window: the client's photo with SMP drawn in the shade discussed.

Left, the photo (zoom, pan) with the treatment area, its points and the scale line; right, the
design: hairline template or a drawn area, scale, density (or the client's own), dot size, edge
feather, stage (fresh, healed, faded), first session or final plan, the shade. Every change goes
through the Qt-free :class:`~shadematch.preview.design_editor.DesignEditor` (undo/redo: Ctrl+Z,
Ctrl+Shift+Z); rendering runs off the GUI thread: a quick render into the photo reduced for the
screen while editing, then the full photo when the edits pause. ``\\`` (as in Lightroom) or
"Show SMP" switches between before and after. "Export preview..." writes the full-resolution
image (PNG, JPEG or TIFF, sRGB profile embedded).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from shadematch.errors import ShadematchError
from shadematch.gui.common.workers import TaskRunner
from shadematch.gui.photo.photo_view import PhotoView
from shadematch.gui.preview.area_tool import AreaOverlay, AreaTool
from shadematch.preview.design_editor import DesignEditor, PreviewState
from shadematch.preview.templates import LABELS, TEMPLATES

QUICK_SIDE = 1600          # the quick render's long side (pixels)
QUICK_DELAY_MS = 80        # after an edit, the quick render starts this much later
FULL_DELAY_MS = 700        # and the full one when the edits have paused this long
PROMISE = "A prediction from the appearance model, not a promise: healed results vary."


def _spin(parent, low: float, high: float, decimals: int, step: float, suffix: str,
          value: float | None = None) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(parent)
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)      # a value is taken when typed in full, not per digit
    if value is not None:
        spin.setValue(value)
    return spin


def reduce_for_screen(rgb8: np.ndarray, side: int = QUICK_SIDE) -> np.ndarray:
    """The photo area-averaged down so its long side is at most ``side`` (an integer factor)."""
    from shadematch.gui.photo.photo_view import overview_rgb

    small = overview_rgb(rgb8, side)
    return rgb8 if small is None else small


def render_job(rgb, state: PreviewState, skin, entry, photo_shape=None, model=None,
               progress=None, cancelled=None, source=None):
    """Worker: the preview of ``state`` (see :func:`shadematch.preview.render_preview`)."""
    from shadematch.preview import render_preview

    return render_preview(rgb, state.design(), state.pixels_per_mm, skin, entry, state.stage,
                          state.session, cancelled=cancelled, photo_shape=photo_shape,
                          model=model, source=source)


def choose_job(samples, palette, shade, session, area, model, progress=None, cancelled=None):
    """Worker: the shade to draw and the ranking (:func:`shadematch.preview.choose_shade`)."""
    from shadematch.preview import choose_shade

    return choose_shade(samples, palette, shade, session, area, model)


def export_job(path, rgb, state: PreviewState, skin, entry, model=None, progress=None,
               cancelled=None, source=None):
    """Worker: render the full photo and write it to ``path``; a wide-gamut photo (``source``,
    its SourcePixels) is drawn and written in its own profile."""
    from shadematch.reporting.preview_image import write_preview

    if progress is not None:
        progress(0.1, "Drawing the dots")
    if source is not None:
        rgb = source.oriented()
    preview = render_job(rgb, state, skin, entry, model=model, cancelled=cancelled,
                         source=source)
    if progress is not None:
        progress(0.8, "Writing the file")
    write_preview(path, preview.rgb, icc=preview.icc)
    return path


class PreviewDialog(QDialog):
    """See the module docstring.

    Parameters
    ----------
    rgb8 : the photo as displayed (H, W, 3 uint8, EXIF orientation applied).
    samples : the measured samples ({"hair": Sample, "skin": Sample, ...}).
    palette : the palette to draw from.
    hair_box : (x, y, w, h) over the scalp for the hairline templates (default: the upper middle
        of the photo).
    state : a saved preview state to start from (its design, scale ...).
    source : the photo's SourcePixels when it is wide-gamut: the export is drawn in its profile.
    chart_corners : the calibration's ColorChecker corner patch centres: "From the chart" takes
        the scale from them and the chart's row length (remembered in ``settings``).
    """

    def __init__(self, rgb8: np.ndarray, samples: dict, palette, *, hair_box=None,
                 state: PreviewState | None = None, runner: TaskRunner | None = None,
                 model=None, area: str = "scalp", source=None, chart_corners=None,
                 settings=None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Consultation preview")
        self.setObjectName("previewDialog")
        self.resize(1280, 820)
        self.rgb8 = np.ascontiguousarray(rgb8)
        self.small = reduce_for_screen(self.rgb8)
        self.samples, self.palette, self.model, self.area_kind = samples, palette, model, area
        self.source = source            # a wide-gamut photo's own pixels: exports keep its profile
        self.chart_corners = list(chart_corners) if chart_corners else None
        self.settings = settings
        height, width = self.rgb8.shape[:2]
        self.hair_box = hair_box or (0.15 * width, 0.05 * height, 0.7 * width, 0.35 * height)
        self.runner = runner or TaskRunner(self)
        self.editor = DesignEditor(state)
        self.choice = None
        self.last_preview = None
        self.show_after = True

        self.view = PhotoView(self)
        self.view.set_image(self.small, (width, height))
        self.overlay = AreaOverlay(self.view.scene())
        self.tool = AreaTool(self.editor, self.view)
        self.view.tool = self.tool
        self.tool.changed.connect(self._redraw_overlay)
        self.tool.problem.connect(self._say)
        self.tool.scale_drawn.connect(self._scale_drawn)
        self.view.zoom_changed.connect(lambda _: self._redraw_overlay())

        side = QWidget(self)
        side.setMinimumWidth(330)
        form = QVBoxLayout(side)
        form.addWidget(self._area_box())
        form.addWidget(self._scale_box())
        form.addWidget(self._dots_box())
        form.addWidget(self._show_box())
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName("previewStatus")
        form.addWidget(self.status)
        promise = QLabel(PROMISE, self)
        promise.setWordWrap(True)
        promise.setStyleSheet("color: palette(mid);")
        form.addWidget(promise)
        form.addStretch(1)
        buttons = QHBoxLayout()
        self.undo_button = QPushButton("Undo", self)
        self.redo_button = QPushButton("Redo", self)
        self.export_button = QPushButton("Export preview...", self)
        close = QPushButton("Close", self)
        self.undo_button.clicked.connect(self.editor.undo)
        self.redo_button.clicked.connect(self.editor.redo)
        self.export_button.clicked.connect(self._export)
        close.clicked.connect(self.accept)
        for b in (self.undo_button, self.redo_button, self.export_button, close):
            buttons.addWidget(b)
        form.addLayout(buttons)

        splitter = QSplitter(self)
        splitter.addWidget(self.view)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        QShortcut(QKeySequence.Undo, self, self.editor.undo)
        QShortcut(QKeySequence.Redo, self, self.editor.redo)
        QShortcut(QKeySequence("Ctrl+Shift+Z"), self, self.editor.redo)
        QShortcut(QKeySequence("\\"), self, self.toggle_before_after)
        QShortcut(QKeySequence("Ctrl+E"), self, self._export)
        QShortcut(QKeySequence("O"), self, lambda: self.outline.setChecked(
            not self.outline.isChecked()))

        self._quick = QTimer(self, singleShot=True, interval=QUICK_DELAY_MS)
        self._quick.timeout.connect(lambda: self._render(full=False))
        self._full = QTimer(self, singleShot=True, interval=FULL_DELAY_MS)
        self._full.timeout.connect(lambda: self._render(full=True))
        self.editor.listeners.append(self._changed)
        self._choose()
        self._sync_controls()
        self._redraw_overlay()

    # -- controls --------------------------------------------------------------------------------
    def _area_box(self) -> QGroupBox:
        box = QGroupBox("Treatment area", self)
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.template = QComboBox(box)
        for name in TEMPLATES:
            self.template.addItem(LABELS[name], name)
        apply = QPushButton("Use template", box)
        apply.clicked.connect(self._apply_template)
        row.addWidget(self.template, 1)
        row.addWidget(apply)
        layout.addLayout(row)
        row = QHBoxLayout()
        self.draw_button = QPushButton("Draw area", box)
        self.draw_button.setCheckable(True)
        self.draw_button.setToolTip("Click the corners of the area, double-click or Enter to "
                                    "close; drag a point to move it")
        self.draw_button.toggled.connect(
            lambda on: self.tool.set_mode("draw" if on else "edit"))
        clear = QPushButton("Clear", box)
        clear.clicked.connect(self.editor.clear_area)
        row.addWidget(self.draw_button)
        row.addWidget(clear)
        layout.addLayout(row)
        return box

    def _scale_box(self) -> QGroupBox:
        box = QGroupBox("Scale", self)
        layout = QFormLayout(box)
        self.scale_mm = _spin(box, 1.0, 500.0, 1, 1.0, " mm", 10.0)
        self.scale_mm.setToolTip("The known length the scale line is drawn over")
        self.scale_button = QPushButton("Draw scale line", box)
        self.scale_button.setCheckable(True)
        self.scale_button.setToolTip("Drag along a ruler in the photo over the length set here")
        self.scale_button.toggled.connect(
            lambda on: self.tool.set_mode("scale" if on else "edit"))
        self.ppm = _spin(box, 0.0, 500.0, 3, 0.5, " px/mm")
        self.ppm.setSpecialValueText("not set")
        self.ppm.editingFinished.connect(self._ppm_edited)
        self.chart_row = _spin(box, 0.0, 500.0, 1, 0.5, " mm",
                               float(self.settings.chart_row_mm) if self.settings else 0.0)
        self.chart_row.setSpecialValueText("measure it")
        self.chart_row.setToolTip("On your ColorChecker, the distance between the centres of the "
                                  "dark-skin and bluish-green patches (a row of six), measured "
                                  "once with a ruler; remembered")
        self.chart_scale = QPushButton("Scale from the chart", box)
        self.chart_scale.setEnabled(self.chart_corners is not None)
        self.chart_scale.setToolTip("The photo's scale from the ColorChecker marked for "
                                    "calibration" if self.chart_corners else
                                    "Calibrate with a ColorChecker first (its corners give the "
                                    "scale)")
        self.chart_scale.clicked.connect(self._scale_from_chart)
        layout.addRow("Known length", self.scale_mm)
        layout.addRow(self.scale_button)
        layout.addRow("Chart row", self.chart_row)
        layout.addRow(self.chart_scale)
        layout.addRow("Scale", self.ppm)
        return box

    def _scale_from_chart(self) -> None:
        from shadematch.preview import scale_from_chart

        row_mm = self.chart_row.value()
        if not self.chart_corners:
            self._say("Calibrate with a ColorChecker first: its corners give the scale.")
            return
        if row_mm <= 0:
            self._say("Measure your chart once with a ruler: the distance between the centres of "
                      "the dark-skin and bluish-green patches, in mm, under Chart row.")
            self.chart_row.setFocus()
            return
        if self.settings is not None:
            self.settings.chart_row_mm = float(row_mm)
        try:
            ppm = scale_from_chart(self.chart_corners, row_mm)
        except ShadematchError as exc:
            self._say(str(exc))
            return
        self._edit(self.editor.set_scale, ppm)
        self._sync_controls()
        self._say(f"Scale from the chart: {ppm:.2f} px/mm.")

    def _dots_box(self) -> QGroupBox:
        box = QGroupBox("Dots", self)
        layout = QFormLayout(box)
        self.density = _spin(box, 5.0, 400.0, 0, 5.0, " per cm\N{SUPERSCRIPT TWO}")
        self.density.valueChanged.connect(lambda v: self._edit(self.editor.set_density, v))
        self.match_density = QPushButton("Match the client's", box)
        follicles = getattr(self.samples.get("hair"), "follicles", None)
        self.match_density.setEnabled(getattr(follicles, "density_per_cm2", None) is not None)
        self.match_density.setToolTip("The follicle density measured in the hair region (it "
                                      "needs the photo's scale when measured)")
        self.match_density.clicked.connect(
            lambda: self._edit(self.editor.set_density_from_hair, self.samples.get("hair")))
        self.dot = _spin(box, 0.1, 1.5, 2, 0.05, " mm")
        self.dot.valueChanged.connect(lambda v: self._edit(self.editor.set_dot_mm, v))
        self.feather = _spin(box, 0.0, 30.0, 1, 0.5, " mm")
        self.feather.setToolTip("The width over which density fades in at the area's edge: a "
                                "hard hairline is the classic sign of bad SMP")
        self.feather.valueChanged.connect(lambda v: self._edit(self.editor.set_feather_mm, v))
        relayout = QPushButton("New layout", box)
        relayout.clicked.connect(lambda: self.editor.set_seed(self.editor.state.seed + 1))
        layout.addRow("Density", self.density)
        layout.addRow(self.match_density)
        layout.addRow("Dot size", self.dot)
        layout.addRow("Edge feather", self.feather)
        layout.addRow(relayout)
        return box

    def _show_box(self) -> QGroupBox:
        box = QGroupBox("Show", self)
        layout = QFormLayout(box)
        stages = QHBoxLayout()
        self.stage_group = QButtonGroup(box)
        for stage, text in (("fresh", "Fresh"), ("healed", "Healed"), ("faded", "Faded")):
            button = QRadioButton(text, box)
            button.setObjectName(f"stage_{stage}")
            button.toggled.connect(lambda on, s=stage: on and self._edit(self.editor.set_stage, s))
            self.stage_group.addButton(button)
            stages.addWidget(button)
        layout.addRow("Stage", stages)
        sessions = QHBoxLayout()
        self.session_group = QButtonGroup(box)
        for session, text in (("1", "First session"), ("final", "Final plan")):
            button = QRadioButton(text, box)
            button.setObjectName(f"session_{session}")
            button.toggled.connect(
                lambda on, s=session: on and self._edit(self.editor.set_session, s))
            self.session_group.addButton(button)
            sessions.addWidget(button)
        layout.addRow("Session", sessions)
        self.shade = QComboBox(box)
        self.shade.setObjectName("previewShade")
        self.shade.activated.connect(
            lambda i: self._edit(self.editor.set_shade, self.shade.itemData(i)))
        layout.addRow("Shade", self.shade)
        self.after = QCheckBox("Show SMP (\\ switches before/after)", box)
        self.after.setChecked(True)
        self.after.toggled.connect(self._set_after)
        layout.addRow(self.after)
        self.outline = QCheckBox("Show the area's outline (O)", box)
        self.outline.setChecked(True)
        self.outline.toggled.connect(self._set_outline)
        layout.addRow(self.outline)
        return box

    # -- editor -> view --------------------------------------------------------------------------
    def _edit(self, setter, *args) -> None:
        try:
            setter(*args)
        except ShadematchError as exc:
            self._say(str(exc))
            self._sync_controls()

    def _changed(self, editor: DesignEditor) -> None:
        self._sync_controls()
        self._redraw_overlay()
        if self.choice is None or (self.choice_key() != self._choice_key):
            self._choose()
            return
        self._schedule()

    def choice_key(self):
        s = self.editor.state
        return (s.shade, s.session)

    def _sync_controls(self) -> None:
        s = self.editor.state
        for widget, value in ((self.density, s.density_per_cm2), (self.dot, s.dot_mm),
                              (self.feather, s.feather_mm), (self.ppm, s.pixels_per_mm or 0.0)):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        for button in self.stage_group.buttons():
            button.blockSignals(True)
            button.setChecked(button.objectName() == f"stage_{s.stage}")
            button.blockSignals(False)
        for button in self.session_group.buttons():
            button.blockSignals(True)
            button.setChecked(button.objectName() == f"session_{s.session}")
            button.blockSignals(False)
        self.undo_button.setEnabled(self.editor.can_undo)
        self.undo_button.setToolTip(f"Undo {self.editor.undo_label}".strip())
        self.redo_button.setEnabled(self.editor.can_redo)
        self.redo_button.setToolTip(f"Redo {self.editor.redo_label}".strip())
        missing = s.ready()
        self.export_button.setEnabled(missing is None and self.choice is not None)
        if missing is not None:
            self._say(missing)
        if self.tool.mode == "edit":
            for button in (self.draw_button, self.scale_button):
                button.blockSignals(True)
                button.setChecked(False)
                button.blockSignals(False)

    def _redraw_overlay(self) -> None:
        pending = list(self.tool.pending)
        self.overlay.show(self.editor, pending, self.view.zoom() / self.view.device_ratio())
        if self.tool.scale_preview is not None:
            from PySide6.QtGui import QPainterPath

            a, b = self.tool.scale_preview
            path = QPainterPath()
            path.moveTo(a)
            path.lineTo(b)
            self.overlay.scale.setPath(path)

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # -- actions ---------------------------------------------------------------------------------
    def _apply_template(self) -> None:
        self._edit(self.editor.apply_template, self.template.currentData(), self.hair_box)

    def _scale_drawn(self, x1, y1, x2, y2) -> None:
        self._edit(self.editor.set_scale_line, x1, y1, x2, y2, self.scale_mm.value())
        self.tool.set_mode("edit")
        self._sync_controls()

    def _ppm_edited(self) -> None:
        value = self.ppm.value()
        if value > 0 and value != (self.editor.state.pixels_per_mm or 0):
            self._edit(self.editor.set_scale, value)

    def toggle_before_after(self) -> None:
        self.after.setChecked(not self.after.isChecked())

    def _set_after(self, on: bool) -> None:
        self.show_after = on
        self._show_latest()

    def _set_outline(self, on: bool) -> None:
        self.overlay.visible = on
        self._redraw_overlay()

    # -- background work -------------------------------------------------------------------------
    _choice_key = None

    def _choose(self) -> None:
        self._choice_key = self.choice_key()
        s = self.editor.state
        self.runner.submit(choose_job, channel="preview-shade", samples=self.samples,
                           palette=self.palette, shade=s.shade, session=s.session,
                           area=self.area_kind, model=self.model, title="Choosing the shade",
                           on_done=self._chosen, on_expected=lambda exc: self._say(str(exc)))

    def _chosen(self, choice) -> None:
        self.choice = choice
        self.shade.blockSignals(True)
        self.shade.clear()
        self.shade.addItem("Best healed match", None)
        for m in choice.ranking.matches[:20]:
            self.shade.addItem(f"{m.entry.name}  ({m.band}, dE {m.delta_E:.1f})", m.entry.id)
        index = self.shade.findData(self.editor.state.shade)
        self.shade.setCurrentIndex(max(index, 0))
        self.shade.blockSignals(False)
        self._sync_controls()
        self._schedule()

    def _schedule(self) -> None:
        self.runner.cancel_channel("preview-full")
        self._full.stop()
        if self.editor.state.ready() is None and self.choice is not None:
            self._quick.start()

    def _render(self, full: bool) -> None:
        if self.editor.state.ready() is not None or self.choice is None:
            return
        height, width = self.rgb8.shape[:2]
        rgb, shape = (self.rgb8, None) if full else (self.small, (height, width))
        if not full and self.small is self.rgb8:
            full, shape = True, None
        self.runner.submit(render_job, channel="preview-full" if full else "preview-quick",
                           rgb=rgb, state=self.editor.state, skin=self.choice.skin,
                           entry=self.choice.entry, photo_shape=shape, model=self.model,
                           title="Drawing the preview",
                           on_done=lambda p, f=full: self._rendered(p, f),
                           on_expected=lambda exc: self._say(str(exc)))

    def _rendered(self, preview, full: bool) -> None:
        self.last_preview = preview
        info = preview.info()
        d = info["density_per_cm2"]
        what = {"fresh": "fresh (first days)", "healed": "healed (4-6 weeks)",
                "faded": f"faded (after {info['fade_years']:g} years)"}[info["stage"]]
        session = "first session" if info["session"] == "1" else "final plan"
        notes = "".join(f"\n! {n}" for n in info["notes"] + list(self.choice.notes))
        self._say(f"{info['name']}, {what}, {session}: {info['dots']} dots of "
                  f"{self.editor.state.dot_mm:g} mm over {info['area_cm2']:.1f} cm\N{SUPERSCRIPT TWO}"
                  f" ({d['asked']:g} per cm\N{SUPERSCRIPT TWO} asked). Predicted dot L* "
                  f"{info['dot_lab'][0]:.1f}, a* {info['dot_lab'][1]:.1f}, b* "
                  f"{info['dot_lab'][2]:.1f}.{notes}")
        self._show_latest()
        if not full and not self.editor.dragging:
            self._full.start()

    def _show_latest(self) -> None:
        height, width = self.rgb8.shape[:2]
        if self.show_after and self.last_preview is not None:
            rgb = self.last_preview.rgb
        else:
            rgb = self.small
        self.view.set_image(rgb, (width, height), keep_view=True)

    def _export(self) -> None:
        if self.editor.state.ready() is not None or self.choice is None:
            self._say(self.editor.state.ready() or "Choosing the shade: try again in a moment.")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export preview", "preview.png",
                                              "Images (*.png *.jpg *.jpeg *.tif *.tiff)")
        if not path:
            return
        self.export_to(path)

    def export_to(self, path: str):
        """Render the full photo and write ``path`` off the GUI thread (returns the job)."""
        self._say("Exporting the preview...")
        return self.runner.submit(export_job, channel="preview-export", path=path,
                                  rgb=self.rgb8, state=self.editor.state, skin=self.choice.skin,
                                  entry=self.choice.entry, model=self.model,
                                  source=self.source, title="Exporting the preview",
                                  on_done=lambda p: self._say(f"Preview written to {p}."),
                                  on_expected=lambda exc: self._say(str(exc)))

    def done(self, result: int) -> None:  # noqa: D401 - Qt name
        for channel in ("preview-quick", "preview-full", "preview-shade"):
            self.runner.cancel_channel(channel)
        super().done(result)
