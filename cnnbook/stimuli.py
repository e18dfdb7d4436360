"""Images for model cells: the pixel grid, gratings, bars and edges.

Every stimulus is drawn on the same centred pixel grid as the kernels of :mod:`cnnbook.gabor`
(:func:`centred_grid`): entry ``[i, j]`` is the point :math:`(x_j, y_i)` with
:math:`x_j = j - (n-1)/2` (columns are :math:`x`) and :math:`y_i = i - (m-1)/2` (rows are
:math:`y`). As in every image array, :math:`y` grows *downwards*, so every angle here, like the
direction :math:`\\tau` of a Gabor function, turns *clockwise* on the screen as it grows.

Two ways of naming an orientation meet in the chapters, and both are used here:

- a **grating** (like the carrier of a Gabor function) is labelled by the direction ``tau`` *across*
  its stripes: ``tau = 0`` gives vertical stripes;
- a **bar** or an **edge** is labelled by the ``angle`` of the bar (or of the edge's line) itself,
  from the :math:`x` axis: ``angle = pi/2`` is a vertical bar.

So a vertical bar (``angle = pi/2``) and a grating with ``tau = 0`` are the same orientation of
stimulus: ``angle = tau + pi/2``.

Examples
--------
>>> from cnnbook.stimuli import bar, grating
>>> bar(5, np.pi / 2, length=5, width=1).astype(int).tolist()[0]
[0, 0, 1, 0, 0]
>>> grating(5, f=np.pi).round(6).tolist()[0]   # tau = 0: vertical stripes, 2 pixels apart
[1.0, -1.0, 1.0, -1.0, 1.0]
"""

from __future__ import annotations

import math

import numpy as np

from cnnbook._validate import check_int, check_real

__all__ = ["MAX_PIXELS", "bar", "centred_grid", "edge", "grating"]

#: The largest grid :func:`centred_grid` (and so every stimulus and Gabor kernel) will allocate:
#: :math:`2^{24}` points (a 4096×4096 image; 128 MiB per float64 array). Larger sizes are refused
#: with a ``ValueError`` that states the size, instead of exhausting the memory.
MAX_PIXELS: int = 2**24


def _shape(size: object) -> tuple[int, int]:
    """``size`` (an int n, or a pair (rows, cols)) as a pair of positive ints within the limit."""
    items = size if isinstance(size, (tuple, list)) else (size, size)
    if len(items) != 2:
        raise ValueError(f"size must be an int or a pair (rows, cols), got {size!r}")
    rows, cols = (check_int(n, "size", 1) for n in items)
    if rows * cols > MAX_PIXELS:
        raise ValueError(
            f"size {size!r} asks for {rows} × {cols} = {rows * cols:,} pixels; "
            f"the limit is {MAX_PIXELS:,} (cnnbook.stimuli.MAX_PIXELS)"
        )
    return rows, cols


def centred_grid(size: int | tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The centred pixel coordinates ``(x, y)`` on which kernels and stimuli are drawn.

    Parameters
    ----------
    size : int or (int, int)
        ``n`` for an n×n grid, or ``(rows, cols)``; at most :data:`MAX_PIXELS` points.

    Returns
    -------
    x, y : numpy.ndarray
        Arrays of shape (rows, cols) with ``x[i, j] = j - (cols-1)/2`` and
        ``y[i, j] = i - (rows-1)/2`` (y grows downwards, as row indices do).

    Raises
    ------
    TypeError
        If ``size`` is not an int or a pair of ints.
    ValueError
        If a size is not positive, ``size`` is not a pair, or the grid exceeds
        :data:`MAX_PIXELS` points.

    Examples
    --------
    >>> x, y = centred_grid(3)
    >>> x[0].tolist(), y[:, 0].tolist()
    ([-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0])
    """
    rows, cols = _shape(size)
    y, x = np.meshgrid(
        np.arange(rows) - (rows - 1) / 2, np.arange(cols) - (cols - 1) / 2, indexing="ij"
    )
    return x, y


def _rotated(size: object, angle: float, x0: float, y0: float) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates ``(u, v)`` from ``(x0, y0)``: ``u`` along the direction ``angle``, ``v``
    across it."""
    x, y = centred_grid(size)
    dx, dy = x - x0, y - y0
    c, s = math.cos(angle), math.sin(angle)
    # rounded to 1e-12 pixel: a pixel exactly on a boundary (cos(pi/2) is 6e-17, not 0) is then
    # decided by the definition, the same way on both sides, not by rounding errors
    return np.round(dx * c + dy * s, 12), np.round(-dx * s + dy * c, 12)


def grating(
    size: int | tuple[int, int],
    *,
    f: float,
    tau: float = 0.0,
    phi: float = 0.0,
    contrast: float = 1.0,
) -> np.ndarray:
    """A sinusoidal grating :math:`I(x, y) = c \\cos(f x' + \\phi)` on the centred grid.

    It is the carrier of :func:`cnnbook.gabor.gabor` without the envelope (same
    :math:`x' = x\\cos\\tau + y\\sin\\tau`, centred at the origin): the stimulus a Gabor cell
    with the same ``f``, ``tau`` and ``phi`` matches best.

    Parameters
    ----------
    size : int or (int, int)
        Image size, as in :func:`centred_grid`.
    f : float
        Angular frequency (radians per pixel), ``f >= 0``.
    tau : float
        Direction across the stripes (radians); ``tau = 0`` gives vertical stripes.
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
        If a parameter is not a finite real number, ``f`` is negative, or as :func:`centred_grid`.

    Examples
    --------
    >>> g = grating(3, f=np.pi)   # a period of two pixels, varying along x
    >>> np.round(g, 6).tolist()
    [[-1.0, 1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, 1.0, -1.0]]
    """
    f_ = check_real(f, "f", minimum=0)
    tau_, phi_, c = check_real(tau, "tau"), check_real(phi, "phi"), check_real(contrast, "contrast")
    x, y = centred_grid(size)
    return c * np.cos(f_ * (x * math.cos(tau_) + y * math.sin(tau_)) + phi_)


def bar(
    size: int | tuple[int, int],
    angle: float,
    *,
    length: float = 9.0,
    width: float = 1.5,
    x0: float = 0.0,
    y0: float = 0.0,
) -> np.ndarray:
    """A bright bar (1 on the bar, 0 elsewhere): a rectangle centred at ``(x0, y0)``.

    Parameters
    ----------
    size : int or (int, int)
        Image size, as in :func:`centred_grid`.
    angle : float
        Orientation of the bar's long axis, radians from the :math:`x` axis, clockwise on the
        screen (y points down): ``0`` is horizontal, ``pi/2`` vertical, and ``pi/4`` runs from
        the top left to the bottom right ("\\\\").
    length, width : float
        Extent of the bar along and across its axis, pixels (``> 0``). A pixel is on the bar when
        its centre is within ``length/2`` along and ``width/2`` across the axis, boundaries
        included (to within 1e-12 pixel).
    x0, y0 : float
        Centre of the bar on the centred grid (0, 0 is the centre of the image).

    Returns
    -------
    numpy.ndarray
        The image, float64, of 0s and 1s.

    Raises
    ------
    TypeError, ValueError
        If a parameter is not a finite real number, ``length`` or ``width`` is not positive, or as
        :func:`centred_grid`.

    Examples
    --------
    >>> bar(5, 0.0, length=3, width=1).astype(int).tolist()
    [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 1, 1, 1, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
    """
    angle_ = check_real(angle, "angle")
    length_ = check_real(length, "length", minimum=0, strict=True)
    width_ = check_real(width, "width", minimum=0, strict=True)
    u, v = _rotated(size, angle_, check_real(x0, "x0"), check_real(y0, "y0"))
    return ((np.abs(u) <= length_ / 2) & (np.abs(v) <= width_ / 2)).astype(float)


def edge(
    size: int | tuple[int, int], angle: float, *, x0: float = 0.0, y0: float = 0.0
) -> np.ndarray:
    """A step edge: 1 (light) on one side of a line through ``(x0, y0)``, 0 (dark) on the other.

    Parameters
    ----------
    size : int or (int, int)
        Image size, as in :func:`centred_grid`.
    angle : float
        Orientation of the edge's line, as the ``angle`` of :func:`bar`. Light is where
        :math:`-(x - x_0)\\sin(\\text{angle}) + (y - y_0)\\cos(\\text{angle}) < 0`: for
        ``angle = pi/2`` (a vertical edge) on the right, for ``angle = 0`` (horizontal) above.
        ``1 - edge(...)`` is the edge of opposite polarity.
    x0, y0 : float
        A point of the line on the centred grid. Pixels on the line (to within 1e-12 pixel) are
        dark.

    Returns
    -------
    numpy.ndarray
        The image, float64, of 0s and 1s.

    Raises
    ------
    TypeError, ValueError
        If a parameter is not a finite real number, or as :func:`centred_grid`.

    Examples
    --------
    >>> edge(4, np.pi / 2).astype(int).tolist()[0]   # vertical edge, light on the right
    [0, 0, 1, 1]
    """
    _, v = _rotated(size, check_real(angle, "angle"), check_real(x0, "x0"), check_real(y0, "y0"))
    return (v < 0).astype(float)
