"""Chapter ``cogsci/01-visual-cortex``: the values it glues into its prose.

The values that "The primary visual cortex as a convolutional layer" glues into its prose (myst-nb
``glue``) are read back from the executed notebook of a built book (:func:`bookutils.glued` and its
readers) and recomputed with the Gabor equation and the stimuli written out in NumPy
(``bookutils.gabor_np`` and friends), ``scipy.signal.correlate2d`` for the sliding cells and
``scipy.ndimage.maximum_filter`` for max pooling. Build first (``make html``, or a partial build
with ``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import numpy as np
import pytest
from bookutils import CELL, bar, gabor_np, grating_np, value
from scipy.ndimage import maximum_filter
from scipy.signal import correlate2d

pytestmark = pytest.mark.book


PAGE1 = "cogsci/01-visual-cortex"


def test_equivariance_is_exact():
    assert value(PAGE1, "v1_equivariance_error") < 1e-12


def test_orientation_tuning_curve():
    w = gabor_np(11, tau=0.0, **CELL)
    taus = np.radians(np.linspace(-90, 90, 73))
    phases = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    tuning = np.array(
        [
            np.mean([max(float(np.sum(w * grating_np(11, CELL["f"], t, p))), 0.0) for p in phases])
            for t in taus
        ]
    )
    above = np.degrees(taus[tuning >= tuning.max() / 2])
    assert value(PAGE1, "v1_tuning_peak") == pytest.approx(0.0, abs=1e-9)
    assert value(PAGE1, "v1_tuning_halfwidth") == pytest.approx((above.max() - above.min()) / 2)


def test_bar_and_edge_responses():
    w = gabor_np(11, tau=0.0, **CELL)
    vertical = bar(11, np.pi / 2, 5, 5)
    horizontal = bar(11, 0.0, 5, 5)
    assert value(PAGE1, "v1_bar_best") == pytest.approx(max(float(np.sum(w * vertical)), 0))
    assert value(PAGE1, "v1_bar_worst") == pytest.approx(
        max(float(np.sum(w * horizontal)), 0), abs=1e-12
    )
    w_odd = gabor_np(11, tau=0.0, **{**CELL, "phi": -np.pi / 2})
    x = np.arange(11) - 5
    light_right = np.broadcast_to((x > 0).astype(float), (11, 11))
    assert value(PAGE1, "v1_edge_best") == pytest.approx(float(np.sum(w_odd * light_right)))
    assert value(PAGE1, "v1_edge_best") > 0
    assert value(PAGE1, "v1_edge_flipped") == 0.0


def test_shift_invariance_with_max_pooling():
    w = gabor_np(11, tau=0.0, **CELL)

    def detector(d):
        return np.maximum(correlate2d(bar(32, np.pi / 2, 15 + d, 15.5), w, mode="same"), 0)

    r0 = detector(0)
    i, j = np.unravel_index(np.argmax(r0), r0.shape)
    p0 = maximum_filter(r0, size=5, mode="constant", cval=0.0)
    for d, name in [(1, "one"), (2, "two"), (3, "three")]:
        r = detector(d)
        p = maximum_filter(r, size=5, mode="constant", cval=0.0)
        assert value(PAGE1, f"v1_unit_detector_{name}") == pytest.approx(
            r[i, j] / r0[i, j], abs=1e-12
        )
        assert value(PAGE1, f"v1_unit_pooled_{name}") == pytest.approx(p[i, j] / p0[i, j])
    assert value(PAGE1, "v1_unit_pooled_two") == pytest.approx(1.0)
    assert value(PAGE1, "v1_unit_detector_two") < 0.1


def test_tuning_widens_with_a_shorter_envelope():
    w = gabor_np(11, tau=0.0, **{**CELL, "beta_y": 0.15})
    taus = np.radians(np.linspace(-90, 90, 73))
    phases = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    tuning = np.array(
        [
            np.mean([max(float(np.sum(w * grating_np(11, CELL["f"], t, p))), 0.0) for p in phases])
            for t in taus
        ]
    )
    above = np.degrees(taus[tuning >= tuning.max() / 2])
    short = value(PAGE1, "v1_tuning_halfwidth_short")
    assert short == pytest.approx((above.max() - above.min()) / 2)
    assert short > value(PAGE1, "v1_tuning_halfwidth")


def test_pooling_numbers_are_the_figure_parameters():
    assert value(PAGE1, "v1_pool_n") == 32 and value(PAGE1, "v1_pool_k") == 5
    assert value(PAGE1, "v1_pool_half") == 2 and value(PAGE1, "v1_pool_half_next") == 3


def test_uniform_light_exercise():
    w = gabor_np(11, tau=0.0, **CELL)
    assert value(PAGE1, "v1_ex3_sum") == pytest.approx(float(w.sum()))
    assert value(PAGE1, "v1_ex3_sum") < 0 and value(PAGE1, "v1_ex3_rectified") == 0.0
    # the integral of the untruncated function, by a fine Riemann sum on a wide square
    t = np.arange(-60, 60.0001, 0.05)
    gx = np.exp(-CELL["beta_x"] * t**2) * np.cos(CELL["f"] * t)
    gy = np.exp(-CELL["beta_y"] * t**2)
    integral = float(gx.sum() * gy.sum() * 0.05**2)
    assert value(PAGE1, "v1_ex3_closed_form") == pytest.approx(integral, rel=1e-6)
    assert value(PAGE1, "v1_ex3_wide_sum") == pytest.approx(integral, rel=1e-3)
    balanced = w - w.mean()
    assert value(PAGE1, "v1_ex3_balanced_bar") == pytest.approx(
        max(float(np.sum(balanced * bar(11, np.pi / 2, 5, 5))), 0.0)
    )


def test_whole_map_change():
    w = gabor_np(11, tau=0.0, **CELL)
    rng = np.random.default_rng(0)
    texture = sum(
        bar(
            64,
            rng.uniform(0, np.pi),
            length=rng.uniform(5, 15),
            cx=rng.uniform(5, 58),
            cy=rng.uniform(5, 58),
        )
        for _ in range(40)
    )
    texture = np.minimum(texture, 1.0)
    r0 = np.maximum(correlate2d(texture, w, mode="same"), 0)
    r1 = np.maximum(correlate2d(np.roll(texture, 1, axis=1), w, mode="same"), 0)
    p0 = maximum_filter(r0, size=5, mode="constant", cval=0.0)
    p1 = maximum_filter(r1, size=5, mode="constant", cval=0.0)
    inner = (slice(8, -8), slice(8, -8))
    want_d = np.linalg.norm((r1 - r0)[inner]) / np.linalg.norm(r0[inner])
    want_p = np.linalg.norm((p1 - p0)[inner]) / np.linalg.norm(p0[inner])
    assert value(PAGE1, "v1_map_change_detector") == pytest.approx(want_d)
    assert value(PAGE1, "v1_map_change_pooled") == pytest.approx(want_p)
    assert want_p < want_d
    # stride 1: pooling commutes with the shift; stride 2 (every other pooled unit) does not
    assert value(PAGE1, "v1_pool_equivariance_stride1") < 1e-12  # exact up to rounding
    assert np.abs(p1 - np.roll(p0, 1, axis=1))[inner].max() == 0.0
    q0, q1 = p0[::2, ::2], p1[::2, ::2]
    inner_q = (slice(4, -4), slice(4, -4))
    best = min(
        np.linalg.norm((q1 - np.roll(q0, t, axis=1))[inner_q]) / np.linalg.norm(q0[inner_q])
        for t in (-1, 0, 1)
    )
    assert value(PAGE1, "v1_pool_equivariance_stride2") == pytest.approx(best)
    assert best > 0.1
