"""What a sound record holds: the rules `records check` applies to the stored content and a
client import applies before it writes anything.

SQLite's checks see pages and references; these see meaning: a date of birth that is a date, a
screening the app can read, a treatment visit that was not given to a client under 18.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from typing import Any

from shadematch.errors import RecordsError
from shadematch.records.models import (
    TREATMENT_KINDS,
    VISIT_KINDS,
    age_on,
    iso_time,
    normalise_screening,
    parse_date,
)

# Longest text accepted in one client field on import (a name, notes...).
MAX_FIELD_CHARS = 100_000
_UID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def check_text(value: Any, what: str, *, limit: int = MAX_FIELD_CHARS) -> str | None:
    """``value`` as text fit to store (None stays None).

    Raises
    ------
    RecordsError
        Not text, longer than ``limit``, or text that cannot be written as UTF-8 (a lone
        surrogate).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordsError(f"{what} must be text, not {type(value).__name__}.")
    if len(value) > limit:
        raise RecordsError(f"{what} is {len(value):,} characters long; at most {limit:,} are "
                           f"kept.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RecordsError(f"{what} holds a character that is not valid text (position "
                           f"{exc.start}).") from exc
    return value


def check_dob(dob: Any, what: str = "date of birth") -> str | None:
    """A date of birth as ``YYYY-MM-DD`` (None when absent); RecordsError otherwise."""
    text = check_text(dob, what, limit=40)
    if text is None or not text.strip():
        return None
    born = parse_date(text, what)
    if born > dt.date.today():
        raise RecordsError(f"The {what} {text} is in the future; check it.")
    if born.isoformat() != text.strip():
        raise RecordsError(f"The {what} {text!r} is not written as YYYY-MM-DD.")
    return born.isoformat()


def check_uid(uid: Any) -> str:
    if not isinstance(uid, str) or not _UID.match(uid):
        raise RecordsError(f"The client's uid {str(uid)[:40]!r} is not an id shadematch wrote "
                           f"(letters, digits and '-', at most 64).")
    return uid


def to_json(value: Any, what: str) -> str:
    """``value`` as the JSON text the store keeps; RecordsError when it cannot be stored."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        text.encode("utf-8")
    except RecursionError as exc:
        raise RecordsError(f"{what} is nested too deeply to be stored.") from exc
    except (TypeError, ValueError) as exc:
        raise RecordsError(f"{what} cannot be stored as JSON ({exc}).") from exc
    return text


def minor_on(dob: str | None, under_18_answer: str | None, day: dt.date) -> bool:
    """Under 18 on ``day`` by date of birth, or by the screening's under-18 answer."""
    age = age_on(dob, day) if dob else None
    return (age is not None and age < 18) or under_18_answer == "yes"


def visit_day(stamp: str) -> dt.date:
    return dt.date.fromisoformat(str(stamp)[:10])


def content_problems(conn: sqlite3.Connection) -> list[str]:
    """Problems in the stored content (empty: all sound). Read-only; call inside a snapshot."""
    problems: list[str] = []
    clients: dict[int, tuple[str | None, bool]] = {}
    for cid, uid, name, dob in conn.execute(
            "SELECT id, uid, name, dob FROM clients"):
        label = f"client #{cid}"
        if not str(name or "").strip():
            problems.append(f"{label}: has no name")
        if not isinstance(uid, str) or not _UID.match(uid):
            problems.append(f"{label}: its uid {uid!r} is not valid")
        dob_ok = True
        try:
            check_dob(dob)
        except RecordsError:
            dob_ok = False
            problems.append(f"{label}: the date of birth {dob!r} is not a YYYY-MM-DD date in "
                            f"the past (correct it with `shadematch clients update {cid} "
                            f"--dob YYYY-MM-DD`)")
        clients[cid] = (dob if dob_ok else None, dob_ok)
    under_18: dict[int, str | None] = {}
    for sid, cid, recorded_at, text in conn.execute(
            "SELECT id, client_id, recorded_at, answers_json FROM screenings "
            "ORDER BY recorded_at, id"):
        try:
            answers = json.loads(text)
            if not isinstance(answers, dict):
                raise RecordsError("not an object")
            clean = normalise_screening(answers)
            iso_time(recorded_at)
            under_18[cid] = clean["under_18"]["answer"]
        except (RecordsError, ValueError, TypeError, RecursionError):
            problems.append(f"client #{cid}: screening #{sid} cannot be read")
    for row_id, cid, given_at in conn.execute("SELECT id, client_id, given_at FROM consents"):
        try:
            iso_time(given_at)
        except RecordsError:
            problems.append(f"client #{cid}: consent #{row_id} has no valid time "
                            f"({given_at!r})")
    for vid, cid, date, kind, number, text in conn.execute(
            "SELECT id, client_id, visit_date, kind, session_number, analysis_json "
            "FROM visits"):
        label = f"visit #{vid}"
        try:
            if not isinstance(json.loads(text), dict):
                raise ValueError("not an object")
        except (TypeError, ValueError, RecursionError):
            problems.append(f"{label}: the stored analysis is not valid JSON")
        if kind not in VISIT_KINDS:
            problems.append(f"{label}: unknown kind {kind!r}")
        if number is not None and (kind != "session" or not isinstance(number, int)
                                   or number < 1):
            problems.append(f"{label}: session number {number!r} does not fit a {kind}")
        try:
            iso_time(date)
            day = visit_day(date)
        except (RecordsError, ValueError):
            problems.append(f"{label}: the visit date {date!r} is not a date")
            continue
        dob, dob_ok = clients.get(cid, (None, True))
        if kind in TREATMENT_KINDS and (not dob_ok or minor_on(dob, under_18.get(cid), day)):
            problems.append(f"{label}: a {kind} for client #{cid}, who was under 18 on "
                            f"{day.isoformat()} (or whose date of birth is not valid)")
    return problems


def validate_export(data: dict, where: str) -> dict[str, Any]:
    """Every row a client export would add, checked and cleaned, before anything is written.

    Returns ``{"client": {...}, "screenings": [...], "consents": [...], "visits": [...]}`` with
    values ready for SQL (text, JSON text, ints).

    Raises
    ------
    RecordsError
        The first problem found, naming ``where`` and the item; nothing was written.
    """
    def fail(message: str) -> RecordsError:
        return RecordsError(f"{where}: {message}; nothing was imported.")

    def items(key: str) -> list:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise fail(f'"{key}" is not a list')
        return value

    def stamp(value: Any, what: str, required: bool = True) -> str | None:
        if value is None or value == "":
            if required:
                raise fail(f"{what} has no date")
            return None
        if not isinstance(value, str):
            raise fail(f"{what}: {value!r} is not a date")
        try:
            return iso_time(value)
        except RecordsError as exc:
            raise fail(f"{what}: {exc}") from None

    client = data.get("client")
    if not isinstance(client, dict):
        raise fail("it has no client")
    try:
        clean: dict[str, Any] = {"uid": check_uid(client["uid"]) if client.get("uid") else None}
        name = check_text(client.get("name"), "The client's name", limit=1000)
        if not (name or "").strip():
            raise RecordsError("the client has no name")
        clean["name"] = name.strip()
        clean["dob"] = check_dob(client.get("dob"))
        for key in ("contact", "hair_loss_pattern", "notes"):
            text = check_text(client.get(key), f"The client's {key.replace('_', ' ')}")
            clean[key] = text.strip() or None if text is not None else None
    except RecordsError as exc:
        raise fail(str(exc).rstrip(".")) from None
    clean["created"] = stamp(client.get("created"), "the client's creation time",
                             required=False) or ""
    clean["updated"] = stamp(client.get("updated"), "the client's update time",
                             required=False) or clean["created"]

    screenings = []
    under_18: str | None = None
    latest = ""
    for n, item in enumerate(items("screenings"), 1):
        if not isinstance(item, dict) or not isinstance(item.get("answers"), dict):
            raise fail(f"screening {n} has no answers")
        when = stamp(item.get("recorded_at"), f"screening {n}")
        try:
            answers = normalise_screening(item["answers"])
            text = to_json(answers, f"screening {n}")
        except RecordsError as exc:
            raise fail(f"screening {n}: {str(exc).rstrip('.')}") from None
        screenings.append((when, text))
        if when >= latest:
            latest, under_18 = when, answers["under_18"]["answer"]

    consents = []
    for n, item in enumerate(items("consents"), 1):
        if not isinstance(item, dict):
            raise fail(f"consent {n} is not an object")
        try:
            note = check_text(item.get("note"), f"consent {n}'s note")
        except RecordsError as exc:
            raise fail(str(exc).rstrip(".")) from None
        consents.append((stamp(item.get("given_at"), f"consent {n}"), note))

    visits = []
    for n, item in enumerate(items("visits"), 1):
        what = f"visit {n}"
        if not isinstance(item, dict):
            raise fail(f"{what} is not an object")
        kind = item.get("kind")
        if kind not in VISIT_KINDS:
            raise fail(f"{what} has an unknown kind {str(kind)[:40]!r}")
        number = item.get("session_number")
        if number is not None and (kind != "session" or type(number) is not int
                                   or not 1 <= number <= 10_000):
            raise fail(f"{what}: session number {str(number)[:40]!r} does not fit a {kind}")
        if not isinstance(item.get("analysis"), dict):
            raise fail(f"{what} has no analysis")
        date = stamp(item.get("visit_date"), what)
        day = visit_day(date)
        if kind in TREATMENT_KINDS and minor_on(clean["dob"], under_18, day):
            raise fail(f"{what} is a {kind} on {day.isoformat()}, when the client was under 18")
        row: dict[str, Any] = {"visit_date": date, "kind": kind, "session_number": number,
                               "created": stamp(item.get("created"), f"{what}'s creation time",
                                                required=False) or date}
        try:
            row["analysis_json"] = to_json(item["analysis"], f"{what}'s analysis")
            for key in ("chosen_entry_id", "chosen_name", "dilution", "batch", "notes",
                        "report_path"):
                row[key] = check_text(item.get(key), f"{what}'s {key.replace('_', ' ')}")
        except RecordsError as exc:
            raise fail(str(exc).rstrip(".")) from None
        photos = []
        raw_photos = item.get("photos") or []
        if not isinstance(raw_photos, list):
            raise fail(f"{what}'s photos are not a list")
        for m, photo in enumerate(raw_photos, 1):
            if not isinstance(photo, dict):
                raise fail(f"photo {m} of {what} is not an object")
            sha, file = photo.get("sha256"), photo.get("file")
            if sha is not None and (not isinstance(sha, str)
                                    or not re.fullmatch(r"[0-9a-f]{64}", sha)):
                raise fail(f"photo {m} of {what} has no valid SHA-256")
            if file is not None and (not isinstance(file, str) or sha is None):
                raise fail(f"photo {m} of {what} names no valid file")
            try:
                original = check_text(photo.get("original_path"),
                                      f"photo {m} of {what}'s original path")
            except RecordsError as exc:
                raise fail(str(exc).rstrip(".")) from None
            photos.append({"sha256": sha if file else None, "file": file,
                           "original_path": original})
        row["photos"] = photos
        visits.append(row)
    return {"client": clean, "screenings": screenings, "consents": consents, "visits": visits}
