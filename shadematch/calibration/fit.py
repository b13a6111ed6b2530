"""Colour-correction models from linear camera RGB to CIE XYZ, their fit and leave-one-out error.

Models (Finlayson, Mackiewicz and Hurlbert 2015, "Color correction using root-polynomial
regression", IEEE TIP 24(5)):

- ``matrix-3x3``: XYZ = M @ (R, G, B).
- ``root-polynomial-2``: M (3 x 6) over (R, G, B, sqrt(RG), sqrt(GB), sqrt(RB)).
- ``root-polynomial-3``: M (3 x 13), adding the cube roots of RG^2, GB^2, RB^2, GR^2, BG^2,
  BR^2 and RGB. Root-polynomials scale linearly with exposure, unlike plain polynomials.

Each can be preceded by per-channel ``tone curves`` estimated from the six neutral patches
(``curves+...``): a quadratic in log-log space per channel, fitted to the neutral patches, that
undoes a camera tone curve which is not the sRGB one (JPEG "looks", gamma 1.8, filmic S-curves)
before the linear model.

The fit is weighted least squares in XYZ with weights that approximate CIELAB's compression of
light colours (w = Y^(-2/3)), so that dark patches count as much as light ones, then polished by
Levenberg-Marquardt on the CIELAB residuals. The model is picked by its leave-one-out error: each
patch predicted by a fit made without it, in CIEDE2000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shadematch.calibration._colour import XYZ_to_Lab, delta_E_CIE2000

#: Number of expansion terms per model.
N_TERMS = {"matrix-3x3": 3, "root-polynomial-2": 6, "root-polynomial-3": 13}

#: Candidate models tried, simplest first (ties go to the simpler one).
CANDIDATES = ("matrix-3x3", "root-polynomial-2", "root-polynomial-3",
              "curves+matrix-3x3", "curves+root-polynomial-2")

#: Ridge term relative to the mean diagonal of the normal equations: keeps a near-singular
#: expansion (e.g. a nearly grey set of patches) from exploding without biasing a good fit.
_RIDGE = 1e-6

_EPS = 1e-9


def _split(model: str) -> tuple[bool, str]:
    if model.startswith("curves+"):
        return True, model[len("curves+"):]
    return False, model


def expand(RGB: np.ndarray, base: str) -> np.ndarray:
    """Root-polynomial expansion of (..., 3) non-negative RGB for the model ``base``."""
    RGB = np.clip(np.asarray(RGB, dtype=np.float64), 0.0, None)
    R, G, B = RGB[..., 0], RGB[..., 1], RGB[..., 2]
    terms = [R, G, B]
    if base in ("root-polynomial-2", "root-polynomial-3"):
        terms += [np.sqrt(R * G), np.sqrt(G * B), np.sqrt(R * B)]
    if base == "root-polynomial-3":
        terms += [np.cbrt(R * G * G), np.cbrt(G * B * B), np.cbrt(R * B * B),
                  np.cbrt(G * R * R), np.cbrt(B * G * G), np.cbrt(B * R * R),
                  np.cbrt(R * G * B)]
    if base not in N_TERMS:
        raise ValueError(f"unknown model {base!r}")
    return np.stack(terms, axis=-1)


@dataclass
class ToneCurves:
    """Per-channel tone curves, quadratic in log-log space: ``log out = c0 + c1 L + c2 L^2``
    with ``L = log(in)``.

    Fitted on the neutral patches (so each channel maps to the neutrals' luminance). Outside the
    range of the neutrals (``log_range``) the curve continues as a straight line in log-log (a
    power law) with the slope it has at the end, so it stays monotonic and never explodes. A
    channel whose quadratic would not rise steadily over its range falls back to a power law.
    """

    coefficients: np.ndarray      # (3, 3): c0, c1, c2 per channel
    log_range: np.ndarray         # (3, 2): lowest and highest log(in) of the neutrals

    def __call__(self, RGB: np.ndarray) -> np.ndarray:
        L = np.log(np.clip(np.asarray(RGB, dtype=np.float64), _EPS, None))
        out = np.empty_like(L)
        for c in range(3):
            c0, c1, c2 = self.coefficients[c]
            lo, hi = self.log_range[c]
            Lc = L[..., c]
            Lk = np.clip(Lc, lo, hi)
            out[..., c] = c0 + c1 * Lk + c2 * Lk ** 2 + (c1 + 2 * c2 * Lk) * (Lc - Lk)
        return np.exp(np.clip(out, -40, 10))

    def is_monotonic(self, min_slope: float = 0.3) -> bool:
        c1, c2 = self.coefficients[:, 1], self.coefficients[:, 2]
        ends = np.stack([c1 + 2 * c2 * self.log_range[:, 0], c1 + 2 * c2 * self.log_range[:, 1]])
        return bool(np.all(ends >= min_slope) and np.all(ends <= 5.0))

    @classmethod
    def fit(cls, RGB_neutral: np.ndarray, Y_neutral: np.ndarray) -> ToneCurves:
        x = np.log(np.clip(np.asarray(RGB_neutral, dtype=np.float64), _EPS, None))
        y = np.log(np.clip(np.asarray(Y_neutral, dtype=np.float64), _EPS, None))
        coefficients = np.zeros((3, 3))
        log_range = np.stack([x.min(axis=0), x.max(axis=0)], axis=-1)
        for c in range(3):
            A = np.stack([np.ones_like(x[:, c]), x[:, c], x[:, c] ** 2], axis=-1)
            co = np.linalg.lstsq(A, y, rcond=None)[0] if len(y) >= 4 else None
            lo, hi = log_range[c]
            if co is None or min(co[1] + 2 * co[2] * lo, co[1] + 2 * co[2] * hi) < 0.3:
                co = np.append(np.linalg.lstsq(A[:, :2], y, rcond=None)[0], 0.0)
                co[1] = np.clip(co[1], 0.4, 2.5)
            coefficients[c] = co
        return cls(coefficients, log_range)


@dataclass
class FittedModel:
    """A fitted model: optional tone curves, then ``XYZ = expand(RGB) @ matrix.T``."""

    model: str
    matrix: np.ndarray            # (3, n_terms)
    curves: ToneCurves | None = None

    def __call__(self, RGB_lin: np.ndarray) -> np.ndarray:
        _, base = _split(self.model)
        return expand(self.pre(RGB_lin), base) @ self.matrix.T

    def pre(self, RGB_lin: np.ndarray) -> np.ndarray:
        """The per-channel stage (tone curves, or nothing) of linear RGB (..., 3), float64."""
        RGB = np.asarray(RGB_lin, dtype=np.float64)
        return self.curves(RGB) if self.curves is not None else RGB

    @property
    def is_linear_after_pre(self) -> bool:
        """True when everything after :meth:`pre` is one 3x3 matrix."""
        return _split(self.model)[1] == "matrix-3x3"

    def to_dict(self) -> dict:
        curves = None
        if self.curves is not None:
            curves = {"log_coefficients": self.curves.coefficients.tolist(),
                      "log_range": self.curves.log_range.tolist()}
        return {"model": self.model, "matrix": self.matrix.tolist(), "curves": curves}

    @classmethod
    def from_dict(cls, d: dict) -> FittedModel:
        model = str(d["model"])
        _, base = _split(model)
        matrix = np.asarray(d["matrix"], dtype=np.float64)
        if base not in N_TERMS or matrix.shape != (3, N_TERMS[base]):
            raise ValueError(f"transform of model {model!r} has a matrix of shape {matrix.shape}")
        curves = None
        if d.get("curves") is not None:
            coefficients = np.asarray(d["curves"]["log_coefficients"], dtype=np.float64)
            log_range = np.asarray(d["curves"]["log_range"], dtype=np.float64)
            if coefficients.shape != (3, 3) or log_range.shape != (3, 2):
                raise ValueError("tone curves must have 3 x 3 coefficients and 3 x 2 ranges")
            curves = ToneCurves(coefficients, log_range)
        if model.startswith("curves+") and curves is None:
            raise ValueError("a curves+ model needs its tone curves")
        if not (np.all(np.isfinite(matrix)) and (curves is None or np.all(np.isfinite(
                curves.coefficients)))):
            raise ValueError("the transform holds non-finite numbers")
        return cls(model, matrix, curves)


def _weights(XYZ: np.ndarray) -> np.ndarray:
    return np.clip(XYZ[:, 1], 0.01, None) ** (-2.0 / 3.0)


def fit_model(model: str, RGB_lin: np.ndarray, XYZ: np.ndarray,
              neutral: np.ndarray | None = None, refine: bool = True,
              start: FittedModel | None = None) -> FittedModel:
    """Fit ``model`` to patches: (n, 3) linear camera RGB -> (n, 3) reference XYZ.

    Parameters
    ----------
    model : one of :data:`CANDIDATES`.
    RGB_lin, XYZ : (n, 3) arrays of the usable patches.
    neutral : (n,) bool, the neutral patches (needed by ``curves+`` models).
    refine : polish the least-squares fit in CIELAB (see :func:`_refine_in_Lab`).
    start : a fit of the same model on (nearly) the same patches to start the polish from
        (leave-one-out refits start from the full fit, which makes them several times faster).
    """
    use_curves, base = _split(model)
    curves = None
    RGB = np.asarray(RGB_lin, dtype=np.float64)
    if use_curves:
        if neutral is None or np.count_nonzero(neutral) < 3:
            raise ValueError("tone curves need at least three neutral patches")
        curves = ToneCurves.fit(RGB[neutral], XYZ[neutral, 1])
        RGB = curves(RGB)
    X = expand(RGB, base)
    w = np.sqrt(_weights(XYZ))[:, None]
    A = X * w
    normal = A.T @ A
    normal += np.eye(len(normal)) * _RIDGE * np.trace(normal) / len(normal)
    matrix = np.linalg.solve(normal, A.T @ (XYZ * w)).T
    fitted = FittedModel(model, matrix, curves)
    if refine:
        fitted = _refine_in_Lab(fitted, np.asarray(RGB_lin, dtype=np.float64), XYZ_to_Lab(XYZ),
                                start if start is not None and start.model == model else None)
    return fitted


#: Models with more parameters than this are not polished in Lab: with 24 patches they would
#: start fitting the noise (root-polynomial-3's leave-one-out error triples when polished).
MAX_REFINED_PARAMETERS = 27


def _batched_XYZ(params: np.ndarray, RGB_lin: np.ndarray, base: str, n_curve: int,
                 log_range: np.ndarray | None) -> np.ndarray:
    """XYZ predicted by a batch of parameter vectors (B, P) for patches (n, 3) -> (B, n, 3)."""
    B = params.shape[0]
    if n_curve:
        co = params[:, :n_curve].reshape(B, 1, 3, 3)
        L = np.log(np.clip(RGB_lin, _EPS, None))[None]           # (1, n, 3)
        Lk = np.clip(L, log_range[:, 0], log_range[:, 1])
        c0, c1, c2 = co[..., 0], co[..., 1], co[..., 2]           # (B, 1, 3)
        # Clipped exponent: a trial step of the optimiser must not overflow.
        RGB = np.exp(np.clip(c0 + c1 * Lk + c2 * Lk ** 2 + (c1 + 2 * c2 * Lk) * (L - Lk), -40, 10))
        terms = expand(RGB, base)                                  # (B, n, T)
    else:
        terms = np.broadcast_to(expand(RGB_lin, base), (B,) + RGB_lin.shape[:1]
                                + (N_TERMS[base],))
    matrix = params[:, n_curve:].reshape(B, 3, -1)
    return np.einsum("bnt,bkt->bnk", terms, matrix)


def _refine_in_Lab(fitted: FittedModel, RGB_lin: np.ndarray, Lab_ref: np.ndarray,
                   start: FittedModel | None = None) -> FittedModel:
    """Polish a least-squares fit by minimising the CIELAB differences themselves.

    The XYZ least squares is only a proxy for perceptual error; Levenberg-Marquardt on the Lab
    residuals (curves and matrix together) lowers the delta-E the user sees, typically by a third.
    ``start`` (a fit on nearly the same patches) is used as the starting point when given.
    Skipped for models with many parameters or too few patches; the polished fit is kept only
    when it is better than ``fitted`` and its curves still rise steadily.
    """
    from scipy.optimize import least_squares

    _, base = _split(fitted.model)
    curves = fitted.curves
    n_curve = 0 if curves is None else curves.coefficients.size
    n_params = fitted.matrix.size + n_curve
    if n_params > MAX_REFINED_PARAMETERS or Lab_ref.size < 2.5 * n_params:
        return fitted
    log_range = None if curves is None else curves.log_range

    def pack(f: FittedModel) -> np.ndarray:
        return np.concatenate([[] if f.curves is None else f.curves.coefficients.ravel(),
                               f.matrix.ravel()])

    def residuals_batch(P: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            r = (XYZ_to_Lab(_batched_XYZ(P, RGB_lin, base, n_curve, log_range))
                 - Lab_ref).reshape(len(P), -1)
        # A wild trial step gets a large finite residual, so the optimiser backs off.
        return np.nan_to_num(r, nan=1e3, posinf=1e3, neginf=-1e3)

    def residuals(p: np.ndarray) -> np.ndarray:
        return residuals_batch(p[None])[0]

    def jacobian(p: np.ndarray) -> np.ndarray:
        # Forward differences, all parameters in one vectorised evaluation.
        h = 1e-7 * np.maximum(np.abs(p), 1e-2)
        P = p[None, :] + np.diag(h)
        return ((residuals_batch(P) - residuals(p)[None, :]) / h[:, None]).T

    p_ls = pack(fitted)
    p0 = pack(start) if start is not None and (start.curves is None) == (curves is None) else p_ls
    try:
        result = least_squares(residuals, p0, jac=jacobian, method="lm", max_nfev=100)
    except (ValueError, np.linalg.LinAlgError):
        return fitted
    if not np.all(np.isfinite(result.x)):
        return fitted
    refined = FittedModel(fitted.model, result.x[n_curve:].reshape(fitted.matrix.shape),
                          None if curves is None
                          else ToneCurves(result.x[:n_curve].reshape(3, 3), curves.log_range))
    if refined.curves is not None and not refined.curves.is_monotonic():
        return fitted
    if np.sum(residuals(result.x) ** 2) >= np.sum(residuals(p_ls) ** 2):
        return fitted
    return refined


def min_patches(model: str) -> int:
    """Fewest usable patches for a meaningful fit (terms + 3 so leave-one-out has slack)."""
    _, base = _split(model)
    return N_TERMS[base] + 3


def residuals_dE(fitted: FittedModel, RGB_lin: np.ndarray, Lab_ref: np.ndarray) -> np.ndarray:
    """CIEDE2000 between each patch's corrected colour and its reference."""
    return delta_E_CIE2000(XYZ_to_Lab(fitted(RGB_lin)), Lab_ref)


def leave_one_out_dE(model: str, RGB_lin: np.ndarray, XYZ: np.ndarray, Lab_ref: np.ndarray,
                     neutral: np.ndarray | None = None,
                     cancelled: Callable[[], bool] | None = None,
                     refine: bool = True) -> np.ndarray:
    """CIEDE2000 of each patch predicted by a fit made without it.

    Raises
    ------
    InterruptedError
        ``cancelled()`` returned True.
    """
    n = len(RGB_lin)
    out = np.empty(n)
    keep = np.ones(n, dtype=bool)
    full = fit_model(model, RGB_lin, XYZ, neutral, refine=refine)
    for i in range(n):
        if cancelled is not None and cancelled():
            raise InterruptedError
        keep[:] = True
        keep[i] = False
        fitted = fit_model(model, RGB_lin[keep], XYZ[keep],
                           None if neutral is None else neutral[keep], refine=refine,
                           start=full)
        out[i] = delta_E_CIE2000(XYZ_to_Lab(fitted(RGB_lin[i:i + 1])), Lab_ref[i:i + 1])[0]
    return out
