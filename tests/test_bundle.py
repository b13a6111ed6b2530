"""The built application bundle (dist/shadematch), smoke-tested by packaging/smoke_test.py.

Opt-in: it runs only with ``SHADEMATCH_BUNDLE_TEST=1`` (``.ci/run`` then builds the bundle first
with ``bash scripts/build_bundle.sh``), and fails when that bundle is missing. Otherwise skipped:
building takes minutes, and the normal suite never builds it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "shadematch"

pytestmark = pytest.mark.skipif(os.environ.get("SHADEMATCH_BUNDLE_TEST") != "1",
                                reason="the bundle test is opt-in: SHADEMATCH_BUNDLE_TEST=1 "
                                       "(after `bash scripts/build_bundle.sh`)")


@pytest.mark.slow
def test_the_built_bundle_passes_its_smoke_test(tmp_path):
    assert (BUNDLE / "shadematch").is_file() or (BUNDLE / "shadematch.exe").is_file(), \
        f"no bundle in {BUNDLE}: build it with `bash scripts/build_bundle.sh`"
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "smoke_test.py"), str(BUNDLE),
                           "--runs", "3", "--json", str(tmp_path / "figures.json")],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smoke test passed" in done.stdout
