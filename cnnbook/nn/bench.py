"""Speed of the toy CNN: ``python -m cnnbook bench`` (also ``make bench``).

Everything is measured in one run with the book's one timer, :func:`cnnbook.timing.interleaved`:
each round times one call of every candidate in turn, so a change in machine load affects all
candidates alike, and the ratios are ratios of medians over the rounds. Measured, for
``SimpleConvNet`` with batch 100 (float32 unless stated):

* a training step (``gradient`` + ``Adam.update``), timed in blocks of :data:`BLOCK` consecutive
  steps per candidate and round: the fast network, the textbook network
  (``fast=False``), a *reference-style* step, and the same network in PyTorch on the CPU when
  PyTorch is installed. The reference-style step does what the training loop of *Deep Learning
  from Scratch* does: float64, the textbook layers, the first layer's input gradient computed
  (``need_input_grad=True``), and a second forward pass after the update to report the loss;
* the convolution layer's forward pass against ``torch.nn.functional.conv2d``;
* the evaluation of 10,000 test images (``accuracy``, batches of 1000), as the training page does
  once per epoch;
* the time per layer of the fast step (the profile), measured by timing each layer's
  ``forward`` and ``backward`` inside ``SimpleConvNet.gradient`` itself;
* an epoch estimate (600 steps: 60,000 images in batches of 100) and the memory peak of a step.

PyTorch is only a reference here (never a dependency of cnnbook). It gets as many threads as NumPy's
BLAS uses (read by threadpoolctl), so ``OPENBLAS_NUM_THREADS=1 python -m cnnbook bench`` compares
both on one thread. The report names the BLAS library and the kernels it runs: the matrix products
are a large part of a step, and OpenBLAS runs them up to about twice as fast with its AVX-512
kernels (``SkylakeX``) as with its AVX2 kernels (``Haswell``). OpenBLAS picks the kernels for the
processor unless the environment variable ``OPENBLAS_CORETYPE`` forces a choice, which the report
then shows; some machines set it to work around bugs of older OpenBLAS builds.
``OMP_WAIT_POLICY=PASSIVE`` is set before PyTorch is imported: with OpenMP's default busy-waiting,
PyTorch slows down by an order of magnitude as soon as another process (or NumPy's own BLAS
threads) competes for the cores.
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
import threadpoolctl

from cnnbook._validate import check_int
from cnnbook.nn.layers import Convolution
from cnnbook.nn.net import SimpleConvNet
from cnnbook.nn.optim import Adam
from cnnbook.timing import interleaved

__all__ = ["BLOCK", "main", "profile", "report", "run"]

BATCH = 100
STEPS_PER_EPOCH = 600
#: Consecutive training steps timed as one block in each round (the time per step is the block's
#: time divided by this): a training loop runs steps back to back, so each candidate is measured
#: on its own warm caches, not right after another framework has evicted them.
BLOCK = 3
TEST_IMAGES = 10_000


def _blas() -> dict:
    """NumPy's BLAS library as threadpoolctl sees it: name, version, kernels and threads.

    ``architecture`` is the set of kernels OpenBLAS runs (``"SkylakeX"`` for AVX-512,
    ``"Haswell"`` for AVX2): it picks them for the processor unless ``OPENBLAS_CORETYPE`` forces a
    choice (``forced``).
    """
    numpy_dir = os.path.dirname(os.path.dirname(np.__file__))
    blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    ours = [i for i in blas if os.path.dirname(i["filepath"]).startswith(numpy_dir)]
    info = (ours or blas or [{}])[0]
    return {
        "library": f"{info.get('internal_api', 'unknown')} {info.get('version', '')}".strip(),
        "kernels": info.get("architecture"),
        "threads": info.get("num_threads") or os.cpu_count() or 1,
        "forced": os.environ.get("OPENBLAS_CORETYPE") or None,
    }


def _torch(threads: int):
    """PyTorch on ``threads`` threads (as many as NumPy's BLAS), or ``None`` if not installed."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return torch


def _step_numpy(net: SimpleConvNet, x: np.ndarray, t: np.ndarray) -> Callable[[], None]:
    optimizer = Adam(lr=1e-3)

    def step() -> None:
        optimizer.update(net.params, net.gradient(x, t))

    return step


def _repeat(fn: Callable[[], None], times: int) -> Callable[[], None]:
    def block() -> None:
        for _ in range(times):
            fn()

    return block


def _step_reference(net: SimpleConvNet, x: np.ndarray, t: np.ndarray) -> Callable[[], None]:
    """The step of the reference code's trainer: gradient, update, then the loss once more."""
    net.layers["Conv1"].need_input_grad = True  # the reference computes it, and throws it away
    optimizer = Adam(lr=1e-3)

    def step() -> None:
        optimizer.update(net.params, net.gradient(x, t))
        net.loss(x, t)

    return step


def _model_torch(torch, net: SimpleConvNet):
    """The same network in PyTorch, with the NumPy network's initial weights."""
    nn = torch.nn
    conv = net.config.conv_param
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
    return model


def _step_torch(torch, model, x: np.ndarray, t: np.ndarray) -> Callable[[], None]:
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)

    def step() -> None:
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(xt), tt).backward()
        optimizer.step()

    return step


def _evaluate_torch(torch, model, x: np.ndarray, t: np.ndarray) -> Callable[[], float]:
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)

    def evaluate() -> float:
        with torch.no_grad():
            correct = sum(
                int((model(xt[i : i + 1000]).argmax(1) == tt[i : i + 1000]).sum())
                for i in range(0, len(xt), 1000)
            )
        return correct / len(xt)

    return evaluate


def profile(net: SimpleConvNet, x: np.ndarray, t: np.ndarray, rounds: int = 10) -> dict[str, float]:
    """Median time (s) of each layer's forward and backward pass in a training step of ``net``.

    Each layer's ``forward`` and ``backward`` (and the optimizer's ``update``) is wrapped by a
    timer on this network only, and unwrapped afterwards; the step itself is
    ``SimpleConvNet.gradient`` and ``Adam.update``, unchanged, so the profile follows the order
    in which the network runs its layers (``SimpleConvNet.order``). ``"other"`` is the rest
    of the step (input checks, building the dict of gradients). The network is trained by
    ``rounds + 2`` Adam steps on the batch.

    Examples
    --------
    >>> net = SimpleConvNet(input_dim=(1, 8, 8), hidden_size=4, output_size=3)
    >>> p = profile(net, np.zeros((2, 1, 8, 8)), [0, 1], rounds=1)
    >>> list(p)[:3], "Adam update" in p
    (['ConvPool1 forward', 'Relu1 forward', 'Affine1 forward'], True)
    """
    if not isinstance(net, SimpleConvNet):
        raise TypeError(f"net must be a SimpleConvNet, got {type(net).__name__}")
    rounds = check_int(rounds, "rounds", 1)
    times: dict[str, list[float]] = {}

    def timed(name: str, fn: Callable) -> Callable:
        def wrapper(*args):
            start = time.perf_counter()
            out = fn(*args)
            times.setdefault(name, []).append(time.perf_counter() - start)
            return out

        return wrapper

    optimizer = Adam(lr=1e-3)
    layers = [*net.layers.items(), ("SoftmaxWithLoss", net.last_layer)]
    for name, layer in layers:
        layer.forward = timed(f"{name} forward", layer.forward)
        layer.backward = timed(f"{name} backward", layer.backward)
    optimizer.update = timed("Adam update", optimizer.update)
    steps = []
    try:
        for _ in range(rounds + 2):
            start = time.perf_counter()
            optimizer.update(net.params, net.gradient(x, t))
            steps.append(time.perf_counter() - start)
    finally:
        for _, layer in layers:  # the class's methods again
            del layer.forward, layer.backward
    profile = {name: float(np.median(v[2:])) for name, v in times.items()}
    # the rest of each step, round by round (on a busy machine the median of the whole step and
    # the sum of the medians of its parts can differ by more than the rest itself)
    layer_time = np.sum([v[2:] for v in times.values()], axis=0)
    profile["other"] = max(float(np.median(np.array(steps[2:]) - layer_time)), 0.0)
    return profile


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
        ``"step"``, ``"conv_forward"`` and ``"evaluation"``: medians per candidate;
        ``"ratios"``; ``"profile"``: median per layer; ``"epoch_estimate"``;
        ``"memory_peak_mib"``; ``"max_rss_mib"``; ``"machine"``.

    Examples
    --------
    >>> result = run(rounds=2, with_torch=False)
    >>> sorted(result["step"])
    ['cnnbook fast', 'cnnbook textbook', 'reference-style (float64)']
    """
    blas = _blas()
    torch = _torch(blas["threads"]) if with_torch else None
    rng = np.random.default_rng(seed)
    x = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
    t = rng.integers(0, 10, BATCH)
    he = {"weight_init_std": "he", "seed": seed}
    steps = {
        "cnnbook fast": _step_numpy(SimpleConvNet(**he), x, t),
        "cnnbook textbook": _step_numpy(SimpleConvNet(**he, fast=False), x, t),
        "reference-style (float64)": _step_reference(
            SimpleConvNet(**he, fast=False, dtype=np.float64), x, t
        ),
    }
    if torch is not None:
        steps["PyTorch"] = _step_torch(torch, _model_torch(torch, SimpleConvNet(**he)), x, t)
    blocks = {name: _repeat(step, BLOCK) for name, step in steps.items()}
    step_times = {k: v / BLOCK for k, v in interleaved(blocks, rounds, warmup=1).items()}

    w = (0.1 * rng.standard_normal((30, 1, 5, 5))).astype(np.float32)
    b = np.zeros(30, np.float32)
    convs = {
        "cnnbook fast": lambda: Convolution(w, b).forward(x),
        "cnnbook textbook": lambda: Convolution(w, b, fast=False).forward(x),
    }
    if torch is not None:
        xt, wt, bt = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)
        convs["PyTorch"] = lambda: torch.nn.functional.conv2d(xt, wt, bt)
    conv_times = interleaved(convs, 3 * rounds, warmup=2)

    x_test = rng.random((TEST_IMAGES, 1, 28, 28), dtype=np.float32)
    t_test = rng.integers(0, 10, TEST_IMAGES)
    net = SimpleConvNet(**he)
    evaluations = {"cnnbook fast": lambda: net.accuracy(x_test, t_test)}
    if torch is not None:
        evaluations["PyTorch"] = _evaluate_torch(torch, _model_torch(torch, net), x_test, t_test)
    eval_times = interleaved(evaluations, max(3, rounds // 5), warmup=1)

    med = {k: float(np.median(v)) for k, v in step_times.items()}
    conv_med = {k: float(np.median(v)) for k, v in conv_times.items()}
    eval_med = {k: float(np.median(v)) for k, v in eval_times.items()}
    ratios = {
        "step: fast / textbook": med["cnnbook fast"] / med["cnnbook textbook"],
        "step: fast / reference-style": med["cnnbook fast"] / med["reference-style (float64)"],
        "conv forward: fast / textbook": conv_med["cnnbook fast"] / conv_med["cnnbook textbook"],
    }
    if torch is not None:
        ratios["step: fast / PyTorch"] = med["cnnbook fast"] / med["PyTorch"]
        ratios["step: fast / PyTorch (paired rounds)"] = float(
            np.median(step_times["cnnbook fast"] / step_times["PyTorch"])
        )
        ratios["conv forward: fast / PyTorch"] = conv_med["cnnbook fast"] / conv_med["PyTorch"]
        ratios["evaluation: fast / PyTorch"] = eval_med["cnnbook fast"] / eval_med["PyTorch"]
    return {
        "rounds": rounds,
        "step": med,
        "conv_forward": conv_med,
        "evaluation": eval_med,
        "ratios": ratios,
        "profile": profile(SimpleConvNet(**he), x, t, rounds),
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
            "blas": blas["library"],
            "blas_kernels": blas["kernels"],
            "blas_threads": blas["threads"],
            "OPENBLAS_CORETYPE": blas["forced"],
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
    if not isinstance(result, dict) or "rounds" not in result:
        raise TypeError(f"result must be the dict returned by run(), got {type(result).__name__}")
    ms = 1e3
    lines = [
        f"SimpleConvNet, batch {BATCH}, medians of {result['rounds']} interleaved rounds "
        f"(training steps in blocks of {BLOCK})",
        "",
    ]
    lines.append("training step (gradient + Adam)        ms     epoch estimate (600 steps)")
    for name, value in result["step"].items():
        lines.append(f"  {name:<30s} {value * ms:9.2f}     {result['epoch_estimate'][name]:7.1f} s")
    lines += ["", "convolution forward (30@5x5 on 100x1x28x28)"]
    for name, value in result["conv_forward"].items():
        lines.append(f"  {name:<30s} {value * ms:9.3f} ms")
    lines += ["", f"evaluation of {TEST_IMAGES:,} images (accuracy, batches of 1000)"]
    for name, value in result["evaluation"].items():
        lines.append(f"  {name:<30s} {value * ms:9.1f} ms")
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
    forced = result["machine"].get("OPENBLAS_CORETYPE")
    if forced:
        lines.append(
            f"note: OPENBLAS_CORETYPE={forced} chooses OpenBLAS's kernels for it; without it "
            "(env -u OPENBLAS_CORETYPE ...) OpenBLAS picks the kernels for this processor"
        )
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
