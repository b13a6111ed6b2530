"""Hair and scalp in one region: which pixels are hair, the follicle dots, and their cores.

A region over stubble or thinning hair shows two colours, hair and scalp, and many pixels in
between (the soft edges of small dots, strands thinner than a pixel). The pipeline here:

1. Two clusters in CIELAB (k-means, k = 2) on a subsample.
2. Which cluster is scalp is decided from colour, not lightness: the one that looks like the skin
   sample when one is given, otherwise the one whose colour is skin-like (hue and chroma of skin).
   Grey, white and blond hair lighter than the scalp are therefore hair.
3. Two colours only when the pixels really form two populations: the hair fraction ``alpha`` of
   each pixel (its position between the scalp and the hair colour, in linear light, where a
   camera mixes them) must show a valley between the two. Long hair with highlights is one
   continuous population and is not split into shadow and highlight.
4. Spatially (full measurement): pixels with ``alpha > 0.5`` form the hair mask; its connected
   parts are the follicle dots. The follicle colour comes from the dot *cores* (pixels whose four
   neighbours are hair too, plus the centre of each dot too small to have such pixels), not from
   the mixed edge pixels. Skin between dots comes from pixels at least two pixels away from any
   dot. Coverage is the mean ``alpha`` (area-weighted, so soft edges count for what they cover).

Scales: Lab with L* 0..100 (D65, 2 degree); XYZ with the white's Y = 1; alpha 0 (scalp) .. 1 (hair).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shadematch.color.conversion import Lab_to_LCh, Lab_to_XYZ
from shadematch.color.delta_e import delta_E_CIE2000

SEPARATION_MIN_DE = 10.0      # cluster centres closer than this (CIE76) are one colour
# valley density / the smaller peak's density: below the first, two colours; below the second,
# two colours when one of them also forms separate small blobs (dots, or skin between dots)
VALLEY_RATIO = 0.5
VALLEY_RATIO_BLOBS = 0.85
STRUCTURE_WINDOW = 256        # side (pixels) of the window the blob test looks at
BLOB_SHARE = 0.3              # share of a colour's area in small separate parts: blobs
SCALP_MATCH_DE00 = 20.0       # a cluster farther than this from the skin sample is not scalp
SCALP_MATCH_MARGIN_DE00 = 3.0  # ... and it must be this much closer to the skin than the other one
# Skin-like colour when no skin sample is marked (all skin tones, ITA from very light to dark,
# have a hue between red and yellow and some chroma; grey and white hair have next to none).
SKIN_HUE_RANGE = (15.0, 90.0)
SKIN_MIN_CHROMA = 6.0
# L* from 22: the darkest ISSA class (ITA < -30) has its 5th percentile at L* 29.3, and shade on a
# curved scalp takes a few units off; very dark brown or black hair (L* 10-20) is not skin.
SKIN_L_RANGE = (22.0, 95.0)
SKIN_HUE_CENTRE = 55.0        # typical skin hue angle; blond hair is yellower (75-90 degrees)
SKIN_HUE_MARGIN = 15.0        # two skin-like colours this far apart in hue: the redder is skin
MIN_REFINED_SEPARATION = 0.7  # refine_ends stops before the ends come closer than this share


def two_means(Lab: np.ndarray, iterations: int = 20) -> np.ndarray:
    """Two cluster centres (2, 3) of ``Lab`` (k-means, k = 2), darker first.

    Starts from the means of the darkest and lightest quarter, where hair and scalp separate first.
    With two centres the nearest one is a side of the plane half-way between them: one
    matrix-vector product per iteration.
    """
    fit = np.asarray(Lab, dtype=np.float32)
    q = np.percentile(fit[:, 0], [25, 75])
    centres = np.array([fit[fit[:, 0] <= q[0]].mean(axis=0),
                        fit[fit[:, 0] >= q[1]].mean(axis=0)], dtype=np.float64)
    for _ in range(iterations):
        axis = centres[1] - centres[0]
        second = fit @ axis.astype(np.float32) > float(axis @ (centres[0] + centres[1]) / 2)
        if second.all() or not second.any():
            break
        new = np.array([fit[~second].mean(axis=0), fit[second].mean(axis=0)], dtype=np.float64)
        if np.allclose(new, centres, atol=1e-3):
            break
        centres = new
    return centres[np.argsort(centres[:, 0])]


def skin_like(Lab: np.ndarray) -> bool:
    """Whether a colour could be skin: hue 15..90 degrees, chroma >= 6, L* 22..95."""
    L, C, h = Lab_to_LCh(np.asarray(Lab, dtype=np.float64))
    return bool(SKIN_HUE_RANGE[0] <= h <= SKIN_HUE_RANGE[1] and C >= SKIN_MIN_CHROMA
                and SKIN_L_RANGE[0] <= L <= SKIN_L_RANGE[1])


@dataclass
class ScalpChoice:
    """Which of two cluster centres is scalp (``index``; None: neither is) and how sure."""

    index: int | None
    ambiguous: bool = False
    reason: str = ""


def choose_scalp(centres: np.ndarray, skin_Lab: np.ndarray | None = None) -> ScalpChoice:
    """Which cluster centre is the scalp showing through.

    With a skin sample: the centre closer to it (CIEDE2000), when within ``SCALP_MATCH_DE00`` of
    it and clearly closer than the other. Without: the skin-like centre; when both are skin-like
    (e.g. blond hair on light skin) the lighter, flagged ambiguous; when neither, None.
    """
    if skin_Lab is not None:
        d = np.asarray(delta_E_CIE2000(centres, np.asarray(skin_Lab, dtype=np.float64)))
        near = int(np.argmin(d))
        if d[near] <= SCALP_MATCH_DE00 and d[1 - near] - d[near] >= SCALP_MATCH_MARGIN_DE00:
            return ScalpChoice(near, reason="matches the skin sample")
        if d[near] > SCALP_MATCH_DE00:
            return ScalpChoice(None, reason="neither colour matches the skin sample")
        # both about as close to the skin: decide as if no skin were marked
    like = [skin_like(c) for c in centres]
    if like[0] != like[1]:
        return ScalpChoice(int(like[1]), reason="skin-like colour")
    if like[0] and like[1]:
        hue = Lab_to_LCh(np.asarray(centres, dtype=np.float64))[:, 2]
        off = np.abs(hue - SKIN_HUE_CENTRE)
        if abs(off[0] - off[1]) >= SKIN_HUE_MARGIN:
            return ScalpChoice(int(np.argmin(off)), reason="skin hue")
        return ScalpChoice(1, ambiguous=True, reason="both colours are skin-like: lighter taken")
    return ScalpChoice(None, reason="neither colour is skin-like")


def hair_fraction(XYZ: np.ndarray, scalp_XYZ: np.ndarray, hair_XYZ: np.ndarray) -> np.ndarray:
    """Per pixel, the fraction of hair in a linear mix of scalp and hair (0 scalp, 1 hair).

    ``XYZ`` (..., 3) with white Y = 1; returns float32 (...,), not clipped.
    """
    s = np.asarray(scalp_XYZ, dtype=np.float32)
    axis = np.asarray(hair_XYZ, dtype=np.float32) - s
    norm = float(axis @ axis)
    if norm <= 0:
        return np.zeros(XYZ.shape[:-1], dtype=np.float32)
    return ((XYZ - s) @ (axis / np.float32(norm))).astype(np.float32, copy=False)


def refine_ends(XYZ: np.ndarray, scalp_XYZ: np.ndarray, hair_XYZ: np.ndarray,
                iterations: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Move the two colours (XYZ) to the modes of the pure pixels on either side.

    k-means centres are pulled toward each other by the mixed pixels of soft dot edges (at 70%
    coverage of fine dots the scalp centre sits 10 L* too dark, at 15% the hair centre 8 L* too
    light). The pure pixels of each colour form a peak in the hair fraction; each end becomes the
    mean of the pixels within 0.08 of its side's peak. When a step would bring the two ends
    closer than ``MIN_REFINED_SEPARATION`` of their first distance (one side has no pure pixels:
    blurred dots a few pixels across), the refinement stops there.
    """
    ends = [np.asarray(scalp_XYZ, np.float32), np.asarray(hair_XYZ, np.float32)]
    start = float(np.linalg.norm(ends[1] - ends[0]))
    for _ in range(iterations):
        alpha = hair_fraction(XYZ, ends[0], ends[1])
        new = []
        for side in (alpha <= 0.5, alpha > 0.5):
            values = alpha[side]
            if len(values) < 10:
                return ends[0], ends[1]
            hist, edges = np.histogram(values, bins=60)
            i = int(np.argmax(hist))
            peak = (edges[i] + edges[i + 1]) / 2
            near = side & (np.abs(alpha - peak) < 0.08)
            if near.sum() < 10:
                return ends[0], ends[1]
            new.append(XYZ[near].mean(axis=0))
        if float(np.linalg.norm(new[1] - new[0])) < MIN_REFINED_SEPARATION * start:
            # No pure pixels on one side (blurred fine dots: the mixed pixels pile up next to
            # the scalp and their mode drags that end onto it): keep the k-means colours.
            break
        ends = new
    return ends[0], ends[1]


def valley_ratio(alpha: np.ndarray) -> float:
    """How deep the valley between scalp and hair is: the mean density of hair fractions between
    0.35 and 0.65 over the smaller of the two peaks near 0 and near 1 (0.1-wide bins).

    Stubble gives a low ratio (0.05 for large sharp dots, about 0.7 for dots 3 pixels across in a
    JPEG, whose soft edges fill the middle); one continuous population, such as long hair with
    highlights, gives 1 or more.
    """
    a = np.asarray(alpha, dtype=np.float64)
    hist, edges = np.histogram(a, bins=20, range=(-0.5, 1.5))
    centres = (edges[:-1] + edges[1:]) / 2
    scalp_peak = hist[(centres > -0.25) & (centres < 0.25)].max()
    hair_peak = hist[(centres > 0.75) & (centres < 1.25)].max()
    valley = hist[(centres > 0.35) & (centres < 0.65)].mean()
    peak = min(scalp_peak, hair_peak)
    return float(valley / peak) if peak > 0 else float("inf")


def scalp_peak(alpha: np.ndarray) -> bool:
    """Whether the scalp forms a population of its own (a peak of hair fractions near 0 at least
    twice the density between 0.35 and 0.65): skin showing between dots that are too small or
    soft to show theirs."""
    hist, edges = np.histogram(np.asarray(alpha, dtype=np.float64), bins=20, range=(-0.5, 1.5))
    centres = (edges[:-1] + edges[1:]) / 2
    peak = hist[(centres > -0.25) & (centres < 0.25)].max()
    return bool(peak >= 2 * hist[(centres > 0.35) & (centres < 0.65)].mean() and peak > 0)


def two_populations(alpha: np.ndarray) -> bool:
    """Whether the hair fractions of a subsample clearly form two populations (see
    :func:`valley_ratio`); :func:`blobs` decides the less clear cases."""
    return valley_ratio(alpha) < VALLEY_RATIO


def _blobby(phase: np.ndarray, valid: np.ndarray, coverage: float, n_valid: int) -> bool:
    """Whether most of ``phase`` lies in separate small blobs: parts no larger than four discs
    of the diameter the Boolean model gives (one dot, or a few merged), at least three of them."""
    from scipy import ndimage

    labels, n = ndimage.label(phase)
    if n < 3:
        return False
    _, diameter = _boolean_model(phase, valid, coverage, n_valid)
    areas = np.bincount(labels.ravel())[1:]
    small = areas <= max(4 * np.pi / 4 * diameter ** 2, 4.0)
    return bool(small.sum() >= 3 and areas[small].sum() >= BLOB_SHARE * areas.sum())


def blobs(alpha: np.ndarray, valid: np.ndarray) -> bool:
    """Whether hair or scalp forms separate small blobs in the image of hair fractions: follicle
    dots on skin, or skin showing between dense dots. Long hair with highlights forms streaks
    and large areas instead."""
    a = np.where(valid, alpha, np.float32(0.0))
    hair = valid & (a > 0.5)
    n_valid = int(np.count_nonzero(valid))
    if n_valid < 100:
        return False
    coverage = float(np.clip(a.sum(dtype=np.float64) / n_valid, 0.0, 1.0))
    return (_blobby(hair, valid, coverage, n_valid)
            or _blobby(valid & ~hair, valid, 1.0 - coverage, n_valid))


@dataclass
class DotMap:
    """Spatial analysis of one region's hair fraction image.

    Attributes
    ----------
    hair_core, scalp_core : bool masks (crop shape) of the pixels to measure hair and skin on.
    coverage : mean hair fraction over the region (0..1).
    count : number of follicle dots (a dot merged with neighbours counts by its area).
    mean_diameter_px : mean dot diameter, pixels.
    dot_like : whether the hair parts look like dots (stubble) rather than strands.
    edge_width_px : how soft the dot edges are: pixels of hair fraction 0.2..0.8 per pixel of
        outline. About 0.5 for sharp edges (one anti-aliased pixel), 1.68 sigma' for a Gaussian
        lens blur (sigma'^2 = sigma^2 + 1/12): 0.9 at sigma 0.5 px, 1.3 at 0.7, 1.7 at 1.0.
    """

    hair_core: np.ndarray
    scalp_core: np.ndarray
    coverage: float
    count: int
    mean_diameter_px: float
    dot_like: bool
    edge_width_px: float = 0.0


def _erode(mask: np.ndarray) -> np.ndarray:
    """Binary erosion by the 4-neighbour cross; pixels on the box edge are eroded."""
    out = mask.copy()
    out[1:] &= mask[:-1]
    out[:-1] &= mask[1:]
    out[:, 1:] &= mask[:, :-1]
    out[:, :-1] &= mask[:, 1:]
    out[0] = out[-1] = False
    out[:, 0] = out[:, -1] = False
    return out


def _box3(a: np.ndarray, op) -> np.ndarray:
    """3 x 3 neighbourhood reduction (``np.add`` or ``np.maximum``), edges by the pixels inside."""
    rows = a.copy()
    op(rows[:, 1:], a[:, :-1], out=rows[:, 1:])
    op(rows[:, :-1], a[:, 1:], out=rows[:, :-1])
    out = rows.copy()
    op(out[1:], rows[:-1], out=out[1:])
    op(out[:-1], rows[1:], out=out[:-1])
    return out


def map_dots(alpha: np.ndarray, valid: np.ndarray) -> DotMap:
    """Find the follicle dots and the core pixels of hair and scalp.

    Parameters
    ----------
    alpha : float (H, W) hair fraction of each pixel of the region's bounding box.
    valid : bool (H, W) pixels of the region that are usable (inside the mask, not clipped).
    """
    from scipy import ndimage

    a = np.where(valid, alpha, np.float32(0.0)).astype(np.float32, copy=False)
    hair = valid & (a > 0.5)
    scalp = valid & ~hair
    n_valid = int(np.count_nonzero(valid))
    # unclipped: noise on pure skin averages out (clipping it at 0 would add coverage)
    coverage = float(np.clip(a.sum(dtype=np.float64) / max(n_valid, 1), 0.0, 1.0))
    # Soft (blurred) edges reach further into a dot: erode deep enough that the core pixels are
    # 2.5 sigma inside the half-hair outline (hair fraction >= 0.99; one pixel for sharp edges).
    # With dark hair on light skin 1% of skin in a pixel lifts L* by about 3.
    edge_width = _edge_width(a, hair, valid)
    depth = core_erosion_depth(edge_width)
    core = hair
    for _ in range(depth):
        core = _erode(core)
    # dots too small to keep a pixel under erosion: their most-hair pixel (on a 3x3 sum, so that
    # the choice does not follow one pixel's noise)
    smooth = _box3(a, np.add)
    peaks = hair & (smooth >= _box3(smooth, np.maximum))
    hair_core = core | peaks
    scalp_core = scalp
    for _ in range(depth + 1):
        scalp_core = _erode(scalp_core)
    if np.count_nonzero(scalp_core) < 20:
        scalp_core = _erode(scalp)
    if np.count_nonzero(scalp_core) < 20:
        scalp_core = scalp

    count, diameter, dot_like = 0, 0.0, False
    labels, n = ndimage.label(hair)
    if n:
        count, diameter = _boolean_model(hair, valid, coverage, n_valid)
        areas = np.bincount(labels.ravel())[1:]
        # dots: many small parts, each about the area of one dot of the measured diameter (or a
        # few merged); strands are parts much longer than they are wide
        one_dot = np.pi / 4 * diameter ** 2
        typical = float(np.median(areas[areas >= 2])) if np.any(areas >= 2) else 0.0
        dot_like = bool(n >= 3 and 0 < typical < 0.02 * n_valid and typical <= 4 * one_dot)
    return DotMap(hair_core=hair_core, scalp_core=scalp_core, coverage=coverage, count=count,
                  mean_diameter_px=diameter, dot_like=dot_like, edge_width_px=edge_width)


def core_erosion_depth(edge_width_px: float) -> int:
    """Pixels to erode the hair mask by so that its core lies 2.5 sigma' inside the outline
    (sigma' = edge width / 1.68, see :class:`DotMap`): 1 for sharp edges, 2 for a lens blur of
    sigma 0.7 px, 3 for 1 px."""
    return int(np.clip(np.ceil(2.5 * edge_width_px / 1.68 - 0.3), 1, 4))


def _edge_width(alpha: np.ndarray, hair: np.ndarray, valid: np.ndarray) -> float:
    """Mixed pixels (hair fraction 0.2..0.8) per pixel of hair/scalp outline (see DotMap)."""
    both_h = valid[:, 1:] & valid[:, :-1]
    both_v = valid[1:] & valid[:-1]
    transitions = (np.count_nonzero(both_h & (hair[:, 1:] != hair[:, :-1]))
                   + np.count_nonzero(both_v & (hair[1:] != hair[:-1])))
    if transitions == 0:
        return 0.0
    # only mixed pixels within 2 pixels of the outline: noise on the skin far from any dot
    # (a dark skin gives little hair/skin contrast) is not edge
    grown = hair.astype(np.uint8)
    for _ in range(2):
        grown = _box3(grown, np.maximum)
    near = grown.astype(bool) & ~_erode(_erode(hair))
    mixed = np.count_nonzero(valid & near & (alpha > 0.2) & (alpha < 0.8))
    return float(mixed / (transitions * np.pi / 4))


def core_purity(diameter_px: float, edge_width_px: float) -> float:
    """Hair fraction (0..1) of the most-hair pixel of a dot ``diameter_px`` across whose edges
    are blurred over ``edge_width_px`` (see :class:`DotMap`).

    A disc of radius r under a Gaussian blur holds 1 - exp(-r^2 / (2 s^2)) of hair at its
    centre; s^2 = sigma'^2 + 1/12 adds to the measured edge sigma' = width / 1.68 (which has the
    pixel's own area in it) the random offset of the dot centre within its pixel (uniform, 1/12).
    Checked on synthetic dots: 3 px dots under a blur of sigma 0.5 px give 0.93 (they read about
    15 L* too light on light skin, and the model's figure says so).
    """
    if diameter_px <= 0:
        return 0.0
    s2 = (max(edge_width_px, 0.5) / 1.68) ** 2 + 1.0 / 12.0
    return float(1.0 - np.exp(-(diameter_px / 2) ** 2 / (2 * s2)))


def _boolean_model(hair: np.ndarray, valid: np.ndarray, coverage: float,
                   n_valid: int) -> tuple[int, float]:
    """Dot count and diameter (pixels) from the coverage and the length of the dots' outline.

    Counting connected parts fails once dots touch (at 45% coverage two dots in three are merged).
    For discs of radius r placed at random (overlaps allowed, a Boolean model), the covered
    fraction is c = 1 - exp(-n pi r^2) and the outline length per area is (1 - c) n 2 pi r; both
    measured, they give r and the number n per area. The outline is the count of hair/scalp
    transitions between neighbours inside the region times pi/4 (the mean ratio of a curve's
    length to its city-block length).
    """
    both_x = valid[:, 1:] & valid[:, :-1]
    both_y = valid[1:, :] & valid[:-1, :]
    edges = (np.count_nonzero((hair[:, 1:] != hair[:, :-1]) & both_x)
             + np.count_nonzero((hair[1:, :] != hair[:-1, :]) & both_y))
    c = min(max(coverage, 1e-6), 0.98)
    outline = edges * np.pi / 4 / max(n_valid, 1)
    if outline <= 0:
        return 0, 0.0
    k = -np.log(1.0 - c)
    radius = 2.0 * k * (1.0 - c) / outline
    per_pixel = k / (np.pi * radius ** 2)
    return int(round(per_pixel * n_valid)), float(2.0 * radius)


def centre_XYZ(Lab: np.ndarray) -> np.ndarray:
    """XYZ (white Y = 1) of a Lab colour, float32."""
    return Lab_to_XYZ(np.asarray(Lab, dtype=np.float64)).astype(np.float32)
