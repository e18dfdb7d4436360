"""cnnbook.probability against brute-force enumeration, closed forms and scipy.stats."""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cnnbook import probability as P

# --------------------------------------------------------------------------- discrete


@pytest.mark.parametrize("n_dice, sides", [(1, 6), (2, 6), (3, 6), (4, 4), (2, 20), (3, 1)])
def test_dice_pmf_equals_enumeration(n_dice, sides):
    counts = Counter(sum(faces) for faces in itertools.product(range(1, sides + 1), repeat=n_dice))
    total = sides**n_dice
    values, pmf = P.dice_pmf(n_dice, sides)
    assert values.tolist() == sorted(counts)
    expected = np.array([counts[v] / total for v in values.tolist()])
    np.testing.assert_allclose(pmf, expected, rtol=0, atol=1e-15)


def test_two_dice_seven_is_six_in_36():
    values, pmf = P.dice_pmf(2)
    assert Fraction(float(pmf[values == 7][0])).limit_denominator(1000) == Fraction(6, 36)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 20), min_size=1, max_size=8).filter(lambda a: sum(a) > 0),
    st.lists(st.integers(0, 20), min_size=1, max_size=8).filter(lambda a: sum(a) > 0),
)
def test_sum_pmf_equals_double_loop(a, b):
    p = np.array(a, float) / sum(a)
    q = np.array(b, float) / sum(b)
    expected = np.zeros(len(p) + len(q) - 1)
    for i in range(len(p)):  # P(X + Y = i + j) collects p[i] q[j]
        for j in range(len(q)):
            expected[i + j] += p[i] * q[j]
    np.testing.assert_allclose(P.sum_pmf(p, q), expected, atol=1e-15)
    assert P.sum_pmf(p, q).sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- continuous


@pytest.mark.parametrize("dx", [0.1, 1e-2, 1e-3])
def test_uniform_plus_uniform_is_the_triangle(dx):
    x = P.grid(0.0, 1.0, dx)
    p_z = P.sum_density(P.uniform_density(x), P.uniform_density(x), dx)
    z = P.sum_grid(x, x)
    closed_form = np.clip(1 - np.abs(z - 1), 0, None)  # written here, independent of the module
    # the trapezoidal rule integrates the piecewise-constant integrand exactly
    np.testing.assert_allclose(p_z, closed_form, atol=1e-12)
    assert z[0] == pytest.approx(0.0) and z[-1] == pytest.approx(2.0)


def test_plain_riemann_sum_relation():
    """Away from the ends, the result is dx times a double loop over the sampled densities."""
    rng = np.random.default_rng(0)
    f, g, dx = rng.random(7), rng.random(5), 0.3
    loop = np.zeros(11)
    for i in range(7):
        for j in range(5):
            loop[i + j] += f[i] * g[j]
    ends = np.array(
        [
            f[max(0, k - 4)] * g[k - max(0, k - 4)] + f[min(k, 6)] * g[k - min(k, 6)]
            for k in range(11)
        ]
    )
    np.testing.assert_allclose(P.sum_density(f, g, dx), dx * (loop - ends / 2), atol=1e-14)


@pytest.mark.parametrize("s1, s2, m1, m2", [(1.0, 1.0, 0.0, 0.0), (0.5, 2.0, 1.0, -3.0)])
def test_gaussian_sum_has_summed_variance(s1, s2, m1, m2):
    dx = 0.01
    x = P.grid(m1 - 10 * s1, m1 + 10 * s1, dx)
    y = P.grid(m2 - 10 * s2, m2 + 10 * s2, dx)
    p_z = P.sum_density(stats.norm.pdf(x, m1, s1), stats.norm.pdf(y, m2, s2), dx)
    z = P.sum_grid(x, y)
    expected = stats.norm.pdf(z, m1 + m2, np.hypot(s1, s2))
    np.testing.assert_allclose(p_z, expected, atol=1e-10)


@pytest.mark.parametrize("n, rate", [(2, 1.0), (3, 2.0), (5, 0.5)])
def test_exponential_sum_is_gamma(n, rate):
    dx = 0.02 / rate
    x = P.grid(0.0, 20.0 / rate, dx)
    f = stats.expon.pdf(x, scale=1 / rate)
    p = f
    for _ in range(n - 1):
        # keep the first len(x) points: they depend only on points before them, so stay exact
        p = P.sum_density(p, f, dx)[: x.size]
    expected = stats.gamma.pdf(x, a=n, scale=1 / rate)
    # trapezoidal rule: error O(dx^2), here below 1e-3 of the peak
    assert np.max(np.abs(p - expected)) < 1e-3 * expected.max()


def test_closed_form_densities_match_scipy():
    x = np.append(np.linspace(-3, 8, 1001), [0.0, 1.0, 2.0])  # include the corners exactly
    np.testing.assert_allclose(P.uniform_density(x, -1, 2), stats.uniform.pdf(x, -1, 3))
    np.testing.assert_allclose(P.gaussian_density(x, 1.5, 0.7), stats.norm.pdf(x, 1.5, 0.7))
    np.testing.assert_allclose(P.exponential_density(x, 1.7), stats.expon.pdf(x, scale=1 / 1.7))
    np.testing.assert_allclose(
        P.gamma_density(x, 3, 2.0), stats.gamma.pdf(x, a=3, scale=0.5), atol=1e-15
    )
    np.testing.assert_allclose(
        P.gamma_density(x, 2.5, 0.8), stats.gamma.pdf(x, a=2.5, scale=1.25), atol=1e-15
    )
    for shape in (0.5, 1.0, 1.5):
        np.testing.assert_allclose(
            P.gamma_density(x, shape, 1.3), stats.gamma.pdf(x, a=shape, scale=1 / 1.3), atol=1e-14
        )
    np.testing.assert_allclose(
        P.triangular_density(x, -1, 0.5, 4),
        stats.triang.pdf(x, c=1.5 / 5, loc=-1, scale=5),
        atol=1e-12,
    )


def test_grid_spacing_and_ends():
    g = P.grid(-1.0, 1.0, 0.1)
    np.testing.assert_allclose(g, np.linspace(-1, 1, 21), atol=1e-12)
    assert P.grid(0.0, 0.95, 0.1).size == 10  # stop not on the grid: not exceeded


# --------------------------------------------------------------------------- Monte Carlo


def test_monte_carlo_dice_within_statistical_tolerance():
    n = 200_000

    def die(rng, k):
        return rng.integers(1, 7, k)

    z = P.monte_carlo_sum([die, die, die], n, seed=3)
    values = np.arange(3, 19)
    freq = np.array([(z == v).mean() for v in values])
    exact = (
        np.array(
            [
                sum(1 for f in itertools.product(range(1, 7), repeat=3) if sum(f) == v)
                for v in values
            ]
        )
        / 216
    )
    sigma = np.sqrt(exact * (1 - exact) / n)
    assert np.all(np.abs(freq - exact) < 5 * sigma)


def test_monte_carlo_uniform_histogram_near_triangle():
    n = 400_000

    def uniform(rng, k):
        return rng.uniform(0, 1, k)

    z = P.monte_carlo_sum([uniform, uniform], n, seed=11)
    edges = np.linspace(0, 2, 41)
    counts, _ = np.histogram(z, edges)
    width = edges[1] - edges[0]
    # exact bin probabilities from the triangle's CDF F(z) = z^2/2 (z<1), 1-(2-z)^2/2 (z>=1)
    cdf = np.where(edges < 1, edges**2 / 2, 1 - (2 - edges) ** 2 / 2)
    prob = np.diff(cdf)
    sigma = np.sqrt(n * prob * (1 - prob))
    assert np.all(np.abs(counts - n * prob) < 5 * sigma)
    assert counts.sum() == n and width == pytest.approx(0.05)


def test_monte_carlo_is_reproducible_and_seed_dependent():
    def normal(rng, k):
        return rng.normal(0, 1, k)

    a = P.monte_carlo_sum([normal, normal], 1000, seed=5)
    b = P.monte_carlo_sum([normal, normal], 1000, seed=5)
    c = P.monte_carlo_sum([normal, normal], 1000, seed=6)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, exc, name",
    [
        (lambda: P.die_pmf(-6), ValueError, "sides"),
        (lambda: P.die_pmf(0), ValueError, "sides"),
        (lambda: P.die_pmf(6.0), TypeError, "sides"),
        (lambda: P.dice_pmf(0), ValueError, "n_dice"),
        (lambda: P.dice_pmf(2, -1), ValueError, "sides"),
        (lambda: P.sum_pmf([0.5, 0.4], [1.0]), ValueError, "p must sum to 1"),
        (lambda: P.sum_pmf([1.0], [1.5, -0.5]), ValueError, "q must be non-negative"),
        (lambda: P.sum_pmf([[0.5, 0.5]], [1.0]), ValueError, "p must have shape (L,)"),
        (lambda: P.sum_pmf([], [1.0]), ValueError, "p must not be empty"),
        (lambda: P.sum_pmf(["a"], [1.0]), TypeError, "p must be a real numeric"),
        (lambda: P.sum_pmf([np.nan, 1.0], [1.0]), ValueError, "p must be finite"),
        (lambda: P.sum_density([1.0], [1.0], 0.0), ValueError, "dx"),
        (lambda: P.sum_density([1.0], [1.0], -0.1), ValueError, "dx"),
        (lambda: P.sum_density([1.0], [1.0], "0.1"), TypeError, "dx"),
        (lambda: P.sum_density(np.ones((2, 2)), [1.0], 0.1), ValueError, "f must"),
        (lambda: P.sum_density([1.0], [-1.0], 0.1), ValueError, "g must be non-negative"),
        (lambda: P.grid(0.0, 1.0, 0.0), ValueError, "dx"),
        (lambda: P.grid(1.0, 0.0, 0.1), ValueError, "stop"),
        (lambda: P.sum_grid([0.0, 0.1], [0.0, 0.2]), ValueError, "same spacing"),
        (lambda: P.sum_grid([0.0, 0.1, 0.3], [0.0, 0.1]), ValueError, "x must be increasing"),
        (lambda: P.sum_grid([0.0], [0.0, 0.1]), ValueError, "x must be a 1-D grid"),
        (lambda: P.uniform_density(0.5, 1.0, 1.0), ValueError, "high"),
        (lambda: P.gaussian_density(0.0, 0.0, -1.0), ValueError, "std"),
        (lambda: P.exponential_density(0.0, 0.0), ValueError, "rate"),
        (lambda: P.gamma_density(0.0, 0.0), ValueError, "shape"),
        (lambda: P.triangular_density(0.0, 0.0, 3.0, 2.0), ValueError, "low <= peak <= high"),
        (lambda: P.monte_carlo_sum([], 10), ValueError, "samplers"),
        (lambda: P.monte_carlo_sum(lambda r, n: r.random(n), 10), TypeError, "samplers"),
        (lambda: P.monte_carlo_sum([1], 10), TypeError, "samplers[0]"),
        (lambda: P.monte_carlo_sum([lambda r, n: r.random(n)], 0), ValueError, "n_samples"),
        (lambda: P.monte_carlo_sum([lambda r, n: r.random(n + 1)], 5), ValueError, "samplers[0]"),
        # issue 13: seeds, conversions, complex input and blind allocations
        (lambda: P.monte_carlo_sum([lambda r, n: r.random(n)], 5, seed=-1), ValueError, "seed"),
        (lambda: P.monte_carlo_sum([lambda r, n: r.random(n)], 5, seed="a"), TypeError, "seed"),
        (lambda: P.monte_carlo_sum([lambda r, n: r.random(n)], 5, seed=1.5), TypeError, "seed"),
        (lambda: P.monte_carlo_sum([lambda r, n: r.random(n)], 5, seed=True), TypeError, "seed"),
        (lambda: P.uniform_density("abc"), TypeError, "x must be a real numeric"),
        (lambda: P.gaussian_density(["a"]), TypeError, "x must be a real numeric"),
        (lambda: P.triangular_density([None]), TypeError, "x must be a real numeric"),
        (lambda: P.exponential_density([[1.0], [1.0, 2.0]]), ValueError, "x must be a rect"),
        (lambda: P.gamma_density(["1"], 2.0), TypeError, "x must be a real numeric"),
        (lambda: P.uniform_density(np.array([0.5 + 5j])), TypeError, "x must be real"),
        (lambda: P.gaussian_density(np.array([0.5 + 0j])), TypeError, "x must be real"),
        (lambda: P.sum_pmf(np.array([1.0 + 0j]), [1.0]), TypeError, "p must be real"),
        (lambda: P.grid(0, 1e12, 1e-6), ValueError, "dx asks for 1000000000000000001 grid"),
        (lambda: P.die_pmf(10**12), ValueError, "sides asks for 1000000000000 faces (7.28 TiB)"),
        (lambda: P.dice_pmf(100_000), ValueError, "n_dice = 100000 dice of 6 sides ask for"),
        (lambda: P.dice_pmf(2, 10**9), ValueError, "sides"),
    ],
)
def test_bad_input_names_the_argument(call, exc, name):
    with pytest.raises(exc) as info:
        call()
    assert name in str(info.value)


def test_dice_work_limit_is_where_the_docstring_says():
    assert 36 * 10_000 * 9_999 // 2 <= P.MAX_DICE_WORK < 36 * 100_000 * 99_999 // 2


def test_long_sums_through_the_fft_route_stay_non_negative_and_exact_enough():
    """Long pmfs take convolve's FFT route; its rounding must not produce negative entries."""
    from scipy import stats

    _, pmf = P.dice_pmf(300, sides=20)
    p2 = P.sum_pmf(pmf, pmf)  # 5,701 × 5,701 entries: the FFT route
    assert (p2 >= 0).all()
    expected = np.convolve(pmf, pmf)
    np.testing.assert_allclose(p2, expected, rtol=0, atol=1e-15)
    assert abs(p2.sum() - 1) < 1e-12
    x = P.grid(0.0, 60.0, 0.01)
    f = P.exponential_density(x)
    h = P.sum_density(P.sum_density(f, f, 0.01), f, 0.01)  # Gamma(3, 1), twice on long grids
    assert (h >= 0).all()
    z = P.sum_grid(P.sum_grid(x, x), x)
    np.testing.assert_allclose(h, stats.gamma.pdf(z, 3), atol=2e-4)
