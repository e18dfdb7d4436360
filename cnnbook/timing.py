"""The one timer of the book: interleaved rounds, median seconds.

Every benchmark and every chapter that reports a time uses :func:`interleaved`. Each candidate is
called once per round, in turn, so that a slow spell of the machine (another process, a frequency
change) falls on all candidates alike; the median over rounds is robust to the occasional outlier.
One or more untimed warm-up calls leave out one-off costs (allocations, thread start-up, caches).
:func:`time_direct_vs_fft` uses it to time the two routes of :func:`cnnbook.conv.convolve`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from cnnbook._validate import check_int, check_int_sequence, check_seed

__all__ = ["interleaved", "median_seconds", "time_direct_vs_fft"]


def interleaved(
    candidates: Mapping[str, Callable[[], object]], rounds: int = 5, *, warmup: int = 1
) -> dict[str, np.ndarray]:
    """Time every candidate once per round, in turn.

    Parameters
    ----------
    candidates : mapping of str to callable
        Functions without arguments, by name.
    rounds : int, optional
        Timed calls of each candidate (at least 1).
    warmup : int, optional
        Untimed calls of each candidate before the first round (at least 0).

    Returns
    -------
    dict of str to numpy.ndarray
        Wall-clock seconds (``time.perf_counter``) of each round, per candidate.

    Raises
    ------
    TypeError
        If a candidate is not callable.
    ValueError
        If ``rounds`` or ``warmup`` is out of range, or there is no candidate.

    Examples
    --------
    >>> t = interleaved({"sum": lambda: sum(range(100)), "len": lambda: len("abc")}, rounds=3)
    >>> sorted(t), t["sum"].shape
    (['len', 'sum'], (3,))
    """
    rounds = check_int(rounds, "rounds", 1)
    warmup = check_int(warmup, "warmup", 0)
    if not isinstance(candidates, Mapping) or not candidates:
        raise ValueError("candidates must be a non-empty mapping of names to functions")
    for name, fn in candidates.items():
        if not callable(fn):
            raise TypeError(f"candidates[{name!r}] must be callable, got {type(fn).__name__}")
    for fn in candidates.values():
        for _ in range(warmup):
            fn()
    times = {name: np.empty(rounds) for name in candidates}
    for r in range(rounds):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            times[name][r] = time.perf_counter() - start
    return times


def median_seconds(fn: Callable[[], object], rounds: int = 5, *, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn()`` over ``rounds`` calls, after ``warmup`` calls.

    Examples
    --------
    >>> median_seconds(lambda: sum(range(1000)), rounds=3) > 0
    True
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    return float(np.median(interleaved({"fn": fn}, rounds, warmup=warmup)["fn"]))


def time_direct_vs_fft(
    n: int, kernel_sizes: Sequence[int], repeats: int = 5, seed: int = 0, ndim: int = 1
) -> dict[str, np.ndarray]:
    """Median run time of the direct and the FFT route of :func:`cnnbook.conv.convolve`, per k.

    For each kernel size, ``convolve(x, w, "full", method="direct")`` and ``method="fft"`` are
    timed by ``cnnbook.timing.interleaved`` (one warm-up call each, then ``repeats`` alternating
    rounds) on seeded Gaussian noise; the medians are reported. Times are wall-clock and depend on
    the machine; :func:`cnnbook.conv.route_seconds` predicts them.

    Parameters
    ----------
    n : int
        Input length (``ndim=1``) or side of the square input (``ndim=2``), at least 1.
    kernel_sizes : sequence of int
        Kernel lengths (or sides) to time, each at least 1.
    repeats : int, optional
        Rounds per measurement (at least 1); the median is reported.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng` for the input and kernels (non-negative).
    ndim : {1, 2}, optional
        Dimension of the signals.

    Returns
    -------
    dict of str to numpy.ndarray
        ``"kernel_sizes"`` (int), ``"direct"`` and ``"fft"`` (seconds, float), aligned.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer.
    ValueError
        If ``n``, ``repeats``, ``ndim``, ``seed`` or an entry of ``kernel_sizes`` is out of range.

    Examples
    --------
    >>> t = time_direct_vs_fft(64, [3, 9], repeats=3)
    >>> t["direct"].shape, bool((t["fft"] > 0).all())
    ((2,), True)
    """
    from cnnbook.conv import convolve  # here, not above: cnnbook.conv re-exports this function

    n = check_int(n, "n", 1)
    repeats = check_int(repeats, "repeats", 1)
    ndim = check_int(ndim, "ndim", 1)
    if ndim > 2:
        raise ValueError(f"ndim must be 1 or 2, got {ndim}")
    sizes = np.array(check_int_sequence(kernel_sizes, "kernel_sizes", 1), dtype=int)
    rng = np.random.default_rng(check_seed(seed))
    x = rng.standard_normal((n,) * ndim)
    direct = np.empty(len(sizes))
    fft = np.empty(len(sizes))
    for i, k in enumerate(sizes):
        w = rng.standard_normal((int(k),) * ndim)
        times = interleaved(
            {
                "direct": lambda w=w: convolve(x, w, "full", method="direct"),
                "fft": lambda w=w: convolve(x, w, "full", method="fft"),
            },
            repeats,
        )
        direct[i], fft[i] = np.median(times["direct"]), np.median(times["fft"])
    return {"kernel_sizes": sizes, "direct": direct, "fft": fft}
