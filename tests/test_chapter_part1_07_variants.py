"""Chapter ``part1/07-variants``: glued values and the functions its cells define.

The values that "Variants of the basic convolution" glues into its prose (myst-nb ``glue``) are read
back from the executed notebook of a built book (:func:`bookutils.glued` and its readers) and
compared with an independent computation: the closed-form counts of Goodfellow et al. (2016, ch. 9),
output-size formulas written out here, SciPy, or tolerances that a correct computation must meet
(rounding errors of float64, finite differences) (tests marked ``book``). Build first (``make
html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).

The functions the page defines in its code cells are read from its source
(:func:`bookutils.chapter_function`: only the ``def``, run with the imports of the page's first code
cell; no build needed), so these tests check the code the reader sees, and compare it with
independent references: brute-force loops written here, SciPy, PyTorch's autograd (when installed)
and ``cnnbook``.
"""

from __future__ import annotations

import numpy as np
import pytest
from bookutils import ROUNDING, chapter_function, values

from cnnbook import plotting
from cnnbook.conv import conv2d, conv_output_size


@pytest.mark.book
def test_stride_padding_dilation_sizes():
    g = values("part1/07-variants")
    assert g["var_stride_err"] < ROUNDING
    assert (g["var_stride1_out"], g["var_stride_out"]) == (11 - 3 + 1, (11 - 3) // 2 + 1)
    assert g["var_stride_saving"] == pytest.approx(9**2 / 5**2)
    n, k = 7, 3
    sizes = (g["var_size_valid"], g["var_size_same"], g["var_size_full"])
    assert sizes == (n - k + 1, n, n + k - 1)
    for mode in ["valid", "same", "full"]:
        assert g[f"var_err_{mode}"] < ROUNDING
    assert g["var_valid_stack_layers"] == 3  # 16 -> 12 -> 8 -> 4, then a width-5 kernel fails
    assert g["var_anim_out"] == (5 + 2 - 3) // 2 + 1
    assert g["var_dilation_err"] < ROUNDING
    assert g["var_dilation_span"] == 5
    assert g["var_dilation_out"] == 9 - 5 + 1
    assert g["var_ex_resnet"] == 112
    assert g["var_ex_dilated_same"] == 20
    assert g["var_ex_span"] == 2 * (5 - 1) + 1 and g["var_ex_same_p"] == 4


@pytest.mark.book
def test_unshared_and_tiled():
    g = values("part1/07-variants")
    for key in ["var_lc_err", "var_tile_as_conv", "var_tile_as_lc", "var_tile_by_hand"]:
        assert g[key] < ROUNDING, key
    c, f, k, o = 3, 16, 3, 30
    assert g["var_count_out"] == o
    assert g["var_count_dense"] == (c * 32 * 32) * (f * o * o)
    assert g["var_count_lc"] == o * o * f * c * k * k
    assert g["var_count_tiled"] == 2 * 2 * f * c * k * k
    assert g["var_count_conv"] == f * c * k * k
    assert g["var_ex_tiled3"] == 3 * 3 * f * c * k * k


stack_sizes = chapter_function("part1/07-variants.md", "stack_sizes")


sliding_window_animation = chapter_function(
    "part1/07-variants.md", "sliding_window_animation", C=plotting.COLORS
)


@pytest.mark.parametrize("n, k, p", [(16, 5, 0), (16, 5, 2), (16, 6, 3), (10, 3, 0), (7, 7, 0)])
def test_stack_sizes_follow_the_formula(n, k, p):
    sizes = stack_sizes(n, k, padding=p)
    expected = [n]
    while len(expected) <= 10 and expected[-1] + 2 * p >= k:
        expected.append(expected[-1] + 2 * p - k + 1)
    assert sizes == expected
    assert sizes[1:] == [conv_output_size(m, k, padding=p) for m in sizes[:-1]]


@pytest.mark.parametrize(
    "shape, stride, padding, dilation, frames",
    [
        ((5, 5), 2, 1, 1, 9),
        ((7, 7), 1, 0, 2, 9),
    ],
)
def test_animation_is_small_and_kernel_free(shape, stride, padding, dilation, frames):
    x = np.arange(float(np.prod(shape))).reshape(shape)
    html = sliding_window_animation(
        x, np.ones((3, 3)), stride=stride, padding=padding, dilation=dilation
    ).data
    assert html.count("data:image/png;base64") == frames <= 30
    assert "<script" in html and len(html) < 1_000_000
    out = conv2d(
        x[None, None], np.ones((1, 1, 3, 3)), stride=stride, padding=padding, dilation=dilation
    )
    assert out.shape[2] * out.shape[3] == frames
