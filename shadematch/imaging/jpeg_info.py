"""What a JPEG file says about its own encoding: chroma subsampling and an estimated quality.

Both matter for measuring stubble: 4:2:0 subsampling stores colour at half the resolution, so the
skin's colour bleeds into follicle dots a few pixels across; strong compression smears fine detail.
"""

from __future__ import annotations

# IJG (libjpeg) standard luminance quantisation table (ITU-T T.81 Annex K), natural order; Pillow,
# libjpeg, most cameras and phones scale it by quality.
_IJG_LUMINANCE = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)


def chroma_subsampling(img) -> str | None:
    """The chroma subsampling of an opened Pillow JPEG: "4:4:4", "4:2:2", "4:2:0", "4:1:1",
    "4:4:0", or None (grey JPEG, not a JPEG, or an unusual layout)."""
    layers = getattr(img, "layer", None)
    if not layers or len(layers) < 3:
        return None
    try:
        (_, h_luma, v_luma, _), (_, h_c, v_c, _) = layers[0], layers[1]
        h, v = h_luma // max(h_c, 1), v_luma // max(v_c, 1)
    except (TypeError, ValueError):
        return None
    return {(1, 1): "4:4:4", (2, 1): "4:2:2", (2, 2): "4:2:0", (4, 1): "4:1:1",
            (1, 2): "4:4:0"}.get((h, v))


def estimated_quality(img) -> int | None:
    """The IJG quality (1..100) whose luminance table is closest in scale to the file's, or None.

    An estimate: encoders with their own tables (some cameras) get the quality of the IJG table of
    the same overall coarseness.
    """
    tables = getattr(img, "quantization", None)
    if not tables:
        return None
    table = tables.get(0) if isinstance(tables, dict) else None
    if table is None or len(table) != 64:
        return None
    scale = 100.0 * sum(table) / sum(_IJG_LUMINANCE)   # the IJG scale factor
    if scale <= 1.0:
        return 100
    quality = (200.0 - scale) / 2.0 if scale <= 100.0 else 5000.0 / scale
    return int(min(100, max(1, round(quality))))


def jpeg_encoding(img) -> dict:
    """{"chroma_subsampling": ..., "jpeg_quality": ...} of an opened Pillow JPEG (values may be
    None)."""
    return {"chroma_subsampling": chroma_subsampling(img), "jpeg_quality": estimated_quality(img)}
