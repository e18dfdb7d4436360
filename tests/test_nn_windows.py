"""im2col / col2im / unfold / fold against brute-force loops, and the adjoint identity."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.nn.windows import col2im, fold, im2col, output_shape, unfold


def brute_windows(x, kh, kw, stride, pad):
    """Every window, by explicit loops over a zero-padded copy: {(n, i, j): window (C, KH, KW)}."""
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), x.dtype)
    xp[:, :, pad : pad + h, pad : pad + w] = x
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (w + 2 * pad - kw) // stride + 1
    return (
        {
            (b, i, j): xp[b, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            for b in range(n)
            for i in range(oh)
            for j in range(ow)
        },
        oh,
        ow,
    )


CASES = [
    ((2, 3, 5, 6), 3, 3, 1, 0),
    ((1, 2, 7, 7), 3, 2, 2, 1),
    ((2, 1, 6, 5), 2, 2, 2, 0),
    ((1, 2, 4, 4), 4, 4, 1, 2),
    ((3, 1, 8, 9), 5, 3, 3, 2),
]


@pytest.mark.parametrize("shape, kh, kw, stride, pad", CASES)
def test_im2col_rows_are_windows(shape, kh, kw, stride, pad):
    x = np.random.default_rng(0).standard_normal(shape)
    col = im2col(x, kh, kw, stride, pad)
    windows, oh, ow = brute_windows(x, kh, kw, stride, pad)
    assert col.shape == (shape[0] * oh * ow, shape[1] * kh * kw)
    for (b, i, j), window in windows.items():
        np.testing.assert_array_equal(col[(b * oh + i) * ow + j], window.ravel())


@pytest.mark.parametrize("shape, kh, kw, stride, pad", CASES)
def test_unfold_columns_are_windows(shape, kh, kw, stride, pad):
    x = np.random.default_rng(1).standard_normal(shape)
    cols = unfold(x, kh, kw, stride, pad)
    windows, oh, ow = brute_windows(x, kh, kw, stride, pad)
    assert cols.shape == (shape[0], shape[1] * kh * kw, oh * ow)
    assert cols.flags.c_contiguous
    for (b, i, j), window in windows.items():
        np.testing.assert_array_equal(cols[b, :, i * ow + j], window.ravel())


@pytest.mark.parametrize("shape, kh, kw, stride, pad", CASES)
def test_col2im_adds_rows_back_into_their_windows(shape, kh, kw, stride, pad):
    n, c, h, w = shape
    rng = np.random.default_rng(2)
    windows, oh, ow = brute_windows(np.zeros(shape), kh, kw, stride, pad)
    col = rng.standard_normal((n * oh * ow, c * kh * kw))
    expected = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    for b, i, j in windows:
        expected[b, :, i * stride : i * stride + kh, j * stride : j * stride + kw] += col[
            (b * oh + i) * ow + j
        ].reshape(c, kh, kw)
    np.testing.assert_allclose(
        col2im(col, shape, kh, kw, stride, pad),
        expected[:, :, pad : pad + h, pad : pad + w],
        rtol=1e-12,
    )


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 2),
    c=st.integers(1, 3),
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    stride=st.integers(1, 3),
    pad=st.integers(0, 2),
    seed=st.integers(0, 2**16),
)
def test_adjoint_identity(n, c, h, w, kh, kw, stride, pad, seed):
    """<im2col(x), y> == <x, col2im(y)> and the same for unfold/fold: col2im is the transpose."""
    if kh > h + 2 * pad or kw > w + 2 * pad:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    col = im2col(x, kh, kw, stride, pad)
    y = rng.standard_normal(col.shape)
    lhs, rhs = np.sum(col * y), np.sum(x * col2im(y, x.shape, kh, kw, stride, pad))
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-10)
    cols = unfold(x, kh, kw, stride, pad)
    z = rng.standard_normal(cols.shape)
    assert np.sum(cols * z) == pytest.approx(
        np.sum(x * fold(z, x.shape, kh, kw, stride, pad)), rel=1e-10, abs=1e-10
    )


def test_col2im_is_not_the_inverse_but_counts_overlaps():
    # Each pixel of a 4x4 image is covered by (number of 3x3 windows containing it) windows.
    counts = col2im(im2col(np.ones((1, 1, 4, 4)), 3, 3), (1, 1, 4, 4), 3, 3)[0, 0]
    by_hand = np.array([[min(i, 3 - i, 1) + 1 for i in range(4)]])
    np.testing.assert_array_equal(counts, by_hand.T @ by_hand)


def test_dtype_kept():
    x = np.ones((1, 1, 4, 4), np.float32)
    assert im2col(x, 2, 2).dtype == np.float32
    assert unfold(x, 2, 2).dtype == np.float32
    assert col2im(np.ones((9, 4), np.float32), (1, 1, 4, 4), 2, 2).dtype == np.float32


def test_output_shape_is_int():
    oh, ow = output_shape(28, 27, 5, 4, stride=2, pad=1)
    assert (type(oh), type(ow)) == (int, int)
    assert (oh, ow) == ((28 + 2 - 5) // 2 + 1, (27 + 2 - 4) // 2 + 1)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: im2col(np.ones((4, 4)), 2, 2), ValueError, r"\(N, C, H, W\)"),
        (lambda: im2col(np.ones((1, 1, 4, 4)), 5, 2), ValueError, "larger than the padded input"),
        (lambda: im2col(np.ones((1, 1, 4, 4)), 2, 2, stride=0), ValueError, "stride"),
        (lambda: im2col(np.ones((1, 1, 4, 4)), 2.0, 2), TypeError, "kh"),
        (lambda: im2col(np.ones((1, 1, 4, 4)), 2, 2, pad=-1), ValueError, "pad"),
        (lambda: col2im(np.ones((9, 5)), (1, 1, 4, 4), 2, 2), ValueError, "col must have shape"),
        (lambda: fold(np.ones((1, 4, 8)), (1, 1, 4, 4), 2, 2), ValueError, "cols must have shape"),
        (lambda: col2im(np.ones((9, 4)), (4, 4), 2, 2), ValueError, "x_shape"),
        (lambda: unfold(np.array([["a"]]).reshape(1, 1, 1, 1), 1, 1), TypeError, "numeric"),
    ],
)
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_unfold_ones_row_and_out_buffer():
    x = np.random.default_rng(5).standard_normal((2, 3, 6, 5))
    plain = unfold(x, 3, 2, 2, 1)
    with_ones = unfold(x, 3, 2, 2, 1, ones_row=True)
    np.testing.assert_array_equal(with_ones[:, :-1], plain)
    np.testing.assert_array_equal(with_ones[:, -1], 1.0)
    buffer = np.full(with_ones.shape, np.nan)
    assert unfold(x, 3, 2, 2, 1, ones_row=True, out=buffer) is buffer
    np.testing.assert_array_equal(buffer, with_ones)
    with pytest.raises(ValueError, match="out must be a C-contiguous float64 array"):
        unfold(x, 3, 2, 2, 1, out=buffer)  # one row too many without ones_row


def test_offset_slice_and_first_real_offset_against_loops():
    from cnnbook.nn.windows import first_real_offset, offset_slice

    xp = np.arange(2 * 1 * 9 * 8.0).reshape(2, 1, 9, 8)
    for i, j, s in [(0, 0, 1), (1, 2, 2), (2, 1, 3)]:
        oh, ow = (9 - 3) // s + 1, (8 - 3) // s + 1
        expected = np.array(
            [[xp[:, :, s * a + i, s * b + j] for b in range(ow)] for a in range(oh)]
        ).transpose(2, 3, 0, 1)
        np.testing.assert_array_equal(xp[offset_slice(i, j, oh, ow, s)], expected)
    # brute force: the first cell of each window (row-major) that lies inside the image
    h, w, k, s, p = 5, 6, 3, 2, 1
    first = first_real_offset(h, w, k, k, s, p)
    for a in range(first.shape[0]):
        for b in range(first.shape[1]):
            cells = [
                (u, v)
                for u in range(k)
                for v in range(k)
                if 0 <= s * a + u - p < h and 0 <= s * b + v - p < w
            ]
            u, v = cells[0]
            assert first[a, b] == u * k + v
