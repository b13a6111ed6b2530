"""Rendering: dots coloured as the model predicts them healed in this skin, composited in
linear light so the photo's shading stays, and nothing outside the area touched."""

from __future__ import annotations

import numpy as np
import pytest
from preview_helpers import SKIN_LAB, flat_photo

from shadematch.appearance import predict
from shadematch.color.conversion import sRGB_to_Lab
from shadematch.color.delta_e import delta_E
from shadematch.errors import PreviewError
from shadematch.imaging.regions import Region
from shadematch.preview import TreatmentDesign, render_preview

AREA = (Region("skin", "rect", {"x": 60, "y": 50, "w": 280, "h": 200}),)
SCALE = 12.0


def _design(**kwargs):
    return TreatmentDesign(area=AREA, **{"density_per_cm2": 40, "dot_mm": 0.6,
                                         "feather_mm": 2, **kwargs})


def _core_Lab(preview) -> np.ndarray:
    """Lab at each dot centre (dots at least 3 px in radius: a core, not an edge)."""
    rgb = preview.rgb
    keep = preview.layout.radius >= 3
    x = preview.layout.x[keep].astype(int)
    y = preview.layout.y[keep].astype(int)
    return sRGB_to_Lab(rgb[y, x]).astype(float)


def _predicted(skin, entry):
    return predict.predict_Lab(skin, predict.ink_absorption([entry]))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_pixels_outside_the_area_keep_their_exact_values(skin, palette, dtype):
    photo = flat_photo(SKIN_LAB, dtype=dtype)
    rng = np.random.default_rng(0)
    top = 65535 if dtype == np.uint16 else 255
    photo = np.clip(photo.astype(int) + rng.integers(-3, 4, photo.shape) * (top // 255),
                    0, top).astype(dtype)
    preview = render_preview(photo, _design(feather_mm=0), SCALE, skin, palette.entries[2])
    outside = ~AREA[0].mask(*photo.shape[:2])
    assert np.array_equal(preview.rgb[outside], photo[outside])
    changed = np.any(preview.rgb != photo, axis=2)
    assert changed.any() and not (changed & outside).any()
    assert preview.rgb.dtype == dtype and preview.rgb.shape == photo.shape


def test_a_dot_core_has_the_predicted_healed_colour_within_2_dE00(skin, palette):
    photo = flat_photo(SKIN_LAB, dtype=np.uint16)
    for entry in (palette.entries[0], palette.entries[len(palette.entries) // 2],
                  palette.entries[-1]):
        preview = render_preview(photo, _design(), SCALE, skin, entry, "healed")
        healed = _predicted(skin, entry).healed[0]
        cores = _core_Lab(preview)
        assert len(cores) > 20
        assert np.median(delta_E(healed, cores)) < 2.0, entry.id
        # and it is not the card swatch (which is much darker for a neat ink)
        assert preview.info()["dot_lab"] == pytest.approx(list(healed), abs=1e-3)


def test_fresh_is_darker_and_faded_lighter_than_healed(skin, palette):
    photo = flat_photo(SKIN_LAB)
    entry = palette.entry("carbon-black@4:1") if any(
        e.id == "carbon-black@4:1" for e in palette.entries) else palette.entries[3]
    L = {}
    for stage in ("fresh", "healed", "faded"):
        preview = render_preview(photo, _design(), SCALE, skin, entry, stage)
        L[stage] = float(np.median(_core_Lab(preview)[:, 0]))
    assert L["fresh"] < L["healed"] - 1 < L["faded"] - 2
    assert L["faded"] < SKIN_LAB[0]


def test_session_1_is_sparser_with_the_same_dots(skin, palette):
    photo = flat_photo(SKIN_LAB)
    entry = palette.entries[3]
    final = render_preview(photo, _design(), SCALE, skin, entry, session="final")
    first = render_preview(photo, _design(), SCALE, skin, entry, session="1")
    assert first.layout.count == pytest.approx(0.6 * final.layout.count, rel=0.1)
    assert set(zip(first.layout.x.tolist(), first.layout.y.tolist(), strict=True)) <= set(
        zip(final.layout.x.tolist(), final.layout.y.tolist(), strict=True))


def test_the_photo_shading_stays_a_dot_in_shadow_is_darker(skin, palette):
    """Composited in linear light: the dot/skin ratio is the same in light and in shadow."""
    from shadematch.color.conversion import sRGB_to_linear

    photo = flat_photo(SKIN_LAB, dtype=np.uint16)
    shade = np.linspace(1.0, 0.45, photo.shape[1])[None, :, None]      # light falls off
    lin = sRGB_to_linear(photo) * shade
    from shadematch.color.conversion import linear_to_sRGB

    photo = np.rint(linear_to_sRGB(lin) * 65535).astype(np.uint16)
    preview = render_preview(photo, _design(), SCALE, skin, palette.entries[3])
    keep = preview.layout.radius >= 3
    x, y = preview.layout.x[keep].astype(int), preview.layout.y[keep].astype(int)
    ratio = (sRGB_to_linear(preview.rgb[y, x]) / sRGB_to_linear(photo[y, x]))[:, 1]
    assert np.ptp(ratio) < 0.02                                 # the same tint everywhere
    expected = preview.tint.transmission[1]
    assert np.median(ratio) == pytest.approx(expected, rel=0.02)
    left, right = x < 150, x > 250
    assert sRGB_to_Lab(preview.rgb[y[left], x[left]])[:, 0].mean() > \
        sRGB_to_Lab(preview.rgb[y[right], x[right]])[:, 0].mean() + 5


def test_lighter_skin_shows_more_contrast_than_dark_skin(palette):
    """The same pigment and dilution on light and on dark skin: less contrast on dark."""
    from shadematch.appearance import fit_skin

    entry = palette.entries[3]
    contrast = {}
    for name, Lab in (("light", (70.0, 9.0, 16.0)), ("dark", (40.0, 10.0, 16.0))):
        preview = render_preview(flat_photo(Lab), _design(), SCALE, fit_skin(Lab), entry)
        contrast[name] = Lab[0] - float(np.median(_core_Lab(preview)[:, 0]))
    assert contrast["light"] > contrast["dark"] + 3


def test_bad_input_is_named(skin, palette):
    photo = flat_photo(SKIN_LAB)
    entry = palette.entries[0]
    with pytest.raises(PreviewError, match="no scale"):
        render_preview(photo, _design(), None, skin, entry)
    with pytest.raises(PreviewError, match="unknown stage 'cured'"):
        render_preview(photo, _design(), SCALE, skin, entry, "cured")
    with pytest.raises(PreviewError, match="unknown session"):
        render_preview(photo, _design(), SCALE, skin, entry, session="2")
    outside = TreatmentDesign(area=(Region("skin", "rect", {"x": 900, "y": 900, "w": 10,
                                                            "h": 10}),))
    with pytest.raises(PreviewError, match="the treatment area: .*outside"):
        render_preview(photo, outside, SCALE, skin, entry)
    tiny = render_preview(photo, _design(dot_mm=0.4), 3.0, skin, entry)
    assert any("pixels across" in n for n in tiny.notes)


def test_cancelling_stops_the_render(skin, palette):
    with pytest.raises(PreviewError, match="cancelled"):
        render_preview(flat_photo(SKIN_LAB), _design(), SCALE, skin, palette.entries[0],
                       cancelled=lambda: True)


def test_a_quick_preview_draws_the_same_dots_into_the_reduced_photo(skin, palette):
    photo = flat_photo(SKIN_LAB, height=600, width=800)
    design = TreatmentDesign(area=(Region("skin", "ellipse", {"cx": 400, "cy": 300, "rx": 300,
                                                              "ry": 200}),),
                             density_per_cm2=30, dot_mm=0.8, feather_mm=2)
    full = render_preview(photo, design, SCALE, skin, palette.entries[3])
    small = render_preview(photo[::4, ::4], design, SCALE, skin, palette.entries[3],
                           photo_shape=(600, 800))
    assert small.rgb.shape == (150, 200, 3)
    assert np.array_equal(small.layout.x, full.layout.x)
    # the reduced preview darkens the same places: compare with the full render reduced
    full_L = sRGB_to_Lab(full.rgb).astype(float)[..., 0].reshape(150, 4, 200, 4).mean(axis=(1, 3))
    small_L = sRGB_to_Lab(small.rgb).astype(float)[..., 0]
    darker_full, darker_small = full_L < SKIN_LAB[0] - 1, small_L < SKIN_LAB[0] - 1
    overlap = np.count_nonzero(darker_full & darker_small) / np.count_nonzero(darker_full)
    assert overlap > 0.7
    assert np.array_equal(small.rgb[:20], photo[::4, ::4][:20])       # above the area: untouched
