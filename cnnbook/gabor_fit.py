"""Fitting a Gabor function to a kernel: how Gabor-like is a filter?

The parameters :math:`\\theta = (\\alpha, \\beta_x, \\beta_y, f, \\phi, x_0, y_0, \\tau)` of
:func:`cnnbook.gabor.gabor` that best describe a given 2-D kernel :math:`w` (for example a filter
learned by a convolutional network) solve the non-linear least-squares problem

.. math::

    \\hat\\theta = \\arg\\min_\\theta \\sum_{i,j} \\left(w_\\theta(x_j, y_i) - w_{ij}\\right)^2

on the centred grid of :func:`cnnbook.stimuli.centred_grid`. It is not convex (the carrier is
periodic in :math:`\\phi` and :math:`f`), so :func:`fit_gabor` starts from several points read off
the kernel and refines each with :func:`scipy.optimize.least_squares` (trust-region reflective,
analytic Jacobian, bounds); the best result is returned. The residual it reports is relative,
:math:`\\lVert w - w_{\\hat\\theta}\\rVert / \\lVert w \\rVert`, so it can be compared
between kernels of any scale.

Examples
--------
>>> from cnnbook.gabor import gabor_kernel
>>> w = gabor_kernel(7, alpha=1.5, beta_x=0.15, beta_y=0.1, f=1.2, phi=0.4, tau=0.6)
>>> fit = fit_gabor(w)
>>> fit.residual < 1e-6, round(fit.params["f"], 6)
(True, 1.2)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.optimize import least_squares

from cnnbook._validate import check_int, check_real
from cnnbook.gabor import PARAM_NAMES, _image, gabor_kernel
from cnnbook.stimuli import MAX_PIXELS, centred_grid

__all__ = ["GaborFit", "fit_gabor"]

#: The decays are fitted as :math:`\log\beta` (so they stay positive) within
#: :math:`[-30, 30]`: wider than any kernel can resolve, narrow enough that :math:`e^{\pm 30}` is
#: a harmless float.
_LOG_BETA_BOUND = 30.0


class GaborFit(NamedTuple):
    """Result of :func:`fit_gabor`."""

    #: Fitted parameters, keyword arguments of :func:`cnnbook.gabor.gabor`
    #: (``gabor_kernel(w.shape, **params)`` reproduces :attr:`kernel`), in canonical form:
    #: ``alpha > 0``, ``0 <= tau < pi``, ``-pi < phi <= pi``.
    params: dict[str, float]
    #: The fitted Gabor kernel, same shape as the data.
    kernel: np.ndarray
    #: Relative residual :math:`\lVert w - \hat w \rVert / \lVert w \rVert`.
    residual: float
    #: Model evaluations ``scipy.optimize.least_squares`` used for the best start (its ``nfev``).
    iterations: int


def _model_and_jacobian(
    theta: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Gabor kernel and its Jacobian with respect to
    ``theta = (alpha, log beta_x, log beta_y, f, phi, x0, y0, tau)``, both flattened."""
    alpha, lbx, lby, f, phi, x0, y0, tau = theta
    bx, by = math.exp(lbx), math.exp(lby)
    c, s = math.cos(tau), math.sin(tau)
    dx, dy = x - x0, y - y0
    xr = dx * c + dy * s
    yr = -dx * s + dy * c
    env = np.exp(-bx * xr**2 - by * yr**2)
    arg = f * xr + phi
    ec, es = env * np.cos(arg), env * np.sin(arg)
    g = alpha * ec
    d_xr = alpha * (-2.0 * bx * xr * ec - f * es)  # dg/dx'
    d_yr = alpha * (-2.0 * by * yr * ec)  # dg/dy'
    jac = np.stack(
        [
            ec,  # alpha
            -alpha * ec * xr**2 * bx,  # log beta_x
            -alpha * ec * yr**2 * by,  # log beta_y
            -alpha * es * xr,  # f
            -alpha * es,  # phi
            -c * d_xr + s * d_yr,  # x0
            -s * d_xr - c * d_yr,  # y0
            yr * d_xr - xr * d_yr,  # tau
        ],
        axis=-1,
    )
    return g.ravel(), jac.reshape(-1, 8)


def _fft_peak(w: np.ndarray, n_fft: int) -> tuple[float, float]:
    """Angular frequency and direction ``(f, tau)`` of the largest peak of ``|FFT(w)|``."""
    spec = np.abs(np.fft.fft2(w, s=(n_fft, n_fft)))
    i, j = np.unravel_index(int(np.argmax(spec)), spec.shape)
    fy = 2 * np.pi * np.fft.fftfreq(n_fft)[i]  # rows: frequency along y
    fx = 2 * np.pi * np.fft.fftfreq(n_fft)[j]  # columns: frequency along x
    return float(math.hypot(fx, fy)), float(math.atan2(fy, fx) % np.pi)


def _starts(
    d: np.ndarray, x: np.ndarray, y: np.ndarray, n_phases: int, n_fft: int
) -> list[np.ndarray]:
    """Starting points read off the (normalised) kernel ``d``.

    The centre is the centroid of :math:`d^2` and the decays come from its spread. Two candidate
    carriers: the largest peak of the spectrum, and the largest peak once the mean is removed (for
    kernels whose carrier is hidden under a strong mean, ``f`` near 0). For each, ``n_phases``
    phases, each with the best scale :math:`\\alpha` by linear least squares.
    """
    p = d**2 / np.sum(d**2)
    cx, cy = float(np.sum(p * x)), float(np.sum(p * y))
    n = max(n_fft, *d.shape)
    data = d.ravel()
    starts = []
    for f0, tau0 in sorted({_fft_peak(d, n), _fft_peak(d - d.mean(), n)}):
        c, s = math.cos(tau0), math.sin(tau0)
        xr = (x - cx) * c + (y - cy) * s
        yr = -(x - cx) * s + (y - cy) * c
        # for a squared envelope exp(-2 beta u^2) the variance of u is 1 / (4 beta)
        bx0 = 1.0 / (4.0 * max(float(np.sum(p * xr**2)), 0.25))
        by0 = 1.0 / (4.0 * max(float(np.sum(p * yr**2)), 0.25))
        for phi0 in 2 * np.pi * np.arange(n_phases) / n_phases:
            theta = np.array([1.0, math.log(bx0), math.log(by0), f0, phi0, cx, cy, tau0])
            g, _ = _model_and_jacobian(theta, x, y)
            gg = float(g @ g)
            theta[0] = (float(g @ data) / gg if gg > 0 else 0.0) or 1e-3  # best scale
            starts.append(theta)
    return starts


def _canonical(theta: np.ndarray) -> dict[str, float]:
    """Parameters as keyword arguments of :func:`cnnbook.gabor.gabor`, in canonical form.

    Equivalences used: (alpha, phi) ~ (-alpha, phi + pi) and (tau, phi) ~ (tau + pi, -phi).
    """
    alpha, lbx, lby, f, phi, x0, y0, tau = (float(v) for v in theta)
    if alpha < 0:
        alpha, phi = -alpha, phi + np.pi
    turns = math.floor(tau / np.pi)
    tau -= turns * np.pi
    if turns % 2:
        phi = -phi
    phi = float(np.pi - (np.pi - phi) % (2 * np.pi))  # in (-pi, pi]
    return dict(
        zip(
            PARAM_NAMES,
            (alpha, math.exp(lbx), math.exp(lby), f, phi, x0, y0, float(tau)),
            strict=True,
        )
    )


def fit_gabor(
    w: np.ndarray, *, n_phases: int = 8, max_iter: int = 200, tol: float = 1e-12, n_fft: int = 64
) -> GaborFit:
    """Least-squares fit of a Gabor function to a 2-D kernel (e.g. a learned CNN filter).

    The kernel is first divided by its largest magnitude, so the fit behaves the same at every
    scale (a kernel times :math:`10^{-200}` or :math:`10^{200}` gives the same parameters, with
    ``alpha`` scaled). Initialisation: the frequency :math:`f` and direction :math:`\\tau` of the
    largest peak of the zero-padded Fourier transform of ``w`` (with and without its mean), the
    centre at the centroid of :math:`w^2`, the decays from its spread, and ``n_phases`` phases on
    a grid, each with the best scale :math:`\\alpha` by linear least squares. Each start is refined
    by :func:`scipy.optimize.least_squares` (``method="trf"``) with the analytic Jacobian, the
    decays fitted as :math:`\\log\\beta` (so they stay positive), :math:`f \\ge 0` and the centre
    within twice the kernel's size of the middle; the best result is returned.

    Parameters
    ----------
    w : array_like
        The 2-D kernel to fit (real, finite, not zero everywhere).
    n_phases : int
        Number of starting phases, evenly spaced in :math:`[0, 2\\pi)`; ``>= 1``.
    max_iter : int
        Maximum model evaluations per start (``max_nfev`` of ``least_squares``); ``>= 1``.
    tol : float
        ``ftol``, ``xtol`` and ``gtol`` of ``least_squares``: stop when one step lowers the squared
        error, or changes the parameters, by less than this fraction. At least the machine epsilon
        (``numpy.finfo(float).eps``) and below 1.
    n_fft : int
        Size of the zero-padded FFT used for the initial frequency and direction; ``>= 2``. The
        FFT is ``max(n_fft, *w.shape)`` points on a side, at most
        :data:`cnnbook.stimuli.MAX_PIXELS` in all.

    Returns
    -------
    GaborFit
        ``params`` (keyword arguments of :func:`cnnbook.gabor.gabor`), the fitted ``kernel``, the
        relative ``residual`` and the number of model evaluations (``iterations``).

    Raises
    ------
    TypeError
        If ``w`` is not a real array (complex input is refused) or an integer option is not an int.
    ValueError
        If ``w`` is not 2-D, not finite, or zero everywhere, if an option is out of range (or the
        FFT too large), or if the fitted scale :math:`\\alpha` would overflow float64 (a kernel
        within a small factor of the largest float).

    Examples
    --------
    >>> from cnnbook.gabor import gabor_kernel
    >>> w = gabor_kernel(7, alpha=1.5, beta_x=0.15, beta_y=0.1, f=1.2, phi=0.4, tau=0.6)
    >>> fit = fit_gabor(w * 1e-200)
    >>> fit.residual < 1e-6, round(fit.params["alpha"] / 1e-200, 6)
    (True, 1.5)
    """
    w_ = _image("w", w)
    n_phases_ = check_int(n_phases, "n_phases", 1)
    max_iter_ = check_int(max_iter, "max_iter", 1)
    n_fft_ = check_int(n_fft, "n_fft", 2)
    if max(n_fft_, *w_.shape) ** 2 > MAX_PIXELS:
        raise ValueError(
            f"n_fft = {n_fft_} and w of shape {w_.shape} ask for an FFT of "
            f"{max(n_fft_, *w_.shape) ** 2:,} points; the limit is {MAX_PIXELS:,} "
            f"(cnnbook.stimuli.MAX_PIXELS)"
        )
    eps = float(np.finfo(float).eps)
    tol_ = check_real(tol, "tol", minimum=eps)
    if tol_ >= 1:
        raise ValueError(f"tol must be < 1, got {tol!r}")
    scale = float(np.max(np.abs(w_)))
    if scale == 0.0:
        raise ValueError("w must not be zero everywhere: there is nothing to fit")
    d = w_ / scale  # largest magnitude 1: the fit no longer depends on the kernel's scale
    x, y = centred_grid(w_.shape)
    data = d.ravel()
    bound = 2.0 * max(w_.shape)
    lower = [-np.inf, -_LOG_BETA_BOUND, -_LOG_BETA_BOUND, 0.0, -np.inf, -bound, -bound, -np.inf]
    upper = [np.inf, _LOG_BETA_BOUND, _LOG_BETA_BOUND, np.inf, np.inf, bound, bound, np.inf]

    def residual(theta: np.ndarray) -> np.ndarray:
        return _model_and_jacobian(theta, x, y)[0] - data

    def jacobian(theta: np.ndarray) -> np.ndarray:
        return _model_and_jacobian(theta, x, y)[1]

    runs = [
        least_squares(
            residual,
            theta,
            jac=jacobian,
            bounds=(lower, upper),
            method="trf",
            ftol=tol_,
            xtol=tol_,
            gtol=tol_,
            max_nfev=max_iter_,
        )
        for theta in _starts(d, x, y, n_phases_, n_fft_)
    ]
    best = min(runs, key=lambda run: run.cost)
    params = _canonical(best.x)
    kernel_d = gabor_kernel(w_.shape, **params)
    residual_ = float(np.linalg.norm(kernel_d - d) / np.linalg.norm(d))
    alpha = params["alpha"] * scale
    if not math.isfinite(alpha):
        raise ValueError(
            f"w is too large to fit: its largest magnitude {scale:.3g} times the "
            f"fitted relative scale {params['alpha']:.3g} overflows float64"
        )
    params["alpha"] = alpha
    return GaborFit(
        params=params, kernel=kernel_d * scale, residual=residual_, iterations=int(best.nfev)
    )
