"""Densities of sums of independent random variables: convolution before deep learning.

If ``X`` and ``Y`` are independent, the distribution of ``Z = X + Y`` is the convolution of theirs.
For integer-valued variables with probability mass functions (pmfs) ``p_X`` and ``p_Y``,

.. math::

    p_Z(z) = \\sum_a p_X(a)\\, p_Y(z - a),

and for continuous ones with densities ``p_X`` and ``p_Y``,

.. math::

    p_Z(z) = \\int p_X(a)\\, p_Y(z - a)\\, \\mathrm{d}a .

The first is exactly :func:`cnnbook.conv.convolve` of the two pmf arrays (:func:`sum_pmf`); the
second is approximated on a grid of spacing ``dx``: ``dx`` times the discrete convolution of the
sampled densities, with the trapezoidal rule's half weights at the ends (:func:`sum_density`).
:func:`monte_carlo_sum` draws seeded samples of a sum, to compare with both.

Array convention: a pmf or a sampled density is a 1-D array whose entry ``i`` belongs to the value
``start + i`` (pmf) or the point ``start + i * dx`` (density). The sum of two variables then starts
at the sum of the two starts; :func:`sum_grid` returns its points.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from cnnbook._validate import check_alloc, check_int, check_ndim, check_real, check_seed, real_array
from cnnbook.conv import convolve

__all__ = [
    "MAX_DICE_WORK",
    "dice_pmf",
    "die_pmf",
    "exponential_density",
    "gamma_density",
    "gaussian_density",
    "grid",
    "monte_carlo_sum",
    "sum_density",
    "sum_grid",
    "sum_pmf",
    "triangular_density",
    "uniform_density",
]

#: Tolerance on ``sum(p) == 1`` when a pmf is checked.
PMF_ATOL = 1e-9

#: The most multiply-adds :func:`dice_pmf` does (about a second): ``sides² · n_dice² / 2``.
MAX_DICE_WORK = 2 * 10**9


# --------------------------------------------------------------------------- input checks


def _nonnegative_vector(a, name: str) -> np.ndarray:
    """A 1-D, non-empty, finite, non-negative float array."""
    arr = check_ndim(real_array(a, name, float64=True, finite=True), name, 1, "(L,)")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative, got minimum {arr.min()}")
    return arr


def _pmf(p, name: str) -> np.ndarray:
    """A probability mass function: 1-D, non-negative, summing to 1."""
    arr = _nonnegative_vector(p, name)
    total = arr.sum()
    if abs(total - 1.0) > PMF_ATOL:
        raise ValueError(f"{name} must sum to 1 (a pmf), got sum {total!r}")
    return arr


# --------------------------------------------------------------------------- discrete variables


def die_pmf(sides: int = 6) -> np.ndarray:
    """The pmf of one fair die with faces ``1, ..., sides``: every entry ``1 / sides``.

    Parameters
    ----------
    sides : int, optional
        Number of faces, at least 1. Default 6.

    Returns
    -------
    numpy.ndarray
        Shape ``(sides,)``; entry ``i`` is ``P(X = 1 + i)``.

    Raises
    ------
    TypeError
        If ``sides`` is not an integer.
    ValueError
        If ``sides < 1``, or the pmf would exceed the 4 GiB limit of
        ``cnnbook._validate.check_alloc``.

    Examples
    --------
    >>> die_pmf(4)
    array([0.25, 0.25, 0.25, 0.25])
    """
    sides = check_alloc(check_int(sides, "sides", 1), "sides", what="faces")
    return np.full(sides, 1.0 / sides)


def sum_pmf(p: ArrayLike, q: ArrayLike) -> np.ndarray:
    """The pmf of ``X + Y`` for independent integer variables: ``p * q``, a full convolution.

    If ``p[i] = P(X = a + i)`` and ``q[j] = P(Y = b + j)``, the result ``r`` has
    ``r[k] = P(X + Y = a + b + k) = sum_i p[i] q[k - i]``, computed by
    :func:`cnnbook.conv.convolve`.

    Parameters
    ----------
    p, q : array_like
        Pmfs: 1-D, non-negative, each summing to 1 (within ``PMF_ATOL``).

    Returns
    -------
    numpy.ndarray
        The pmf of the sum, of length ``len(p) + len(q) - 1``.

    Raises
    ------
    TypeError
        If ``p`` or ``q`` is not a real numeric array.
    ValueError
        If ``p`` or ``q`` is not 1-D, is empty, has a negative or non-finite entry, or does not
        sum to 1.

    Examples
    --------
    >>> sum_pmf([0.5, 0.5], [0.5, 0.5])  # two fair coins, heads = 1: number of heads
    array([0.25, 0.5 , 0.25])
    """
    p = _pmf(p, "p")
    q = _pmf(q, "q")
    # the FFT route (taken for long pmfs) leaves rounding errors of about 1e-16 around 0
    return np.maximum(convolve(p, q, mode="full"), 0.0)


def dice_pmf(n_dice: int, sides: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """The pmf of the sum of ``n_dice`` fair dice, by repeated convolution of :func:`die_pmf`.

    Parameters
    ----------
    n_dice : int
        Number of dice, at least 1.
    sides : int, optional
        Faces per die (numbered ``1, ..., sides``), at least 1. Default 6.

    Returns
    -------
    values : numpy.ndarray
        The possible sums ``n_dice, ..., n_dice * sides`` (int).
    pmf : numpy.ndarray
        ``pmf[i] = P(sum = values[i])``.

    Raises
    ------
    TypeError
        If ``n_dice`` or ``sides`` is not an integer.
    ValueError
        If ``n_dice`` or ``sides`` is less than 1, or the repeated convolution would take more
        than :data:`MAX_DICE_WORK` multiply-adds (``sides² n_dice (n_dice - 1) / 2``: 10,000
        six-sided dice are within it, 100,000 are not).

    Examples
    --------
    >>> values, pmf = dice_pmf(2)
    >>> int(values[5]), round(float(pmf[5] * 36), 12)  # P(sum = 7) = 6/36
    (7, 6.0)
    """
    n_dice = check_int(n_dice, "n_dice", 1)
    one_die = die_pmf(sides)
    work = len(one_die) ** 2 * n_dice * (n_dice - 1) // 2
    if work > MAX_DICE_WORK:
        raise ValueError(
            f"n_dice = {n_dice} dice of {len(one_die)} sides ask for {work:.3g} multiply-adds, "
            f"more than the limit MAX_DICE_WORK = {MAX_DICE_WORK:.0e} (about a second)"
        )
    pmf = one_die
    for _ in range(n_dice - 1):
        pmf = sum_pmf(pmf, one_die)
    values = np.arange(n_dice, n_dice * len(one_die) + 1)
    return values, pmf


# --------------------------------------------------------------------------- continuous variables


def grid(start: float, stop: float, dx: float) -> np.ndarray:
    """Sample points ``start, start + dx, ...`` up to ``stop`` (included when it falls on the grid).

    Built as ``start + dx * k`` for integer ``k``, so two grids with the same ``dx`` line up.

    Parameters
    ----------
    start, stop : float
        First point and upper end, ``stop >= start``.
    dx : float
        Spacing, ``> 0``.

    Returns
    -------
    numpy.ndarray
        ``start + dx * arange(n)`` with ``n = floor((stop - start) / dx + 1e-9) + 1``.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If ``dx <= 0``, an argument is not finite, ``stop < start``, or the grid would exceed
        the 4 GiB limit of ``cnnbook._validate.check_alloc`` (the message names ``dx``).

    Examples
    --------
    >>> grid(0.0, 1.0, 0.25)
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    start = check_real(start, "start")
    stop = check_real(stop, "stop")
    dx = check_real(dx, "dx", minimum=0, strict=True)
    if stop < start:
        raise ValueError(f"stop must be >= start, got start={start}, stop={stop}")
    n = check_alloc(math.floor((stop - start) / dx + 1e-9) + 1, "dx", what="grid points")
    return start + dx * np.arange(n)


def sum_grid(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """The points where :func:`sum_density` of densities sampled on ``x`` and ``y`` lives.

    Parameters
    ----------
    x, y : array_like
        Evenly spaced 1-D grids with the same spacing ``dx`` (as from :func:`grid`).

    Returns
    -------
    numpy.ndarray
        ``x[0] + y[0] + dx * arange(len(x) + len(y) - 1)``.

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is not a 1-D grid of at least two increasing, evenly spaced points, or
        the two spacings differ.

    Examples
    --------
    >>> sum_grid([0.0, 0.5, 1.0], [2.0, 2.5])
    array([2. , 2.5, 3. , 3.5])
    """
    steps = []
    for arr, name in ((x, "x"), (y, "y")):
        a = np.asarray(arr, dtype=float)
        if a.ndim != 1 or a.size < 2:
            raise ValueError(f"{name} must be a 1-D grid of at least 2 points, got shape {a.shape}")
        d = np.diff(a)
        if not np.all(d > 0) or not np.allclose(d, d[0], rtol=1e-6, atol=0.0):
            raise ValueError(f"{name} must be increasing and evenly spaced")
        steps.append((a, float(d[0])))
    (x, dx), (y, dy) = steps
    if not math.isclose(dx, dy, rel_tol=1e-6):
        raise ValueError(f"x and y must have the same spacing, got {dx} and {dy}")
    return x[0] + y[0] + dx * np.arange(x.size + y.size - 1)


def sum_density(f: ArrayLike, g: ArrayLike, dx: float) -> np.ndarray:
    """The density of ``X + Y`` on a grid: the convolution integral by the trapezoidal rule.

    With ``f[i] = p_X(x0 + i dx)`` and ``g[j] = p_Y(y0 + j dx)``, entry ``k`` of the result
    approximates ``p_Z(x0 + y0 + k dx)``, the integral of ``p_X(a) p_Y(z - a)`` over ``a``
    (the points are given by :func:`sum_grid`). The integrand at the grid points is
    ``f[i] g[k - i]``, so the Riemann sum is ``dx`` times the discrete convolution
    ``(f * g)[k] = sum_i f[i] g[k - i]``, computed by :func:`cnnbook.conv.convolve`. The
    trapezoidal rule then counts the first and the last term of each sum with weight 1/2: its
    error is of order ``dx**2`` when both densities are smooth on their grids, even if they jump at
    the grid's ends (a uniform's edges, an exponential at 0), provided the grids cover the supports.

    Parameters
    ----------
    f, g : array_like
        The two densities sampled on grids of spacing ``dx``: 1-D, non-negative, finite.
    dx : float
        The grid spacing, ``> 0``.

    Returns
    -------
    numpy.ndarray
        The sampled density of the sum, length ``len(f) + len(g) - 1``.

    Raises
    ------
    TypeError
        If ``f`` or ``g`` is not a real numeric array, or ``dx`` is not a real number.
    ValueError
        If ``dx <= 0``, or ``f`` or ``g`` is not 1-D, is empty, or has a negative or non-finite
        entry.

    Examples
    --------
    >>> x = grid(0.0, 1.0, 0.25)
    >>> sum_density(uniform_density(x), uniform_density(x), 0.25)  # the triangle 1 - |z - 1|
    array([0.  , 0.25, 0.5 , 0.75, 1.  , 0.75, 0.5 , 0.25, 0.  ])
    """
    dx = check_real(dx, "dx", minimum=0, strict=True)
    f = _nonnegative_vector(f, "f")
    g = _nonnegative_vector(g, "g")
    riemann = convolve(f, g, mode="full")  # sum over i of f[i] g[k - i]
    k = np.arange(riemann.size)
    first = np.maximum(0, k - (g.size - 1))  # the range of i in that sum
    last = np.minimum(k, f.size - 1)
    end_terms = f[first] * g[k - first] + f[last] * g[k - last]
    return np.maximum(dx * (riemann - end_terms / 2), 0.0)  # no rounding below 0


def uniform_density(x: ArrayLike, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """The density of the uniform distribution on ``[low, high]``: ``1 / (high - low)`` inside.

    Parameters
    ----------
    x : array_like
        Where to evaluate.
    low, high : float, optional
        The interval, ``low < high``. Default ``[0, 1]``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Raises
    ------
    ValueError
        If ``high <= low``.

    Examples
    --------
    >>> uniform_density([-0.5, 0.5, 2.0], 0.0, 2.0)
    array([0. , 0.5, 0.5])
    """
    low, high = check_real(low, "low"), check_real(high, "high")
    if high <= low:
        raise ValueError(f"high must be > low, got low={low}, high={high}")
    x = real_array(x, "x", float64=True)
    return np.where((x >= low) & (x <= high), 1.0 / (high - low), 0.0)


def triangular_density(
    x: ArrayLike, low: float = 0.0, peak: float = 1.0, high: float = 2.0
) -> np.ndarray:
    """The triangular density rising from ``low`` to ``peak`` and falling to ``high``.

    The sum of two independent uniforms on ``[0, 1]`` has the default triangle on ``[0, 2]``:
    ``p(z) = 1 - |z - 1|`` for ``0 <= z <= 2``.

    Parameters
    ----------
    x : array_like
        Where to evaluate.
    low, peak, high : float, optional
        Corners, ``low <= peak <= high`` and ``low < high``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``; the peak height is ``2 / (high - low)``.

    Raises
    ------
    ValueError
        If the corners are not ordered.

    Examples
    --------
    >>> triangular_density([0.0, 0.5, 1.0, 1.5, 3.0])
    array([0. , 0.5, 1. , 0.5, 0. ])
    """
    low, peak, high = check_real(low, "low"), check_real(peak, "peak"), check_real(high, "high")
    if not (low <= peak <= high and low < high):
        raise ValueError(f"need low <= peak <= high and low < high, got {low}, {peak}, {high}")
    x = real_array(x, "x", float64=True)
    height = 2.0 / (high - low)
    with np.errstate(divide="ignore", invalid="ignore"):
        rising = height * (x - low) / (peak - low)
        falling = height * (high - x) / (high - peak)
    p = np.where(x <= peak, rising, falling)
    return np.where((x >= low) & (x <= high), p, 0.0)


def gaussian_density(x: ArrayLike, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """The normal density ``exp(-(x - mean)^2 / (2 std^2)) / (std sqrt(2 pi))``.

    Parameters
    ----------
    x : array_like
        Where to evaluate.
    mean : float, optional
        Mean. Default 0.
    std : float, optional
        Standard deviation, ``> 0``. Default 1.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Raises
    ------
    ValueError
        If ``std <= 0``.

    Examples
    --------
    >>> round(float(gaussian_density(0.0)), 6)
    0.398942
    """
    mean = check_real(mean, "mean")
    std = check_real(std, "std", minimum=0, strict=True)
    x = real_array(x, "x", float64=True)
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2.0 * math.pi))


def exponential_density(x: ArrayLike, rate: float = 1.0) -> np.ndarray:
    """The exponential density ``rate * exp(-rate x)`` for ``x >= 0`` (zero for ``x < 0``).

    Parameters
    ----------
    x : array_like
        Where to evaluate.
    rate : float, optional
        The rate ``lambda > 0`` (mean ``1 / rate``). Default 1.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Raises
    ------
    ValueError
        If ``rate <= 0``.

    Examples
    --------
    >>> exponential_density([-1.0, 0.0, 1.0], rate=2.0).round(4)
    array([0.    , 2.    , 0.2707])
    """
    rate = check_real(rate, "rate", minimum=0, strict=True)
    x = real_array(x, "x", float64=True)
    return np.where(x >= 0, rate * np.exp(-rate * np.maximum(x, 0.0)), 0.0)


def gamma_density(x: ArrayLike, shape: float, rate: float = 1.0) -> np.ndarray:
    """The Gamma density ``rate^shape x^(shape - 1) exp(-rate x) / Gamma(shape)`` for ``x >= 0``.

    The sum of ``n`` independent exponentials with the same ``rate`` has the Gamma density with
    ``shape = n`` (the Erlang distribution).

    Parameters
    ----------
    x : array_like
        Where to evaluate.
    shape : float
        The shape ``k > 0``.
    rate : float, optional
        The rate ``lambda > 0``. Default 1.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``; zero for ``x < 0``.

    Raises
    ------
    ValueError
        If ``shape <= 0`` or ``rate <= 0``.

    Examples
    --------
    >>> round(float(gamma_density(1.0, shape=2, rate=1.0)), 6)  # x exp(-x) at x = 1
    0.367879
    """
    shape = check_real(shape, "shape", minimum=0, strict=True)
    rate = check_real(rate, "rate", minimum=0, strict=True)
    x = real_array(x, "x", float64=True)
    positive = np.where(x > 0, x, 1.0)  # log is taken at x > 0 only
    log_p = (
        shape * math.log(rate)
        + (shape - 1.0) * np.log(positive)
        - rate * positive
        - math.lgamma(shape)
    )
    # the limit at x = 0: rate for shape 1 (the exponential), 0 above, infinite below
    at_zero = rate if shape == 1 else (0.0 if shape > 1 else math.inf)
    return np.where(x > 0, np.exp(log_p), np.where(x == 0, at_zero, 0.0))


# --------------------------------------------------------------------------- Monte Carlo


Sampler = Callable[[np.random.Generator, int], ArrayLike]


def monte_carlo_sum(samplers: Sequence[Sampler], n_samples: int, seed: int = 0) -> np.ndarray:
    """Draw ``n_samples`` seeded samples of ``X_1 + ... + X_m`` for independent ``X_i``.

    One generator, ``numpy.random.default_rng(seed)``, is passed to every sampler in turn, so the
    same seed gives the same samples.

    Parameters
    ----------
    samplers : sequence of callables
        One per variable; ``sampler(rng, n)`` returns ``n`` samples of that variable, e.g.
        ``lambda rng, n: rng.integers(1, 7, n)`` for a die or
        ``lambda rng, n: rng.uniform(0, 1, n)``.
    n_samples : int
        Number of samples of the sum, at least 1.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`. Default 0.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, float: the sampled sums.

    Raises
    ------
    TypeError
        If ``samplers`` is not a sequence of callables, ``n_samples`` is not an integer, or a
        sampler returns non-numeric values.
    ValueError
        If ``samplers`` is empty, ``n_samples < 1``, or a sampler returns an
        array of another shape than ``(n_samples,)``.

    Examples
    --------
    >>> die = lambda rng, n: rng.integers(1, 7, n)
    >>> z = monte_carlo_sum([die, die], 100_000, seed=1)
    >>> bool(abs((z == 7).mean() - 6 / 36) < 0.01)
    True
    """
    if isinstance(samplers, (str, bytes)) or not isinstance(samplers, Sequence):
        raise TypeError(f"samplers must be a sequence of callables, got {type(samplers).__name__}")
    if len(samplers) == 0:
        raise ValueError("samplers must hold at least one sampler")
    for i, sampler in enumerate(samplers):
        if not callable(sampler):
            raise TypeError(f"samplers[{i}] must be callable, got {type(sampler).__name__}")
    n_samples = check_int(n_samples, "n_samples", 1)
    rng = np.random.default_rng(check_seed(seed))
    total = np.zeros(n_samples)
    for i, sampler in enumerate(samplers):
        draws = np.asarray(sampler(rng, n_samples))
        if draws.dtype.kind not in "biuf":
            raise TypeError(f"samplers[{i}] must return real numbers, got dtype {draws.dtype}")
        if draws.shape != (n_samples,):
            raise ValueError(
                f"samplers[{i}] must return an array of shape ({n_samples},), got {draws.shape}"
            )
        total += draws
    return total
