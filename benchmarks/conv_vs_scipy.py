"""cnnbook.conv.convolve against scipy.signal.convolve(method="auto"): time and peak memory.

One command, ratios measured in the same run::

    python benchmarks/conv_vs_scipy.py              # the grid of cases, a table, < 3 minutes
    python benchmarks/conv_vs_scipy.py --quick      # 1-D and the smaller 2-D/3-D cases only
    python benchmarks/conv_vs_scipy.py --calibrate  # measure cnnbook.conv.ROUTE_CONSTANTS again

For each case (seeded Gaussian noise, "full" mode) both functions are timed *interleaved* by
``cnnbook.timing.interleaved`` (each round calls both in turn) and the medians are compared; peak
memory is the peak of Python and NumPy allocations (``tracemalloc``) during one call. A case
passes when cnnbook's time is at most 2 × SciPy's + 50 µs and its memory at most 2 × SciPy's +
64 KiB (the constants cover the fixed costs of tiny cases).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import scipy.optimize
import scipy.signal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from cnnbook import conv
from cnnbook.timing import interleaved

TIME_FACTOR, TIME_SLACK = 2.0, 50e-6
MEMORY_FACTOR, MEMORY_SLACK = 2.0, 64 * 1024


def grid(quick: bool = False) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The cases of the benchmark: (x shape, w shape)."""
    cases = [((n,), (k,)) for n in (10, 10**3, 10**5, 10**6) for k in (3, 31, 301, 3001) if k <= n]
    sides = (64, 256, 1024) if quick else (64, 256, 1024, 2048)
    cases += [((n, n), (k, k)) for n in sides for k in (3, 7, 15, 64)]
    volumes = [(32, 3), (64, 7)] if quick else [(32, 3), (64, 7), (128, 5), (128, 15)]
    cases += [((n,) * 3, (k,) * 3) for n, k in volumes]
    return cases


def peak_bytes(fn) -> int:
    """Peak of traced allocations during one call of ``fn``."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rounds_for(seconds: float) -> int:
    """About 0.4 s of rounds per case and candidate, between 3 and 25 rounds."""
    return int(min(25, max(3, 0.4 / max(seconds, 1e-6))))


def compare(x: np.ndarray, w: np.ndarray) -> dict:
    ours = lambda: conv.convolve(x, w)
    theirs = lambda: scipy.signal.convolve(x, w, method="auto")
    start = time.perf_counter()
    theirs()
    rounds = rounds_for(time.perf_counter() - start)
    times = interleaved({"cnnbook": ours, "scipy": theirs}, rounds)
    t_ours, t_theirs = float(np.median(times["cnnbook"])), float(np.median(times["scipy"]))
    m_ours, m_theirs = peak_bytes(ours), peak_bytes(theirs)
    seconds = conv.route_seconds(x.shape, w.shape)
    return {
        "route": "fft" if conv.FFT_MARGIN * seconds["fft"] < seconds["direct"] else "direct",
        "scipy_route": scipy.signal.choose_conv_method(x, w),
        "t_ours": t_ours,
        "t_scipy": t_theirs,
        "m_ours": m_ours,
        "m_scipy": m_theirs,
        "ok_time": t_ours <= TIME_FACTOR * t_theirs + TIME_SLACK,
        "ok_memory": m_ours <= MEMORY_FACTOR * m_theirs + MEMORY_SLACK,
    }


def shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def run(quick: bool) -> int:
    rng = np.random.default_rng(0)
    print(
        "| x | w | cnnbook route | SciPy route | cnnbook ms | SciPy ms | time ratio "
        "| cnnbook MiB | SciPy MiB | memory ratio | within goal |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    failures = 0
    for x_shape, w_shape in grid(quick):
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        r = compare(x, w)
        ok = r["ok_time"] and r["ok_memory"]
        failures += not ok
        print(
            f"| {shape_text(x_shape)} | {shape_text(w_shape)} | {r['route']} | {r['scipy_route']} "
            f"| {r['t_ours'] * 1e3:.3f} | {r['t_scipy'] * 1e3:.3f} "
            f"| {r['t_ours'] / r['t_scipy']:.2f} | {r['m_ours'] / 2**20:.2f} "
            f"| {r['m_scipy'] / 2**20:.2f} | {r['m_ours'] / max(r['m_scipy'], 1):.2f} "
            f"| {'yes' if ok else 'NO'} |",
            flush=True,
        )
    print(
        f"\n{failures} case(s) outside the goal (time ≤ {TIME_FACTOR:g}× SciPy + "
        f"{TIME_SLACK * 1e6:.0f} µs, memory ≤ {MEMORY_FACTOR:g}× SciPy + "
        f"{MEMORY_SLACK // 1024} KiB)"
    )
    return failures


def calibrate() -> dict[str, float]:
    """Fit conv.ROUTE_CONSTANTS to the median times of each route over the grid (+ small cases).

    Non-negative least squares on relative errors: each measured time ``t`` gives one equation
    ``sum_c constant_c · amount_c / t = 1``. ``t`` is the *fastest* of the rounds, the time the
    route takes when nothing else slows it down (the machine may be shared).
    """
    rng = np.random.default_rng(1)
    names = list(conv.ROUTE_CONSTANTS)  # each route's terms, from conv._route_work
    rows, cases = [], grid() + [((n,), (k,)) for n in (100, 10**4) for k in (3, 31)]
    cases += [((n, n), (k, k)) for n in (16, 128, 512) for k in (3, 5, 11)]
    for x_shape, w_shape in cases:
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        work = conv._route_work(list(x_shape), list(w_shape), "full")
        predicted = conv.route_seconds(x_shape, w_shape)
        for route in ("direct", "fft"):
            if predicted[route] > 2.0:  # far from the crossover: nothing to learn, too slow
                continue
            fn = lambda x=x, w=w, route=route: conv.convolve(x, w, method=route)
            start = time.perf_counter()
            fn()
            first = time.perf_counter() - start
            if first > 1.0:  # far from the crossover: nothing to learn, too slow to repeat
                continue
            t = float(np.min(interleaved({route: fn}, rounds_for(first))[route]))
            rows.append([work[route].get(name, 0.0) / t for name in names])
            print(
                f"{route:6s} {shape_text(x_shape):>12s} {shape_text(w_shape):>9s} "
                f"{t * 1e3:9.3f} ms",
                flush=True,
            )
    constants, _ = scipy.optimize.nnls(np.array(rows), np.ones(len(rows)))
    fitted = {name: float(f"{value:.3g}") for name, value in zip(names, constants)}
    print("ROUTE_CONSTANTS =", fitted)
    return fitted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the largest cases")
    parser.add_argument("--calibrate", action="store_true", help="fit the cost model's constants")
    args = parser.parse_args(argv)
    if args.calibrate:
        calibrate()
        return 0
    start = time.perf_counter()
    failures = run(args.quick)
    print(f"({time.perf_counter() - start:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
