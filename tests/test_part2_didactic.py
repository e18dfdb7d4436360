"""The didactic code written inside Part II's chapters gives the same results as ``cnnbook.nn``.

The chapters show short, loop-based versions of what the library does with fast NumPy idioms
(im2col by its definition, pooling by a reshape, a central difference). These tests read each such
function *from the chapter's source* (the code cell that defines it), so they check the code the
reader sees, and compare it with the library on many shapes, strides and paddings.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from myst_nb.core.read import read_myst_markdown_notebook

from cnnbook.conv import conv_output_size
from cnnbook.nn import Pooling, SimpleConvNet, im2col

PART2 = Path(__file__).resolve().parents[1] / "book" / "part2"


def chapter_function(page: str, name: str):
    """The function ``name`` defined in a code cell of ``book/part2/<page>``.

    Only the ``def`` statement is executed (not the rest of its cell), in a namespace holding
    NumPy and the names the chapter imports from cnnbook.
    """
    path = PART2 / page
    nb = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                namespace = {"np": np, "conv_output_size": conv_output_size}
                exec(compile(ast.Module([node], type_ignores=[]), str(path), "exec"), namespace)
                return namespace[name]
    raise AssertionError(f"{page} defines no function {name!r} in a code cell")


# -- 02-im2col-convolution: im2col by its definition ---------------------------------------------

im2col_loops = chapter_function("02-im2col-convolution.md", "im2col_loops")


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


# -- 03-pooling: pooling by reshape --------------------------------------------------------------

max_pool_reshape = chapter_function("03-pooling.md", "max_pool_reshape")


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


shift_right = chapter_function("03-pooling.md", "shift_right")


@pytest.mark.parametrize("t", [0, 1, 3, 4])
def test_shift_right_moves_ink_without_wrapping(t):
    # against scipy's shift with zero fill: nothing wraps around, ink past the edge is lost
    from scipy import ndimage

    x = np.random.default_rng(t).random((2, 1, 6, 7))
    expected = ndimage.shift(x, (0, 0, 0, t), order=0, mode="constant", cval=0.0)
    np.testing.assert_array_equal(shift_right(x, t), expected)
    if t:
        assert np.all(shift_right(x, t)[..., :t] == 0)


# -- 05-gradient-check: a central difference ------------------------------

central_difference = chapter_function("05-gradient-check.md", "central_difference")


def test_central_difference_equals_library_numerical_gradient():
    net = SimpleConvNet(
        input_dim=(1, 8, 8),
        conv_param={"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1},
        hidden_size=6,
        output_size=4,
        seed=3,
        dtype=np.float64,
    )
    rng = np.random.default_rng(1)
    x = rng.random((3, 1, 8, 8))
    t = rng.integers(0, 4, size=3)
    before = {k: v.copy() for k, v in net.params.items()}
    numerical = net.numerical_gradient(x, t)
    for key, p in net.params.items():
        for flat in rng.choice(p.size, size=min(5, p.size), replace=False):
            index = np.unravel_index(flat, p.shape)
            ours = central_difference(net, x, t, key, index)
            assert ours == pytest.approx(float(numerical[key][index]), rel=1e-6, abs=1e-9)
    for key, p in net.params.items():  # the chapter's loop restores every parameter
        np.testing.assert_array_equal(p, before[key])


def test_central_difference_is_exact_for_a_quadratic_in_one_parameter():
    # L(b3) for a one-hot target is smooth; compare with a five-point difference computed here
    net = SimpleConvNet(
        input_dim=(1, 6, 6),
        conv_param={"filter_num": 1, "filter_size": 3, "pad": 0, "stride": 1},
        hidden_size=3,
        output_size=3,
        seed=0,
        dtype=np.float64,
    )
    x = np.random.default_rng(2).random((2, 1, 6, 6))
    t = np.array([0, 2])
    h = 1e-3
    p = net.params["b3"]
    losses = []
    for step in (-2, -1, 1, 2):
        old = p[1]
        p[1] = old + step * h
        losses.append(float(net.loss(x, t)))
        p[1] = old
    five_point = (losses[0] - 8 * losses[1] + 8 * losses[2] - losses[3]) / (12 * h)
    assert central_difference(net, x, t, "b3", (1,), h=1e-5) == pytest.approx(five_point, rel=1e-6)
