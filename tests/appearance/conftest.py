"""Reference skins for the appearance tests (the data copied into shadematch/appearance/data)."""

from __future__ import annotations

import csv
from importlib.resources import files

import pytest


def reference_rows(name: str) -> list[dict]:
    with (files("shadematch.appearance") / "data" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def issa_Lab() -> dict[str, tuple[float, float, float]]:
    """ISSA mean Lab (D65, 2 degree) per ITA class, very light .. dark."""
    return {r["ITA_class"]: (float(r["L_mean"]), float(r["a_mean"]), float(r["b_mean"]))
            for r in reference_rows("issa_skin_lab_by_ITA_class.csv")}


@pytest.fixture(scope="session")
def fitted_skins(issa_Lab):
    from shadematch.appearance import fit_skin

    return {name: fit_skin(Lab) for name, Lab in issa_Lab.items()}
