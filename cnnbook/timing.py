"""The one timer of the book: interleaved rounds, median seconds.

Every benchmark and every chapter that reports a time uses :func:`interleaved`. Each candidate is
called once per round, in turn, so that a slow spell of the machine (another process, a frequency
change) falls on all candidates alike; the median over rounds is robust to the occasional outlier.
One or more untimed warm-up calls leave out one-off costs (allocations, thread start-up, caches).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np

from cnnbook._validate import check_int

__all__ = ["interleaved", "median_seconds"]


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
    return float(np.median(interleaved({"fn": fn}, rounds, warmup=warmup)["fn"]))
