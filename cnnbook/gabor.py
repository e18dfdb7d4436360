"""Gabor functions, simple and complex cells: the model of the first stage of vision.

A Gabor function is a Gaussian envelope times a cosine carrier. Following Goodfellow, Bengio and
Courville, *Deep Learning* (2016), section 9.10, the weight a model simple cell gives to the image
point :math:`(x, y)` is

.. math::

    w(x, y; \\alpha, \\beta_x, \\beta_y, f, \\phi, x_0, y_0, \\tau)
    = \\alpha \\exp\\left(-\\beta_x x'^2 - \\beta_y y'^2\\right) \\cos(f x' + \\phi),

    x' = (x - x_0)\\cos\\tau + (y - y_0)\\sin\\tau, \\qquad
    y' = -(x - x_0)\\sin\\tau + (y - y_0)\\cos\\tau .

(The book prints :math:`y^2` in the exponent; the rotated :math:`y'^2` is meant, and used here.)
``alpha`` scales the weights, ``beta_x`` and ``beta_y`` (per squared pixel) set how fast the
envelope decays along :math:`x'` and :math:`y'`, ``f`` is the angular frequency of the carrier in
radians per pixel (wavelength :math:`2\\pi/f` pixels), ``phi`` its phase, ``(x0, y0)`` the
centre and ``tau`` the direction of the :math:`x'` axis.

Grid convention
    Kernels are sampled on a centred grid: entry ``w[i, j]`` is :math:`w(x_j, y_i)` with
    :math:`x_j = j - (n-1)/2` (columns are :math:`x`) and :math:`y_i = i - (m-1)/2` (rows are
    :math:`y`). As in every image array, :math:`y` grows *downwards*, so a positive ``tau``
    turns the :math:`x'` axis clockwise on screen. ``tau`` is the direction across the stripes of
    the carrier; the stripes themselves run along :math:`y'`, at angle ``tau + pi/2``. With
    ``tau = 0`` the carrier varies along :math:`x` and the stripes are vertical.

A simple cell responds :math:`s(I) = \\sum_x \\sum_y w(x, y) I(x, y)` to an image :math:`I`
(:func:`simple_cell`, optionally followed by a rectifier); a complex cell combines a quadrature pair
:math:`w_0, w_1` (phases :math:`\\phi` and :math:`\\phi + \\pi/2`) into the energy
:math:`c(I) = \\sqrt{s_0(I)^2 + s_1(I)^2}` (:func:`complex_cell`), which hardly depends on the
phase of a matched grating. :func:`fit_gabor` fits the eight parameters to any 2-D kernel, such as
a filter learned by a convolutional network.

Examples
--------
>>> from cnnbook.gabor import gabor_kernel, simple_cell
>>> w = gabor_kernel(7, beta_x=0.1, beta_y=0.1, f=1.0, phi=0.0)
>>> w.shape
(7, 7)
>>> round(simple_cell(w, w), 4) == round(float((w * w).sum()), 4)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from cnnbook._validate import check_ndim, check_real, real_array
from cnnbook.conv import correlate

__all__ = [
    "GaborFit",
    "complex_cell",
    "fit_gabor",
    "gabor",
    "gabor_bank",
    "gabor_kernel",
    "grating",
    "grid",
    "quadrature_pair",
    "simple_cell",
]

#: Order of the parameters in :attr:`GaborFit.params` and in the fitting routine.
PARAM_NAMES: tuple[str, ...] = ("alpha", "beta_x", "beta_y", "f", "phi", "x0", "y0", "tau")


# -- validation ------------------------------------------------------------------------------------
def _params(alpha: object, beta_x: object, beta_y: object, f: object, phi: object, x0: object,
            y0: object, tau: object) -> tuple[float, ...]:
    """Validated Gabor parameters in :data:`PARAM_NAMES` order."""
    f_ = check_real(f, "f")
    if f_ < 0:
        raise ValueError(f"f must be >= 0 (an angular frequency in radians per pixel), got {f!r}")
    beta_x_ = check_real(beta_x, "beta_x", minimum=0, strict=True)
    beta_y_ = check_real(beta_y, "beta_y", minimum=0, strict=True)
    return (check_real(alpha, "alpha"), beta_x_, beta_y_, f_, check_real(phi, "phi"),
            check_real(x0, "x0"), check_real(y0, "y0"), check_real(tau, "tau"))


def _image(name: str, a: object) -> np.ndarray:
    return check_ndim(real_array(a, name, float64=True, finite=True), name, 2, "(rows, cols)")


def _shape(size: object) -> tuple[int, int]:
    """``size`` (an int n, or a pair (rows, cols)) as a pair of positive ints."""
    items = size if isinstance(size, (tuple, list)) else (size, size)
    if len(items) != 2:
        raise ValueError(f"size must be an int or a pair (rows, cols), got {size!r}")
    out = []
    for n in items:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"size must be a positive int or a pair of them, got {size!r}")
        if n < 1:
            raise ValueError(f"size must be positive, got {size!r}")
        out.append(int(n))
    return out[0], out[1]


# -- the Gabor function ----------------------------------------------------------------------------
def gabor(x: np.ndarray | float, y: np.ndarray | float, *, alpha: float = 1.0, beta_x: float,
          beta_y: float, f: float, phi: float, x0: float = 0.0, y0: float = 0.0,
          tau: float = 0.0) -> np.ndarray:
    """The Gabor function :math:`w(x, y)` of Goodfellow et al. (eq. 9.16), on arrays of points.

    Parameters
    ----------
    x, y : array_like
        Coordinates of the points (broadcast against each other).
    alpha : float
        Scale :math:`\\alpha` of the weights (its sign flips the pattern).
    beta_x, beta_y : float
        Decay rates :math:`\\beta_x, \\beta_y > 0` of the Gaussian envelope along :math:`x'` and
        :math:`y'`, per squared pixel; the envelope's standard deviation is
        :math:`1/\\sqrt{2\\beta}`.
    f : float
        Angular frequency :math:`f \\ge 0` of the cosine carrier, radians per pixel.
    phi : float
        Phase :math:`\\phi` of the carrier, radians.
    x0, y0 : float
        Centre of the receptive field.
    tau : float
        Direction :math:`\\tau` (radians) of the :math:`x'` axis, along which the carrier varies.

    Returns
    -------
    numpy.ndarray
        :math:`w(x, y)`, float64, with the broadcast shape of ``x`` and ``y``.

    Raises
    ------
    TypeError
        If a parameter is not a real number or ``x``/``y`` are not real arrays.
    ValueError
        If ``beta_x`` or ``beta_y`` is not positive, ``f`` is negative, a value is not finite,
        or ``x`` and ``y`` do not broadcast.

    Examples
    --------
    >>> float(gabor(0.0, 0.0, alpha=2.0, beta_x=1.0, beta_y=1.0, f=1.0, phi=0.0))
    2.0
    """
    p = _params(alpha, beta_x, beta_y, f, phi, x0, y0, tau)
    x_ = real_array(x, "x", float64=True, finite=True)
    y_ = real_array(y, "y", float64=True, finite=True)
    try:
        x_, y_ = np.broadcast_arrays(x_, y_)
    except ValueError:
        raise ValueError(f"x and y must broadcast, got shapes {x_.shape} and {y_.shape}") from None
    return _gabor(x_, y_, p)


def _gabor(x: np.ndarray, y: np.ndarray, p: Sequence[float]) -> np.ndarray:
    alpha, beta_x, beta_y, f, phi, x0, y0, tau = p
    dx, dy = x - x0, y - y0
    xr = dx * math.cos(tau) + dy * math.sin(tau)
    yr = -dx * math.sin(tau) + dy * math.cos(tau)
    return alpha * np.exp(-beta_x * xr**2 - beta_y * yr**2) * np.cos(f * xr + phi)


def grid(size: int | tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The centred coordinates ``(x, y)`` of a kernel grid: columns are x, rows are y.

    Parameters
    ----------
    size : int or (int, int)
        ``n`` for an n×n grid, or ``(rows, cols)``.

    Returns
    -------
    x, y : numpy.ndarray
        Arrays of shape (rows, cols) with ``x[i, j] = j - (cols-1)/2`` and
        ``y[i, j] = i - (rows-1)/2`` (y grows downwards, as row indices do).

    Raises
    ------
    TypeError, ValueError
        If ``size`` is not a positive int or a pair of them.

    Examples
    --------
    >>> x, y = grid(3)
    >>> x[0].tolist(), y[:, 0].tolist()
    ([-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0])
    """
    rows, cols = _shape(size)
    y, x = np.meshgrid(np.arange(rows) - (rows - 1) / 2, np.arange(cols) - (cols - 1) / 2,
                       indexing="ij")
    return x, y


def gabor_kernel(size: int | tuple[int, int], **params: float) -> np.ndarray:
    """The Gabor function sampled on a centred grid (see :func:`grid`).

    Parameters
    ----------
    size : int or (int, int)
        ``n`` for an n×n kernel, or ``(rows, cols)``.
    **params : float
        The keyword arguments of :func:`gabor` (``beta_x``, ``beta_y``, ``f``, ``phi`` required).

    Returns
    -------
    numpy.ndarray
        ``w`` with ``w[i, j] = gabor(x_j, y_i, **params)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`gabor` and :func:`grid`.

    Examples
    --------
    >>> w = gabor_kernel(5, beta_x=0.2, beta_y=0.2, f=1.5, phi=0.0)
    >>> w.shape, float(w[2, 2])
    ((5, 5), 1.0)
    """
    x, y = grid(size)
    return gabor(x, y, **params)


def gabor_bank(size: int, taus: Sequence[float] | np.ndarray, fs: Sequence[float] | np.ndarray,
               **params: float) -> np.ndarray:
    """A bank of Gabor kernels over orientations and frequencies.

    Parameters
    ----------
    size : int
        Kernel size (n×n).
    taus : sequence of float
        Directions :math:`\\tau` (radians).
    fs : sequence of float
        Angular frequencies :math:`f` (radians per pixel).
    **params : float
        The other keyword arguments of :func:`gabor` (``beta_x``, ``beta_y``, ``phi`` required;
        ``tau`` and ``f`` come from ``taus`` and ``fs``).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(fs), len(taus), size, size)``: ``bank[k, l]`` is
        ``gabor_kernel(size, f=fs[k], tau=taus[l], **params)``.

    Raises
    ------
    TypeError, ValueError
        If ``taus`` or ``fs`` is not a non-empty 1-D sequence of finite numbers, ``params`` holds
        ``tau`` or ``f``, or as :func:`gabor_kernel`.

    Examples
    --------
    >>> bank = gabor_bank(9, [0.0, 0.785, 1.571], [0.8, 1.6], beta_x=0.05, beta_y=0.05, phi=0.0)
    >>> bank.shape
    (2, 3, 9, 9)
    """
    for name in ("tau", "f"):
        if name in params:
            raise TypeError(f"gabor_bank takes {name} from {name}s, not as a keyword argument")
    t = check_ndim(real_array(taus, "taus", float64=True, finite=True), "taus", 1, "(L,)")
    fr = check_ndim(real_array(fs, "fs", float64=True, finite=True), "fs", 1, "(K,)")
    return np.stack([np.stack([gabor_kernel(size, tau=float(tk), f=float(fk), **params)
                               for tk in t]) for fk in fr])


def quadrature_pair(size: int | tuple[int, int], *, phi: float = 0.0,
                    **params: float) -> tuple[np.ndarray, np.ndarray]:
    """Two Gabor kernels a quarter period apart: phases :math:`\\phi` and :math:`\\phi + \\pi/2`.

    Parameters
    ----------
    size : int or (int, int)
        Kernel size, as in :func:`gabor_kernel`.
    phi : float
        Phase of the first kernel.
    **params : float
        The other keyword arguments of :func:`gabor` (``beta_x``, ``beta_y``, ``f`` required).

    Returns
    -------
    w0, w1 : numpy.ndarray
        The kernels with phases ``phi`` and ``phi + pi/2`` (an even and an odd kernel for
        ``phi = 0``).

    Raises
    ------
    TypeError, ValueError
        As :func:`gabor_kernel`.

    Examples
    --------
    >>> w0, w1 = quadrature_pair(9, beta_x=0.05, beta_y=0.05, f=1.0)
    >>> bool(abs(w1[4, 4]) < 1e-12)   # the odd kernel vanishes at its centre
    True
    """
    phi_ = check_real(phi, "phi")
    return gabor_kernel(size, phi=phi_, **params), gabor_kernel(size, phi=phi_ + np.pi / 2,
                                                                **params)


def grating(size: int | tuple[int, int], *, f: float, tau: float = 0.0, phi: float = 0.0,
            contrast: float = 1.0) -> np.ndarray:
    """A sinusoidal grating :math:`I(x, y) = c \\cos(f x' + \\phi)` on the centred grid.

    It is the carrier of :func:`gabor` without the envelope (same :math:`x'`, with
    :math:`x_0 = y_0 = 0`): the stimulus a Gabor cell with the same ``f``, ``tau`` and ``phi``
    matches best.

    Parameters
    ----------
    size : int or (int, int)
        Image size, as in :func:`grid`.
    f : float
        Angular frequency (radians per pixel), ``f >= 0``.
    tau : float
        Direction across the stripes (radians).
    phi : float
        Phase (radians); changing it shifts the stripes.
    contrast : float
        Amplitude :math:`c`.

    Returns
    -------
    numpy.ndarray
        The grating, float64.

    Raises
    ------
    TypeError, ValueError
        If a parameter is not a finite real number, ``f`` is negative, or as :func:`grid`.

    Examples
    --------
    >>> g = grating(3, f=np.pi)   # a period of two pixels, varying along x
    >>> np.round(g, 6).tolist()
    [[-1.0, 1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, 1.0, -1.0]]
    """
    f_ = check_real(f, "f")
    if f_ < 0:
        raise ValueError(f"f must be >= 0, got {f!r}")
    tau_, phi_, c = check_real(tau, "tau"), check_real(phi, "phi"), check_real(contrast, "contrast")
    x, y = grid(size)
    return c * np.cos(f_ * (x * math.cos(tau_) + y * math.sin(tau_)) + phi_)


# -- model cells -----------------------------------------------------------------------------------
def simple_cell(image: np.ndarray, w: np.ndarray, *, rectify: bool = False,
                mode: str = "valid") -> float | np.ndarray:
    """Response :math:`s(I) = \\sum_x \\sum_y w(x, y) I(x, y)` of a model simple cell.

    Parameters
    ----------
    image : array_like
        A 2-D image :math:`I`. If it has the shape of ``w`` it is one receptive-field patch and
        the response is a number; if it is larger, the cell slides over it (a cross-correlation,
        :func:`cnnbook.conv.correlate`) and the response is a map.
    w : array_like
        The 2-D receptive field (weights), e.g. from :func:`gabor_kernel`.
    rectify : bool
        Apply the rectifier :math:`\\max(0, s)` (the ReLU detector stage).
    mode : {"valid", "same"}
        For a larger image: positions where ``w`` fits entirely (``"valid"``) or one per pixel,
        zero-padded (``"same"``). Ignored for a single patch.

    Returns
    -------
    float or numpy.ndarray
        The response (a float for a patch, a 2-D map otherwise).

    Raises
    ------
    TypeError
        If ``image`` or ``w`` is not a real array, or ``rectify`` is not a bool.
    ValueError
        If ``image`` or ``w`` is not 2-D or not finite, ``mode`` is unknown, or in ``"valid"`` mode
        ``image`` is smaller than ``w``.

    Examples
    --------
    >>> w = np.array([[1.0, -1.0]])
    >>> simple_cell(np.array([[3.0, 1.0]]), w)
    2.0
    >>> simple_cell(np.array([[0.0, 1.0, 0.0]]), w, rectify=True).tolist()
    [[0.0, 1.0]]
    """
    if not isinstance(rectify, (bool, np.bool_)):
        raise TypeError(f"rectify must be a bool, got {rectify!r}")
    s = _linear("image", image, "w", w, mode)
    if rectify:
        s = np.maximum(s, 0.0) if isinstance(s, np.ndarray) else max(s, 0.0)
    return s


def _linear(iname: str, image: object, wname: str, w: object, mode: str) -> float | np.ndarray:
    img = _image(iname, image)
    w_ = _image(wname, w)
    if mode not in ("valid", "same"):
        raise ValueError(f"mode must be 'valid' or 'same', got {mode!r}")
    if img.shape == w_.shape:
        return float(np.sum(w_ * img))
    if mode == "valid" and (img.shape[0] < w_.shape[0] or img.shape[1] < w_.shape[1]):
        raise ValueError(f"{iname} of shape {img.shape} is smaller than {wname} of shape "
                         f"{w_.shape}: 'valid' needs the receptive field to fit in the image")
    return correlate(img, w_, mode=mode)


def complex_cell(image: np.ndarray, w0: np.ndarray, w1: np.ndarray, *,
                 mode: str = "valid") -> float | np.ndarray:
    """Energy-model complex cell :math:`c(I) = \\sqrt{s_0(I)^2 + s_1(I)^2}`.

    Parameters
    ----------
    image : array_like
        A 2-D image: one patch of the shape of ``w0`` (a number results) or a larger image
        (a map results), as in :func:`simple_cell`.
    w0, w1 : array_like
        A quadrature pair of receptive fields of equal shape, e.g. from :func:`quadrature_pair`.
    mode : {"valid", "same"}
        As in :func:`simple_cell`.

    Returns
    -------
    float or numpy.ndarray
        The energy (non-negative).

    Raises
    ------
    TypeError, ValueError
        As :func:`simple_cell`, and ``ValueError`` if ``w0`` and ``w1`` differ in shape.

    Examples
    --------
    >>> w0, w1 = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    >>> complex_cell(np.array([[3.0, -4.0]]), w0, w1)
    5.0
    """
    w0_ = _image("w0", w0)
    w1_ = _image("w1", w1)
    if w0_.shape != w1_.shape:
        raise ValueError(f"w0 and w1 must have the same shape, got {w0_.shape} and {w1_.shape}")
    s0 = _linear("image", image, "w0", w0_, mode)
    s1 = _linear("image", image, "w1", w1_, mode)
    out = np.hypot(s0, s1)
    return float(out) if np.ndim(out) == 0 else out


# -- fitting a Gabor function to a kernel ----------------------------------------------------------
class GaborFit(NamedTuple):
    """Result of :func:`fit_gabor`."""

    #: Fitted parameters, keyword arguments of :func:`gabor` (``gabor_kernel(w.shape, **params)``
    #: reproduces :attr:`kernel`), in canonical form: ``alpha > 0``, ``0 <= tau < pi``,
    #: ``-pi < phi <= pi``.
    params: dict[str, float]
    #: The fitted Gabor kernel, same shape as the data.
    kernel: np.ndarray
    #: Relative residual :math:`\lVert w - \hat w \rVert / \lVert w \rVert`.
    residual: float
    #: Levenberg–Marquardt iterations used by the best start.
    iterations: int


def _model_and_jacobian(theta: np.ndarray, x: np.ndarray, y: np.ndarray,
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
    d_yr = alpha * (-2.0 * by * yr * ec)           # dg/dy'
    jac = np.stack([
        ec,                           # alpha
        -alpha * ec * xr**2 * bx,     # log beta_x
        -alpha * ec * yr**2 * by,     # log beta_y
        -alpha * es * xr,             # f
        -alpha * es,                  # phi
        -c * d_xr + s * d_yr,         # x0
        -s * d_xr - c * d_yr,         # y0
        yr * d_xr - xr * d_yr,        # tau
    ], axis=-1)
    return g.ravel(), jac.reshape(-1, 8)


def _levenberg_marquardt(theta: np.ndarray, data: np.ndarray, x: np.ndarray, y: np.ndarray,
                         max_iter: int, tol: float, bound: float) -> tuple[np.ndarray, float, int]:
    """Minimise ``||g(theta) - data||^2`` from ``theta``; returns (theta, cost, iterations).

    Steps that move the centre outside ``[-bound, bound]^2`` or make the frequency negative are
    rejected like steps that increase the cost.
    """
    g, jac = _model_and_jacobian(theta, x, y)
    r = g - data
    cost = float(r @ r)
    lam = 1e-3
    it = 0
    for it in range(1, max_iter + 1):
        jtj = jac.T @ jac
        grad = jac.T @ r
        improved = False
        while lam < 1e12:
            a = jtj + lam * np.diag(np.diag(jtj) + 1e-12)
            try:
                step = np.linalg.solve(a, -grad)
            except np.linalg.LinAlgError:
                lam *= 4.0
                continue
            new = theta + step
            ok = (abs(new[5]) <= bound and abs(new[6]) <= bound and new[3] >= 0
                  and abs(new[1]) < 30 and abs(new[2]) < 30)
            if ok:
                g_new, jac_new = _model_and_jacobian(new, x, y)
                r_new = g_new - data
                cost_new = float(r_new @ r_new)
                if cost_new < cost:
                    small = cost - cost_new <= tol * max(cost, 1e-300)
                    theta, r, jac, cost = new, r_new, jac_new, cost_new
                    lam = max(lam / 3.0, 1e-12)
                    improved = True
                    break
            lam *= 4.0
        if not improved or small:
            break
    return theta, cost, it


def _fft_peak(w: np.ndarray, n_fft: int) -> tuple[float, float]:
    """Angular frequency and direction ``(f, tau)`` of the largest peak of ``|FFT(w)|``."""
    spec = np.abs(np.fft.fft2(w, s=(n_fft, n_fft)))
    i, j = np.unravel_index(int(np.argmax(spec)), spec.shape)
    fy = 2 * np.pi * np.fft.fftfreq(n_fft)[i]  # rows: frequency along y
    fx = 2 * np.pi * np.fft.fftfreq(n_fft)[j]  # columns: frequency along x
    return float(math.hypot(fx, fy)), float(math.atan2(fy, fx) % np.pi)


def _canonical(theta: np.ndarray) -> dict[str, float]:
    """Parameters as keyword arguments of :func:`gabor`, in canonical form.

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
    return {"alpha": alpha, "beta_x": math.exp(lbx), "beta_y": math.exp(lby), "f": f,
            "phi": phi, "x0": x0, "y0": y0, "tau": float(tau)}


def fit_gabor(w: np.ndarray, *, n_phases: int = 8, max_iter: int = 200, tol: float = 1e-12,
              n_fft: int = 64) -> GaborFit:
    """Least-squares fit of a Gabor function to a 2-D kernel (e.g. a learned CNN filter).

    The parameters :math:`\\theta` minimise :math:`\\sum_{i,j} (w_\\theta(x_j, y_i) - w_{ij})^2`
    on the centred grid of :func:`grid`. Initialisation: the frequency :math:`f` and direction
    :math:`\\tau` of the largest peak of the zero-padded Fourier transform of ``w``, the centre at
    the centroid of :math:`w^2`, the decays from its spread, and ``n_phases`` phases on a grid, each
    with the best scale :math:`\\alpha` by linear least squares. Each start is refined by
    Levenberg–Marquardt with the analytic Jacobian (decays fitted on a log scale, so they stay
    positive); the best result is returned.

    Parameters
    ----------
    w : array_like
        The 2-D kernel to fit.
    n_phases : int
        Number of starting phases, evenly spaced in :math:`[0, 2\\pi)`.
    max_iter : int
        Maximum Levenberg–Marquardt iterations per start.
    tol : float
        Stop when one iteration lowers the squared error by less than this fraction.
    n_fft : int
        Size of the zero-padded FFT used for the initial frequency and direction.

    Returns
    -------
    GaborFit
        ``params`` (keyword arguments of :func:`gabor`), the fitted ``kernel``, the relative
        ``residual`` and the number of ``iterations``.

    Raises
    ------
    TypeError
        If ``w`` is not a real array or an integer option is not an int.
    ValueError
        If ``w`` is not 2-D, not finite, or zero everywhere, or an option is out of range.

    Examples
    --------
    >>> w = gabor_kernel(7, alpha=1.5, beta_x=0.15, beta_y=0.1, f=1.2, phi=0.4, tau=0.6)
    >>> fit = fit_gabor(w)
    >>> fit.residual < 1e-6
    True
    """
    w_ = _image("w", w)
    for name, v, lo in (("n_phases", n_phases, 1), ("max_iter", max_iter, 1), ("n_fft", n_fft, 2)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {v!r}")
        if v < lo:
            raise ValueError(f"{name} must be >= {lo}, got {v!r}")
    tol_ = check_real(tol, "tol")
    if tol_ < 0:
        raise ValueError(f"tol must be >= 0, got {tol!r}")
    norm = float(np.linalg.norm(w_))
    if norm == 0.0:
        raise ValueError("w must not be zero everywhere: there is nothing to fit")
    x, y = grid(w_.shape)
    data = w_.ravel()

    p = w_**2 / np.sum(w_**2)
    cx, cy = float(np.sum(p * x)), float(np.sum(p * y))
    bound = 2.0 * max(w_.shape)
    n = max(n_fft, *w_.shape)
    # two candidate carriers: the largest peak of the spectrum, and the largest peak once the
    # mean is removed (for kernels whose carrier is hidden under a strong mean, f near 0)
    peaks = {_fft_peak(w_, n), _fft_peak(w_ - w_.mean(), n)}
    runs = []
    for f0, tau0 in sorted(peaks):
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
            runs.append(_levenberg_marquardt(theta, data, x, y, max_iter, tol_, bound))
    theta, _cost, it = min(runs, key=lambda run: run[1])
    params = _canonical(theta)
    kernel = gabor_kernel(w_.shape, **params)
    return GaborFit(params=params, kernel=kernel,
                    residual=float(np.linalg.norm(kernel - w_) / norm), iterations=int(it))
