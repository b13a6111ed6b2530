"""The workspace as an analysis record (docs/ANALYSIS_FORMAT.md) and back."""

from __future__ import annotations

import copy
import logging

from shadematch.workspace.constants import (
    AREAS,
)

log = logging.getLogger(__name__)


class AnalysisRecord:
    """To and from the analysis record (a part of :class:`~shadematch.workspace.Workspace`)."""

    # -- the analysis record -------------------------------------------------------------------
    def settings(self) -> dict:
        """The choices the analysis is made with (stored in a session's ``settings``)."""
        return {"formula": self.formula, "params": dict(self.params), "target": self.target,
                "top": self.top, "area": self.area, "card_only": self.card_only,
                "plan_step_L": self.plan_step_L,
                "palette": self.palette.info() if self.palette is not None else None}

    def to_analysis(self):
        """The current state as a :class:`shadematch.analysis.Analysis` (``.to_dict()`` for JSON),
        built by ``compose_analysis`` as the command line builds it (one builder: the same input
        gives the same record from the GUI and the CLI)."""
        from shadematch.analysis import RankingSettings, compose_analysis

        photo = self.photo.info() if self.photo is not None else dict(self._photo_info or {})
        # The window falls back to card colours (and says why) while no skin is marked or the
        # skin cannot be modelled: the record then says card too, as the window does.
        fallback = getattr(self.healed, "basis", None) == "card" and bool(self.ranking)
        settings = RankingSettings(formula=self.formula, params=dict(self.params),
                                   target=self.target, top=self.top,
                                   card_only=self.card_only or fallback,
                                   area=self.area, plan_step_L=self.plan_step_L)
        analysis = compose_analysis(photo, list(self.regions), self.samples, self.problems,
                                    self.palette, settings, self.calibration,
                                    picks=copy.deepcopy(self.picks), notes=self.notes,
                                    created=self.created, saved=self._saved_analysis)
        analysis.treatment = copy.deepcopy(self.treatment)
        return analysis

    def to_dict(self) -> dict:
        """The analysis record (docs/ANALYSIS_FORMAT.md) of the current state."""
        record = self.to_analysis().to_dict()
        # Samples restored from a record (photo missing) are written back exactly as read:
        # Sample.from_dict -> to_dict recomputes LCh from the rounded Lab (last digit differs).
        for region_class, (sample, data) in self._restored_samples.items():
            if self.samples.get(region_class) is sample:
                record["samples"][region_class] = copy.deepcopy(data)
        return record

    def from_analysis(self, analysis, photo=None, palette=None) -> list[str]:
        """Restore an analysis (an ``Analysis`` or its dict), e.g. from a session file.

        Parameters
        ----------
        analysis : the record to restore.
        photo : the decoded photo it was made on, or None to show the saved measurements
            without pixels (the photo is missing).
        palette : the palette to rank with; by default the record's palette is loaded by name
            (and the current one kept when it cannot be found).

        Returns
        -------
        list of str
            Things the user should know (palette not found or changed, calibration not restored).
        """
        from shadematch.analysis import Analysis

        notes: list[str] = []
        analysis_dict = analysis if isinstance(analysis, dict) else None
        if isinstance(analysis, dict):
            analysis = Analysis.from_dict(analysis)
        record = analysis.to_dict()
        matching = record["matching"]
        if palette is None:
            palette, message = _find_palette(matching.get("palette"), self.palette)
            if message:
                notes.append(message)
        calibration = None
        if analysis.calibration:
            try:
                from shadematch.calibration.model import Calibration

                calibration = Calibration.from_dict(analysis.calibration)
            except Exception as exc:  # noqa: BLE001 - any damage in the stored block
                notes.append(f"The saved colour calibration could not be restored ({exc}): "
                             "the regions are measured without it; recalibrate with the chart.")
        auto, self.auto_measure = self.auto_measure, False
        self.calibration = None  # the record's own calibration (if any) replaces it below
        try:
            self.set_photo(photo, regions=analysis.regions)
        finally:
            self.auto_measure = auto
        self._photo_info = record["photo"]
        self._stored_matching = matching
        self._stored_ranking = record["ranking"]
        self._stored_plan = record["plan"]
        self._stored_guardrails = record["guardrails"]
        self._saved_analysis = analysis
        self.treatment = copy.deepcopy(analysis.treatment)
        self.created = analysis.created or self.created
        self.calibration = calibration
        self.palette = palette
        formula = matching.get("formula") or self.formula
        self.formula, self.params = formula, dict(matching.get("params") or {})
        self.target = matching.get("target") or self.target
        self.area = matching.get("area") if matching.get("area") in AREAS else "scalp"
        self.card_only = matching.get("basis") == "card" or bool(
            (matching.get("appearance") or {}).get("card_only", False))
        if matching.get("top"):
            self.top = int(matching["top"])
        self.picks = {"primary": None, "first_session": None, **record["picks"]}
        self.notes = analysis.notes
        # The saved measurements are shown at once; with a photo they are measured again.
        self.samples, self.problems = dict(analysis.samples), dict(analysis.problems)
        raw = analysis_dict.get("samples", {}) if analysis_dict else {}
        self._restored_samples = {c: (sample, raw[c]) for c, sample in self.samples.items()
                                  if c in raw}
        self.measured_version, self.measured_quick = -1, False
        self.events.settings_changed.emit()
        self.events.picks_changed.emit()
        self.events.notes_changed.emit()
        self.events.samples_changed.emit()
        self.rerank()
        self._set_modified(False)
        if photo is not None:
            self._regions_changed(transient=False, keep_saved_ranking=True)
        return notes



def _find_palette(info: dict | None, current):
    """The palette an analysis names (by name, checking its hash), and a note when it differs."""
    if not info or not info.get("name"):
        return current, ""
    if current is not None and current.name == info.get("name") and (
            not info.get("hash") or current.short_hash == info.get("hash")):
        return current, ""
    from shadematch.errors import PaletteError
    from shadematch.palettes import load_palette

    name = info["name"]
    try:
        palette = load_palette(name)
    except PaletteError:
        if current is None:
            return None, (f"The palette {name!r} of this analysis is not installed: the saved "
                          "ranking is shown; import the palette to rank again.")
        return current, (f"The palette {name!r} of this analysis is not installed: ranking with "
                         f"{current.name!r} instead; import it to rank as before.")
    if info.get("hash") and palette.short_hash != info["hash"]:
        return palette, (f"The palette {name!r} has changed since this analysis was saved "
                         f"(version {info.get('version', '?')} then, {palette.version} now): "
                         "the ranking may differ.")
    return palette, ""


