"""Every action of the assembled main window has its own keyboard shortcut (no ambiguous keys)."""

from __future__ import annotations

import os
from collections import defaultdict

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QAction  # noqa: E402

from shadematch.gui import app as app_module  # noqa: E402
from shadematch.gui.common.settings import Settings  # noqa: E402


def test_no_two_actions_share_a_shortcut(qtbot, tmp_path):
    window = app_module.create_main_window([], settings=Settings.from_file(tmp_path / "s.ini"))
    qtbot.addWidget(window)
    try:
        owners = defaultdict(set)
        for action in window.findChildren(QAction):
            for sequence in action.shortcuts():
                if not sequence.isEmpty():
                    owners[sequence.toString()].add(action.text().replace("&", ""))
        assert len(owners) >= 10  # the window really has its shortcuts
        clashes = {key: names for key, names in owners.items() if len(names) > 1}
        assert not clashes, f"shortcuts used twice: {clashes}"
        menu_actions = [a for menu in window.menus.values() for a in menu.actions()
                        if not a.isSeparator() and a.menu() is None]
        without = [a.text() for a in menu_actions if a.shortcut().isEmpty()]
        # most menu commands have a key; the rest (rare commands) are listed here if that changes
        assert len(without) <= len(menu_actions) // 2, without
    finally:
        window.close()
        window.shell.shutdown()
        window.runner.shutdown()
