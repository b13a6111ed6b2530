"""Named users and roles, enforced by the records API (not only hidden in the GUI).

Roles:

``practitioner``
    everything about clients and treatment (screening, visits, photos, exports), not erasure
    and not users.
``front_desk``
    appointments and contact details: adds and edits clients, records consent, lists visits,
    but never sees screening answers, notes, analyses or photos (they are left out of what it
    reads) and cannot save visits or export.
``admin``
    everything, and the only role that erases a client or changes users.

A store with no users (a single workstation, as before) lets every call through. Once a user
exists, every call needs a signed-in user (:meth:`AccessMixin.sign_in` with name and PIN;
:meth:`AccessMixin.lock` signs out, for the idle lock). PINs are kept as scrypt hashes.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from shadematch.errors import RecordsError
from shadematch.records.database import StoreBase, now_utc, sql_errors

ROLES = ("practitioner", "front_desk", "admin")
_ALL = frozenset(ROLES)
_CLINICAL = frozenset({"practitioner", "admin"})
RULES: dict[str, frozenset[str]] = {
    "clients.read": _ALL, "clients.write": _ALL, "consent.write": _ALL,
    "visits.read": _ALL,
    "screening.read": _CLINICAL, "screening.write": _CLINICAL, "visits.write": _CLINICAL,
    "export": _CLINICAL, "import": _CLINICAL, "maintenance": _CLINICAL,
    "erase": frozenset({"admin"}), "users": frozenset({"admin"}), "audit": frozenset({"admin"}),
}
_WHAT = {"screening.read": "see screening answers", "screening.write": "record a screening",
         "visits.write": "save or change visits", "export": "export a client",
         "import": "import a client", "maintenance": "check or maintain the records",
         "erase": "erase a client", "users": "change users", "audit": "see the audit log",
         "clients.read": "see clients", "clients.write": "change clients",
         "consent.write": "record consent", "visits.read": "see visits"}
_F = TypeVar("_F", bound=Callable[..., Any])


# The audit log is kept at least this long (years); a purge removes only older entries.
AUDIT_RETENTION_YEARS = 6
AUDIT_COLUMNS = ("at", "actor", "action", "record", "detail")


def _years_before(stamp: str, years: int) -> str:
    """The ISO time ``years`` calendar years before ``stamp`` (29 February -> 28 February)."""
    import datetime as dt

    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    moment = moment.astimezone(dt.timezone.utc)
    try:
        earlier = moment.replace(year=moment.year - years)
    except ValueError:
        earlier = moment.replace(year=moment.year - years, day=28)
    return earlier.replace(microsecond=0).isoformat()


def _audit_filters(client, user, action, since, until) -> tuple[str, list]:
    """The WHERE clause (and its arguments) of :meth:`AccessMixin.audit_log`'s filters."""
    from shadematch.records.models import iso_time

    clauses, args = [], []
    if client is not None:
        record = f"client #{int(client)}"
        clauses.append("(record = ? OR record LIKE ?)")
        args += [record, record + " %"]
    if user:
        clauses.append("actor = ?")
        args.append(user)
    if action:
        clauses.append("action = ?")
        args.append(action)
    if since:
        clauses.append("at >= ?")
        args.append(iso_time(since))
    if until:
        text = str(until).strip()
        if len(text) == 10:  # a date: the whole day
            clauses.append("at < ?")
            args.append(_day_after(text))
        else:
            clauses.append("at <= ?")
            args.append(iso_time(text))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def _day_after(date_text: str) -> str:
    import datetime as dt

    from shadematch.records.models import parse_date

    day = parse_date(date_text, "until date")
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(),
                               dt.timezone.utc).isoformat()


class AccessDenied(RecordsError):
    """The signed-in user's role does not allow this (or nobody is signed in)."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created: str
    disabled: bool = False


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(str(pin).encode("utf-8"), salt=salt, n=2 ** 14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        scheme, salt, _digest = stored.split("$")
        return scheme == "scrypt" and hmac.compare_digest(hash_pin(pin, bytes.fromhex(salt)),
                                                          stored)
    except ValueError:
        return False


def _redact_client(client):
    return replace(client, screening=None, notes=None, hair_loss_pattern=None)


def _redact_visit(visit):
    visit = replace(visit, analysis={}, notes=None, chosen_entry_id=None, chosen_name=None,
                    dilution=None, batch=None, report_path=None)
    visit.photos = []
    return visit


def redact_clients(result):
    """What front desk reads of clients: no screening, notes or hair-loss pattern."""
    if isinstance(result, list):
        return [_redact_client(c) for c in result]
    return _redact_client(result)


def redact_visits(result):
    """What front desk reads of visits: date, kind and session number only."""
    if isinstance(result, list):
        return [_redact_visit(v) for v in result]
    return _redact_visit(result)


_depth = threading.local()


def requires(action: str, redact: Callable[[Any], Any] | None = None,
             viewed: str | None = None) -> Callable[[_F], _F]:
    """Refuse the call (AccessDenied) unless the signed-in user's role allows ``action``;
    ``redact`` filters what front desk gets back; ``viewed`` (e.g. "client #{}", filled with
    the first argument) writes a "view" entry to the audit log when the call is the caller's
    own (not one the store makes inside another call)."""
    roles = RULES[action]

    def decorate(method: _F) -> _F:
        @functools.wraps(method)
        def wrapper(self, *args: Any, **kwargs: Any) -> Any:
            role = self._require(action, roles)
            depth = getattr(_depth, "value", 0)
            _depth.value = depth + 1
            try:
                result = method(self, *args, **kwargs)
            finally:
                _depth.value = depth
            if viewed is not None and depth == 0 and args:
                self._audit_view(viewed.format(_int_or_text(args[0])))
            if redact is not None and role == "front_desk":
                result = redact(result)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate


def _int_or_text(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)[:40]


class AccessMixin(StoreBase):
    """Users, signing in and out, and the role check every guarded method makes."""

    user: User | None = None

    def _audit_view(self, record: str) -> None:
        """An audit entry for a record someone opened (none on read-only records)."""
        if self.read_only:
            return
        import sqlite3

        try:
            with self._write(changes=False) as conn:
                self._audit(conn, "view", record)
        except (RecordsError, sqlite3.Error, OSError) as exc:
            # Reading must go on (a full disk, a busy database): said once, not raised.
            note = (f"Views of records are not being written to the audit log ({exc}); "
                    f"free disk space or run `shadematch records check`.")
            if not any(w.startswith("Views of records") for w in self.warnings):
                self.warnings.append(note)

    @sql_errors
    def _require(self, action: str, roles: frozenset[str]) -> str | None:
        user = self.user
        if user is None:
            with self._lock:
                if self.conn.execute("SELECT id FROM users LIMIT 1").fetchone() is None:
                    return None  # no users set up: a single workstation, all allowed
            raise AccessDenied("The records have named users: sign in with your name and PIN "
                               "first (the app asks for them; it locks when idle).")
        if user.role not in roles:
            allowed = " or ".join(r.replace("_", " ") for r in ROLES if r in roles)
            raise AccessDenied(
                f"{user.name} ({user.role.replace('_', ' ')}) may not "
                f"{_WHAT.get(action, action)}; that needs a {allowed} user. Nothing was "
                f"changed.")
        return user.role

    @sql_errors
    def users(self) -> list[User]:
        """Every user (admin only, or anybody before the first user exists)."""
        self._require("users", RULES["users"])
        with self._read() as conn:
            return [User(r[0], r[1], r[2], r[3], bool(r[4])) for r in conn.execute(
                "SELECT id, name, role, created, disabled FROM users ORDER BY name")]

    @sql_errors
    def add_user(self, name: str, role: str, pin: str) -> User:
        """Add a named user. The first user must be an admin; after that only an admin adds
        users. ``pin``: at least 4 characters (kept as a scrypt hash)."""
        name = " ".join(str(name or "").split())
        if not name:
            raise RecordsError("A user needs a name.")
        if role not in ROLES:
            raise RecordsError(f"Unknown role {role!r}; a user is one of "
                               f"{', '.join(ROLES)}.")
        if len(str(pin or "")) < 4:
            raise RecordsError("A PIN has at least 4 characters; choose a longer one.")
        pin_hash = hash_pin(pin)
        with self._write() as conn:
            first = conn.execute("SELECT id FROM users LIMIT 1").fetchone() is None
            if first and role != "admin":
                raise RecordsError("The first user must be an admin (who then adds the "
                                   "others); nothing was changed.")
            if not first:
                self._require("users", RULES["users"])
            if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise RecordsError(f"There is already a user named {name}; choose another "
                                   f"name.")
            stamp = now_utc()
            user_id = int(conn.execute(
                "INSERT INTO users (name, role, pin_hash, created, disabled) "
                "VALUES (?, ?, ?, ?, 0)", (name, role, pin_hash, stamp)).lastrowid)
            self._audit(conn, "add user", f"user #{user_id}", f"{name}, {role}")
        return User(user_id, name, role, stamp)

    @sql_errors
    def set_user_role(self, name: str, role: str | None = None, *,
                      disabled: bool | None = None) -> User:
        """Change a user's role, or disable / enable them (admin only)."""
        self._require("users", RULES["users"])
        if role is not None and role not in ROLES:
            raise RecordsError(f"Unknown role {role!r}; a user is one of {', '.join(ROLES)}.")
        with self._write() as conn:
            row = conn.execute("SELECT id, role, disabled FROM users WHERE name = ?",
                               (name,)).fetchone()
            if row is None:
                raise RecordsError(f"There is no user named {name}.")
            new_role = role or row[1]
            new_disabled = int(row[2]) if disabled is None else int(bool(disabled))
            admins = conn.execute("SELECT COUNT(*) FROM users WHERE role = 'admin' AND "
                                  "disabled = 0 AND id <> ?", (row[0],)).fetchone()[0]
            if not admins and (new_role != "admin" or new_disabled):
                raise RecordsError("This is the last admin: make another user admin first; "
                                   "nothing was changed.")
            conn.execute("UPDATE users SET role = ?, disabled = ? WHERE id = ?",
                         (new_role, new_disabled, row[0]))
            self._audit(conn, "change user", f"user #{row[0]}",
                        f"role {new_role}, {'disabled' if new_disabled else 'enabled'}")
        return next(u for u in self.users() if u.name == name)

    @sql_errors
    def has_users(self) -> bool:
        """True once named users exist (then every call needs a sign-in); allowed to anyone:
        a front end asks it to know whether to show its sign-in screen."""
        with self._lock:
            return self.conn.execute("SELECT id FROM users LIMIT 1").fetchone() is not None

    @sql_errors
    def sign_in(self, name: str, pin: str) -> User:
        """Act as ``name`` from now on (AccessDenied for a wrong name or PIN)."""
        with self._lock:
            row = self.conn.execute("SELECT id, name, role, created, disabled, pin_hash FROM "
                                    "users WHERE name = ?", (" ".join(str(name).split()),)
                                    ).fetchone()
        if row is None or not check_pin(pin, row[5]) or row[4]:
            raise AccessDenied("Unknown user or wrong PIN (or the user is disabled); try "
                               "again, or ask an admin.")
        self.user = User(row[0], row[1], row[2], row[3])
        self.actor = self.user.name
        return self.user

    def lock(self) -> None:
        """Sign out (the idle lock and "Lock now"): nothing can be read until a sign-in."""
        from shadematch.records.database import default_actor

        self.user = None
        self.actor = default_actor()

    @sql_errors
    def audit_log(self, limit: int | None = None, *, client: int | None = None,
                  user: str | None = None, action: str | None = None,
                  since: str | None = None, until: str | None = None) -> list[dict]:
        """The audit log, newest first (admin only): at, actor, action, record, detail.

        Filters (all optional, combined): ``client`` id (its entries: "client #12", "client
        #12 screenings"...), ``user`` (the actor, exactly), ``action`` ("view", "change",
        "erase"...), ``since`` / ``until`` dates or times (ISO 8601, UTC; a date ``until``
        includes that whole day)."""
        self._require("audit", RULES["audit"])
        where, args = _audit_filters(client, user, action, since, until)
        with self._read() as conn:
            sql = ("SELECT at, actor, action, record, detail FROM audit_log" + where
                   + " ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else ""))
            rows = conn.execute(sql, tuple(args)).fetchall()
        return [dict(zip(AUDIT_COLUMNS, r, strict=True)) for r in rows]

    @sql_errors
    def purge_audit(self, retention_years: int = AUDIT_RETENTION_YEARS,
                    now: str | None = None) -> dict:
        """Remove audit entries older than ``retention_years`` (admin only; at least
        :data:`AUDIT_RETENTION_YEARS`). The purge is itself audited ("purge audit": how many,
        before when). Returns ``{"removed", "before", "retention_years"}``.

        The append-only guard (triggers) is lifted only inside the purge's own transaction, for
        the rows before the cut-off, and is back when it commits (or rolls back)."""
        self._require("audit", RULES["audit"])
        years = int(retention_years)
        if years < AUDIT_RETENTION_YEARS:
            raise RecordsError(f"The audit log is kept at least {AUDIT_RETENTION_YEARS} years; "
                               f"{years} is too short. Nothing was removed.")
        before = _years_before(now or now_utc(), years)
        with self._write() as conn:
            if self.backend == "postgres":
                conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
                removed = conn.execute("DELETE FROM audit_log WHERE at < ?", (before,)).rowcount
                conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
            else:
                guard = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name = 'audit_log_no_delete'").fetchone()
                if guard is not None:
                    conn.execute("DROP TRIGGER audit_log_no_delete")
                removed = conn.execute("DELETE FROM audit_log WHERE at < ?", (before,)).rowcount
                if guard is not None:
                    conn.execute(guard[0])
            self._audit(conn, "purge audit", "audit log",
                        f"{removed} entries before {before} (kept {years} years)")
        return {"removed": int(removed), "before": before, "retention_years": years}
