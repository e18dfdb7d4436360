"""The numbers glued into Part I pages 1-3 equal independent computations.

These tests read the executed notebooks of a built book (see :mod:`bookutils`); build first, e.g.
``make html`` or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it.
"""

from __future__ import annotations

import ast
import itertools
from fractions import Fraction

import numpy as np
import pytest
from bookutils import glued

pytestmark = pytest.mark.book

PAGE1 = "part1/01-before-deep-learning"
PAGE2 = "part1/02-convolution-theorem"
PAGE3 = "part1/03-grid-data"


def value(page: str, name: str):
    """The Python value of glued variable ``name`` (its repr parsed back)."""
    values = glued(page)
    assert name in values, f"{page} does not glue {name!r}"
    text = values[name]
    if text.startswith(("np.float64(", "np.int64(")):
        text = text[text.index("(") + 1 : -1]
    return ast.literal_eval(text)


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


# --------------------------------------------------------------------------- page 1


def test_page1_dice_numbers():
    outcomes = list(itertools.product(range(1, 7), repeat=2))
    seven = Fraction(sum(a + b == 7 for a, b in outcomes), len(outcomes))
    assert value(PAGE1, "p_seven") == pytest.approx(float(seven), abs=1e-15)
    assert value(PAGE1, "p_seven_36") == 6
    ten = sum(sum(f) == 10 for f in itertools.product(range(1, 7), repeat=3))
    assert value(PAGE1, "p_ten_3") == pytest.approx(ten / 216, abs=1e-15)
    assert value(PAGE1, "p_ten_3_216") == ten
    assert value(PAGE1, "enum_diff") < 1e-15


def test_page1_densities_match_closed_forms():
    assert value(PAGE1, "tri_err") < 1e-12
    assert value(PAGE1, "tri_peak") == pytest.approx(1.0, abs=1e-12)
    s1, s2 = value(PAGE1, "g_s1"), value(PAGE1, "g_s2")
    assert value(PAGE1, "g_var_exact") == pytest.approx(s1**2 + s2**2)
    assert value(PAGE1, "g_var") == pytest.approx(s1**2 + s2**2, rel=1e-6)
    assert value(PAGE1, "g_mean") == pytest.approx(-1.0 + 2.0, abs=1e-6)
    assert value(PAGE1, "g_mean_exact") == pytest.approx(-1.0 + 2.0)
    assert value(PAGE1, "g_err") < 1e-8
    assert value(PAGE1, "gamma_err") < 1e-3
    # Irwin-Hall n = 4 is close to, but not equal to, the Gaussian N(2, 1/3)
    assert 0 < value(PAGE1, "irwin_gap") < 0.05
    assert value(PAGE1, "irwin_peak") == pytest.approx(2 / 3, abs=1e-3)  # f(2) = 2/3


def test_page1_monte_carlo_is_reproducible_and_within_error():
    from cnnbook.probability import monte_carlo_sum

    n, seed = value(PAGE1, "mc_n"), value(PAGE1, "mc_seed")

    def die(rng, k):
        return rng.integers(1, 7, k)

    z = monte_carlo_sum([die] * 3, n, seed)
    assert value(PAGE1, "mc_p10") == pytest.approx(float((z == 10).mean()), abs=1e-15)
    assert value(PAGE1, "mc_dice_z") < 5
    assert value(PAGE1, "mc_dice_dev") < 5 * np.sqrt(0.25 / n)


# --------------------------------------------------------------------------- page 2


def test_page2_routes_agree_and_wraparound_is_explained():
    assert value(PAGE2, "dft_diff") < 1e-10
    assert value(PAGE2, "wrap_err") > 0.01
    assert value(PAGE2, "wrap_explained") < 1e-12
    assert value(PAGE2, "pad_err") < 1e-12
    assert value(PAGE2, "fft_direct_diff") < 1e-10
    assert value(PAGE2, "dice_fft_diff") < 1e-12
    n_dice = value(PAGE2, "n_dice")
    assert value(PAGE2, "p_35") == pytest.approx(dice_ways(n_dice, 35) / 6**n_dice, rel=1e-12)


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


# --------------------------------------------------------------------------- page 3


def test_page3_sound_and_spectrogram():
    from scipy import signal as sps

    from cnnbook.signals import sound_wave

    n_notes = value(PAGE3, "n_notes")
    assert value(PAGE3, "n_onsets") == n_notes == 4
    onsets = [float(v) for v in value(PAGE3, "onsets").split(", ")]
    np.testing.assert_allclose(onsets, value(PAGE3, "note_length") * np.arange(n_notes), atol=0.02)
    rate = value(PAGE3, "rate")
    _, x = sound_wave(duration=1.6, sample_rate=rate, seed=0)
    assert value(PAGE3, "n_sound") == x.size
    f, t, _ = sps.stft(x, rate, nperseg=256, noverlap=192, boundary=None, padded=False)
    assert value(PAGE3, "spec_shape") == f"{f.size} × {t.size}"
    assert value(PAGE3, "bin_hz") == pytest.approx(f[1])


def test_page3_smoothing_reduces_noise():
    assert value(PAGE3, "sk_rms_smooth") < value(PAGE3, "sk_rms_noisy")
    # the smoothed error is bias plus the noise left; the page says the bias is the larger part
    bias, left = value(PAGE3, "sk_rms_bias"), value(PAGE3, "sk_rms_left")
    assert bias > left
    assert value(PAGE3, "sk_rms_smooth") <= bias + left + 1e-12
    assert value(PAGE3, "sk_rms_noisy") == pytest.approx(2.0, rel=0.15)  # the default noise
    assert value(PAGE3, "vol_flat_smooth") < value(PAGE3, "vol_flat_noisy") / 3
    assert value(PAGE3, "vol_rmse_smooth") < value(PAGE3, "vol_rmse_noisy")
    before, after = value(PAGE3, "vid_std_before"), value(PAGE3, "vid_std_after")
    assert after == pytest.approx(before / np.sqrt(5), rel=0.25)
    # the quoted factor is the ratio of the two quoted deviations, and exceeds sqrt(5) (see page 3)
    assert value(PAGE3, "vid_std_ratio") == pytest.approx(before / after, rel=1e-12)
    assert value(PAGE3, "vid_std_ratio") > np.sqrt(5)


def test_page3_shapes_and_exercises():
    assert value(PAGE3, "img_shape") == "3 × 96 × 128"
    # a 9x9 blur with zero padding reaches 4 pixels of padding from the border
    assert value(PAGE3, "img_blur_frame") == (9 - 1) // 2
    assert value(PAGE3, "vid_shape") == "24 × 3 × 48 × 64"
    assert value(PAGE3, "vol_size") == 48
    assert value(PAGE3, "n_joints") == 6
    assert value(PAGE3, "ex_cost_3d") == 125 and value(PAGE3, "ex_cost_sep") == 15
    assert value(PAGE3, "ex_sep_diff") < 1e-12
    # two crescents of a moving ball: some pixels change, fewer than the ball's area
    assert 0 < value(PAGE3, "ex_moving_pixels") < value(PAGE3, "ex_ball_area")
