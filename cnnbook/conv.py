"""Convolution and cross-correlation, as the book defines them.

The book's notation: an input ``x``, a kernel ``w`` and a feature map ``s``. In one dimension,

.. math::

    s(i) = (x * w)(i) = \\sum_m x(m)\\, w(i - m)

is the (true) *convolution*, and

.. math::

    s(i) = (x \\star w)(i) = \\sum_m x(i + m)\\, w(m)

is the *cross-correlation*. They differ by a flip of the kernel: convolving with ``w`` is
cross-correlating with ``w`` reversed along every axis. What deep-learning layers compute (and call
"convolution") is the cross-correlation; :func:`conv2d` says so.

Conventions used throughout:

* indices are 0-based (Goodfellow et al. write 1-based sums; shift every index by one);
* ``mode`` is ``"full"`` (every overlap, size ``n + k - 1``), ``"valid"`` (only complete overlaps,
  size ``n - k + 1``) or ``"same"`` (size ``n``, the centre of the full result, starting at index
  ``(k - 1) // 2``), exactly as in :func:`scipy.signal.convolve`;
* ``padding`` is the number of zeros added on *each* side; ``dilation`` 1 means a contiguous kernel;
  ``stride`` is the step between neighbouring windows;
* layouts for layers are NCHW, weights (F, C, KH, KW).

Input policy (every function):

* real numeric arrays are accepted; booleans count as 0 and 1; integer and boolean inputs are
  computed in float64, floating inputs keep their precision (float32 stays float32);
* complex arrays are rejected with :class:`TypeError` (the book's signals are real), and so are
  non-numeric arrays (strings, objects);
* NaN and infinity are not checked for: they propagate as in IEEE arithmetic, exactly as in SciPy's
  direct method (a NaN reaches every output whose window covers it, and ``inf * 0`` is NaN).
  Note that :func:`fft_convolve` spreads a NaN to *every* output, since every Fourier coefficient
  depends on every sample.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from cnnbook._validate import check_int, check_ndim, real_array

__all__ = [
    "convolve",
    "correlate",
    "fft_convolve",
    "time_direct_vs_fft",
    "conv_matrix",
    "conv_output_size",
    "conv2d",
    "locally_connected2d",
    "tiled_conv2d",
    "dense_param_count",
    "conv_param_count",
    "locally_connected_param_count",
    "tiled_param_count",
    "edge_detection_counts",
    "dense_interaction_cost",
    "sparse_interaction_cost",
    "receptive_field",
]

MODES = ("full", "valid", "same")


# --------------------------------------------------------------------------- input checks


def _common_dtype(*arrays: np.ndarray) -> list[np.ndarray]:
    """Cast floating arrays to their common type (float32 with float64 gives float64)."""
    dtype = np.result_type(*arrays)
    return [a.astype(dtype, copy=False) for a in arrays]


def _check_mode(mode) -> None:
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"mode must be one of 'full', 'valid', 'same'; got {mode!r}")


def _int_list(values, name: str, minimum: int) -> list[int]:
    """A sequence of integers, each ``>= minimum``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | np.ndarray):
        raise ValueError(f"{name} must be a sequence of integers, got {values!r}")
    return [check_int(v, name, minimum) for v in values]


def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    """An int, or a pair of ints (height, width), each ``>= minimum``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an integer or a pair (h, w), got {value!r}")
        return (check_int(value[0], name, minimum), check_int(value[1], name, minimum))
    v = check_int(value, name, minimum)
    return (v, v)


def _signal_pair(x, w, mode) -> tuple[np.ndarray, np.ndarray]:
    """Validate the arguments of :func:`convolve`, :func:`correlate` and :func:`fft_convolve`."""
    _check_mode(mode)
    x = real_array(x, "x")
    w = real_array(w, "w")
    if x.ndim not in (1, 2, 3):
        raise ValueError(f"x must be 1-, 2- or 3-dimensional, got ndim={x.ndim}")
    if w.ndim != x.ndim:
        raise ValueError(f"w must have the same number of dimensions as x ({x.ndim}), got {w.ndim}")
    if x.size == 0:
        raise ValueError(f"x must not be empty, got shape {x.shape}")
    if w.size == 0:
        raise ValueError(f"w must not be empty, got shape {w.shape}")
    if mode == "valid" and any(k > n for k, n in zip(w.shape, x.shape)):
        raise ValueError(
            f"w (shape {w.shape}) must not be larger than x (shape {x.shape}) in any dimension "
            "in 'valid' mode"
        )
    x, w = _common_dtype(x, w)
    return x, w


def _mode_padding(kernel_shape: Sequence[int], mode: str) -> list[tuple[int, int]]:
    """Zeros to add before and after each axis so that 'valid' windows give ``mode``'s output.

    The full result has ``k - 1`` zeros on each side. 'same' keeps the full result's entries
    ``(k - 1) // 2`` to ``(k - 1) // 2 + n - 1``, which is the same as padding
    ``k - 1 - (k - 1) // 2`` zeros before and ``(k - 1) // 2`` after.
    """
    if mode == "valid":
        return [(0, 0) for _ in kernel_shape]
    if mode == "full":
        return [(k - 1, k - 1) for k in kernel_shape]
    return [(k - 1 - (k - 1) // 2, (k - 1) // 2) for k in kernel_shape]


# --------------------------------------------------------------------------- direct route


def correlate(x: ArrayLike, w: ArrayLike, mode: str = "valid") -> np.ndarray:
    """Cross-correlate ``x`` with the kernel ``w`` (no flip): the operation of a CNN layer.

    In 1-D, ``s[i] = sum_m x[i + m] * w[m]`` over the kernel indices ``m`` (0-based; with the
    'full' and 'same' modes ``x`` is zero-padded first). The same sum runs over every axis for
    2-D and 3-D arrays.

    Parameters
    ----------
    x : array_like
        The input, 1-, 2- or 3-dimensional, real.
    w : array_like
        The kernel, with the same number of dimensions as ``x``.
    mode : {"valid", "full", "same"}, optional
        Size of the output (see the module notes). Default "valid", the choice of CNN layers.

    Returns
    -------
    numpy.ndarray
        The feature map ``s``; equal to ``scipy.signal.correlate(x, w, mode)`` for real inputs.

    Raises
    ------
    TypeError
        If ``x`` or ``w`` is complex or not numeric.
    ValueError
        If ``mode`` is unknown; ``x`` is not 1-, 2- or 3-D; ``w`` has another number of dimensions;
        an array is empty; or, in "valid" mode, ``w`` is larger than ``x`` along some axis
        (SciPy would swap the arguments; here ``w`` is always the kernel).

    Examples
    --------
    >>> correlate([1, 2, 3, 4], [1, -1])
    array([-1., -1., -1.])
    >>> correlate([1, 2, 3], [0, 1], mode="full")
    array([1., 2., 3., 0.])
    """
    x, w = _signal_pair(x, w, mode)
    x_padded = np.pad(x, _mode_padding(w.shape, mode))
    # windows[i, ..., m, ...] = x_padded[i + m, ...]: one window per output position
    windows = sliding_window_view(x_padded, w.shape)
    # s[i] = sum over m of windows[i, m] * w[m]  (the last w.ndim axes are summed)
    return np.tensordot(windows, w, axes=w.ndim)


def convolve(x: ArrayLike, w: ArrayLike, mode: str = "full") -> np.ndarray:
    """Convolve ``x`` with ``w``: ``s[i] = sum_m x[m] * w[i - m]`` (the kernel is flipped).

    Substituting ``m = i - j`` turns the sum into ``sum_j x[i - j] * w[j]``, and reading the
    kernel backwards, ``v[j] = w[k - 1 - j]``, turns it into a cross-correlation with ``v``.
    So the code flips ``w`` along every axis and calls :func:`correlate`.

    Parameters
    ----------
    x : array_like
        The input, 1-, 2- or 3-dimensional, real.
    w : array_like
        The kernel, with the same number of dimensions as ``x``.
    mode : {"full", "valid", "same"}, optional
        Size of the output (see the module notes). Default "full", as in mathematics.

    Returns
    -------
    numpy.ndarray
        The feature map ``s``; equal to ``scipy.signal.convolve(x, w, mode)`` and, in 1-D, to
        ``numpy.convolve(x, w, mode)`` for real inputs.

    Raises
    ------
    TypeError
        If ``x`` or ``w`` is complex or not numeric.
    ValueError
        As :func:`correlate`: unknown ``mode``, wrong or mismatched ``ndim``, empty arrays, or
        ``w`` larger than ``x`` in "valid" mode.

    Examples
    --------
    >>> convolve([1, 2, 3], [0, 1, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> convolve([1, 2, 3], [1, 1], mode="valid")
    array([3., 5.])
    """
    x, w = _signal_pair(x, w, mode)
    w_flipped = np.flip(w)  # w reversed along every axis: the "i - m" of the definition
    return correlate(x, w_flipped, mode)


# --------------------------------------------------------------------------- FFT route


def fft_convolve(x: ArrayLike, w: ArrayLike, mode: str = "full") -> np.ndarray:
    """Convolve through the convolution theorem: ``x * w = IFFT(FFT(x) . FFT(w))``.

    The discrete Fourier transform turns *circular* convolution into a pointwise product. Padding
    both arrays with zeros to at least the full length ``n + k - 1`` (per axis) makes the circular
    convolution equal to the ordinary one, since nothing wraps around; the result is then cropped
    to ``mode``. The padded length is rounded up to a product of 2, 3 and 5, for which the FFT is
    fast (as :func:`scipy.signal.fftconvolve` does). Real inputs use the real transforms
    :func:`numpy.fft.rfftn` / :func:`numpy.fft.irfftn`.

    Parameters
    ----------
    x : array_like
        The input, 1-, 2- or 3-dimensional, real.
    w : array_like
        The kernel, with the same number of dimensions as ``x``.
    mode : {"full", "valid", "same"}, optional
        Size of the output, as in :func:`convolve`.

    Returns
    -------
    numpy.ndarray
        ``convolve(x, w, mode)`` up to floating-point rounding (about 1e-15 relative to the
        largest output in float64). A NaN or infinity anywhere in ``x`` or ``w`` makes every
        output NaN.

    Raises
    ------
    TypeError
        If ``x`` or ``w`` is complex or not numeric.
    ValueError
        As :func:`convolve`.

    Examples
    --------
    >>> s = fft_convolve([1, 2, 3], [0, 1, 0.5])
    >>> s.round(6) + 0.0  # + 0.0 turns a rounding-error -0.0 into 0.0
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> bool(np.allclose(s, convolve([1, 2, 3], [0, 1, 0.5])))
    True
    """
    x, w = _signal_pair(x, w, mode)
    full_shape = [n + k - 1 for n, k in zip(x.shape, w.shape)]
    fft_shape = [_fast_length(size) for size in full_shape]  # any length >= full_shape works
    axes = tuple(range(x.ndim))
    x_hat = np.fft.rfftn(x, s=fft_shape, axes=axes)  # zero-padded to fft_shape
    w_hat = np.fft.rfftn(w, s=fft_shape, axes=axes)
    s_padded = np.fft.irfftn(x_hat * w_hat, s=fft_shape, axes=axes)
    s_full = s_padded[tuple(slice(0, size) for size in full_shape)]
    if mode == "full":
        return s_full
    if mode == "valid":
        start = [k - 1 for k in w.shape]
        length = [n - k + 1 for n, k in zip(x.shape, w.shape)]
    else:  # "same"
        start = [(k - 1) // 2 for k in w.shape]
        length = list(x.shape)
    return s_full[tuple(slice(a, a + m) for a, m in zip(start, length))]


def _fast_length(size: int) -> int:
    """The smallest length ``>= size`` of the form 2^a 3^b 5^c, for which the FFT is fast.

    The FFT of a length with a large prime factor, such as 4098 = 2 · 3 · 683, is several times
    slower than that of the next such length, 4320 = 2^5 · 3^3 · 5.
    """
    length = size
    while True:
        rest = length
        for p in (2, 3, 5):
            while rest % p == 0:
                rest //= p
        if rest == 1:
            return length
        length += 1


def time_direct_vs_fft(
    n: int, kernel_sizes: Sequence[int], repeats: int = 5, seed: int = 0, ndim: int = 1
) -> dict[str, np.ndarray]:
    """Measure the median run time of :func:`convolve` and :func:`fft_convolve` per kernel size.

    The direct route costs about ``n * k`` multiplications in 1-D (``n² k²`` in 2-D), the FFT route
    about ``n log n`` whatever ``k``: plotting both against ``k`` shows where they cross. Times
    are wall-clock (``time.perf_counter``) medians over ``repeats`` runs of a "full"
    convolution of seeded Gaussian noise, after one untimed warm-up run; they depend on the
    machine.

    Parameters
    ----------
    n : int
        Input length (``ndim=1``) or side of the square input (``ndim=2``), at least 1.
    kernel_sizes : sequence of int
        Kernel lengths (or sides) to time, each at least 1.
    repeats : int, optional
        Runs per measurement (at least 1); the median is reported.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng` for the input and kernels.
    ndim : {1, 2}, optional
        Dimension of the signals.

    Returns
    -------
    dict of str to numpy.ndarray
        ``"kernel_sizes"`` (int), ``"direct"`` and ``"fft"`` (seconds, float), aligned.

    Raises
    ------
    ValueError
        If ``n``, ``repeats``, ``ndim`` or an entry of ``kernel_sizes`` is not a valid integer.

    Examples
    --------
    >>> t = time_direct_vs_fft(64, [3, 9], repeats=3)
    >>> t["direct"].shape, bool((t["fft"] > 0).all())
    ((2,), True)
    """
    n = check_int(n, "n", 1)
    repeats = check_int(repeats, "repeats", 1)
    ndim = check_int(ndim, "ndim", 1)
    if ndim > 2:
        raise ValueError(f"ndim must be 1 or 2, got {ndim}")
    sizes = np.array(_int_list(kernel_sizes, "kernel_sizes", 1), dtype=int)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n,) * ndim)
    direct = np.empty(len(sizes))
    fft = np.empty(len(sizes))
    for i, k in enumerate(sizes):
        w = rng.standard_normal((int(k),) * ndim)
        for route, out in ((convolve, direct), (fft_convolve, fft)):
            route(x, w, "full")  # untimed warm-up: leaves out one-off set-up costs
            runs = []
            for _ in range(repeats):
                start = time.perf_counter()
                route(x, w, "full")
                runs.append(time.perf_counter() - start)
            out[i] = np.median(runs)
    return {"kernel_sizes": sizes, "direct": direct, "fft": fft}


# --------------------------------------------------------------------------- convolution matrix


def conv_matrix(w: ArrayLike, n: int | Sequence[int], mode: str = "full") -> np.ndarray:
    """The matrix ``M`` of the linear map ``x -> convolve(x, w, mode)`` for inputs of shape ``n``.

    Row ``o`` and column ``m`` hold ``w[o + offset - m]`` (zero when that index falls outside
    the kernel), where ``offset`` is 0 for "full", ``k - 1`` for "valid" and ``(k - 1) // 2`` for
    "same": each row is the flipped kernel, shifted one step further than the row above. In 1-D,
    ``M`` is a Toeplitz matrix (constant along its diagonals). In 2-D, with inputs and outputs
    flattened row by row, it is *doubly block Toeplitz*: a Toeplitz arrangement of blocks, each
    block itself the Toeplitz matrix of one row of ``w``.

    Parameters
    ----------
    w : array_like
        The kernel, 1-, 2- or 3-dimensional, real.
    n : int or tuple of int
        Shape of the input ``x`` (an int is accepted for 1-D kernels); one entry per axis of ``w``.
    mode : {"full", "valid", "same"}, optional
        Output size, as in :func:`convolve`.

    Returns
    -------
    numpy.ndarray
        ``M`` of shape ``(number of outputs, prod(n))`` with
        ``M @ x.ravel() == convolve(x, w, mode).ravel()``.

    Raises
    ------
    TypeError
        If ``w`` is complex or not numeric.
    ValueError
        If ``mode`` is unknown, ``w`` is empty or not 1- to 3-D, ``n`` does not give one positive
        integer per axis of ``w``, or ``w`` is larger than ``n`` in "valid" mode.

    Examples
    --------
    >>> conv_matrix([1, -1], 3, mode="valid")
    array([[-1.,  1.,  0.],
           [ 0., -1.,  1.]])
    """
    _check_mode(mode)
    w = real_array(w, "w")
    if w.ndim not in (1, 2, 3):
        raise ValueError(f"w must be 1-, 2- or 3-dimensional, got ndim={w.ndim}")
    if w.size == 0:
        raise ValueError(f"w must not be empty, got shape {w.shape}")
    shape = tuple(_int_list([n] if isinstance(n, Integral) else n, "n", 1))
    if len(shape) != w.ndim:
        raise ValueError(f"n must give one size per axis of w ({w.ndim}), got {n!r}")
    if mode == "valid" and any(k > size for k, size in zip(w.shape, shape)):
        raise ValueError(f"w (shape {w.shape}) must not be larger than n = {shape} in 'valid' mode")

    d = w.ndim
    kernel_index = []  # per axis: w index o + offset - m, broadcast to (o_1..o_d, m_1..m_d)
    for axis, (size, k) in enumerate(zip(shape, w.shape)):
        offset = {"full": 0, "valid": k - 1, "same": (k - 1) // 2}[mode]
        n_out = {"full": size + k - 1, "valid": size - k + 1, "same": size}[mode]
        j = (np.arange(n_out) + offset)[:, None] - np.arange(size)[None, :]
        axes_shape = [1] * (2 * d)
        axes_shape[axis], axes_shape[d + axis] = n_out, size
        kernel_index.append(j.reshape(axes_shape))
    inside = np.ones((1,) * (2 * d), dtype=bool)  # does the index fall inside the kernel?
    for j, k in zip(kernel_index, w.shape):
        inside = inside & (j >= 0) & (j < k)
    clipped = tuple(np.clip(j, 0, k - 1) for j, k in zip(kernel_index, w.shape))
    m = np.where(inside, w[clipped], 0.0).astype(w.dtype, copy=False)
    n_outputs = int(np.prod(m.shape[:d]))
    return m.reshape(n_outputs, int(np.prod(shape)))


# --------------------------------------------------------------------------- layer arithmetic


def conv_output_size(n: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length of a convolution layer along one axis.

    ``floor((n + 2 p - d (k - 1) - 1) / s) + 1``: the padded input has ``n + 2 p`` samples, the
    dilated kernel spans ``d (k - 1) + 1`` of them, and windows start every ``s`` samples.

    Parameters
    ----------
    n : int
        Input length (at least 1).
    k : int
        Kernel length (at least 1).
    stride : int, optional
        Step between windows, ``s`` (at least 1).
    padding : int, optional
        Zeros added on *each* side, ``p`` (at least 0).
    dilation : int, optional
        Spacing between kernel taps, ``d``; 1 is a contiguous kernel (at least 1).

    Returns
    -------
    int
        The number of window positions, at least 1.

    Raises
    ------
    ValueError
        If an argument is not an integer (``bool`` and ``float`` included) or is out of range, or
        if the dilated kernel is longer than the padded input (the output would be empty).

    Examples
    --------
    >>> conv_output_size(28, 5)
    24
    >>> conv_output_size(7, 3, stride=2, padding=1)
    4
    """
    n = check_int(n, "n", 1)
    k = check_int(k, "k", 1)
    stride = check_int(stride, "stride", 1)
    padding = check_int(padding, "padding", 0)
    dilation = check_int(dilation, "dilation", 1)
    span = dilation * (k - 1) + 1
    if span > n + 2 * padding:
        raise ValueError(
            f"k = {k} with dilation = {dilation} spans {span} samples, more than the padded input "
            f"n + 2*padding = {n + 2 * padding}: the output would be empty"
        )
    return (n + 2 * padding - span) // stride + 1


def _layer_input(x, name: str = "x") -> np.ndarray:
    return check_ndim(real_array(x, name), name, 4, "(N, C, H, W)")


def _windows(
    x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int], dilation=(1, 1)
) -> np.ndarray:
    """View of shape (N, C, OH, OW, KH, KW): the (strided, dilated) window under each output."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    windows = sliding_window_view(x, span, axis=(2, 3))
    return windows[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


def conv2d(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """The convolution layer of deep learning, which is a *cross-correlation* (no kernel flip).

    ``s[n, f, i, j] = b[f] + sum_{c, p, q} x_pad[n, c, i*sh + p*dh, j*sw + q*dw] * w[f, c, p, q]``
    where ``x_pad`` is ``x`` with ``padding`` zeros on each side of H and W.

    Parameters
    ----------
    x : array_like
        Input batch, shape (N, C, H, W).
    w : array_like
        Kernels, shape (F, C, KH, KW): ``F`` filters, each with one KH×KW kernel per channel.
    b : array_like or None, optional
        Bias, shape (F,), added to every position of feature map ``f``.
    stride, padding, dilation : int or (int, int), optional
        Per axis (height, width); an int applies to both. Padding is per side; dilation 1 is a
        contiguous kernel.

    Returns
    -------
    numpy.ndarray
        Feature maps, shape (N, F, OH, OW) with ``OH = conv_output_size(H, KH, ...)``; equal to
        ``torch.nn.functional.conv2d`` with the same arguments.

    Raises
    ------
    TypeError
        If an array is complex or not numeric.
    ValueError
        If ``x`` or ``w`` is not 4-D or empty, the channels of ``x`` and ``w`` differ, ``b`` is
        not of shape (F,), ``stride``/``dilation`` < 1, ``padding`` < 0, or the dilated kernel
        does not fit in the padded input.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.array([[[[1.0, -1.0]]]])  # one filter: horizontal difference
    >>> conv2d(x, w)[0, 0]
    array([[-1., -1., -1.],
           [-1., -1., -1.],
           [-1., -1., -1.],
           [-1., -1., -1.]])
    >>> conv2d(x, w, padding=1, stride=2).shape
    (1, 1, 3, 3)
    """
    x = _layer_input(x)
    w = check_ndim(real_array(w, "w"), "w", 4, "(F, C, KH, KW)")
    if w.shape[1] != x.shape[1]:
        raise ValueError(
            f"w has {w.shape[1]} input channels (w.shape[1]) but x has {x.shape[1]} (x.shape[1])"
        )
    stride = _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    dilation = _pair(dilation, "dilation", 1)
    n_filters, _, kh, kw = w.shape
    for axis, (size, k) in enumerate(zip(x.shape[2:], (kh, kw))):
        span = dilation[axis] * (k - 1) + 1
        if span > size + 2 * padding[axis]:
            raise ValueError(
                f"w's kernel (dilated span {span}) is larger than the padded input x "
                f"({size} + 2*{padding[axis]}) along axis {'HW'[axis]}"
            )
    arrays = [x, w] if b is None else [x, w, _bias(b, (n_filters,), "(F,)")]
    x, w, *bias = _common_dtype(*arrays)

    pad = ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1]))
    windows = _windows(np.pad(x, pad), (kh, kw), stride, dilation)  # (N, C, OH, OW, KH, KW)
    s = np.einsum("ncijpq,fcpq->nfij", windows, w, optimize=True)
    if bias:
        s += bias[0][:, None, None]
    return s


def _bias(b, shapes, description: str) -> np.ndarray:
    """``b`` as an array of one of the allowed ``shapes`` (a tuple, or a list of tuples)."""
    b = real_array(b, "b")
    allowed = shapes if isinstance(shapes, list) else [shapes]
    if b.shape not in allowed:
        raise ValueError(f"b must have shape {description}, got {b.shape}")
    return b


def locally_connected2d(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike | None = None,
    stride: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Unshared convolution: every output position (i, j) has its own kernels ``w[i, j]``.

    ``s[n, f, i, j] = b + sum_{c, p, q} x[n, c, i*sh + p, j*sw + q] * w[i, j, f, c, p, q]``,
    a cross-correlation whose weights change with the position (no padding, no dilation).
    With all ``w[i, j]`` equal it is :func:`conv2d`.

    Parameters
    ----------
    x : array_like
        Input batch, shape (N, C, H, W).
    w : array_like
        Weights, shape (OH, OW, F, C, KH, KW), where (OH, OW) must be the output size
        ``conv_output_size(H, KH, stride)`` × ``conv_output_size(W, KW, stride)``.
    b : array_like or None, optional
        Bias, shape (F,) (one per feature map, shared over positions) or (OH, OW, F) (one per
        output unit, unshared like the weights).
    stride : int or (int, int), optional
        Step between windows (height, width).

    Returns
    -------
    numpy.ndarray
        Feature maps, shape (N, F, OH, OW).

    Raises
    ------
    TypeError
        If an array is complex or not numeric.
    ValueError
        If ``x`` is not 4-D or ``w`` not 6-D, an array is empty, the channels differ,
        (OH, OW) of ``w`` do not match the output size, ``b`` has another shape, or
        ``stride`` < 1.

    Examples
    --------
    >>> x = np.ones((1, 1, 3, 3))
    >>> w = np.arange(4.0).reshape(2, 2, 1, 1, 1, 1) * np.ones((1, 1, 1, 1, 2, 2))
    >>> locally_connected2d(x, w)[0, 0]  # position (i, j) sums 4 ones times w[i, j] = 2i + j
    array([[ 0.,  4.],
           [ 8., 12.]])
    """
    x = _layer_input(x)
    w = check_ndim(real_array(w, "w"), "w", 6, "(OH, OW, F, C, KH, KW)")
    out_h, out_w, n_filters, channels, kh, kw = w.shape
    if channels != x.shape[1]:
        raise ValueError(
            f"w has {channels} input channels (w.shape[3]) but x has {x.shape[1]} (x.shape[1])"
        )
    stride = _pair(stride, "stride", 1)
    expected = _unit_grid(x, (kh, kw), stride)
    if (out_h, out_w) != expected:
        raise ValueError(
            f"w must have (OH, OW) = {expected} leading axes for this x, kernel and stride, "
            f"got {(out_h, out_w)}"
        )
    arrays = [x, w]
    if b is not None:
        arrays.append(_bias(b, [(n_filters,), (out_h, out_w, n_filters)], "(F,) or (OH, OW, F)"))
    x, w, *bias = _common_dtype(*arrays)

    windows = _windows(x, (kh, kw), stride)  # (N, C, OH, OW, KH, KW)
    s = np.einsum("ncijpq,ijfcpq->nfij", windows, w, optimize=True)
    if bias:
        b = bias[0]
        s += b[:, None, None] if b.ndim == 1 else np.moveaxis(b, 2, 0)
    return s


def _unit_grid(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int]) -> tuple:
    """(OH, OW) for an unpadded layer, with a ValueError naming ``w`` if the kernel does not fit."""
    for size, k, axis in zip(x.shape[2:], kernel, "HW"):
        if k > size:
            raise ValueError(f"w's kernel ({k}) is larger than x ({size}) along axis {axis}")
    return tuple(conv_output_size(n, k, s) for n, k, s in zip(x.shape[2:], kernel, stride))


def tiled_conv2d(
    x: ArrayLike,
    w: ArrayLike,
    b: ArrayLike | None = None,
    stride: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Tiled convolution: output position (i, j) uses the kernels ``w[i % TH, j % TW]``.

    Between :func:`conv2d` (one set of kernels, TH = TW = 1) and :func:`locally_connected2d`
    (a set per position, tiles as large as the output), a tile of TH × TW kernel sets is repeated
    over the output. The code expands the tile to one kernel set per position and calls
    :func:`locally_connected2d`.

    Parameters
    ----------
    x : array_like
        Input batch, shape (N, C, H, W).
    w : array_like
        Weights, shape (TH, TW, F, C, KH, KW).
    b : array_like or None, optional
        Bias, shape (F,) (shared) or (TH, TW, F) (tiled like the weights).
    stride : int or (int, int), optional
        Step between windows (height, width).

    Returns
    -------
    numpy.ndarray
        Feature maps, shape (N, F, OH, OW), with ``OH = conv_output_size(H, KH, stride)``.

    Raises
    ------
    TypeError
        If an array is complex or not numeric.
    ValueError
        If ``x`` is not 4-D or ``w`` not 6-D, an array is empty, the channels differ, the kernel
        does not fit in ``x``, ``b`` has another shape, or ``stride`` < 1.

    Examples
    --------
    >>> x = np.ones((1, 1, 2, 4))
    >>> w = np.array([1.0, -1.0]).reshape(1, 2, 1, 1, 1, 1)  # two 1x1 kernels alternating
    >>> tiled_conv2d(x, w)[0, 0]
    array([[ 1., -1.,  1., -1.],
           [ 1., -1.,  1., -1.]])
    """
    x = _layer_input(x)
    w = check_ndim(real_array(w, "w"), "w", 6, "(TH, TW, F, C, KH, KW)")
    tile_h, tile_w, n_filters, channels, kh, kw = w.shape
    if channels != x.shape[1]:
        raise ValueError(
            f"w has {channels} input channels (w.shape[3]) but x has {x.shape[1]} (x.shape[1])"
        )
    stride = _pair(stride, "stride", 1)
    out_h, out_w = _unit_grid(x, (kh, kw), stride)
    rows = np.arange(out_h) % tile_h
    cols = np.arange(out_w) % tile_w
    w_per_position = w[rows[:, None], cols[None, :]]  # (OH, OW, F, C, KH, KW)
    if b is not None:
        b = _bias(b, [(n_filters,), (tile_h, tile_w, n_filters)], "(F,) or (TH, TW, F)")
        if b.ndim == 3:
            b = b[rows[:, None], cols[None, :]]
    return locally_connected2d(x, w_per_position, b, stride)


# --------------------------------------------------------------------------- counting


def dense_param_count(in_size: int, out_size: int, *, bias: bool = False) -> int:
    """Parameters of a fully connected layer: ``in_size * out_size`` (+ ``out_size`` biases).

    Parameters
    ----------
    in_size, out_size : int
        Numbers of input and output units (for images, C·H·W and F·OH·OW), at least 1.
    bias : bool, optional
        Count one bias per output unit.

    Returns
    -------
    int
        The number of parameters (one weight per input-output pair).

    Raises
    ------
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> dense_param_count(3 * 32 * 32, 16 * 30 * 30)
    44236800
    """
    in_size = check_int(in_size, "in_size", 1)
    out_size = check_int(out_size, "out_size", 1)
    return in_size * out_size + (out_size if bias else 0)


def conv_param_count(
    in_channels: int, out_channels: int, kernel_size: int | tuple[int, int], *, bias: bool = False
) -> int:
    """Parameters of a convolutional layer: ``F * C * KH * KW`` (+ ``F`` biases).

    Independent of the image size: the same kernels are used at every position.

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``F``, at least 1.
    kernel_size : int or (int, int)
        ``KH`` and ``KW`` (an int for a square kernel).
    bias : bool, optional
        Count one bias per output channel.

    Returns
    -------
    int
        The number of parameters.

    Raises
    ------
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> conv_param_count(3, 16, 3)
    432
    """
    c = check_int(in_channels, "in_channels", 1)
    f = check_int(out_channels, "out_channels", 1)
    kh, kw = _pair(kernel_size, "kernel_size", 1)
    return f * c * kh * kw + (f if bias else 0)


def locally_connected_param_count(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    output_size: int | tuple[int, int],
    *,
    bias: bool = False,
) -> int:
    """Parameters of a locally connected layer: ``OH * OW * F * C * KH * KW`` (+ ``OH*OW*F``).

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``F``, at least 1.
    kernel_size : int or (int, int)
        ``KH`` and ``KW``.
    output_size : int or (int, int)
        ``OH`` and ``OW``: every output position has its own kernels.
    bias : bool, optional
        Count one bias per output unit (shape (OH, OW, F) in :func:`locally_connected2d`).

    Returns
    -------
    int
        The number of parameters.

    Raises
    ------
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> locally_connected_param_count(3, 16, 3, 30)
    388800
    """
    oh, ow = _pair(output_size, "output_size", 1)
    return oh * ow * conv_param_count(in_channels, out_channels, kernel_size, bias=bias)


def tiled_param_count(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    tile_size: int | tuple[int, int],
    *,
    bias: bool = False,
) -> int:
    """Parameters of a tiled convolution: ``TH * TW * F * C * KH * KW`` (+ ``TH*TW*F``).

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``F``, at least 1.
    kernel_size : int or (int, int)
        ``KH`` and ``KW``.
    tile_size : int or (int, int)
        ``TH`` and ``TW``: the number of kernel sets cycled over the output.
    bias : bool, optional
        Count one bias per filter and tile position (shape (TH, TW, F) in :func:`tiled_conv2d`).

    Returns
    -------
    int
        The number of parameters (for tiles no larger than the output).

    Raises
    ------
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> tiled_param_count(3, 16, 3, 2)
    1728
    """
    th, tw = _pair(tile_size, "tile_size", 1)
    return th * tw * conv_param_count(in_channels, out_channels, kernel_size, bias=bias)


def edge_detection_counts(height: int = 280, width: int = 320, kernel_width: int = 2) -> dict:
    """Storage and work of a horizontal edge detector, as in Goodfellow et al. (2016, §9.2).

    The kernel ``[-1, 1]`` (length ``k = kernel_width``) slides along each row of a
    ``height × width`` image ("valid" mode), giving ``height × (width - k + 1)`` outputs. Each
    output costs ``k`` multiplications and ``k - 1`` additions. The same linear map written as a
    dense matrix has one entry per (input pixel, output pixel) pair; as a sparse matrix, only the
    ``k`` nonzero entries of each row are stored.

    Parameters
    ----------
    height, width : int, optional
        Image size in pixels (rows, columns); the book's example is 280 × 320.
    kernel_width : int, optional
        Length of the row kernel (2 for ``[-1, 1]``); at most ``width``.

    Returns
    -------
    dict
        ``"output_shape"`` (rows, cols); ``"kernel_entries"`` (k);
        ``"conv_flops"`` = outputs · (2k − 1); ``"dense_matrix_entries"`` = inputs · outputs;
        ``"dense_flops"`` = outputs · (2 · inputs − 1) for the matrix-vector product;
        ``"sparse_matrix_entries"`` = k · outputs.

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``kernel_width > width``.

    Examples
    --------
    >>> c = edge_detection_counts()
    >>> c["output_shape"], c["dense_matrix_entries"], c["conv_flops"], c["sparse_matrix_entries"]
    ((280, 319), 8003072000, 267960, 178640)
    """
    height = check_int(height, "height", 1)
    width = check_int(width, "width", 1)
    k = check_int(kernel_width, "kernel_width", 1)
    if k > width:
        raise ValueError(f"kernel_width must be at most width = {width}, got {k}")
    out_w = conv_output_size(width, k)
    n_in, n_out = height * width, height * out_w
    return {
        "output_shape": (height, out_w),
        "kernel_entries": k,
        "conv_flops": n_out * (2 * k - 1),
        "dense_matrix_entries": n_in * n_out,
        "dense_flops": n_out * (2 * n_in - 1),
        "sparse_matrix_entries": k * n_out,
    }


def dense_interaction_cost(m: int, n: int) -> int:
    """Parameters (and multiplications) of a dense layer with ``m`` inputs and ``n`` outputs: m·n.

    Every output interacts with every input, so storage and run time are O(m × n).

    Parameters
    ----------
    m, n : int
        Numbers of inputs and outputs, at least 1.

    Returns
    -------
    int
        ``m * n``.

    Raises
    ------
    ValueError
        If ``m`` or ``n`` is not a positive integer.

    Examples
    --------
    >>> dense_interaction_cost(1000, 1000)
    1000000
    """
    return check_int(m, "m", 1) * check_int(n, "n", 1)


def sparse_interaction_cost(k: int, n: int) -> int:
    """Parameters (and multiplications) when each of ``n`` outputs sees only ``k`` inputs: k·n.

    Sparse interactions make storage and run time O(k × n), with ``k`` often orders of magnitude
    smaller than the number of inputs ``m``.

    Parameters
    ----------
    k : int
        Connections per output (kernel size), at least 1.
    n : int
        Number of outputs, at least 1.

    Returns
    -------
    int
        ``k * n``.

    Raises
    ------
    ValueError
        If ``k`` or ``n`` is not a positive integer.

    Examples
    --------
    >>> sparse_interaction_cost(3, 1000)
    3000
    """
    return check_int(k, "k", 1) * check_int(n, "n", 1)


def receptive_field(
    kernel_sizes: Sequence[int],
    strides: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
) -> list[int]:
    """Receptive-field size (in input samples, along one axis) after each of stacked layers.

    A unit of layer ``l`` sees ``r_l = r_{l-1} + d_l (k_l - 1) J_{l-1}`` inputs, where
    ``J_{l-1} = s_1 s_2 ... s_{l-1}`` is the distance, in input samples, between neighbouring
    units of layer ``l - 1`` and ``r_0 = 1``. With dilation the field has holes; ``r_l`` is its
    span from first to last input sample.

    Parameters
    ----------
    kernel_sizes : sequence of int
        ``k_l`` for each layer, at least 1.
    strides : sequence of int or None, optional
        ``s_l`` for each layer (default all 1).
    dilations : sequence of int or None, optional
        ``d_l`` for each layer (default all 1, contiguous kernels).

    Returns
    -------
    list of int
        ``[r_1, r_2, ...]``, one entry per layer.

    Raises
    ------
    ValueError
        If a size is not a positive integer, or ``strides``/``dilations`` has another length
        than ``kernel_sizes``.

    Examples
    --------
    >>> receptive_field([3, 3, 3])
    [3, 5, 7]
    >>> receptive_field([3, 3], strides=[2, 1])
    [3, 7]
    """
    ks = _int_list(kernel_sizes, "kernel_sizes", 1)
    ss = [1] * len(ks) if strides is None else _int_list(strides, "strides", 1)
    ds = [1] * len(ks) if dilations is None else _int_list(dilations, "dilations", 1)
    for name, values in (("strides", ss), ("dilations", ds)):
        if len(values) != len(ks):
            raise ValueError(f"{name} must have one entry per layer ({len(ks)}), got {len(values)}")
    sizes, r, jump = [], 1, 1
    for k, s, d in zip(ks, ss, ds):
        r += d * (k - 1) * jump
        jump *= s
        sizes.append(r)
    return sizes
