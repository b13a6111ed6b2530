"""``shadematch preview`` end to end on a synthetic shaved scalp with known follicles."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "color"))

import json

import numpy as np
import pytest
from PIL import Image
from synthetic_scalp import FOLLICLE_DARK, SKIN_TONES, scalp_photo  # noqa: E402

from shadematch.cli import main

SCALE = 10.0                    # px per mm: 3 px radius dots are 0.6 mm follicles
HAIR = "20,20,200,200"
SKIN = "320,40,120,120"
AREA = "240,200,340,180"


def make_scalp_file(path):
    """A 600 x 400 scalp: bare skin everywhere, a 200 x 200 patch of stubble top left."""
    skin = SKIN_TONES["medium"]
    rng = np.random.default_rng(4)
    canvas = np.clip(np.asarray(skin) + rng.normal(0, 2.0, (400, 600, 3)), 1, 254)
    canvas = np.round(canvas).astype(np.uint8)
    canvas[20:220, 20:220] = scalp_photo(skin, FOLLICLE_DARK, coverage=0.15, radius=3.0,
                                         size=200, seed=3)
    Image.fromarray(canvas).save(path)
    return path


@pytest.fixture(scope="module")
def scalp_file(tmp_path_factory):
    return make_scalp_file(tmp_path_factory.mktemp("scalp") / "scalp.png")


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _match(capsys, photo):
    code, out, err = _run(capsys, "match", photo, "--hair", HAIR, "--skin", SKIN, "--json",
                          "--top", "50")
    assert code == 0, err
    return json.loads(out)


def test_the_preview_draws_the_best_healed_shade_into_the_area_only(scalp_file, tmp_path,
                                                                    capsys):
    out_path = tmp_path / "preview.png"
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "--scale", SCALE, "-o", out_path, "--json")
    assert code == 0, err
    info = json.loads(out)
    record = _match(capsys, scalp_file)
    best = record["ranking"][0]
    assert info["entry_id"] == best["id"]
    assert info["dot_lab"] == pytest.approx(best["healed_lab"], abs=0.05)
    with Image.open(out_path) as im:
        assert im.size == (600, 400)
        assert im.info.get("icc_profile")
        drawn = np.asarray(im.convert("RGB"))
    with Image.open(scalp_file) as im:
        photo = np.asarray(im.convert("RGB"))
    inside = np.zeros(photo.shape[:2], bool)
    inside[200:380, 240:580] = True
    assert np.array_equal(drawn[~inside], photo[~inside])
    assert np.any(drawn[inside] != photo[inside])
    assert info["dots"] == pytest.approx(info["expected_dots"], rel=0.15)


def test_text_output_names_the_shade_and_says_it_is_a_prediction(scalp_file, tmp_path,
                                                                 capsys):
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "--scale-line", "100,390,300,390:20",
                          "-o", tmp_path / "p.jpg", "--stage", "fresh")
    assert code == 0, err
    assert "fresh" in out and "dots of 0.4 mm" in out and "prediction" in out
    assert (tmp_path / "p.jpg").stat().st_size > 0


def test_a_chosen_shade_and_the_first_session(scalp_file, tmp_path, capsys):
    record = _match(capsys, scalp_file)
    chosen = record["ranking"][2]["id"]
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "--scale", SCALE, "-o", tmp_path / "a.png", "--json",
                          "--shade", chosen)
    assert code == 0, err
    assert json.loads(out)["entry_id"] == chosen
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "--scale", SCALE, "-o", tmp_path / "b.png", "--json",
                          "--session", "1")
    assert code == 0, err
    first = json.loads(out)
    assert first["entry_id"] == record["plan"]["first_session"]["entry_id"]
    assert first["density_per_cm2"]["asked"] == pytest.approx(0.6 * 50)


def test_density_match_uses_the_clients_own_follicle_density(scalp_file, tmp_path, capsys):
    from synthetic_scalp import truth_dots

    _, count = truth_dots(200, 0.15, 3.0, seed=3)
    truth = count / (200 * 200 / (10 * SCALE) ** 2)
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "--scale", SCALE, "-o", tmp_path / "m.png", "--json",
                          "--density", "match")
    assert code == 0, err
    asked = json.loads(out)["density_per_cm2"]["asked"]
    assert asked == pytest.approx(truth, rel=0.2)


@pytest.mark.parametrize("extra, words", [
    ([], "has no scale"),
    (["--scale", "10", "--shade", "no-such@1:1"], "shade 'no-such@1:1' is not in palette"),
    (["--scale", "10", "--density", "400", "--dot-mm", "0.6"], "at most 177 per cm2"),
    (["--scale", "10", "--density", "lots"], "is not a number of dots per cm2"),
])
def test_bad_requests_say_what_to_do(scalp_file, tmp_path, capsys, extra, words):
    code, out, err = _run(capsys, "preview", scalp_file, "--hair", HAIR, "--skin", SKIN,
                          "--area", AREA, "-o", tmp_path / "x.png", *extra)
    assert code == 1
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "x.png").exists()


def test_missing_regions_and_a_wrong_output_name(scalp_file, tmp_path, capsys):
    base = ["preview", scalp_file, "--scale", SCALE]
    code, _, err = _run(capsys, *base, "--hair", HAIR, "--skin", SKIN, "-o", tmp_path / "x.png")
    assert code == 1 and "no treatment area" in err
    code, _, err = _run(capsys, *base, "--skin", SKIN, "--area", AREA, "-o", tmp_path / "x.png")
    assert code == 1 and "no hair region" in err
    code, _, err = _run(capsys, *base, "--hair", HAIR, "--area", AREA, "-o", tmp_path / "x.png")
    assert code == 1 and "no skin region" in err
    code, _, err = _run(capsys, *base, "--hair", HAIR, "--skin", SKIN, "--area", AREA,
                        "-o", tmp_path / "x.pdf")
    assert code == 1 and "name it .png, .jpg or .tif" in err
    before = scalp_file.read_bytes()
    code, _, err = _run(capsys, *base, "--hair", HAIR, "--skin", SKIN, "--area", AREA,
                        "-o", scalp_file)
    assert code == 1 and "never overwritten" in err
    assert scalp_file.read_bytes() == before
    with pytest.raises(SystemExit) as info:
        main(["preview", str(scalp_file), "--scale-line", "1,2,3:10", "-o", "x.png"])
    assert info.value.code == 2
    assert "x1,y1,x2,y2:MM" in capsys.readouterr().err


def _to_display_p3(path_in, path_out):
    """The sRGB scalp re-encoded in Display P3 (LittleCMS), plus a P3 green stripe outside sRGB
    along the bottom edge, saved with the P3 profile."""
    import io

    from PIL import ImageCms

    from shadematch.imaging.icc_profiles import named_profile

    p3 = named_profile("Display P3")
    to_p3 = ImageCms.buildTransform(ImageCms.createProfile("sRGB"),
                                    ImageCms.ImageCmsProfile(io.BytesIO(p3)), "RGB", "RGB")
    codes = np.asarray(ImageCms.applyTransform(Image.open(path_in).convert("RGB"), to_p3)).copy()
    codes[388:, :60] = (0, 235, 30)       # saturated P3 green: outside sRGB
    Image.fromarray(codes).save(path_out, icc_profile=p3)
    return codes, p3


def test_a_wide_gamut_photo_gets_a_preview_in_its_own_profile(scalp_file, tmp_path, capsys):
    from shadematch.color.conversion import sRGB_to_Lab
    from shadematch.imaging import load_photo

    p3_path = tmp_path / "scalp-p3.png"
    codes, p3 = _to_display_p3(scalp_file, p3_path)
    runs = {}
    for name, photo in (("srgb", scalp_file), ("p3", p3_path)):
        out_path = tmp_path / f"preview-{name}.png"
        code, out, err = _run(capsys, "preview", photo, "--hair", HAIR, "--skin", SKIN,
                              "--area", AREA, "--scale", SCALE, "-o", out_path, "--json",
                              "--shade", "cool-black@4:1")
        assert code == 0, err
        runs[name] = out_path
    written = Image.open(runs["p3"])
    assert written.info.get("icc_profile") == p3
    drawn = np.asarray(written.convert("RGB"))
    x, y, w, h = (int(v) for v in AREA.split(","))
    outside = np.ones(drawn.shape[:2], dtype=bool)
    outside[y:y + h, x:x + w] = False
    # Every pixel outside the area keeps its P3 code values, the out-of-sRGB stripe included.
    assert np.array_equal(drawn[outside], codes[outside])
    assert np.array_equal(drawn[390, 10], (0, 235, 30))
    changed = np.any(drawn != codes, axis=2)
    assert changed[y:y + h, x:x + w].mean() > 0.05
    # Seen through its profile, the P3 preview's dots are the sRGB preview's dots.
    area_srgb = [load_photo(runs[n]).rgb[y:y + h, x:x + w].reshape(-1, 3) for n in ("srgb", "p3")]
    dots = np.any(np.asarray(Image.open(runs["srgb"]).convert("RGB"))[y:y + h, x:x + w]
                  != np.asarray(Image.open(scalp_file).convert("RGB"))[y:y + h, x:x + w],
                  axis=2).ravel()
    lab = [sRGB_to_Lab(a[dots].astype(np.float64) / 255.0).mean(axis=0) for a in area_srgb]
    assert np.abs(lab[0] - lab[1]).max() < 1.0, lab


def _demo_args():
    from shadematch.resources import assets_dir

    photo = assets_dir() / "demo" / "scalp.jpg"
    spec = json.loads(Path(photo).with_suffix(".regions.json").read_text(encoding="utf-8"))
    corners = ";".join(f"{x},{y}" for x, y in spec["chart_corners"])
    args = []
    for region in spec["regions"]:
        p = region["params"]
        if region["shape"] == "ellipse":       # the rectangle inside the ellipse
            p = {"x": p["cx"] - 0.7 * p["rx"], "y": p["cy"] - 0.7 * p["ry"],
                 "w": 1.4 * p["rx"], "h": 1.4 * p["ry"]}
        args += [f"--{region['class']}", f"{p['x']:.0f},{p['y']:.0f},{p['w']:.0f},{p['h']:.0f}"]
    return photo, spec, corners, args


def test_the_scale_can_come_from_the_colorchecker(tmp_path, capsys):
    photo, spec, corners, regions = _demo_args()
    # The demo's chart: 220 px from dark skin to bluish green at 10 px/mm, a 22 mm row.
    code, out, err = _run(capsys, "preview", photo, *regions, "--area", "700,200,300,150",
                          "--chart", "colorchecker24", "--chart-corners", corners,
                          "--chart-row-mm", "22", "-o", tmp_path / "p.png", "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["scale_from"] == "chart" and info["calibrated"] is True
    assert info["pixels_per_mm"] == pytest.approx(spec["pixels_per_mm"], rel=0.01)
    # Half the row length: twice the pixels per mm.
    code, out, err = _run(capsys, "preview", photo, *regions, "--area", "700,200,300,150",
                          "--chart", "colorchecker24", "--chart-corners", corners,
                          "--chart-row-mm", "11", "-o", tmp_path / "q.png", "--json")
    assert code == 0, err
    assert json.loads(out)["pixels_per_mm"] == pytest.approx(2 * spec["pixels_per_mm"], rel=0.01)


def test_a_chart_scale_without_a_chart_says_what_to_add(tmp_path, capsys):
    photo, _spec, _corners, regions = _demo_args()
    code, _, err = _run(capsys, "preview", photo, *regions, "--area", "700,200,300,150",
                        "--chart-row-mm", "22", "-o", tmp_path / "p.png")
    assert code != 0 and "--chart colorchecker24" in err
    with pytest.raises(SystemExit) as stop:
        _run(capsys, "preview", photo, *regions, "--area", "700,200,300,150", "--scale", "10",
             "--chart-row-mm", "22", "-o", tmp_path / "p.png")
    assert stop.value.code == 2 and "not allowed with" in capsys.readouterr().err
    assert not (tmp_path / "p.png").exists()
