"""Chapter ``part1/05-forward-backward``: glued values and the functions its cells define.

The values that "Forward and backward" glues into its prose (myst-nb ``glue``) are read back from
the executed notebook of a built book (:func:`bookutils.glued` and its readers) and compared with an
independent computation: the closed-form counts of Goodfellow et al. (2016, ch. 9), output-size
formulas written out here, SciPy, or tolerances that a correct computation must meet (rounding
errors of float64, finite differences) (tests marked ``book``). Build first (``make html``, or a
partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).

The functions the page defines in its code cells are read from its source
(:func:`bookutils.chapter_function`: only the ``def``, run with the imports of the page's first code
cell; no build needed), so these tests check the code the reader sees, and compare it with
independent references: brute-force loops written here, SciPy, PyTorch's autograd (when installed)
and ``cnnbook``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from bookutils import ROUNDING, chapter_function, values
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.conv import conv_output_size, receptive_field


@pytest.mark.book
def test_gradient_checks_pass():
    g = values("part1/05-forward-backward")
    for key in ["fb_err_dx_1d", "fb_err_dw_1d", "fb_err_max_2d"]:
        assert g[key] < 1e-6, key  # central differences in float64
    assert g["fb_err_transpose"] < ROUNDING
    assert g["fb_err_dx_big_h"] < 1e-12  # a quadratic loss: no truncation error even at h = 0.1
    assert g["fb_n_checked"] == 2 * 3 * 7 * 8 + 4 * 3 * 3 * 3 + 4
    # exercise 4: unpadded 3x3 layers that fit on 28 pixels (each stride-1 layer removes 2)
    assert g["fb_fit_s1"] == (28 - 1) // 2 == 13
    assert g["fb_fit_s2"] == 3  # 28 -> 13 -> 6 -> 2


@pytest.mark.book
def test_receptive_field_numbers():
    g = values("part1/05-forward-backward")
    assert g["fb_rf_all_match"] == 1
    assert g["fb_rf_k3_depth5"] == 1 + 5 * (3 - 1)
    assert g["fb_rf_stride2_depth5"] == 1 + 2 * (1 + 2 + 4 + 8 + 16)
    assert g["fb_rf_dilated_depth5"] == 1 + 2 * (1 + 2 + 4 + 8 + 16)
    assert g["fb_layers_28_s1"] == math.ceil((28 - 1) / 2)  # 1 + 2D >= 28
    assert g["fb_layers_28_s2"] == math.ceil(math.log2(28 + 1) - 1)  # 2^(D+1) - 1 >= 28
    assert g["fb_cone_inputs"] == 1 + 3 * (3 - 1)  # the drawn cone: three layers of 3-tap kernels


correlate1d_backward = chapter_function("part1/05-forward-backward.md", "correlate1d_backward")


conv2d_backward = chapter_function("part1/05-forward-backward.md", "conv2d_backward")


valid_layers_that_fit = chapter_function("part1/05-forward-backward.md", "valid_layers_that_fit")


measured_receptive_field = chapter_function(
    "part1/05-forward-backward.md", "measured_receptive_field"
)


def brute_force_1d_gradients(x, w, g):
    """dL/dx and dL/dw of s_i = sum_m x[i+m] w[m] from the Jacobians, by explicit loops."""
    n, k = x.size, w.size
    dx, dw = np.zeros(n), np.zeros(k)
    for i in range(n - k + 1):
        for m in range(k):
            dx[i + m] += g[i] * w[m]  # ds_i/dx_{i+m} = w_m
            dw[m] += g[i] * x[i + m]  # ds_i/dw_m = x_{i+m}
    return dx, dw


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 20), k=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_correlate1d_backward_equals_brute_force(n, k, seed):
    if k > n:
        return
    rng = np.random.default_rng(seed)
    x, w, g = rng.standard_normal(n), rng.standard_normal(k), rng.standard_normal(n - k + 1)
    dx, dw = correlate1d_backward(x, w, g)
    dx_ref, dw_ref = brute_force_1d_gradients(x, w, g)
    np.testing.assert_allclose(dx, dx_ref, atol=1e-12)
    np.testing.assert_allclose(dw, dw_ref, atol=1e-12)


def brute_force_conv2d_gradients(x, w, g):
    """Gradients of s[n,f,i,j] = sum_{c,p,q} x[n,c,i+p,j+q] w[f,c,p,q] + b[f], by explicit loops."""
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    N, F, OH, OW = g.shape
    KH, KW = w.shape[2:]
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    dx[n, :, i : i + KH, j : j + KW] += g[n, f, i, j] * w[f]
                    dw[f] += g[n, f, i, j] * x[n, :, i : i + KH, j : j + KW]
    return dx, dw, g.sum(axis=(0, 2, 3))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 2),
    c=st.integers(1, 3),
    f=st.integers(1, 3),
    h=st.integers(1, 7),
    wd=st.integers(1, 7),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_conv2d_backward_equals_brute_force(n, c, f, h, wd, kh, kw, seed):
    if kh > h or kw > wd:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, wd))
    w = rng.standard_normal((f, c, kh, kw))
    g = rng.standard_normal((n, f, h - kh + 1, wd - kw + 1))
    for got, ref in zip(conv2d_backward(x, w, g), brute_force_conv2d_gradients(x, w, g)):
        np.testing.assert_allclose(got, ref, atol=1e-12)


def test_conv2d_backward_equals_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 7, 8))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(4)
    g = rng.standard_normal((2, 4, 5, 7))
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    torch.nn.functional.conv2d(xt, wt, bt).backward(torch.tensor(g))
    dx, dw, db = conv2d_backward(x, w, g)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(dw, wt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(db, bt.grad.numpy(), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 200), st.integers(2, 9), st.integers(1, 4))  # k = 1 never shrinks n
def test_valid_layers_that_fit_counts_until_conv_output_size_refuses(n, k, stride):
    size, layers = n, 0
    while True:
        try:
            size = conv_output_size(size, k, stride)
        except ValueError:  # the kernel no longer fits
            break
        layers += 1
    assert valid_layers_that_fit(n, k, stride) == layers


def test_the_28_pixel_stacks_of_exercise_4():
    assert valid_layers_that_fit(28, 3, 1) == 13 and valid_layers_that_fit(28, 3, 2) == 3


@pytest.mark.parametrize(
    "kernels, strides, dilations",
    [
        ([3], [1], [1]),
        ([3, 3, 3], [1, 1, 1], [1, 1, 1]),
        ([5, 3], [1, 1], [1, 1]),
        ([3, 3, 3], [2, 2, 2], [1, 1, 1]),
        ([3, 2, 4], [2, 1, 3], [1, 1, 1]),
        ([3, 3, 3], [1, 1, 1], [1, 2, 4]),
        ([2, 3], [2, 1], [3, 2]),
    ],
)
def test_measured_receptive_field_equals_library(kernels, strides, dilations):
    measured = measured_receptive_field(kernels, strides, dilations)
    assert measured == receptive_field(kernels, strides, dilations)[-1]
    if all(s == 1 for s in strides):  # stride 1: r = 1 + sum d (k - 1)
        assert measured == 1 + sum(d * (k - 1) for k, d in zip(kernels, dilations))
