"""Shipped data is found wherever shadematch is installed (source tree or a normal pip install)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shadematch import resources
from shadematch.palettes import list_palettes


def test_shipped_palettes_and_assets_are_found():
    palettes_dir = resources.shipped_palettes_dir()
    assert palettes_dir.is_dir()
    assert len(list(palettes_dir.glob("*.json"))) >= 2
    assert resources.assets_dir().is_dir()
    assert len([p for p in list_palettes() if p.source == "shipped"]) >= 2


def test_user_folders_follow_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SHADEMATCH_DATA_DIR", str(tmp_path / "data"))
    assert resources.user_data_dir() == tmp_path / "data"
    assert resources.user_palettes_dir().is_dir()
    assert resources.log_dir().parent == tmp_path / "data"


# -- the wheel's file list ----------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]  # the checkout the suite runs from (it builds the wheel)


@pytest.mark.slow
def test_the_wheel_ships_the_package_and_its_data_and_nothing_else(tmp_path):
    """Build a wheel from a copy of the checkout with the clutter a working tree collects
    (bytecode caches, a stray script among the assets) and check what it would install."""
    assert (ROOT / "pyproject.toml").is_file(), "the tests run from a source checkout"
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md", "shadematch", "palettes", "assets"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, tree / name)
    clutter = [tree / "assets" / "demo" / "__pycache__" / "make_demo.cpython-311.pyc",
               tree / "assets" / "demo" / "make_demo.py",
               tree / "shadematch" / "__pycache__" / "__init__.cpython-311.pyc",
               tree / "palettes" / "__pycache__" / "x.pyc"]
    for path in clutter:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"clutter")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(tmp_path / "dist"), str(tree)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (tmp_path / "dist").glob("shadematch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
    data = {n for n in names if n.startswith("shadematch/_data/")}
    assert not [n for n in data if n.endswith(".py")], "no scripts among the shipped data"
    expected_data = {f"shadematch/_data/{p.relative_to(ROOT).as_posix()}"
                     for folder in ("palettes", "assets") for p in (ROOT / folder).rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts
                     and p.suffix not in (".py", ".pyc")}
    assert data == expected_data
    assert {"shadematch/_data/assets/demo/astronaut.jpg",
            "shadematch/_data/assets/demo/astronaut.regions.json"} <= data
    code = {p.relative_to(ROOT).as_posix() for p in (ROOT / "shadematch").rglob("*.py")
            if "__pycache__" not in p.parts}
    assert {n for n in names if n.startswith("shadematch/") and n.endswith(".py")} == code
    package_data = {p.relative_to(ROOT).as_posix() for p in (ROOT / "shadematch").rglob("*")
                    if p.is_file() and p.suffix in (".csv", ".json")}
    assert package_data <= names  # e.g. the ColorChecker references
    tops = {n.split("/", 1)[0] for n in names}
    assert len(tops) == 2 and {t for t in tops if t.endswith(".dist-info")}, tops
    assert "shadematch" in tops  # nothing else: no tests, bench or scripts installed


# -- which shadematch the suite tests -----------------------------------------------------------
def test_a_child_process_imports_the_package_under_test(child_env, tmp_path):
    import shadematch

    code = "import shadematch; print(shadematch.__file__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=child_env, cwd=tmp_path, check=True).stdout.strip()
    assert Path(out).resolve() == Path(shadematch.__file__).resolve()


def test_scripts_test_sh_tests_the_installed_package():
    """scripts/test.sh sets SHADEMATCH_TESTS_INSTALLED=1: the package must then come from the
    virtual environment, never from the checkout (its tests may import helpers, not code)."""
    import shadematch

    script = (ROOT / "scripts" / "test.sh").read_text("utf-8")
    assert "SHADEMATCH_TESTS_INSTALLED=1" in script
    if os.environ.get("SHADEMATCH_TESTS_INSTALLED") == "1":
        # (the virtual environment may live inside the checkout: .venv/)
        source_tree = (ROOT / "shadematch").resolve()
        assert not Path(shadematch.__file__).resolve().is_relative_to(source_tree), \
            f"the suite imported the source tree: {shadematch.__file__}"
