"""Tests of cnnbook.gabor against independent references.

References: the Gabor equation of Goodfellow et al. (eq. 9.16, with y' in the exponent) written
here as a scalar loop with ``math``; brute-force double sums for the cells;
``scipy.signal.correlate2d`` for sliding cells; central finite differences for the Jacobian.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate, correlate2d

from cnnbook import gabor as gb


def gabor_loop(x: float, y: float, alpha: float, beta_x: float, beta_y: float, f: float,
               phi: float, x0: float, y0: float, tau: float) -> float:
    """The equation, one point at a time."""
    xp = (x - x0) * math.cos(tau) + (y - y0) * math.sin(tau)
    yp = -(x - x0) * math.sin(tau) + (y - y0) * math.cos(tau)
    return alpha * math.exp(-beta_x * xp * xp - beta_y * yp * yp) * math.cos(f * xp + phi)


def kernel_loop(n: int, **p: float) -> np.ndarray:
    """Rows are y, columns are x, both centred: w[i, j] = w(j - (n-1)/2, i - (n-1)/2)."""
    full = {"alpha": 1.0, "x0": 0.0, "y0": 0.0, "tau": 0.0, **p}
    c = (n - 1) / 2
    return np.array([[gabor_loop(j - c, i - c, **full) for j in range(n)] for i in range(n)])


def random_params(rng: np.random.Generator) -> dict[str, float]:
    return {"alpha": float(rng.uniform(0.5, 2.0) * rng.choice([-1, 1])),
            "beta_x": float(rng.uniform(0.05, 0.3)), "beta_y": float(rng.uniform(0.05, 0.3)),
            "f": float(rng.uniform(0.6, 2.0)), "phi": float(rng.uniform(-np.pi, np.pi)),
            "x0": float(rng.uniform(-1, 1)), "y0": float(rng.uniform(-1, 1)),
            "tau": float(rng.uniform(-3.0, 6.0))}


def canonical_truth(p: dict[str, float]) -> dict[str, float]:
    """The same Gabor function written with alpha > 0, 0 <= tau < pi, -pi < phi <= pi.

    Independent of the library: cos(f x' + phi) = -cos(f x' + phi + pi), and turning tau by pi
    flips x' (and y', which only appears squared), so cos(-f x' + phi) = cos(f x' - phi).
    """
    alpha, phi, tau = p["alpha"], p["phi"], p["tau"]
    if alpha < 0:
        alpha, phi = -alpha, phi + math.pi
    while tau < 0:
        tau, phi = tau + math.pi, -phi
    while tau >= math.pi:
        tau, phi = tau - math.pi, -phi
    phi = math.remainder(phi, 2 * math.pi)
    return {**p, "alpha": alpha, "phi": phi, "tau": tau}


# -- the Gabor function ----------------------------------------------------------------------------
finite = st.floats(-3.0, 3.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(x=finite, y=finite, alpha=finite, beta_x=st.floats(0.01, 2.0), beta_y=st.floats(0.01, 2.0),
       f=st.floats(0.0, 3.0), phi=finite, x0=finite, y0=finite, tau=st.floats(-7.0, 7.0))
def test_gabor_matches_the_equation_pointwise(x, y, alpha, beta_x, beta_y, f, phi, x0, y0, tau):
    got = gb.gabor(x, y, alpha=alpha, beta_x=beta_x, beta_y=beta_y, f=f, phi=phi, x0=x0, y0=y0,
                   tau=tau)
    assert float(got) == pytest.approx(gabor_loop(x, y, alpha, beta_x, beta_y, f, phi, x0, y0, tau),
                                       rel=1e-12, abs=1e-12)


def test_gabor_uses_the_rotated_y_in_the_exponent():
    # the book prints exp(-beta_x x'^2 - beta_y y^2); the rotated y' is meant
    p = {"alpha": 1.0, "beta_x": 0.05, "beta_y": 0.5, "f": 0.0, "phi": 0.0, "x0": 0.0,
         "y0": 0.0, "tau": math.pi / 2}
    # with tau = pi/2, y' = -x, so the envelope decays fast along x and slowly along y
    assert float(gb.gabor(3.0, 0.0, **p)) == pytest.approx(math.exp(-0.5 * 9))
    assert float(gb.gabor(0.0, 3.0, **p)) == pytest.approx(math.exp(-0.05 * 9))


def test_gabor_broadcasts_arrays():
    x = np.linspace(-2, 2, 5)[None, :]
    y = np.linspace(-1, 1, 3)[:, None]
    p = random_params(np.random.default_rng(0))
    got = gb.gabor(x, y, **p)
    want = np.array([[gabor_loop(float(xj), float(yi), **p) for xj in x[0]] for yi in y[:, 0]])
    assert got.shape == (3, 5)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n", [1, 4, 5, 8])
def test_gabor_kernel_grid_convention(n):
    p = random_params(np.random.default_rng(n))
    np.testing.assert_allclose(gb.gabor_kernel(n, **p), kernel_loop(n, **p), rtol=1e-12,
                               atol=1e-14)


def test_grid_rows_are_y_columns_are_x_and_rectangular_sizes():
    x, y = gb.grid((2, 3))
    np.testing.assert_array_equal(x, [[-1, 0, 1], [-1, 0, 1]])
    np.testing.assert_array_equal(y, [[-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]])
    p = {"beta_x": 0.1, "beta_y": 0.2, "f": 1.0, "phi": 0.3, "tau": 0.4}
    want = np.array([[gabor_loop(j - 2.0, i - 1.0, 1.0, 0.1, 0.2, 1.0, 0.3, 0.0, 0.0, 0.4)
                      for j in range(5)] for i in range(3)])
    np.testing.assert_allclose(gb.gabor_kernel((3, 5), **p), want, rtol=1e-12, atol=1e-14)


def test_orientation_convention_tau_zero_gives_vertical_stripes():
    # tau = 0: the carrier varies along x (columns), so each column is constant
    g = gb.grating(9, f=1.1, tau=0.0, phi=0.2)
    assert np.ptp(g, axis=0).max() < 1e-12 and np.ptp(g, axis=1).min() > 0.5
    # tau = pi/2: the carrier varies along y (rows), horizontal stripes
    g = gb.grating(9, f=1.1, tau=math.pi / 2, phi=0.2)
    assert np.ptp(g, axis=1).max() < 1e-12 and np.ptp(g, axis=0).min() > 0.5
    # y grows downwards: with tau = pi/4 the stripes run from top right to bottom left,
    # i.e. the image is constant along the anti-diagonal direction (x + 1, y - 1)
    g = gb.grating(9, f=1.1, tau=math.pi / 4)
    np.testing.assert_allclose(g[1:, :-1], g[:-1, 1:], atol=1e-12)


def test_grating_matches_loop():
    n, f, tau, phi, c = 6, 0.9, 2.2, -0.4, 0.7
    h = (n - 1) / 2
    want = np.array([[c * math.cos(f * ((j - h) * math.cos(tau) + (i - h) * math.sin(tau)) + phi)
                      for j in range(n)] for i in range(n)])
    np.testing.assert_allclose(gb.grating(n, f=f, tau=tau, phi=phi, contrast=c), want,
                               rtol=1e-12, atol=1e-14)


def test_gabor_bank_layout():
    taus, fs = [0.0, 0.5, 1.0, 2.5], [0.7, 1.4]
    bank = gb.gabor_bank(7, taus, fs, beta_x=0.1, beta_y=0.2, phi=0.3, alpha=2.0)
    assert bank.shape == (2, 4, 7, 7)
    for k, f in enumerate(fs):
        for l_, tau in enumerate(taus):
            np.testing.assert_allclose(
                bank[k, l_], kernel_loop(7, alpha=2.0, beta_x=0.1, beta_y=0.2, f=f, phi=0.3,
                                         tau=tau), rtol=1e-12, atol=1e-14)


def test_quadrature_pair_phases():
    p = {"beta_x": 0.08, "beta_y": 0.05, "f": 1.2, "tau": 0.6, "x0": 0.5}
    w0, w1 = gb.quadrature_pair(9, phi=0.3, **p)
    np.testing.assert_allclose(w0, kernel_loop(9, phi=0.3, **p), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(w1, kernel_loop(9, phi=0.3 + math.pi / 2, **p), rtol=1e-12,
                               atol=1e-14)


# -- model cells -----------------------------------------------------------------------------------
def test_simple_cell_on_a_patch_is_the_double_sum():
    rng = np.random.default_rng(3)
    image, w = rng.standard_normal((5, 5)), rng.standard_normal((5, 5))
    want = sum(w[i, j] * image[i, j] for i in range(5) for j in range(5))
    s = gb.simple_cell(image, w)
    assert isinstance(s, float) and s == pytest.approx(want, rel=1e-12)
    assert gb.simple_cell(image, w, rectify=True) == pytest.approx(max(want, 0.0), rel=1e-12)
    assert gb.simple_cell(-image, w, rectify=True) == pytest.approx(max(-want, 0.0), rel=1e-12)


@pytest.mark.parametrize("kshape", [(3, 3), (5, 4), (2, 2)])
@pytest.mark.parametrize("mode", ["valid", "same"])
def test_sliding_cells_match_scipy(kshape, mode):
    rng = np.random.default_rng(4)
    image = rng.standard_normal((12, 10))
    w0, w1 = rng.standard_normal(kshape), rng.standard_normal(kshape)
    if mode == "same" and (kshape[0] % 2 == 0 or kshape[1] % 2 == 0):
        # for even kernels correlate2d centres "same" one pixel off scipy.signal.correlate; the
        # book follows scipy.signal.correlate (ARCHITECTURE: cnnbook.conv.correlate)
        s0, s1 = correlate(image, w0, mode=mode), correlate(image, w1, mode=mode)
    else:
        s0, s1 = correlate2d(image, w0, mode=mode), correlate2d(image, w1, mode=mode)
    np.testing.assert_allclose(gb.simple_cell(image, w0, mode=mode), s0, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb.simple_cell(image, w0, mode=mode, rectify=True),
                               np.where(s0 > 0, s0, 0.0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb.complex_cell(image, w0, w1, mode=mode), np.sqrt(s0**2 + s1**2),
                               rtol=1e-10, atol=1e-12)


def test_complex_cell_on_a_patch():
    rng = np.random.default_rng(5)
    image, w0, w1 = rng.standard_normal((3, 6, 6))
    s0 = sum(w0[i, j] * image[i, j] for i in range(6) for j in range(6))
    s1 = sum(w1[i, j] * image[i, j] for i in range(6) for j in range(6))
    c = gb.complex_cell(image, w0, w1)
    assert isinstance(c, float) and c == pytest.approx(math.sqrt(s0 * s0 + s1 * s1), rel=1e-12)


def test_contrast_inversion():
    rng = np.random.default_rng(6)
    image = rng.standard_normal((20, 20))
    w0, w1 = gb.quadrature_pair(7, beta_x=0.1, beta_y=0.1, f=1.0, tau=0.3)
    # complex cell: unchanged by contrast inversion; simple cell: sign flipped
    np.testing.assert_array_equal(gb.complex_cell(-image, w0, w1), gb.complex_cell(image, w0, w1))
    assert gb.complex_cell(-image[:7, :7], w0, w1) == gb.complex_cell(image[:7, :7], w0, w1)
    np.testing.assert_allclose(gb.simple_cell(-image, w0), -gb.simple_cell(image, w0), atol=1e-12)


def test_phase_invariance_of_the_energy_model():
    """A matched grating drifting through a full period: the complex cell barely changes, the
    simple cell swings from its most positive to its most negative response."""
    p = {"beta_x": 0.03, "beta_y": 0.03, "f": 1.0, "tau": 0.5}
    w0, w1 = gb.quadrature_pair(21, **p)
    phases = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    simple = np.array([gb.simple_cell(gb.grating(21, f=1.0, tau=0.5, phi=ph), w0)
                       for ph in phases])
    energy = np.array([gb.complex_cell(gb.grating(21, f=1.0, tau=0.5, phi=ph), w0, w1)
                       for ph in phases])
    # simple cell: a full sinusoidal swing, max close to -min
    assert simple.max() > 0 and simple.min() < 0
    assert (simple.max() - simple.min()) / np.abs(simple).max() > 1.95
    # complex cell: less than 1 % variation around its mean
    assert (energy.max() - energy.min()) / energy.mean() < 0.01
    assert energy.min() > 0.99 * np.abs(simple).max()


def test_simple_cell_orientation_tuning_peaks_at_the_preferred_direction():
    w0, w1 = gb.quadrature_pair(21, beta_x=0.03, beta_y=0.03, f=1.0, tau=0.5)
    taus = np.linspace(0, np.pi, 36, endpoint=False)
    energy = [gb.complex_cell(gb.grating(21, f=1.0, tau=t), w0, w1) for t in taus]
    assert taus[int(np.argmax(energy))] == pytest.approx(0.5, abs=np.pi / 36)


# -- fitting ---------------------------------------------------------------------------------------
def test_jacobian_matches_finite_differences():
    # theta = (alpha, log beta_x, log beta_y, f, phi, x0, y0, tau), the fitting parameters
    x, y = gb.grid(6)
    theta = np.array([1.3, math.log(0.2), math.log(0.1), 1.1, 0.4, 0.3, -0.2, 0.7])
    _, jac = gb._model_and_jacobian(theta, x, y)

    def model(t: np.ndarray) -> np.ndarray:
        return np.array([gabor_loop(float(a), float(b), *_unpack(t))
                         for a, b in zip(x.ravel(), y.ravel())])

    h = 1e-6
    for k in range(8):
        e = np.zeros(8)
        e[k] = h
        np.testing.assert_allclose(jac[:, k], (model(theta + e) - model(theta - e)) / (2 * h),
                                   rtol=1e-6, atol=1e-8)


def _unpack(theta: np.ndarray) -> tuple[float, ...]:
    alpha, lbx, lby, f, phi, x0, y0, tau = (float(v) for v in theta)
    return alpha, math.exp(lbx), math.exp(lby), f, phi, x0, y0, tau


@pytest.mark.parametrize("seed", range(6))
def test_fit_recovers_known_parameters_from_a_noiseless_kernel(seed):
    p = random_params(np.random.default_rng(seed))
    w = kernel_loop(11, **p)
    fit = gb.fit_gabor(w)
    assert fit.residual < 1e-9
    np.testing.assert_allclose(fit.kernel, w, atol=1e-9)
    np.testing.assert_allclose(fit.kernel, kernel_loop(11, **fit.params), atol=1e-12)
    truth = canonical_truth(p)
    for name in gb.PARAM_NAMES:
        assert fit.params[name] == pytest.approx(truth[name], abs=1e-6), name


@pytest.mark.parametrize("seed", range(4))
def test_fit_small_kernels_noiseless(seed):
    # a 5x5 first-layer CNN filter: the parameters need not be unique, the kernel must match
    rng = np.random.default_rng(100 + seed)
    p = random_params(rng)
    w = kernel_loop(5, **p)
    fit = gb.fit_gabor(w)
    assert fit.residual < 1e-6
    np.testing.assert_allclose(kernel_loop(5, **fit.params), w, atol=1e-5)


def test_fit_a_gaussian_blob():
    w = kernel_loop(7, beta_x=0.1, beta_y=0.3, f=0.0, phi=0.0, tau=0.3)
    fit = gb.fit_gabor(w)
    assert fit.residual < 1e-8


@pytest.mark.parametrize("seed", range(4))
def test_fit_from_a_noisy_kernel(seed):
    rng = np.random.default_rng(200 + seed)
    p = random_params(rng)
    clean = kernel_loop(11, **p)
    noise = 0.05 * np.abs(clean).max() * rng.standard_normal(clean.shape)
    fit = gb.fit_gabor(clean + noise)
    # the fit explains the data up to the noise, and removes most of it
    assert fit.residual == pytest.approx(np.linalg.norm(noise) / np.linalg.norm(clean + noise),
                                         rel=0.2)
    assert np.linalg.norm(fit.kernel - clean) < 0.5 * np.linalg.norm(noise)
    truth = canonical_truth(p)
    assert fit.params["f"] == pytest.approx(truth["f"], abs=0.1)
    assert math.remainder(fit.params["tau"] - truth["tau"], math.pi) == pytest.approx(0, abs=0.1)
    assert fit.params["alpha"] == pytest.approx(truth["alpha"], rel=0.15)


# -- bad input -------------------------------------------------------------------------------------
GOOD = {"beta_x": 0.1, "beta_y": 0.1, "f": 1.0, "phi": 0.0}


@pytest.mark.parametrize("change, exc, name", [
    ({"beta_x": 0.0}, ValueError, "beta_x"),
    ({"beta_y": -0.5}, ValueError, "beta_y"),
    ({"f": -1.0}, ValueError, "f must"),
    ({"phi": float("nan")}, ValueError, "phi"),
    ({"tau": float("inf")}, ValueError, "tau"),
    ({"alpha": "1"}, TypeError, "alpha"),
    ({"x0": np.ones(2)}, TypeError, "x0"),
    ({"y0": True}, TypeError, "y0"),
    ({"alpha": 1j}, TypeError, "alpha"),
])
def test_bad_parameters(change, exc, name):
    with pytest.raises(exc, match=name):
        gb.gabor(0.0, 0.0, **{**GOOD, **change})
    with pytest.raises(exc, match=name):
        gb.gabor_kernel(5, **{**GOOD, **change})


def test_missing_parameter_is_a_type_error():
    with pytest.raises(TypeError, match="beta_y"):
        gb.gabor_kernel(5, beta_x=0.1, f=1.0, phi=0.0)


@pytest.mark.parametrize("size, exc", [(0, ValueError), (-3, ValueError), (2.5, TypeError),
                                       ((3, 0), ValueError), ((1, 2, 3), ValueError),
                                       (True, TypeError)])
def test_bad_size(size, exc):
    with pytest.raises(exc, match="size"):
        gb.gabor_kernel(size, **GOOD)
    with pytest.raises(exc, match="size"):
        gb.quadrature_pair(size, beta_x=0.1, beta_y=0.1, f=1.0)


def test_bad_coordinates_and_grating():
    with pytest.raises(ValueError, match="x and y"):
        gb.gabor(np.zeros(3), np.zeros(4), **GOOD)
    with pytest.raises(TypeError, match="x must"):
        gb.gabor(["a"], 0.0, **GOOD)
    with pytest.raises(ValueError, match="y must"):
        gb.gabor(0.0, np.nan, **GOOD)
    with pytest.raises(ValueError, match="f must"):
        gb.grating(5, f=-1.0)
    with pytest.raises(ValueError, match="contrast"):
        gb.grating(5, f=1.0, contrast=np.inf)


def test_bad_bank():
    with pytest.raises(ValueError, match="taus"):
        gb.gabor_bank(5, [], [1.0], beta_x=0.1, beta_y=0.1, phi=0.0)
    with pytest.raises(ValueError, match="fs"):
        gb.gabor_bank(5, [0.0], [[1.0]], beta_x=0.1, beta_y=0.1, phi=0.0)
    with pytest.raises(TypeError, match="tau"):
        gb.gabor_bank(5, [0.0], [1.0], beta_x=0.1, beta_y=0.1, phi=0.0, tau=1.0)


def test_bad_cells():
    w = np.ones((3, 3))
    with pytest.raises(ValueError, match=r"image must have shape \(rows, cols\)"):
        gb.simple_cell(np.ones(9), w)
    with pytest.raises(ValueError, match=r"image must have shape \(rows, cols\)"):
        gb.complex_cell(np.ones((1, 5, 5)), w, w)
    with pytest.raises(ValueError, match=r"w must have shape \(rows, cols\)"):
        gb.simple_cell(np.ones((5, 5)), np.ones(3))
    with pytest.raises(ValueError, match="image of shape"):
        gb.simple_cell(np.ones((2, 5)), w)
    with pytest.raises(ValueError, match="w0 and w1"):
        gb.complex_cell(np.ones((5, 5)), w, np.ones((3, 2)))
    with pytest.raises(ValueError, match="mode"):
        gb.simple_cell(np.ones((5, 5)), w, mode="full")
    with pytest.raises(TypeError, match="rectify"):
        gb.simple_cell(np.ones((5, 5)), w, rectify="yes")
    with pytest.raises(ValueError, match="image must be finite"):
        gb.simple_cell(np.full((5, 5), np.nan), w)
    with pytest.raises(TypeError, match="w1"):
        gb.complex_cell(np.ones((5, 5)), w, np.full((3, 3), "a"))


def test_bad_fit_input():
    with pytest.raises(ValueError, match=r"w must have shape \(rows, cols\)"):
        gb.fit_gabor(np.ones(5))
    with pytest.raises(ValueError, match="zero everywhere"):
        gb.fit_gabor(np.zeros((5, 5)))
    with pytest.raises(ValueError, match="w must be finite"):
        gb.fit_gabor(np.full((5, 5), np.inf))
    with pytest.raises(ValueError, match="n_phases"):
        gb.fit_gabor(np.ones((5, 5)), n_phases=0)
    with pytest.raises(TypeError, match="max_iter"):
        gb.fit_gabor(np.ones((5, 5)), max_iter=2.0)
