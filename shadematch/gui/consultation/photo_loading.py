"""Opening a photo into the consultation: a quick preview at once, then the full photo (both decoded
off the GUI thread), and what the photo view shows while a session or a saved visit replaces it.

:class:`PhotoLoading` owns the state of a photo being opened (which path, whether a preview is
shown, the display image decoded with it); the session actions ask it to drop a photo still
loading and to show a restored analysis' photo, through its public methods.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QProgressBar

from shadematch.gui.common.services import WindowServices
from shadematch.gui.photo.photo_decoding import decode_for_display, preview_for_display
from shadematch.gui.photo.photo_view import PhotoView, prepare_display

PREVIEW_MIN_BYTES = 1_500_000  # smaller files decode fully about as fast as a preview
NO_PREVIEW_SUFFIXES = {".png", ".tif", ".tiff", ".bmp", ".webp"}  # no reduced decode for these


def decode_with_kept_analysis(path: str, progress=None, cancelled=None):
    """Worker: decode the photo for display and find the analysis it kept, if any."""
    from shadematch.photo_sessions import find_kept

    photo, display = decode_for_display(path, progress, cancelled)
    return photo, display, find_kept(getattr(photo, "sha256", ""))


class PhotoLoading(QObject):
    """Opens photos into the workspace and keeps the photo view and the photo's labels current.

    Parameters
    ----------
    services : the window services (workspace, runner, status bar).
    view : the photo view.
    show_regions : ``show_regions(visible)`` shows or hides the region overlay (hidden on a
        preview: the regions belong to the photo being replaced).
    new_analysis : called just before a newly opened photo replaces the analysis (the session
        actions keep the analysis of the photo being left); returns what the info bar says.
    restore_kept : ``restore_kept(record, photo, display)`` restores the analysis the photo
        kept from an earlier visit (:mod:`shadematch.photo_sessions`) instead of starting anew.
    """

    photo_opened = Signal(str)       # a photo finished loading (full resolution)
    preview_title = Signal(str)      # the window title while the full photo is decoded

    def __init__(self, services: WindowServices, view: PhotoView,
                 show_regions: Callable[[bool], None], new_analysis: Callable[[], str | None],
                 restore_kept: Callable[..., None] | None = None) -> None:
        super().__init__(services.main_widget())
        self.services = services
        self.workspace = services.workspace
        self.view = view
        self._show_regions = show_regions
        self._new_analysis = new_analysis
        self._restore_kept = restore_kept
        self._loading: str | None = None
        self._preview_for: str | None = None
        self._display = None
        self.progress = QProgressBar()
        self.progress.setObjectName("loadProgress")
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.photo_label = QLabel()
        self.photo_label.setObjectName("photoInfo")
        self.workspace.events.photo_changed.connect(self._on_photo_changed)

    @property
    def loading(self) -> str | None:
        """The path of the photo being opened, or None."""
        return self._loading

    # -- opening -----------------------------------------------------------------------------------
    def open_photo(self, path: str | Path) -> None:
        """Show a quick preview at once, then the full photo (both decoded off the GUI thread)."""
        path = str(path)
        runner = self.services.runner
        self._loading = path
        self._preview_for = None
        self.progress.setValue(0)
        self.progress.show()
        self.services.show_status(f"Opening {Path(path).name}…", 0)
        if self._wants_preview(Path(path)):
            runner.submit(preview_for_display, path=path, channel="preview", pass_progress=False,
                          on_done=lambda result: self._preview_ready(path, result),
                          quiet=True)  # the full decode reports the errors
        runner.submit(decode_with_kept_analysis, path=path, channel="photo",
                      on_done=lambda result: self._photo_ready(path, result),
                      title=f"Opening {Path(path).name}",
                      on_failure=lambda _exc: self._photo_failed(path),
                      on_progress=self.load_progress)

    @staticmethod
    def _wants_preview(path: Path) -> bool:
        try:
            size = path.stat().st_size
        except OSError:
            return False
        return size >= PREVIEW_MIN_BYTES and path.suffix.lower() not in NO_PREVIEW_SUFFIXES

    def load_progress(self, fraction: float, message: str) -> None:
        """Show the progress of a photo being decoded."""
        self.progress.setValue(int(fraction * 100))
        if message:
            self.progress.setFormat(message)

    def _preview_ready(self, path: str, result) -> None:
        if self._loading != path:
            return  # the full photo already arrived, or another photo was asked for
        preview, display = result
        self._preview_for = path
        self._show_regions(False)
        # The preview's pixel size differs from the full photo's; fit it to its own rectangle
        # until the full photo gives the true size (regions are only drawn on the full photo).
        self.view.set_display(display, (preview.width, preview.height), preview=True)
        self.preview_title.emit(f"{preview.name} (loading…) — shadematch")

    def _photo_ready(self, path: str, result) -> None:
        if self._loading != path:
            return
        photo, display, kept = result
        self._loading = None
        self.progress.hide()
        ws = self.workspace
        if ws.photo is not None and ws.photo.sha256 == photo.sha256 and (
                ws.regions or ws.modified):
            # the photo already open (activated again, or auto-opened twice): its analysis stays
            self._show_workspace_photo()
            self.services.show_status(f"{photo.name} is already open.", 6000)
            return
        if kept is not None and self._restore_kept is not None:
            self._restore_kept(kept, photo, display)
            self.photo_opened.emit(path)
            return
        note = self._new_analysis()
        if note:
            self.services.show_message(note)
        self._display = display
        ws.set_photo(photo)
        note = "; ".join([*photo.notes, *([ws.calibration_note] if ws.calibration_note else [])])
        self.services.show_status(f"Opened {photo.name} ({photo.width} x {photo.height}, "
                                  f"{photo.source_profile})" + (f" — {note}" if note else ""),
                                  8000)
        self.photo_opened.emit(path)

    def _photo_failed(self, path: str) -> None:
        """Opening ``path`` failed (the runner says why): show the photo that stays open."""
        if self._loading == path:
            self._loading = None
        self.progress.hide()
        self._show_workspace_photo()
        self.services.refresh_title()

    def _show_workspace_photo(self) -> None:
        self._show_regions(True)
        photo = self.workspace.photo
        if photo is None:
            self.view.set_display(None)
        else:
            self.view.set_display(self._display or prepare_display(photo.rgb8()),
                                  (photo.width, photo.height))

    # -- a session or a saved visit replaces the photo -----------------------------------------------
    def drop_loading(self, show_current: bool) -> None:
        """Forget a photo still loading (a session replaces it); show the current one again."""
        if self._loading is None:
            return
        self._loading = None
        if show_current:
            self._show_workspace_photo()
        else:
            self.progress.hide()

    def show_restored(self, display) -> None:
        """The next photo_changed shows ``display`` (a restored analysis' photo), not a preview."""
        self._show_regions(True)
        self._display = display
        self._preview_for = None

    # -- the photo shown -------------------------------------------------------------------------------
    def _on_photo_changed(self) -> None:
        ws = self.workspace
        display, self._display = self._display, None
        if ws.photo is None:
            self.view.set_display(None)
        else:
            keep = self._preview_for == str(ws.photo.path)
            self.view.set_display(display or prepare_display(ws.photo.rgb8()),
                                  (ws.photo.width, ws.photo.height), keep_view=keep)
        self._preview_for = None
        self.update_photo_label()

    def update_photo_label(self) -> None:
        """Size and colour profile of the photo; the loader's notes (sRGB assumed...) on hover."""
        photo = self.workspace.photo
        if photo is None:
            self.photo_label.setText("")
            self.photo_label.setToolTip("")
            return
        notes = list(photo.notes)
        mark = "  ⚠" if notes else ""
        self.photo_label.setText(f"{photo.width} × {photo.height} · {photo.bit_depth}-bit · "
                                 f"{photo.source_profile}{mark}")
        self.photo_label.setStyleSheet("color: rgb(255, 196, 0);" if notes else "")
        self.photo_label.setToolTip("\n".join(notes) or "Colour profile of the photo")
