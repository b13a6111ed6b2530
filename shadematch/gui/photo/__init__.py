"""The photo canvas (zoom, pan, overlays) and decoding photos for display off the GUI thread."""
