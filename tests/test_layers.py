"""The core never imports Qt: import every core module in a fresh interpreter and look."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import shadematch


def _core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(shadematch.__path__, "shadematch."):
        if info.name.startswith("shadematch.gui"):
            continue
        names.append(info.name)
    return names


def test_core_modules_do_not_import_qt(child_env, tmp_path):
    modules = _core_modules()
    assert "shadematch.color.conversion" in modules and "shadematch.cli" in modules
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env=child_env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"core imported Qt: {out.stdout}"


def test_starting_the_cli_stays_light(child_env, tmp_path):
    code = ("import sys\nfrom shadematch.cli import build_parser\nbuild_parser()\n"
            "heavy = [m for m in ('PySide6', 'reportlab', 'rawpy', 'colour', 'skimage') "
            "if m in sys.modules]\nprint(','.join(heavy))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env=child_env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
