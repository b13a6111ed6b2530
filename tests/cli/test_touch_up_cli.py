"""``shadematch touch-up`` end to end: faded SMP drawn by the model into a scalp photo, measured
back with the stubble-aware estimator, the ink left recovered and touch-ups ranked."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from shadematch.cli import main

SKIN_LAB = (62.0, 11.0, 17.0)
HAIR_LAB = (33.0, 2.0, 5.0)
YEARS = 6.0


@pytest.fixture(scope="module")
def returning_client(tmp_path_factory):
    """A scalp with a patch of SMP of neutral-black 2:1 faded for 6 years, and stubble."""
    from shadematch.appearance import fit_skin
    from shadematch.color.conversion import Lab_to_sRGB
    from shadematch.imaging.regions import Region
    from shadematch.palettes import load_palette
    from shadematch.preview import TreatmentDesign, render_preview

    rgb01, _ = Lab_to_sRGB(np.asarray(SKIN_LAB))
    rng = np.random.default_rng(2)
    photo = np.clip(np.rint(rgb01 * 255 + rng.normal(0, 1.5, (400, 600, 3))), 0, 255)
    photo = photo.astype(np.uint8)
    hair01, _ = Lab_to_sRGB(np.asarray(HAIR_LAB))
    yy, xx = np.mgrid[0:400, 0:600]
    for cx, cy in rng.uniform([330, 40], [570, 160], (120, 2)):      # stubble dots, 3 px radius
        photo[(xx - cx) ** 2 + (yy - cy) ** 2 <= 9] = np.rint(hair01 * 255).astype(np.uint8)
    entry = next(e for e in load_palette("smp-undertones-modelled").entries
                 if e.id == "neutral-black@2:1")
    design = TreatmentDesign(area=(Region("skin", "rect", {"x": 20, "y": 20, "w": 260,
                                                           "h": 200}),),
                             density_per_cm2=60, dot_mm=0.7, feather_mm=0)
    faded = render_preview(photo, design, 10.0, fit_skin(SKIN_LAB), entry, stage="faded",
                           years=YEARS).rgb
    path = tmp_path_factory.mktemp("touchup") / "returning.png"
    Image.fromarray(faded).save(path)
    return path, entry


def test_touch_up_recovers_the_ink_left_and_ranks_the_dilutions(returning_client, capsys):
    from shadematch.appearance.model_parameters import HEALED_DAYS

    path, entry = returning_client
    days = HEALED_DAYS + YEARS * 365.25
    code = main(["touch-up", str(path), "--healed", "30,30,240,180", "--skin", "300,260,250,120",
                 "--hair", "330,40,240,120", "--pigment", "neutral-black",
                 "--session-shade", entry.id, "--days", f"{days:.0f}", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    # the measured faded colour is what the model predicted for today (it drew it)
    from shadematch.color.delta_e import delta_E

    assert float(delta_E(np.asarray(result["faded_lab"]),
                         np.asarray(result["predicted_now_lab"]))) < 2.0
    # 2:1 is a third pigment; 6 years at 8 %/year leave 0.61 of it
    assert result["ink_left"] == pytest.approx(0.61 / 3, rel=0.3)
    options = result["options"]
    assert [o["delta_e"] for o in options] == sorted(o["delta_e"] for o in options)
    assert options[0]["delta_e"] < result["faded_vs_hair_de00"]
    assert all(o["entry_id"].startswith("neutral-black") for o in options)


def test_touch_up_text_and_bad_requests(returning_client, capsys):
    path, entry = returning_client
    base = ["touch-up", str(path), "--healed", "30,30,240,180", "--skin", "300,260,250,120",
            "--hair", "330,40,240,120"]
    assert main(base + ["--pigment", "neutral-black"]) == 0
    text = capsys.readouterr().out
    assert "Ink left" in text and "Neutral Black" in text and "prediction" in text
    assert main(base + ["--pigment", "purple"]) == 1
    assert "use one of cool-black" in capsys.readouterr().err
    assert main(base + ["--pigment", "neutral-black", "--days", "400"]) == 1
    assert "go together" in capsys.readouterr().err
