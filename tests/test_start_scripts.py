"""scripts/start.sh and scripts/setup_environment.sh, run on a copy of the checkout with a stand-in
virtual environment: its ``python`` records every pip call (and runs nothing else of pip), its
``shadematch`` prints the arguments it was given. Nothing is installed and nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform == "win32" or shutil.which("bash") is None,
                                reason="the start scripts are bash scripts (Linux, macOS)")


def _write_executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def checkout(tmp_path) -> Path:
    """The files the scripts read: scripts/, pyproject.toml and the package's files."""
    if not (ROOT / "scripts" / "start.sh").is_file():
        pytest.skip("the tests run from an installed package without the scripts")
    tree = tmp_path / "checkout"
    tree.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("scripts", "shadematch", "palettes", "assets"):
        shutil.copytree(ROOT / name, tree / name, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def _fake_venv(tree: Path) -> Path:
    venv = tree / ".venv"
    (venv / "bin").mkdir(parents=True)
    # python: `-m pip ...` is recorded (in calls.jsonl beside bin/) and succeeds; anything else
    # runs the real interpreter
    _write_executable(venv / "bin" / "python", f"""#!/usr/bin/env bash
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  shift 2
  {sys.executable} -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@" \\
    >> "$(dirname "$0")/../calls.jsonl"
  echo "Collecting numpy>=1.24 (from shadematch==0.1.0)"
  echo "  Downloading numpy-2.0-cp311.whl (18.3 MB)"
  exit 0
fi
exec {sys.executable} "$@"
""")
    _write_executable(venv / "bin" / "shadematch", f"""#!/usr/bin/env bash
{sys.executable} -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"
""")
    return venv


def _stamp_as_installed(tree: Path, venv: Path, extra: str = "app") -> None:
    """What a finished install leaves: the stamps of pyproject.toml and of the package's files."""
    stamps = venv / "shadematch-install"
    stamps.mkdir(exist_ok=True)
    cksum = subprocess.run(["cksum"], stdin=(tree / "pyproject.toml").open("rb"),
                           capture_output=True, text=True, check=True).stdout
    (stamps / f"deps-{extra}").write_text(cksum)
    listing = subprocess.run(
        "find shadematch palettes assets -type f ! -path '*/__pycache__/*' ! -name '*.py[co]' "
        "| LC_ALL=C sort | cksum", shell=True, cwd=tree, capture_output=True, text=True,
        check=True).stdout
    (stamps / "package").write_text(listing)


def _env(tmp_path: Path) -> dict[str, str]:
    """No dpkg on PATH to ask (system packages are not this test's business), no SHADEMATCH_VENV."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir(exist_ok=True)
    _write_executable(bin_dir / "dpkg", "#!/bin/sh\nexit 0\n")  # every package 'installed'
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHADEMATCH_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def _start(tree: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(tree / "scripts" / "start.sh"), *args],
                          capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path,
                          timeout=120)


def _pip_calls(venv: Path) -> list[list[str]]:
    calls = venv / "calls.jsonl"
    return [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []


ARGUMENTS = [
    ("a photo path with folders", ["/home/clinic/photos/client 1/IMG_0001.JPG"]),
    ("a folder", ["./camera folder/"]),
    ("a session", ["visit.shadematch"]),
    ("help", ["--help"]),
    ("a sub-command", ["match", "a/b.jpg", "--hair", "1,2,3,4", "--notes", "it's [test]"]),
    ("nothing", []),
]


@pytest.mark.parametrize("args", [a for _, a in ARGUMENTS], ids=[n for n, _ in ARGUMENTS])
def test_start_sh_passes_its_arguments_to_the_app_unchanged(checkout, tmp_path, args):
    venv = _fake_venv(checkout)
    _stamp_as_installed(checkout, venv)
    done = _start(checkout, tmp_path, *args)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == args
    assert _pip_calls(venv) == [], "an installed, unchanged environment is not reinstalled"
    assert done.stderr == ""


def test_an_environment_made_for_the_tests_serves_the_app_too(checkout, tmp_path):
    venv = _fake_venv(checkout)
    _stamp_as_installed(checkout, venv, extra="test")
    done = _start(checkout, tmp_path, "x.jpg")
    assert done.returncode == 0, done.stderr
    assert _pip_calls(venv) == []


def test_a_changed_pyproject_toml_reinstalls_with_progress(checkout, tmp_path):
    venv = _fake_venv(checkout)
    _stamp_as_installed(checkout, venv)
    with (checkout / "pyproject.toml").open("a") as f:
        f.write("\n# a new dependency would go here\n")
    done = _start(checkout, tmp_path, "photo.jpg")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["photo.jpg"]
    calls = _pip_calls(venv)
    assert len(calls) == 2, calls
    build, package = calls
    assert build[0] == "install" and any(a.startswith("hatchling") for a in build)
    assert package[0] == "install" and "--no-build-isolation" in package
    assert package[-1] == str(checkout)  # the app only, no extra
    assert "pyproject.toml changed" in done.stderr
    assert "[3/3]" in done.stderr and "numpy>=1.24" in done.stderr and "18.3 MB" in done.stderr
    # and the next start does nothing again
    done = _start(checkout, tmp_path, "photo.jpg")
    assert done.returncode == 0 and len(_pip_calls(venv)) == 2 and done.stderr == ""


def test_a_changed_program_file_reinstalls_the_package_alone_offline(checkout, tmp_path):
    venv = _fake_venv(checkout)
    _stamp_as_installed(checkout, venv)
    stamp = venv / "shadematch-install" / "package"
    os.utime(stamp, (1_000_000_000, 1_000_000_000))  # installed long before the files' times
    done = _start(checkout, tmp_path, "--version")
    assert done.returncode == 0, done.stderr
    (call,) = _pip_calls(venv)
    assert {"--no-deps", "--no-index", "--no-build-isolation"} <= set(call)
    assert call[-1] == str(checkout)
    assert "reinstalling shadematch" in done.stderr
    done = _start(checkout, tmp_path, "--version")
    assert len(_pip_calls(venv)) == 1 and done.stderr == ""
    # a new file (not only a newer one) counts as a change
    (checkout / "palettes" / "mine.json").write_text("{}")
    os.utime(checkout / "palettes" / "mine.json", (1_000_000_000, 1_000_000_000))
    _start(checkout, tmp_path, "--version")
    assert len(_pip_calls(venv)) == 2


def test_no_environment_is_a_first_start_that_says_what_it_does(checkout, tmp_path):
    """The first start makes the venv with the given Python; its pip is the stand-in's."""
    template = _fake_venv(tmp_path / "template")
    fake_python_dir = tmp_path / "python"
    fake_python_dir.mkdir()
    # a "python" whose `-m venv DIR` copies the stand-in venv (so nothing real is installed)
    _write_executable(fake_python_dir / "python3", f"""#!/usr/bin/env bash
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then exec cp -R "{template}" "$3"; fi
exec {sys.executable} "$@"
""")
    env = _env(tmp_path)
    env["PYTHON"] = str(fake_python_dir / "python3")
    done = subprocess.run(["bash", str(checkout / "scripts" / "start.sh"), "a/b.jpg"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["a/b.jpg"]
    assert "first start" in done.stderr and "[2/3] creating the virtual environment" in done.stderr
    assert len(_pip_calls(checkout / ".venv")) == 2


def test_a_failed_install_says_what_to_do_and_is_retried(checkout, tmp_path):
    venv = _fake_venv(checkout)
    # pip fails like an offline first install
    _write_executable(venv / "bin" / "python", f"""#!/usr/bin/env bash
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  echo "ERROR: No matching distribution found for hatchling>=1.18"; exit 1
fi
exec {sys.executable} "$@"
""")
    done = _start(checkout, tmp_path, "photo.jpg")
    assert done.returncode != 0
    assert done.stdout == ""  # the app did not start
    assert "No matching distribution found for hatchling" in done.stderr
    assert "internet connection" in done.stderr and "pip.log" in done.stderr
    assert not (venv / "shadematch-install" / "deps-app").exists()  # the next start tries again


def test_setup_environment_refuses_an_unknown_extra(checkout, tmp_path):
    done = subprocess.run(["bash", str(checkout / "scripts" / "setup_environment.sh"), "a/b.jpg"],
                          capture_output=True, text=True, env=_env(tmp_path), timeout=60)
    assert done.returncode == 2
    assert "unknown extra 'a/b.jpg'" in done.stderr
    assert not (checkout / ".venv").exists()


def test_an_editable_install_is_left_alone_when_files_change(checkout, tmp_path):
    """`pip install -e .` (development) follows the checkout already: no reinstall over it."""
    venv = _fake_venv(checkout)
    _stamp_as_installed(checkout, venv)
    info = venv / "lib" / "python3.11" / "site-packages" / "shadematch-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "direct_url.json").write_text(json.dumps(
        {"url": checkout.as_uri(), "dir_info": {"editable": True}}))
    os.utime(venv / "shadematch-install" / "package", (1_000_000_000, 1_000_000_000))
    done = _start(checkout, tmp_path, "--version")
    assert done.returncode == 0, done.stderr
    assert _pip_calls(venv) == [] and done.stderr == ""
