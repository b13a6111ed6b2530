"""The follicle chroma of a JPEG with subsampled chroma (4:2:0, 4:2:2), recovered from blocks.

A 4:2:0 JPEG stores one Cb and one Cr for each 2 x 2 pixels (their mean) and the decoder
interpolates them back, so a follicle dot a few pixels across takes the skin's chroma around it:
its pixels keep their own luma (Y' is stored for every pixel) but get a chroma between the skin's
and the hair's (in synthetic 3 px dots: 11-14 dE00 off, warm, while lightness is right).

Both the encoder's 2 x 2 averaging and the decoder's interpolation preserve *block means* of the
chroma. Over a block of pixels, mean chroma = skin chroma + (mean hair fraction) x (hair chroma -
skin chroma), where each pixel's hair fraction is read from its own full-resolution luma. A
least-squares line through the (mean hair fraction, mean Cb / Cr) of 8 x 8 blocks (aligned to
the 2 x 2 chroma grid of the photo) gives the hair's chroma at hair fraction 1. The follicle core
pixels then keep their luma and take that chroma.

Works in the file's own code values (Y'CbCr is computed from them by the JFIF matrix), so it
applies to sRGB and wide-gamut JPEGs alike. Scales: code values 0..255 (8-bit JPEG).
"""

from __future__ import annotations

import numpy as np

BLOCK = 8                  # block side (pixels), a multiple of the 2-pixel chroma grid
MIN_BLOCKS = 24            # fewer usable blocks: no estimate
MIN_FRACTION_SPREAD = 0.015 # the blocks' mean hair fractions must vary at least this much (std)

# JFIF (ITU-R BT.601 full range) R'G'B' -> Y'CbCr, without the 128 offsets
_TO_YCC = np.array([[0.299, 0.587, 0.114],
                    [-0.168736, -0.331264, 0.5],
                    [0.5, -0.418688, -0.081312]])
_FROM_YCC = np.linalg.inv(_TO_YCC)


def to_YCbCr(codes: np.ndarray) -> np.ndarray:
    """JFIF Y'CbCr (..., 3) float64 of R'G'B' code values (..., 3) (no 128 offset on Cb, Cr)."""
    return np.asarray(codes, dtype=np.float64) @ _TO_YCC.T


def from_YCbCr(YCC: np.ndarray) -> np.ndarray:
    """R'G'B' code values (..., 3) float64 of JFIF Y'CbCr (inverse of :func:`to_YCbCr`)."""
    return np.asarray(YCC, dtype=np.float64) @ _FROM_YCC.T


def hair_chroma(codes: np.ndarray, valid: np.ndarray, hair_core: np.ndarray,
                scalp_core: np.ndarray, origin: tuple[int, int] = (0, 0)
                ) -> tuple[np.ndarray, np.ndarray] | None:
    """The (Cb, Cr) of the hair and of the scalp, from block means.

    Parameters
    ----------
    codes : (H, W, 3) code values of the region's box, as decoded from the JPEG.
    valid : (H, W) bool, usable pixels of the region.
    hair_core, scalp_core : (H, W) bool, the follicle and skin core pixels (their mean luma
        sets hair fraction 1 and 0).
    origin : (row, column) of the box in the photo: blocks start on even photo coordinates,
        where the 2 x 2 chroma cells start.

    Returns
    -------
    (hair (Cb, Cr), scalp (Cb, Cr)) float64, or None when too few blocks, or blocks with too
    little variation of the hair fraction, make the line unreliable.
    """
    YCC = to_YCbCr(codes)
    Y = YCC[..., 0]
    if not hair_core.any() or not scalp_core.any():
        return None
    Y_hair, Y_scalp = float(Y[hair_core].mean()), float(np.median(Y[scalp_core]))
    if Y_scalp - Y_hair == 0:
        return None
    fraction = (Y_scalp - Y) / (Y_scalp - Y_hair)
    r0, c0 = origin[0] % 2, origin[1] % 2
    H, W = Y.shape
    nb_r, nb_c = (H - r0) // BLOCK, (W - c0) // BLOCK
    if nb_r * nb_c < MIN_BLOCKS:
        return None

    def blocks(a):
        a = a[r0:r0 + nb_r * BLOCK, c0:c0 + nb_c * BLOCK]
        return a.reshape(nb_r, BLOCK, nb_c, BLOCK, *a.shape[2:]).swapaxes(1, 2).reshape(
            nb_r * nb_c, BLOCK * BLOCK, *a.shape[2:])

    full = blocks(valid).all(axis=1)
    if np.count_nonzero(full) < MIN_BLOCKS:
        return None
    x = blocks(fraction)[full].mean(axis=1)
    if float(np.std(x)) < MIN_FRACTION_SPREAD:
        return None
    chroma = blocks(YCC[..., 1:])[full].mean(axis=1)          # (n, 2)
    design = np.stack([np.ones_like(x), x], axis=1)
    (intercept, slope), *_ = np.linalg.lstsq(design, chroma, rcond=None)
    return intercept + slope, intercept


def with_hair_chroma(codes: np.ndarray, chroma: np.ndarray, top: int) -> np.ndarray:
    """Code values (N, 3) float64 of ``codes`` (N, 3) with their luma kept and their chroma set
    to ``chroma`` (Cb, Cr), clipped to 0..``top``."""
    YCC = to_YCbCr(codes)
    YCC[:, 1:] = chroma
    return np.clip(from_YCbCr(YCC), 0.0, float(top))
