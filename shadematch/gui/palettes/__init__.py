"""Palettes in the GUI: print and read a swatch card, import a palette file."""
