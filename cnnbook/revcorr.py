"""Reverse correlation: measuring a receptive field from a cell's responses to white noise.

A physiologist cannot read a neuron's weights :math:`w`; she can show it stimuli and count its
spikes. Reverse correlation shows many white-noise images :math:`x_k` (every pixel independent,
zero mean, variance :math:`\\sigma^2`), records the spike counts :math:`r_k`, and averages the
stimuli weighted by the spikes they caused, the **spike-triggered average**

.. math::

    \\mathrm{STA} = \\frac{\\sum_k r_k x_k}{\\sum_k r_k} .

For a *linear–nonlinear* cell, whose firing rate is :math:`g(w \\cdot x)` for any non-linearity
:math:`g` that correlates with its input (a rectifier, say), the STA of Gaussian white noise points
along :math:`w` (Bussgang's theorem; Chichilnisky 2001): with enough stimuli it recovers the
receptive field up to a positive factor. For a complex cell, which answers a pattern and its
contrast-inverse alike, it averages to zero, and the **spike-triggered covariance**

.. math::

    \\mathrm{STC} = \\frac{\\sum_k r_k \\, (x_k - \\mathrm{STA})(x_k - \\mathrm{STA})^\\top}
                        {\\sum_k r_k}

takes over: its eigenvectors whose eigenvalues differ most from the stimulus variance
:math:`\\sigma^2` span the filters the cell squares.

The module simulates the experiment: :func:`white_noise` draws the stimuli,
:func:`ln_poisson_responses` is a linear–nonlinear–Poisson model cell, and
:func:`spike_triggered_average` and :func:`spike_triggered_covariance` analyse the responses.

Examples
--------
>>> from cnnbook.gabor import gabor_kernel
>>> w = gabor_kernel(8, beta_x=0.1, beta_y=0.1, f=1.2, phi=0.0)
>>> x = white_noise(20000, 8, seed=0)
>>> r = ln_poisson_responses(x, w, gain=2.0, seed=1)
>>> sta = spike_triggered_average(x, r)
>>> bool(np.sum(sta * w) / (np.linalg.norm(sta) * np.linalg.norm(w)) > 0.95)
True
"""

from __future__ import annotations

import numpy as np

from cnnbook._validate import check_int, check_ndim, check_real, real_array
from cnnbook.stimuli import MAX_PIXELS, _shape

__all__ = [
    "ln_poisson_responses",
    "spike_triggered_average",
    "spike_triggered_covariance",
    "white_noise",
]


def _stimuli(x: object) -> np.ndarray:
    return check_ndim(
        real_array(x, "stimuli", float64=True, finite=True), "stimuli", 3, "(n, rows, cols)"
    )


def _counts(r: object, n: int) -> np.ndarray:
    counts = check_ndim(
        real_array(r, "responses", float64=True, finite=True), "responses", 1, "(n,)"
    )
    if counts.shape[0] != n:
        raise ValueError(
            f"responses must hold one count per stimulus: {n} stimuli, {counts.shape[0]} responses"
        )
    if np.any(counts < 0):
        raise ValueError("responses must be non-negative (spike counts or rates)")
    if counts.sum() == 0:
        raise ValueError("responses are all zero: no spike to average over")
    return counts


def white_noise(
    n: int, size: int | tuple[int, int], *, seed: int, contrast: float = 1.0
) -> np.ndarray:
    """``n`` Gaussian white-noise images: every pixel independent, mean 0, standard deviation
    ``contrast``.

    Parameters
    ----------
    n : int
        Number of images, ``>= 1``.
    size : int or (int, int)
        Image size, as in :func:`cnnbook.stimuli.centred_grid`.
    seed : int
        Seed of :func:`numpy.random.default_rng`, ``>= 0``.
    contrast : float
        Standard deviation of every pixel, ``> 0``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, rows, cols)``, float64.

    Raises
    ------
    TypeError, ValueError
        If an argument is not of the type or in the range above, or the stimuli would exceed
        ``MAX_PIXELS`` (:data:`cnnbook.stimuli.MAX_PIXELS`) values in all.

    Examples
    --------
    >>> white_noise(3, (2, 4), seed=0).shape
    (3, 2, 4)
    """
    n_ = check_int(n, "n", 1)
    rows, cols = _shape(size)
    if n_ * rows * cols > MAX_PIXELS:
        raise ValueError(
            f"n = {n_} images of {rows} × {cols} pixels are {n_ * rows * cols:,} "
            f"values; the limit is {MAX_PIXELS:,} (cnnbook.stimuli.MAX_PIXELS)"
        )
    seed_ = check_int(seed, "seed", 0)
    sigma = check_real(contrast, "contrast", minimum=0, strict=True)
    return sigma * np.random.default_rng(seed_).standard_normal((n_, rows, cols))


def ln_poisson_responses(
    stimuli: np.ndarray, w: np.ndarray, *, gain: float, seed: int
) -> np.ndarray:
    """Spike counts of a linear–nonlinear–Poisson model simple cell.

    Stimulus :math:`x_k` drives the rate
    :math:`\\lambda_k = \\text{gain} \\cdot \\max(0, w \\cdot x_k)` (the rectified
    simple cell of :func:`cnnbook.gabor.simple_cell`), and the count is drawn from a Poisson
    distribution of mean :math:`\\lambda_k`: a neuron fires irregularly, and only its average
    follows the model.

    Parameters
    ----------
    stimuli : array_like
        Shape ``(n, rows, cols)``.
    w : array_like
        The receptive field, shape ``(rows, cols)``.
    gain : float
        Spikes per unit of rectified response, ``> 0``.
    seed : int
        Seed of the Poisson draws, ``>= 0``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, the spike counts (float64 holding whole numbers).

    Raises
    ------
    TypeError, ValueError
        If an array is not real and finite or has the wrong shape, or ``gain`` or ``seed`` is out of
        range.

    Examples
    --------
    >>> x = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])
    >>> ln_poisson_responses(x, np.array([[0.0, -1.0]]), gain=5.0, seed=0).tolist()  # rate 0, 0
    [0.0, 0.0]
    """
    x = _stimuli(stimuli)
    w_ = check_ndim(real_array(w, "w", float64=True, finite=True), "w", 2, "(rows, cols)")
    if w_.shape != x.shape[1:]:
        raise ValueError(
            f"w of shape {w_.shape} must have the shape of one stimulus, {x.shape[1:]}"
        )
    g = check_real(gain, "gain", minimum=0, strict=True)
    rng = np.random.default_rng(check_int(seed, "seed", 0))
    rate = g * np.maximum(np.tensordot(x, w_, axes=2), 0.0)
    return rng.poisson(rate).astype(np.float64)


def spike_triggered_average(stimuli: np.ndarray, responses: np.ndarray) -> np.ndarray:
    """The spike-triggered average :math:`\\sum_k r_k x_k / \\sum_k r_k`.

    Parameters
    ----------
    stimuli : array_like
        Shape ``(n, rows, cols)``.
    responses : array_like
        Shape ``(n,)``: spike counts (or rates), non-negative, not all zero.

    Returns
    -------
    numpy.ndarray
        Shape ``(rows, cols)``.

    Raises
    ------
    TypeError, ValueError
        If an array is not real and finite, the shapes disagree, a response is negative, or all
        are zero.

    Examples
    --------
    >>> x = np.array([[[1.0, 0.0]], [[0.0, 1.0]], [[3.0, 3.0]]])
    >>> spike_triggered_average(x, [2, 0, 1]).tolist()
    [[1.6666666666666667, 1.0]]
    """
    x = _stimuli(stimuli)
    r = _counts(responses, x.shape[0])
    return np.tensordot(r, x, axes=1) / r.sum()


def spike_triggered_covariance(stimuli: np.ndarray, responses: np.ndarray) -> np.ndarray:
    """The spike-triggered covariance of the flattened stimuli around the STA.

    Parameters
    ----------
    stimuli : array_like
        Shape ``(n, rows, cols)``, at most 4096 pixels per image (the result is a square matrix of
        that side).
    responses : array_like
        Shape ``(n,)``, as in :func:`spike_triggered_average`.

    Returns
    -------
    numpy.ndarray
        Shape ``(rows * cols, rows * cols)``: entry ``[i, j]`` is
        :math:`\\sum_k r_k (x_{ki} - a_i)(x_{kj} - a_j) / \\sum_k r_k`, with :math:`a` the STA and
        pixels in row-major (``ravel``) order.

    Raises
    ------
    TypeError, ValueError
        As :func:`spike_triggered_average`, or if an image has more than 4096 pixels.

    Examples
    --------
    >>> x = np.array([[[1.0, 0.0]], [[-1.0, 0.0]]])
    >>> spike_triggered_covariance(x, [1, 1]).tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    x = _stimuli(stimuli)
    pixels = x.shape[1] * x.shape[2]
    if pixels > 4096:
        raise ValueError(
            f"stimuli of {x.shape[1]} × {x.shape[2]} = {pixels} pixels would give a "
            f"{pixels} × {pixels} covariance; the limit is 4096 pixels"
        )
    r = _counts(responses, x.shape[0])
    centred = x.reshape(x.shape[0], -1) - spike_triggered_average(x, r).ravel()
    return (centred.T * r) @ centred / r.sum()
