"""Plain data objects of the records: clients, screening, visits, photos.

No SQL here; :mod:`shadematch.records.clients` and :mod:`shadematch.records.visits` build these
from rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from shadematch.errors import RecordsError

# The consultation screening: key -> question shown to the practitioner. Every item takes
# {"answer": "yes" | "no" | None, "note": str}; "pigment_allergy" also takes
# "patch_test_date" (ISO date) and "patch_test_result" (free text).
SCREENING_ITEMS: dict[str, str] = {
    "scalp_condition": "Active scalp skin condition (psoriasis, eczema, acne)",
    "skin_cancer": "History of skin cancer",
    "keloid": "Keloid scarring",
    "clotting": "Clotting disorder or blood thinners",
    "pigment_allergy": "Pigment allergy (patch test date and result)",
    "immune": "Immune disorder or chemotherapy",
    "pregnancy": "Pregnancy or breastfeeding",
    "diabetes": "Uncontrolled diabetes",
    "under_18": "Age under 18",
}
ANSWERS = ("yes", "no")
VISIT_KINDS = ("consultation", "session", "touch-up", "follow-up")
TREATMENT_KINDS = ("session", "touch-up")


def normalise_screening(answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Validate screening answers and return them in the stored shape.

    Parameters
    ----------
    answers : dict
        Item key (see :data:`SCREENING_ITEMS`) -> ``"yes"`` / ``"no"`` / ``None``, a bool, or a dict
        ``{"answer": ..., "note": ..., "patch_test_date": ..., "patch_test_result": ...}``.

    Returns
    -------
    dict
        Every item present, each ``{"answer": "yes"|"no"|None, "note": str}`` (+ patch test fields
        for ``pigment_allergy``).

    Raises
    ------
    RecordsError
        An unknown item or answer.
    """
    unknown = sorted(set(answers) - set(SCREENING_ITEMS))
    if unknown:
        raise RecordsError(f"Unknown screening item(s) {', '.join(unknown)}; use one of "
                           f"{', '.join(SCREENING_ITEMS)}.")
    result: dict[str, dict[str, Any]] = {}
    for key in SCREENING_ITEMS:
        value = answers.get(key)
        item: dict[str, Any] = value.copy() if isinstance(value, dict) else {"answer": value}
        answer = item.get("answer")
        if isinstance(answer, bool):
            answer = "yes" if answer else "no"
        if isinstance(answer, str):
            answer = answer.strip().lower() or None
        if answer is not None and answer not in ANSWERS:
            raise RecordsError(f"Screening answer for {key!r} must be 'yes', 'no' or empty, "
                               f"not {item.get('answer')!r}.")
        clean: dict[str, Any] = {"answer": answer, "note": str(item.get("note") or "")}
        if key == "pigment_allergy":
            date = item.get("patch_test_date")
            if date:
                parse_date(str(date), "patch test date")
            clean["patch_test_date"] = str(date) if date else None
            clean["patch_test_result"] = str(item.get("patch_test_result") or "")
        extra = sorted(set(item) - set(clean) - {"answer"})
        if extra:
            raise RecordsError(f"Unknown field(s) {', '.join(extra)} in screening item {key!r}.")
        result[key] = clean
    return result


def parse_date(text: str, what: str = "date") -> dt.date:
    """Parse an ISO date (YYYY-MM-DD); RecordsError naming ``what`` otherwise."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise RecordsError(f"The {what} {text!r} is not a date; write it as YYYY-MM-DD "
                           f"(e.g. 1980-04-23).") from exc


def age_on(dob: str | None, day: dt.date) -> int | None:
    """Whole years between ``dob`` (ISO date) and ``day``; None when the birth date is unknown."""
    if not dob:
        return None
    born = parse_date(dob, "date of birth")
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class Screening:
    """One consultation screening: when it was recorded and the answers per item."""

    recorded_at: str
    answers: dict[str, dict[str, Any]]

    def flags(self) -> list[str]:
        """Keys of the items answered "yes" (the ones that must stand out)."""
        return [key for key, item in self.answers.items() if item.get("answer") == "yes"]

    def unanswered(self) -> list[str]:
        return [key for key, item in self.answers.items() if item.get("answer") is None]

    def to_dict(self) -> dict[str, Any]:
        return {"recorded_at": self.recorded_at, "answers": self.answers, "flags": self.flags()}


@dataclass
class Client:
    """A client; ``screening`` is the latest screening, ``consents`` the consent times (UTC)."""

    id: int
    uid: str
    name: str
    dob: str | None = None
    contact: str | None = None
    hair_loss_pattern: str | None = None
    notes: str | None = None
    created: str = ""
    updated: str = ""
    screening: Screening | None = None
    consents: list[str] = field(default_factory=list)
    visit_count: int = 0
    last_visit: str | None = None
    # Row version (grows with each change; a save from an older version is refused) and who
    # made the last change (``SHADEMATCH_USER`` or user@workstation).
    row_version: int = 1
    updated_by: str | None = None

    @property
    def dob_valid(self) -> bool:
        """False when a stored date of birth is not a YYYY-MM-DD date (`records check` says so)."""
        if not self.dob:
            return True
        try:
            parse_date(self.dob)
        except RecordsError:
            return False
        return True

    def age(self, day: dt.date | None = None) -> int | None:
        """Whole years on ``day`` (default today); None when the date of birth is unknown or
        not a valid date."""
        if not self.dob_valid:
            return None
        return age_on(self.dob, day or dt.date.today())

    def is_minor(self, day: dt.date | None = None) -> bool:
        """Under 18 by date of birth, or answered "yes" to the under-18 screening item. A stored
        date of birth that is not a date counts as under 18 until it is corrected."""
        if not self.dob_valid:
            return True
        age = self.age(day)
        if age is not None and age < 18:
            return True
        if self.screening is not None:
            return self.screening.answers.get("under_18", {}).get("answer") == "yes"
        return False

    def flags(self) -> list[str]:
        """Screening items answered "yes", plus ``under_18`` when the birth date says so."""
        flags = self.screening.flags() if self.screening else []
        if self.is_minor() and "under_18" not in flags:
            flags.append("under_18")
        return flags

    def flag_labels(self) -> list[str]:
        return [SCREENING_ITEMS[key] for key in self.flags()]

    @property
    def consent_at(self) -> str | None:
        return self.consents[-1] if self.consents else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        # The row version and last editor are the store's bookkeeping, not the client's
        # record: exports and --json stay as documented.
        data.pop("row_version", None)
        data.pop("updated_by", None)
        data["screening"] = self.screening.to_dict() if self.screening else None
        data["flags"] = self.flags()
        data["age"] = self.age()
        data["consent_at"] = self.consent_at
        return data


@dataclass
class VisitPhoto:
    """A photo of a visit: the copy in the store (may be None for records from before v3)."""

    sha256: str | None
    original_path: str | None
    stored_path: Path | None
    thumbnail_path: Path | None

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "original_path": self.original_path,
                "stored_path": str(self.stored_path) if self.stored_path else None,
                "thumbnail_path": str(self.thumbnail_path) if self.thumbnail_path else None}


@dataclass
class Visit:
    """A visit; ``analysis`` is the analysis record of docs/ANALYSIS_FORMAT.md."""

    id: int
    client_id: int
    visit_date: str
    kind: str
    session_number: int | None
    analysis: dict[str, Any]
    chosen_entry_id: str | None = None
    chosen_name: str | None = None
    dilution: str | None = None
    batch: str | None = None
    notes: str | None = None
    report_path: str | None = None
    created: str = ""
    photos: list[VisitPhoto] = field(default_factory=list)
    # Row version and last editor (as for clients; not part of to_dict()).
    row_version: int = 1
    updated_by: str | None = None

    @property
    def label(self) -> str:
        """"Consultation", "Session 2", "Touch-up"."""
        if self.kind == "session":
            return f"Session {self.session_number}" if self.session_number else "Session"
        return {"touch-up": "Touch-up", "follow-up": "Follow-up"}.get(
            self.kind, self.kind.capitalize())

    @property
    def photo(self) -> VisitPhoto | None:
        return self.photos[0] if self.photos else None

    def to_dict(self, with_analysis: bool = True) -> dict[str, Any]:
        data = {"id": self.id, "client_id": self.client_id, "visit_date": self.visit_date,
                "kind": self.kind, "session_number": self.session_number, "label": self.label,
                "chosen_entry_id": self.chosen_entry_id, "chosen_name": self.chosen_name,
                "dilution": self.dilution, "batch": self.batch, "notes": self.notes,
                "report_path": self.report_path, "created": self.created,
                "photos": [photo.to_dict() for photo in self.photos]}
        if with_analysis:
            data["analysis"] = self.analysis
        return data


def clean_client_fields(fields: dict[str, Any]) -> dict[str, str | None]:
    """Strip client fields (blank -> None), check the name and date of birth.

    Raises
    ------
    RecordsError
        A blank name, a malformed or future date of birth.
    """
    clean: dict[str, str | None] = {}
    for key, value in fields.items():
        text = None if value is None else str(value).strip() or None
        if text is not None:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise RecordsError(f"The client's {key.replace('_', ' ')} holds a character "
                                   f"that is not valid text (typed in another encoding?); "
                                   f"type it again.") from None
        if key == "name" and not text:
            raise RecordsError("A client needs a name; enter at least a first name.")
        if key == "dob" and text:
            born = parse_date(text, "date of birth")
            if born > dt.date.today():
                raise RecordsError(f"The date of birth {text} is in the future; check it.")
            text = born.isoformat()
        clean[key] = text
    return clean


def parse_kind(kind: str, session_number: int | None) -> tuple[str, int | None]:
    """``("session", 3)`` from "session 3"; "touchup" -> "touch-up"; RecordsError if unknown."""
    word = str(kind or "").strip().lower().replace("_", "-")
    number = session_number
    if word.startswith("session"):
        rest = word[len("session"):].strip(" -#")
        if rest:
            if not rest.isdigit() or int(rest) < 1:
                raise RecordsError(f"Visit kind {kind!r}: write 'session' or 'session N' with "
                                   f"N = 1, 2, 3...")
            number = int(rest)
        word = "session"
    word = {"touchup": "touch-up", "touch up": "touch-up", "followup": "follow-up",
            "follow up": "follow-up"}.get(word, word)
    if word not in VISIT_KINDS:
        raise RecordsError(f"Unknown visit kind {kind!r}; use consultation, session (or "
                           f"'session N'), touch-up or follow-up.")
    if word != "session":
        number = None
    elif number is not None and int(number) < 1:
        raise RecordsError("Session numbers start at 1.")
    return word, number


def iso_time(value: str | dt.datetime) -> str:
    """A date stays ``YYYY-MM-DD``; a time becomes ISO 8601 UTC to the second."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()
    text = str(value).strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
        return iso_time(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError as exc:
        raise RecordsError(f"{text!r} is not a date or time; write it as YYYY-MM-DD or "
                           f"YYYY-MM-DDTHH:MM.") from exc
