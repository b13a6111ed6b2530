"""The Calibration object: JSON block round trip, reuse, corrected image, exposure warning, grey
card, and an end-to-end check on a real photo (skimage's astronaut) with a chart pasted in."""

from __future__ import annotations

import json

import numpy as np
import pytest
from calib_synth import CASTS, dE00, render_chart

from shadematch.calibration import (
    Calibration,
    calibrate_from_chart,
    calibrate_from_grey_card,
    chart_reference,
    exposure_warning,
    patch_centres,
)
from shadematch.calibration._colour import XYZ_to_Lab, sRGB_to_linear
from shadematch.errors import CalibrationError

CAMERA = dict(noise=0.02, jpeg_quality=85, pitch=80)


@pytest.fixture(scope="module")
def warm_chart():
    img, corners = render_chart(cast="warm", tone="gamma1.8", exposure=0.8, **CAMERA)
    return img, corners, calibrate_from_chart(img, corners, photo_sha256="ab" * 32)


def test_to_dict_has_the_documented_block_and_is_json(warm_chart):
    _, corners, cal = warm_chart
    d = json.loads(json.dumps(cal.to_dict()))
    for key in ("chart", "reference", "model", "mean_delta_e", "max_delta_e",
                "leave_one_out_mean_delta_e", "patches", "corners", "source_photo_sha256",
                "reused", "transform"):
        assert key in d, key
    assert d["chart"] == "colorchecker24" and d["model"] == cal.model
    assert d["reference"].startswith("ColorChecker24 after November 2014")
    assert len(d["patches"]) == 24
    assert set(d["patches"][0]) >= {"name", "residual_delta_e", "rejected", "reason"}
    assert np.allclose(d["corners"], corners, atol=0.01)
    assert d["source_photo_sha256"] == "ab" * 32 and d["reused"] is False


def test_from_dict_reapplies_the_same_transform(warm_chart):
    img, _, cal = warm_chart
    again = Calibration.from_dict(json.loads(json.dumps(cal.to_dict())))
    RGB = sRGB_to_linear(img[::7, ::7].reshape(-1, 3))
    assert np.allclose(again.linear_RGB_to_XYZ(RGB), cal.linear_RGB_to_XYZ(RGB), atol=1e-9)
    assert again.model == cal.model and again.mean_delta_e == pytest.approx(cal.mean_delta_e,
                                                                            abs=1e-3)
    assert [p.name for p in again.patches] == [p.name for p in cal.patches]


@pytest.mark.parametrize("damage", [
    lambda d: d.pop("transform"),
    lambda d: d["transform"].update(matrix=[[1, 2], [3, 4]]),
    lambda d: d["transform"].update(curves=None),
    lambda d: d.update(mean_delta_e="lots"),
])
def test_from_dict_rejects_a_damaged_block(warm_chart, damage):
    d = json.loads(json.dumps(warm_chart[2].to_dict()))
    if not d["model"].startswith("curves+"):
        d["model"] = "curves+" + d["model"]  # so that removing the curves is damage too
    damage(d)
    with pytest.raises(CalibrationError, match="calibrate again"):
        Calibration.from_dict(d)


def test_linear_RGB_to_XYZ_takes_any_leading_shape(warm_chart):
    cal = warm_chart[2]
    RGB = np.random.default_rng(1).uniform(0.01, 1, (4, 5, 3))
    XYZ = cal.linear_RGB_to_XYZ(RGB)
    assert XYZ.shape == (4, 5, 3)
    assert np.allclose(XYZ[2, 3], cal.linear_RGB_to_XYZ(RGB[2, 3]))
    with pytest.raises(CalibrationError):
        cal.linear_RGB_to_XYZ(np.ones((4, 2)))


def test_reused_copy_is_marked_with_a_visible_note(warm_chart):
    cal = warm_chart[2]
    other = cal.reused_for("cd" * 32)
    assert other.reused and not cal.reused
    assert other.applied_to_photo_sha256 == "cd" * 32
    assert other.source_photo_sha256 == cal.source_photo_sha256
    assert any("reused" in w.lower() and "same shoot" in w for w in other.warnings)
    assert "reused" in other.summary()
    assert other.to_dict()["reused"] is True
    assert np.allclose(other.linear_RGB_to_XYZ([0.2, 0.3, 0.4]), cal.linear_RGB_to_XYZ([0.2, 0.3, 0.4]))
    # Applying it back to its own photo is not a reuse.
    assert not cal.reused_for(cal.source_photo_sha256).reused


def test_corrected_image_shows_the_chart_in_its_true_colours(warm_chart):
    img, corners, cal = warm_chart
    corrected = cal.apply_to_image(img)
    assert corrected.dtype == np.uint8 and corrected.shape == img.shape
    ref = chart_reference()
    centres = np.round(patch_centres(corners)).astype(int)
    for i in (0, 1, 2, 18, 21):  # dark skin, light skin, blue sky, white, neutral 5
        x, y = centres[i]
        block = corrected[y - 8:y + 9, x - 8:x + 9].reshape(-1, 3).mean(axis=0)
        Lab = XYZ_to_Lab(sRGB_to_linear(block / 255.0) @ _srgb_matrix().T)
        assert dE00(Lab, ref.Lab[i]) < 2.5, ref.names[i]
    uncorrected_white = img[centres[18][1], centres[18][0]].astype(int)
    assert uncorrected_white[0] - uncorrected_white[2] > 40  # the warm cast was there before


def _srgb_matrix():
    from shadematch.calibration._colour import M_sRGB_TO_XYZ

    return M_sRGB_TO_XYZ


def test_apply_to_image_handles_uint16_and_cancel(warm_chart):
    img, _, cal = warm_chart
    small = img[:40, :50]
    out16 = cal.apply_to_image(small.astype(np.uint16) * 257)
    assert np.abs(out16.astype(int) - cal.apply_to_image(small).astype(int)).max() <= 1
    with pytest.raises(CalibrationError, match="cancelled"):
        cal.apply_to_image(small, cancelled=lambda: True)


def test_exposure_warning(warm_chart):
    cal = warm_chart[2]
    assert exposure_warning(cal, [[45.0, 12.0, 15.0], [25.0, 3.0, 5.0]]) is None
    bright = exposure_warning(cal, [[104.0, 5.0, 10.0]])
    assert bright and "brighter than the chart's white" in bright and "same light" in bright
    dark = exposure_warning(cal, [[6.0, 1.0, 1.0]])
    assert dark and "darker than the chart's black" in dark
    assert exposure_warning(None, [[104.0, 0, 0]]) is None
    assert exposure_warning(cal, []) is None


# -- grey card ---------------------------------------------------------------------------------
def _grey_card_photo(cast: str, exposure: float = 0.7, card_Y: float = 0.18):
    """A mid-grey card on a light-skin-coloured background, under a cast, sRGB camera."""
    import colour

    d65 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]
    ref = chart_reference()
    scene = np.empty((120, 160, 3))
    scene[:] = colour.Lab_to_XYZ(ref.Lab[1], d65)                    # light skin
    scene[30:90, 40:120] = np.array([0.95047, 1.0, 1.08883]) * card_Y  # neutral card
    cam = colour.XYZ_to_sRGB(scene, apply_cctf_encoding=False) * np.array(CASTS[cast]) * exposure
    img = np.round(colour.cctf_encoding(np.clip(cam, 0, 1)) * 255).astype(np.uint8)
    mask = np.zeros(img.shape[:2], bool)
    mask[35:85, 45:115] = True
    return img, mask


def test_grey_card_removes_a_warm_cast_and_sets_exposure():
    img, mask = _grey_card_photo("warm")
    cal = calibrate_from_grey_card(img, mask)
    assert cal.chart == "greycard" and cal.model == "white-balance"
    assert "18% grey assumed" in cal.reference
    card_Lab = cal.linear_RGB_to_Lab(sRGB_to_linear(np.median(img[mask], axis=0) / 255.0))
    assert card_Lab[0] == pytest.approx(50.0, abs=0.5)
    assert np.hypot(card_Lab[1], card_Lab[2]) < 0.5
    # The light-skin background: a von Kries correction in sRGB gets it close, not exact.
    skin = cal.linear_RGB_to_Lab(sRGB_to_linear(img[5, 5]))
    ref = chart_reference().Lab[1]
    assert dE00(skin, ref) < 4.0
    uncorrected = XYZ_to_Lab(sRGB_to_linear(img[5, 5]) @ _srgb_matrix().T)
    assert dE00(uncorrected, ref) > 8.0
    assert cal.mean_delta_e < 1.0  # the card is uniform
    assert Calibration.from_dict(json.loads(json.dumps(cal.to_dict()))).model == "white-balance"


def test_grey_card_declared_lightness_is_used():
    img, mask = _grey_card_photo("cool", card_Y=0.4)
    cal = calibrate_from_grey_card(img, mask, card_L=69.5)
    card_Lab = cal.linear_RGB_to_Lab(sRGB_to_linear(np.median(img[mask], axis=0) / 255.0))
    assert card_Lab[0] == pytest.approx(69.5, abs=0.5)
    assert "declared" in cal.reference


def test_grey_card_errors_say_what_to_do():
    img, mask = _grey_card_photo("warm")
    with pytest.raises(CalibrationError, match="does not match the photo"):
        calibrate_from_grey_card(img, mask[:-1])
    with pytest.raises(CalibrationError, match="empty"):
        calibrate_from_grey_card(img, np.zeros_like(mask))
    with pytest.raises(CalibrationError, match="plausible"):
        calibrate_from_grey_card(img, mask, card_L=150)
    bright, bmask = _grey_card_photo("neutral", exposure=7.0)
    with pytest.raises(CalibrationError, match="overexposed"):
        calibrate_from_grey_card(bright, bmask)
    dark, dmask = _grey_card_photo("neutral", exposure=0.002)
    with pytest.raises(CalibrationError, match="too dark"):
        calibrate_from_grey_card(dark, dmask)


# -- end to end on a real photo ----------------------------------------------------------------
def test_real_photo_with_a_chart_is_restored_after_calibration():
    """skimage's astronaut photo is the "scene" (its sRGB values are the truth). A ColorChecker
    is placed beside it, the whole frame goes through a warm, gamma-1.8 "camera" with noise and
    JPEG, then the calibration from the chart must bring the astronaut back to its own colours.
    (No photo of a real ColorChecker ships inside an installed package; see docs/CALIBRATION.md.)
    """
    import io

    import colour
    from calib_synth import M_XYZ_TO_CAMERA, TONES
    from PIL import Image
    from skimage import data

    astro = data.astronaut()[::2, ::2]                             # 256 x 256, sRGB
    chart_img, corners = render_chart(tone="srgb", pitch=40, margin=20)  # neutral camera = truth
    h = max(astro.shape[0], chart_img.shape[0])
    frame = np.zeros((h, astro.shape[1] + chart_img.shape[1], 3), np.uint8)
    frame[:astro.shape[0], :astro.shape[1]] = astro
    frame[:chart_img.shape[0], astro.shape[1]:] = chart_img
    # The chart rendering already went through the camera's cross-talk; undo it so the whole
    # frame is "scene" sRGB, then send the whole frame through the warm camera at once.
    lin = colour.cctf_decoding(frame / 255.0)
    chart_part = lin[:chart_img.shape[0], astro.shape[1]:]
    XYZ_chart = chart_part @ np.linalg.inv(M_XYZ_TO_CAMERA).T
    lin[:chart_img.shape[0], astro.shape[1]:] = colour.XYZ_to_sRGB(XYZ_chart,
                                                                   apply_cctf_encoding=False)
    XYZ_scene = colour.sRGB_to_XYZ(np.clip(lin, 0, None), apply_cctf_decoding=False)
    camera = XYZ_scene @ M_XYZ_TO_CAMERA.T * np.asarray(CASTS["warm"]) * 0.8
    encoded = TONES["gamma1.8"](np.clip(camera, 0, 1))
    encoded += np.random.default_rng(3).normal(0, 0.02, encoded.shape)
    photo = np.clip(np.round(encoded * 255), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG", quality=90)
    photo = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    corners = [(x + astro.shape[1], y) for x, y in corners]

    cal = calibrate_from_chart(photo, corners)
    # Compare 8 x 8 block means (a region measurement averages; single pixels carry the noise).
    def blocks(arr):
        a = arr[:256, :256].reshape(32, 8, 32, 8, 3).mean(axis=(1, 3))
        return a[5:27, 5:27].reshape(-1, 3)

    truth = XYZ_to_Lab(blocks(XYZ_scene))
    lin_photo = sRGB_to_linear(photo)
    raw = XYZ_to_Lab(blocks(lin_photo) @ _srgb_matrix().T)
    fixed = XYZ_to_Lab(blocks(cal.linear_RGB_to_XYZ(lin_photo)))
    raw_dE = colour.delta_E(raw, truth, method="CIE 2000")
    fixed_dE = colour.delta_E(fixed, truth, method="CIE 2000")
    assert np.median(raw_dE) > 8.0
    assert np.median(fixed_dE) < 2.0
    assert np.percentile(fixed_dE, 75) < 3.5  # saturated suit/flag colours lie beyond the chart
    # The face (skin) specifically, as a region mean.
    face = (slice(40, 70), slice(85, 110))
    face_truth = XYZ_to_Lab(XYZ_scene[face].reshape(-1, 3).mean(axis=0))
    face_fixed = XYZ_to_Lab(cal.linear_RGB_to_XYZ(lin_photo[face]).reshape(-1, 3).mean(axis=0))
    assert dE00(face_fixed, face_truth) < 2.0


def test_workspace_session_keeps_the_calibration(warm_chart):
    """Stored with the session: the Workspace's record carries the block and restores the
    transform (public Workspace API only)."""
    from shadematch.imaging.photo import Photo
    from shadematch.workspace import Workspace

    img, corners, _ = warm_chart
    photo = Photo.from_array(img, "chart.png")
    cal = calibrate_from_chart(photo, corners)
    assert cal.source_photo_sha256 == photo.sha256
    ws = Workspace()
    ws.set_photo(photo)
    ws.set_calibration(cal)
    x, y = np.round(patch_centres(corners)[1]).astype(int)
    ws.add_region("rect", {"x": int(x) - 10, "y": int(y) - 10, "w": 20, "h": 20}, "skin")
    record = json.loads(json.dumps(ws.to_dict()))
    assert record["calibration"]["model"] == cal.model
    assert dE00(ws.samples["skin"].Lab, chart_reference().Lab[1]) < 2.0

    restored = Workspace()
    notes = restored.from_analysis(record, photo=photo)
    assert not [n for n in notes if "calibration" in n]
    assert isinstance(restored.calibration, Calibration)
    RGB = np.array([[0.1, 0.2, 0.3], [0.5, 0.4, 0.3]])
    assert np.allclose(restored.calibration.linear_RGB_to_XYZ(RGB), cal.linear_RGB_to_XYZ(RGB))
    assert np.allclose(restored.samples["skin"].Lab, ws.samples["skin"].Lab, atol=0.05)


def test_carried_to_another_photo(warm_chart):
    cal = warm_chart[2]                                  # made on photo "ab" * 32
    assert cal.carried_to(cal.source_photo_sha256, keep_for_shoot=False) is cal
    assert cal.carried_to("cd" * 32, keep_for_shoot=False) is None
    reused = cal.carried_to("cd" * 32, keep_for_shoot=True)
    assert reused.reused and reused.applied_to_photo_sha256 == "cd" * 32
    assert reused.carried_to("cd" * 32, keep_for_shoot=False) is reused
    back = reused.carried_to(cal.source_photo_sha256, keep_for_shoot=False)
    assert back is not None and not back.reused and not any("reused" in w.lower()
                                                            for w in back.warnings)
    assert reused.carried_to("ef" * 32, keep_for_shoot=False) is None
