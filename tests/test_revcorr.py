"""Tests of cnnbook.revcorr.

References: explicit loops over the stimuli for the spike-triggered average and covariance; the
Gabor equation written out (``gabor_cases``) for the model cell's weights; and closed forms for
Gaussian white noise: for :math:`s = w \\cdot x` with :math:`x \\sim N(0, \\sigma^2 I)`,
:math:`E[\\max(0, s)] = \\sigma \\lVert w \\rVert / \\sqrt{2\\pi}` and, by Stein's lemma,
:math:`E[\\max(0, s)\\, x] = \\sigma^2 w / 2`, so the STA of a rectified linear cell tends to
:math:`\\sigma \\sqrt{\\pi/2}\\; w / \\lVert w \\rVert`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gabor_cases import kernel_loop

from cnnbook import revcorr

W = kernel_loop(6, alpha=1.0, beta_x=0.15, beta_y=0.1, f=1.1, phi=0.3, tau=0.5)


def sta_loop(x, r):
    total = np.zeros(x.shape[1:])
    for xk, rk in zip(x, r):
        total += rk * xk
    return total / sum(r)


def stc_loop(x, r):
    a = sta_loop(x, r).ravel()
    d = a.size
    out = np.zeros((d, d))
    for xk, rk in zip(x, r):
        v = xk.ravel() - a
        for i in range(d):
            for j in range(d):
                out[i, j] += rk * v[i] * v[j]
    return out / sum(r)


def test_white_noise_statistics_and_seeding():
    x = revcorr.white_noise(40000, (3, 4), seed=5, contrast=2.0)
    assert x.shape == (40000, 3, 4)
    flat = x.reshape(len(x), -1)
    # mean 0, standard deviation 2, independent pixels: within a few standard errors
    assert np.abs(flat.mean(axis=0)).max() < 5 * 2.0 / math.sqrt(40000)
    np.testing.assert_allclose(flat.std(axis=0), 2.0, rtol=0.02)
    corr = np.corrcoef(flat.T)
    assert np.abs(corr - np.eye(12)).max() < 5 / math.sqrt(40000)
    np.testing.assert_array_equal(
        revcorr.white_noise(10, 3, seed=5), revcorr.white_noise(10, 3, seed=5)
    )
    assert not np.array_equal(
        revcorr.white_noise(10, 3, seed=5), revcorr.white_noise(10, 3, seed=6)
    )


def test_poisson_responses_have_the_model_rate():
    x = revcorr.white_noise(5, 6, seed=1)
    rate = np.array(
        [2.5 * max(sum(W[i, j] * xk[i, j] for i in range(6) for j in range(6)), 0.0) for xk in x]
    )
    draws = np.array([revcorr.ln_poisson_responses(x, W, gain=2.5, seed=s) for s in range(4000)])
    assert np.all(draws == np.round(draws)) and draws.min() >= 0
    # mean and variance of a Poisson count equal its rate
    np.testing.assert_allclose(
        draws.mean(axis=0), rate, atol=5 * np.sqrt(rate.max() / 4000) + 1e-12
    )
    np.testing.assert_allclose(draws.var(axis=0), rate, rtol=0.15, atol=1e-12)


def test_mean_count_over_white_noise_matches_the_closed_form():
    sigma, gain = 1.5, 3.0
    x = revcorr.white_noise(50000, 6, seed=2, contrast=sigma)
    r = revcorr.ln_poisson_responses(x, W, gain=gain, seed=3)
    want = gain * sigma * np.linalg.norm(W) / math.sqrt(2 * math.pi)
    assert r.mean() == pytest.approx(want, rel=0.03)


def test_sta_matches_a_loop():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((50, 3, 5))
    r = rng.poisson(2.0, 50).astype(float)
    np.testing.assert_allclose(
        revcorr.spike_triggered_average(x, r), sta_loop(x, r), rtol=1e-12, atol=1e-14
    )


def test_sta_recovers_the_receptive_field():
    sigma = 0.8
    x = revcorr.white_noise(60000, 6, seed=7, contrast=sigma)
    r = revcorr.ln_poisson_responses(x, W, gain=2.0, seed=8)
    sta = revcorr.spike_triggered_average(x, r)
    want = sigma * math.sqrt(math.pi / 2) * W / np.linalg.norm(W)
    # the error of an average of ~1e5 spikes: a few per cent of the norm
    assert np.linalg.norm(sta - want) < 0.05 * np.linalg.norm(want)


def test_stc_matches_a_loop():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((40, 2, 3))
    r = rng.poisson(1.5, 40).astype(float)
    np.testing.assert_allclose(
        revcorr.spike_triggered_covariance(x, r), stc_loop(x, r), rtol=1e-12, atol=1e-13
    )


def test_stc_of_an_energy_cell_spans_its_quadrature_pair():
    w0 = kernel_loop(6, beta_x=0.12, beta_y=0.12, f=1.2, phi=0.0, tau=0.4)
    w1 = kernel_loop(6, beta_x=0.12, beta_y=0.12, f=1.2, phi=math.pi / 2, tau=0.4)
    x = revcorr.white_noise(60000, 6, seed=10)
    s0, s1 = np.tensordot(x, w0, axes=2), np.tensordot(x, w1, axes=2)
    r = np.random.default_rng(11).poisson(0.5 * (s0**2 + s1**2)).astype(float)
    assert np.linalg.norm(revcorr.spike_triggered_average(x, r)) < 0.1  # the STA sees nothing
    values, vectors = np.linalg.eigh(revcorr.spike_triggered_covariance(x, r))
    top = vectors[:, -2:]  # the two largest eigenvalues
    # theory: 1 (the stimulus variance) off the pair, (3a² + b²) / (a² + b²) ≈ 2 along it
    assert values[-2] > 1.5 * values[-3] and abs(values[0] - 1) < 0.1
    for w in (w0, w1):  # each filter lies in their span
        u = w.ravel() / np.linalg.norm(w)
        assert np.linalg.norm(top.T @ u) > 0.98


@pytest.mark.parametrize(
    "call, exc, message",
    [
        (lambda: revcorr.white_noise(0, 4, seed=0), ValueError, "n must be >= 1"),
        (lambda: revcorr.white_noise(2, 4, seed=-1), ValueError, "seed must be >= 0"),
        (lambda: revcorr.white_noise(2, 4, seed=1.5), TypeError, "seed must be an integer"),
        (lambda: revcorr.white_noise(2, 4, seed=0, contrast=0), ValueError, "contrast must be > 0"),
        (lambda: revcorr.white_noise(10**6, 64, seed=0), ValueError, "n = 1000000 images"),
        (
            lambda: revcorr.ln_poisson_responses(
                np.ones((2, 3, 3)), np.ones((2, 2)), gain=1.0, seed=0
            ),
            ValueError,
            "w of shape",
        ),
        (
            lambda: revcorr.ln_poisson_responses(
                np.ones((2, 3, 3)), np.ones((3, 3)), gain=-1.0, seed=0
            ),
            ValueError,
            "gain must be > 0",
        ),
        (
            lambda: revcorr.ln_poisson_responses(
                np.ones((3, 3)), np.ones((3, 3)), gain=1.0, seed=0
            ),
            ValueError,
            "stimuli must have shape",
        ),
        (
            lambda: revcorr.spike_triggered_average(np.ones((2, 3, 3)), [1.0]),
            ValueError,
            "one count per stimulus",
        ),
        (
            lambda: revcorr.spike_triggered_average(np.ones((2, 3, 3)), [1.0, -1.0]),
            ValueError,
            "responses must be non-negative",
        ),
        (
            lambda: revcorr.spike_triggered_average(np.ones((2, 3, 3)), [0, 0]),
            ValueError,
            "responses are all zero",
        ),
        (
            lambda: revcorr.spike_triggered_average(np.ones((2, 3, 3)) * 1j, [1, 1]),
            TypeError,
            "stimuli must be real",
        ),
        (
            lambda: revcorr.spike_triggered_average(np.ones((2, 3, 3)), [1j, 1]),
            TypeError,
            "responses must be real",
        ),
        (
            lambda: revcorr.spike_triggered_covariance(np.ones((2, 65, 65)), [1, 1]),
            ValueError,
            "the limit is 4096 pixels",
        ),
    ],
)
def test_bad_input(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
