"""Photos and skins for the consultation-preview tests."""

from __future__ import annotations

import pytest
from preview_helpers import SKIN_LAB, flat_photo  # noqa: F401 - used by the tests


@pytest.fixture(scope="session")
def skin():
    from shadematch.appearance import fit_skin

    return fit_skin(SKIN_LAB)


@pytest.fixture(scope="session")
def palette():
    from shadematch.palettes import load_palette

    return load_palette("carbon-black-dilution-modelled")
