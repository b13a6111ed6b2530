"""Errors a practitioner sees. Every message says what went wrong and what to do about it."""

from __future__ import annotations


class ShadematchError(Exception):
    """Base of every error shadematch raises on purpose; ``str(err)`` is shown to the user."""


class ImageLoadError(ShadematchError):
    """A photo could not be read (missing, empty, truncated, unsupported, too large...)."""


class RegionError(ShadematchError):
    """A region is malformed, empty, or lies wholly outside the photo."""


class SampleError(ShadematchError):
    """A region holds too few usable pixels to measure."""


class PaletteError(ShadematchError):
    """A palette file is missing, malformed or fails validation."""


class CalibrationError(ShadematchError):
    """A colour chart could not be located, sampled or fitted."""


class ReportError(ShadematchError):
    """A PDF report could not be written."""


class RecordsError(ShadematchError):
    """The client records store could not be read or written."""


class UnknownClientError(RecordsError):
    """No client with this id is in the records (never added, or erased)."""

    def __init__(self, message: str, client_id: int) -> None:
        super().__init__(message)
        self.client_id = int(client_id)


class SessionError(ShadematchError):
    """A saved analysis (.shadematch file) could not be read or written."""


class AppearanceError(ShadematchError):
    """A healed-appearance prediction cannot be made (a skin the model cannot reproduce, a pigment
    without optical properties, a dilution of 0 or less, a value that is not a number)."""


class PreviewError(ShadematchError):
    """A consultation preview cannot be drawn (no scale, an area outside the photo, a density
    that does not fit, an unknown shade ...)."""
