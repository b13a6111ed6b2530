"""mypy over the whole package (pyproject.toml [tool.mypy], GUI modules of its skip list aside:
tests/gui/test_type_checking.py keeps that list shrinking): no module has more errors than
tests/mypy_errors_left.txt allows, and that file only shrinks, to none."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ERRORS_LEFT = Path(__file__).with_name("mypy_errors_left.txt")
ERROR_LINE = re.compile(r"^(?P<path>shadematch/[^:]+\.py):\d+: error: ")

pytestmark = pytest.mark.slow


def _errors_left() -> Counter[str]:
    left: Counter[str] = Counter()
    for line in ERRORS_LEFT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            count, path = line.split(maxsplit=1)
            left[path] = int(count)
    return left


@pytest.fixture(scope="module")
def mypy_errors() -> Counter[str]:
    pytest.importorskip("mypy", reason="mypy is not installed: pip install -e '.[test]'")
    # A cache outside the checkout, kept between runs: a second run takes seconds, not a minute.
    cache = Path(tempfile.gettempdir()) / f"shadematch-mypy-cache-{sys.version_info[0]}{sys.version_info[1]}"
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--no-error-summary",
         "--no-pretty", "--show-error-codes"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        pytest.fail(f"mypy did not run: {done.stderr.strip() or done.stdout.strip()}")
    errors: Counter[str] = Counter()
    for line in done.stdout.splitlines():
        if match := ERROR_LINE.match(line.replace("\\", "/")):
            errors[match["path"]] += 1
    return errors


def test_no_module_has_more_type_errors_than_are_left(mypy_errors):
    left = _errors_left()
    more = {p: (n, left[p]) for p, n in sorted(mypy_errors.items()) if n > left[p]}
    assert not more, ("new mypy errors (found, allowed); run `mypy` and type them: "
                      f"{more}")


def test_the_list_of_errors_left_only_shrinks(mypy_errors):
    left = _errors_left()
    fewer = {p: (mypy_errors[p], n) for p, n in sorted(left.items()) if mypy_errors[p] < n}
    assert not fewer, ("fewer mypy errors than tests/mypy_errors_left.txt allows "
                       f"(found, allowed): lower the file to what is found: {fewer}")
