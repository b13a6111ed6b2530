"""Visits with their analysis records and photos, and the touch-up comparison across them."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from shadematch.errors import RecordsError
from shadematch.records import schema as _schema
from shadematch.records import touchup as _touchup
from shadematch.records.access import RULES, redact_visits, requires
from shadematch.records.clients import load_client, require_client
from shadematch.records.database import StoreBase, now_utc, sql_errors
from shadematch.records.models import TREATMENT_KINDS, Visit, VisitPhoto, iso_time, parse_kind

VISIT_FIELDS = ("chosen_entry_id", "chosen_name", "dilution", "batch", "notes", "report_path")


class VisitsMixin(StoreBase):
    """Saving, changing and reading visits; comparing today's samples with earlier visits."""

    @requires("visits.write")
    @sql_errors
    def save_visit(self, client_id: int, analysis: dict, photo_path: Path | str | None,
                   kind: str = "consultation", chosen_entry_id: str | None = None,
                   dilution: str | None = None, batch: str | None = None,
                   notes: str | None = None, report_path: str | Path | None = None, *,
                   chosen_name: str | None = None, visit_date: str | None = None,
                   session_number: int | None = None, save_token: str | None = None) -> int:
        """Store a visit with its analysis record and a copy of its photo; returns its id.

        Parameters
        ----------
        analysis : the analysis record (docs/ANALYSIS_FORMAT.md) as a dict.
        photo_path : the photo to copy into the store (None: no photo).
        kind : "consultation", "session" (numbered automatically, or "session 3"), "touch-up".
        chosen_entry_id, dilution, chosen_name : the pigment used; default: the analysis's
            primary pick.
        batch : pigment batch or lot number.
        visit_date : ISO 8601 date or time; default now (UTC).
        save_token : a unique text chosen by the caller (a uuid) to make the save repeatable:
            when a visit with this token is already stored (the connection was lost after the
            server committed it), its id is returned and nothing is added.

        Raises
        ------
        RecordsError
            Unknown client or kind, a client under 18 for a session or touch-up, an analysis that
            is not a JSON object, an unreadable photo.
        """
        kind, number = parse_kind(kind, session_number)
        if not isinstance(analysis, dict):
            raise RecordsError("A visit stores an analysis record (a JSON object); got "
                               f"{type(analysis).__name__}. Run the analysis first.")
        try:
            analysis_json = json.dumps(analysis, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise RecordsError(f"The analysis cannot be stored as JSON ({exc}).") from exc
        stamp = iso_time(visit_date) if visit_date else now_utc()
        picked_id, picked_name, picked_dilution = _schema.picks_from_analysis(analysis)
        if chosen_entry_id is None:
            chosen_entry_id, chosen_name = picked_id, chosen_name or picked_name
        elif chosen_name is None and chosen_entry_id == picked_id:
            chosen_name = picked_name
        if chosen_name is None and chosen_entry_id:
            chosen_name = _name_in_ranking(analysis, chosen_entry_id)
        if dilution is None and chosen_entry_id == picked_id:
            dilution = picked_dilution
        chosen_entry_id, chosen_name, dilution = _one_shade(analysis, chosen_entry_id,
                                                            chosen_name, dilution)
        with self._lock:
            with self._read() as conn:
                client = load_client(conn, client_id)
            if kind in TREATMENT_KINDS:
                day = dt.date.fromisoformat(stamp[:10])
                if client.is_minor(day):
                    age = client.age(day)
                    why = (f"born {client.dob}" if age is not None and age < 18
                           else "screening answer" if client.dob_valid
                           else f"the date of birth {client.dob!r} is not a date")
                    raise RecordsError(
                        f"{client.name} is under 18 ({why}): a treatment visit ({kind}) cannot "
                        f"be started. Record a consultation instead, or correct the date of "
                        f"birth / screening if it is wrong.")
            photo = None
            if photo_path is not None:
                # Copied before the transaction: a kill here leaves only an unreferenced file.
                photo = self.files.add(Path(photo_path))
            with self._write() as conn:
                require_client(conn, client_id)
                if save_token is not None:
                    done = conn.execute("SELECT id FROM visits WHERE save_token = ?",
                                        (str(save_token),)).fetchone()
                    if done is not None:
                        return int(done[0])
                if kind == "session" and number is None:
                    number = 1 + conn.execute(
                        "SELECT COALESCE(MAX(session_number), 0) FROM visits "
                        "WHERE client_id = ? AND kind = 'session'", (int(client_id),)
                    ).fetchone()[0]
                cursor = conn.execute(
                    "INSERT INTO visits (client_id, visit_date, kind, session_number, "
                    "analysis_json, chosen_entry_id, chosen_name, dilution, batch, notes, "
                    "report_path, created, save_token, updated_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (int(client_id), stamp, kind, number, analysis_json, chosen_entry_id,
                     chosen_name, dilution, batch, notes,
                     str(report_path) if report_path else None, now_utc(),
                     None if save_token is None else str(save_token), self.actor))
                visit_id = int(cursor.lastrowid)
                self._audit(conn, "create", f"visit #{visit_id}", f"client #{int(client_id)}")
                if photo is not None:
                    sha, stored_name, thumb_name, size = photo
                    self._link_photo(conn, visit_id, 0, sha, stored_name, thumb_name, size,
                                     str(Path(photo_path).expanduser().absolute()),
                                     source=Path(photo_path))
                return visit_id

    def _link_photo(self, conn: sqlite3.Connection, visit_id: int, position: int,
                    sha: str | None, stored_name: str | None, thumb_name: str | None,
                    size: int | None, original_path: str | None,
                    source: Path | None = None) -> None:
        """Refer visit ``visit_id`` to a photo copy, inside the caller's write transaction.

        The copy was made before the transaction; an erasure in another process may have
        removed it since (the same photo, another client). Checked here, under the write lock
        no erasure can remove it any more, and copied again from ``source`` when gone.
        """
        if sha is not None:
            thumb_name = self.files.ensure_present(sha, stored_name, thumb_name, source)
            conn.execute("INSERT INTO photos (sha256, stored_name, thumb_name, size) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET "
                         "thumb_name = COALESCE(photos.thumb_name, excluded.thumb_name)",
                         (sha, stored_name, thumb_name, size))
        conn.execute("INSERT INTO visit_photos (visit_id, position, sha256, original_path) "
                     "VALUES (?, ?, ?, ?)", (visit_id, position, sha, original_path))

    @requires("visits.write")
    @sql_errors
    def add_photo(self, visit_id: int, photo_path: Path | str) -> None:
        """Keep another photo with an existing visit."""
        with self._lock:
            self.get_visit(visit_id)
            sha, stored_name, thumb_name, size = self.files.add(Path(photo_path))
            with self._write() as conn:
                position = conn.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM "
                                        "visit_photos WHERE visit_id = ?", (visit_id,)
                                        ).fetchone()[0]
                self._link_photo(conn, visit_id, position, sha, stored_name, thumb_name, size,
                                 str(Path(photo_path).expanduser().absolute()),
                                 source=Path(photo_path))

    @requires("visits.write")
    @sql_errors
    def update_visit(self, visit_id: int, *, expected: Visit | int | None = None,
                     **fields: str | None) -> Visit:
        """Change ``chosen_entry_id``, ``chosen_name``, ``dilution``, ``batch``, ``notes`` or
        ``report_path`` (e.g. once the PDF report is exported).

        ``expected``: the visit as read (or its ``row_version``); a visit changed since is not
        overwritten (EditConflict, as :meth:`update_client`)."""
        unknown = sorted(set(fields) - set(VISIT_FIELDS))
        if unknown:
            raise RecordsError(f"Cannot update {', '.join(unknown)}; a visit has "
                               f"{', '.join(VISIT_FIELDS)}.")
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM visits WHERE id = ?", (int(visit_id),)).fetchone() \
                    is None:
                raise RecordsError(f"There is no visit #{visit_id} in the records.")
            if expected is not None:
                self._refuse_stale_visit(conn, int(visit_id), expected, fields)
            if fields:
                assignments = ", ".join(f"{key} = ?" for key in fields)
                values = [str(v) if v is not None else None for v in fields.values()]
                conn.execute(f"UPDATE visits SET {assignments}, updated_by = ?, "
                             f"row_version = row_version + 1 WHERE id = ?",
                             (*values, self.actor, int(visit_id)))
                self._audit(conn, "change", f"visit #{int(visit_id)}",
                            "fields: " + ", ".join(sorted(fields)))
        return self.get_visit(visit_id)

    _VISIT_COLUMNS = ("id, client_id, visit_date, kind, session_number, analysis_json, "
                      "chosen_entry_id, chosen_name, dilution, batch, notes, report_path, created, "
                      "row_version, updated_by")

    def _refuse_stale_visit(self, conn, visit_id: int, expected: Visit | int,
                            fields: dict) -> None:
        from shadematch.records.backends.errors import EditConflict

        version = expected.row_version if isinstance(expected, Visit) else int(expected)
        row = conn.execute(f"SELECT {self._VISIT_COLUMNS} FROM visits WHERE id = ?",
                           (visit_id,)).fetchone()
        current = self._visit(conn, row)
        if current.row_version == version:
            return
        changed = ([f for f in VISIT_FIELDS if getattr(expected, f) != getattr(current, f)]
                   if isinstance(expected, Visit) else [])
        clash = sorted(set(changed) & set(fields))
        raise EditConflict(
            f"Visit #{visit_id} ({current.label}, {current.visit_date[:10]}) was changed by "
            f"{current.updated_by or 'someone'} since you opened it "
            f"({', '.join(changed) if changed else 'the record'}); your changes were not saved, "
            f"so nothing was overwritten."
            + (f" Both of you changed {', '.join(clash)}." if clash else "")
            + " Reload the visit (or merge your changes into it) and save again.",
            current, changed, current.updated_by, None)

    def _visit(self, conn: sqlite3.Connection, row: tuple) -> Visit:
        try:
            analysis = json.loads(row[5])
        except ValueError:
            analysis = {}
        visit = Visit(id=row[0], client_id=row[1], visit_date=row[2], kind=row[3],
                      session_number=row[4], analysis=analysis, chosen_entry_id=row[6],
                      chosen_name=row[7], dilution=row[8], batch=row[9], notes=row[10],
                      report_path=row[11], created=row[12], row_version=int(row[13] or 1),
                      updated_by=row[14])
        for sha, original, stored_name, thumb_name in conn.execute(
                "SELECT vp.sha256, vp.original_path, p.stored_name, p.thumb_name "
                "FROM visit_photos vp LEFT JOIN photos p ON p.sha256 = vp.sha256 "
                "WHERE vp.visit_id = ? ORDER BY vp.position", (visit.id,)):
            visit.photos.append(VisitPhoto(
                sha, original, self.files.stored_path(stored_name) if stored_name else None,
                self.files.thumb_path(thumb_name) if thumb_name else None))
        return visit

    @requires("visits.read", redact_visits, viewed="client #{} visits")
    @sql_errors
    def visits(self, client_id: int) -> list[Visit]:
        """The client's visits, oldest first."""
        with self._read() as conn:
            require_client(conn, client_id)
            rows = conn.execute(f"SELECT {self._VISIT_COLUMNS} FROM visits WHERE client_id = ? "
                                "ORDER BY visit_date, id", (int(client_id),)).fetchall()
            return [self._visit(conn, row) for row in rows]

    @requires("visits.read", redact_visits, viewed="visit #{}")
    @sql_errors
    def get_visit(self, visit_id: int) -> Visit:
        """One visit with its ``analysis`` dict and photos."""
        with self._read() as conn:
            row = conn.execute(f"SELECT {self._VISIT_COLUMNS} FROM visits WHERE id = ?",
                               (int(visit_id),)).fetchone()
            if row is None:
                raise RecordsError(f"There is no visit #{visit_id} in the records; "
                                   f"`shadematch clients show ID` lists a client's visits.")
            return self._visit(conn, row)

    def touch_up_comparison(self, client_id: int,
                            current_samples: dict[str, list[float]]) -> list[dict]:
        """Compare today's samples with the same classes at each earlier visit, newest first.

        Parameters
        ----------
        current_samples : region class -> Lab (L* 0..100), e.g. ``{"hair": [22, 3, 5]}``; an
            analysis's ``samples`` block (class -> {"lab": ...}) is accepted too.

        Returns
        -------
        list of dict
            One per earlier visit and class: ``visit_id, visit_date, label, kind,
            session_number, class, then_lab, now_lab, delta_e`` (CIEDE2000), ``dL, dC, dH``
            (now minus then), ``direction`` (words for now relative to then: "darker",
            "less saturated", "cooler"...), and what was used: ``chosen_entry_id, chosen_name,
            dilution, batch``.
        """
        current: dict[str, list[float]] = {}
        for key, value in (current_samples or {}).items():
            lab = value.get("lab") if isinstance(value, dict) else value
            checked = _touchup.sample_lab({"samples": {key: {"lab": lab}}}, key)
            if checked is None:
                raise RecordsError(f"The current {key} sample has no valid Lab value "
                                   f"({lab!r}); measure the {key} region again.")
            current[key] = checked
        result = []
        self._require("screening.read", RULES["screening.read"])
        for visit in reversed(self.visits(client_id)):
            for region_class, now_lab in current.items():
                then_lab = _touchup.sample_lab(visit.analysis, region_class)
                if then_lab is None:
                    continue
                entry = {"visit_id": visit.id, "visit_date": visit.visit_date,
                         "label": visit.label, "kind": visit.kind,
                         "session_number": visit.session_number, "class": region_class,
                         "then_lab": then_lab, "now_lab": now_lab}
                entry.update(_touchup.compare(then_lab, now_lab))
                entry.update({"chosen_entry_id": visit.chosen_entry_id,
                              "chosen_name": visit.chosen_name, "dilution": visit.dilution,
                              "batch": visit.batch})
                result.append(entry)
        return result


def _one_shade(analysis: dict, entry_id: str | None, name: str | None,
               dilution: str | None) -> tuple[str | None, str | None, str | None]:
    """One unambiguous pigment and dilution: ``(entry_id, pigment name, dilution)``.

    A palette entry's name carries its dilution ("Carbon Black 2:1"); stored beside another
    dilution it read "Carbon Black 2:1 · 4:1". The visit keeps the pigment's own name, and a
    dilution other than the entry's refers to that pigment's entry with this dilution when the
    analysis ranked one.
    """
    from shadematch.vocabulary import split_shade_name

    ranking = [item for item in analysis.get("ranking") or [] if isinstance(item, dict)]
    entry = next((item for item in ranking if entry_id and item.get("id") == entry_id), None)
    dilution = str(dilution).strip() or None if dilution is not None else None
    if entry is not None:
        name = entry.get("pigment_name") or name
        dilution = dilution or (str(entry["dilution"]) if entry.get("dilution") else None)
        if dilution and entry.get("dilution") and _same_dilution(dilution, entry["dilution"]):
            dilution = str(entry["dilution"])
        elif dilution and entry.get("pigment_id"):
            other = next((item for item in ranking
                          if item.get("pigment_id") == entry["pigment_id"]
                          and item.get("dilution")
                          and _same_dilution(dilution, item["dilution"])), None)
            if other is not None:
                entry_id, dilution = str(other["id"]), str(other["dilution"])
    pigment, named = split_shade_name(name)
    return entry_id, pigment, dilution or named


def _same_dilution(a: str, b: str) -> bool:
    """"4:1" and "4 : 1" and "8:2" are the same dilution; "neat" only itself."""
    def ratio(text: str) -> float | None:
        text = str(text).strip().lower()
        if text in ("neat", "0:1"):
            return 0.0
        try:
            water, pigment = (float(v) for v in text.split(":"))
        except ValueError:
            return None
        return water / pigment if pigment > 0 else None
    ra, rb = ratio(a), ratio(b)
    return ra is not None and rb is not None and abs(ra - rb) < 1e-9


def _name_in_ranking(analysis: dict, entry_id: str) -> str | None:
    for item in analysis.get("ranking") or []:
        if isinstance(item, dict) and item.get("id") == entry_id:
            return item.get("name")
    return None
