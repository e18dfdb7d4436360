"""The numbers glued by issue 15's Part I sections are right.

Sections: "Convolution in differential equations" (part1/01), "Toeplitz or circulant?" (part1/04),
"Weak and strong priors" and "Seen from below and from above" (part1/06). Each value is read back
from the executed notebook (:func:`bookutils.glued`) and recomputed independently: a geometric
series, SciPy's ODE solver, ``scipy.linalg.circulant``/``toeplitz``, ``scipy.signal.correlate`` and
``scipy.linalg.lstsq``, or a brute-force count. Build first (``make html``, or a partial build with
``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest
from bookutils import glued
from scipy import integrate, linalg, signal

from cnnbook.signals import skeleton_angles

pytestmark = pytest.mark.book

ROUNDING = 1e-12  # float64 rounding error of the small examples


def values(page: str) -> dict:
    """The page's glued values, parsed back into Python numbers (or the strings they quote)."""
    return {name: ast.literal_eval(text) for name, text in glued(page).items()}


# --- part1/01: convolution in differential equations -------------------------------------------

LAM = 4.0


def rectangle_step_error(dt: float, t_end: float = 2.0) -> float:
    """max |rectangle-rule response to a unit step - (1 - exp(-lam t))|, by the geometric series."""
    m = np.arange(round(t_end / dt) + 1)
    r = math.exp(-LAM * dt)
    riemann = LAM * dt * (1 - r ** (m + 1)) / (1 - r)  # dt * sum_{j=0}^{m} lam r^j
    return float(np.abs(riemann - (1 - np.exp(-LAM * m * dt))).max())


def test_step_response_error_is_first_order():
    g = values("part1/01-before-deep-learning")
    assert g["ode_lam"] == LAM
    coarse, fine = rectangle_step_error(0.01), rectangle_step_error(0.001)
    assert g["ode_step_err_coarse"] == pytest.approx(coarse, rel=1e-9)
    assert g["ode_step_err_fine"] == pytest.approx(fine, rel=1e-9)
    assert g["ode_step_order"] == pytest.approx(math.log10(coarse / fine), rel=1e-9)
    assert g["ode_step_order"] == pytest.approx(1.0, abs=0.05)
    assert coarse == pytest.approx(LAM * 0.01, rel=0.01)  # the error is lam * dt, as the page says


def test_noisy_response_matches_an_independent_ode_solution():
    g = values("part1/01-before-deep-learning")
    t, angles = skeleton_angles(duration=4.0, frame_rate=100, seed=0)
    x = angles[0]
    dt = t[1] - t[0]
    # independent solver (LSODA through odeint) on the same linearly interpolated input
    s_ode = integrate.odeint(
        lambda s, tt: LAM * (np.interp(tt, t, x) - s),
        0.0,
        t,
        rtol=1e-11,
        atol=1e-11,
        hmax=dt,
        tfirst=False,
    )[:, 0]
    h = LAM * np.exp(-LAM * t)
    s_rect = dt * np.convolve(x, h)[: x.size]
    s_trap = s_rect - 0.5 * dt * (x[0] * h + x * h[0])
    assert g["ode_hip_dt"] == pytest.approx(0.01)
    assert g["ode_hip_max"] == pytest.approx(np.abs(x).max())
    assert g["ode_hip_bound"] == pytest.approx(LAM * dt * np.abs(x).max())
    assert g["ode_hip_err_rect"] == pytest.approx(np.abs(s_rect - s_ode).max(), rel=1e-5)
    assert g["ode_hip_err_trap"] == pytest.approx(np.abs(s_trap - s_ode).max(), rel=1e-3)
    assert g["ode_hip_err_rect"] < g["ode_hip_bound"]
    assert g["ode_hip_err_trap"] < 0.05 * g["ode_hip_err_rect"]


# --- part1/04: Toeplitz or circulant? -------------------------------------------------------------


def test_circulant_and_toeplitz_match_their_operations():
    g = values("part1/04-operation")
    for key in [
        "tc_circ_err_1d",
        "tc_toep_err_1d",
        "tc_fft_lin_err",
        "tc_circ_err_2d",
        "tc_toep_err_2d",
    ]:
        assert 0 <= g[key] < ROUNDING, key
    rng = np.random.default_rng(15)  # the page's seed and order of draws
    x = rng.standard_normal(8)
    w = np.array([1.0, 2.0, 3.0])
    w_pad = np.r_[w, np.zeros(5)]
    C = linalg.circulant(w_pad)
    T = linalg.toeplitz(w_pad, np.zeros(8))
    assert np.allclose(C @ x, signal.convolve(np.r_[x, x], w)[8:16])  # circular = periodic input
    assert g["tc_gap_1d"] == pytest.approx(np.abs((C - T) @ x).max(), rel=1e-12)


def test_2d_matrices_differ_exactly_in_wrapped_entries():
    g = values("part1/04-operation")
    (h, wd), (kh, kw) = (4, 5), (2, 2)
    pairs = [
        (ti, tj, ai, aj)
        for ti in range(h)
        for tj in range(wd)
        for ai in range(h)
        for aj in range(wd)
    ]
    circulant_nz = [p for p in pairs if (p[0] - p[2]) % h < kh and (p[1] - p[3]) % wd < kw]
    toeplitz_nz = [p for p in pairs if 0 <= p[0] - p[2] < kh and 0 <= p[1] - p[3] < kw]
    wrapped = [p for p in circulant_nz if p[0] < p[2] or p[1] < p[3]]
    assert g["tc_n_entries_2d"] == (h * wd) ** 2
    assert g["tc_n_nonzero_C2"] == len(circulant_nz) == h * wd * kh * kw
    assert g["tc_n_nonzero_T2"] == len(toeplitz_nz)
    assert g["tc_n_differ_2d"] == len(wrapped) == len(circulant_nz) - len(toeplitz_nz)


# --- part1/06: weak and strong priors; seen from below and from above -----------------------------

PAGE6 = "part1/06-why-convolution-works"


def test_prior_entropies():
    g = values(PAGE6)
    assert ast.literal_eval(g["prior_sigmas"]) == (10.0, 1.0, 0.1)
    for key, sd in [
        ("prior_entropy_wide", 10.0),
        ("prior_entropy_unit", 1.0),
        ("prior_entropy_narrow", 0.1),
    ]:
        assert g[key] == pytest.approx(0.5 * math.log(2 * math.pi * math.e * sd**2), rel=1e-12)


def test_underfitting_of_the_wrong_prior():
    g = values(PAGE6)
    n, n_samples, k, lag = 32, 200, 3, 8
    rng = np.random.default_rng(9)  # the page's seed and order of draws
    x = rng.standard_normal((n_samples, n))
    target = np.zeros_like(x)
    target[:, : n - lag] = x[:, lag:]
    taps = np.eye(k)
    A = np.stack([[signal.correlate(xi, e, mode="same") for e in taps] for xi in x])
    A = A.transpose(0, 2, 1).reshape(-1, k)
    coef, *_ = linalg.lstsq(A, target.ravel())
    err_conv = np.sum((A @ coef - target.ravel()) ** 2) / np.sum(target**2)
    assert g["prior_lr_conv"] == pytest.approx(err_conv, rel=1e-8)
    assert g["prior_lr_conv"] > 0.95 and g["prior_lr_dense"] < 1e-20
    assert g["prior_lr_params_conv"] == k and g["prior_lr_params_dense"] == n * n

    where = rng.integers(0, n, n_samples)
    xb = 0.05 * rng.standard_normal((n_samples, n))
    xb[np.arange(n_samples), where] += 1.0
    y = np.where(where < n // 2, 1.0, -1.0)
    pooled = np.array([[signal.correlate(xi, e, mode="valid").mean() for e in taps] for xi in xb])
    results = {}
    for name, design in [
        ("conv", np.column_stack([pooled, np.ones(n_samples)])),
        ("dense", np.column_stack([xb, np.ones(n_samples)])),
    ]:
        c, *_ = linalg.lstsq(design, y)
        results[name] = (
            np.mean((design @ c - y) ** 2) / np.var(y),
            np.mean(np.sign(design @ c) == y),
        )
    assert g["prior_abs_conv"] == pytest.approx(results["conv"][0], rel=1e-8)
    assert g["prior_abs_dense"] == pytest.approx(results["dense"][0], rel=1e-6)
    assert g["prior_abs_acc_conv"] == pytest.approx(results["conv"][1])
    assert g["prior_abs_acc_dense"] == pytest.approx(results["dense"][1]) == 1.0
    assert g["prior_abs_conv"] > 0.8 > 0.1 > g["prior_abs_dense"]


def test_seen_from_below_and_above_counts():
    g = values(PAGE6)
    n, half = 5, 1  # five units, kernel width 3, same padding
    reaches = [sum(abs(i - a) <= half for i in range(n)) for a in range(n)]
    assert g["below_units"] == n
    assert g["below_sparse"] == reaches[2] == 3
    assert g["above_sparse"] == sum(abs(2 - a) <= half for a in range(n)) == 3
    assert g["below_dense"] == g["above_dense"] == n
    assert g["below_edge"] == reaches[0] == 2
