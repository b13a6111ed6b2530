"""The photo's pixels as the file encodes them, for measuring colours the sRGB display loses.

A photo in a wide-gamut profile (Display P3, Adobe RGB, ProPhoto) holds colours outside sRGB. The
displayed ``Photo.rgb`` is sRGB, so those colours are clipped there; a region on them would read
the wrong colour and be refused as "clipped". For photos with a matrix/TRC profile that is not
sRGB, the loader keeps the source-encoded pixels (:class:`SourcePixels`, in ``Photo.source``);
measurement takes them through the profile's tone curves and matrix to *linear sRGB-primaries*
values that are not clipped (negative or above 1 outside the sRGB gamut), and calls a pixel
clipped only when a channel is at 0 or full scale in the *source* encoding (real sensor or
encoder clipping). The display path (lookup tables, LittleCMS) is unchanged.

Cost at load: nothing but memory. The decoded Pillow image is kept as it is (the display
conversion does not work in place on it) and copied out, oriented, on the first measurement; the
tone curves and matrix run only on the pixels of a measured region.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from shadematch.imaging import icc_profiles


@dataclass(eq=False)
class SourcePixels:
    """Source-encoded pixels and the matrix/TRC profile they are encoded in.

    Attributes
    ----------
    stored : ndarray (H, W, 3) uint8 (0..255) or uint16 (0..65535), or an 8-bit RGB Pillow
        image, in the file's stored orientation (before the EXIF orientation is applied).
    orientation : the EXIF orientation (1..8) that displays ``stored`` upright, as ``Photo.rgb``.
    icc : the embedded ICC profile (matrix/TRC RGB).
    description : the profile's description.
    """

    stored: object
    orientation: int
    icc: bytes
    description: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _oriented: np.ndarray | None = field(default=None, repr=False)
    _tables: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @classmethod
    def maybe(cls, stored, orientation: int, icc: bytes | None,
              description: str = "") -> SourcePixels | None:
        """A SourcePixels when ``icc`` is a matrix/TRC RGB profile that is not sRGB, else None."""
        if stored is None or not icc or icc_profiles.is_srgb_equivalent(icc):
            return None
        try:
            icc_profiles.parse_matrix_shaper(icc)
        except Exception:  # noqa: BLE001 - LUT or damaged profiles: measure the sRGB pixels
            return None
        if isinstance(stored, np.ndarray):
            if (stored.ndim != 3 or stored.shape[2] != 3
                    or stored.dtype not in (np.uint8, np.uint16)):
                return None
        elif getattr(stored, "mode", None) != "RGB":
            return None
        return cls(stored, int(orientation), bytes(icc), description)

    @property
    def max_value(self) -> int:
        pixels = self._oriented if self._oriented is not None else self.stored
        dtype = getattr(pixels, "dtype", None)
        return 65535 if dtype == np.uint16 else 255

    def oriented(self) -> np.ndarray:
        """The source pixels oriented as ``Photo.rgb`` (computed once, on first use)."""
        with self._lock:
            if self._oriented is None:
                from shadematch.imaging.pixels import _oriented_pixels

                oriented = _oriented_pixels(self.stored, self.orientation)
                if oriented is self.stored:
                    oriented = oriented.view()
                oriented.flags.writeable = False
                self._oriented = oriented
                self.stored = None   # the oriented copy replaces it (frees a Pillow image)
            return self._oriented

    def _curves_and_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._tables is None:
                profile = icc_profiles.parse_matrix_shaper(self.icc)
                levels = np.arange(self.max_value + 1, dtype=np.float64) / self.max_value
                curves = np.stack([curve(levels) for curve in profile.curves]).astype(np.float32)
                to_srgb = (np.linalg.inv(icc_profiles._srgb().matrix) @ profile.matrix)
                self._tables = (curves, to_srgb.astype(np.float32))
            return self._tables

    def linear(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Linear sRGB-primaries values and source clipping of the pixels under ``mask``.

        Parameters
        ----------
        mask : (H, W) bool, in the displayed orientation (as ``Photo.rgb``).

        Returns
        -------
        RGB_lin : ndarray (N, 3) float32, linear, sRGB primaries, D65 white = (1, 1, 1); NOT
            clipped: colours outside sRGB have components below 0 or above 1.
        clipped : ndarray (N,) bool, a channel at 0 or full scale in the source encoding.
        """
        codes = self.oriented()[np.asarray(mask, dtype=bool)]
        return self.linear_of_codes(codes)

    def linear_of_levels(self, levels: np.ndarray) -> np.ndarray:
        """Linear sRGB-primaries values (N, 3) float64 of fractional source levels (N, 3), 0..1 of
        full scale (e.g. a patch's trimmed mean code divided by the full-scale code); the tone
        curves are interpolated between code values. Not clipped (see :meth:`linear`)."""
        curves, to_srgb = self._curves_and_matrix()
        levels = np.clip(np.asarray(levels, dtype=np.float64), 0.0, 1.0) * self.max_value
        index = np.arange(curves.shape[1], dtype=np.float64)
        linear = np.stack([np.interp(levels[..., c], index, curves[c]) for c in range(3)],
                          axis=-1)
        return linear @ to_srgb.T.astype(np.float64)

    def codes_of_linear(self, linear: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`linear_of_codes`: source code values (N, 3), in the dtype of
        the source pixels, of linear sRGB-primaries values (N, 3). Colours outside the source
        profile's gamut are clipped to it; the tone curves are inverted by interpolation (they
        are monotonic for the matrix/TRC profiles kept here)."""
        curves, to_srgb = self._curves_and_matrix()
        source_linear = np.asarray(linear, dtype=np.float64) @ np.linalg.inv(
            to_srgb.astype(np.float64)).T
        top = self.max_value
        index = np.arange(curves.shape[1], dtype=np.float64)
        codes = np.stack([np.interp(np.clip(source_linear[:, c], 0.0, 1.0),
                                    np.maximum.accumulate(curves[c].astype(np.float64)), index)
                          for c in range(3)], axis=-1)
        return np.clip(np.rint(codes), 0, top).astype(np.uint16 if top > 255 else np.uint8)

    def linear_of_codes(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`linear` for source code values (N, 3) already taken out of the photo."""
        curves, to_srgb = self._curves_and_matrix()
        codes = np.asarray(codes)
        clipped = np.any((codes == 0) | (codes == self.max_value), axis=1)
        linear = np.stack([curves[c][codes[:, c]] for c in range(3)], axis=-1)
        return linear @ to_srgb.T, clipped
