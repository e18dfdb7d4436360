"""Chapter ``part1/02-convolution-theorem``: glued values and the functions its cells define.

The values that "The convolution theorem" glues into its prose (myst-nb ``glue``) are read back from
the executed notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed
independently (tests marked ``book``). Build first (``make html``, or a partial build with
``CNNBOOK_BUILD_DIR`` pointing at it).

The functions the page defines in its code cells are read from its source
(:func:`bookutils.chapter_function`: only the ``def``, run with the imports of the page's first code
cell; no build needed), so these tests check the code the reader sees, and compare it with
independent references: brute-force loops written here, SciPy, PyTorch's autograd (when installed)
and ``cnnbook``.
"""

from __future__ import annotations

import numpy as np
import pytest
from bookutils import chapter_function, value
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

PAGE2 = "part1/02-convolution-theorem"


def dice_ways(n_dice: int, total: int) -> int:
    """Number of ordered outcomes of ``n_dice`` dice adding to ``total``, by dynamic programming."""
    ways = {0: 1}
    for _ in range(n_dice):
        nxt: dict[int, int] = {}
        for s, c in ways.items():
            for face in range(1, 7):
                nxt[s + face] = nxt.get(s + face, 0) + c
        ways = nxt
    return ways.get(total, 0)


def prime_factors(m: int) -> list[int]:
    """The prime factors of ``m`` with repetition, by trial division."""
    factors, p = [], 2
    while p * p <= m:
        while m % p == 0:
            factors.append(p)
            m //= p
        p += 1
    return factors + ([m] if m > 1 else [])


@pytest.mark.book
def test_page2_routes_agree_and_wraparound_is_explained():
    assert value(PAGE2, "dft_diff") < 1e-10
    assert value(PAGE2, "wrap_err") > 0.01
    assert value(PAGE2, "wrap_explained") < 1e-12
    assert value(PAGE2, "pad_err") < 1e-12
    assert value(PAGE2, "fft_direct_diff") < 1e-10
    assert value(PAGE2, "dice_fft_diff") < 1e-12
    n_dice = value(PAGE2, "n_dice")
    assert value(PAGE2, "p_35") == pytest.approx(dice_ways(n_dice, 35) / 6**n_dice, rel=1e-12)


@pytest.mark.book
def test_page2_timing_and_exercises():
    assert value(PAGE2, "n_time") == 8192
    assert 1 <= value(PAGE2, "k_cross") <= value(PAGE2, "k_max") == 1024
    assert value(PAGE2, "speedup_max") > 1
    assert value(PAGE2, "ex_N") == value(PAGE2, "ex_n") + value(PAGE2, "ex_k") - 1
    full = np.convolve([1, 2, 3, 4, 5], [1, 1, 1])  # NumPy as the reference
    circular = full[:5].astype(float)
    circular[:2] += full[5:]
    assert value(PAGE2, "ex_lin") == str([float(v) for v in full])
    assert value(PAGE2, "ex_circ") == str(circular.tolist())
    k = np.arange(1, 4097)
    N = 8192 + k - 1
    mixed = k[np.argmax(8192 * k > 15 * N * np.log2(N))]
    assert value(PAGE2, "k_mixed") == mixed
    flops_fft = 3 * 2.5 * N * np.log2(N) + 6 * (N // 2 + 1)
    assert value(PAGE2, "k_count") == k[np.argmax(2 * 8192 * k > flops_fft)]


@pytest.mark.book
def test_page2_cost_model_is_the_librarys():
    from cnnbook.conv import FFT_MARGIN, ROUTE_CONSTANTS, route_seconds

    ks = [1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]
    faster = [
        route_seconds((8192,), (k,))["fft"] < route_seconds((8192,), (k,))["direct"] for k in ks
    ]
    first = next(i for i in range(len(ks)) if all(faster[i:]))
    assert value(PAGE2, "k_model") == ks[first]
    assert value(PAGE2, "k_cross") / 4 <= ks[first] <= 4 * value(PAGE2, "k_cross")
    assert value(PAGE2, "ns_direct_flop") == pytest.approx(ROUTE_CONSTANTS["direct_1d_mac"] / 2e-9)
    assert value(PAGE2, "ns_fft_flop") > value(PAGE2, "ns_direct_flop")
    # the FFT route's seconds beyond its call, per flop counted at the padded length (2·3·5-smooth)
    k = value(PAGE2, "k_count")
    n_pad = next(
        m
        for m in range(8192 + k - 1, 2 * (8192 + k))
        if all(p in (2, 3, 5) for p in prime_factors(m))
    )
    assert value(PAGE2, "ex_N_pad") == n_pad
    flops = 7.5 * n_pad * np.log2(n_pad) + 6 * (n_pad // 2 + 1)
    fft_seconds = route_seconds((8192,), (k,))["fft"] - ROUTE_CONSTANTS["fft_call"]
    assert value(PAGE2, "ns_fft_flop") == pytest.approx(fft_seconds / flops * 1e9, rel=1e-12)
    # convolve(method="auto") switches where the FFT route is predicted FFT_MARGIN times faster
    assert value(PAGE2, "fft_margin") == FFT_MARGIN
    auto = [
        FFT_MARGIN * route_seconds((8192,), (k,))["fft"] < route_seconds((8192,), (k,))["direct"]
        for k in range(1, 1025)
    ]
    assert value(PAGE2, "k_auto") == 1 + next(i for i in range(1024) if all(auto[i:]))
    assert value(PAGE2, "fft_growth") < 2
    k2 = value(PAGE2, "k_model_2d")
    t = route_seconds((512, 512), (k2, k2))
    t_before = route_seconds((512, 512), (k2 - 1, k2 - 1))
    assert (
        FFT_MARGIN * t["fft"] < t["direct"] and FFT_MARGIN * t_before["fft"] >= t_before["direct"]
    )


via_dft = chapter_function("part1/02-convolution-theorem.md", "via_dft")


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 30), st.integers(1, 10), st.integers(0, 2**32 - 1))
def test_via_dft_is_circular_convolution_and_padding_makes_it_linear(n, k, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    N = max(n, k)
    circular = np.zeros(N)
    for i in range(N):  # the definition: indices wrap around modulo N
        for m in range(n):
            circular[i] += x[m] * np.concatenate([w, np.zeros(N - k)])[(i - m) % N]
    np.testing.assert_allclose(via_dft(x, w, N), circular, atol=1e-10)
    np.testing.assert_allclose(via_dft(x, w, n + k - 1), signal.convolve(x, w), atol=1e-10)
