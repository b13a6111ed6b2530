"""shadematch: measure hair and scalp colour in photos and rank SMP pigment shades by delta-E.

This module holds the version only; it imports nothing heavy and nothing Qt.
"""

__version__ = "0.1.0"
