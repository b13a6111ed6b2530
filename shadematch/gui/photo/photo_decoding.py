"""Worker functions that decode a photo and prepare its display image, both off the GUI thread.

Run on the :class:`~shadematch.gui.common.workers.TaskRunner` by the window (opening a photo), the
session actions (a session's photo) and the client records (a visit's photo copy).
"""

from __future__ import annotations

from shadematch.gui.photo.photo_view import prepare_display

PREVIEW_SIDE = 1024          # JPEG previews decode at 1/4 or 1/8 scale: a few tens of ms


def decode_for_display(path: str, progress=None, cancelled=None):
    """Worker: decode the photo and prepare its display image (both off the GUI thread)."""
    from shadematch.imaging.loading import load_photo

    photo = load_photo(path, progress=progress, cancelled=cancelled)
    return photo, prepare_display(photo.rgb8())


def preview_for_display(path: str, max_side: int = PREVIEW_SIDE):
    """Worker: a quick reduced decode for an instant preview."""
    from shadematch.imaging.loading import load_preview

    preview = load_preview(path, max_side=max_side)
    return preview, prepare_display(preview.rgb8())
