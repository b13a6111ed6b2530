"""Find a ColorChecker 24 in a photo automatically (a suggestion: the user checks the result).

No OpenCV: scikit-image only. The photo is reduced to about 800 px, flat areas (low colour
gradient) are labelled, and square-ish, evenly coloured blobs are patch candidates. Candidates
are grouped by size (patches of one chart are within a factor 2 of each other); each group, larger
blobs first, is tried in turn, so that a crowd of small look-alikes (follicle dots on a shaved
scalp, text, foliage) cannot hide the chart. In a group, a lattice is fitted to the centres (two
lattice vectors from nearest neighbours); its spacing must suit the blobs' size. Every 6 x 4
window of the lattice holding enough candidates is a possible chart (a ColorChecker Passport's
facing page adds more patches on the same lattice): a least-squares homography from the window to
pixels places all 24 patches, and each non-mirrored orientation of each window is scored by how
well a 3x3 colour fit explains the chart's reference colours. The best score wins if it is
clearly a ColorChecker. Patches that merge with the chart's frame or the background (black,
white) are simply missing from the blobs; the homography places them anyway. When nothing fits, a
CalibrationError says to click the corners instead.
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
              "bluish green, black and white patches instead (or retake the photo with the whole "
              "chart in view, evenly lit and facing the camera).")

#: A patch candidate's colour must be even: per-channel standard deviation (0..1 code values)
#: of its pixels at most this (noise and JPEG give about 0.02; a dot with soft edges more).
MAX_PATCH_STD = 0.05
#: Blob area over the square of the lattice spacing: patches fill about half their pitch
#: after the flat-area erosion; scattered look-alikes are much further apart than their size.
AREA_TO_PITCH2 = (0.15, 1.0)
#: At most this many size groups are tried (largest blobs first).
MAX_SIZE_GROUPS = 6
#: A window whose colour fit is this good is taken at once (mean residual, dE00).
GOOD_RESIDUAL = 3.0


class _Miss(Exception):
    """One candidate group is not the chart; the text says why (for the final message)."""


def _reduce(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    from skimage.transform import downscale_local_mean

    img = code_values_to_unit(np.asarray(rgb)[..., :3])
    factor = max(1, int(np.ceil(max(img.shape[:2]) / WORK_SIDE)))
    if factor > 1:
        img = downscale_local_mean(img, (factor, factor, 1))
    return img, float(factor)


def _patch_blobs(img: np.ndarray) -> np.ndarray:
    """Centres (x, y) and areas of flat, square-ish, evenly coloured blobs: (n, 3)."""
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
    for region in regionprops(labels, intensity_image=img):
        if not (area_total / 6000 <= region.area <= area_total / 40):
            continue
        if region.solidity < 0.85 or region.extent < 0.4:  # a square at 45 deg: 0.5
            continue
        if region.axis_minor_length < 0.45 * region.axis_major_length:
            continue
        inside = region.image_intensity[region.image]
        if float(inside.std(axis=0).max()) > MAX_PATCH_STD:
            continue
        cy, cx = region.centroid
        out.append((cx, cy, region.area))
    return np.array(out, dtype=np.float64).reshape(-1, 3)


def _size_groups(blobs: np.ndarray) -> list[np.ndarray]:
    """Groups of blobs whose areas lie within a factor 2 of each other, largest blobs first.

    Each group is the most populous factor-2 band of areas not yet mostly covered by a group
    already chosen; groups of fewer than MIN_CANDIDATES blobs are dropped.
    """
    if len(blobs) == 0:
        return []
    areas = blobs[:, 2]
    bands = [(areas >= a) & (areas <= 2.0 * a) for a in np.unique(areas)]
    bands = [b for b in bands if b.sum() >= MIN_CANDIDATES]
    chosen: list[np.ndarray] = []
    for band in sorted(bands, key=lambda b: -int(b.sum())):
        if any((band & c).sum() > 0.5 * band.sum() for c in chosen):
            continue
        chosen.append(band)
        if len(chosen) == MAX_SIZE_GROUPS:
            break
    chosen.sort(key=lambda b: -float(np.median(areas[b])))
    return [blobs[b] for b in chosen]


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
        raise _Miss("the patches found are not laid out like a chart's")
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


def _windows(extent: tuple[int, int], size: tuple[int, int]):
    """Offsets (i0, j0) of a ``size`` window over lattice cells 0..extent-1; a window may stick
    out where the chart's edge patches were not seen as blobs."""
    ranges = []
    for e, w in zip(extent, size, strict=True):
        lo, hi = min(0, e - w), max(0, e - w)
        ranges.append(range(lo, hi + 1))
    for i0 in ranges[0]:
        for j0 in ranges[1]:
            yield i0, j0


def _locate(blobs: np.ndarray, img: np.ndarray, factor: float, shape: tuple[int, ...], layout,
            ref, XYZ_ref: np.ndarray, chart: str) -> tuple[float, np.ndarray]:
    """The best (mean colour residual, corners) for one group of patch candidates.

    Raises
    ------
    _Miss
        The group does not hold a chart (the text says why).
    """
    points = blobs[:, :2]
    u, v = _lattice_vectors(points)
    basis = np.column_stack([u, v])
    if abs(np.linalg.det(basis)) < 1e-6:
        raise _Miss("the patches found are not laid out like a chart's")
    step2 = abs(np.linalg.det(basis))
    ratio = float(np.median(blobs[:, 2])) / step2
    if not AREA_TO_PITCH2[0] <= ratio <= AREA_TO_PITCH2[1]:
        raise _Miss("the shapes found are too small or too far apart to be chart patches")
    start = points[np.argmin(np.hypot(*(points - points.mean(axis=0)).T))]
    coords = np.linalg.solve(basis, (points - start).T).T
    rounded = np.round(coords)
    keep = np.all(np.abs(coords - rounded) < 0.3, axis=1)
    rounded, points = rounded[keep].astype(int), points[keep]
    _, first = np.unique(rounded, axis=0, return_index=True)
    rounded, points = rounded[first], points[first]
    if len(points) < MIN_CANDIDATES:
        raise _Miss("too few patches are lined up like a chart's")
    rounded -= rounded.min(axis=0)
    extent = tuple(int(e) + 1 for e in rounded.max(axis=0))
    best: tuple[float, np.ndarray] | None = None
    for cols_axis in (0, 1):
        size = (layout.cols, layout.rows) if cols_axis == 0 else (layout.rows, layout.cols)
        for i0, j0 in _windows(extent, size):
            local = rounded - np.array([i0, j0])
            inside = np.all((local >= 0) & (local < np.array(size)), axis=1)
            if inside.sum() < MIN_CANDIDATES:
                continue
            H = _fit_homography(local[inside].astype(float), points[inside])
            found = _best_orientation(H, cols_axis, img, factor, shape, layout, ref, XYZ_ref,
                                      chart)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
    if best is None:
        raise _Miss("no set of 24 patches fits inside the photo")
    return best


def _best_orientation(H: np.ndarray, cols_axis: int, img: np.ndarray, factor: float,
                      shape: tuple[int, ...], layout, ref, XYZ_ref: np.ndarray, chart: str
                      ) -> tuple[float, np.ndarray] | None:
    """Of the non-mirrored assignments of a window to the chart, the one whose 3x3 colour fit
    explains the reference colours best: (mean residual dE00, corners), or None."""
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
                validate_corners(corners, chart, shape)
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
    return best


def detect_chart(photo_rgb, chart: str = "colorchecker24", reference: str = "after-2014",
                 progress: Callable[..., object] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> list[tuple[float, float]]:
    """Suggest the four corner patch centres of a ColorChecker 24 in the photo.

    Works on a ColorChecker Classic and on the Classic page of a ColorChecker Passport (the
    facing page's patches are told apart by their colours), and on a chart lying on a shaved
    scalp (follicle dots are too small, uneven and scattered to pass for patches).

    Parameters
    ----------
    photo_rgb : (H, W, 3) sRGB-encoded photo (uint8, uint16 or float 0..1), or a Photo.
    chart, reference : the chart and its reference edition (used to tell the orientation).
    progress, cancelled : optional callables.

    Returns
    -------
    list of four (x, y): dark skin, bluish green, black, white patch centres in photo pixels,
    ready for :func:`shadematch.calibration.calibrate_from_chart`. Always show the patches found
    to the user: this is a suggestion.

    Raises
    ------
    CalibrationError
        No chart was found (the message says why and to click the corners instead).
    """
    arr = np.asarray(photo_rgb.rgb if hasattr(photo_rgb, "rgb") else photo_rgb)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise CalibrationError("The photo must be a colour image (height x width x 3).")
    layout = chart_layout(chart)
    ref = chart_reference(chart, reference)
    XYZ_ref = Lab_to_XYZ(ref.Lab)
    img, factor = _reduce(arr)
    if progress is not None:
        progress(0.2, "Looking for the chart")
    groups = _size_groups(_patch_blobs(img))
    if not groups:
        raise CalibrationError(_NOT_FOUND.format(
            why=" (no group of evenly coloured square patches of one size was seen)"))
    best: tuple[float, np.ndarray] | None = None
    reasons: list[str] = []
    for k, group in enumerate(groups):
        if cancelled is not None and cancelled():
            raise CalibrationError("Chart detection was cancelled.")
        try:
            found = _locate(group, img, factor, arr.shape, layout, ref, XYZ_ref, chart)
        except _Miss as miss:
            reasons.append(str(miss))
            continue
        except (np.linalg.LinAlgError, ValueError):
            reasons.append("the patches found are not laid out like a chart's")
            continue
        if best is None or found[0] < best[0]:
            best = found
        if progress is not None:
            progress(0.2 + 0.7 * (k + 1) / len(groups), "Looking for the chart")
        if best[0] <= GOOD_RESIDUAL:
            break
    if best is None:
        raise CalibrationError(_NOT_FOUND.format(why=f" ({reasons[0]})" if reasons else ""))
    if best[0] > MAX_MEAN_RESIDUAL:
        raise CalibrationError(_NOT_FOUND.format(
            why=" (patches were found, but their colours are not those of a ColorChecker "
                "Classic 24)"))
    if progress is not None:
        progress(1.0, "Chart found")
    return [(float(x), float(y)) for x, y in best[1]]
