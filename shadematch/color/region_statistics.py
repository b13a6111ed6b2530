"""Robust colour statistics of a marked region: the colour a practitioner would call "the" colour.

Pipeline for the pixels under a mask (only the mask's bounding box of the photo is read, so the
cost grows with the region, not the photo): drop clipped pixels (a channel at 0 or full scale) ->
linearise -> (calibration, when given) -> CIELAB (D65, 2 degree) -> when the region shows hair and
scalp, tell them apart by colour and structure (:mod:`shadematch.color.stubble`): hair regions
measure the cores of the follicle dots or strands, skin regions the skin between them -> trim
glints and deep shadows by L* percentiles -> centre (trimmed mean), spread, counts, follicle
coverage and dots, and warnings (see docs/MEASUREMENT.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shadematch.color.conversion import (
    Lab_to_hex,
    Lab_to_LCh,
    XYZ_to_Lab,
    linear_sRGB_to_XYZ,
    sRGB_to_Lab,
    sRGB_to_linear,
)
from shadematch.color.delta_e import delta_E_CIE2000
from shadematch.color.descriptors import ITA, ita_class
from shadematch.errors import SampleError

# Thresholds (documented in the README's "How a sample is measured").
MIN_PIXELS = 200            # fewer usable pixels than this: a warning; fewer than 20: an error
MIN_PIXELS_ERROR = 20
CLIPPED_WARNING_FRACTION = 0.10
TRIM_PERCENTILES = (5.0, 95.0)   # L* percentiles kept (glints above, deep shadows below)
SPREAD_WARNING_DE00 = {"hair": 8.0, "skin": 6.0, "scar": 6.0, "healed": 8.0}
# Classes measured as dots on skin (the dot-core estimator: dot colour, coverage, density): the
# client's stubble, and healed SMP at a follow-up visit (pigment dots in the skin).
DOT_CLASSES = ("hair", "healed")
SEPARATION_MIN_DL = 10.0     # clusters closer than this in L* are one colour
STATS_SUBSAMPLE = 20000      # pixels used for the spread (std and median dE00 to the centre)
TRIM_SUBSAMPLE = 100000     # pixels used to find the trimming limits
CLUSTER_SUBSAMPLE = 8000     # pixels used to find the hair and scalp colours (all are labelled)
QUICK_SUBSAMPLE = 20000      # quick estimates (live updates while drawing) use at most this many
LITTLE_HAIR_PERCENT = 3.0    # follicle coverage below this: the hair colour rests on few pixels
SMALL_DOT_PX = 8.0           # dots narrower than this (pixels) lose their colour to 4:2:0 chroma
TINY_DOT_PX = 2.5            # dots narrower than this cannot show their core colour
JPEG_QUALITY_WARNING = 70    # estimated JPEG quality below this: strong compression
SMALL_PHOTO_SIDE = 1000      # a photo whose longer side is shorter than this is small for stubble
SOFT_DOT_PURITY = 0.98       # dot centres less pure than this (blurred edges reach them): soft dots
SOFT_SMALL_DOT_PX = 4.5      # dots narrower than this ...
SOFT_EDGE_WIDTH_PX = 0.72    # ... with edges softer than this (sharp: 0.55-0.70 in PNG and JPEG q90;
#                              blur sigma 0.5 px: 0.71-0.89) are soft dots
SOFT_DOT_SKIN_SHARE = 0.05   # soft dots are warned when this share of skin in a pixel would ...
SOFT_DOT_WARNING_DL = 3.0    # ... lift the hair's L* by this much or more (light skin, dark hair)
CHROMA_SUBSAMPLED = ("4:2:0", "4:2:2", "4:1:1")
CHROMA_BLOCKS_MAX_DOT_PX = 16.0  # subsampled JPEG, dots narrower: hair chroma from block means


@dataclass
class Follicles:
    """What a hair region shows of the hair itself (hair regions that showed scalp too).

    Attributes
    ----------
    coverage_percent : share of the region covered by hair, 0..100 (soft edges count for the
        part of the pixel they cover).
    dot_count : number of follicle dots (stubble), or None when the hair is not dot-like or the
        sample is a quick estimate.
    mean_diameter_px : mean equivalent diameter of the separate dots, pixels.
    pixels_per_mm : the photo's scale used for the two figures below (None: unknown).
    density_per_cm2 : follicle dots per square centimetre of the region.
    mean_diameter_mm : mean dot diameter, millimetres.
    """

    coverage_percent: float
    dot_count: int | None = None
    mean_diameter_px: float | None = None
    pixels_per_mm: float | None = None
    density_per_cm2: float | None = None
    mean_diameter_mm: float | None = None

    def to_dict(self) -> dict:
        def r(v, n):
            return None if v is None else round(float(v), n)

        return {"coverage_percent": r(self.coverage_percent, 2), "dot_count": self.dot_count,
                "mean_diameter_px": r(self.mean_diameter_px, 2),
                "pixels_per_mm": r(self.pixels_per_mm, 4),
                "density_per_cm2": r(self.density_per_cm2, 1),
                "mean_diameter_mm": r(self.mean_diameter_mm, 3)}

    @classmethod
    def from_dict(cls, data: dict) -> Follicles:
        def f(key):
            v = data.get(key)
            return None if v is None else float(v)

        count = data.get("dot_count")
        return cls(coverage_percent=float(data.get("coverage_percent", 0.0)),
                   dot_count=None if count is None else int(count),
                   mean_diameter_px=f("mean_diameter_px"), pixels_per_mm=f("pixels_per_mm"),
                   density_per_cm2=f("density_per_cm2"), mean_diameter_mm=f("mean_diameter_mm"))


@dataclass
class Sample:
    """The measured colour of one region class.

    Attributes
    ----------
    region_class : "hair", "skin" or "scar".
    Lab : ndarray (3,) — robust centre, L* 0..100, D65 / 2 degree.
    std_Lab : ndarray (3,) — standard deviation of the used pixels.
    median_delta_e : median CIEDE2000 of the used pixels to the centre (spread).
    total, used, clipped, trimmed, other_cluster : pixel counts (total = all under the mask).
    separation_applied : whether a second colour (scalp under hair, stubble on skin) was removed.
    separation_method : how hair was told from scalp ("skin sample", "skin-like colour") or why
        the region was measured whole ("one colour", "one population", "no scalp colour"); ""
        when not tried (scar regions, ``separate=False``, records from before this field).
    follicles : coverage, dot count and size for hair regions that showed scalp (else None).
    warnings : list of {"code", "message"} a practitioner can act on.
    calibrated : whether a colour calibration was applied.
    quick : whether this is a quick estimate from a subsample.
    """

    region_class: str
    Lab: np.ndarray
    std_Lab: np.ndarray
    median_delta_e: float
    total: int
    used: int
    clipped: int
    trimmed: int
    other_cluster: int
    separation_applied: bool = False
    warnings: list[dict] = field(default_factory=list)
    calibrated: bool = False
    quick: bool = False
    separation_method: str = ""
    follicles: Follicles | None = None

    @property
    def LCh(self) -> np.ndarray:
        return Lab_to_LCh(self.Lab)

    @property
    def ita(self) -> float | None:
        return float(ITA(self.Lab)) if self.region_class == "skin" else None

    def to_dict(self) -> dict:
        """The ``samples.<class>`` block of the analysis record."""
        # Everything derived from the Lab is derived from its rounded (stored) value, so that
        # from_dict(to_dict()) gives back the same record.
        lab = [round(float(v), 3) for v in self.Lab]
        hex_colour, in_gamut = Lab_to_hex(lab)
        data = {
            "class": self.region_class,
            "lab": lab,
            "lch": [round(float(v), 3) for v in Lab_to_LCh(np.asarray(lab))],
            "srgb_hex": hex_colour,
            "in_gamut": in_gamut,
            "spread": {"std_Lab": [round(float(v), 3) for v in self.std_Lab],
                       "median_delta_e": round(float(self.median_delta_e), 3)},
            "pixels": {"total": self.total, "used": self.used, "clipped": self.clipped,
                       "trimmed": self.trimmed, "other_cluster": self.other_cluster},
            "separation": {"applied": self.separation_applied,
                           "kept_fraction": round(self.used / max(self.total, 1), 4)},
            "calibrated": self.calibrated,
            "quick": self.quick,
            "warnings": list(self.warnings),
        }
        # New keys only when set, so that records written before them read back unchanged.
        if self.separation_method:
            data["separation"]["method"] = self.separation_method
        if self.follicles is not None:
            data["follicles"] = self.follicles.to_dict()
        if self.region_class == "skin":
            ita = float(ITA(np.asarray(lab)))
            data["ita"] = round(ita, 2)
            data["ita_class"] = ita_class(ita)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Sample:
        pixels = data.get("pixels", {})
        spread = data.get("spread", {})
        return cls(
            region_class=data["class"], Lab=np.asarray(data["lab"], dtype=float),
            std_Lab=np.asarray(spread.get("std_Lab", [0, 0, 0]), dtype=float),
            median_delta_e=float(spread.get("median_delta_e", 0.0)),
            total=int(pixels.get("total", 0)), used=int(pixels.get("used", 0)),
            clipped=int(pixels.get("clipped", 0)), trimmed=int(pixels.get("trimmed", 0)),
            other_cluster=int(pixels.get("other_cluster", 0)),
            separation_applied=bool(data.get("separation", {}).get("applied", False)),
            warnings=list(data.get("warnings", [])), calibrated=bool(data.get("calibrated")),
            quick=bool(data.get("quick")),
            separation_method=str(data.get("separation", {}).get("method", "")),
            follicles=(Follicles.from_dict(data["follicles"]) if data.get("follicles") else None))


def pixels_to_Lab(pixels: np.ndarray, calibration=None, linear: bool = False) -> np.ndarray:
    """sRGB pixels (N, 3) uint8/uint16 -> Lab (N, 3), through ``calibration`` when given.

    ``calibration`` is any object with ``linear_RGB_to_XYZ(RGB_lin) -> XYZ`` (white Y = 1, D65).
    ``linear=True``: ``pixels`` are float linear sRGB-primaries values (white 1), not clipped to
    0..1 (a wide-gamut photo's colours outside sRGB, see shadematch.imaging.measurement_source).
    """
    if linear:
        return XYZ_to_Lab(linear_to_XYZ(np.asarray(pixels, dtype=np.float32), calibration))
    if calibration is None:
        return sRGB_to_Lab(pixels)
    return XYZ_to_Lab(pixels_to_XYZ(pixels, calibration))


def pixels_to_XYZ(pixels: np.ndarray, calibration=None) -> np.ndarray:
    """sRGB pixels (N, 3) uint8/uint16 -> XYZ (N, 3) float32, white Y = 1 (D65)."""
    return linear_to_XYZ(sRGB_to_linear(pixels), calibration)


def linear_to_XYZ(linear: np.ndarray, calibration=None) -> np.ndarray:
    """Linear sRGB-primaries values (N, 3), white 1 (may lie outside 0..1) -> XYZ float32,
    through ``calibration`` when given."""
    if calibration is None:
        XYZ = linear_sRGB_to_XYZ(linear)
    else:
        XYZ = np.asarray(calibration.linear_RGB_to_XYZ(linear))
    return XYZ.astype(np.float32, copy=False)


def mask_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(r0, r1, c0, c1): the bounding box of the True pixels of ``mask`` (empty: all zeros)."""
    rows = np.flatnonzero(mask.any(axis=1))
    if not len(rows):
        return 0, 0, 0, 0
    cols = np.flatnonzero(mask[rows[0]:rows[-1] + 1].any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _subsample(n: int, limit: int, rng: np.random.Generator) -> np.ndarray | slice:
    return slice(None) if n <= limit else np.sort(rng.choice(n, limit, replace=False))


def sample_region(rgb: np.ndarray, mask: np.ndarray, region_class: str, calibration=None,
                  quick: bool = False, separate: bool = True, seed: int = 0, *,
                  skin_Lab: np.ndarray | None = None, pixels_per_mm: float | None = None,
                  photo_info: dict | None = None,
                  box: tuple[int, int, int, int] | None = None, source=None) -> Sample:
    """Measure the colour of the pixels of ``rgb`` under ``mask``.

    Parameters
    ----------
    rgb : ndarray (H, W, 3) uint8 or uint16, sRGB as displayed.
    mask : ndarray bool, (H, W); or the mask of the box ``rgb[r0:r1, c0:c1]`` when ``box`` is
        given (the cost then grows with the region, not the photo).
    region_class : "hair", "skin" or "scar". Hair and skin regions that show two colours are
        split into hair and scalp (see :mod:`shadematch.color.stubble`): hair regions measure the
        follicle/hair cores, skin regions the skin between the dots.
    calibration : optional object with ``linear_RGB_to_XYZ`` (see shadematch.calibration).
    quick : measure a random subsample (live updates while drawing); no dot count.
    separate : set False to keep all pixels (no hair/scalp split).
    skin_Lab : the skin sample's Lab (L* 0..100), when a skin region is marked: a hair region's
        cluster is taken for scalp only when it looks like it.
    pixels_per_mm : the photo's scale, when known (chart or ruler): adds follicle density per
        cm2 and dot diameter in mm.
    photo_info : the photo's ``Photo.info()``; its JPEG chroma subsampling and quality give the
        ``chroma_unreliable`` and ``jpeg_compressed`` warnings, its size ``small_photo``, its
        ``upscaled`` and ``low_detail`` flags (:mod:`shadematch.imaging.detail`) the
        ``upscaled`` and ``low_detail`` warnings on hair samples.
    box : (r0, r1, c0, c1) rows and columns of ``rgb`` that ``mask`` covers.
    source : optional ``Photo.source`` (:class:`shadematch.imaging.measurement_source.SourcePixels`)
        of a wide-gamut photo: colours are then read from the source encoding, not clipped to
        sRGB, and "clipped" means a channel at 0 or full scale in the source.

    Returns
    -------
    Sample

    Raises
    ------
    SampleError
        When fewer than 20 usable pixels remain.
    """
    rgb = np.asarray(rgb)
    mask = np.asarray(mask, dtype=bool)
    if box is None:
        if mask.shape != rgb.shape[:2]:
            raise SampleError(f"the region mask is {mask.shape[1]} x {mask.shape[0]} but the "
                              f"photo is {rgb.shape[1]} x {rgb.shape[0]}")
        box = mask_box(mask)
        mask = mask[box[0]:box[1], box[2]:box[3]]
    r0, r1, c0, c1 = box
    if mask.shape != (r1 - r0, c1 - c0) or r1 > rgb.shape[0] or c1 > rgb.shape[1]:
        raise SampleError(f"the region mask is {mask.shape[1]} x {mask.shape[0]} but its box "
                          f"in the photo is {c1 - c0} x {r1 - r0}")
    crop = rgb[r0:r1, c0:c1]
    word = {"hair": "hair", "skin": "skin", "scar": "scar",
            "healed": "healed SMP"}.get(region_class, region_class)
    rng = np.random.default_rng(seed)
    total = int(np.count_nonzero(mask))
    # Full measurement of a region that fills most of its box: work on the whole box (no
    # gather/scatter of pixel positions); otherwise gather the region's pixels.
    dense = not quick and total >= 0.5 * mask.size
    in_region = mask.ravel() if dense else None
    index = None if dense else np.flatnonzero(mask)     # positions in the box, row-major
    if index is not None and quick and total > QUICK_SUBSAMPLE:
        index = np.sort(rng.choice(index, QUICK_SUBSAMPLE, replace=False))
    # a wide-gamut photo is measured from its source encoding (not clipped to sRGB)
    measured_crop = crop if source is None else source.oriented()[r0:r1, c0:c1]
    flat = measured_crop.reshape(-1, 3)
    pixels = flat if dense else flat[index]
    measured = total if dense else len(index)
    scale = total / max(measured, 1)  # counts reported for the whole region
    top = 65535 if pixels.dtype == np.uint16 else 255
    # per channel: a reduction along the 3-long axis is several times slower
    clipped = (pixels[:, 0] == 0) | (pixels[:, 0] == top)
    for k in (1, 2):
        clipped |= (pixels[:, k] == 0) | (pixels[:, k] == top)
    usable = ~clipped
    if dense:
        usable &= in_region
        clipped &= in_region
    n_clipped = int(np.count_nonzero(clipped))
    n_usable = int(np.count_nonzero(usable))
    if n_usable < MIN_PIXELS_ERROR:
        if total == 0:
            raise SampleError(f"the {word} region covers no pixels: draw it on the photo")
        raise SampleError(f"the {word} region has only {n_usable} usable pixels "
                          f"({n_clipped} of {total} are clipped to pure black or white): draw a "
                          "larger region, or re-take the photo with less glare")
    if source is None:
        XYZ = pixels_to_XYZ(pixels, calibration)
    else:
        XYZ = linear_to_XYZ(source.linear_of_codes(pixels)[0], calibration)

    split = None
    if separate and region_class in (*DOT_CLASSES, "skin") and n_usable >= 2 * MIN_PIXELS_ERROR:
        split = _split(XYZ, usable, index, mask.shape, region_class, skin_Lab, quick, rng,
                       crop, mask, calibration)
    other = 0
    chroma_from_blocks = False
    if split is not None and split.applied:
        other = split.other
        kept_XYZ = XYZ[split.keep]
        if _chroma_recoverable(split, region_class, pixels, photo_info):
            corrected = _hair_chroma_from_blocks(split, measured_crop, pixels, usable, index,
                                                 mask.shape, (r0, c0), source, calibration)
            if corrected is not None:
                kept_XYZ, chroma_from_blocks = corrected, True
        Lab = XYZ_to_Lab(kept_XYZ)
    else:
        Lab = XYZ_to_Lab(XYZ[usable] if n_usable < len(XYZ) else XYZ)

    # the trimming limits from a subsample (their sampling error is far below the noise)
    lo, hi = np.percentile(Lab[_subsample(len(Lab), TRIM_SUBSAMPLE, rng), 0], TRIM_PERCENTILES)
    keep = (Lab[:, 0] >= lo) & (Lab[:, 0] <= hi)
    if keep.sum() >= MIN_PIXELS_ERROR:
        trimmed = int((~keep).sum())
        Lab = Lab[keep]
    else:
        trimmed = 0
    centre = Lab.mean(axis=0, dtype=np.float64)
    spread_sample = Lab[_subsample(len(Lab), STATS_SUBSAMPLE, rng)].astype(np.float64)
    std = spread_sample.std(axis=0)
    median_de = float(np.median(delta_E_CIE2000(spread_sample, centre)))

    used = len(Lab)
    sample = Sample(
        region_class=region_class, Lab=centre, std_Lab=std, median_delta_e=median_de,
        total=total, used=int(round(used * scale)), clipped=int(round(n_clipped * scale)),
        trimmed=int(round(trimmed * scale)), other_cluster=int(round(other * scale)),
        separation_applied=bool(split is not None and split.applied),
        calibrated=calibration is not None, quick=quick)
    if split is not None:
        sample.separation_method = split.method + (", chroma from blocks"
                                                   if chroma_from_blocks else "")
        if region_class in DOT_CLASSES and split.applied:
            sample.follicles = split.follicles(total, pixels_per_mm)
    sample.warnings = _warnings(sample, word, split, photo_info)
    return sample


@dataclass
class _Split:
    """How one region's pixels were told apart (internal to :func:`sample_region`)."""

    applied: bool
    method: str
    keep: np.ndarray | None = None     # bool over the usable pixels: the ones measured
    other: int = 0                     # pixels taken for the other colour
    ambiguous: bool = False
    coverage: float = 0.0
    dots: object | None = None         # stubble.DotMap (full measurement only)
    unresolved: bool = False           # dots too small or soft to show their own colour
    mixed: bool = False                # hair and skin colours found but not separable
    scalp_XYZ: np.ndarray | None = None

    def follicles(self, total: int, pixels_per_mm: float | None) -> Follicles | None:
        if self.unresolved:
            return None
        dots = self.dots
        f = Follicles(coverage_percent=100.0 * self.coverage)
        if dots is not None and dots.dot_like:
            f.dot_count = int(dots.count)
            f.mean_diameter_px = float(dots.mean_diameter_px)
            if pixels_per_mm:
                area_cm2 = total / float(pixels_per_mm) ** 2 / 100.0
                f.pixels_per_mm = float(pixels_per_mm)
                f.density_per_cm2 = dots.count / area_cm2 if area_cm2 > 0 else None
                f.mean_diameter_mm = dots.mean_diameter_px / float(pixels_per_mm)
        return f


def _blobs_in_window(crop, mask, scalp_XYZ, hair_XYZ, calibration) -> bool:
    """:func:`stubble.blobs` on a window of at most STRUCTURE_WINDOW pixels square at the centre
    of the region's box (enough dots to judge, and cheap also for quick estimates)."""
    from shadematch.color import stubble

    h, w = mask.shape
    side = stubble.STRUCTURE_WINDOW
    r0, c0 = max(0, (h - side) // 2), max(0, (w - side) // 2)
    window = np.ascontiguousarray(crop[r0:r0 + side, c0:c0 + side])
    valid = mask[r0:r0 + side, c0:c0 + side]
    pixels = window.reshape(-1, 3)
    top = 65535 if pixels.dtype == np.uint16 else 255
    valid = valid & ~np.any((window == 0) | (window == top), axis=2)
    alpha = stubble.hair_fraction(pixels_to_XYZ(pixels, calibration), scalp_XYZ, hair_XYZ)
    return stubble.blobs(alpha.reshape(valid.shape), valid)


def _split(XYZ, usable, index, shape, region_class, skin_Lab, quick, rng, crop=None, mask=None,
           calibration=None) -> _Split:
    """Tell hair from scalp in one region (see :mod:`shadematch.color.stubble`).

    ``XYZ`` (N, 3) are the measured pixels: the whole box (``index`` None) or the box positions
    ``index``; ``usable`` marks the rows inside the region and not clipped.
    """
    from shadematch.color import stubble

    rows = np.flatnonzero(usable)
    fit_rows = rows[_subsample(len(rows), CLUSTER_SUBSAMPLE, rng)]
    XYZ_fit = XYZ[fit_rows]
    centres = stubble.two_means(XYZ_to_Lab(XYZ_fit))
    if np.linalg.norm(centres[1] - centres[0]) < stubble.SEPARATION_MIN_DE:
        return _Split(False, "one colour")
    ends = stubble.refine_ends(XYZ_fit, stubble.centre_XYZ(centres[0]),
                               stubble.centre_XYZ(centres[1]))
    centres = XYZ_to_Lab(np.array(ends, dtype=np.float64))
    dots_class = region_class in DOT_CLASSES
    choice = stubble.choose_scalp(centres, skin_Lab if dots_class else None)
    if choice.index is None:
        return _Split(False, "no scalp colour" if dots_class else "one colour")
    scalp_XYZ, hair_XYZ = ends[choice.index], ends[1 - choice.index]
    alpha_fit = stubble.hair_fraction(XYZ_fit, scalp_XYZ, hair_XYZ)
    ratio = stubble.valley_ratio(alpha_fit)
    method = "skin sample" if (skin_Lab is not None and dots_class
                               and not choice.ambiguous) else "skin-like colour"
    want_hair = dots_class
    if ratio >= stubble.VALLEY_RATIO_BLOBS or (
            ratio >= stubble.VALLEY_RATIO and not _blobs_in_window(crop, mask, scalp_XYZ, hair_XYZ,
                                                                   calibration)):
        if (choice.ambiguous or not want_hair or not stubble.scalp_peak(alpha_fit)
                or np.mean(alpha_fit <= 0.25) < 0.5):
            # only sparse stubble on a clear scalp: with dense or unresolved dots the skin and
            # hair readings are both unreliable. Say so when one colour is clearly the skin and
            # the other clearly not (dense fine or soft stubble, not long hair with highlights)
            mixed = (not choice.ambiguous and _clearly_skin_and_hair(
                centres, choice.index, skin_Lab if want_hair else None))
            return _Split(False, "one population", mixed=mixed)
        # Scalp is a population of its own, the hair is not: dots too small or soft for any
        # pixel to show their colour. Keep the most-hair 1% (a lower bound of the darkness of
        # dark hair) and say so.
        alpha = stubble.hair_fraction(XYZ, scalp_XYZ, hair_XYZ)
        values = alpha[usable]
        keep = usable & (alpha >= np.quantile(values, 0.99)) & (alpha > 0.25)
        if np.count_nonzero(keep) < MIN_PIXELS_ERROR:
            return _Split(False, "one population")
        other = int(np.count_nonzero(usable & ~keep))
        return _Split(True, method + ", unresolved dots", keep, other, False,
                      unresolved=True)
    alpha = stubble.hair_fraction(XYZ, scalp_XYZ, hair_XYZ)
    if quick:
        keep = usable & ((alpha >= 0.8) if want_hair else (alpha <= 0.2))
        if np.count_nonzero(keep) < MIN_PIXELS_ERROR:
            keep = usable & ((alpha > 0.5) if want_hair else (alpha <= 0.5))
        is_hair = alpha[usable] > 0.5
        other = int(np.count_nonzero(~is_hair if want_hair else is_hair))
        coverage = float(np.clip(alpha[usable].mean(dtype=np.float64), 0.0, 1.0))
        if np.count_nonzero(keep) < MIN_PIXELS_ERROR:
            return _Split(False, "too few pixels of one colour")
        return _Split(True, method, keep, other, choice.ambiguous, coverage)
    if index is None:
        image, valid = alpha.reshape(shape), usable.reshape(shape)
    else:
        image = np.zeros(shape, dtype=np.float32)
        valid = np.zeros(shape, dtype=bool)
        image.flat[index] = alpha
        valid.flat[index] = usable
    dots = stubble.map_dots(image, valid)
    core = dots.hair_core if want_hair else dots.scalp_core
    keep = core.ravel() if index is None else core.ravel()[index]
    if np.count_nonzero(keep) < MIN_PIXELS_ERROR:
        return _Split(False, "too few pixels of one colour")
    is_hair = alpha[usable] > 0.5
    other = int(np.count_nonzero(~is_hair if want_hair else is_hair))
    return _Split(True, method, keep, other, choice.ambiguous, dots.coverage, dots,
                  scalp_XYZ=np.asarray(scalp_XYZ, dtype=np.float64))


def _chroma_recoverable(split: _Split, region_class: str, pixels: np.ndarray,
                        photo_info: dict | None) -> bool:
    """Whether the hair's chroma is to be recovered from blocks: a hair sample of dots under
    ``CHROMA_BLOCKS_MAX_DOT_PX`` across in an 8-bit JPEG with subsampled chroma."""
    dots = split.dots
    return bool(region_class in DOT_CLASSES and dots is not None and not split.unresolved
                and dots.dot_like and 0 < dots.mean_diameter_px < CHROMA_BLOCKS_MAX_DOT_PX
                and pixels.dtype == np.uint8
                and (photo_info or {}).get("chroma_subsampling") in CHROMA_SUBSAMPLED)


def _hair_chroma_from_blocks(split, crop, pixels, usable, index, shape, origin, source,
                             calibration) -> np.ndarray | None:
    """XYZ of the kept hair pixels with their chroma recovered from block means
    (:mod:`shadematch.color.chroma_subsampling`), or None when it cannot be estimated."""
    from shadematch.color import chroma_subsampling

    if index is None:
        valid = usable.reshape(shape)
    else:
        valid = np.zeros(shape, dtype=bool)
        valid.flat[index] = usable
    estimate = chroma_subsampling.hair_chroma(crop, valid, split.dots.hair_core,
                                              split.dots.scalp_core, origin)
    if estimate is None:
        return None
    codes = chroma_subsampling.with_hair_chroma(pixels[split.keep], estimate[0], 255) / 255.0
    if source is None:
        linear = sRGB_to_linear(codes)
    else:
        linear = source.linear_of_levels(codes)
    return linear_to_XYZ(linear, calibration)


def _clearly_skin_and_hair(centres: np.ndarray, scalp: int, skin_Lab) -> bool:
    """Whether of two colours one is the skin (close to the skin sample, or skin-like) and the
    other clearly hair (far from it, and not skin-like)."""
    from shadematch.color import stubble

    hair = centres[1 - scalp]
    if skin_Lab is not None:
        d = np.asarray(delta_E_CIE2000(centres, np.asarray(skin_Lab, dtype=np.float64)))
        return bool(d[scalp] <= 8.0 and d[1 - scalp] >= 20.0)
    if not stubble.skin_like(centres[scalp]):
        return False
    # dark hair; or a colour much darker than the skin (blurred dots mixed with it look like a
    # darker skin, but no skin region is 25 L* darker than itself)
    return bool(not stubble.skin_like(hair) or centres[scalp][0] - hair[0] >= 25.0)


def _soft_dots(split: _Split, hair_Lab: np.ndarray) -> bool:
    """Whether blurred dot edges reach the dot centres, so that no pixel shows the follicle's own
    colour: dots under ``SOFT_SMALL_DOT_PX`` across with edges softer than sharp ones
    (``SOFT_EDGE_WIDTH_PX``), or larger dots whose centre purity
    (:func:`shadematch.color.stubble.core_purity`) is under ``SOFT_DOT_PURITY``."""
    from shadematch.color import stubble

    dots = split.dots
    if dots is None or not dots.dot_like or not dots.mean_diameter_px or split.scalp_XYZ is None:
        return False
    # it matters only where a little skin in a pixel lifts the hair's L* much: 5% of the skin
    # adds 12 L* to dark hair on light skin, 1 L* on dark skin (where the edge width also
    # reads soft from noise alone: the hair/skin contrast is low)
    hair_Y = float(stubble.centre_XYZ(hair_Lab)[1])
    mixed_Y = hair_Y + SOFT_DOT_SKIN_SHARE * (float(split.scalp_XYZ[1]) - hair_Y)
    if _L_of_Y(mixed_Y) - _L_of_Y(hair_Y) < SOFT_DOT_WARNING_DL:
        return False
    if dots.mean_diameter_px < SOFT_SMALL_DOT_PX and dots.edge_width_px >= SOFT_EDGE_WIDTH_PX:
        return True
    return stubble.core_purity(dots.mean_diameter_px, dots.edge_width_px) < SOFT_DOT_PURITY


def _L_of_Y(Y: float) -> float:
    """CIE L* of a luminance Y (white 1)."""
    Y = max(Y, 0.0)
    return float(116.0 * np.cbrt(Y) - 16.0 if Y > 216 / 24389 else 24389 / 27 * Y)


def _warnings(s: Sample, word: str, split: _Split | None = None,
              photo_info: dict | None = None) -> list[dict]:
    out = []
    usable = s.total - s.clipped
    info = photo_info or {}
    if usable < MIN_PIXELS:
        out.append({"code": "too_small",
                    "message": f"The {word} region is small: only {usable} usable pixels. Draw a "
                               "larger region for a steadier measurement."})
    if s.total and s.clipped / s.total > CLIPPED_WARNING_FRACTION:
        out.append({"code": "clipped",
                    "message": f"{100 * s.clipped / s.total:.0f}% of the {word} pixels are clipped "
                               "(pure black or white) and were left out. Avoid glare or lower the "
                               "exposure and re-take the photo."})
    limit = SPREAD_WARNING_DE00.get(s.region_class, 6.0)
    if s.median_delta_e > limit:
        out.append({"code": "spread",
                    "message": f"The {word} colours vary a lot (median dE00 {s.median_delta_e:.1f} "
                               "from the centre): the region may mix colours or light and shadow. "
                               "Mark a more even area."})
    f = s.follicles
    if s.region_class == "hair" and f is not None and f.coverage_percent < LITTLE_HAIR_PERCENT:
        out.append({"code": "little_hair",
                    "message": f"Hair covers only {f.coverage_percent:.1f}% of this region, so its "
                               "colour rests on a few pixels. Draw the region over the follicles "
                               "(the crown or the hairline), or use a closer photo."})
    if s.region_class == "hair" and split is not None and split.applied and split.ambiguous:
        out.append({"code": "hair_or_scalp",
                    "message": "Hair and scalp are both skin-coloured here (light or blond hair?), "
                               "so the darker colour was taken for the hair. Mark a skin region "
                               "as well: the scalp is then told from the hair by its colour."})
    subsampling = info.get("chroma_subsampling")
    if s.region_class == "hair" and s.separation_applied and subsampling in CHROMA_SUBSAMPLED:
        diameter = f.mean_diameter_px if f is not None else None
        if diameter is None or diameter < SMALL_DOT_PX:
            size = (f"the follicle dots are only {diameter:.0f} pixels across"
                    if diameter else "the hair is fine")
            if s.separation_method.endswith("chroma from blocks"):
                text = (f"This JPEG keeps colour at reduced resolution ({subsampling}) and {size}, "
                        "so the dots carry the skin's colour. Their warmth or coolness (chroma) "
                        "was estimated from how colour varies with the amount of hair over the "
                        "region (within about 2-4 dE00 on test photos), not read from the dots: "
                        "treat it as approximate. Its lightness is still usable. For the undertone, "
                        "a closer photo, or one saved as HEIC, PNG or RAW, is better.")
            else:
                text = (f"This JPEG keeps colour at reduced resolution ({subsampling}) and {size}: "
                        "the skin's colour bleeds into the hair, so its warmth or coolness "
                        "(chroma) is unreliable. Its lightness is still usable. For the undertone, "
                        "use a closer photo, or one saved as HEIC, PNG or RAW.")
            out.append({"code": "chroma_unreliable", "message": text})
    if split is not None and split.unresolved:
        out.append({"code": "unresolved_dots",
                    "message": "The follicle dots are too small or soft in this photo for any "
                               "pixel to show their own colour: the hair reads lighter than it "
                               "is (take its lightness as an upper limit). Use a closer, sharper "
                               "photo."})
    if (s.region_class == "hair" and split is not None and split.applied
            and not split.unresolved and _soft_dots(split, s.Lab)):
        out.append({"code": "soft_dots",
                    "message": f"The follicle dots are soft in this photo (their edges are blurred "
                               f"over {split.dots.edge_width_px:.1f} pixels, and they are only "
                               f"{split.dots.mean_diameter_px:.1f} pixels across): even their "
                               "centres mix with the skin, so the hair reads lighter than it is "
                               "(by 5-15 L* on light skin). Take its lightness as an upper "
                               "limit, or use a sharper photo taken closer."})
    if split is not None and split.mixed:
        if s.region_class == "hair":
            text = ("Hair and skin are both in this region but could not be told apart (dense, "
                    "fine or blurred stubble): the reading lies between the two colours and the "
                    "hair is darker than it. Use a sharper photo taken closer, or mark a region "
                    "where the hair covers the skin.")
        else:
            text = ("Follicle dots in this skin region could not be told apart from the skin "
                    "(dense, fine or blurred stubble): the skin reads darker than it is. Mark skin "
                    "without stubble (the forehead or behind the ear), or use a sharper photo.")
        out.append({"code": "mixed_hair_and_skin", "message": text})
    if (s.region_class == "hair" and f is not None and f.mean_diameter_px
            and f.mean_diameter_px < TINY_DOT_PX):
        out.append({"code": "tiny_dots",
                    "message": f"The follicle dots are only {f.mean_diameter_px:.1f} pixels across: "
                               "even their centres mix with the skin, so the hair may read lighter "
                               "than it is. Use a closer or sharper photo."})
    quality = info.get("jpeg_quality")
    if quality is not None and quality < JPEG_QUALITY_WARNING:
        out.append({"code": "jpeg_compressed",
                    "message": f"The photo is strongly compressed (JPEG quality about {quality}): "
                               "fine hair and small colour differences are smeared. Use the "
                               "original photo from the camera or phone, not a copy sent through "
                               "a messaging app."})
    width, height = info.get("width"), info.get("height")
    if s.region_class == "hair" and width and height and max(width, height) < SMALL_PHOTO_SIDE:
        out.append({"code": "small_photo",
                    "message": f"The photo is only {width} x {height} pixels: single hairs and "
                               "follicles are too small to measure reliably. Use the original, "
                               "full-size photo."})
    if s.region_class == "hair" and info.get("upscaled"):
        out.append({"code": "upscaled",
                    "message": "The photo looks enlarged from a smaller one (it has less detail "
                               "than its pixel count): hair is blurred into the skin and reads "
                               "lighter than it is. Use the original photo from the camera or "
                               "phone."})
    elif s.region_class == "hair" and info.get("low_detail"):
        out.append({"code": "low_detail",
                    "message": "The photo has little fine detail for its size (out of focus, or "
                               "enlarged from a smaller photo): follicle dots are blurred into "
                               "the skin, so the hair reads lighter than it is. Use a sharp, "
                               "original photo taken closer to the scalp."})
    if s.Lab[0] < 3.0 or s.Lab[0] > 97.0:
        out.append({"code": "exposure",
                    "message": f"The {word} region is almost {'black' if s.Lab[0] < 3 else 'white'} "
                               f"(L* {s.Lab[0]:.1f}): check the exposure of the photo."})
    return out
