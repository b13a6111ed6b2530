"""Small ICC profile tools: read and write matrix/TRC (matrix-shaper) RGB profiles.

Pillow's ImageCms (LittleCMS) converts 8-bit images; these helpers cover what it cannot:

- recognising a profile that is sRGB in all but name (so the loader can skip a no-op transform),
- converting 16-bit pixels with a matrix-shaper profile at full precision (numpy, float32),
- a LittleCMS 8-bit transform tabulated for all 2**24 colours, so that big photos are converted
  by one table look-up per pixel (about half LittleCMS's own cost, identical results),
- building a profile from primaries (HEIF files that describe colour with an ``nclx`` box instead
  of an embedded ICC profile; tests).

Only matrix-shaper RGB profiles (``rXYZ``/``gXYZ``/``bXYZ`` colorants and ``rTRC``/``gTRC``/``bTRC``
curves, no ``A2B0`` table) are parsed; anything else is left to LittleCMS.
The profile connection space is XYZ relative to D50 (ICC.1:2010, section 6.3); colorants are stored
chromatically adapted to D50, so relative colorimetric conversion between two such profiles is
``M_dst^-1 @ M_src`` applied to linear values.
"""

from __future__ import annotations

import hashlib
import io
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: The ICC profile connection space white (D50) as stored in ICC headers (ICC.1:2010, 7.2.16).
ICC_D50 = (0.9642, 1.0, 0.8249)

#: Bradford cone response matrix (Lam 1985), used for D65 -> D50 adaptation as ICC v4 requires.
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614],
                      [-0.7502, 1.7135, 0.0367],
                      [0.0389, -0.0685, 1.0296]])

#: ``para`` parameters of the sRGB transfer function (IEC 61966-2-1), ICC function type 3.
SRGB_TRC = (3, (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045))

#: ``para`` type 0 gamma of Adobe RGB (1998): 2 + 51/256 = 563/256.
ADOBE_RGB_TRC = (0, (563 / 256,))

#: CIE xy chromaticities (red, green, blue, white) of common RGB spaces.
PRIMARIES = {
    "sRGB": ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06), (0.3127, 0.3290)),
    "Display P3": ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060), (0.3127, 0.3290)),
    "Adobe RGB (1998)": ((0.64, 0.33), (0.21, 0.71), (0.15, 0.06), (0.3127, 0.3290)),
    "ITU-R BT.2020": ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046), (0.3127, 0.3290)),
    "ProPhoto RGB": ((0.7347, 0.2653), (0.1596, 0.8404), (0.0366, 0.0001), (0.3457, 0.3585)),
}


class ICCParseError(ValueError):
    """The bytes are not a matrix-shaper RGB ICC profile this module can read."""


@dataclass(frozen=True)
class MatrixShaper:
    """A parsed matrix/TRC RGB profile.

    Attributes
    ----------
    description : the profile description (``desc`` tag), "" when absent.
    matrix : ndarray (3, 3), columns are the D50-adapted XYZ colorants of R, G, B (Y of white = 1).
    curves : three callables mapping encoded values 0..1 to linear 0..1.
    """

    description: str
    matrix: np.ndarray
    curves: tuple

    def linearise(self, rgb01: np.ndarray, channel: int) -> np.ndarray:
        """Apply the tone curve of ``channel`` (0, 1, 2) to encoded values in 0..1."""
        return self.curves[channel](rgb01)


# --------------------------------------------------------------------------------------------
# Parsing


def _s15f16(data: bytes, offset: int, count: int) -> list[float]:
    return [v / 65536.0 for v in struct.unpack_from(f">{count}i", data, offset)]


def _parametric(function: int, params: Sequence[float]):
    """The ICC ``para`` curve (ICC.1:2010, table 68) as a vectorised function of x in 0..1."""
    g = params[0]
    if function == 0:
        return lambda x: np.power(np.clip(x, 0, 1), g)
    a, b = params[1], params[2]
    if function == 1:
        return lambda x: np.where(x >= -b / a, np.power(np.clip(a * x + b, 0, None), g), 0.0)
    if function == 2:
        c = params[3]
        return lambda x: np.where(x >= -b / a, np.power(np.clip(a * x + b, 0, None), g) + c, c)
    if function == 3:
        c, d = params[3], params[4]
        return lambda x: np.where(x >= d, np.power(np.clip(a * x + b, 0, None), g), c * x)
    if function == 4:
        c, d, e, f = params[3], params[4], params[5], params[6]
        return lambda x: np.where(x >= d, np.power(np.clip(a * x + b, 0, None), g) + e, c * x + f)
    raise ICCParseError(f"unknown parametric curve type {function}")


def _curve(data: bytes, offset: int):
    kind = data[offset:offset + 4]
    if kind == b"curv":
        (count,) = struct.unpack_from(">I", data, offset + 8)
        if count == 0:
            return lambda x: np.asarray(x, dtype=np.float64)
        if count == 1:
            (raw,) = struct.unpack_from(">H", data, offset + 12)
            return _parametric(0, (raw / 256.0,))
        table = np.frombuffer(data, dtype=">u2", count=count, offset=offset + 12) / 65535.0
        grid = np.linspace(0.0, 1.0, count)
        return lambda x: np.interp(x, grid, table)
    if kind == b"para":
        function, = struct.unpack_from(">H", data, offset + 8)
        n_params = {0: 1, 1: 3, 2: 4, 3: 5, 4: 7}.get(function)
        if n_params is None:
            raise ICCParseError(f"unknown parametric curve type {function}")
        return _parametric(function, _s15f16(data, offset + 12, n_params))
    raise ICCParseError(f"unsupported curve type {kind!r}")


def _text(data: bytes, offset: int, size: int) -> str:
    kind = data[offset:offset + 4]
    if kind == b"desc":  # ICC v2 textDescriptionType: ASCII part
        (length,) = struct.unpack_from(">I", data, offset + 8)
        return data[offset + 12:offset + 12 + length].split(b"\0")[0].decode("latin-1").strip()
    if kind == b"mluc":  # ICC v4 multiLocalizedUnicodeType: first record
        count, _record_size = struct.unpack_from(">II", data, offset + 8)
        if count == 0:
            return ""
        length, start = struct.unpack_from(">II", data, offset + 16 + 4)
        return data[offset + start:offset + start + length].decode("utf-16-be").strip("\0 ")
    if kind == b"text":
        return data[offset + 8:offset + size].split(b"\0")[0].decode("latin-1").strip()
    return ""


def _tags(data: bytes) -> dict[bytes, tuple[int, int]]:
    if len(data) < 132 or data[36:40] != b"acsp":
        raise ICCParseError("not an ICC profile (no 'acsp' signature)")
    (count,) = struct.unpack_from(">I", data, 128)
    if 132 + 12 * count > len(data):
        raise ICCParseError("ICC tag table runs past the end of the profile")
    tags = {}
    for i in range(count):
        sig, offset, size = struct.unpack_from(">4sII", data, 132 + 12 * i)
        if offset + size > len(data):
            raise ICCParseError(f"ICC tag {sig!r} runs past the end of the profile")
        tags[sig] = (offset, size)
    return tags


def profile_description(data: bytes) -> str:
    """The ``desc`` text of an ICC profile, "" when it has none (raises ICCParseError if not ICC)."""
    tags = _tags(data)
    if b"desc" not in tags:
        return ""
    return _text(data, *tags[b"desc"])


def parse_matrix_shaper(data: bytes) -> MatrixShaper:
    """Parse a matrix/TRC RGB ICC profile.

    Parameters
    ----------
    data : the ICC profile bytes.

    Returns
    -------
    MatrixShaper

    Raises
    ------
    ICCParseError
        Not an RGB profile, a profile with XYZ PCS missing, or a LUT-based (``A2B0``) profile.
    """
    tags = _tags(data)
    if data[16:20] != b"RGB ":
        raise ICCParseError(f"not an RGB profile (colour space {data[16:20]!r})")
    if data[20:24] != b"XYZ ":
        raise ICCParseError("profile connection space is not XYZ")
    if b"A2B0" in tags:
        raise ICCParseError("LUT-based profile (A2B0): leave it to LittleCMS")
    needed = [b"rXYZ", b"gXYZ", b"bXYZ", b"rTRC", b"gTRC", b"bTRC"]
    missing = [t.decode() for t in needed if t not in tags]
    if missing:
        raise ICCParseError(f"not a matrix/TRC profile (missing {', '.join(missing)})")
    columns = []
    for sig in needed[:3]:
        offset, _ = tags[sig]
        if data[offset:offset + 4] != b"XYZ ":
            raise ICCParseError(f"{sig.decode()} is not an XYZType")
        columns.append(_s15f16(data, offset + 8, 3))
    curves = tuple(_curve(data, tags[sig][0]) for sig in needed[3:])
    description = _text(data, *tags[b"desc"]) if b"desc" in tags else ""
    return MatrixShaper(description, np.array(columns).T, curves)


@lru_cache(maxsize=1)
def srgb_profile_bytes() -> bytes:
    """LittleCMS's built-in sRGB profile (the destination of every conversion) as ICC bytes."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@lru_cache(maxsize=1)
def _srgb() -> MatrixShaper:
    return parse_matrix_shaper(srgb_profile_bytes())


def _srgb_encode(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear,
                    1.055 * np.power(linear, 1 / 2.4) - 0.055)


def is_srgb_equivalent(data: bytes, *, colorant_tolerance: float = 0.003,
                       curve_tolerance: float = 0.002) -> bool:
    """True when ``data`` is a matrix/TRC profile whose colorants and curves match sRGB.

    Vendors' sRGB profiles differ from LittleCMS's in the 4th decimal; within the default
    tolerances the largest difference after conversion is below half an 8-bit code value, so the
    loader can skip the transform. LUT-based or unreadable profiles return False.
    """
    try:
        profile = parse_matrix_shaper(data)
    except (ICCParseError, struct.error, ValueError):
        return False
    reference = _srgb()
    if np.abs(profile.matrix - reference.matrix).max() > colorant_tolerance:
        return False
    x = np.linspace(0.0, 1.0, 256)
    expected = reference.curves[0](x)
    return all(np.abs(curve(x) - expected).max() <= curve_tolerance for curve in profile.curves)


def convert_uint16_to_srgb(rgb: np.ndarray, data: bytes) -> np.ndarray:
    """Convert 16-bit pixels in a matrix-shaper profile to 16-bit sRGB (relative colorimetric).

    Parameters
    ----------
    rgb : ndarray (H, W, 3) uint16, 0..65535, encoded in the profile ``data``.
    data : the source ICC profile bytes.

    Returns
    -------
    ndarray (H, W, 3) uint16 sRGB; out-of-gamut values are clipped per channel, as LittleCMS does
    for integer output.

    Raises
    ------
    ICCParseError
        The profile is not matrix/TRC (use LittleCMS on 8-bit pixels instead).
    """
    source = parse_matrix_shaper(data)
    to_srgb = (np.linalg.inv(_srgb().matrix) @ source.matrix).astype(np.float32)
    codes = np.arange(65536, dtype=np.float64) / 65535.0
    luts = [curve(codes).astype(np.float32) for curve in source.curves]
    # Linear values go through a 2**20-entry encoding table: fine enough that the steep start of
    # the sRGB curve (slope 12.92) stays below one 16-bit code per table step.
    steps = 1 << 20
    encode = np.round(_srgb_encode(np.linspace(0.0, 1.0, steps + 1)) * 65535).astype(np.uint16)
    out = np.empty(rgb.shape, dtype=np.uint16)
    rows_per_block = max(1, (1 << 21) // max(1, rgb.shape[1]))
    for start in range(0, rgb.shape[0], rows_per_block):
        block = rgb[start:start + rows_per_block]
        linear = np.stack([luts[c][block[..., c]] for c in range(3)], axis=-1)
        converted = linear @ to_srgb.T
        np.clip(converted, 0.0, 1.0, out=converted)
        index = np.rint(converted * steps).astype(np.int64)
        out[start:start + rows_per_block] = encode[index]
    return out


# --------------------------------------------------------------------------------------------
# 8-bit conversion table

_TABLE_LOCK = threading.Lock()
#: Tables kept, most recently used last (64 MB each): a phone's and a camera's profile.
_TABLE_CACHE_SIZE = 2
_TABLE_CACHE: dict[bytes, np.ndarray] = {}


def srgb_lookup_table(data: bytes, *, workers: int = 1) -> np.ndarray:
    """Every 8-bit RGB colour of the profile ``data`` converted to sRGB by LittleCMS.

    The same transform the loader applies (relative colorimetric to LittleCMS's sRGB, no
    transform cache), evaluated once for all 2**24 colours. The two most recently used tables are
    kept (64 MB each): photos from one phone or camera share their profile, and looking a
    pixel up costs about half of LittleCMS's per-pixel work.

    Parameters
    ----------
    data : ICC profile bytes of an RGB profile (any kind LittleCMS accepts, not only matrix/TRC).
    workers : threads for building the table (LittleCMS releases the GIL).

    Returns
    -------
    ndarray (2**24,) uint32, read-only
        Entry ``r | g << 8 | b << 16`` holds the sRGB colour as little-endian bytes
        ``(R, G, B, 255)``, i.e. the layout of Pillow's "RGBX" raw mode.

    Raises
    ------
    PIL.ImageCms.PyCMSError, OSError
        LittleCMS cannot read the profile or build the transform.
    """
    key = hashlib.sha256(data).digest()
    with _TABLE_LOCK:  # one build at a time: two at once would only waste 128 MB and CPU
        table = _TABLE_CACHE.pop(key, None)
        if table is None:
            while len(_TABLE_CACHE) >= _TABLE_CACHE_SIZE:
                del _TABLE_CACHE[next(iter(_TABLE_CACHE))]  # least recently used
            table = _build_lookup_table(data, workers)
        _TABLE_CACHE[key] = table
    return table


def clear_lookup_tables() -> None:
    """Release the cached :func:`srgb_lookup_table` tables (64 MB each)."""
    with _TABLE_LOCK:
        _TABLE_CACHE.clear()


def _build_lookup_table(data: bytes, workers: int) -> np.ndarray:
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image, ImageCms

    # RGBX in and out: Pillow stores RGB as 4 bytes per pixel anyway (LittleCMS TYPE_RGBA_8),
    # so the numpy arrays below can be mapped as images and converted without any copy.
    transform = ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(data)),
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")), "RGBX", "RGBX",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=ImageCms.Flags.NOCACHE)
    # All colours as a 4096 x 4096 image whose pixel i is the colour with index i, made strip
    # by strip (4 MB each, not 64 MB at once): RGBX little-endian words r | g << 8 | b << 16.
    table = np.empty(1 << 24, dtype=np.uint32)
    side, rows = 4096, 256

    def convert(y0: int) -> None:
        words = np.arange(y0 * side, (y0 + rows) * side, dtype=np.uint32)
        words |= np.uint32(0xFF000000)
        source = Image.frombuffer("RGBX", (side, rows), words, "raw", "RGBX", 0, 1)
        target = Image.frombuffer("RGBX", (side, rows), table[y0 * side:(y0 + rows) * side],
                                  "raw", "RGBX", 0, 1)
        transform.apply(source, target)  # writes into ``table``

    with ThreadPoolExecutor(max_workers=max(1, workers),
                            thread_name_prefix="shadematch-colour-table") as pool:
        for future in [pool.submit(convert, y0) for y0 in range(0, side, rows)]:
            future.result()
    table.flags.writeable = False
    return table


# --------------------------------------------------------------------------------------------
# Writing


def _xy_to_XYZ(xy: Sequence[float]) -> np.ndarray:
    x, y = xy
    return np.array([x / y, 1.0, (1 - x - y) / y])


def rgb_to_xyz_matrix(primaries_xy: Sequence[Sequence[float]],
                      white_xy: Sequence[float]) -> np.ndarray:
    """The RGB -> XYZ matrix (white Y = 1) of an RGB space given by its xy chromaticities."""
    P = np.column_stack([_xy_to_XYZ(xy) for xy in primaries_xy])
    scale = np.linalg.solve(P, _xy_to_XYZ(white_xy))
    return P * scale


def bradford_matrix(white_from: Sequence[float], white_to: Sequence[float]) -> np.ndarray:
    """The Bradford chromatic adaptation matrix between two XYZ whites (Y = 1)."""
    cone_from = _BRADFORD @ np.asarray(white_from, dtype=float)
    cone_to = _BRADFORD @ np.asarray(white_to, dtype=float)
    return np.linalg.inv(_BRADFORD) @ np.diag(cone_to / cone_from) @ _BRADFORD


def _fixed(values: Sequence[float]) -> bytes:
    return b"".join(struct.pack(">i", int(round(v * 65536))) for v in values)


def _pad(block: bytes) -> bytes:
    return block + b"\0" * (-len(block) % 4)


def _mluc(text: str) -> bytes:
    encoded = text.encode("utf-16-be")
    return b"mluc" + b"\0" * 4 + struct.pack(">II2s2sII", 1, 12, b"en", b"US", len(encoded), 28) \
        + encoded


def build_matrix_shaper(description: str, primaries_xy: Sequence[Sequence[float]],
                        white_xy: Sequence[float], trc: tuple[int, Sequence[float]],
                        *, copyright_text: str = "No copyright, use freely") -> bytes:
    """Write an ICC v4.3 display profile for an RGB space given by primaries, white and curve.

    Parameters
    ----------
    description : the ``desc`` text (e.g. "Display P3").
    primaries_xy : xy chromaticities of red, green and blue.
    white_xy : xy of the RGB space's white (the colorants are Bradford-adapted to D50 from it).
    trc : ``(function_type, params)`` of an ICC ``para`` curve, e.g. :data:`SRGB_TRC`.

    Returns
    -------
    bytes : a profile LittleCMS (and colour-managed viewers) accept.
    """
    white = _xy_to_XYZ(white_xy)
    M = bradford_matrix(white, ICC_D50) @ rgb_to_xyz_matrix(primaries_xy, white_xy)
    function, params = trc
    para = b"para" + b"\0" * 4 + struct.pack(">HH", function, 0) + _fixed(params)
    chad = bradford_matrix(white, ICC_D50)
    tags = [
        (b"desc", _mluc(description)),
        (b"cprt", _mluc(copyright_text)),
        (b"wtpt", b"XYZ " + b"\0" * 4 + _fixed(ICC_D50)),
        (b"chad", b"sf32" + b"\0" * 4 + _fixed(chad.ravel())),
        (b"rXYZ", b"XYZ " + b"\0" * 4 + _fixed(M[:, 0])),
        (b"gXYZ", b"XYZ " + b"\0" * 4 + _fixed(M[:, 1])),
        (b"bXYZ", b"XYZ " + b"\0" * 4 + _fixed(M[:, 2])),
        (b"rTRC", para),
        (b"gTRC", para),
        (b"bTRC", para),
    ]
    return _assemble(tags, b"mntr", b"RGB ")


def _assemble(tags: list[tuple[bytes, bytes]], device_class: bytes, colour_space: bytes) -> bytes:
    """An ICC v4.3 profile from its tags (identical data blocks are shared)."""
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    entries, blobs, placed = [], [], {}
    for sig, blob in tags:
        if blob in placed:
            entries.append(struct.pack(">4sII", sig, placed[blob], len(blob)))
            continue
        placed[blob] = offset
        entries.append(struct.pack(">4sII", sig, offset, len(blob)))
        blobs.append(_pad(blob))
        offset += len(blobs[-1])
    body = struct.pack(">I", len(tags)) + b"".join(entries) + b"".join(blobs)
    size = 128 + len(body)
    header = (struct.pack(">I4sI", size, b"\0\0\0\0", 0x04300000) + device_class + colour_space
              + b"XYZ " + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 4
              + struct.pack(">I", 0) + b"\0" * 4 + b"\0" * 4 + b"\0" * 8
              + struct.pack(">I", 0) + _fixed(ICC_D50) + b"\0" * 4 + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + body


def build_grey_profile(description: str, trc: tuple[int, Sequence[float]],
                       *, copyright_text: str = "No copyright, use freely") -> bytes:
    """Write an ICC v4.3 grey (``GRAY``, ``kTRC``) display profile with an ICC ``para`` curve.

    Parameters
    ----------
    description : the ``desc`` text (e.g. "Gray Gamma 2.2").
    trc : ``(function_type, params)`` of an ICC ``para`` curve, e.g. ``(0, (2.2,))``.

    Returns
    -------
    bytes : a grey profile LittleCMS accepts.
    """
    function, params = trc
    para = b"para" + b"\0" * 4 + struct.pack(">HH", function, 0) + _fixed(params)
    tags = [
        (b"desc", _mluc(description)),
        (b"cprt", _mluc(copyright_text)),
        (b"wtpt", b"XYZ " + b"\0" * 4 + _fixed(ICC_D50)),
        (b"kTRC", para),
    ]
    return _assemble(tags, b"mntr", b"GRAY")


def is_grey_profile(data: bytes | None) -> bool:
    """True when ``data`` is an ICC profile whose colour space is grey (``GRAY``)."""
    return bool(data) and len(data) >= 20 and data[16:20] == b"GRAY"


def parse_grey_trc(data: bytes):
    """The grey tone curve (``kTRC``) of a grey ICC profile: encoded 0..1 -> linear Y 0..1.

    Relative colorimetric, a grey profile's white maps to the sRGB white and every grey stays
    neutral, so the curve is all there is to the conversion.

    Raises
    ------
    ICCParseError
        Not a grey profile, or one without a ``kTRC`` curve (e.g. LUT-based).
    """
    tags = _tags(data)
    if data[16:20] != b"GRAY":
        raise ICCParseError(f"not a grey profile (colour space {data[16:20]!r})")
    if b"kTRC" not in tags:
        raise ICCParseError("grey profile without a kTRC curve")
    return _curve(data, tags[b"kTRC"][0])


def convert_grey16_to_srgb(grey: np.ndarray, data: bytes) -> np.ndarray:
    """16-bit grey pixels in a grey profile -> 16-bit sRGB-encoded grey (same shape).

    Parameters
    ----------
    grey : ndarray (H, W) uint16, 0..65535, encoded with the profile's ``kTRC``.
    data : the grey ICC profile bytes.

    Returns
    -------
    ndarray (H, W) uint16: sRGB-encoded grey of the same luminance (one table of 65536 values).

    Raises
    ------
    ICCParseError
        See :func:`parse_grey_trc`.
    """
    curve = parse_grey_trc(data)
    levels = np.linspace(0.0, 1.0, 65536)
    with np.errstate(invalid="ignore"):
        table = np.round(_srgb_encode(np.nan_to_num(curve(levels))) * 65535.0).astype(np.uint16)
    return table[np.asarray(grey, dtype=np.uint16)]


def named_profile(name: str) -> bytes:
    """A matrix-shaper profile for "sRGB", "Display P3" or "Adobe RGB (1998)"."""
    primaries = PRIMARIES[name]
    trc = ADOBE_RGB_TRC if name == "Adobe RGB (1998)" else SRGB_TRC
    return build_matrix_shaper(name, primaries[:3], primaries[3], trc)
