"""Resolving an edit conflict on a client: what each side changed, and the merged fields.

When :meth:`~shadematch.records.clients.ClientsMixin.update_client` refuses a stale save
(:class:`~shadematch.records.backends.errors.EditConflict`), a front end shows, field by field,
the value the edit started from (``old``), the value saved elsewhere meanwhile (``theirs``) and
the value typed here (``yours``), then offers to merge: theirs for the fields you did not
change, yours for the ones you did. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shadematch.records.clients import CLIENT_FIELDS

FIELD_LABELS = {"name": "Name", "dob": "Date of birth", "contact": "Contact",
                "hair_loss_pattern": "Hair loss", "notes": "Notes"}


def _value(value: Any) -> str | None:
    """Blank and missing are the same thing for a client's text fields."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@dataclass(frozen=True)
class FieldChange:
    """One client field that differs between the three versions."""

    field: str
    old: str | None
    theirs: str | None
    yours: str | None

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    @property
    def changed_here(self) -> bool:
        return self.yours != self.old

    @property
    def changed_there(self) -> bool:
        return self.theirs != self.old

    @property
    def clash(self) -> bool:
        """Both sides changed the field, to different values (yours wins in a merge)."""
        return self.changed_here and self.changed_there and self.yours != self.theirs


def field_changes(old: Any, theirs: Any, yours: dict[str, Any]) -> list[FieldChange]:
    """The fields changed on either side, in form order.

    ``old``: the client as the edit started from; ``theirs``: the client as it is now (the
    conflict's ``current``); ``yours``: the fields as typed (``name``, ``dob``...)."""
    rows = []
    for field in CLIENT_FIELDS:
        before = _value(getattr(old, field))
        now = _value(getattr(theirs, field))
        typed = _value(yours.get(field, getattr(old, field)))
        if before != now or before != typed:
            rows.append(FieldChange(field, before, now, typed))
    return rows


def merged_fields(old: Any, theirs: Any, yours: dict[str, Any]) -> dict[str, str | None]:
    """Every client field: yours where you changed it, theirs everywhere else."""
    merged = {}
    for field in CLIENT_FIELDS:
        before = _value(getattr(old, field))
        typed = _value(yours.get(field, getattr(old, field)))
        merged[field] = typed if typed != before else _value(getattr(theirs, field))
    return merged
