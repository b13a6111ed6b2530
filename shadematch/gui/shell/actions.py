"""Every main action of the window, declared once, and the menu and toolbar layout built from them.

Features do not create or insert menu items: the shell creates every declared action and builds
the menus and the toolbar from :data:`MENU_LAYOUT` and :data:`TOOLBAR_LAYOUT`; a feature then
*binds* its slot to an action by key (``actions.bind("export_report", self.export)``). An action
nobody has bound stays hidden, so a window assembled without a feature shows no dead command.
The layout is the one place that says what the window's menus hold and in which order (as
MusicBrainz Picard declares its main actions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from shadematch.gui.regions.region_tools import (
    CLASS_SHORTCUTS,
    TOOL_LABELS,
    TOOL_SHORTCUTS,
    TOOL_TIPS,
    class_icon,
)
from shadematch.workspace import CLASS_LABELS

Shortcut = str | QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    """One declared action: its key, menu text, shortcuts and tip.

    ``icon_text`` is the short label on the toolbar; ``role`` the macOS menu role
    ("preferences", "quit", "about"); ``group`` makes checkable actions exclusive.
    """

    key: str
    text: str
    shortcuts: tuple[Shortcut, ...] = ()
    tip: str = ""
    checkable: bool = False
    icon_text: str = ""
    role: str = ""
    group: str = ""


@dataclass(frozen=True)
class SubmenuSpec:
    """A submenu in the layout (e.g. File > Recent folders) that a feature fills."""

    key: str
    title: str


_S = QKeySequence.StandardKey

ACTIONS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec("open", "&Open photo or session…", (_S.Open,),
               "Open a photo or a saved session", icon_text="Open"),
    ActionSpec("open_folder", "Open &folder…", ("Ctrl+Shift+O",),
               "Show a camera folder's photos in the side panel"),
    ActionSpec("save", "&Save session", (_S.Save,), "Save this consultation", icon_text="Save"),
    ActionSpec("save_as", "Save session &as…", ("Ctrl+Shift+S",),
               "Save this consultation to a new file"),
    ActionSpec("export_report", "&Export report…", ("Ctrl+E",),
               "Write the PDF shade report of this analysis"),
    ActionSpec("open_report", "Open &last report", (),
               "Open the last report written in the PDF viewer"),
    ActionSpec("save_to_client", "Save to &client…", ("Ctrl+K",),
               "Store this analysis as a visit of the selected client"),
    ActionSpec("close_photo", "&Close photo", ("Ctrl+W",),
               "Close the photo (unsaved work: save, keep or discard it first)"),
    ActionSpec("recover_work", "&Recover work…", (),
               "Every autosaved or kept analysis: open one or delete it"),
    ActionSpec("preferences", "&Preferences…", ("Ctrl+,",), "Clinic, palettes, camera folder",
               role="preferences"),
    ActionSpec("quit", "&Quit", (_S.Quit,), role="quit"),
    # Edit
    ActionSpec("undo", "&Undo", (_S.Undo,), icon_text="Undo"),
    ActionSpec("redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), icon_text="Redo"),
    ActionSpec("delete", "&Delete region", (_S.Delete, "Backspace"),
               "Delete the selected regions"),
    ActionSpec("choose", "&Choose selected shade", ("Ctrl+Return",),
               "Record the selected pigment as the chosen shade"),
    ActionSpec("clear_choice", "C&lear shade choice", (),
               "Forget the chosen shade (and its lighter first-session step)"),
    ActionSpec("first_session", "Lighter shade for the &first session", ("Ctrl+Shift+Return",),
               "Also record a lighter step of the chosen pigment"),
    # View
    ActionSpec("fit", "&Fit to window", ("Ctrl+0", "F"), icon_text="Fit"),
    ActionSpec("actual", "&Actual pixels (1:1)", ("Ctrl+1",), icon_text="1:1"),
    ActionSpec("zoom_in", "Zoom &in", (_S.ZoomIn, "+", "=")),
    ActionSpec("zoom_out", "Zoom &out", (_S.ZoomOut, "-")),
    # Tools
    *(ActionSpec(f"tool_{name}", label, (TOOL_SHORTCUTS[name],), TOOL_TIPS[name],
                 checkable=True, icon_text=label.split(" /")[0], group="tool")
      for name, label in TOOL_LABELS.items()),
    *(ActionSpec(f"class_{name}", f"Draw {label}", (CLASS_SHORTCUTS[name],),
                 f"New regions are {label.lower()} (the selected ones keep their class)",
                 checkable=True, icon_text=label, group="class")
      for name, label in CLASS_LABELS.items()),
    *(ActionSpec(f"reclass_{name}", f"Make selected regions {label.lower()}",
                 (f"Shift+{CLASS_SHORTCUTS[name]}",),
                 f"Reclassify the selected regions as {label.lower()}")
      for name, label in CLASS_LABELS.items()),
    ActionSpec("brush_bigger", "Bigger brush", ("]",)),
    ActionSpec("brush_smaller", "Smaller brush", ("[",)),
    ActionSpec("calibrate", "&Calibrate with colour chart…", ("Ctrl+Shift+K",),
               "Calibrate colours with a ColorChecker in the photo", icon_text="Chart"),
    ActionSpec("preview", "Consultation &preview…", ("Ctrl+Shift+P",),
               "Show the client their own head with SMP in the chosen shade, healed",
               icon_text="Preview"),
    # Palettes
    ActionSpec("import_palette", "&Import palette file…", (),
               "Add a .csv or .json palette to your palettes"),
    ActionSpec("print_card", "&Print a swatch card…", (),
               "A card to paint your own pigments' dilutions on"),
    ActionSpec("read_card", "&Read a swatch card photo…", (),
               "Measure a photographed swatch card into a palette of your own pigments"),
    # Help
    ActionSpec("shortcuts", "&Keyboard shortcuts", ("F1",)),
    ActionSpec("about", "&About shadematch", role="about"),
    ActionSpec("log_folder", "Open &log folder", tip="Show the folder of shadematch's log files"),
    ActionSpec("demo", "Open the &demo", tip="Open the demo scalp photo with regions marked"),
)

SUBMENUS: tuple[SubmenuSpec, ...] = (SubmenuSpec("recent_folders", "Recent &folders"),)

#: The menus, in menu-bar order: (key, title, items). "-" is a separator, "@key" a submenu and
#: "docks" the place where each dock's show/hide toggle goes.
MENU_LAYOUT: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("file", "&File", ("open", "open_folder", "@recent_folders", "-", "save", "save_as",
                       "export_report", "open_report", "save_to_client", "-", "close_photo", "recover_work", "-",
                       "preferences", "-", "quit")),
    ("edit", "&Edit", ("undo", "redo", "-", "delete", "choose", "first_session",
                         "clear_choice")),
    ("view", "&View", ("fit", "actual", "zoom_in", "zoom_out", "-", "docks")),
    ("tools", "&Tools", (*(f"tool_{n}" for n in TOOL_LABELS), "-",
                         *(f"class_{n}" for n in CLASS_LABELS), "-",
                         *(f"reclass_{n}" for n in CLASS_LABELS), "-",
                         "brush_bigger", "brush_smaller", "-", "calibrate", "preview")),
    ("palettes", "&Palettes", ("import_palette", "-", "print_card", "read_card")),
    ("help", "&Help", ("shortcuts", "about", "-", "log_folder", "demo")),
)

TOOLBAR_LAYOUT: tuple[str, ...] = (
    "open", "save", "-", *(f"tool_{n}" for n in TOOL_LABELS), "-",
    *(f"class_{n}" for n in CLASS_LABELS), "-", "undo", "redo", "fit", "actual", "-",
    "calibrate", "preview")

_ROLES = {"preferences": QAction.MenuRole.PreferencesRole, "quit": QAction.MenuRole.QuitRole,
          "about": QAction.MenuRole.AboutRole}


class ActionRegistry:
    """The window's actions by key (a read-only mapping), created from :data:`ACTIONS`.

    Every action is added to ``owner`` so its shortcut works with the menu bar hidden.
    """

    def __init__(self, owner: QWidget, specs: tuple[ActionSpec, ...] = ACTIONS,
                 submenus: tuple[SubmenuSpec, ...] = SUBMENUS) -> None:
        from PySide6.QtGui import QActionGroup

        self._owner = owner
        self._actions: dict[str, QAction] = {}
        self._bound: set[str] = set()
        self._groups: dict[str, QActionGroup] = {}
        for spec in specs:
            action = QAction(spec.text, owner)
            action.setObjectName(f"action_{spec.key}")
            if spec.shortcuts:
                action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
            tip = spec.tip or spec.text.replace("&", "").rstrip("…")
            key_text = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({key_text})" if key_text else tip)
            action.setStatusTip(tip)
            action.setCheckable(spec.checkable)
            if spec.icon_text:
                action.setIconText(spec.icon_text)
            if spec.role:
                action.setMenuRole(_ROLES[spec.role])
            if spec.key.startswith("class_"):
                action.setIcon(class_icon(spec.key.removeprefix("class_")))
            if spec.group:
                group = self._groups.setdefault(spec.group, QActionGroup(owner))
                group.addAction(action)
            action.setVisible(False)      # until a feature binds it
            owner.addAction(action)
            self._actions[spec.key] = action
        self._submenus = {s.key: QMenu(s.title, owner) for s in submenus}
        for key, menu in self._submenus.items():
            menu.setObjectName(f"menu_{key}")
            menu.menuAction().setVisible(False)

    # -- a read-only mapping of key -> QAction ------------------------------------------------------
    def __getitem__(self, key: str) -> QAction:
        return self._actions[key]

    def __contains__(self, key: object) -> bool:
        return key in self._actions

    def __iter__(self) -> Iterator[str]:
        return iter(self._actions)

    def __len__(self) -> int:
        return len(self._actions)

    def get(self, key: str, default: QAction | None = None) -> QAction | None:
        return self._actions.get(key, default)

    def values(self):
        """The bound actions (the commands the window really offers)."""
        return [a for k, a in self._actions.items() if k in self._bound]

    def items(self):
        return [(k, a) for k, a in self._actions.items() if k in self._bound]

    # -- features ------------------------------------------------------------------------------------
    def bind(self, key: str, slot: Callable, *, toggled: bool = False) -> QAction:
        """Connect ``slot`` to the declared action ``key`` and show it; returns the action.

        Raises KeyError for a key that is not declared in :data:`ACTIONS` (declare it there).
        """
        action = self._actions[key]
        if key in self._bound:
            raise ValueError(f"the action {key!r} is bound twice")
        (action.toggled if toggled else action.triggered).connect(slot)
        action.setVisible(True)
        self._bound.add(key)
        return action

    def is_bound(self, key: str) -> bool:
        return key in self._bound

    def submenu(self, key: str) -> QMenu:
        """The declared submenu ``key`` for a feature to fill (shown from then on)."""
        menu = self._submenus[key]
        menu.menuAction().setVisible(True)
        return menu

    # -- the shell -----------------------------------------------------------------------------------
    def build_menus(self, bar: QMenuBar) -> dict[str, QMenu]:
        """Build the menu bar from :data:`MENU_LAYOUT`; returns the menus by key."""
        menus: dict[str, QMenu] = {}
        for key, title, items in MENU_LAYOUT:
            menu = bar.addMenu(title)
            menu.setObjectName(f"menu_{key}")
            menu.setSeparatorsCollapsible(True)
            for item in items:
                if item == "-":
                    menu.addSeparator()
                elif item == "docks":
                    pass                  # dock toggles are appended as docks are added
                elif item.startswith("@"):
                    menu.addMenu(self._submenus[item[1:]])
                else:
                    menu.addAction(self._actions[item])
            menus[key] = menu
        return menus

    def fill_toolbar(self, bar: QToolBar) -> None:
        for item in TOOLBAR_LAYOUT:
            if item == "-":
                bar.addSeparator()
            else:
                bar.addAction(self._actions[item])
