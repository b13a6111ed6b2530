"""Fixtures of the report tests."""

from __future__ import annotations

import copy
import shutil

import numpy as np
import pytest
from report_fixtures import make_analysis


@pytest.fixture
def analysis() -> dict:
    return copy.deepcopy(make_analysis())


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


@pytest.fixture(scope="session")
def pdftoppm() -> str:
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.fail("pdftoppm is missing: install poppler-utils (scripts/setup_environment.sh "
                    "test does it)")
    return exe


