"""Healed appearance of SMP pigment in skin: a layered spectral model, Qt-free."""
