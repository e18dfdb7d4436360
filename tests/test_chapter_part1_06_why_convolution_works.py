"""Chapter ``part1/06-why-convolution-works``: glued values and the functions its cells define.

The values that "Why convolution works" glues into its prose (myst-nb ``glue``) are read back from
the executed notebook of a built book (:func:`bookutils.glued` and its readers) and compared with an
independent computation: the closed-form counts of Goodfellow et al. (2016, ch. 9), output-size
formulas written out here, SciPy, or tolerances that a correct computation must meet (rounding
errors of float64, finite differences) (tests marked ``book``). The sections "Weak and strong
priors" and "Seen from below and from above" are checked against ``scipy.linalg.lstsq`` and a brute-
force count. Build first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at
it).

The functions the page defines in its code cells are read from its source
(:func:`bookutils.chapter_function`: only the ``def``, run with the imports of the page's first code
cell; no build needed), so these tests check the code the reader sees, and compare it with
independent references: brute-force loops written here, SciPy, PyTorch's autograd (when installed)
and ``cnnbook``.
"""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest
from bookutils import ROUNDING, chapter_function, values
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg, signal

from cnnbook.conv import conv_matrix


@pytest.mark.book
def test_edge_detection_counts_of_goodfellow():
    g = values("part1/06-why-convolution-works")
    h, w = 280, 320
    assert (g["why_ed_out_rows"], g["why_ed_out_cols"]) == (280, 319)
    assert g["why_ed_kernel_entries"] == 2
    assert g["why_ed_dense_entries"] == 8_003_072_000 == w * h * (w - 1) * h
    assert g["why_ed_conv_flops"] == 267_960 == (w - 1) * h * 3
    assert g["why_ed_sparse_entries"] == 178_640 == 2 * (w - 1) * h
    assert g["why_ed_dense_flops"] == (w - 1) * h * (2 * w * h - 1)
    assert g["why_ed_flop_ratio"] == pytest.approx(g["why_ed_dense_flops"] / 267_960)
    assert g["why_ed_dense_gb"] == pytest.approx(8_003_072_000 * 8 / 1e9)


@pytest.mark.book
def test_sparse_interactions_and_sharing_counts():
    g = values("part1/06-why-convolution-works")
    assert g["why_dense_cost"] == 1000 * 1000 == g["why_params_dense"]
    assert g["why_sparse_cost"] == 3 * 1000
    assert g["why_params_conv"] == 3
    assert g["why_img_dense"] == (3 * 32 * 32) * (16 * 30 * 30)
    assert g["why_img_conv"] == 16 * 3 * 3 * 3
    assert g["why_ex_dense_224"] == (3 * 224 * 224) * (64 * 224 * 224)
    assert g["why_ex_conv_224"] == 64 * 3 * 3 * 3
    assert (g["why_ex_horizontal_rows"], g["why_ex_horizontal_cols"]) == (279, 320)


@pytest.mark.book
def test_equivariance_and_prior():
    g = values("part1/06-why-convolution-works")
    assert g["why_equiv_err"] < ROUNDING
    assert g["why_global_max_gap"] < ROUNDING
    assert g["why_invariance_gap"] > 0.5  # the map moves: not invariant
    assert g["why_prior_err"] < ROUNDING
    assert g["why_prior_matrix_err"] == 0
    assert g["why_prior_err_2d"] < ROUNDING
    assert (g["why_prior_free"], g["why_prior_entries"]) == (3, (12 - 3 + 1) * 12)
    assert (g["why_prior_free_2d"], g["why_prior_W_img_size"]) == (9, (7 * 8) * (9 * 10))


@pytest.mark.book
def test_dense_matrix_timing():
    g = values("part1/06-why-convolution-works")
    assert (g["why_small_M_rows"], g["why_small_M_cols"]) == (40 * 47, 40 * 48)
    assert g["why_small_same"] < ROUNDING
    assert g["why_small_M_mb"] == pytest.approx(40 * 47 * 40 * 48 * 8 / 1e6)
    assert g["why_t_ratio"] == pytest.approx(g["why_t_dense_ms"] / g["why_t_conv_ms"], rel=1e-6)
    assert g["why_t_ratio"] > 1  # the dense product is the slower one
    assert g["why_tiny_shape"] == "20 × 24"
    assert 0 < g["why_t_ratio_tiny"] < g["why_t_ratio"]  # the ratio grows with the image
    # exercise 2: the step edge and its scaled copy, recomputed here with NumPy
    x = np.array([0, 0, 1, 1, 0, 0, 0, 0])
    s = np.correlate(x, [-1, 1], "valid")
    assert g["why_ex2_s"] == str(s.tolist())
    assert g["why_ex2_scaled"] == str(np.correlate(np.repeat(x, 2), [-1, 1], "valid").tolist())


PAGE6 = "part1/06-why-convolution-works"


@pytest.mark.book
def test_prior_entropies():
    g = values(PAGE6)
    assert ast.literal_eval(g["prior_sigmas"]) == (10.0, 1.0, 0.1)
    for key, sd in [
        ("prior_entropy_wide", 10.0),
        ("prior_entropy_unit", 1.0),
        ("prior_entropy_narrow", 0.1),
    ]:
        assert g[key] == pytest.approx(0.5 * math.log(2 * math.pi * math.e * sd**2), rel=1e-12)


@pytest.mark.book
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


@pytest.mark.book
def test_seen_from_below_and_above_counts():
    g = values(PAGE6)
    n, half = 5, 1  # five units, kernel width 3, same padding
    reaches = [sum(abs(i - a) <= half for i in range(n)) for a in range(n)]
    assert g["below_units"] == n
    assert g["below_sparse"] == reaches[2] == 3
    assert g["above_sparse"] == sum(abs(2 - a) <= half for a in range(n)) == 3
    assert g["below_dense"] == g["above_dense"] == n
    assert g["below_edge"] == reaches[0] == 2


shifted_copies = chapter_function("part1/06-why-convolution-works.md", "shifted_copies")


scene = chapter_function("part1/06-why-convolution-works.md", "scene")


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 15), k=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_shifted_copies_is_the_correlation_matrix(n, k, seed):
    if k > n:
        return
    rng = np.random.default_rng(seed)
    w, x = rng.standard_normal(k), rng.standard_normal(n)
    W = shifted_copies(w, n)
    # independent: SciPy's Toeplitz matrix with first row (w, 0, ...) and first column (w_0, 0, ...)
    first_row = np.concatenate([w, np.zeros(n - k)])
    first_col = np.concatenate([[w[0]], np.zeros(n - k)])
    np.testing.assert_array_equal(W, linalg.toeplitz(first_col, first_row))
    np.testing.assert_allclose(W @ x, signal.correlate(x, w, mode="valid"), atol=1e-12)
    np.testing.assert_array_equal(W, conv_matrix(w[::-1], n, mode="valid"))


def test_scene_is_seeded_and_has_the_book_size():
    a, b = scene(), scene()
    assert a.shape == (280, 320)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, scene(seed=1))
    assert 0.0 < a.std() and -0.1 < a.min() and a.max() < 1.1
