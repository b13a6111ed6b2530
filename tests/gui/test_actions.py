"""The declared actions and menu layout (gui/actions.py): one place says what the window holds."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow

from shadematch.gui.shell.actions import (
    ACTIONS,
    MENU_LAYOUT,
    SUBMENUS,
    TOOLBAR_LAYOUT,
    ActionRegistry,
)


def test_the_layout_names_only_declared_actions_and_every_action_has_a_place():
    keys = {spec.key for spec in ACTIONS}
    assert len(keys) == len(ACTIONS), "an action key is declared twice"
    placed = set()
    for _key, _title, items in MENU_LAYOUT:
        for item in items:
            if item in ("-", "docks"):
                continue
            if item.startswith("@"):
                assert item[1:] in {s.key for s in SUBMENUS}
                continue
            assert item in keys, item
            placed.add(item)
    assert keys == placed, f"declared but in no menu: {keys - placed}"
    assert all(item == "-" or item in keys for item in TOOLBAR_LAYOUT)


def test_unbound_actions_stay_hidden_and_binding_shows_and_connects(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = ActionRegistry(window)
    menus = actions.build_menus(window.menuBar())
    quit_action = actions["quit"]
    assert not quit_action.isVisible() and quit_action in menus["file"].actions()
    assert actions.values() == []
    calls = []
    assert actions.bind("quit", lambda: calls.append("quit")) is quit_action
    assert quit_action.isVisible() and actions.is_bound("quit")
    quit_action.trigger()
    assert calls == ["quit"]
    assert actions.values() == [quit_action]
    with pytest.raises(ValueError, match="bound twice"):
        actions.bind("quit", lambda: None)
    with pytest.raises(KeyError):
        actions.bind("no_such_action", lambda: None)
    recent = actions.submenu("recent_folders")
    assert recent.menuAction().isVisible() and recent.menuAction() in menus["file"].actions()


def test_checkable_groups_are_exclusive(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = ActionRegistry(window)
    actions["tool_rect"].setChecked(True)
    actions["tool_ellipse"].setChecked(True)
    assert not actions["tool_rect"].isChecked()
    actions["class_hair"].setChecked(True)
    assert actions["tool_ellipse"].isChecked()  # another group
