"""The PDF shade report: content, colours, Unicode, size, safe writing."""

from __future__ import annotations

import errno
import io
import os
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader
from report_fixtures import astronaut_rgb, make_analysis, pdftoppm_exe, render_page

from shadematch.errors import ReportError
from shadematch.reporting import (
    ReportCancelled,
    ReportOptions,
    build_report,
    recipe,
    render_report,
)


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return astronaut_rgb()


@pytest.fixture
def pdftoppm() -> str:
    return pdftoppm_exe()


OPTIONS = ReportOptions(client_name="Zoë Ó Súilleabháin", practitioner="Sam Carter",
                        clinic_name="Northside SMP Studio",
                        clinic_address="12 Harbour Street\nDublin D02 XY12")


def _text(pdf: bytes | Path) -> str:
    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    return "\n".join(page.extract_text() for page in reader.pages)


def _squash(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory, astronaut) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    rendered = render_report(make_analysis(), astronaut, OPTIONS)
    out.write_bytes(rendered.pdf)
    return out, rendered


def test_text_holds_client_formula_pigments_notes(report_pdf):
    path, rendered = report_pdf
    text = _squash(_text(path))
    analysis = make_analysis()
    assert "Zoë Ó Súilleabháin" in text
    assert "Sam Carter" in text and "Northside SMP Studio" in text
    assert "CIEDE2000" in text
    for entry in analysis["ranking"]:
        assert entry["pigment_name"] in text and entry["dilution"] in text, entry["name"]
    assert _squash(analysis["notes"]) in text
    assert "Not calibrated: colours are as the camera recorded them." in text
    # The chosen shade stands out with its recipe.
    assert "CHOSEN SHADE" in text and "FIRST SESSION (LIGHTER)" in text
    assert "3 parts water : 1 part pigment" in text
    assert "ITA 34.2° (intermediate)" in text
    assert "Caring for your scalp after your session" in text
    pages = rendered.pages
    assert pages == len(PdfReader(path).pages) == 3
    for n in range(1, pages + 1):
        assert f"Page {n} of {pages}" in text
    assert "Palette: Demo SMP Palette v1.0 (a1b2c3d4)" in text


def test_metadata(report_pdf):
    path, _ = report_pdf
    meta = PdfReader(path).metadata
    assert meta.title == "SMP shade report – Zoë Ó Súilleabháin"
    assert meta.author == "Sam Carter"
    assert "CIEDE2000" in meta.subject and "Demo SMP Palette" in meta.subject
    assert meta.creation_date is not None
    assert meta.creator.startswith("shadematch")


def test_srgb_output_intent_embeds_an_srgb_profile(report_pdf):
    from PIL import ImageCms

    path, _ = report_pdf
    assert PdfReader(path).pdf_header == "%PDF-1.4"  # output intents need PDF 1.4
    root = PdfReader(path).trailer["/Root"]
    intents = root["/OutputIntents"]
    assert len(intents) == 1
    intent = intents[0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert "sRGB" in intent["/OutputConditionIdentifier"]
    stream = intent["/DestOutputProfile"].get_object()
    assert stream["/N"] == 3
    profile = ImageCms.ImageCmsProfile(io.BytesIO(stream.get_data()))
    assert "sRGB" in ImageCms.getProfileDescription(profile)


def _lab_of_pixels(rgb8: np.ndarray) -> np.ndarray:
    from skimage.color import rgb2lab

    return rgb2lab(rgb8.reshape(-1, 1, 3).astype(np.float64) / 255.0,
                   illuminant="D65", observer="2").reshape(-1, 3)


@pytest.mark.parametrize("page", [1, 2])
def test_rendered_swatches_match_their_lab(report_pdf, pdftoppm, tmp_path, page):
    path, rendered = report_pdf
    dpi = 72
    image = render_page(pdftoppm, path, page, dpi, tmp_path / f"p{page}")
    page_h = 841.89
    swatches = [s for s in rendered.swatches if s.page == page]
    assert len(swatches) >= 3
    checked = 0
    for s in swatches:
        # Centre of the swatch, away from the border and the out-of-gamut corner mark.
        cx = (s.x + s.w * 0.4) * dpi / 72
        cy = (page_h - (s.y + s.h * 0.4)) * dpi / 72
        patch = image[int(cy) - 3:int(cy) + 3, int(cx) - 3:int(cx) + 3].reshape(-1, 3)
        measured = _lab_of_pixels(patch).mean(axis=0)
        if s.in_gamut:
            assert np.linalg.norm(measured - np.asarray(s.Lab)) < 1.5, (s.label, measured, s.Lab)
            checked += 1
        else:
            # Printed clipped: the rendered sRGB is the clipped conversion.
            assert np.abs(patch.mean(axis=0) - np.asarray(s.rgb) * 255).max() < 2.5, s.label
    assert checked >= 3


def test_out_of_gamut_swatch_is_marked(report_pdf):
    path, rendered = report_pdf
    ink_blue = [s for s in rendered.swatches if s.label.startswith("rank:ink-blue")]
    assert len(ink_blue) == 1 and not ink_blue[0].in_gamut
    assert all(s.in_gamut for s in rendered.swatches if "ink-blue" not in s.label)
    assert "lies outside sRGB" in _text(path)


def test_unicode_names_are_text_and_render(astronaut, tmp_path, pdftoppm):
    from shadematch.reporting import text as rtext

    analysis = make_analysis(notes="ملاحظة: لون أفتح قليلا. 客户喜欢浅色。 Zoë.")
    names = ["Zoë Ó Súilleabháin", "王小明", "محمد"]
    out = tmp_path / "unicode.pdf"
    build_report(analysis, astronaut, out,
                 ReportOptions(client_name=" ".join(names), practitioner="王小明",
                               clinic_name="عيادة الشعر"))
    extracted = unicodedata.normalize("NFKC", _text(out))
    assert "\x00" not in extracted  # no .notdef glyphs (e.g. a space drawn in the CJK font)
    assert "Zoë Ó Súilleabháin" in extracted
    assert "王小明" in extracted
    assert "客户喜欢浅色" in extracted
    # Arabic is drawn as joined presentation forms; NFKC maps them back to the letters.
    assert "محمد" in extracted or "محمد"[::-1] in extracted
    assert "الشعر" in extracted or "الشعر"[::-1] in extracted
    # Every glyph is covered by an embedded font (no "?" substitutes) ...
    for name in names:
        pieces = rtext.runs(rtext.to_visual(name), rtext.BOLD)
        assert "".join(p.text for p in pieces).replace("?", "") == rtext.to_visual(name)
    assert {p.font for p in rtext.runs("王小明")} == {rtext.CJK}
    # ... Arabic letters are shaped (joined forms), and the fonts are embedded subsets.
    assert rtext.to_visual("محمد") != "محمد"
    reader = PdfReader(out)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font).get(
                "/FontDescriptor")
            assert descriptor is not None, f"{font['/BaseFont']} is not embedded"
            assert "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
    assert any("DroidSansFallback" in f for f in fonts) and any("DejaVuSans" in f for f in fonts)
    # The page renders, and the client's name area is not empty.
    image = render_page(pdftoppm, out, 1, 72, tmp_path / "u1")
    name_band = image[100:150, 40:400]
    assert (name_band.min(axis=2) < 100).sum() > 200


def test_existing_file_is_not_overwritten_without_force(astronaut, tmp_path):
    out = tmp_path / "OUT.pdf"
    out.write_bytes(b"keep me")
    with pytest.raises(ReportError, match=r"OUT\.pdf already exists: use --force to replace it"):
        build_report(make_analysis(), astronaut, out, OPTIONS)
    assert out.read_bytes() == b"keep me"
    build_report(make_analysis(), astronaut, out, OPTIONS, overwrite=True)
    assert out.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OUT.pdf"]


def test_missing_folder_gets_a_clear_error(astronaut, tmp_path):
    with pytest.raises(ReportError, match="does not exist"):
        build_report(make_analysis(), astronaut, tmp_path / "nope" / "r.pdf", OPTIONS)


def test_unwritable_folder_gets_a_clear_error(astronaut, tmp_path):
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
        try:
            with pytest.raises(ReportError, match="permission denied"):
                build_report(make_analysis(), astronaut, folder / "r.pdf", OPTIONS)
            assert list(folder.iterdir()) == []
        finally:
            folder.chmod(0o700)
    elif Path("/sys").is_dir():
        # root ignores permission bits; sysfs refuses new files even to root.
        with pytest.raises(ReportError, match="permission denied"):
            build_report(make_analysis(), astronaut, Path("/sys/shadematch-report.pdf"), OPTIONS)
        assert not Path("/sys/shadematch-report.pdf").exists()
    else:
        pytest.skip("running as root without /sys: no folder root cannot write")


def test_failed_write_leaves_nothing_behind(astronaut, tmp_path, monkeypatch):
    import shadematch.atomic_files as atomic_files

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_files.os, "fsync", full_disk)
    out = tmp_path / "r.pdf"
    with pytest.raises(ReportError, match="No space left on device"):
        build_report(make_analysis(), astronaut, out, OPTIONS)
    assert list(tmp_path.iterdir()) == []


def test_cancelled_report_writes_nothing(astronaut, tmp_path):
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    out = tmp_path / "r.pdf"
    with pytest.raises(ReportCancelled):
        build_report(make_analysis(), astronaut, out, OPTIONS, cancelled=cancelled)
    assert list(tmp_path.iterdir()) == []


def test_progress_reaches_one(astronaut, tmp_path):
    seen: list[tuple[float, str]] = []
    build_report(make_analysis(), astronaut, tmp_path / "r.pdf", OPTIONS,
                 progress=lambda f, m="": seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 3


def test_24_megapixel_photo_makes_a_small_pdf(tmp_path):
    rng = np.random.default_rng(4)
    h, w = 4000, 6000
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([xx / w * 180 + 40, yy / h * 150 + 50, (xx + yy) / (w + h) * 120 + 60], -1)
    photo = (base + rng.normal(0, 12, (h, w, 1)).astype(np.float32)).clip(0, 255)
    photo16 = (photo * 257).astype(np.uint16)
    analysis = make_analysis()
    # Regions in the big photo's pixels.
    analysis["regions"] = [
        {"id": "r1", "class": "hair", "shape": "rect",
         "params": {"x": 1000, "y": 500, "w": 2000, "h": 900}},
        {"id": "r2", "class": "skin", "shape": "brush",
         "params": {"radius": 60, "strokes": [[[3000, 2500], [4000, 2700], [5000, 2600]]]}},
    ]
    out = tmp_path / "big.pdf"
    build_report(analysis, photo16, out, OPTIONS)
    size = out.stat().st_size
    assert size < 3 * 1024 * 1024, size
    reader = PdfReader(out)
    images = [img for page in reader.pages for img in page.images]
    assert images, "the photo is in the PDF"
    biggest = max(images, key=lambda i: i.image.width * i.image.height).image
    assert max(biggest.size) <= 1600
    # The photo is embedded as the JPEG itself (DCTDecode), not re-encoded losslessly.
    xobjects = reader.pages[0]["/Resources"]["/XObject"]
    filters = {str(x.get_object().get("/Filter")) for x in xobjects.values()}
    assert any("DCTDecode" in f for f in filters), filters


def test_regions_are_outlined_in_class_colours():
    from PIL import Image

    from shadematch.reporting.colours import class_colour
    from shadematch.reporting.figure import annotate_photo, render_figure

    photo = np.full((400, 600, 3), 128, np.uint8)
    regions = [{"id": "a", "class": "hair", "shape": "rect",
                "params": {"x": 100, "y": 100, "w": 200, "h": 100}},
               {"id": "b", "class": "scar", "shape": "ellipse",
                "params": {"cx": 450, "cy": 300, "rx": 60, "ry": 40}}]
    img = annotate_photo(photo, regions, max_side=300).astype(int)
    assert img.shape == (200, 300, 3)
    # Half size: the rect's left edge is at x = 50, the ellipse spans x 195..255 at y = 150.
    assert (img[75, 48:53] == class_colour("hair")).all(axis=1).any()
    assert (img[150, 192:198] == class_colour("scar")).all(axis=1).any()
    assert (img[150, 252:258] == class_colour("scar")).all(axis=1).any()
    assert (img[75, 100] == 128).all() and (img[150, 225] == 128).all()  # insides untouched
    assert not (img == class_colour("hair")).all(axis=2)[120:].any()  # nothing stray
    jpeg, w, h = render_figure(photo, regions, max_side=300)
    decoded = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB")).astype(int)
    assert (w, h) == (300, 200) and decoded.shape == (200, 300, 3)
    assert np.abs(decoded[75, 48:53] - class_colour("hair")).sum(axis=1).min() < 60


def test_aftercare_can_be_switched_off(astronaut):
    rendered = render_report(make_analysis(), astronaut,
                             ReportOptions(client_name="A B", aftercare=False))
    text = _text(rendered.pdf)
    assert rendered.pages == 2
    assert "Caring for your scalp" not in text


def test_variants_without_picks_with_calibration_and_top(astronaut):
    analysis = make_analysis(notes="")
    analysis["picks"] = {"primary": None, "first_session": None}
    analysis["calibration"] = {
        "chart": "colorchecker24", "reference": "ColorChecker24 after November 2014",
        "model": "root-polynomial-2", "mean_delta_e": 1.234, "max_delta_e": 3.21,
        "leave_one_out_mean_delta_e": 1.9,
        "patches": [{"name": "white 9.5", "residual_delta_e": 9.0, "rejected": True,
                     "reason": "clipped"}]}
    rendered = render_report(analysis, astronaut, ReportOptions(top=2))
    text = _squash(_text(rendered.pdf))
    assert "No shade chosen yet" in text and "Best match: Carbon Black 4:1" in text
    assert "Calibrated with a ColorChecker 24 chart" in text
    assert "mean ΔE 1.23, max 3.21" in text and "white 9.5" in text
    assert "Espresso Brown" in text and "Graphite Grey" not in text  # top 2
    assert "(client not named)" in text
    assert "Notes" not in text.split("Measurement details")[0].split("Ranked")[1]


def test_not_an_analysis_is_refused(astronaut):
    with pytest.raises(ReportError, match="not a shadematch analysis"):
        render_report({"format": "something-else"}, astronaut)
    with pytest.raises(ReportError, match="H x W x 3"):
        render_report(make_analysis(), np.zeros((10, 10), np.uint8))


def test_unreadable_logo_is_a_clear_error(astronaut, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"not a picture")
    with pytest.raises(ReportError, match="clinic logo"):
        render_report(make_analysis(), astronaut, ReportOptions(clinic_logo=logo))


def test_logo_is_drawn(astronaut, tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGBA", (200, 100), (200, 20, 20, 255)).save(logo)
    rendered = render_report(make_analysis(), astronaut,
                             ReportOptions(clinic_name="Clinic", clinic_logo=logo))
    images = PdfReader(io.BytesIO(rendered.pdf)).pages[0].images
    assert len(images) == 2  # photo + logo


@pytest.mark.parametrize("water, pigment, expected", [
    (4, 1, "4 parts water : 1 part pigment"),
    (1, 1, "1 part water : 1 part pigment"),
    (0, 1, "undiluted pigment (no water)"),
    (2.5, 1, "2.5 parts water : 1 part pigment"),
    (None, None, "dilution not recorded"),
])
def test_recipe(water, pigment, expected):
    assert recipe(water, pigment) == expected


def test_bidi_base_direction_and_right_aligned_rtl_notes(astronaut):
    from shadematch.reporting import text as rtext

    assert rtext.is_rtl("محمد and Zoë") and not rtext.is_rtl("Zoë and محمد")
    assert not rtext.is_rtl("12 345")
    positions = {}
    for note in ("ملاحظة: لون أفتح قليلا", "Latin note here"):
        rendered = render_report(make_analysis(notes=note), astronaut,
                                 ReportOptions(aftercare=False))
        page = PdfReader(io.BytesIO(rendered.pdf)).pages[1]
        found = []

        def visit(txt, cm, tm, font, size, found=found, note=note):
            if txt.strip() and unicodedata.normalize("NFKC", txt).strip()[:3] in (
                    note[:3], note[::-1][:3], unicodedata.normalize("NFKC", note)[::-1][:3]):
                found.append(tm[4] * cm[0] + cm[4])

        page.extract_text(visitor_text=visit)
        assert found, note
        positions[note] = found[0]
    # The Arabic note starts well right of the margin (it is right-aligned); the Latin one at it.
    assert positions["Latin note here"] == pytest.approx(40, abs=1)
    assert positions["ملاحظة: لون أفتح قليلا"] > 300


def test_system_fallback_font_for_scripts_not_shipped(astronaut, monkeypatch):
    from shadematch.reporting import text as rtext

    georgian = "ნინო"  # not in the shipped subsets
    monkeypatch.setattr(rtext, "_fallbacks", None)
    monkeypatch.setattr(rtext, "SYSTEM_FALLBACKS", ())
    assert rtext.runs(georgian)[0].text == "????"
    full = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if not full.is_file():
        pytest.skip("fonts-dejavu-core is not installed")
    monkeypatch.setattr(rtext, "_fallbacks", None)
    monkeypatch.setattr(rtext, "SYSTEM_FALLBACKS", (str(full),))
    pieces = rtext.runs(georgian)
    assert "".join(p.text for p in pieces) == georgian
    assert pieces[0].font.startswith("SM-Fallback")
    rendered = render_report(make_analysis(), astronaut, ReportOptions(client_name=georgian))
    assert georgian in PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
    # A fallback with the same PostScript name as a shipped font is refused (glyph mix-ups).
    monkeypatch.setattr(rtext, "_fallbacks", None)
    monkeypatch.setattr(rtext, "SYSTEM_FALLBACKS", (str(full.with_name("DejaVuSans.ttf")),))
    assert rtext.system_fallbacks() == []


def test_long_names_do_not_run_into_the_next_column(astronaut):
    client = "Maximilian Alexander Friedrich Wilhelm von Hohenzollern-Sigmaringen der Dritte"
    rendered = render_report(make_analysis(), astronaut,
                             ReportOptions(client_name=client, practitioner="Dr. Practitioner"))
    page = PdfReader(io.BytesIO(rendered.pdf)).pages[0]
    from shadematch.reporting import text as rtext

    spans = []

    def visit(txt, cm, tm, font, size, spans=spans):
        if txt.strip():
            spans.append((txt, tm[4], tm[5], size))

    page.extract_text(visitor_text=visit)
    practitioner_x = next(x for t, x, y, s in spans if t.startswith("Dr. Practitioner"))
    name_parts = [(t, x, s) for t, x, y, s in spans if t.strip() and t.strip() in client
                  and x < practitioner_x and len(t.strip()) > 5]
    assert len(name_parts) >= 2  # wrapped onto two lines or more
    for t, x, size in name_parts:
        assert x + rtext.width(t, size, rtext.BOLD) < practitioner_x - 5, t


def test_the_pigment_column_does_not_repeat_the_dilution(astronaut):
    """The ranking's pigment column and the chosen-shade boxes name the pigment; the dilution
    is in its own column / line."""
    analysis = make_analysis()
    text = _squash(_text(render_report(analysis, astronaut, ReportOptions()).pdf))
    for entry in analysis["ranking"]:
        assert entry["name"] not in text, entry["name"]  # "Carbon Black 4:1"
        assert entry["pigment_name"] in text
    assert f"Dilution {analysis['ranking'][1]['dilution']}" in text  # chosen shade


def test_missing_or_nan_values_do_not_break_the_report(astronaut):
    analysis = make_analysis()
    analysis["samples"]["hair"]["lab"] = [float("nan"), 1.0, 2.0]
    analysis["samples"]["skin"]["lch"] = None
    analysis["ranking"][0]["delta_e"] = None
    analysis["ranking"][1]["lab"] = "garbage"
    del analysis["photo"]["width"]
    analysis["created"] = "not a date"
    rendered = render_report(analysis, astronaut, ReportOptions())
    labels = {s.label for s in rendered.swatches}
    assert "sample:hair" not in labels and "sample:skin" in labels
    text = _text(rendered.pdf)
    assert "no colour" in text and "Carbon Black" in text


def test_a_healed_record_prints_the_plan_the_states_and_the_honest_line():
    import json

    record = json.loads((Path(__file__).parent.parent / "data" / "records" /
                         "cli_scalp_with_scar.json").read_text("utf-8"))
    record["picks"]["primary"] = {"entry_id": record["ranking"][0]["id"]}
    rendered = render_report(record, None, ReportOptions(client_name="A. Client"))
    text = _squash(_text(rendered.pdf))
    for words in ("Client's hair", "Predicted healed", "Fresh (first days)", "On card (swatch)",
                  "Session plan", "Session 1", "Sessions 2–3", "Scar",
                  "a prediction, to be checked against your own healed results"):
        assert words in text, words
    assert "unacceptable" not in text
    hair = record["samples"]["hair"]["lab"]
    beside = [s for s in rendered.swatches if s.label.startswith("target:")]
    assert len(beside) >= 1 + len(record["ranking"])  # the chosen shade and every row
    assert all(np.allclose(s.Lab, hair, atol=1e-3) for s in beside)
    healed = {s.label: s.Lab for s in rendered.swatches if s.label.startswith("rank:")}
    for entry in record["ranking"]:
        assert np.allclose(healed[f"rank:{entry['id']}"], entry["healed_lab"])
