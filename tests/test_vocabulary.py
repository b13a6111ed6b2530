"""The words shown to people: one set for the window, the command line and the report."""

from __future__ import annotations

from shadematch import vocabulary as v
from shadematch.imaging.regions import REGION_CLASSES
from shadematch.matching import SMP_BANDS
from shadematch.reporting.colours import class_label
from shadematch.workspace import CLASS_LABELS


def test_every_region_class_has_one_label_everywhere():
    assert set(v.REGION_LABELS) == set(REGION_CLASSES)
    for region_class in REGION_CLASSES:
        assert class_label(region_class) == CLASS_LABELS[region_class] == \
            v.region_label(region_class)
    assert v.region_label("skin") == "Scalp skin"


def test_charts_read_as_english():
    assert v.calibration_label("greycard") == "Calibrated with a grey card"
    assert v.calibration_label("colorchecker24") == "Calibrated with a ColorChecker 24 chart"
    assert v.chart_name("spyder48") == "a spyder48 chart"


def test_bands_never_condemn_a_shade():
    for band in (*SMP_BANDS, "imperceptible", "acceptable", "unacceptable"):
        assert v.band_label(band) in SMP_BANDS
    assert v.band_label(None) == "–"


def test_colour_states():
    assert v.colour_state_label("healed") == "Predicted healed"
    assert v.colour_state_label("faded", 5) == "Faded after 5 years"
    assert v.colour_state_label("card") == "On card (swatch)"


def test_shade_label_is_one_pigment_and_one_dilution():
    from shadematch.vocabulary import shade_label, split_shade_name

    # An older visit kept the entry name beside another dilution: "Carbon Black 2:1 · 4:1".
    assert shade_label("Carbon Black 2:1", "4:1") == "Carbon Black, 4:1"
    assert shade_label("Carbon Black", "4:1") == "Carbon Black, 4:1"
    assert shade_label("Carbon Black (neat)") == "Carbon Black, neat"
    assert shade_label("Espresso 2.5:1") == "Espresso, 2.5:1"
    assert shade_label("Carbon Black") == "Carbon Black"
    assert shade_label(None, "4:1") == "no shade chosen"
    assert split_shade_name("Carbon Black 2:1") == ("Carbon Black", "2:1")
    assert split_shade_name("4:1") == ("4:1", None)
