"""Speed of the toy CNN: ``python -m cnnbook bench`` (also ``make bench``).

Everything is measured in one run and *interleaved*: each round times one step of every
candidate in turn, so a change in machine load affects all candidates alike, and the ratios are
ratios of medians over the rounds. Measured, for ``SimpleConvNet`` with batch 100 (float32 unless
stated):

* a training step (``gradient`` + ``Adam.update``): fast paths, textbook im2col paths, the textbook
  paths in float64 (like the reference code of *Deep Learning from Scratch*), and the same
  network in PyTorch on the CPU when PyTorch is installed;
* the convolution layer's forward pass against ``torch.nn.functional.conv2d``;
* the time per layer of the fast step (the profile);
* an epoch estimate (600 steps: 60,000 images in batches of 100) and the memory peak of a step.

PyTorch is only a reference here (never a dependency of cnnbook). Its thread count is set to the
machine's core count, as NumPy's BLAS uses by default, and ``OMP_WAIT_POLICY=PASSIVE`` is set
before it is imported: with OpenMP's default busy-waiting, PyTorch slows down by an order of
magnitude as soon as another process (or NumPy's own BLAS threads) competes for the cores.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from cnnbook.nn.layers import Convolution
from cnnbook.nn.net import SimpleConvNet
from cnnbook.nn.optim import Adam

__all__ = ["main", "report", "run"]

BATCH = 100
STEPS_PER_EPOCH = 600


def _torch():
    """PyTorch, configured for a fair comparison, or ``None`` if it is not installed."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(os.cpu_count() or 1)
    return torch


def _step_numpy(net: SimpleConvNet, x: np.ndarray, t: np.ndarray) -> Callable[[], None]:
    optimizer = Adam(lr=1e-3)

    def step() -> None:
        optimizer.update(net.params, net.gradient(x, t))

    return step


def _step_torch(torch, net: SimpleConvNet, x: np.ndarray, t: np.ndarray) -> Callable[[], None]:
    nn = torch.nn
    conv = net._config["conv_param"]
    model = nn.Sequential(
        nn.Conv2d(
            net.params["W1"].shape[1],
            conv["filter_num"],
            conv["filter_size"],
            stride=conv["stride"],
            padding=conv["pad"],
        ),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(*net.params["W2"].shape),
        nn.ReLU(),
        nn.Linear(*net.params["W3"].shape),
    )
    with torch.no_grad():  # the same initial weights as the NumPy network
        model[0].weight.copy_(torch.from_numpy(net.params["W1"]))
        model[0].bias.copy_(torch.from_numpy(net.params["b1"]))
        model[4].weight.copy_(torch.from_numpy(net.params["W2"].T.copy()))
        model[4].bias.copy_(torch.from_numpy(net.params["b2"]))
        model[6].weight.copy_(torch.from_numpy(net.params["W3"].T.copy()))
        model[6].bias.copy_(torch.from_numpy(net.params["b3"]))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)

    def step() -> None:
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(xt), tt).backward()
        optimizer.step()

    return step


def _interleaved(candidates: dict[str, Callable[[], object]], rounds: int) -> dict[str, np.ndarray]:
    """Time every candidate once per round, in turn; return the times (s) per candidate."""
    for fn in candidates.values():  # warm-up: allocations, BLAS threads, first-call costs
        fn()
        fn()
    times = {name: np.empty(rounds) for name in candidates}
    for r in range(rounds):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            times[name][r] = time.perf_counter() - start
    return times


def _profile(net: SimpleConvNet, x: np.ndarray, t: np.ndarray, rounds: int) -> dict[str, float]:
    """Median time (s) of each layer's forward and backward pass in a fast training step."""
    times: dict[str, list[float]] = {}
    optimizer = Adam(lr=1e-3)
    for _ in range(rounds):
        mark = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            times.setdefault(name, []).append(now - mark)
            mark = now

        h = x
        for name, layer in net.layers.items():
            h = layer.forward(h)
            lap(f"{name} forward")
        net.last_layer.forward(h, t)
        d = net.last_layer.backward(1.0)
        lap("SoftmaxWithLoss forward+backward")
        for name, layer in reversed(net.layers.items()):
            d = layer.backward(d)
            lap(f"{name} backward")
        conv, a1, a2 = net.layers["Conv1"], net.layers["Affine1"], net.layers["Affine2"]
        grads = {"W1": conv.dW, "b1": conv.db, "W2": a1.dW, "b2": a1.db, "W3": a2.dW, "b3": a2.db}
        optimizer.update(net.params, grads)
        lap("Adam update")
    return {name: float(np.median(v)) for name, v in times.items()}


def _memory_peak(step: Callable[[], None]) -> float:
    """Peak of memory allocated (MiB) by NumPy during one step, traced by tracemalloc."""
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run(rounds: int = 30, *, with_torch: bool = True, seed: int = 0) -> dict:
    """Measure everything; return a dict of medians (seconds), ratios and machine facts.

    Parameters
    ----------
    rounds : int, optional
        Interleaved rounds (each times every candidate once).
    with_torch : bool, optional
        Compare with PyTorch when it is installed.
    seed : int, optional
        Seed of the random batch and weights.

    Returns
    -------
    dict
        ``"step"`` and ``"conv_forward"``: medians per candidate; ``"ratios"``;
        ``"profile"``: median per layer; ``"epoch_estimate"``; ``"memory_peak_mib"``;
        ``"max_rss_mib"``; ``"machine"``.

    Examples
    --------
    >>> result = run(rounds=2, with_torch=False)
    >>> sorted(result["step"])
    ['cnnbook fast', 'cnnbook textbook', 'textbook float64']
    """
    torch = _torch() if with_torch else None
    rng = np.random.default_rng(seed)
    x = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
    t = rng.integers(0, 10, BATCH)
    he = {"weight_init_std": "he", "seed": seed}
    steps = {
        "cnnbook fast": _step_numpy(SimpleConvNet(**he), x, t),
        "cnnbook textbook": _step_numpy(SimpleConvNet(**he, fast=False), x, t),
        "textbook float64": _step_numpy(SimpleConvNet(**he, fast=False, dtype=np.float64), x, t),
    }
    if torch is not None:
        steps["PyTorch"] = _step_torch(torch, SimpleConvNet(**he), x, t)
    step_times = _interleaved(steps, rounds)

    w = (0.1 * rng.standard_normal((30, 1, 5, 5))).astype(np.float32)
    b = np.zeros(30, np.float32)
    convs = {
        "cnnbook fast": lambda: Convolution(w, b).forward(x),
        "cnnbook textbook": lambda: Convolution(w, b, fast=False).forward(x),
    }
    if torch is not None:
        xt, wt, bt = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)
        convs["PyTorch"] = lambda: torch.nn.functional.conv2d(xt, wt, bt)
    conv_times = _interleaved(convs, 3 * rounds)

    med = {k: float(np.median(v)) for k, v in step_times.items()}
    conv_med = {k: float(np.median(v)) for k, v in conv_times.items()}
    ratios = {
        "step: fast / textbook": med["cnnbook fast"] / med["cnnbook textbook"],
        "step: fast / textbook float64": med["cnnbook fast"] / med["textbook float64"],
        "conv forward: fast / textbook": conv_med["cnnbook fast"] / conv_med["cnnbook textbook"],
    }
    if torch is not None:
        ratios["step: fast / PyTorch"] = med["cnnbook fast"] / med["PyTorch"]
        ratios["step: fast / PyTorch (paired rounds)"] = float(
            np.median(step_times["cnnbook fast"] / step_times["PyTorch"])
        )
        ratios["conv forward: fast / PyTorch"] = conv_med["cnnbook fast"] / conv_med["PyTorch"]
    return {
        "rounds": rounds,
        "step": med,
        "conv_forward": conv_med,
        "ratios": ratios,
        "profile": _profile(SimpleConvNet(**he), x, t, rounds),
        "epoch_estimate": {k: STEPS_PER_EPOCH * v for k, v in med.items()},
        "memory_peak_mib": _memory_peak(_step_numpy(SimpleConvNet(**he), x, t)),
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "machine": {
            "cpu_count": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": None if torch is None else torch.__version__,
            "torch_threads": None if torch is None else torch.get_num_threads(),
            "blas_threads_env": os.environ.get("OPENBLAS_NUM_THREADS", "default (one per core)"),
            "processor": platform.processor() or platform.machine(),
        },
    }


def report(result: dict) -> str:
    """Format the result of :func:`run` as a plain-text table.

    Examples
    --------
    >>> "ratios" in report(run(rounds=2, with_torch=False))
    True
    """
    ms = 1e3
    lines = [f"SimpleConvNet, batch {BATCH}, medians of {result['rounds']} interleaved rounds", ""]
    lines.append("training step (gradient + Adam)        ms     epoch estimate (600 steps)")
    for name, value in result["step"].items():
        lines.append(f"  {name:<30s} {value * ms:9.2f}     {result['epoch_estimate'][name]:7.1f} s")
    lines += ["", "convolution forward (30@5x5 on 100x1x28x28)"]
    for name, value in result["conv_forward"].items():
        lines.append(f"  {name:<30s} {value * ms:9.3f} ms")
    lines += ["", "ratios (< 1: cnnbook faster)"]
    for name, value in result["ratios"].items():
        lines.append(f"  {name:<38s} {value:6.2f}")
    total = sum(result["profile"].values())
    lines += ["", "profile of the fast step (median per layer)"]
    for name, value in result["profile"].items():
        lines.append(f"  {name:<34s} {value * ms:7.2f} ms  {100 * value / total:5.1f} %")
    lines += [
        "",
        (
            f"memory peak of one fast step (tracemalloc): {result['memory_peak_mib']:.1f} MiB; "
            f"process max RSS: {result['max_rss_mib']:.0f} MiB"
        ),
        "machine: " + ", ".join(f"{k}={v}" for k, v in result["machine"].items()),
    ]
    return "\n".join(lines)


def main(rounds: int = 30, with_torch: bool = True) -> int:
    """Run the benchmark and print the report; returns 0 (a shell exit status).

    Examples
    --------
    The timings depend on the machine, so this is not run as a doctest::

        main(rounds=2, with_torch=False)   # prints the report, returns 0
    """
    print(report(run(rounds, with_torch=with_torch)), file=sys.stdout)
    return 0
