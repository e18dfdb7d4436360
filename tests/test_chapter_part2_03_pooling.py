"""Chapter ``part2/03-pooling``: glued values and the functions its cells define.

The values that "Pooling" glues into its prose (myst-nb ``glue``) are read back from the executed
notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed by another route:
formulas written out in the test, brute-force loops, or the definition of the quantity (tests marked
``book``). Build first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at
it).

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

from cnnbook.nn import Pooling


@pytest.mark.book
def test_pooling_page_padding_and_ties():
    g = glued("part2/03-pooling")
    assert -2 < number(g, "p2pool_pad_max") <= -1  # a value of the input, never the padding
    assert number(g, "p2pool_zero_max") == 0  # what zero padding would give
    assert number(g, "p2pool_tie_sum") == 1  # the gradient is not multiplied by ties
    assert g["p2pool_reshape_equal"] == "True"


@pytest.mark.book
def test_pooling_page_walkthrough_shapes():
    # 2x2 max pooling, stride 2, of 100 images with 30 channels of 24x24 (the network's maps)
    g = glued("part2/03-pooling")
    n, c, h, k = 100, 30, 24, 2
    oh = h // k
    windows = n * oh * oh
    expected = {
        "p2pool_wt_x": (n, c, h, h),
        "p2pool_wt_outshape": (n, c, oh, oh),
        "p2pool_wt_xp": (n, c, h, h),  # no padding
        "p2pool_wt_col1": (windows, c * k * k),
        "p2pool_wt_col": (windows * c, k * k),
        "p2pool_wt_argmax": (windows * c,),
        "p2pool_wt_out4": (n, oh, oh, c),
        "p2pool_wt_result": (n, c, oh, oh),
        "p2pool_wt_delta": (n, c, oh, oh),
        "p2pool_wt_dout": (windows * c,),
        "p2pool_wt_dmax": (windows * c, k * k),
        "p2pool_wt_dcol": (windows, c * k * k),
        "p2pool_wt_dx": (n, c, h, h),
    }
    for name, shape in expected.items():
        assert text(g, name) == str(shape), name
    assert number(g, "p2pool_wt_oh") == oh
    assert number(g, "p2pool_wt_col1_cols") == c * k * k
    assert number(g, "p2pool_wt_nonzero") == 1 / (k * k)  # one winner per window
    # exercise 1: 3x3 windows with stride 2 overlap; 11x11 windows per 24x24 channel
    bound = ((h - 3) // 2 + 1) ** 2 / h**2
    assert number(g, "p2pool_ex1_bound") == pytest.approx(bound)
    nonzero = number(g, "p2pool_ex1_nonzero")
    assert 0 < nonzero < bound  # overlapping windows share winners
    assert number(g, "p2pool_ex1_distinct") == pytest.approx(nonzero / bound)


@pytest.mark.book
def test_pooling_page_shift_example():
    # the detector row of the chapter, max-pooled with width 3 and stride 1 by brute force
    row = [0.1, 1.0, 0.2, 0.1, 0.3, 0.2, 0.9, 0.1, 0.2, 0.1]
    shifted = row[-1:] + row[:-1]

    def pool(r):
        return [max(r[i : i + 3]) for i in range(len(r) - 2)]

    g = glued("part2/03-pooling")
    changed_in = sum(a != b for a, b in zip(row, shifted)) / len(row)
    changed_out = sum(a != b for a, b in zip(pool(row), pool(shifted))) / (len(row) - 2)
    assert number(g, "p2pool_changed_in") == pytest.approx(changed_in)
    assert number(g, "p2pool_changed_out") == pytest.approx(changed_out)
    # pooling reduces the sensitivity to a one-pixel shift, and a larger window reduces it more
    r_img, r2, r4 = (number(g, f"p2pool_r1_{k}") for k in ("image", "pool2", "pool4"))
    assert r4 < r2 < r_img


max_pool_reshape = chapter_function("part2/03-pooling.md", "max_pool_reshape")


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3),
    c=st.integers(1, 4),
    oh=st.integers(1, 6),
    ow=st.integers(1, 6),
    k=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_max_pool_reshape_equals_library(n, c, oh, ow, k, seed):
    x = np.random.default_rng(seed).standard_normal((n, c, oh * k, ow * k))
    expected = np.array(
        [
            [
                [
                    [x[a, b, i * k : (i + 1) * k, j * k : (j + 1) * k].max() for j in range(ow)]
                    for i in range(oh)
                ]
                for b in range(c)
            ]
            for a in range(n)
        ]
    )
    np.testing.assert_array_equal(max_pool_reshape(x, k), expected)  # the chapter's code is right
    np.testing.assert_array_equal(Pooling(k, k).forward(x), max_pool_reshape(x, k))


shift_right = chapter_function("part2/03-pooling.md", "shift_right")


@pytest.mark.parametrize("t", [0, 1, 3, 4])
def test_shift_right_moves_ink_without_wrapping(t):
    # against scipy's shift with zero fill: nothing wraps around, ink past the edge is lost
    from scipy import ndimage

    x = np.random.default_rng(t).random((2, 1, 6, 7))
    expected = ndimage.shift(x, (0, 0, 0, t), order=0, mode="constant", cval=0.0)
    np.testing.assert_array_equal(shift_right(x, t), expected)
    if t:
        assert np.all(shift_right(x, t)[..., :t] == 0)
