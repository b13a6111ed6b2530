"""Every appearance model the clinic fitted from its healed results, versioned; one is active.

A row of ``fitted_models`` (records migration 5) keeps the fitted parameters
(:class:`~shadematch.appearance.model_parameters.ModelParameters` as JSON), the leave-one-out
error before and after, how many outcomes it rests on and which were excluded with why. Fits that
were refused (worse than the model in use) are kept too, never active.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from shadematch.appearance.model_parameters import ModelParameters
from shadematch.errors import RecordsError
from shadematch.records.access import requires
from shadematch.records.database import StoreBase, now_utc, sql_errors


@dataclass(frozen=True)
class FittedModel:
    """One stored fit."""

    id: int
    version: str
    created: str
    created_by: str | None
    parameters: ModelParameters
    loo_before: float | None
    loo_after: float | None
    n_outcomes: int | None
    excluded: list[dict]
    active: bool

    def to_dict(self) -> dict:
        return {"id": self.id, "version": self.version, "created": self.created,
                "created_by": self.created_by, "parameters": self.parameters.to_dict(),
                "loo_before_de00": self.loo_before, "loo_after_de00": self.loo_after,
                "n_outcomes": self.n_outcomes, "excluded": self.excluded, "active": self.active}


_COLUMNS = ("id, version, created, created_by, parameters_json, loo_before, loo_after, "
            "n_outcomes, excluded_json, active")


def _row(row) -> FittedModel:
    return FittedModel(int(row[0]), str(row[1]), str(row[2]), row[3],
                       ModelParameters.from_dict(json.loads(row[4])),
                       None if row[5] is None else float(row[5]),
                       None if row[6] is None else float(row[6]),
                       None if row[7] is None else int(row[7]),
                       json.loads(row[8]) if row[8] else [], bool(row[9]))


class FittedModelsMixin(StoreBase):
    """Storing fitted appearance models and choosing the active one."""

    @requires("maintenance")
    @sql_errors
    def save_fitted_model(self, report, activate: bool | None = None) -> FittedModel:
        """Store the fit of a :class:`~shadematch.appearance.learning.FitReport`.

        ``activate`` None: active when the fit was accepted. A refused fit cannot be activated.
        """
        if report.fitted is None:
            raise RecordsError(f"Nothing was fitted ({report.message}): no model to store.")
        activate = report.accepted if activate is None else bool(activate)
        if activate and not report.accepted:
            raise RecordsError("This fit predicts held-out outcomes worse than the model in use: "
                               "it is kept, not used.")
        model = report.fitted
        version = str(model.version)
        excluded = json.dumps([{"id": i, "reason": why} for i, why in report.excluded],
                              ensure_ascii=False)
        with self._lock, self._write() as conn:
            taken = {str(v) for (v,) in conn.execute("SELECT version FROM fitted_models")}
            if version in taken:   # a second fit from the same model: the next free number
                number = model.version
                while str(number) in taken:
                    number += 1
                model = ModelParameters.from_dict({**model.to_dict(), "version": number})
                version = str(number)
            if activate:
                conn.execute("UPDATE fitted_models SET active = 0 WHERE active <> 0")
            cursor = conn.execute(
                "INSERT INTO fitted_models (version, created, created_by, parameters_json, "
                "loo_before, loo_after, n_outcomes, excluded_json, active) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (version, now_utc(), self.actor, json.dumps(model.to_dict()),
                 report.error_current, report.loo_error_fitted, len(report.used), excluded,
                 1 if activate else 0))
            if cursor.lastrowid is None:
                raise RecordsError("the fitted model was not stored (no row id came back); "
                                   "try again")
            row_id = int(cursor.lastrowid)
            self._audit(conn, "create", f"fitted model {version}",
                        "active" if activate else "kept, not active")
            row = conn.execute(f"SELECT {_COLUMNS} FROM fitted_models WHERE id = ?",
                               (row_id,)).fetchone()
        return _row(row)

    @requires("visits.read")
    @sql_errors
    def fitted_models(self) -> list[FittedModel]:
        """Every stored fit, oldest first."""
        with self._read() as conn:
            return [_row(r) for r in conn.execute(
                f"SELECT {_COLUMNS} FROM fitted_models ORDER BY id")]

    @requires("visits.read")
    @sql_errors
    def active_model(self) -> ModelParameters | None:
        """The active fitted model's parameters, or None (the shipped model is in use)."""
        with self._read() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM fitted_models WHERE active <> 0 "
                               "ORDER BY id DESC").fetchone()
        return None if row is None else _row(row).parameters

    @requires("maintenance")
    @sql_errors
    def activate_model(self, version: str | None) -> None:
        """Make a stored fit the active model (None: back to the shipped model)."""
        with self._lock, self._write() as conn:
            if version is not None:
                row = conn.execute("SELECT loo_before, loo_after FROM fitted_models "
                                   "WHERE version = ?", (str(version),)).fetchone()
                if row is None:
                    raise RecordsError(f"There is no fitted model {version!r} "
                                       "(`shadematch appearance list` shows them).")
            conn.execute("UPDATE fitted_models SET active = 0 WHERE active <> 0")
            if version is not None:
                conn.execute("UPDATE fitted_models SET active = 1 WHERE version = ?",
                             (str(version),))
            self._audit(conn, "update", "appearance model",
                        f"active: {version if version is not None else 'shipped'}")
