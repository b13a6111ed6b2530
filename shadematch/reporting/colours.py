"""Colours in the report: measured CIELAB as sRGB swatches, region class colours, the sRGB intent.

Every colour in the PDF is written as DeviceRGB holding sRGB values, and the document carries an
sRGB output intent (the ICC profile embedded), so viewers and printers know what the numbers mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from shadematch.color.conversion import Lab_to_sRGB

# Outline colours of the region classes: the same as in the application.
from shadematch.imaging.regions import CLASS_COLOURS
from shadematch.vocabulary import region_label

_FALLBACK_COLOUR = (120, 200, 60)


def class_colour(name: str) -> tuple[int, int, int]:
    """sRGB 0..255 outline colour of a region class ("hair", "skin", "scar"; others green)."""
    return CLASS_COLOURS.get(str(name), _FALLBACK_COLOUR)


def class_label(name: str) -> str:
    """Human name of a region class (:func:`shadematch.vocabulary.region_label`)."""
    return region_label(name)


def lab_to_srgb(Lab: Sequence[float]) -> tuple[tuple[float, float, float], bool]:
    """One CIELAB colour (D65, 2 deg; L* 0..100) -> sRGB floats 0..1 (clipped) and in-gamut flag.

    Parameters
    ----------
    Lab : three numbers L*, a*, b*.

    Returns
    -------
    rgb : (r, g, b) sRGB-encoded, 0..1, clipped to the gamut's box.
    in_gamut : False when clipping moved a channel by more than half an 8-bit step.
    """
    rgb, in_gamut = Lab_to_sRGB(np.asarray(Lab, dtype=np.float64).reshape(3))
    r, g, b = (float(v) for v in np.asarray(rgb).reshape(3))
    return (r, g, b), bool(np.asarray(in_gamut).reshape(-1)[0])


def srgb_hex(rgb: Sequence[float]) -> str:
    """sRGB floats 0..1 -> "#rrggbb"."""
    return "#" + "".join(f"{int(round(min(max(v, 0.0), 1.0) * 255)):02x}" for v in rgb)


@lru_cache(maxsize=1)
def srgb_icc_profile() -> bytes:
    """Bytes of an sRGB ICC profile (made by LittleCMS through Pillow; no file shipped)."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def add_srgb_output_intent(canvas) -> None:
    """Declare sRGB as the document's output intent (PDF 1.4+ ``/OutputIntents`` with the profile).

    reportlab has no public call for this, so the catalog is given the entry directly: an
    ``/OutputIntent`` dictionary (``/S /GTS_PDFA1``) whose ``/DestOutputProfile`` is an ICC stream
    with ``/N 3``.
    """
    from reportlab.pdfbase import pdfdoc

    doc = canvas._doc
    stream = pdfdoc.PDFStream(
        dictionary=pdfdoc.PDFDictionary({"N": 3, "Alternate": pdfdoc.PDFName("DeviceRGB")}),
        content=srgb_icc_profile(),
        filters=[pdfdoc.PDFStreamFilterZCompress()],
    )
    profile_ref = doc.Reference(stream)
    intent = pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("OutputIntent"),
        "S": pdfdoc.PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": pdfdoc.PDFString("sRGB IEC61966-2.1"),
        "RegistryName": pdfdoc.PDFString("http://www.color.org"),
        "Info": pdfdoc.PDFString("sRGB IEC61966-2.1"),
        "DestOutputProfile": profile_ref,
    })
    catalog = doc.Catalog
    catalog.OutputIntents = pdfdoc.PDFArray([intent])
    keys = list(type(catalog).__NoDefault__)
    if "OutputIntents" not in keys:
        catalog.__NoDefault__ = keys + ["OutputIntents"]
