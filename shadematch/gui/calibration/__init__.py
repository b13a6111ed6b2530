"""Colour calibration with a chart or a grey card: the tool, its dock and the patch overlay."""
