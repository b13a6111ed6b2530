"""Exporting the PDF shade report (off the GUI thread)."""
