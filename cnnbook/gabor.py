"""Gabor functions, simple and complex cells: the model of the first stage of vision.

A Gabor function is a Gaussian envelope times a cosine carrier. Following Goodfellow, Bengio and
Courville, *Deep Learning* (2016), section 9.10, the weight a model simple cell gives to the image
point :math:`(x, y)` is

.. math::

    w(x, y; \\alpha, \\beta_x, \\beta_y, f, \\phi, x_0, y_0, \\tau)
    = \\alpha \\exp\\left(-\\beta_x x'^2 - \\beta_y y'^2\\right) \\cos(f x' + \\phi),

    x' = (x - x_0)\\cos\\tau + (y - y_0)\\sin\\tau, \\qquad
    y' = -(x - x_0)\\sin\\tau + (y - y_0)\\cos\\tau .

(Eq. 9.16 of Goodfellow et al. has the rotated :math:`y'^2`; their later sentence on quadrature
pairs, which reweights the image by :math:`\\exp(-\\beta_x x'^2 - \\beta_y y^2)`, drops the
prime by a slip. The rotated :math:`y'` is meant there too, and used here.)
``alpha`` scales the weights, ``beta_x`` and ``beta_y`` (per squared pixel) set how fast the
envelope decays along :math:`x'` and :math:`y'`, ``f`` is the angular frequency of the carrier in
radians per pixel (wavelength :math:`2\\pi/f` pixels), ``phi`` its phase, ``(x0, y0)`` the
centre and ``tau`` the direction of the :math:`x'` axis.

Grid convention
    Kernels are sampled on the centred grid of ``cnnbook.stimuli.centred_grid`` (the grid every
    stimulus of ``cnnbook.stimuli`` is drawn on): entry ``w[i, j]`` is :math:`w(x_j, y_i)` with
    :math:`x_j = j - (n-1)/2` (columns are :math:`x`) and :math:`y_i = i - (m-1)/2` (rows are
    :math:`y`). As in every image array, :math:`y` grows *downwards*, so a positive ``tau``
    turns the :math:`x'` axis clockwise on screen. ``tau`` is the direction across the stripes of
    the carrier; the stripes themselves run along :math:`y'`, at angle ``tau + pi/2``. With
    ``tau = 0`` the carrier varies along :math:`x` and the stripes are vertical.

A simple cell responds :math:`s(I) = \\sum_x \\sum_y w(x, y) I(x, y)` to an image :math:`I`
(:func:`simple_cell`, optionally followed by a rectifier); a complex cell combines a quadrature pair
:math:`w_0, w_1` (phases :math:`\\phi` and :math:`\\phi + \\pi/2`) into the energy
:math:`c(I) = \\sqrt{s_0(I)^2 + s_1(I)^2}` (:func:`complex_cell`), which hardly depends on the
phase of a matched grating. ``cnnbook.gabor_fit.fit_gabor`` fits the eight parameters to any
2-D kernel, such as a filter learned by a convolutional network; it, :class:`GaborFit` and the
stimulus ``cnnbook.stimuli.grating`` can also be imported from this module.

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
from typing import TYPE_CHECKING

import numpy as np

from cnnbook._validate import check_ndim, check_real, real_array
from cnnbook.conv import correlate
from cnnbook.stimuli import centred_grid, grating  # noqa: F401 (grating: re-exported, see below)

if TYPE_CHECKING:
    from cnnbook.gabor_fit import GaborFit, fit_gabor  # noqa: F401 (re-exported, see below)

__all__ = [
    "PARAM_NAMES",
    "complex_cell",
    "gabor",
    "gabor_bank",
    "gabor_kernel",
    "quadrature_pair",
    "simple_cell",
]

#: The parameters of :func:`gabor`, in the order of the equation (and of the fit's vector).
PARAM_NAMES: tuple[str, ...] = ("alpha", "beta_x", "beta_y", "f", "phi", "x0", "y0", "tau")

#: Names that moved to their own modules and still import from here (``from cnnbook.gabor import
#: fit_gabor`` keeps working): the fit lives in ``cnnbook.gabor_fit``, which imports this module,
#: so it is loaded on first use; ``grating`` lives in ``cnnbook.stimuli``.
_MOVED_TO_GABOR_FIT = ("GaborFit", "fit_gabor")


def __getattr__(name: str) -> object:
    if name in _MOVED_TO_GABOR_FIT:
        from cnnbook import gabor_fit

        return getattr(gabor_fit, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- validation ------------------------------------------------------------------------------------
def _params(
    alpha: object,
    beta_x: object,
    beta_y: object,
    f: object,
    phi: object,
    x0: object,
    y0: object,
    tau: object,
) -> tuple[float, ...]:
    """Validated Gabor parameters in :data:`PARAM_NAMES` order."""
    f_ = check_real(f, "f", minimum=0)
    beta_x_ = check_real(beta_x, "beta_x", minimum=0, strict=True)
    beta_y_ = check_real(beta_y, "beta_y", minimum=0, strict=True)
    return (
        check_real(alpha, "alpha"),
        beta_x_,
        beta_y_,
        f_,
        check_real(phi, "phi"),
        check_real(x0, "x0"),
        check_real(y0, "y0"),
        check_real(tau, "tau"),
    )


def _image(name: str, a: object) -> np.ndarray:
    return check_ndim(real_array(a, name, float64=True, finite=True), name, 2, "(rows, cols)")


# -- the Gabor function ----------------------------------------------------------------------------
def gabor(
    x: np.ndarray | float,
    y: np.ndarray | float,
    *,
    alpha: float = 1.0,
    beta_x: float,
    beta_y: float,
    f: float,
    phi: float,
    x0: float = 0.0,
    y0: float = 0.0,
    tau: float = 0.0,
) -> np.ndarray:
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


def gabor_kernel(size: int | tuple[int, int], **params: float) -> np.ndarray:
    """The Gabor function sampled on the centred grid of ``cnnbook.stimuli.centred_grid``.

    Parameters
    ----------
    size : int or (int, int)
        ``n`` for an n×n kernel, or ``(rows, cols)``; at most
        ``cnnbook.stimuli.MAX_PIXELS`` entries (larger sizes raise ``ValueError``).
    **params : float
        The keyword arguments of :func:`gabor` (``beta_x``, ``beta_y``, ``f``, ``phi`` required).

    Returns
    -------
    numpy.ndarray
        ``w`` with ``w[i, j] = gabor(x_j, y_i, **params)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`gabor` and ``cnnbook.stimuli.centred_grid``.

    Examples
    --------
    >>> w = gabor_kernel(5, beta_x=0.2, beta_y=0.2, f=1.5, phi=0.0)
    >>> w.shape, float(w[2, 2])
    ((5, 5), 1.0)
    """
    x, y = centred_grid(size)
    return gabor(x, y, **params)


def gabor_bank(
    size: int, taus: Sequence[float] | np.ndarray, fs: Sequence[float] | np.ndarray, **params: float
) -> np.ndarray:
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
    return np.stack(
        [
            np.stack([gabor_kernel(size, tau=float(tk), f=float(fk), **params) for tk in t])
            for fk in fr
        ]
    )


def quadrature_pair(
    size: int | tuple[int, int], *, phi: float = 0.0, **params: float
) -> tuple[np.ndarray, np.ndarray]:
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
    return gabor_kernel(size, phi=phi_, **params), gabor_kernel(
        size, phi=phi_ + np.pi / 2, **params
    )


# -- model cells -----------------------------------------------------------------------------------
def simple_cell(
    image: np.ndarray, w: np.ndarray, *, rectify: bool = False, mode: str = "valid"
) -> float | np.ndarray:
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
        raise ValueError(
            f"{iname} of shape {img.shape} is smaller than {wname} of shape "
            f"{w_.shape}: 'valid' needs the receptive field to fit in the image"
        )
    return correlate(img, w_, mode=mode)


def complex_cell(
    image: np.ndarray, w0: np.ndarray, w1: np.ndarray, *, mode: str = "valid"
) -> float | np.ndarray:
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
