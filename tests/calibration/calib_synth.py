"""Render synthetic ColorChecker photos through a simple camera model, for the calibration tests.

The scene is the chart's reference colours (Lab D65 -> XYZ). The "camera" mixes XYZ into its own
RGB (a 3x3 that is not the sRGB one), applies a colour cast (per-channel gains), an exposure
factor, a tone curve that is not sRGB, noise, 8-bit quantisation, optional JPEG compression and a
rotation. It returns the photo and the pixel centres of the four corner patches.
"""

from __future__ import annotations

import io
import warnings

import numpy as np

with warnings.catch_warnings():
    # colour-science warns that matplotlib (plotting only) is missing.
    warnings.simplefilter("ignore")
    import colour

from shadematch.calibration.charts import chart_reference

D65 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]

CASTS = {
    "neutral": (1.0, 1.0, 1.0),
    "warm": (1.25, 0.95, 0.55),     # tungsten-like: strong red, weak blue
    "cool": (0.70, 0.95, 1.30),     # shade / blue-ish LED
    "greenish": (0.80, 1.20, 0.75),  # fluorescent
}

# Camera RGB from XYZ: the sRGB matrix followed by a cross-talk mix (cameras are less saturated
# than sRGB primaries), so that the identity is NOT the right correction.
_MIX = np.array([[0.80, 0.15, 0.05],
                 [0.10, 0.80, 0.10],
                 [0.05, 0.20, 0.75]])
M_XYZ_TO_CAMERA = _MIX @ colour.models.RGB_COLOURSPACE_sRGB.matrix_XYZ_to_RGB


def tone_gamma18(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0, 1) ** (1 / 1.8)


def tone_filmic(x: np.ndarray) -> np.ndarray:
    """A filmic S-curve on top of the sRGB encoding (lifted mid-tones, rolled-off highlights)."""
    s = colour.cctf_encoding(np.clip(x, 0, 1))
    return np.clip(s + 0.12 * np.sin(np.pi * s) * (1 - s) * 1.6 - 0.04 * np.sin(2 * np.pi * s), 0, 1)


def tone_srgb(x: np.ndarray) -> np.ndarray:
    return colour.cctf_encoding(np.clip(x, 0, 1))


TONES = {"gamma1.8": tone_gamma18, "filmic": tone_filmic, "srgb": tone_srgb}


def reference_XYZ(reference: str = "after-2014") -> np.ndarray:
    ref = chart_reference("colorchecker24", reference)
    return colour.Lab_to_XYZ(ref.Lab, D65)


def render_chart(cast: str = "neutral", exposure: float = 1.0, tone: str = "srgb",
                 noise: float = 0.0, jpeg_quality: int | None = None, rotation: float = 0.0,
                 pitch: int = 60, margin: int = 40, seed: int = 0,
                 reference: str = "after-2014", background_Lab=(55.0, 0.0, 0.0),
                 clip_white: bool = False) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Render a 4 x 6 ColorChecker and return (uint8 sRGB-encoded photo, corner centres).

    ``rotation`` is in degrees counter-clockwise (as skimage.transform.rotate).
    ``clip_white``: expose so that the white patch clips (for the rejection test).
    """
    from skimage.transform import rotate

    rng = np.random.default_rng(seed)
    XYZ = reference_XYZ(reference)
    patch = int(pitch * 0.8)
    height = 4 * pitch + 2 * margin
    width = 6 * pitch + 2 * margin
    scene = np.empty((height, width, 3))
    scene[:] = colour.Lab_to_XYZ(np.asarray(background_Lab, dtype=float), D65)
    frame_XYZ = colour.Lab_to_XYZ(np.array([15.0, 0.0, 0.0]), D65)  # chart's black frame
    scene[margin - pitch // 4: height - margin + pitch // 4,
          margin - pitch // 4: width - margin + pitch // 4] = frame_XYZ
    for i in range(24):
        r, c = divmod(i, 6)
        y0 = margin + r * pitch + (pitch - patch) // 2
        x0 = margin + c * pitch + (pitch - patch) // 2
        scene[y0:y0 + patch, x0:x0 + patch] = XYZ[i]
    camera = scene @ M_XYZ_TO_CAMERA.T * np.asarray(CASTS[cast]) * exposure
    if clip_white:
        camera = camera * 1.6
    encoded = TONES[tone](np.clip(camera, 0, 1))
    if noise:
        encoded = encoded + rng.normal(0, noise, encoded.shape)
    img = np.clip(np.round(encoded * 255), 0, 255).astype(np.uint8)
    if jpeg_quality is not None:
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(img).save(buffer, format="JPEG", quality=jpeg_quality)
        img = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))

    # Corner patch centres (x, y) in pixel coordinates, chart order.
    def centre(r: int, c: int) -> tuple[float, float]:
        return (margin + c * pitch + pitch / 2 - 0.5, margin + r * pitch + pitch / 2 - 0.5)

    corners = np.array([centre(0, 0), centre(0, 5), centre(3, 5), centre(3, 0)])
    if rotation % 360:
        rotated = rotate(img, rotation, resize=True, order=1, preserve_range=True, mode="edge")
        img = np.clip(np.round(rotated), 0, 255).astype(np.uint8)
        corners = rotate_points(corners, rotation, (height, width), img.shape[:2])
    return img, [tuple(map(float, p)) for p in corners]


def rotate_points(points: np.ndarray, angle: float, shape_in: tuple[int, int],
                  shape_out: tuple[int, int]) -> np.ndarray:
    """Where points go under skimage.transform.rotate(angle, resize=True) (counter-clockwise)."""
    theta = np.deg2rad(angle)
    cy_in, cx_in = (shape_in[0] - 1) / 2, (shape_in[1] - 1) / 2
    cy_out, cx_out = (shape_out[0] - 1) / 2, (shape_out[1] - 1) / 2
    x = points[:, 0] - cx_in
    y = points[:, 1] - cy_in
    # Counter-clockwise on screen (y down): x' = x cos + y sin, y' = -x sin + y cos.
    xr = x * np.cos(theta) + y * np.sin(theta)
    yr = -x * np.sin(theta) + y * np.cos(theta)
    return np.stack([xr + cx_out, yr + cy_out], axis=-1)


def measured_patch_Lab(calibration, img: np.ndarray, corners, index: int) -> np.ndarray:
    """Lab of one patch as a region measurement would see it: robust mean of a square in its middle,
    (20% trimmed mean) linearised with the sRGB EOTF and passed through the calibration. Independent of the fit's
    own sampler (an axis-aligned square of half the pitch around the centre, whatever the
    rotation: a region a practitioner would draw over the patch)."""
    from shadematch.calibration import patch_centres

    centres = patch_centres(corners)
    grid = centres.reshape(4, 6, 2)
    pitch = float(np.hypot(*(grid[0, 1] - grid[0, 0])))
    cx, cy = centres[index]
    half = max(1, int(pitch * 0.25))
    y, x = int(round(cy)), int(round(cx))
    block = img[y - half:y + half + 1, x - half:x + half + 1].reshape(-1, 3)
    lo, hi = np.quantile(block, [0.2, 0.8], axis=0)
    inside = (block >= lo) & (block <= hi)
    mean = np.where(inside, block, 0).sum(axis=0) / np.maximum(inside.sum(axis=0), 1)
    rgb_lin = colour.cctf_decoding(mean / 255.0)
    if calibration is None:
        XYZ = colour.RGB_to_XYZ(rgb_lin, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_decoding=False)
    else:
        XYZ = calibration.linear_RGB_to_XYZ(rgb_lin)
    return colour.XYZ_to_Lab(XYZ, D65)


def dE00(Lab_1, Lab_2) -> float:
    return float(colour.delta_E(Lab_1, Lab_2, method="CIE 2000"))


def render_spectral_chart(camera: str = "Sigma SDMerill (NPL)", illuminant: str = "D65",
                          pitch: int = 40, margin: int = 20) -> tuple[np.ndarray, list]:
    """A ColorChecker rendered from spectra: measured patch reflectances (colour-science's
    "ColorChecker N Ohta") under a CIE illuminant, seen through a measured camera's spectral
    sensitivities (colour-science's NPL sets), white patch at 0.85, 16-bit sRGB-encoded.

    Such a camera does not meet the Luther condition (its RGB is no linear mix of XYZ), so no
    model fits every patch: leave-one-out errors come out at 1.5-2.8 dE00, as on real photos.
    Returns (uint16 photo, corner centres).
    """
    shape = colour.SpectralShape(400, 700, 10)
    sds = colour.SDS_COLOURCHECKERS["ColorChecker N Ohta"]
    reflectance = np.array([sd.copy().align(shape).values for sd in sds.values()])
    sensitivities = colour.MSDS_CAMERA_SENSITIVITIES[camera].copy().align(shape).values
    light = colour.SDS_ILLUMINANTS[illuminant].copy().align(shape).values
    RGB = (reflectance * light) @ sensitivities
    RGB = RGB / RGB[18].max() * 0.85
    img = np.full((4 * pitch + 2 * margin, 6 * pitch + 2 * margin, 3), 0.2)
    gap = pitch // 10
    for i in range(24):
        r, c = divmod(i, 6)
        img[margin + r * pitch + gap:margin + (r + 1) * pitch - gap,
            margin + c * pitch + gap:margin + (c + 1) * pitch - gap] = RGB[i]
    encoded = np.round(colour.cctf_encoding(np.clip(img, 0, 1)) * 65535).astype(np.uint16)
    corners = [(margin + pitch / 2 - 0.5 + c * pitch, margin + pitch / 2 - 0.5 + r * pitch)
               for r, c in ((0, 0), (0, 5), (3, 5), (3, 0))]
    return encoded, corners
