"""The architecture contracts (pyproject.toml [tool.importlinter]): the core never imports Qt or
the GUI, the layers keep their order, the GUI's modules import each other without cycles."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import shadematch

ROOT = Path(__file__).resolve().parents[1]


def _contracts() -> list[dict]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]["contracts"]


def test_every_core_module_is_under_the_no_qt_contract():
    """A new core module cannot slip past the contract: the contract names them all."""
    (no_qt,) = [c for c in _contracts() if c["type"] == "forbidden"]
    assert {"PySide6", "shiboken6", "shadematch.gui"} <= set(no_qt["forbidden_modules"])
    top = {f"shadematch.{info.name}" for info in pkgutil.iter_modules(shadematch.__path__)
           if info.name not in ("gui", "__main__")}
    assert top == set(no_qt["source_modules"])


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "3 kept, 0 broken" in out.stdout, out.stdout[-2000:]


def test_starting_the_cli_stays_light(child_env, tmp_path):
    code = ("import sys\nfrom shadematch.cli import build_parser\nbuild_parser()\n"
            "heavy = [m for m in ('PySide6', 'reportlab', 'rawpy', 'colour', 'skimage') "
            "if m in sys.modules]\nprint(','.join(heavy))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env=child_env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
