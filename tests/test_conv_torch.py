"""cnnbook.conv against PyTorch, when it is installed (an optional reference, never a dependency).

Install it into the venv with ``pip install torch==2.13.0`` to run these tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from conv_cases import conv_layer_cases, seeds
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook import conv

torch = pytest.importorskip("torch")
F = torch.nn.functional


def layer_cases():
    return conv_layer_cases(max_batch=3, max_filters=4, max_kernel=4, max_dilation=3, max_side=10)


def torch_conv2d(x, w, b, stride, padding, dilation):
    t = lambda a: None if a is None else torch.from_numpy(a.copy())
    out = F.conv2d(t(x), t(w), t(b), stride=stride, padding=padding, dilation=dilation)
    return out.numpy()


@settings(max_examples=150, deadline=None)
@given(layer_cases())
def test_conv2d_matches_torch(case):
    x, w, b, stride, padding, dilation = case
    expected = torch_conv2d(x, w, b, stride, padding, dilation)
    s = conv.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert s.shape == expected.shape
    np.testing.assert_allclose(s, expected, rtol=1e-10, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(layer_cases())
def test_conv2d_float32_matches_torch(case):
    x, w, b, stride, padding, dilation = case
    x, w = x.astype(np.float32), w.astype(np.float32)
    b = None if b is None else b.astype(np.float32)
    s = conv.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert s.dtype == np.float32
    np.testing.assert_allclose(
        s, torch_conv2d(x, w, b, stride, padding, dilation), rtol=1e-4, atol=1e-4
    )


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 20), st.integers(1, 6), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3)
)
def test_conv_output_size_matches_torch_shape(n, k, stride, padding, dilation):
    x = torch.zeros(1, 1, n, dtype=torch.float64)
    w = torch.zeros(1, 1, k, dtype=torch.float64)
    try:
        expected = F.conv1d(x, w, stride=stride, padding=padding, dilation=dilation).shape[-1]
    except RuntimeError:  # torch refuses an empty output
        expected = None
    if expected is None:
        with pytest.raises(ValueError, match="empty"):
            conv.conv_output_size(n, k, stride, padding, dilation)
    else:
        assert conv.conv_output_size(n, k, stride, padding, dilation) == expected


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 3), st.data())
def test_correlate_valid_matches_torch(ndim, data):
    """torch's conv1d/2d/3d is a cross-correlation: it should equal correlate(..., 'valid')."""
    k = tuple(data.draw(st.integers(1, 3)) for _ in range(ndim))
    n = tuple(data.draw(st.integers(kk, kk + 5)) for kk in k)
    rng = np.random.default_rng(data.draw(seeds))
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    torch_conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[ndim]
    expected = torch_conv(torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None])
    np.testing.assert_allclose(conv.correlate(x, w), expected[0, 0].numpy(), atol=1e-12)
    # and the true convolution is torch's operation with the kernel flipped
    flipped = torch.from_numpy(np.flip(w).copy())[None, None]  # copy: torch needs positive strides
    expected = torch_conv(torch.from_numpy(x)[None, None], flipped)
    np.testing.assert_allclose(conv.convolve(x, w, "valid"), expected[0, 0].numpy(), atol=1e-12)


@st.composite
def unshared_cases(draw):
    """x (N, C, H, W), w (OH, OW, F, C, KH, KW) and a stride pair, the kernel fitting in x."""
    n, c, f = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    size = (draw(st.integers(kernel[0], 9)), draw(st.integers(kernel[1], 9)))
    out = tuple((size[a] - kernel[a]) // stride[a] + 1 for a in range(2))
    rng = np.random.default_rng(draw(seeds))
    return rng.standard_normal((n, c, *size)), rng.standard_normal((*out, f, c, *kernel)), stride


@settings(max_examples=60, deadline=None)
@given(unshared_cases())
def test_locally_connected_matches_torch_unfold(case):
    """Reference: torch's unfold (im2col) columns, each multiplied by its own weight matrix."""
    x, w, stride = case
    out_h, out_w, f, c, kh, kw = w.shape
    cols = F.unfold(torch.from_numpy(x), (kh, kw), stride=stride).numpy()  # (N, C*KH*KW, L)
    w_cols = w.reshape(out_h * out_w, f, c * kh * kw)  # (L, F, C*KH*KW), same (c, p, q) order
    expected = np.einsum("nkl,lfk->nfl", cols, w_cols).reshape(x.shape[0], f, out_h, out_w)
    np.testing.assert_allclose(conv.locally_connected2d(x, w, stride=stride), expected, atol=1e-12)
