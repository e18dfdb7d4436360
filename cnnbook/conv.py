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
  ``(k - 1) // 2``), exactly as in :func:`scipy.signal.convolve`; one table, ``MODES``, says
  where each mode's output starts and how long it is;
* ``padding`` is the number of zeros added on *each* side; ``dilation`` 1 means a contiguous kernel;
  ``stride`` is the step between neighbouring windows;
* layouts for layers are NCHW, weights (F, C, KH, KW).

Two routes compute :func:`convolve` and :func:`correlate`: the *direct* route sums the definition
(one kernel tap at a time over a view of the windows, in chunks of output rows, so that no call
allocates more than the output and one chunk), and the *FFT* route uses the convolution theorem
(:func:`fft_convolve`). ``method="auto"`` picks the one that the measured cost model
:func:`route_seconds` predicts to be faster (by a margin, :data:`FFT_MARGIN`, for the FFT route,
which needs more memory).

Input policy (every function):

* real numeric arrays are accepted; booleans count as 0 and 1; integer and boolean inputs are
  computed in float64, floating inputs keep their precision (float32 stays float32, float16 stays
  float16);
* complex arrays are rejected with :class:`TypeError` (the book's signals are real), and so are
  non-numeric arrays (strings, objects);
* NaN and infinity are not checked for: they propagate as in IEEE arithmetic, exactly as in SciPy's
  direct method (a NaN reaches every output whose window covers it, and ``inf * 0`` is NaN).
  ``method="auto"`` takes the direct route whenever an input is not finite, since the FFT route
  spreads a NaN or an infinity to *every* output (each Fourier coefficient depends on every
  sample); so does :func:`fft_convolve` when finite inputs overflow inside the transform.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from cnnbook._validate import (
    check_alloc,
    check_int,
    check_int_sequence,
    check_ndim,
    check_pair,
    real_array,
)
from cnnbook.cost import (
    conv_param_count,
    dense_interaction_cost,
    dense_param_count,
    edge_detection_counts,
    locally_connected_param_count,
    receptive_field,
    sparse_interaction_cost,
    tiled_param_count,
)
from cnnbook.timing import time_direct_vs_fft

__all__ = [  # noqa: RUF022  (grouped: the operation, its cost model, re-exports)
    "convolve",
    "correlate",
    "fft_convolve",
    "conv_matrix",
    "conv_output_size",
    "conv2d",
    "conv2d_backward",
    "locally_connected2d",
    "tiled_conv2d",
    "route_seconds",
    "ROUTE_CONSTANTS",
    "FFT_MARGIN",
    "FFT_CACHE_SAMPLES",
    "CHUNK_BYTES",
    # re-exported: measured in cnnbook.timing, counted in cnnbook.cost
    "time_direct_vs_fft",
    "dense_param_count",
    "conv_param_count",
    "locally_connected_param_count",
    "tiled_param_count",
    "edge_detection_counts",
    "dense_interaction_cost",
    "sparse_interaction_cost",
    "receptive_field",
]

#: The output of each mode, per axis, for an input of length ``n`` and a kernel of length ``k``:
#: ``(start, length)`` of its slice of the full result (of length ``n + k - 1``).
MODES = {
    "full": lambda n, k: (0, n + k - 1),
    "valid": lambda n, k: (k - 1, n - k + 1),
    "same": lambda n, k: ((k - 1) // 2, n),
}

METHODS = ("auto", "direct", "fft")

#: Bytes of output (and of the one scratch buffer) that the direct route computes per chunk:
#: small enough to stay in the processor's cache, large enough to amortise NumPy's call overhead.
CHUNK_BYTES = 2**18


# --------------------------------------------------------------------------- input checks


def _common_dtype(*arrays: np.ndarray) -> list[np.ndarray]:
    """Cast floating arrays to their common type (float32 with float64 gives float64)."""
    dtype = np.result_type(*arrays)
    return [a.astype(dtype, copy=False) for a in arrays]


def _check_mode(mode) -> None:
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"mode must be one of 'full', 'valid', 'same'; got {mode!r}")


def _check_method(method) -> None:
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of 'auto', 'direct', 'fft'; got {method!r}")


def _signal_pair(x, w, mode) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate the arguments of :func:`convolve` and :func:`correlate`.

    Returns ``x`` and ``w`` as floating arrays of their common type, and whether both were
    integer (or bool) arrays, whose convolution the direct route computes exactly.
    """
    _check_mode(mode)
    x_in, w_in = x, w
    x = real_array(x, "x")
    w = real_array(w, "w")
    integral = all(np.asarray(a).dtype.kind in "biu" for a in (x_in, w_in))
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
    check_alloc(
        np.prod([n + k - 1 for n, k in zip(x.shape, w.shape)], dtype=float),
        "x and w",
        what="values in the full result",
    )
    x, w = _common_dtype(x, w)
    return x, w, integral


def _crop(full: np.ndarray, x_shape: Sequence[int], w_shape: Sequence[int], mode: str):
    """The part of a full result (or of any array that starts like it) that ``mode`` keeps."""
    spans = [MODES[mode](n, k) for n, k in zip(x_shape, w_shape)]
    return full[tuple(slice(start, start + length) for start, length in spans)]


# --------------------------------------------------------------------------- the two routes


def _correlate_direct(x: np.ndarray, w: np.ndarray, mode: str) -> np.ndarray:
    """``s[i] = sum_m x_pad[i + m] w[m]``, summed one kernel tap ``m`` at a time.

    ``x_pad`` is ``x`` with the zeros of ``mode`` around it: the full result has ``k - 1`` on each
    side, and the other modes keep a slice of it. ``windows[i, m] = x_pad[i + m]`` is a view (no
    copy); ``windows[..., m]`` is ``x_pad`` shifted by ``m``, so each tap adds one shifted copy of
    the input, times ``w[m]``, to the output. Output rows are done in chunks of about
    :data:`CHUNK_BYTES`, with one scratch buffer, so memory is the output plus one chunk.
    In 1-D, NumPy's compiled sliding dot product :func:`numpy.correlate` computes the same sum
    (its "full" mode pads ``x`` itself).
    """
    if x.ndim == 1:
        with np.errstate(over="ignore", invalid="ignore"):
            return _crop(np.correlate(x, w, "full"), x.shape, w.shape, mode)
    pad_before = [k - 1 - MODES[mode](n, k)[0] for n, k in zip(x.shape, w.shape)]
    out_shape = [MODES[mode](n, k)[1] for n, k in zip(x.shape, w.shape)]
    pad_after = [o + k - 1 - n - p for o, k, n, p in zip(out_shape, w.shape, x.shape, pad_before)]
    x_padded = np.pad(x, list(zip(pad_before, pad_after)))
    windows = _windows(x_padded, w.shape, range(w.ndim))  # windows[i, j, p, q] = x_pad[i+p, j+q]
    s = np.empty(out_shape, dtype=w.dtype)
    rows = max(1, CHUNK_BYTES // s[0].nbytes)
    term = np.empty((min(rows, len(s)), *out_shape[1:]), dtype=w.dtype)
    with np.errstate(over="ignore", invalid="ignore"):  # IEEE results, as SciPy's, silently
        for start in range(0, len(s), rows):
            s_rows, windows_rows = s[start : start + rows], windows[start : start + rows]
            term_rows = term[: len(s_rows)]
            taps = np.ndindex(w.shape)
            first = next(taps)
            np.multiply(windows_rows[(..., *first)], w[first], out=s_rows)
            for m in taps:
                np.multiply(windows_rows[(..., *m)], w[m], out=term_rows)
                s_rows += term_rows
    return s


def _convolve_fft(x: np.ndarray, w: np.ndarray, mode: str) -> np.ndarray:
    """The full convolution through the convolution theorem, cropped to ``mode``.

    If the inputs are finite but the transform overflows (products beyond the float range become
    infinities, and the inverse transform turns those into NaN everywhere), the direct route
    computes the result instead, with its IEEE infinities where they belong.
    """
    full_shape = [n + k - 1 for n, k in zip(x.shape, w.shape)]
    fft_shape = [_fast_length(size) for size in full_shape]  # any length >= full_shape works
    axes = tuple(range(x.ndim))
    dtype = np.float32 if x.dtype == np.float16 else x.dtype  # NumPy has no float16 FFT
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is handled below
        x_hat = np.fft.rfftn(x.astype(dtype, copy=False), s=fft_shape, axes=axes)  # zero-padded
        w_hat = np.fft.rfftn(w.astype(dtype, copy=False), s=fft_shape, axes=axes)
        x_hat *= w_hat  # the pointwise product of the theorem, in place
        del w_hat
        s = _crop(np.fft.irfftn(x_hat, s=fft_shape, axes=axes), x.shape, w.shape, mode)
    if not np.isfinite(s).all() and np.isfinite(x).all() and np.isfinite(w).all():
        return convolve(x, w, mode, method="direct")
    return s.astype(x.dtype, copy=False)


def _use_fft(x: np.ndarray, w: np.ndarray, mode: str, method: str, integral: bool) -> bool:
    """Whether ``method`` (after the cost model, for "auto") takes the FFT route."""
    _check_method(method)
    if method != "auto":
        return method == "fft"
    if integral:  # exact integers, as SciPy's "auto" does
        return False
    seconds = route_seconds(x.shape, w.shape, mode)
    faster = FFT_MARGIN * seconds["fft"] < seconds["direct"]
    return faster and bool(np.isfinite(x).all() and np.isfinite(w).all())


# --------------------------------------------------------------------------- the operation


def correlate(x: ArrayLike, w: ArrayLike, mode: str = "valid", method: str = "auto") -> np.ndarray:
    """Cross-correlate ``x`` with the kernel ``w`` (no flip): the operation of a CNN layer.

    In 1-D, ``s[i] = sum_m x[i + m] * w[m]`` over the kernel indices ``m`` (0-based; with the
    'full' and 'same' modes ``x`` is zero-padded first). The same sum runs over every axis for
    2-D and 3-D arrays. Cross-correlating with ``w`` is convolving with ``w`` flipped, so the FFT
    route is :func:`fft_convolve` with the flipped kernel.

    Parameters
    ----------
    x : array_like
        The input, 1-, 2- or 3-dimensional, real.
    w : array_like
        The kernel, with the same number of dimensions as ``x``.
    mode : {"valid", "full", "same"}, optional
        Size of the output (see the module notes). Default "valid", the choice of CNN layers.
    method : {"auto", "direct", "fft"}, optional
        The route, as in :func:`convolve`.

    Returns
    -------
    numpy.ndarray
        The feature map ``s``; equal to ``scipy.signal.correlate(x, w, mode)`` for real inputs.

    Raises
    ------
    TypeError
        If ``x`` or ``w`` is complex or not numeric.
    ValueError
        If ``mode`` or ``method`` is unknown; ``x`` is not 1-, 2- or 3-D; ``w`` has another
        number of dimensions; an array is empty; in "valid" mode, ``w`` is larger than ``x`` along
        some axis (SciPy would swap the arguments; here ``w`` is always the kernel); or the full
        result would exceed the 4 GiB limit of ``cnnbook._validate.check_alloc``.

    Examples
    --------
    >>> correlate([1, 2, 3, 4], [1, -1])
    array([-1., -1., -1.])
    >>> correlate([1, 2, 3], [0, 1], mode="full")
    array([1., 2., 3., 0.])
    """
    x, w, integral = _signal_pair(x, w, mode)
    if _use_fft(x, w, mode, method, integral):
        return _convolve_fft(x, np.flip(w), mode)
    return _correlate_direct(x, w, mode)


def convolve(x: ArrayLike, w: ArrayLike, mode: str = "full", method: str = "auto") -> np.ndarray:
    """Convolve ``x`` with ``w``: ``s[i] = sum_m x[m] * w[i - m]`` (the kernel is flipped).

    Substituting ``m = i - j`` turns the sum into ``sum_j x[i - j] * w[j]``, and reading the
    kernel backwards, ``v[j] = w[k - 1 - j]``, turns it into a cross-correlation with ``v``.
    So the direct route flips ``w`` along every axis and cross-correlates.

    ``method="auto"`` (the default) takes the route that :func:`route_seconds` predicts to be
    faster (the FFT route only if :data:`FFT_MARGIN` = 1.5 times faster, since it needs about
    twice the memory): the direct route costs about ``c · (outputs) · (kernel taps)`` seconds,
    the FFT route about ``c' · N log2 N`` for the ``N`` samples of the padded transform, with
    constants measured on the book's build machine (see that function). In practice: small kernels
    go direct, large kernels on large inputs through the FFT (in 1-D from a few hundred taps on,
    in 2-D from about 7 × 7). Inputs that hold NaN or infinity always go direct, and so do two
    integer (or bool) arrays, whose direct result is exact (as with SciPy's "auto").

    Parameters
    ----------
    x : array_like
        The input, 1-, 2- or 3-dimensional, real.
    w : array_like
        The kernel, with the same number of dimensions as ``x``.
    mode : {"full", "valid", "same"}, optional
        Size of the output (see the module notes). Default "full", as in mathematics.
    method : {"auto", "direct", "fft"}, optional
        The route: the direct sum, the FFT (:func:`fft_convolve`), or the faster by the cost model.

    Returns
    -------
    numpy.ndarray
        The feature map ``s``; equal to ``scipy.signal.convolve(x, w, mode)`` and, in 1-D, to
        ``numpy.convolve(x, w, mode)`` for real inputs (exactly as SciPy's direct method for
        ``method="direct"``; up to the FFT's rounding, about 1e-15 of the largest output in
        float64, when the FFT route is taken).

    Raises
    ------
    TypeError
        If ``x`` or ``w`` is complex or not numeric.
    ValueError
        As :func:`correlate`: unknown ``mode`` or ``method``, wrong or mismatched ``ndim``, empty
        arrays, ``w`` larger than ``x`` in "valid" mode, or a result over the size limit.

    Examples
    --------
    >>> convolve([1, 2, 3], [0, 1, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> convolve([1, 2, 3], [1, 1], mode="valid")
    array([3., 5.])
    """
    x, w, integral = _signal_pair(x, w, mode)
    if _use_fft(x, w, mode, method, integral):
        return _convolve_fft(x, w, mode)
    w_flipped = np.flip(w)  # w reversed along every axis: the "i - m" of the definition
    return _correlate_direct(x, w_flipped, mode)


def fft_convolve(x: ArrayLike, w: ArrayLike, mode: str = "full") -> np.ndarray:
    """Convolve through the convolution theorem: ``x * w = IFFT(FFT(x) . FFT(w))``.

    The discrete Fourier transform turns *circular* convolution into a pointwise product. Padding
    both arrays with zeros to at least the full length ``n + k - 1`` (per axis) makes the circular
    convolution equal to the ordinary one, since nothing wraps around; the result is then cropped
    to ``mode``. The padded length is rounded up to a product of 2, 3 and 5, for which the FFT is
    fast (as :func:`scipy.signal.fftconvolve` does). Real inputs use the real transforms
    :func:`numpy.fft.rfftn` / :func:`numpy.fft.irfftn`; float16 inputs are transformed in float32
    and the result is float16 again, as with :func:`convolve`.

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
        output NaN. Finite inputs whose products overflow the float range (where the transform
        would give NaN) get the direct route's result instead, with infinities where the sums
        overflow.

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
    return convolve(x, w, mode, method="fft")


def _fast_length(size: int) -> int:
    """The smallest length ``>= size`` of the form 2^a 3^b 5^c, for which the FFT is fast.

    The FFT of a length with a large prime factor, such as 4098 = 2 · 3 · 683, is several times
    slower than that of the next such length, 4320 = 2^5 · 3^3 · 5. For each product ``3^b 5^c``
    below the best length so far, the smallest power of 2 that brings it to ``size`` is tried.
    """
    best = 1 << (size - 1).bit_length()  # the next power of 2
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p2 = 1 << (-(-size // p35) - 1).bit_length()  # smallest 2^a >= size / p35
            best = min(best, p2 * p35)
            p35 *= 3
        p5 *= 5
    return best


# --------------------------------------------------------------------------- the cost model

#: Seconds per unit of work of each route, fitted (non-negative least squares on relative errors)
#: to the fastest of repeated runs of ``convolve(..., method=...)`` over the grid of
#: ``benchmarks/conv_vs_scipy.py`` on the book's build machine (2 cores shared with other jobs,
#: NumPy 2.4 with its bundled pocketfft); ``python benchmarks/conv_vs_scipy.py --calibrate``
#: measures them again.
ROUTE_CONSTANTS = {
    "direct_call": 7.41e-06,  # seconds of Python and NumPy overhead per call of the direct route
    "fft_call": 2.63e-05,  # ... and of the FFT route
    "direct_1d_mac": 1.28e-10,  # 1-D direct: per multiply-add of numpy.correlate
    "direct_1d_output": 1.1e-10,  # 1-D direct: per output
    "direct_mac": 4.68e-10,  # 2-D/3-D direct: per multiply-add of the tap loop
    "direct_tap": 2e-06,  # 2-D/3-D direct: per tap and chunk (two NumPy calls)
    "fft_1d_sample": 1.0e-09,  # 1-D FFT: per sample of the padded transform, times log2 of N
    "fft_1d_uncached": 2.3e-09,  # 1-D FFT: the same, weighted by N / (N + FFT_CACHE_SAMPLES)
    "fft_sample": 2.08e-10,  # 2-D/3-D FFT: per sample, times log2 of N
    "fft_uncached": 1.85e-09,  # 2-D/3-D FFT: the same, weighted by N / (N + FFT_CACHE_SAMPLES)
}

#: ``method="auto"`` takes the FFT route only when the cost model predicts it at least this many
#: times faster: the FFT route holds the transforms of ``x`` and ``w`` besides the result, about
#: twice the memory of the direct route, which a marginal gain in time does not justify.
FFT_MARGIN = 1.5

#: Transforms of many more samples than this no longer fit in the processor's cache, and each
#: sample costs more: the ``fft_uncached`` term of the cost model grows from 0 to its full size
#: around this number.
FFT_CACHE_SAMPLES = 2**17


def route_seconds(
    x_shape: Sequence[int], w_shape: Sequence[int], mode: str = "full"
) -> dict[str, float]:
    """Predicted seconds of the direct and FFT routes of :func:`convolve` for these shapes.

    The cost model behind ``method="auto"``. With ``O`` outputs (``mode``'s output size), ``K``
    kernel taps and ``N`` samples in the padded transform (each axis ``n + k - 1`` rounded up to a
    2·3·5-smooth length, see :func:`fft_convolve`):

    * direct, 1-D: ``direct_call + direct_1d_mac · O · K + direct_1d_output · O`` (NumPy's
      compiled sliding dot product);
    * direct, 2-D and 3-D: ``direct_call + direct_mac · O · K + direct_tap · K · C``, where ``C``
      is the number of chunks of output rows (each tap is two NumPy calls per chunk);
    * FFT: ``fft_call + (fft_sample + fft_uncached · N / (N + FFT_CACHE_SAMPLES)) · N · log2 N``
      (three real transforms and a pointwise product), with separate constants (``fft_1d_...``)
      for 1-D: the transforms along the rows of an array cost less per sample than one long 1-D
      transform. The second term grows as the transform leaves the processor's cache.

    The constants (:data:`ROUTE_CONSTANTS`) are measured, not derived: counting multiply-adds
    alone (``O · K`` against ``N log N``) mixes units and ignores that the two routes run at very
    different speeds per operation.

    Parameters
    ----------
    x_shape, w_shape : sequence of int
        Shapes of the input and the kernel (same length, 1 to 3 axes, positive sizes).
    mode : {"full", "valid", "same"}, optional
        Output size, as in :func:`convolve`.

    Returns
    -------
    dict of str to float
        ``"direct"`` and ``"fft"``: predicted seconds.

    Raises
    ------
    ValueError
        If a shape is not a sequence of positive integers, the lengths differ, ``mode`` is
        unknown, or the kernel does not fit in "valid" mode.

    Examples
    --------
    >>> t = route_seconds((100_000,), (3,))
    >>> bool(t["direct"] < t["fft"])  # a short kernel: the direct sum wins
    True
    >>> t = route_seconds((1024, 1024), (64, 64))
    >>> bool(t["fft"] < t["direct"])  # a large kernel on a large image: the FFT wins
    True
    """
    _check_mode(mode)
    x_shape = check_int_sequence(x_shape, "x_shape", 1)
    w_shape = check_int_sequence(w_shape, "w_shape", 1)
    if len(w_shape) != len(x_shape) or not 1 <= len(x_shape) <= 3:
        raise ValueError(
            f"x_shape and w_shape must have the same length, 1 to 3, got {x_shape}, {w_shape}"
        )
    if mode == "valid" and any(k > n for n, k in zip(x_shape, w_shape)):
        raise ValueError(f"w_shape {w_shape} must fit in x_shape {x_shape} in 'valid' mode")
    work = _route_work(x_shape, w_shape, mode)
    return {
        route: sum(ROUTE_CONSTANTS[name] * amount for name, amount in terms.items())
        for route, terms in work.items()
    }


def _route_work(x_shape: list[int], w_shape: list[int], mode: str) -> dict[str, dict[str, float]]:
    """The amounts that multiply each constant of :data:`ROUTE_CONSTANTS`, per route."""
    out_shape = [MODES[mode](n, k)[1] for n, k in zip(x_shape, w_shape)]
    outputs, taps = math.prod(out_shape), math.prod(w_shape)
    if len(x_shape) == 1:
        direct = {"direct_call": 1, "direct_1d_mac": outputs * taps, "direct_1d_output": outputs}
    else:
        row_bytes = 8 * math.prod(out_shape[1:])
        chunks = math.ceil(out_shape[0] / max(1, CHUNK_BYTES // row_bytes))
        direct = {"direct_call": 1, "direct_mac": outputs * taps, "direct_tap": taps * chunks}
    samples = math.prod(_fast_length(n + k - 1) for n, k in zip(x_shape, w_shape))
    n_log_n = samples * math.log2(max(samples, 2))
    uncached = n_log_n * samples / (samples + FFT_CACHE_SAMPLES)
    if len(x_shape) == 1:
        fft = {"fft_call": 1, "fft_1d_sample": n_log_n, "fft_1d_uncached": uncached}
    else:
        fft = {"fft_call": 1, "fft_sample": n_log_n, "fft_uncached": uncached}
    return {"direct": direct, "fft": fft}


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
    shape = tuple(check_int_sequence([n] if np.ndim(n) == 0 else n, "n", 1))
    if len(shape) != w.ndim:
        raise ValueError(f"n must give one size per axis of w ({w.ndim}), got {n!r}")
    if mode == "valid" and any(k > size for k, size in zip(w.shape, shape)):
        raise ValueError(f"w (shape {w.shape}) must not be larger than n = {shape} in 'valid' mode")

    d = w.ndim
    n_rows = np.prod([MODES[mode](size, k)[1] for size, k in zip(shape, w.shape)], dtype=float)
    check_alloc(
        n_rows * np.prod(shape, dtype=float),
        "n",
        itemsize=8 * (d + 2),
        what="matrix entries (with their index arrays, 8 bytes each per axis)",
    )
    kernel_index = []  # per axis: w index o + offset - m, broadcast to (o_1..o_d, m_1..m_d)
    for axis, (size, k) in enumerate(zip(shape, w.shape)):
        offset, n_out = MODES[mode](size, k)
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
    x: np.ndarray,
    kernel: Sequence[int],
    axes: Sequence[int],
    stride: Sequence[int] | None = None,
    dilation: Sequence[int] | None = None,
) -> np.ndarray:
    """The one view of the windows under each output position (no copy).

    Along the given ``axes`` of ``x``, ``windows[..., o, ..., m, ...] = x[..., o*s + m*d, ...]``:
    output positions ``o`` come first (in place of the axes), kernel taps ``m`` last.
    """
    axes = tuple(axes)
    stride = stride or (1,) * len(axes)
    dilation = dilation or (1,) * len(axes)
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    windows = sliding_window_view(x, span, axis=axes)
    step = [slice(None)] * windows.ndim
    for axis, s, d, tap_axis in zip(axes, stride, dilation, range(x.ndim, windows.ndim)):
        step[axis], step[tap_axis] = slice(None, None, s), slice(None, None, d)
    return windows[tuple(step)]


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
    stride, padding, dilation, (out_h, out_w) = _layer_geometry(x, w, stride, padding, dilation)
    n_filters, _, kh, kw = w.shape
    arrays = [x, w] if b is None else [x, w, _bias(b, (n_filters,), "(F,)")]
    x, w, *bias = _common_dtype(*arrays)

    pad = ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1]))
    check_alloc(
        x.shape[0] * x.shape[1] * np.prod(np.add(x.shape[2:], np.multiply(2, padding))),
        "padding",
        what="values in the padded input",
    )
    check_alloc(x.shape[0] * x.shape[1] * out_h * out_w * kh * kw, "x and w", what="window entries")
    windows = _windows(np.pad(x, pad), (kh, kw), (2, 3), stride, dilation)  # (N,C,OH,OW,KH,KW)
    s = np.einsum("ncijpq,fcpq->nfij", windows, w, optimize=True)
    if bias:
        s += bias[0][:, None, None]
    return s


def conv2d_backward(
    x: ArrayLike,
    w: ArrayLike,
    g: ArrayLike,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a loss ``L`` through :func:`conv2d`, given ``g = dL/ds``.

    With ``s = conv2d(x, w, b, stride, padding, dilation)`` and ``x_pad`` as there, an input pixel
    ``x_pad[n, c, i*sh + p*dh, j*sw + q*dw]`` meets the weight ``w[f, c, p, q]`` in output
    ``s[n, f, i, j]``, so by the chain rule (Goodfellow et al. 2016, §9.5, eqs. 9.11–9.13, with
    0-based indices)::

        dL/dw[f, c, p, q] = sum_{n, i, j} g[n, f, i, j] * x_pad[n, c, i*sh + p*dh, j*sw + q*dw]
        dL/dx_pad[n, c, i*sh + p*dh, j*sw + q*dw] += sum_f g[n, f, i, j] * w[f, c, p, q]
        dL/db[f] = sum_{n, i, j} g[n, f, i, j]

    The kernel gradient is a (strided, dilated) cross-correlation of the input with ``g``; the
    input gradient sends each output's gradient back, through every kernel tap, to the pixels that
    tap read, and the padding is then cut off (its zeros are constants).

    Parameters
    ----------
    x : array_like
        Input batch, shape (N, C, H, W).
    w : array_like
        Kernels, shape (F, C, KH, KW).
    g : array_like
        Upstream gradient, the shape of the output, (N, F, OH, OW).
    stride, padding, dilation : int or (int, int), optional
        As for :func:`conv2d`.

    Returns
    -------
    dx : numpy.ndarray
        ``dL/dx``, shape (N, C, H, W).
    dw : numpy.ndarray
        ``dL/dw``, shape (F, C, KH, KW).
    db : numpy.ndarray
        ``dL/db``, shape (F,) (whether or not the layer has a bias, it would get this gradient).

    Raises
    ------
    TypeError
        If an array is complex or not numeric.
    ValueError
        As :func:`conv2d`, and if ``g`` does not have the output's shape.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 2, 2))
    >>> g = np.ones((1, 1, 2, 2))  # dL/ds for L = sum(s), stride 2
    >>> dx, dw, db = conv2d_backward(x, w, g, stride=2)
    >>> dx[0, 0]  # each pixel is read by exactly one window
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.]])
    >>> dw[0, 0]  # sums of the pixels each tap reads: x[0::2, 0::2], x[0::2, 1::2], ...
    array([[20., 24.],
           [36., 40.]])
    """
    x = _layer_input(x)
    w = check_ndim(real_array(w, "w"), "w", 4, "(F, C, KH, KW)")
    g = check_ndim(real_array(g, "g"), "g", 4, "(N, F, OH, OW)")
    stride, padding, dilation, (out_h, out_w) = _layer_geometry(x, w, stride, padding, dilation)
    n_filters, _, kh, kw = w.shape
    if g.shape != (x.shape[0], n_filters, out_h, out_w):
        raise ValueError(
            f"g must have the shape of the output (N, F, OH, OW) = "
            f"{(x.shape[0], n_filters, out_h, out_w)}, got {g.shape}"
        )
    x, w, g = _common_dtype(x, w, g)
    (sh, sw), (ph, pw), (dh, dw_) = stride, padding, dilation
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    check_alloc(x.shape[0] * x.shape[1] * out_h * out_w * kh * kw, "x and w", what="window entries")
    windows = _windows(x_pad, (kh, kw), (2, 3), stride, dilation)  # (N, C, OH, OW, KH, KW)
    dw = np.einsum("nfij,ncijpq->fcpq", g, windows, optimize=True)
    dx_pad = np.zeros_like(x_pad)
    for p, q in np.ndindex(kh, kw):  # tap (p, q) read x_pad[p*dh + i*sh, q*dw_ + j*sw]
        rows = slice(p * dh, p * dh + sh * (out_h - 1) + 1, sh)
        cols = slice(q * dw_, q * dw_ + sw * (out_w - 1) + 1, sw)
        dx_pad[:, :, rows, cols] += np.einsum("nfij,fc->ncij", g, w[:, :, p, q])
    dx = np.ascontiguousarray(dx_pad[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]])
    return dx, dw, g.sum(axis=(0, 2, 3))


def _layer_geometry(x: np.ndarray, w: np.ndarray, stride, padding, dilation) -> tuple:
    """Checked ``(stride, padding, dilation, (OH, OW))`` of a :func:`conv2d` layer, as pairs.

    ``x`` (N, C, H, W) and ``w`` (F, C, KH, KW) are checked arrays; a ValueError names ``w``
    when its channels differ from those of ``x`` or its dilated kernel does not fit in the padded
    input.
    """
    if w.shape[1] != x.shape[1]:
        raise ValueError(
            f"w has {w.shape[1]} input channels (w.shape[1]) but x has {x.shape[1]} (x.shape[1])"
        )
    stride = check_pair(stride, "stride", 1)
    padding = check_pair(padding, "padding", 0)
    dilation = check_pair(dilation, "dilation", 1)
    for axis, (size, k) in enumerate(zip(x.shape[2:], w.shape[2:])):
        span = dilation[axis] * (k - 1) + 1
        if span > size + 2 * padding[axis]:
            raise ValueError(
                f"w's kernel (dilated span {span}) is larger than the padded input x "
                f"({size} + 2*{padding[axis]}) along axis {'HW'[axis]}"
            )
    out = tuple(
        conv_output_size(n, k, st, p, d)
        for n, k, st, p, d in zip(x.shape[2:], w.shape[2:], stride, padding, dilation)
    )
    return stride, padding, dilation, out


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
    stride = check_pair(stride, "stride", 1)
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

    check_alloc(x.shape[0] * x.shape[1] * out_h * out_w * kh * kw, "x and w", what="window entries")
    windows = _windows(x, (kh, kw), (2, 3), stride)  # (N, C, OH, OW, KH, KW)
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
    stride = check_pair(stride, "stride", 1)
    out_h, out_w = _unit_grid(x, (kh, kw), stride)
    rows = np.arange(out_h) % tile_h
    cols = np.arange(out_w) % tile_w
    w_per_position = w[rows[:, None], cols[None, :]]  # (OH, OW, F, C, KH, KW)
    if b is not None:
        b = _bias(b, [(n_filters,), (tile_h, tile_w, n_filters)], "(F,) or (TH, TW, F)")
        if b.ndim == 3:
            b = b[rows[:, None], cols[None, :]]
    return locally_connected2d(x, w_per_position, b, stride)
