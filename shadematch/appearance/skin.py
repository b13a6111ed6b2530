"""The layered skin model and its per-client fit.

Layers, from the surface down (docs/APPEARANCE.md has every number and its source):

1. epidermis, ``EPIDERMIS_CM`` thick: melanosomes (volume fraction ``melanin``) in a bloodless
   baseline, epidermal scattering;
2. papillary dermis above the pigment, ``DERMIS_ABOVE_INK_CM`` thick: blood (volume fraction
   ``blood``) in the baseline, dermal scattering;
3. the pigment layer, ``INK_LAYER_CM`` thick: the same dermis plus the pigment's absorption;
4. the rest of the dermis, optically thick.

Skin without pigment is layers 1 over 2-4 (all dermis). A Saunderson surface correction turns the
body reflectance into what a camera or a spectrophotometer (specular excluded) sees.
``scattering`` scales both scattering spectra (people differ: Jacques 2013 Table 2 gives SD 30 %).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shadematch.appearance import layers, tissue
from shadematch.errors import AppearanceError

# --- geometry and surface: ASSUMPTIONS (see docs/APPEARANCE.md) ---------------------------------
# Jacques' convention (OMLC Jacques_PMB2013 page: "60 um epidermis"); OCT 68.6 +/- 23 um
# (Tsugita 2013), histology 99.75 um (Xu 2017).
EPIDERMIS_CM = 60e-4
# No numeric SMP depth is published; OCT/Raman place tattoo ink in the papillary dermis, clinics
# say "just below the epidermis". ASSUMPTION: ink from 10 um to 260 um below the junction.
DERMIS_ABOVE_INK_CM = 10e-4
INK_LAYER_CM = 250e-4
# Saunderson k2 for a surface of refractive index about 1.4 (typical literature range 0.4-0.6).
INTERNAL_REFLECTANCE = 0.4

# --- fit bounds --------------------------------------------------------------------------------
# Melanin 0.1-45 % and blood 0.05-7 % (Int J Biomed Imaging 2013 Table 1; Tseng 2011 for low B);
# scattering 0.4-2.5 x the Jacques 2013 mean (about +/- 2 SD of a and of the exponent's effect).
# The melanin exponent m: Jacques 2013 says "approximately 3" (eumelanin's eq. 10 slope 0.0056/nm
# is the same over 400-700 nm), pheomelanin's slope 0.0087/nm equals m of about 4.7, the upper
# bound. Down to 2.0 is allowed because the darkest ISSA class (low b*) needs about 2.3 (an
# ASSUMPTION, docs/APPEARANCE.md). Oxygen saturation 39-99 % spans Jacques 2013 Table 3.
BOUNDS = {"melanin": (0.001, 0.45), "blood": (0.0005, 0.07), "scattering": (0.4, 2.5),
          "melanin_exponent": (2.0, 4.7), "saturation": (0.39, 0.99)}
# Weak pull of the under-determined parameters towards the published means, in Lab units per
# unit of log(scattering) and of (m - 3): the fit stays within dE00 1 but does not wander.
PRIOR_WEIGHTS = {"scattering": 1.0, "melanin_exponent": 1.0, "saturation": 2.0}
# The model reproduces measured skin (ISSA means by ITA class, ColorChecker skin patches) within
# FIT_TOLERANCE_DE00. A photo's skin reading carries its own error (about 2 dE00 after chart
# calibration, docs/CALIBRATION.md), so a fit that misses by more, but by no more than
# FIT_REFUSE_DE00, is used with a warning (the prediction is less certain); beyond it the colour
# is not skin the model knows (a region on hair, cloth or a highlight, or strong colour cast) and
# is refused.
FIT_TOLERANCE_DE00 = 1.0
FIT_REFUSE_DE00 = 3.0


@dataclass(frozen=True)
class SkinParameters:
    """Fitted skin: melanosome volume fraction of the epidermis (0..1), blood volume fraction of
    the dermis (0..1), scattering scale (1 = Jacques 2013 mean), melanin absorption exponent ``m``
    (Jacques 2013 eq. 8: about 3), blood oxygen saturation (0..1); ``Lab`` the measured target,
    ``model_Lab`` the fit's Lab, ``fit_delta_e`` their CIEDE2000."""

    melanin: float
    blood: float
    scattering: float
    melanin_exponent: float = tissue.MELANOSOME_EXPONENT
    saturation: float = tissue.OXYGEN_SATURATION
    Lab: tuple[float, float, float] | None = None
    model_Lab: tuple[float, float, float] | None = None
    fit_delta_e: float | None = None

    def to_dict(self) -> dict:
        return {
            "melanin_fraction": round(self.melanin, 5), "blood_fraction": round(self.blood, 5),
            "scattering_scale": round(self.scattering, 4),
            "melanin_exponent": round(self.melanin_exponent, 4),
            "oxygen_saturation": round(self.saturation, 4),
            "measured_lab": None if self.Lab is None else [round(v, 3) for v in self.Lab],
            "model_lab": None if self.model_Lab is None else [round(v, 3) for v in self.model_Lab],
            "fit_delta_e": None if self.fit_delta_e is None else round(self.fit_delta_e, 3),
        }


def _dermis_KS(blood, scattering, saturation):
    blood = np.asarray(blood, dtype=np.float64)[..., None]
    scattering = np.asarray(scattering, dtype=np.float64)[..., None]
    saturation = np.asarray(saturation, dtype=np.float64)[..., None]
    mua = blood * tissue.blood_mua(saturation) + (1.0 - blood) * tissue.baseline_mua()
    return mua, scattering * tissue.dermis_musp()


def _epidermis_RT(melanin, scattering, exponent):
    melanin = np.asarray(melanin, dtype=np.float64)[..., None]
    scattering = np.asarray(scattering, dtype=np.float64)[..., None]
    exponent = np.asarray(exponent, dtype=np.float64)[..., None]
    mua = melanin * tissue.melanosome_mua(exponent) + (1.0 - melanin) * tissue.baseline_mua()
    K, S = layers.km_coefficients(mua, scattering * tissue.epidermis_musp())
    return layers.layer(K, S, EPIDERMIS_CM)


def skin_reflectance(melanin, blood, scattering, melanin_exponent=tissue.MELANOSOME_EXPONENT,
                     saturation=tissue.OXYGEN_SATURATION) -> np.ndarray:
    """Modelled skin reflectance (0..1), shape ``broadcast(parameters) + (41,)``."""
    Re, Te = _epidermis_RT(melanin, scattering, melanin_exponent)
    mua, musp = _dermis_KS(blood, scattering, saturation)
    R_dermis = layers.infinite(*layers.km_coefficients(mua, musp))
    return layers.saunderson(layers.stack(Re, Te, R_dermis), INTERNAL_REFLECTANCE)


def dot_reflectance(skin, ink_mua: np.ndarray,
                    dermis_above_ink_cm: float = DERMIS_ABOVE_INK_CM) -> np.ndarray:
    """Reflectance (0..1) of skin with pigment of absorption ``ink_mua`` (..., 41) cm^-1 in the
    pigment layer, ``dermis_above_ink_cm`` below the epidermis; shape of ``ink_mua``.

    ``skin`` is a :class:`SkinParameters`, or any object whose melanin, blood, scattering,
    melanin_exponent and saturation are arrays of ``ink_mua``'s leading shape (one skin per
    dot: fitting a clinic's outcomes evaluates them all at once).
    """
    ink_mua = np.asarray(ink_mua, dtype=np.float64)
    Re, Te = _epidermis_RT(skin.melanin, skin.scattering, skin.melanin_exponent)
    mua, musp = _dermis_KS(skin.blood, skin.scattering, skin.saturation)
    K, S = layers.km_coefficients(mua, musp)
    R_below = layers.infinite(K, S)
    Ki, Si = layers.km_coefficients(mua + ink_mua, musp)
    Ri, Ti = layers.layer(Ki, Si, INK_LAYER_CM)
    R = layers.stack(Ri, Ti, R_below)
    Rp, Tp = layers.layer(K, S, dermis_above_ink_cm)
    R = layers.stack(Rp, Tp, R)
    R = layers.stack(Re, Te, R)
    return layers.saunderson(R, INTERNAL_REFLECTANCE)


def skin_Lab(melanin, blood, scattering, melanin_exponent=tissue.MELANOSOME_EXPONENT,
             saturation=tissue.OXYGEN_SATURATION) -> np.ndarray:
    """CIELAB (D65, 2 degree) of modelled skin."""
    return tissue.reflectance_to_Lab(skin_reflectance(melanin, blood, scattering,
                                                      melanin_exponent, saturation))


def skin_parameters_reflectance(skin: SkinParameters) -> np.ndarray:
    """Modelled reflectance (41,) of a fitted skin."""
    return skin_reflectance(skin.melanin, skin.blood, skin.scattering, skin.melanin_exponent,
                            skin.saturation)


def _fmt(Lab) -> str:
    return f"L* {Lab[0]:.1f}, a* {Lab[1]:.1f}, b* {Lab[2]:.1f}"


def fit_skin(Lab, what: str = "skin") -> SkinParameters:
    """Solve melanin, blood and scattering so that the modelled skin has CIELAB ``Lab``.

    Parameters
    ----------
    Lab : (3,) measured CIELAB of the skin (or scar tissue), D65 / 2 degree, L* 0..100.
    what : how the error message names the sample ("skin", "scar tissue").

    Returns
    -------
    SkinParameters, with ``fit_delta_e`` the CIEDE2000 of model vs measurement (at most
    FIT_REFUSE_DE00; above FIT_TOLERANCE_DE00 the ranking carries a ``skin_fit_approximate``
    warning).

    Raises
    ------
    AppearanceError
        When ``Lab`` is not finite, or no skin in the model's range comes within FIT_REFUSE_DE00
        (3.0 dE00) of it.
    """
    from scipy.optimize import least_squares

    from shadematch.color.delta_e import delta_E

    target = np.asarray(Lab, dtype=np.float64).reshape(-1)
    if target.shape != (3,) or not np.all(np.isfinite(target)):
        raise AppearanceError(f"the {what} colour {list(np.asarray(Lab).ravel())} is not a finite "
                              f"Lab value: re-measure the {what} region")
    names = ("melanin", "blood", "scattering", "melanin_exponent", "saturation")
    low = np.array([BOUNDS[n][0] for n in names])
    high = np.array([BOUNDS[n][1] for n in names])
    low[:3], high[:3] = np.log(low[:3]), np.log(high[:3])

    def params(x):
        return np.exp(x[..., 0]), np.exp(x[..., 1]), np.exp(x[..., 2]), x[..., 3], x[..., 4]

    # Coarse grid for a start, then a bounded least-squares polish (log fractions).
    axes = [np.linspace(lo, hi, n) for lo, hi, n in zip(low, high, (10, 8, 4, 4, 3),
                                                            strict=True)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(names))
    grid_Lab = skin_Lab(*params(grid))
    start = grid[np.argmin(np.sum((grid_Lab - target) ** 2, axis=1))]
    prior_centre = np.array([0.0, tissue.MELANOSOME_EXPONENT, tissue.OXYGEN_SATURATION])
    prior_weight = np.array([PRIOR_WEIGHTS[n] for n in names[2:]])

    def residual(x):
        return np.concatenate([skin_Lab(*params(x)) - target,
                               prior_weight * (x[2:] - prior_centre)])

    solution = least_squares(residual, start, bounds=(low, high), xtol=1e-10, ftol=1e-10)
    values = tuple(float(v) for v in params(solution.x))
    model = skin_Lab(*values)
    dE = float(delta_E(target, model, "ciede2000"))
    if dE > FIT_REFUSE_DE00:
        raise AppearanceError(
            f"the {what} colour ({_fmt(target)}) is outside what the skin model can reproduce "
            f"(closest modelled skin {_fmt(model)}, {dE:.1f} dE00 away): check the {what} region "
            f"and the photo's lighting, or rank on card colours only")
    return SkinParameters(*values, Lab=tuple(float(v) for v in target),
                          model_Lab=tuple(float(v) for v in model), fit_delta_e=dE)
