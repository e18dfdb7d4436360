"""Chapter ``cogsci/04-complex-cells``: the values it glues into its prose.

The values that "Complex cells and quadrature pairs" glues into its prose (myst-nb ``glue``) are
read back from the executed notebook of a built book (:func:`bookutils.glued` and its readers) and
recomputed with the Gabor equation and the stimuli written out in NumPy (``bookutils.gabor_np`` and
friends), ``scipy.signal.correlate2d`` for the sliding cells and ``scipy.ndimage.maximum_filter``
for max pooling. Build first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing
at it).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from bookutils import gabor_np, grating_np, value
from scipy.ndimage import maximum_filter
from scipy.signal import correlate2d

pytestmark = pytest.mark.book


PAGE4 = "cogsci/04-complex-cells"


def test_phase_invariance_numbers():
    pair = {"beta_x": 0.02, "beta_y": 0.02, "f": 2 * np.pi / 8, "tau": np.pi / 6}
    w0 = gabor_np(41, phi=0.0, **pair)
    w1 = gabor_np(41, phi=np.pi / 2, **pair)
    psis = np.linspace(0, 2 * np.pi, 73)
    s0 = np.array([np.sum(w0 * grating_np(41, pair["f"], pair["tau"], p)) for p in psis])
    s1 = np.array([np.sum(w1 * grating_np(41, pair["f"], pair["tau"], p)) for p in psis])
    c = np.sqrt(s0**2 + s1**2)
    assert value(PAGE4, "cc_simple_swing") == pytest.approx((s0.max() - s0.min()) / abs(s0).max())
    assert value(PAGE4, "cc_complex_swing") == pytest.approx(
        (c.max() - c.min()) / c.mean(), rel=1e-6, abs=1e-12
    )
    assert value(PAGE4, "cc_complex_swing") < 1e-3 and value(PAGE4, "cc_simple_swing") > 1.9


def test_contrast_inversion_numbers():
    assert value(PAGE4, "cc_inversion_complex") == 0.0
    assert value(PAGE4, "cc_inversion_simple") < 1e-12


def test_energy_map_is_smoother_than_the_simple_map():
    assert value(PAGE4, "cc_ripple_complex") < 0.1 * value(PAGE4, "cc_ripple_simple")


def test_pooling_over_positions_needs_a_period():
    n = 96
    y, x = np.mgrid[0:n, 0:n]
    texture = np.where(x < n // 2, np.cos(2 * np.pi * x / 8), np.cos(2 * np.pi * y / 8))
    pair = {"beta_x": 0.02, "beta_y": 0.02, "f": 2 * np.pi / 8, "tau": 0.0}
    s = correlate2d(texture, gabor_np(25, phi=0.0, **pair), mode="same")
    region = (slice(16, 80), slice(14, 34))

    def ripple(m):
        return m[region].std() / m[region].mean()

    rectified = np.maximum(s, 0)
    half = maximum_filter(rectified, size=(1, 4), mode="constant")
    full = maximum_filter(rectified, size=(1, 8), mode="constant")
    both = maximum_filter(np.abs(s), size=(1, 4), mode="constant")
    assert value(PAGE4, "cc_pool_ripple_half") == pytest.approx(ripple(half), rel=1e-6)
    assert value(PAGE4, "cc_pool_ripple_full") == pytest.approx(ripple(full), abs=1e-9)
    assert value(PAGE4, "cc_pool_ripple_both") == pytest.approx(ripple(both), abs=1e-9)
    assert ripple(half) > 0.3 and max(ripple(full), ripple(both)) < 0.01


def test_fit_numbers():
    assert value(PAGE4, "cc_fit_residual_clean") < 1e-6
    noise = value(PAGE4, "cc_fit_noise_level")
    assert value(PAGE4, "cc_fit_residual_noisy") < 1.1 * noise
    assert value(PAGE4, "cc_fit_clean_error") < noise
    assert value(PAGE4, "cc_fit_residual_random") > 3 * value(PAGE4, "cc_fit_residual_noisy")
    assert value(PAGE4, "cc_fit_f") == pytest.approx(value(PAGE4, "cc_true_f"), abs=0.2)
    assert value(PAGE4, "cc_fit_tau") == pytest.approx(value(PAGE4, "cc_true_tau"), abs=0.2)
    assert value(PAGE4, "cc_fit_residual_noisy") == pytest.approx(noise, rel=0.25)
    assert value(PAGE4, "cc_fit_entries") == 25 and value(PAGE4, "cc_fit_n_params") == 8


def test_sobel_and_shifted_pair_exercises():
    assert value(PAGE4, "cc_ex3_residual") < 0.05
    assert value(PAGE4, "cc_ex3_tau") == pytest.approx(np.pi / 2, abs=0.05)
    assert value(PAGE4, "cc_ex3_wavelength") == pytest.approx(2 * np.pi / value(PAGE4, "cc_ex3_f"))
    assert value(PAGE4, "cc_ex1_shift_phase") == pytest.approx(2 * np.pi / 8 * math.cos(np.pi / 6))
    pair = {"beta_x": 0.02, "beta_y": 0.02, "f": 2 * np.pi / 8, "tau": np.pi / 6}
    w0 = gabor_np(41, phi=0.0, **pair)
    shifted = np.roll(w0, 1, axis=1)
    psis = np.linspace(0, 2 * np.pi, 73)
    c = [
        math.hypot(np.sum(w0 * g), np.sum(shifted * g))
        for g in (grating_np(41, pair["f"], pair["tau"], p) for p in psis)
    ]
    assert value(PAGE4, "cc_ex1_ratio") == pytest.approx(max(c) / min(c))
