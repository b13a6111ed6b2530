"""Clients, their consultation screenings and consents (the part of the store that keeps them)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from typing import Any

from shadematch.errors import RecordsError, UnknownClientError
from shadematch.records.access import AccessDenied, AccessMixin, redact_clients, requires
from shadematch.records.database import fold, now_utc, sql_errors
from shadematch.records.models import (
    Client,
    Screening,
    clean_client_fields,
    iso_time,
    normalise_screening,
)

CLIENT_FIELDS = ("name", "dob", "contact", "hair_loss_pattern", "notes")


def require_client(conn: sqlite3.Connection, client_id: int) -> tuple:
    """The client's ``(id, name, dob)`` row; RecordsError when there is no such client."""
    row = conn.execute("SELECT id, name, dob FROM clients WHERE id = ?",
                       (int(client_id),)).fetchone()
    if row is None:
        raise UnknownClientError(f"There is no client #{client_id} in the records; "
                                 f"`shadematch clients list` shows the clients.", client_id)
    return row


def select_clients(conn: sqlite3.Connection, where: str, params: tuple) -> list[Client]:
    """Clients matching ``where`` (SQL on ``clients c``), sorted by name, with their latest
    screening, consents and visit count."""
    rows = conn.execute(
        "SELECT c.id, c.uid, c.name, c.dob, c.contact, c.hair_loss_pattern, c.notes, "
        "c.created, c.updated, "
        "(SELECT COUNT(*) FROM visits v WHERE v.client_id = c.id), "
        "(SELECT MAX(visit_date) FROM visits v WHERE v.client_id = c.id), "
        "c.row_version, c.updated_by "
        f"FROM clients c {where} ORDER BY c.name COLLATE NOCASE, c.id", params).fetchall()
    # Three queries whatever the number of clients (not two more per client): the latest
    # screening and the consents of every listed client, picked out in Python. A few clients
    # are named by id; many by the same condition (a join), which stays one short statement.
    if not rows:
        return []
    if len(rows) <= 200:
        join, args = (f"WHERE s.client_id IN ({', '.join('?' for _ in rows)})",
                      tuple(row[0] for row in rows))
    else:
        join, args = f"JOIN clients c ON c.id = s.client_id {where}", params
    latest: dict[int, tuple] = {}
    for cid, recorded_at, text in conn.execute(
            f"SELECT s.client_id, s.recorded_at, s.answers_json FROM screenings s {join} "
            "ORDER BY s.client_id, s.recorded_at DESC, s.id DESC", args):
        latest.setdefault(cid, (recorded_at, text))
    consents: dict[int, list[str]] = {}
    for cid, given_at in conn.execute(
            f"SELECT s.client_id, s.given_at FROM consents s {join} "
            "ORDER BY s.client_id, s.given_at, s.id", args):
        consents.setdefault(cid, []).append(given_at)
    clients = []
    for row in rows:
        client = Client(id=row[0], uid=row[1], name=row[2], dob=row[3], contact=row[4],
                        hair_loss_pattern=row[5], notes=row[6], created=row[7],
                        updated=row[8] or row[7], visit_count=row[9], last_visit=row[10],
                        row_version=int(row[11] or 1), updated_by=row[12])
        if client.id in latest:
            client.screening = Screening(latest[client.id][0], json.loads(latest[client.id][1]))
        client.consents = consents.get(client.id, [])
        clients.append(client)
    return clients


def load_client(conn: sqlite3.Connection, client_id: int) -> Client:
    """One client (see :func:`select_clients`); RecordsError when there is no such client."""
    require_client(conn, client_id)
    return select_clients(conn, "WHERE c.id = ?", (int(client_id),))[0]


def _refuse_stale(conn: Any, client_id: int, expected: Client | int,
                  values: dict[str, Any]) -> None:
    """EditConflict when the client's row version is not the one the edit started from."""
    from shadematch.records.backends.errors import EditConflict

    version = expected.row_version if isinstance(expected, Client) else int(expected)
    current = load_client(conn, client_id)
    if current.row_version == version:
        return
    if isinstance(expected, Client):
        changed = [f for f in CLIENT_FIELDS if getattr(expected, f) != getattr(current, f)]
    else:
        changed = []
    what = ", ".join(changed) if changed else "the record"
    clash = sorted(set(changed) & set(values))
    raise EditConflict(
        f"{current.name} (client #{client_id}) was changed by {current.updated_by or 'someone'}"
        f" at {current.updated} since you opened it ({what}); your changes were not saved, so "
        f"nothing was overwritten."
        + (f" Both of you changed {', '.join(clash)}." if clash else "")
        + " Reload the client (or merge your changes into it) and save again.",
        current, changed, current.updated_by, current.updated)


class ClientsMixin(AccessMixin):
    """Adding, finding and changing clients; their screenings and consents."""

    @requires("clients.write")
    @sql_errors
    def add_client(self, name: str, dob: str | None = None, contact: str | None = None,
                   hair_loss_pattern: str | None = None, notes: str | None = None) -> int:
        """Add a client; returns the new client id.

        Parameters
        ----------
        name : the client's name (required, not blank).
        dob : date of birth, ``YYYY-MM-DD``.
        contact : phone / e-mail, free text.
        hair_loss_pattern : Norwood / Ludwig stage ("Norwood 5") or free text.
        notes : free text.

        Raises
        ------
        RecordsError
            Blank name, a malformed or future date of birth.
        """
        values = clean_client_fields({"name": name, "dob": dob, "contact": contact,
                                       "hair_loss_pattern": hair_loss_pattern, "notes": notes})
        stamp = now_utc()
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO clients (uid, name, dob, contact, hair_loss_pattern, notes, created, "
                "updated, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (uuid.uuid4().hex, values["name"], values["dob"], values["contact"],
                 values["hair_loss_pattern"], values["notes"], stamp, stamp, self.actor))
            client_id = int(cursor.lastrowid)
            self._audit(conn, "create", f"client #{client_id}")
            return client_id

    @requires("clients.write", redact_clients)
    @sql_errors
    def update_client(self, client_id: int, *, expected: Client | int | None = None,
                      **fields: str | None) -> Client:
        """Change some of ``name``, ``dob``, ``contact``, ``hair_loss_pattern``, ``notes``.

        ``expected``: the client as it was read (or its ``row_version``). When the record was
        changed since (on another workstation, or in another window), the save is refused with
        :class:`~shadematch.records.backends.errors.EditConflict`: what changed, by whom,
        when, and the record as it is now; nothing is overwritten. Reload or merge, then save
        with the new version.

        Returns the updated client. Raises RecordsError for an unknown client or field.
        """
        unknown = sorted(set(fields) - set(CLIENT_FIELDS))
        if unknown:
            raise RecordsError(f"Cannot update {', '.join(unknown)}; a client has "
                               f"{', '.join(CLIENT_FIELDS)}.")
        user = self.user
        hidden = sorted(set(fields) & {"notes", "hair_loss_pattern"})
        if user is not None and user.role == "front_desk" and hidden:
            # They never see these fields (redacted), so a value from them would be a guess.
            raise AccessDenied(
                f"{user.name} (front desk) may not change a client's "
                f"{' or '.join(h.replace('_', '-') for h in hidden)}; they are not shown to "
                f"the front desk. Nothing was changed.")
        values = clean_client_fields(fields)
        with self._write() as conn:
            require_client(conn, client_id)
            if expected is not None:
                _refuse_stale(conn, client_id, expected, values)
            if values:
                assignments = ", ".join(f"{key} = ?" for key in values)
                conn.execute(f"UPDATE clients SET {assignments}, updated = ?, updated_by = ?, "
                             f"row_version = row_version + 1 WHERE id = ?",
                             (*values.values(), now_utc(), self.actor, int(client_id)))
                self._audit(conn, "change", f"client #{int(client_id)}",
                            "fields: " + ", ".join(sorted(values)))
        return self.get_client(client_id)

    @requires("clients.read", redact_clients, viewed="client #{}")
    @sql_errors
    def get_client(self, client_id: int) -> Client:
        """The client with its latest screening, consents and visit count."""
        with self._read() as conn:
            return load_client(conn, client_id)

    @requires("clients.read", redact_clients)
    @sql_errors
    def search_clients(self, text: str = "") -> list[Client]:
        """Clients whose name or contact contains ``text`` (any case, any script), or whose id is ``text``
        ("#12" matches the id only); all clients when ``text`` is blank. Sorted by name."""
        text = (text or "").strip()
        with self._read() as conn:
            if not text:
                return select_clients(conn, "", ())
            if text.startswith("#") and text[1:].isdigit():
                return select_clients(conn, "WHERE c.id = ?", (int(text[1:]),))
            folded = fold(text) or ""
            pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace(
                "_", "\\_") + "%"
            # Folded in Python (casefold, NFC): "zoë", "ZOË" and "Zoë" find each other.
            where = ("WHERE shadematch_fold(c.name) LIKE ? ESCAPE '\\' "
                     "OR shadematch_fold(c.contact) LIKE ? ESCAPE '\\' OR c.id = ?")
            ident = int(text.lstrip("#")) if text.lstrip("#").isdigit() else -1
            return select_clients(conn, where, (pattern, pattern, ident))

    @requires("screening.write")
    @sql_errors
    def set_screening(self, client_id: int, answers: dict[str, Any],
                      when: str | None = None) -> Screening:
        """Record a consultation screening (kept alongside earlier ones; the latest counts).

        Parameters
        ----------
        answers : item key -> "yes" / "no" / None or ``{"answer", "note", ...}``; see
            :data:`shadematch.records.models.SCREENING_ITEMS`. Missing items stay unanswered.
        when : ISO 8601 time; default now (UTC).
        """
        clean = normalise_screening(answers)
        stamp = iso_time(when) if when else now_utc()
        with self._write() as conn:
            require_client(conn, client_id)
            conn.execute("INSERT INTO screenings (client_id, recorded_at, answers_json) "
                         "VALUES (?, ?, ?)", (int(client_id), stamp, json.dumps(clean)))
        return Screening(stamp, clean)

    @requires("screening.read", viewed="client #{} screenings")
    @sql_errors
    def screenings(self, client_id: int) -> list[Screening]:
        """Every screening of the client, oldest first."""
        with self._read() as conn:
            require_client(conn, client_id)
            return [Screening(r[0], json.loads(r[1])) for r in conn.execute(
                "SELECT recorded_at, answers_json FROM screenings WHERE client_id = ? "
                "ORDER BY recorded_at, id", (int(client_id),))]

    @requires("consent.write")
    @sql_errors
    def record_consent(self, client_id: int, when: str | dt.datetime | None = None,
                       note: str | None = None) -> str:
        """Record that the client gave consent at ``when`` (default now); returns the time."""
        stamp = iso_time(when) if when else now_utc()
        with self._write() as conn:
            require_client(conn, client_id)
            conn.execute("INSERT INTO consents (client_id, given_at, note) VALUES (?, ?, ?)",
                         (int(client_id), stamp, note))
        return stamp
