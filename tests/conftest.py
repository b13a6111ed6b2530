"""Fixtures for the whole suite.

The suite tests the package the test process imports: the installed one when it runs through
``scripts/test.sh`` (pytest from the virtual environment, so the checkout is not on sys.path).
A child Python process must import that same package, not the source tree it happens to start
in: give it ``env=child_env`` and a working folder outside the checkout (``cwd=tmp_path``),
since ``python -c`` and ``python -m`` put their working folder first on sys.path.
"""

from __future__ import annotations

import os
import site
from pathlib import Path

import pytest

import shadematch

TESTED_PACKAGE_ROOT = Path(shadematch.__file__).resolve().parents[1]


def _site_folders() -> set[Path]:
    folders = [*site.getsitepackages(), site.getusersitepackages()]
    return {Path(f).resolve() for f in folders if f}


@pytest.fixture
def child_env() -> dict[str, str]:
    """``os.environ`` for a child Python that imports the shadematch under test."""
    env = dict(os.environ)
    if TESTED_PACKAGE_ROOT not in _site_folders():  # a source tree on PYTHONPATH (development)
        paths = [str(TESTED_PACKAGE_ROOT), *filter(None, env.get("PYTHONPATH", "").split(
            os.pathsep))]
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env
