"""Chapter ``part2/02-im2col-convolution``: glued values and the functions its cells define.

The values that "im2col and the convolution layer" glues into its prose (myst-nb ``glue``) are read
back from the executed notebook of a built book (:func:`bookutils.glued` and its readers) and
recomputed by another route: formulas written out in the test, brute-force loops, or the definition
of the quantity (tests marked ``book``). Build first (``make html``, or a partial build with
``CNNBOOK_BUILD_DIR`` pointing at it).

The loop-based functions the page defines in its code cells are read from its source
(:func:`bookutils.chapter_function`: only the ``def``, run with the imports of the page's first code
cell; no build needed), so these tests check the code the reader sees, and compare it with the
library (``cnnbook.nn``) on many shapes, strides and paddings, or with a hand-worked example.
"""

from __future__ import annotations

import numpy as np
import pytest
from bookutils import chapter_function, glued, number, text
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.conv import conv_output_size
from cnnbook.nn import im2col


@pytest.mark.book
def test_im2col_page_sizes():
    g = glued("part2/02-im2col-convolution")
    oh = (28 - 5) // 1 + 1
    assert number(g, "p2im_oh") == oh == 24
    assert number(g, "p2im_blowup") == pytest.approx(oh * oh * 5 * 5 / (28 * 28))
    assert number(g, "p2im_count_max") == 9  # a 3x3 window covers an inner pixel 9 times
    assert number(g, "p2im_rows") == oh * oh == 576
    assert number(g, "p2im_pixels") == 784
    assert number(g, "p2im_batch_rows") == 100 * oh * oh


@pytest.mark.book
def test_im2col_page_agreements_are_rounding_only():
    g = glued("part2/02-im2col-convolution")
    assert g["p2im_loops_equal"] == "True"
    assert g["p2im_view_equal"] == "True"
    assert g["p2im_backward_no_mutation"] == "True"
    for name in (
        "p2im_err_conv2d",
        "p2im_err_layer",
        "p2im_err_backward",
        "p2im_err_dw_corr",
        "p2im_err_dx_conv",
        "p2im_err_fast",
    ):
        assert 0 <= number(g, name) < 1e-12, name


@pytest.mark.book
def test_im2col_page_walkthrough_shapes():
    # the shapes the line-by-line walk-through states, for 100 images of 28x28 and 30 kernels of
    # 5x5 (stride 1, no padding), from the definitions of im2col and of the layer
    g = glued("part2/02-im2col-convolution")
    n, c, h, f, k = 100, 1, 28, 30, 5
    oh = h - k + 1
    rows, cols = n * oh * oh, c * k * k
    expected = {
        "p2im_wt_x": (n, c, h, h),
        "p2im_wt_w": (f, c, k, k),
        "p2im_wt_xshape": (n, c, h, h),
        "p2im_wt_outshape": (n, f, oh, oh),
        "p2im_wt_col": (rows, cols),
        "p2im_wt_colW": (cols, f),
        "p2im_wt_out": (rows, f),
        "p2im_wt_out4": (n, oh, oh, f),
        "p2im_wt_result": (n, f, oh, oh),
        "p2im_wt_delta": (n, f, oh, oh),
        "p2im_wt_Delta": (rows, f),
        "p2im_wt_db": (f,),
        "p2im_wt_dWT": (cols, f),
        "p2im_wt_dW": (f, c, k, k),
        "p2im_wt_dcol": (rows, cols),
        "p2im_wt_dx": (n, c, h, h),
    }
    for name, shape in expected.items():
        assert text(g, name) == str(shape), name
    assert number(g, "p2im_wt_oh") == oh
    # exercise 1: 16 kernels of 3x3 with padding 1 keep 28x28
    assert number(g, "p2im_ex1_rows") == n * h * h
    assert number(g, "p2im_ex1_cols") == 9
    assert number(g, "p2im_ex1_mults") == n * h * h * 16 * 9
    assert text(g, "p2im_ex1_s") == str((n, 16, h, h))


@pytest.mark.book
def test_im2col_page_agreement_words_match_the_numbers():
    g = glued("part2/02-im2col-convolution")
    for key in ("conv2d", "layer"):
        words, err = text(g, f"p2im_agree_{key}"), number(g, f"p2im_err_{key}")
        assert (words == "exactly") == (err == 0), (words, err)


@pytest.mark.book
def test_im2col_page_adjoint_identity():
    g = glued("part2/02-im2col-convolution")
    lhs, rhs = number(g, "p2im_adj_lhs"), number(g, "p2im_adj_rhs")
    assert lhs == pytest.approx(rhs, rel=1e-12)
    assert number(g, "p2im_adj_relerr") == pytest.approx(abs(lhs - rhs) / abs(lhs), abs=1e-15)
    assert lhs != 0


im2col_loops = chapter_function("part2/02-im2col-convolution.md", "im2col_loops")


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 3),
    c=st.integers(1, 3),
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    stride=st.integers(1, 3),
    pad=st.integers(0, 2),
    seed=st.integers(0, 2**16),
)
def test_im2col_loops_equals_library(n, c, h, w, kh, kw, stride, pad, seed):
    if h + 2 * pad < kh or w + 2 * pad < kw:
        return  # no window fits: both raise, checked below
    x = np.random.default_rng(seed).standard_normal((n, c, h, w))
    expected = im2col_loops(x, kh, kw, stride, pad)
    assert expected.shape == (
        n * conv_output_size(h, kh, stride, pad) * conv_output_size(w, kw, stride, pad),
        c * kh * kw,
    )
    np.testing.assert_array_equal(im2col(x, kh, kw, stride, pad), expected)


def test_im2col_loops_matches_hand_worked_example():
    # The 4x4 example of the chapter, written out by hand: windows at (0,0), (0,1), (1,0), (1,1).
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    first_rows = np.array(
        [
            [0, 1, 2, 4, 5, 6, 8, 9, 10],
            [1, 2, 3, 5, 6, 7, 9, 10, 11],
            [4, 5, 6, 8, 9, 10, 12, 13, 14],
            [5, 6, 7, 9, 10, 11, 13, 14, 15],
        ],
        dtype=float,
    )
    np.testing.assert_array_equal(im2col_loops(x, 3, 3), first_rows)
    np.testing.assert_array_equal(im2col(x, 3, 3), first_rows)
