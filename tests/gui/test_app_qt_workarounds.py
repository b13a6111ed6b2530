"""The guard against the binding's lost references to None and True
(see shadematch.gui.common.qt_workarounds)."""

from __future__ import annotations

import os
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CHILD = """
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QListWidgetItem
app = QApplication([])

class Source(QObject):
    changed = Signal(object)

source = Source()
source.changed.connect(lambda value: None)
references = max(sys.getrefcount(None), sys.getrefcount(True))
if sys.argv[1] == "guard":
    from shadematch.gui.common.qt_workarounds import guard_singleton_refcounts
    guard_singleton_refcounts()
item = QListWidgetItem("x")
for _ in range(references + 2000):  # more calls than None and True had references
    item.data(0x0100 + 9)           # an unset role: None comes back
    source.changed.emit(1)          # emit() returns True
print("survived", flush=True)
"""


def _run(mode: str, child_env: dict, cwd) -> subprocess.CompletedProcess:
    env = dict(child_env, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True,
                          timeout=120, env=env, cwd=cwd)


def test_many_item_reads_and_signals_do_not_abort_with_the_guard(child_env, tmp_path):
    from shadematch.gui.common.qt_workarounds import binding_drops_references

    guarded = _run("guard", child_env, tmp_path)
    assert guarded.returncode == 0, guarded.stderr
    assert "survived" in guarded.stdout
    if binding_drops_references() and sys.version_info < (3, 12):
        # the defect is real here: without the guard the same loop aborts the interpreter
        bare = _run("bare", child_env, tmp_path)
        assert bare.returncode != 0 and "deallocating" in bare.stderr
