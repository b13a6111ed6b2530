"""The matching panel: palette, formula, target and how many; the ranked table; the picks; notes.

For the selected row it shows the hair (the target) beside the pigment's predicted healed and
fresh colours in this client's skin and its swatch on card; under them the session plan and the
guardrails (helmet look, cooler than the hair, unreliable samples, card colours only). Switching
between the scalp skin and the scar tissue, or editing either region, updates it all live: the
workspace ranks again and says so with ``ranking_changed``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import (
    QEvent,
    QFileSystemWatcher,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shadematch.gui.common.swatch import Swatch, swatch_icon
from shadematch.vocabulary import band_label, band_short_label, direction_short_label
from shadematch.workspace import CLASS_LABELS, Workspace

SORT_ROLE = Qt.UserRole + 1
ID_ROLE = Qt.UserRole + 2
COLUMNS = ("#", "", "Pigment", "Dil.", "ΔE", "ΔL*", "ΔC*", "ΔH*", "Direction", "Band")
#: Columns that share the width left over (their text is elided, in full in the cell's tooltip);
#: the others are as wide as their contents.
STRETCH_COLUMNS = ("Direction",)
#: Columns hidden, in this order, when the table is too narrow for all of them with Direction
#: at least DIRECTION_MIN_WIDTH wide (the Direction words say the same; the numbers stay in the
#: Direction cell's tooltip).
GIVE_WAY_COLUMNS = ("ΔH*", "ΔC*", "ΔL*")
DIRECTION_MIN_WIDTH = 96
COLUMN_TIPS = {
    "#": "Rank: best match first", "": "The pigment's colour (out-of-gamut marked)",
    "Dil.": "Dilution: parts of water to one part of pigment (neat = undiluted)",
    "ΔE": "Colour difference to the target with the chosen formula: the predicted healed colour "
          "in this skin against the hair (the card colour when ranking on card colours)",
    "ΔL*": "Lightness: pigment minus target (positive = pigment lighter)",
    "ΔC*": "Chroma: pigment minus target (positive = pigment more saturated)",
    "ΔH*": "Hue difference, pigment against target",
    "Direction": "How the pigment differs from the target (\"much\" = noticeably; "
                 "the full words are in each cell's tooltip)",
    "Band": "How the difference looks at conversational distance (from CIEDE2000): matches, "
            "close, or a visible difference",
}
AREA_LABELS = {"scalp": "Scalp skin", "scar": "Scar tissue"}
WARNING_STYLE = "color: rgb(255, 196, 0);"
HINT_STYLE = "color: rgb(255, 196, 0);"
MUTED_STYLE = "color: rgb(160, 160, 160);"
#: SMP practice, shown under the side-by-side swatches: the cup is not what heals.
HEALING_HINT = ("Healed pigment looks lighter and cooler than in the cup; "
                "the first session goes lighter.")


def scan_palette_folders(extra_folders: list) -> tuple[list, list]:
    """Worker: one scan of the shipped, user and ``extra_folders`` palette folders.

    Returns
    -------
    (palettes, problems) : as :func:`shadematch.palettes.scan_palettes` gives them.
    """
    from shadematch.palettes import scan_palettes

    return scan_palettes(extra_folders)


def plan_text(plan: dict | None, area: str = "scalp") -> str:
    """The session plan in a few words for the panel (rich text; "" without a plan). On a scar
    (``area="scar"``) the plan is the scar's: its recipe is not repeated."""
    if not plan:
        return ""

    def name(entry: dict) -> str:
        healed = entry.get("healed_lab")
        light = f", healed L* {healed[0]:.0f}" if healed else ""
        return f"<b>{html.escape(entry['name'])}</b>{light}"

    basis = "" if plan.get("basis", "healed") == "healed" else " (on card colours)"
    title = "Scar plan" if area == "scar" else "Plan"
    lines = [f"{title}{basis}: session 1 {name(plan['first_session'])}; sessions 2-3 "
             f"{name(plan['final'])}."]
    scar = plan.get("scar")
    if scar and area != "scar":
        lines.append(f"Scar: {name(scar['recipe'])}; final {name(scar['final'])}.")
    lines += [html.escape(n) for n in plan.get("notes", [])]
    return "<br>".join(lines)


def _item(text: str, sort_value=None, entry_id: str | None = None) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(sort_value if sort_value is not None else text, SORT_ROLE)
    if entry_id is not None:
        item.setData(entry_id, ID_ROLE)
    return item


def _signed(value: float) -> str:
    """+1.2 / -0.4 / 0.0 (never "-0.0")."""
    rounded = round(float(value), 1) + 0.0
    return f"{rounded:+.1f}" if rounded else "0.0"


class MatchingPanel(QWidget):
    """Choose how to rank, see the ranking, pick the shade(s), write notes."""

    palette_reloaded = Signal(str)

    def __init__(self, workspace: Workspace, settings=None, parent=None, runner=None) -> None:
        super().__init__(parent)
        self.setObjectName("matchingPanel")
        self.workspace, self.settings = workspace, settings
        if runner is None:
            from shadematch.gui.common.workers import TaskRunner

            runner = TaskRunner(self)
        self.runner = runner
        self._palettes: list = []
        self._problems: list = []
        self._scanning = False
        self._syncing = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)

        form = QFormLayout()
        self.palette_combo = QComboBox()
        self.palette_combo.setObjectName("paletteCombo")
        self.palette_combo.setToolTip("Pigment palette to rank (shipped and your own palettes)")
        self.palette_combo.activated.connect(self._palette_chosen)
        form.addRow("Palette", self.palette_combo)
        self.palette_note = QLabel()
        self.palette_note.setObjectName("paletteProblems")
        self.palette_note.setWordWrap(True)
        self.palette_note.setStyleSheet(HINT_STYLE)
        self.palette_note.setToolTip("Palette files that could not be used, and what to do")
        self.palette_note.setVisible(False)
        form.addRow(self.palette_note)
        self.palette_warnings = QLabel()
        self.palette_warnings.setObjectName("paletteWarnings")
        self.palette_warnings.setWordWrap(True)
        self.palette_warnings.setStyleSheet(HINT_STYLE)
        self.palette_warnings.setToolTip("About the chosen palette: it loads, but check this")
        self.palette_warnings.setVisible(False)
        form.addRow(self.palette_warnings)
        row = QHBoxLayout()
        self.formula_combo = QComboBox()
        self.formula_combo.setObjectName("formulaCombo")
        self.formula_combo.setToolTip("Colour-difference formula (CIEDE2000 recommended)")
        from shadematch.color import FORMULA_LABELS, FORMULAS

        for name in FORMULAS:
            self.formula_combo.addItem(FORMULA_LABELS.get(name, name), name)
        self.formula_combo.activated.connect(
            lambda i: workspace.set_formula(self.formula_combo.itemData(i)))
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("targetCombo")
        self.target_combo.setToolTip("Which sample the pigments are ranked against")
        for name, label in CLASS_LABELS.items():
            self.target_combo.addItem(label, name)
        self.target_combo.activated.connect(
            lambda i: workspace.set_target(self.target_combo.itemData(i)))
        self.top_spin = QSpinBox()
        self.top_spin.setObjectName("topSpin")
        self.top_spin.setRange(1, 200)
        self.top_spin.setToolTip("How many matches to show")
        self.top_spin.valueChanged.connect(self._top_changed)
        row.addWidget(self.formula_combo, 2)
        row.addWidget(QLabel("against"))
        row.addWidget(self.target_combo, 1)
        row.addWidget(QLabel("show"))
        row.addWidget(self.top_spin)
        form.addRow("Formula", row)
        skin_row = QHBoxLayout()
        self.area_combo = QComboBox()
        self.area_combo.setObjectName("areaCombo")
        self.area_combo.setToolTip("The skin the pigment is predicted in: the scalp skin sample, "
                                   "or the scar tissue (the hair stays the target)")
        for name, label in AREA_LABELS.items():
            self.area_combo.addItem(label, name)
        self.area_combo.activated.connect(
            lambda i: workspace.set_area(self.area_combo.itemData(i)))
        self.card_only_box = QCheckBox("Card colours only")
        self.card_only_box.setObjectName("cardOnlyBox")
        self.card_only_box.setToolTip("Rank the swatches on card instead of the predicted healed "
                                      "colours (healed dots look lighter and cooler than on card)")
        self.card_only_box.clicked.connect(lambda on: workspace.set_card_only(on))
        skin_row.addWidget(self.area_combo, 1)
        skin_row.addWidget(self.card_only_box)
        form.addRow("Healed in", skin_row)
        layout.addLayout(form)

        self.problem = QLabel()
        self.problem.setObjectName("rankingProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.problem)

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        for col, name in enumerate(COLUMNS):
            if name in COLUMN_TIPS:
                self.model.horizontalHeaderItem(col).setToolTip(COLUMN_TIPS[name])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setObjectName("rankingTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        for col, name in enumerate(COLUMNS):
            header.setSectionResizeMode(col, QHeaderView.Stretch if name in STRETCH_COLUMNS
                                        else QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Fixed)
        header.resizeSection(1, 26)
        self.table.setTextElideMode(Qt.ElideRight)
        self.table.viewport().installEventFilter(self)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.table.selectionModel().selectionChanged.connect(self._row_selected)
        self.table.doubleClicked.connect(lambda _index: self.choose_selected())
        layout.addWidget(self.table, 1)

        compare = QHBoxLayout()
        self.target_swatch = Swatch(minimum=70)
        self.target_swatch.setObjectName("targetSwatch")
        #: The selected pigment healed (about 4-6 weeks after a session) and fresh (the first
        #: days) in this client's skin, as the appearance model predicts them.
        self.healed_swatch = Swatch(minimum=70)
        self.healed_swatch.setObjectName("healedSwatch")
        self.fresh_swatch = Swatch(minimum=70)
        self.fresh_swatch.setObjectName("freshSwatch")
        #: The selected pigment's swatch on card (the palette's data).
        self.pigment_swatch = Swatch(minimum=70)
        self.pigment_swatch.setObjectName("pigmentSwatch")
        compare.setSpacing(0)
        for swatch in (self.target_swatch, self.healed_swatch, self.fresh_swatch,
                       self.pigment_swatch):
            compare.addWidget(swatch)
        layout.addLayout(compare)
        self.healing_hint = QLabel(HEALING_HINT)
        self.healing_hint.setObjectName("healingHint")
        self.healing_hint.setWordWrap(True)
        self.healing_hint.setStyleSheet(MUTED_STYLE)
        self.healing_hint.setToolTip(
            "Pigment in the skin is seen through the epidermis and fades as it heals: it reads "
            "lighter and cooler (bluer) than the wet colour. Start lighter; a touch-up can "
            "darken, nothing can lighten.")
        layout.addWidget(self.healing_hint)
        self.comparison = QLabel()
        self.comparison.setObjectName("comparisonLabel")
        self.comparison.setWordWrap(True)
        layout.addWidget(self.comparison)
        self.plan_label = QLabel()
        self.plan_label.setObjectName("planLabel")
        self.plan_label.setWordWrap(True)
        self.plan_label.setToolTip("The session plan: a first session one step lighter (healed "
                                   "results can be darkened, not undone), then the final shade")
        layout.addWidget(self.plan_label)
        self.warnings = QLabel()
        self.warnings.setObjectName("guardrailsLabel")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.setVisible(False)
        layout.addWidget(self.warnings)

        buttons = QHBoxLayout()
        self.choose_button = QPushButton("Choose this shade")
        self.choose_button.setObjectName("chooseButton")
        self.choose_button.setToolTip("Record the selected pigment as the chosen shade (Ctrl+Return)")
        self.choose_button.clicked.connect(self.choose_selected)
        self.first_button = QPushButton("Lighter for first session")
        self.first_button.setObjectName("firstSessionButton")
        self.first_button.setToolTip("Also record a lighter step of the chosen pigment for the "
                                     "first session (the first session goes lighter)")
        self.first_button.setCheckable(True)
        self.first_button.clicked.connect(self._first_session_clicked)
        self.clear_choice_button = QPushButton("Clear choice")
        self.clear_choice_button.setObjectName("clearChoiceButton")
        self.clear_choice_button.setToolTip("Forget the chosen shade (Undo brings it back)")
        self.clear_choice_button.clicked.connect(lambda _=False: self.workspace.clear_choice())
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.first_button)
        buttons.addWidget(self.clear_choice_button)
        layout.addLayout(buttons)
        self.picks_label = QLabel()
        self.picks_label.setObjectName("picksLabel")
        self.picks_label.setWordWrap(True)
        layout.addWidget(self.picks_label)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notesEdit")
        self.notes.setPlaceholderText("Notes for this consultation…")
        self.notes.setToolTip("Notes are saved with the session and printed on the report")
        self.notes.setMaximumHeight(80)
        self.notes.textChanged.connect(self._notes_edited)
        layout.addWidget(self.notes)

        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self._palette_files_changed)
        self.watcher.fileChanged.connect(self._palette_files_changed)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(300)  # editors write in several steps
        self._reload_timer.timeout.connect(self.reload_palettes)

        workspace.events.ranking_changed.connect(self.refresh_table)
        workspace.events.settings_changed.connect(self.refresh_settings)
        workspace.events.picks_changed.connect(self.refresh_picks)
        workspace.events.notes_changed.connect(self.refresh_notes)
        workspace.events.samples_changed.connect(self._update_target_swatch)
        self.reload_palettes()
        self.refresh_settings()
        self.refresh_table()
        self.refresh_picks()
        self.refresh_notes()

    # -- palettes --------------------------------------------------------------------------------
    def reload_palettes(self) -> None:
        """Scan the shipped and user palette folders again, off the GUI thread.

        Called at start, when a palette file changes on disk and when the preferences change
        the user palette folder; a newer scan supersedes one still running.
        """
        self._scanning = True
        self.runner.submit(scan_palette_folders, channel="palettes", pass_progress=False,
                           extra_folders=self.user_palette_folders(),
                           on_done=self._palettes_scanned, title="Reading the palettes",
                           quiet=True, on_failure=self._scan_failed)  # said inline

    def palette_names(self) -> list[str]:
        """The names of the palettes of the last scan, in the order shown (the Preferences
        offer them: the panel's scan is the one palette list)."""
        names = [p.name for p in self._palettes]
        current = self.workspace.palette
        if current is not None and current.name not in names:
            names.insert(0, current.name)
        return names

    @property
    def scanning(self) -> bool:
        """True while a palette scan is running (its result not yet shown)."""
        return self._scanning

    def _scan_failed(self, exc: BaseException) -> None:
        # A broken shipped palette (PaletteError) or an unreadable folder: said inline.
        self._scanning = False
        self._problems = []
        self.palette_note.setText(f"The palettes could not be read: {exc}")
        self.palette_note.setVisible(True)

    def _palettes_scanned(self, result: tuple[list, list]) -> None:
        from shadematch.resources import shipped_palettes_dir, user_palettes_dir

        self._scanning = False
        self._palettes, self._problems = list(result[0]), list(result[1])
        current = self.workspace.palette
        self._syncing = True
        try:
            self.palette_combo.clear()
            for palette in self._palettes:
                suffix = "" if palette.source == "shipped" else f"  ({palette.source})"
                if palette.warnings:
                    suffix += "  ⚠"
                self.palette_combo.addItem(f"{palette.name}{suffix}", palette.name)
                tip = palette.description or palette.provenance
                if palette.warnings:
                    tip = "\n".join([tip, *palette.warnings]).strip()
                self.palette_combo.setItemData(self.palette_combo.count() - 1, tip,
                                               Qt.ToolTipRole)
        finally:
            self._syncing = False
        # The library's messages already start with the file name.
        notes = [f"⚠ {p.message}" for p in self._problems]
        self.palette_note.setText("\n".join(notes))
        self.palette_note.setVisible(bool(notes))
        wanted = current.name if current is not None else (
            getattr(self.settings, "palette", "") if self.settings is not None else "")
        fresh = next((p for p in self._palettes if p.name == wanted), None)
        if fresh is None and current is None and self._palettes:
            from shadematch.palettes import DEFAULT_PALETTE_NAME

            fresh = next((p for p in self._palettes if p.name == DEFAULT_PALETTE_NAME),
                         self._palettes[0])
        if fresh is not None and (current is None or fresh.sha256 != current.sha256):
            self.workspace.set_palette(fresh, by_user=False)  # the app's choice, not an edit
            if current is not None:
                self.palette_reloaded.emit(fresh.name)
        self.refresh_settings()
        folders = [str(shipped_palettes_dir()), str(user_palettes_dir())]
        folders += [str(f) for f in self.user_palette_folders() if f.is_dir()]
        files = [str(p.path) for p in self._palettes if p.path is not None]
        for paths in (self.watcher.directories(), self.watcher.files()):
            if paths:
                self.watcher.removePaths(paths)
        self.watcher.addPaths([p for p in folders + files if p])

    def user_palette_folders(self) -> list:
        """The extra palette folder chosen in the preferences (``Settings.user_palette_folder``,
        key ``palettes/user_folder``), as a one-item list; empty when none is set."""
        from pathlib import Path

        folder = getattr(self.settings, "user_palette_folder", "") if self.settings else ""
        return [Path(str(folder)).expanduser()] if folder else []

    def _palette_files_changed(self, _path: str) -> None:
        self._reload_timer.start()

    def _palette_chosen(self, index: int) -> None:
        if self._syncing:
            return
        name = self.palette_combo.itemData(index)
        palette = next((p for p in self._palettes if p.name == name), None)
        if palette is not None:
            self.workspace.set_palette(palette)
            if self.settings is not None:
                self.settings.palette = name

    def _top_changed(self, value: int) -> None:
        if not self._syncing and value != self.workspace.top:
            self.workspace.set_top(value)

    # -- workspace -> widgets --------------------------------------------------------------------
    def refresh_settings(self) -> None:
        ws = self.workspace
        self._syncing = True
        try:
            if ws.palette is not None:
                i = self.palette_combo.findData(ws.palette.name)
                if i >= 0:
                    self.palette_combo.setCurrentIndex(i)
            self.formula_combo.setCurrentIndex(max(self.formula_combo.findData(ws.formula), 0))
            self.target_combo.setCurrentIndex(max(self.target_combo.findData(ws.target), 0))
            self.area_combo.setCurrentIndex(max(self.area_combo.findData(ws.area), 0))
            self.card_only_box.setChecked(ws.card_only)
            self.top_spin.setValue(ws.top)
        finally:
            self._syncing = False
        self._update_palette_warnings()
        self._update_target_swatch()

    def _update_palette_warnings(self) -> None:
        warnings = list(getattr(self.workspace.palette, "warnings", ()) or ())
        self.palette_warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.palette_warnings.setVisible(bool(warnings))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if watched is self.table.viewport() and event.type() == QEvent.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def fit_columns(self) -> None:
        """Show every column that fits beside a readable Direction; hide ΔH*, ΔC*, ΔL* (in that
        order) when the dock is narrow, so Direction and Band never need a scrollbar."""
        table, header = self.table, self.table.horizontalHeader()
        available = table.viewport().width()
        if available <= 0:
            return

        for col in range(len(COLUMNS)):  # a hidden column's header has no size hint
            table.setColumnHidden(col, False)

        def width(col: int) -> int:
            return max(table.sizeHintForColumn(col), header.sectionSizeHint(col))

        direction = COLUMNS.index("Direction")
        shown = [c for c in range(len(COLUMNS)) if c != direction]
        needed = sum(width(c) for c in shown) + DIRECTION_MIN_WIDTH
        hidden = set()
        for name in GIVE_WAY_COLUMNS:
            if needed <= available:
                break
            col = COLUMNS.index(name)
            hidden.add(col)
            needed -= width(col)
        for col in range(len(COLUMNS)):
            table.setColumnHidden(col, col in hidden)

    def refresh_table(self) -> None:
        ws = self.workspace
        records = ws.ranking_records()
        self.model.setRowCount(0)
        for item in records:
            row = [
                _item(str(item["rank"]), int(item["rank"]), item["id"]),
                _item("", float(item["lab"][0])),
                _item(item.get("pigment_name") or item["name"]),
                _item(item.get("dilution") or "—", float(item.get("water_parts") or 0)),
                _item(f"{item['delta_e']:.2f}", float(item["delta_e"])),
                _item(_signed(item["dL"]), float(item["dL"])),
                _item(_signed(item["dC"]), float(item["dC"])),
                _item(_signed(item["dH"]), float(item["dH"])),
                _item(direction_short_label(item.get("direction"))),
                _item(band_short_label(item.get("band"))),
            ]
            row[8].setToolTip((", ".join(item.get("direction") or []) or "No direction")
                              + f"\nΔL* {_signed(item['dL'])}  ΔC* {_signed(item['dC'])}"
                              f"  ΔH* {_signed(item['dH'])}")
            row[9].setToolTip(band_label(item.get("band")))
            row[1].setData(swatch_icon(item["lab"], 16), Qt.DecorationRole)
            row[1].setToolTip(f"{item.get('srgb_hex', '')}"
                              + ("" if item.get("in_gamut", True) else "  (outside sRGB)"))
            row[2].setToolTip(f"{item['name']} — {item.get('line', '')}, "
                              f"{item.get('undertone', '')} undertone")
            for cell in row[4:8]:
                cell.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.model.appendRow(row)
        self.fit_columns()
        problem = ws.ranking_problem if not records else ""
        if records and not ws.ranking:
            problem = "Showing the saved ranking (its palette is not available)."
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        # After a re-rank the highlighted row is the chosen shade when it is ranked, else the best
        # match: never a row left over from before (whose numbers are gone).
        self.table.clearSelection()
        if records:
            chosen = ((ws.picks or {}).get("primary") or {}).get("entry_id")
            ids = [r["id"] for r in records]
            best = min(records, key=lambda r: r["rank"])["id"]
            self.select_entry(chosen if chosen in ids else best)
        self._row_selected()
        self._show_plan_and_warnings()

    def _show_plan_and_warnings(self) -> None:
        ws = self.workspace
        plan = ws.plan_record()
        self.plan_label.setText(plan_text(plan, ws.area))
        self.plan_label.setVisible(bool(self.plan_label.text()))
        scar_notes = ((plan or {}).get("scar") or {}).get("notes", [])
        self.plan_label.setToolTip("\n".join(scar_notes) or "The session plan: a first session "
                                   "one step lighter (healed results can be darkened, not "
                                   "undone), then the final shade")
        guardrails = ws.guardrail_records()
        self.warnings.setText("<br>".join(f"⚠ {html.escape(g['message'])}" for g in guardrails))
        self.warnings.setVisible(bool(guardrails))

    def refresh_picks(self) -> None:
        picks = self.workspace.picks
        lines = []
        if picks.get("primary"):
            p = picks["primary"]
            lines.append(f"Chosen: <b>{p['name']}</b>")
        if picks.get("first_session"):
            lines.append(f"First session: <b>{picks['first_session']['name']}</b>")
        self.picks_label.setText("<br>".join(lines) or "No shade chosen yet.")
        self.first_button.setChecked(bool(picks.get("first_session")))
        self.first_button.setEnabled(bool(picks.get("primary"))
                                     and self.workspace.palette is not None)
        self.clear_choice_button.setEnabled(any(picks.values()))

    def refresh_notes(self) -> None:
        if self.notes.toPlainText() != self.workspace.notes:
            self._syncing = True
            try:
                self.notes.setPlainText(self.workspace.notes)
            finally:
                self._syncing = False

    def _notes_edited(self) -> None:
        if not self._syncing:
            self.workspace.set_notes(self.notes.toPlainText())

    def _update_target_swatch(self) -> None:
        sample = self.workspace.samples.get(self.workspace.target)
        label = CLASS_LABELS[self.workspace.target]
        self.target_swatch.set_Lab(None if sample is None else sample.Lab, label)

    # -- selection and picks ---------------------------------------------------------------------
    def selected_entry_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows(0)
        if not rows:
            return None
        return self.proxy.data(rows[0], ID_ROLE)

    def select_entry(self, entry_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.data(self.proxy.index(row, 0), ID_ROLE) == entry_id:
                self.table.selectRow(row)
                return True
        return False

    def _record(self, entry_id: str) -> dict | None:
        return next((r for r in self.workspace.ranking_records() if r["id"] == entry_id), None)

    def _row_selected(self, *_args) -> None:
        entry_id = self.selected_entry_id()
        record = self._record(entry_id) if entry_id else None
        self.healing_hint.setVisible(record is not None)
        if record is None:
            self.healed_swatch.set_Lab(None, "Healed")
            self.fresh_swatch.set_Lab(None, "Fresh")
            self.pigment_swatch.set_Lab(None, "On card")
            self.comparison.setText("")
        else:
            healed = record.get("basis", "card") == "healed"
            self.healed_swatch.set_Lab(record.get("healed_lab"),
                                       "Healed" if healed else "Healed\nnot predicted")
            self.fresh_swatch.set_Lab(record.get("fresh_lab"),
                                      "Fresh" if healed else "Fresh\nnot predicted")
            self.pigment_swatch.set_Lab(record.get("card_lab") or record["lab"], "On card")
            self.healed_swatch.setToolTip("Predicted healed in this skin (about 4-6 weeks after "
                                          "the session): a prediction, to check against your "
                                          "own healed results")
            self.fresh_swatch.setToolTip("Predicted in the first days after the session "
                                         "(darker than healed)")
            words = ", ".join(record.get("direction") or [])
            what = "healed, it is predicted" if healed else "on card, it is"
            how = (f"{what} {words} than the {CLASS_LABELS[self.workspace.target].lower()}"
                   if words else "no clear direction of difference")
            band = f" ({record['band']})" if record.get("band") else ""
            self.comparison.setText(f"<b>{html.escape(record['name'])}</b>: ΔE "
                                    f"{record['delta_e']:.2f}{band}; {how}.")
        self.choose_button.setEnabled(record is not None and self.workspace.palette is not None)

    def choose_selected(self) -> None:
        """Record the selected row as the chosen shade."""
        entry_id = self.selected_entry_id()
        if entry_id is not None and self.workspace.palette is not None:
            self.workspace.choose(entry_id)

    def _first_session_clicked(self, checked: bool) -> None:
        if not checked:
            self.workspace.choose_first_session(None)
            return
        suggestion = self.workspace.first_session_suggestion()
        if suggestion is None:
            self.first_button.setChecked(False)
            self.problem.setText("The chosen pigment has no lighter dilution in this palette.")
            self.problem.setVisible(True)
            return
        self.workspace.choose_first_session(suggestion.id)
