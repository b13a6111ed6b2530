"""Write a consultation preview image: same size and colour profile as the photo, atomic.

The preview's pixels are the photo as decoded, EXIF orientation applied, so the file carries no
orientation tag. They are sRGB, with an sRGB ICC profile embedded, unless the photo was
wide-gamut (Display P3, Adobe RGB ...): then the preview was drawn in the photo's own encoding
and carries the photo's profile. 16-bit photos are written as 8-bit (a
preview is for looking at; measurements are made on the photo itself).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from shadematch.atomic_files import write_atomic
from shadematch.errors import ShadematchError
from shadematch.reporting.colours import srgb_icc_profile

FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF"}
JPEG_QUALITY = 95


def write_preview(path: str | Path, rgb: np.ndarray, photo=None, icc: bytes | None = None) -> Path:
    """Write ``rgb`` (H, W, 3 uint8/uint16) to ``path`` (.png, .jpg or .tif), with the ICC
    profile ``icc`` its pixels are encoded in (a Preview's ``icc``; sRGB when None).

    Raises
    ------
    ShadematchError
        An unknown extension, or the file cannot be written (the message names it).
    """
    from PIL import Image

    target = Path(path)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ShadematchError(f"{target.name}: the preview is an image; name it .png, .jpg or "
                              f".tif")
    pixels = np.asarray(rgb)
    if pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)
    image = Image.fromarray(np.ascontiguousarray(pixels), "RGB")
    options = {"icc_profile": icc or srgb_icc_profile()}
    if fmt == "JPEG":
        options.update(quality=JPEG_QUALITY, subsampling=0)   # 4:4:4: small dots keep colour
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    data = buffer.getvalue()
    try:
        return write_atomic(target, lambda handle: handle.write(data))
    except OSError as exc:
        raise ShadematchError(f"cannot write the preview {target}: {exc.strerror or exc}; choose "
                              f"another folder") from None
