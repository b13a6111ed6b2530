"""sRGB <-> CIELAB conversions (D65 white, CIE 1931 2 degree observer).

Scales: sRGB integer code values (uint8 0..255, uint16 0..65535) or floats 0..1; XYZ relative to the
white's Y = 1; L* 0..100. The sRGB primaries and transfer function are those of IEC 61966-2-1.

The hot path (:func:`sRGB_to_Lab` on integer pixels) decodes through a lookup table of the exact
EOTF and works in float32: several times faster than a float64 power-law evaluation, and within
1e-3 of it in L*, a*, b*.
"""

from __future__ import annotations

import numpy as np

# CIE D65 tristimulus values, CIE 1931 2 degree observer (CIE 15, Y = 1). IEC 61966-2-1 rounds
# the same white to x=0.3127, y=0.3290; the tabulated XYZ is the usual CIELAB reference white (it is
# what scikit-image and most colour tools use), and the sRGB matrix below is scaled to it so that
# sRGB white is exactly L* = 100, a* = b* = 0.
D65_XYZ = np.array([0.95047, 1.0, 1.08883])


def _sRGB_matrix() -> np.ndarray:
    """The RGB -> XYZ matrix derived from the sRGB primaries and the D65 white point."""
    primaries = np.array([[0.64, 0.33], [0.30, 0.60], [0.15, 0.06]])
    xyz = np.column_stack([[x / y, 1.0, (1 - x - y) / y] for x, y in primaries])
    scale = np.linalg.solve(xyz, D65_XYZ)
    return xyz * scale


MATRIX_sRGB_TO_XYZ = _sRGB_matrix()
MATRIX_XYZ_TO_sRGB = np.linalg.inv(MATRIX_sRGB_TO_XYZ)
# RGB -> XYZ / white in one step, for the hot path.
_MATRIX_sRGB_TO_NORMALISED_XYZ = MATRIX_sRGB_TO_XYZ / D65_XYZ[:, None]

_EPSILON = (6.0 / 29.0) ** 3  # CIE 216/24389
_KAPPA_LINEAR = 1.0 / (3.0 * (6.0 / 29.0) ** 2)


def _eotf(v: np.ndarray) -> np.ndarray:
    """sRGB decoding (IEC 61966-2-1) of values 0..1."""
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


_LUT_CACHE: dict[type, np.ndarray] = {}


def _lut(dtype: type) -> np.ndarray:
    """Linear-light float32 value of every integer code of ``dtype`` (uint8 or uint16)."""
    lut = _LUT_CACHE.get(dtype)
    if lut is None:
        top = np.iinfo(dtype).max
        lut = _eotf(np.arange(top + 1, dtype=np.float64) / top).astype(np.float32)
        _LUT_CACHE[dtype] = lut
    return lut


def sRGB_to_linear(RGB: np.ndarray) -> np.ndarray:
    """Decode sRGB to linear light.

    Parameters
    ----------
    RGB : array_like, (..., 3) or any shape
        uint8 / uint16 code values, or floats with 0..1 scale.

    Returns
    -------
    ndarray
        Linear values 0..1: float32 for integer input, float64 for float input.
    """
    RGB = np.asarray(RGB)
    if RGB.dtype in (np.uint8, np.uint16):
        return np.take(_lut(RGB.dtype.type), RGB)
    if np.issubdtype(RGB.dtype, np.integer):
        raise TypeError("integer sRGB must be uint8 or uint16; convert other integers to float 0..1")
    v = RGB.astype(np.float64, copy=False)
    # Extend the curve as an odd function so out-of-range values stay finite and monotonic.
    return np.sign(v) * _eotf(np.abs(v))


def linear_to_sRGB(RGB_lin: np.ndarray) -> np.ndarray:
    """Encode linear light to sRGB floats (0..1 scale, not clipped)."""
    v = np.asarray(RGB_lin, dtype=np.float64)
    a = np.abs(v)
    encoded = np.where(a <= 0.0031308, a * 12.92, 1.055 * a ** (1 / 2.4) - 0.055)
    return np.sign(v) * encoded


def linear_sRGB_to_XYZ(RGB_lin: np.ndarray) -> np.ndarray:
    """Linear sRGB (..., 3) -> XYZ (white Y = 1); keeps float32 input in float32."""
    RGB_lin = np.asarray(RGB_lin)
    dtype = np.float32 if RGB_lin.dtype == np.float32 else np.float64
    return RGB_lin @ MATRIX_sRGB_TO_XYZ.T.astype(dtype)


def XYZ_to_linear_sRGB(XYZ: np.ndarray) -> np.ndarray:
    """XYZ (white Y = 1) -> linear sRGB (..., 3), unclipped."""
    return np.asarray(XYZ, dtype=np.float64) @ MATRIX_XYZ_TO_sRGB.T


def XYZ_to_Lab(XYZ: np.ndarray, white: np.ndarray = D65_XYZ) -> np.ndarray:
    """CIE XYZ -> CIELAB (L* 0..100) relative to ``white``; float32 stays float32."""
    XYZ = np.asarray(XYZ)
    dtype = np.float32 if XYZ.dtype == np.float32 else np.float64
    return _normalised_XYZ_to_Lab(XYZ / np.asarray(white, dtype=dtype))


def _normalised_XYZ_to_Lab(t: np.ndarray) -> np.ndarray:
    """CIELAB from XYZ already divided by the white (float32 or float64)."""
    dtype = t.dtype.type
    if dtype is np.float32:
        # float32 power is vectorised (SIMD) and ~3x faster than cbrt; clamp first so the
        # (unused) cube root of a negative value cannot produce a NaN warning.
        cube_root = np.power(np.maximum(t, dtype(_EPSILON)), dtype(1.0 / 3.0))
    else:
        cube_root = np.cbrt(t)
    f = np.where(t > _EPSILON, cube_root, t * dtype(_KAPPA_LINEAR) + dtype(4.0 / 29.0))
    Lab = np.empty(t.shape, dtype=dtype)
    np.multiply(f[..., 1], dtype(116.0), out=Lab[..., 0])
    Lab[..., 0] -= dtype(16.0)
    np.subtract(f[..., 0], f[..., 1], out=Lab[..., 1])
    Lab[..., 1] *= dtype(500.0)
    np.subtract(f[..., 1], f[..., 2], out=Lab[..., 2])
    Lab[..., 2] *= dtype(200.0)
    return Lab


def Lab_to_XYZ(Lab: np.ndarray, white: np.ndarray = D65_XYZ) -> np.ndarray:
    """CIELAB -> CIE XYZ relative to ``white`` (float64)."""
    Lab = np.asarray(Lab, dtype=np.float64)
    fy = (Lab[..., 0] + 16.0) / 116.0
    fx = fy + Lab[..., 1] / 500.0
    fz = fy - Lab[..., 2] / 200.0
    f = np.stack([fx, fy, fz], axis=-1)
    t = np.where(f > 6.0 / 29.0, f ** 3, (f - 4.0 / 29.0) / _KAPPA_LINEAR)
    return t * np.asarray(white, dtype=np.float64)


def sRGB_to_Lab(RGB: np.ndarray) -> np.ndarray:
    """sRGB -> CIELAB (D65, 2 degree observer).

    Parameters
    ----------
    RGB : array_like, shape (..., 3)
        uint8 (0..255), uint16 (0..65535), or floats on a 0..1 scale.

    Returns
    -------
    Lab : ndarray, shape (..., 3)
        L* 0..100. float32 for integer input (fast path), float64 for float input.
    """
    RGB = np.asarray(RGB)
    if RGB.shape[-1:] != (3,):
        raise ValueError(f"sRGB_to_Lab needs a last axis of 3 channels, got shape {RGB.shape}")
    linear = sRGB_to_linear(RGB)
    matrix = _MATRIX_sRGB_TO_NORMALISED_XYZ.astype(linear.dtype, copy=False)
    return _normalised_XYZ_to_Lab(linear @ matrix.T)


def Lab_to_sRGB(Lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CIELAB (D65) -> sRGB floats 0..1, clipped, and whether each colour was inside the gamut.

    Returns
    -------
    sRGB : ndarray (..., 3), float64 0..1, clipped to the gamut's box.
    in_gamut : ndarray (...), bool; False where clipping changed a channel by more than 1/510
        (half an 8-bit step).
    """
    encoded = linear_to_sRGB(XYZ_to_linear_sRGB(Lab_to_XYZ(Lab)))
    tolerance = 0.5 / 255.0
    in_gamut = np.all((encoded >= -tolerance) & (encoded <= 1.0 + tolerance), axis=-1)
    return np.clip(encoded, 0.0, 1.0), in_gamut


def Lab_to_hex(Lab) -> tuple[str, bool]:
    """One Lab colour -> ("#rrggbb", in_gamut)."""
    rgb, in_gamut = Lab_to_sRGB(np.asarray(Lab, dtype=np.float64).reshape(3))
    r, g, b = (int(round(float(c) * 255.0)) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}", bool(in_gamut)


def Lab_to_LCh(Lab: np.ndarray) -> np.ndarray:
    """CIELAB -> CIE LCh(ab): L*, chroma C*ab, hue angle h in degrees 0..360."""
    Lab = np.asarray(Lab, dtype=np.float64)
    C = np.hypot(Lab[..., 1], Lab[..., 2])
    h = np.degrees(np.arctan2(Lab[..., 2], Lab[..., 1])) % 360.0
    return np.stack([Lab[..., 0], C, h], axis=-1)
