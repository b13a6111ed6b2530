"""Report text: wrapping long words and names."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))
from report_fixtures import make_analysis  # noqa: E402


def test_a_very_long_name_is_cut_into_lines_that_fit_and_keep_every_character():
    """(issue 16: wrapping was cubic in a long token's length; now linear: no time asserted)"""
    from shadematch.reporting.text import width, wrap

    name = "Ünïcode-" + "X" * 2000 + " tail words"
    lines = wrap(name, 9, 200)
    assert all(width(line, 9) <= 200 for line in lines)
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")
    assert len(lines) > 20


def test_devanagari_names_print_in_the_shipped_noto_font_not_as_question_marks(monkeypatch):
    from shadematch.reporting import ReportOptions, render_report
    from shadematch.reporting import text as rtext

    # Only the shipped fonts: no system font may be what makes it print.
    monkeypatch.setattr(rtext, "_fallbacks", None)
    monkeypatch.setattr(rtext, "SYSTEM_FALLBACKS", ())
    name = "प्रिया शर्मा"
    for font, expected in ((rtext.REGULAR, rtext.DEVANAGARI), (rtext.BOLD, rtext.DEVANAGARI_BOLD)):
        pieces = rtext.runs(name, font)
        assert "?" not in "".join(p.text for p in pieces)
        assert {p.font for p in pieces} == {expected}
    assert rtext.unprintable(name) == []
    rendered = render_report(make_analysis(), None, ReportOptions(client_name=name))
    reader = PdfReader(io.BytesIO(rendered.pdf))
    fonts = {str(f.get_object()["/BaseFont"])
             for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("NotoSansDevanagari" in f for f in fonts)


def test_a_character_no_font_has_is_named_and_warned_about_once(monkeypatch, caplog):
    from shadematch.reporting import text as rtext

    monkeypatch.setattr(rtext, "_fallbacks", None)
    monkeypatch.setattr(rtext, "SYSTEM_FALLBACKS", ())
    monkeypatch.setattr(rtext, "_warned", set())
    georgian = "ნინო"  # in no shipped font
    assert rtext.unprintable("Nino " + georgian) == ["ნ", "ი", "ო"]
    with caplog.at_level(logging.WARNING, logger="shadematch.reporting.text"):
        for _ in range(5):
            rtext.width(georgian, 9)
            rtext.runs(georgian)
    warnings = [r for r in caplog.records if "drawn as '?'" in r.getMessage()]
    assert len(warnings) == 3  # one per distinct character, not one per measurement
