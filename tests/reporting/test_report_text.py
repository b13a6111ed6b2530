"""Report text: wrapping long words and names."""

from __future__ import annotations


def test_a_very_long_name_is_cut_into_lines_that_fit_and_keep_every_character():
    """(issue 16: wrapping was cubic in a long token's length; now linear: no time asserted)"""
    from shadematch.reporting.text import width, wrap

    name = "Ünïcode-" + "X" * 2000 + " tail words"
    lines = wrap(name, 9, 200)
    assert all(width(line, 9) <= 200 for line in lines)
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")
    assert len(lines) > 20
