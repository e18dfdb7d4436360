"""The book's one numerical gradient and one relative error; gradient checks of layers.

A gradient computed by backpropagation is checked against the *central difference*

.. math::

    \\frac{\\partial f}{\\partial x_i} \\approx \\frac{f(x + h e_i) - f(x - h e_i)}{2h}.

Its error has two parts: truncation, of order :math:`h^2 f'''`, which vanishes for a function
quadratic in :math:`x_i` and is replaced by a jump where the step crosses a kink (a ReLU, a change
of the winner of a max pool); and rounding, about :math:`\\epsilon |f| / h` with
:math:`\\epsilon` the machine epsilon. In float64 (:math:`\\epsilon \\approx 2 \\cdot 10^{-16}`)
a step near :math:`10^{-5}` keeps both small; in float32
(:math:`\\epsilon \\approx 10^{-7}`) the rounding part swamps the comparison, so gradient checks
run in float64. Part I and Part II of the book both call these functions.

The relative error of two arrays is

.. math::

    \\operatorname{rel}(a, b) = \\frac{\\|a - b\\|}{\\|a\\| + \\|b\\|}

with Frobenius (Euclidean) norms over all entries: 0 for identical arrays, 1 for opposite ones
(:math:`b = -a`) or when one of them is zero, :math:`1/\\sqrt 2 \\approx 0.71` for orthogonal arrays
of equal norm, :math:`0.1 / 2.1 \\approx 0.048` for a gradient 10 % too large. A correct
backward pass checked in float64 gives errors many orders of magnitude below those of a bug,
which are :math:`10^{-2}` or more.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from cnnbook._validate import check_real, check_seed, real_array

__all__ = ["check_layer", "numerical_gradient", "relative_error"]


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of a scalar function at ``x``.

    Each entry of ``x`` is moved by ``+h`` and ``-h`` *in place*, ``f(x)`` is evaluated, and the
    entry is restored, so ``f`` may read ``x`` through another reference (for example a network's
    parameter array). ``x`` is unchanged afterwards.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : numpy.ndarray
        Float64 array, the point of evaluation (modified temporarily).
    h : float, optional
        Step size.

    Returns
    -------
    numpy.ndarray
        Array of ``x``'s shape with the estimated partial derivatives.

    Raises
    ------
    TypeError
        If ``x`` is not a float64 array (float32 is too coarse for finite differences).
    ValueError
        If ``h`` is not positive.

    Examples
    --------
    >>> x = np.array([1.0, 2.0])
    >>> np.round(numerical_gradient(lambda v: float(np.sum(v ** 2)), x), 6)
    array([2., 4.])
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            f"x must be a float64 numpy array, got {type(x).__name__} "
            f"{getattr(x, 'dtype', '')}; finite differences need double precision"
        )
    h = check_real(h, "h", minimum=0, strict=True)
    grad = np.empty_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + h
        f_plus = f(x)
        flat[i] = orig - h
        f_minus = f(x)
        flat[i] = orig
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    """Relative error ``||a - b|| / (||a|| + ||b||)`` of two arrays of the same shape.

    Parameters
    ----------
    a, b : array_like
        Arrays to compare (for example an analytic and a numerical gradient).

    Returns
    -------
    float
        In ``[0, 1]``; 0 when ``a == b`` (including both zero).

    Raises
    ------
    ValueError
        If the shapes differ.
    TypeError
        If an array is complex or not numeric.

    Examples
    --------
    >>> relative_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> relative_error([1.0], [-1.0])
    1.0
    >>> round(relative_error([1.0, 0.0], [0.0, 1.0]), 4)  # orthogonal, equal norms
    0.7071
    >>> round(relative_error([3.0, 4.0], [3.3, 4.4]), 4)  # 10 % too large
    0.0476
    """
    a, b = real_array(a, "a", float64=True), real_array(b, "b", float64=True)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def check_layer(layer, x: np.ndarray, *, seed: int = 0, h: float = 1e-5) -> dict[str, float]:
    """Gradient check of a layer's ``backward`` against finite differences.

    The scalar ``L = sum(layer.forward(x) * g)`` with a fixed random ``g`` has gradient
    ``layer.backward(g)`` with respect to ``x`` (and ``layer.dW``, ``layer.db`` with respect to the
    parameters, when the layer has them). Each is compared with :func:`numerical_gradient`.

    Parameters
    ----------
    layer : object
        A layer with ``forward``/``backward`` (:class:`~cnnbook.nn.layers.Convolution`,
        :class:`~cnnbook.nn.layers.Pooling`, :class:`~cnnbook.nn.layers.Relu`,
        :class:`~cnnbook.nn.layers.Affine`),
        holding float64 parameters.
    x : numpy.ndarray
        Float64 input.
    seed : int, optional
        Seed of the random projection ``g``.
    h : float, optional
        Finite-difference step.

    Returns
    -------
    dict
        Relative error per checked quantity: ``"x"``, and ``"W"``, ``"b"`` when present. The
        input gradient is skipped when ``backward`` returns ``None``.

    Examples
    --------
    >>> from cnnbook.nn import Affine
    >>> rng = np.random.default_rng(0)
    >>> layer = Affine(rng.standard_normal((3, 2)), rng.standard_normal(2))
    >>> errors = check_layer(layer, rng.standard_normal((4, 3)))
    >>> all(e < 1e-8 for e in errors.values())
    True
    """
    if not (
        callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))
    ):
        raise TypeError(f"layer must have forward and backward methods, got {type(layer).__name__}")
    x = real_array(x, "x", float64=True, finite=True).copy()
    g = np.random.default_rng(check_seed(seed)).standard_normal(layer.forward(x).shape)

    def loss(_: np.ndarray) -> float:
        return float(np.sum(layer.forward(x) * g))

    layer.forward(x)
    dx = layer.backward(g)
    analytic = {"x": dx}
    if hasattr(layer, "W"):
        analytic["W"], analytic["b"] = layer.dW.copy(), layer.db.copy()
    errors = {}
    if dx is not None:
        errors["x"] = relative_error(dx, numerical_gradient(loss, x, h))
    for name in ("W", "b"):
        if name in analytic:
            errors[name] = relative_error(
                analytic[name], numerical_gradient(loss, getattr(layer, name), h)
            )
    return errors
