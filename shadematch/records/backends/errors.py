"""Errors of the server mode, and URLs shown without their password."""

from __future__ import annotations

from urllib.parse import urlsplit

from shadematch.errors import RecordsError


class ServerUnavailable(RecordsError):
    """The records server cannot be reached (down, network gone, mid-save): nothing of the
    failed operation was stored. Keep the work (as a session) and save again later."""


class EditConflict(RecordsError):
    """A record was changed elsewhere since it was read; the save was refused, nothing changed.

    ``current`` is the record as it is now, ``changed`` the field names that differ from the
    version the save started from, ``by`` and ``at`` who changed it last and when.
    """

    def __init__(self, message: str, current: object, changed: list[str], by: str | None,
                 at: str | None) -> None:
        super().__init__(message)
        self.current = current
        self.changed = changed
        self.by = by
        self.at = at


def describe_url(url: str) -> str:
    """``host:port/database`` of a URL (never its password), for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an unreadable database URL)"
    host = parts.hostname or "local socket"
    port = f":{parts.port}" if parts.port else ""
    database = parts.path.lstrip("/") or "(default database)"
    return f"{host}{port}/{database}"
