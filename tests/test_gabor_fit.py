"""Tests of cnnbook.gabor_fit.

References: the Gabor equation as a scalar loop (``gabor_cases``) for the model and for kernels with
known parameters; central finite differences for the analytic Jacobian; the known parameters
themselves (in the canonical form written out independently in ``gabor_cases``). The fit through
``scipy.optimize.least_squares`` replaced a hand-written Levenberg–Marquardt; these are the tests
the old fit passed, unchanged in their tolerances, plus the scale-invariance and bad-input cases.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gabor_cases import canonical_truth, gabor_loop, kernel_loop, random_params

from cnnbook import gabor_fit as gf
from cnnbook.gabor import PARAM_NAMES
from cnnbook.stimuli import centred_grid


def test_jacobian_matches_finite_differences():
    # theta = (alpha, log beta_x, log beta_y, f, phi, x0, y0, tau), the fitting parameters
    x, y = centred_grid(6)
    theta = np.array([1.3, math.log(0.2), math.log(0.1), 1.1, 0.4, 0.3, -0.2, 0.7])
    _, jac = gf._model_and_jacobian(theta, x, y)

    def model(t: np.ndarray) -> np.ndarray:
        return np.array(
            [gabor_loop(float(a), float(b), *_unpack(t)) for a, b in zip(x.ravel(), y.ravel())]
        )

    h = 1e-6
    for k in range(8):
        e = np.zeros(8)
        e[k] = h
        np.testing.assert_allclose(
            jac[:, k], (model(theta + e) - model(theta - e)) / (2 * h), rtol=1e-6, atol=1e-8
        )


def _unpack(theta: np.ndarray) -> tuple[float, ...]:
    alpha, lbx, lby, f, phi, x0, y0, tau = (float(v) for v in theta)
    return alpha, math.exp(lbx), math.exp(lby), f, phi, x0, y0, tau


@pytest.mark.parametrize("seed", range(6))
def test_fit_recovers_known_parameters_from_a_noiseless_kernel(seed):
    p = random_params(np.random.default_rng(seed))
    w = kernel_loop(11, **p)
    fit = gf.fit_gabor(w)
    assert fit.residual < 1e-9
    np.testing.assert_allclose(fit.kernel, w, atol=1e-9)
    np.testing.assert_allclose(fit.kernel, kernel_loop(11, **fit.params), atol=1e-12)
    truth = canonical_truth(p)
    for name in PARAM_NAMES:
        assert fit.params[name] == pytest.approx(truth[name], abs=1e-6), name


@pytest.mark.parametrize("seed", range(4))
def test_fit_small_kernels_noiseless(seed):
    # a 5x5 first-layer CNN filter: the parameters need not be unique, the kernel must match
    rng = np.random.default_rng(100 + seed)
    p = random_params(rng)
    w = kernel_loop(5, **p)
    fit = gf.fit_gabor(w)
    assert fit.residual < 1e-6
    np.testing.assert_allclose(kernel_loop(5, **fit.params), w, atol=1e-5)


def test_fit_a_gaussian_blob():
    w = kernel_loop(7, beta_x=0.1, beta_y=0.3, f=0.0, phi=0.0, tau=0.3)
    fit = gf.fit_gabor(w)
    assert fit.residual < 1e-8


@pytest.mark.parametrize("seed", range(4))
def test_fit_from_a_noisy_kernel(seed):
    rng = np.random.default_rng(200 + seed)
    p = random_params(rng)
    clean = kernel_loop(11, **p)
    noise = 0.05 * np.abs(clean).max() * rng.standard_normal(clean.shape)
    fit = gf.fit_gabor(clean + noise)
    # the fit explains the data up to the noise, and removes most of it
    assert fit.residual == pytest.approx(
        np.linalg.norm(noise) / np.linalg.norm(clean + noise), rel=0.2
    )
    assert np.linalg.norm(fit.kernel - clean) < 0.5 * np.linalg.norm(noise)
    truth = canonical_truth(p)
    assert fit.params["f"] == pytest.approx(truth["f"], abs=0.1)
    assert math.remainder(fit.params["tau"] - truth["tau"], math.pi) == pytest.approx(0, abs=0.1)
    assert fit.params["alpha"] == pytest.approx(truth["alpha"], rel=0.15)


def test_bad_fit_input():
    with pytest.raises(ValueError, match=r"w must have shape \(rows, cols\)"):
        gf.fit_gabor(np.ones(5))
    with pytest.raises(ValueError, match="zero everywhere"):
        gf.fit_gabor(np.zeros((5, 5)))
    with pytest.raises(ValueError, match="w must be finite"):
        gf.fit_gabor(np.full((5, 5), np.inf))
    with pytest.raises(ValueError, match="n_phases"):
        gf.fit_gabor(np.ones((5, 5)), n_phases=0)
    with pytest.raises(TypeError, match="max_iter"):
        gf.fit_gabor(np.ones((5, 5)), max_iter=2.0)
    with pytest.raises(ValueError, match="n_fft"):
        gf.fit_gabor(np.ones((5, 5)), n_fft=10**5)
    with pytest.raises(TypeError, match="n_fft"):
        gf.fit_gabor(np.ones((5, 5)), n_fft=True)
    with pytest.raises(ValueError, match="tol must be >="):
        gf.fit_gabor(np.ones((5, 5)), tol=0.0)
    with pytest.raises(ValueError, match="tol must be < 1"):
        gf.fit_gabor(np.ones((5, 5)), tol=1.0)
    with pytest.raises(TypeError, match="^w must be real"):
        gf.fit_gabor(np.ones((5, 5)) * (1 + 1j))
    with pytest.raises(TypeError, match="^w must be a real numeric array"):
        gf.fit_gabor(np.full((5, 5), "a"))


def test_a_fit_whose_scale_overflows_is_refused_clearly():
    # the largest value sits between two pixels of a narrow blob: alpha > max|w| = 1.5e308
    w = kernel_loop(6, alpha=1.0, beta_x=2.0, beta_y=2.0, f=0.0, phi=0.0) / 0.4 * 1.5e308
    with pytest.raises(ValueError, match="w is too large to fit"):
        gf.fit_gabor(w)


@pytest.mark.parametrize("scale", [1e-200, 1e-300, 1e200, 1e300])
def test_fit_is_scale_invariant(scale):
    p = random_params(np.random.default_rng(11))
    w = kernel_loop(9, **p)
    fit = gf.fit_gabor(w * scale)
    assert fit.residual < 1e-9
    truth = canonical_truth(p)
    assert fit.params["alpha"] / scale == pytest.approx(truth["alpha"], rel=1e-6)
    for name in PARAM_NAMES[1:]:
        assert fit.params[name] == pytest.approx(truth[name], abs=1e-6), name
    np.testing.assert_allclose(fit.kernel / scale, w, atol=1e-9)


def test_fit_of_noise_is_the_same_at_every_scale():
    w = np.random.default_rng(12).standard_normal((5, 5))
    base = gf.fit_gabor(w)
    for scale in (1e-250, 1e250):
        fit = gf.fit_gabor(w * scale)
        assert fit.residual == pytest.approx(base.residual, rel=1e-9)
        assert fit.params["alpha"] / scale == pytest.approx(base.params["alpha"], rel=1e-9)


def test_fit_result_fields():
    w = kernel_loop(7, beta_x=0.2, beta_y=0.1, f=1.0, phi=0.5, tau=0.4)
    fit = gf.fit_gabor(w, max_iter=5)
    assert isinstance(fit, gf.GaborFit) and set(fit.params) == set(PARAM_NAMES)
    assert 1 <= fit.iterations <= 5
    assert fit.kernel.shape == (7, 7) and fit.kernel.dtype == np.float64
    # the residual is what it says, whatever the number of evaluations allowed
    assert fit.residual == pytest.approx(np.linalg.norm(fit.kernel - w) / np.linalg.norm(w))
