"""Find a ColorChecker 24 in a photo automatically (a suggestion: the user checks the grid).

No OpenCV: scikit-image only. The photo is reduced to about 800 px, flat areas (low colour
gradient) are labelled, square-ish blobs of similar size are kept as patch candidates, a lattice
is fitted to their centres (two lattice vectors from nearest neighbours, then a least-squares
homography from lattice coordinates to pixels), and the chart's orientation is chosen by which of
the non-mirrored assignments lets a 3x3 colour fit explain the reference colours best. Patches that
merge with the chart's frame or the background (black, white) are simply missing from the blobs;
the lattice places them anyway. When no 6 x 4 lattice is found a CalibrationError says to click the
corners instead.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from shadematch.calibration._colour import (
    Lab_to_XYZ,
    XYZ_to_Lab,
    code_values_to_unit,
    delta_E_CIE2000,
    sRGB_to_linear,
)
from shadematch.calibration.charts import (
    apply_homography,
    chart_layout,
    chart_reference,
    validate_corners,
)
from shadematch.errors import CalibrationError

WORK_SIDE = 800           # pixels: the long side the photo is reduced to
MIN_CANDIDATES = 14       # patch blobs needed to trust a lattice
#: The best orientation must explain the chart clearly (mean residual of a 3x3 fit, dE00).
MAX_MEAN_RESIDUAL = 6.0

_NOT_FOUND = ("No ColorChecker was found automatically{why}: click the centres of the dark skin, "
              "bluish green, black and white patches instead.")


def _reduce(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    from skimage.transform import downscale_local_mean

    img = code_values_to_unit(np.asarray(rgb)[..., :3])
    factor = max(1, int(np.ceil(max(img.shape[:2]) / WORK_SIDE)))
    if factor > 1:
        img = downscale_local_mean(img, (factor, factor, 1))
    return img, float(factor)


def _patch_blobs(img: np.ndarray) -> np.ndarray:
    """Centres (x, y) and areas of flat, square-ish blobs: (n, 3)."""
    from scipy.ndimage import binary_erosion
    from skimage.filters import gaussian, sobel
    from skimage.measure import label, regionprops
    from skimage.morphology import disk

    smooth = gaussian(img, sigma=1.2, channel_axis=-1)
    grad = np.max(np.stack([sobel(smooth[..., c]) for c in range(3)], axis=-1), axis=-1)
    flat = grad < max(0.012, float(np.percentile(grad, 40)) * 1.5)
    flat = binary_erosion(flat, structure=disk(1))
    labels = label(flat, connectivity=1)
    area_total = img.shape[0] * img.shape[1]
    out = []
    for region in regionprops(labels):
        if not (area_total / 6000 <= region.area <= area_total / 40):
            continue
        if region.solidity < 0.85 or region.extent < 0.4:  # a square at 45 deg: 0.5
            continue
        if region.axis_minor_length < 0.45 * region.axis_major_length:
            continue
        cy, cx = region.centroid
        out.append((cx, cy, region.area))
    return np.array(out, dtype=np.float64).reshape(-1, 3)


def _similar_size(blobs: np.ndarray) -> np.ndarray:
    """The largest group of blobs whose areas lie within a factor 2 of each other."""
    if len(blobs) == 0:
        return blobs
    areas = blobs[:, 2]
    best = np.zeros(len(blobs), dtype=bool)
    for a in areas:
        group = (areas >= a) & (areas <= 2.0 * a)
        if group.sum() > best.sum():
            best = group
    return blobs[best]


def _lattice_vectors(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from scipy.spatial import cKDTree

    tree = cKDTree(points)
    _, idx = tree.query(points, k=min(5, len(points)))
    vectors = []
    for i, row in enumerate(idx):
        for j in row[1:]:
            vectors.append(points[j] - points[i])
    vectors = np.array(vectors)
    lengths = np.hypot(vectors[:, 0], vectors[:, 1])
    step = np.median(np.sort(lengths)[: max(4, len(lengths) // 2)])
    near = vectors[lengths < 1.5 * step]
    angles = np.degrees(np.arctan2(near[:, 1], near[:, 0])) % 180.0
    hist, edges = np.histogram(angles, bins=36, range=(0, 180))
    peak = int(np.argmax(hist))
    a1 = (edges[peak] + edges[peak + 1]) / 2

    def direction_vector(angle: float) -> np.ndarray:
        diff = (angles - angle + 90) % 180 - 90
        chosen = near[np.abs(diff) < 12]
        # Orient all the same way, then take the median.
        ref = np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
        chosen = np.where((chosen @ ref)[:, None] < 0, -chosen, chosen)
        return np.median(chosen, axis=0)

    u = direction_vector(a1)
    far = np.abs((angles - a1 + 90) % 180 - 90) > 45
    if not far.any():
        raise CalibrationError(_NOT_FOUND.format(why=" (the patches do not form a grid)"))
    hist2, _ = np.histogram(angles[far], bins=36, range=(0, 180))
    peak2 = int(np.argmax(hist2))
    v = direction_vector((edges[peak2] + edges[peak2 + 1]) / 2)
    return u, v


def _fit_homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares homography (normalised DLT) from src (n, 2) to dst (n, 2)."""
    def normaliser(p: np.ndarray) -> np.ndarray:
        mean = p.mean(axis=0)
        scale = np.sqrt(2) / max(np.mean(np.hypot(*(p - mean).T)), 1e-9)
        return np.array([[scale, 0, -scale * mean[0]], [0, scale, -scale * mean[1]], [0, 0, 1]])

    Ts, Td = normaliser(src), normaliser(dst)
    s = apply_homography(Ts, src)
    d = apply_homography(Td, dst)
    rows = []
    for (x, y), (u, v) in zip(s, d, strict=True):
        rows.append([-x, -y, -1, 0, 0, 0, u * x, u * y, u])
        rows.append([0, 0, 0, -x, -y, -1, v * x, v * y, v])
    _, _, vt = np.linalg.svd(np.asarray(rows))
    H = vt[-1].reshape(3, 3)
    H = np.linalg.inv(Td) @ H @ Ts
    return H / H[2, 2]


def _sample_linear(img: np.ndarray, centres: np.ndarray, radius: float) -> np.ndarray:
    r = max(1, int(radius))
    out = []
    for x, y in centres:
        xi, yi = int(round(x)), int(round(y))
        block = img[max(0, yi - r):yi + r + 1, max(0, xi - r):xi + r + 1].reshape(-1, 3)
        out.append(np.median(block, axis=0) if len(block) else np.full(3, np.nan))
    return sRGB_to_linear(np.clip(np.array(out), 0, 1))


def detect_chart(photo_rgb, chart: str = "colorchecker24", reference: str = "after-2014",
                 progress: Callable[..., object] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> list[tuple[float, float]]:
    """Suggest the four corner patch centres of a ColorChecker 24 in the photo.

    Parameters
    ----------
    photo_rgb : (H, W, 3) sRGB-encoded photo (uint8, uint16 or float 0..1), or a Photo.
    chart, reference : the chart and its reference edition (used to tell the orientation).
    progress, cancelled : optional callables.

    Returns
    -------
    list of four (x, y): dark skin, bluish green, black, white patch centres in photo pixels,
    ready for :func:`shadematch.calibration.calibrate_from_chart`. Always show the grid to the
    user: this is a suggestion.

    Raises
    ------
    CalibrationError
        No 6 x 4 grid of patches was found, or no orientation fits the chart's colours.
    """
    arr = np.asarray(photo_rgb.rgb if hasattr(photo_rgb, "rgb") else photo_rgb)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise CalibrationError("The photo must be a colour image (height x width x 3).")
    layout = chart_layout(chart)
    ref = chart_reference(chart, reference)
    img, factor = _reduce(arr)
    if progress is not None:
        progress(0.2, "Looking for the chart")
    blobs = _similar_size(_patch_blobs(img))
    if len(blobs) < MIN_CANDIDATES:
        raise CalibrationError(_NOT_FOUND.format(why=""))
    if cancelled is not None and cancelled():
        raise CalibrationError("Chart detection was cancelled.")
    points = blobs[:, :2]
    u, v = _lattice_vectors(points)
    basis = np.column_stack([u, v])
    if abs(np.linalg.det(basis)) < 1e-6:
        raise CalibrationError(_NOT_FOUND.format(why=" (the patches do not form a grid)"))
    start = points[np.argmin(np.hypot(*(points - points.mean(axis=0)).T))]
    coords = np.linalg.solve(basis, (points - start).T).T
    rounded = np.round(coords)
    keep = np.all(np.abs(coords - rounded) < 0.3, axis=1)
    rounded, points = rounded[keep].astype(int), points[keep]
    _, first = np.unique(rounded, axis=0, return_index=True)
    rounded, points = rounded[first], points[first]
    if len(points) < MIN_CANDIDATES:
        raise CalibrationError(_NOT_FOUND.format(why=" (too few patches lie on one grid)"))
    rounded -= rounded.min(axis=0)
    extent = tuple(int(v) + 1 for v in rounded.max(axis=0))
    if sorted(extent) != sorted((layout.cols, layout.rows)):
        raise CalibrationError(_NOT_FOUND.format(
            why=f" (found a {extent[0]} x {extent[1]} grid of patches, not 6 x 4)"))
    H = _fit_homography(rounded.astype(float), points)

    # Candidate assignments lattice (i, j) -> chart (column, row); keep the non-mirrored ones.
    cols_axis = 0 if extent[0] == layout.cols else 1
    XYZ_ref = Lab_to_XYZ(ref.Lab)
    best = None
    for flip_c in (False, True):
        for flip_r in (False, True):
            grid = layout.grid_coordinates()          # (column, row)
            c = layout.cols - 1 - grid[:, 0] if flip_c else grid[:, 0]
            r = layout.rows - 1 - grid[:, 1] if flip_r else grid[:, 1]
            lattice = np.stack([c, r], axis=-1) if cols_axis == 0 else np.stack([r, c], axis=-1)
            centres = apply_homography(H, lattice)
            corners = centres[[0, layout.cols - 1, layout.n_patches - 1,
                               layout.n_patches - layout.cols]] * factor + (factor - 1) / 2
            try:
                validate_corners(corners, chart, arr.shape)
            except CalibrationError:
                continue  # mirrored, or falls outside the photo
            pitch = np.hypot(*(centres[1] - centres[0]))
            RGB = _sample_linear(img, centres, 0.2 * pitch)
            if not np.all(np.isfinite(RGB)):
                continue
            M = np.linalg.lstsq(RGB, XYZ_ref, rcond=None)[0]
            residual = float(np.mean(delta_E_CIE2000(XYZ_to_Lab(RGB @ M), ref.Lab)))
            if best is None or residual < best[0]:
                best = (residual, corners)
    if best is None or best[0] > MAX_MEAN_RESIDUAL:
        raise CalibrationError(_NOT_FOUND.format(why=" (no orientation matches its colours)"))
    if progress is not None:
        progress(1.0, "Chart found")
    return [(float(x), float(y)) for x, y in best[1]]
