"""The shipped, modelled palettes: they load, are monotonic, plausible, and match their model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shadematch.palettes import DEFAULT_PALETTE_NAME, list_palettes, load_palette
from shadematch.palettes.dilution_model import (
    CARBON_BLACK,
    DILUTION_CHART,
    modelled_palettes,
    swatch_Lab,
)
from shadematch.resources import shipped_palettes_dir

SHIPPED = ("carbon-black-dilution-modelled", "smp-undertones-modelled")


@pytest.fixture(autouse=True)
def _empty_user_folder(data_dir):
    return data_dir


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_palette_loads(name):
    palette = load_palette(name)
    assert palette.source == "shipped"
    assert palette.name == name
    assert palette.warnings == ()
    assert "modelled" in palette.provenance.lower()
    assert "measure your own" in palette.description.lower()
    assert "exp(-k * f)" in palette.description
    assert len({e.id for e in palette.entries}) == len(palette.entries)


def test_default_palette_is_shipped():
    assert load_palette(None).name == DEFAULT_PALETTE_NAME
    assert DEFAULT_PALETTE_NAME in {p.name for p in list_palettes()}


@pytest.mark.parametrize("name", SHIPPED)
def test_every_series_is_monotonic(name):
    palette = load_palette(name)
    pigments = {e.pigment_id for e in palette.entries}
    for pigment_id in pigments:
        steps = palette.pigment_entries(pigment_id)
        assert steps[0].dilution == "neat"
        assert [e.step_index for e in steps] == list(range(len(steps)))
        ratios = [e.water_parts / e.pigment_parts for e in steps]
        assert ratios == sorted(ratios)
        lightness = [e.Lab[0] for e in steps]
        assert all(b > a + 0.5 for a, b in zip(lightness, lightness[1:], strict=False)), lightness


def test_carbon_black_chart():
    palette = load_palette("carbon-black-dilution-modelled")
    assert [e.dilution for e in palette.entries] == ["neat"] + [f"{w}:1" for w in DILUTION_CHART]
    assert list(DILUTION_CHART) == list(range(2, 21, 2))
    neat = palette.entry("carbon-black@neat")
    assert 15.0 <= neat.Lab[0] <= 20.0
    lightest = palette.entry("carbon-black@20:1")
    assert 65.0 <= lightest.Lab[0] <= 85.0  # a light grey
    # Carbon black stays near-neutral along the chart.
    assert np.hypot(*np.asarray(palette.Lab_array())[:, 1:].T).max() < 3.0


def test_undertone_set_has_cool_neutral_warm():
    palette = load_palette("smp-undertones-modelled")
    undertones = {e.pigment_id: e.undertone for e in palette.entries}
    assert {"cool", "neutral", "warm"} <= set(undertones.values())
    # Undertones show in the mid dilutions: cool is bluer (b* lower) than warm.
    cool = palette.entry("cool-black@4:1").Lab
    warm = palette.entry("warm-black@4:1").Lab
    neutral = palette.entry("neutral-black@4:1").Lab
    assert cool[2] < neutral[2] - 3 < warm[2] - 6
    for entry in palette.entries:
        if entry.dilution == "20:1":
            assert entry.Lab[0] > 70.0


def _colours_and_rest(document: dict) -> tuple[list, dict]:
    """Split a palette document into its Lab values and everything else."""
    document = json.loads(json.dumps(document))
    Labs = []
    for pigment in document["pigments"]:
        for holder in [pigment] + pigment.get("dilutions", []):
            Labs.append(holder["colour"].pop("lab"))
    return Labs, document


def test_shipped_files_match_the_model():
    folder = shipped_palettes_dir()
    stale = "is stale: run python -m shadematch.palettes.dilution_model"
    for file_name, document in modelled_palettes().items():
        on_disk = json.loads((folder / file_name).read_text(encoding="utf-8"))
        disk_Labs, disk_rest = _colours_and_rest(on_disk)
        model_Labs, model_rest = _colours_and_rest(document)
        assert disk_rest == model_rest, f"{file_name} {stale}"
        # Values are rounded to 0.01; allow a library update to move one across a rounding edge.
        np.testing.assert_allclose(disk_Labs, model_Labs, atol=0.015,
                                   err_msg=f"{file_name} {stale}")


def test_model_is_monotonic_on_a_fine_grid():
    lightness = [swatch_Lab(CARBON_BLACK, w)[0] for w in np.linspace(0, 40, 81)]
    assert all(b > a for a, b in zip(lightness, lightness[1:], strict=False))


def test_lab_array_and_lighter_steps():
    palette = load_palette("smp-undertones-modelled")
    array = palette.Lab_array()
    assert array.shape == (44, 3) and array.dtype == np.float64
    assert palette.Lab_array() is array  # cached
    assert not array.flags.writeable
    np.testing.assert_array_equal(array[5], palette.entries[5].Lab)
    steps = palette.lighter_steps("warm-black@14:1")
    assert [e.id for e in steps] == ["warm-black@16:1", "warm-black@18:1", "warm-black@20:1"]
    assert palette.lighter_steps("warm-black@20:1") == []
    assert [e.step_index for e in palette.lighter_steps("cool-black@neat")] == list(range(1, 11))


def test_entry_fields_and_info():
    palette = load_palette("carbon-black-dilution-modelled")
    entry = palette.entry("carbon-black@4:1")
    assert entry.name == "Carbon Black 4:1"
    assert entry.pigment_name == "Carbon Black"
    assert (entry.water_parts, entry.pigment_parts, entry.step_index) == (4.0, 1.0, 2)
    assert palette.entry("carbon-black@neat").name == "Carbon Black (neat)"
    data = entry.to_dict()
    assert data["id"] == "carbon-black@4:1" and data["dilution"] == "4:1"
    assert data["lab"] == list(entry.Lab)
    json.dumps(data)
    info = palette.info()
    assert set(info) == {"name", "version", "hash", "source", "file"}
    assert info["hash"] == palette.short_hash == palette.sha256[:12]
    assert info["file"].endswith("carbon-black-dilution-modelled.json")


def test_unknown_entry_raises_palette_error():
    from shadematch.errors import PaletteError

    palette = load_palette("carbon-black-dilution-modelled")
    with pytest.raises(PaletteError, match="has no entry 'carbon-black@3:1'"):
        palette.entry("carbon-black@3:1")
    with pytest.raises(PaletteError):
        palette.lighter_steps("nope")
