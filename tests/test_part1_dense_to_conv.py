"""Library code of Part I's page "From dense layers to convolution", against independent checks.

* :func:`cnnbook.cost.image_map_param_count` against a brute-force count: every weight of the dense
  4-index tensor is given the name of the parameter it stands for (its own indices, or its offset
  when weights are shared), entries out of reach are dropped, and the distinct names are counted;
* :func:`cnnbook.conv.conv2d_backward` against explicit loops over every index, central finite
  differences, the stride-1 formulas of SciPy (``correlate`` for the kernel, ``convolve`` for the
  input) applied to the upstream gradient with zeros inserted, and PyTorch's autograd;
* the page's ``shared_weight_tensor`` (read from its source) against a loop over every entry.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from cnnbook.conv import conv2d, conv2d_backward
from cnnbook.cost import conv_param_count, dense_param_count, image_map_param_count
from cnnbook.nn.gradcheck import numerical_gradient, relative_error

# -- parameter counts -----------------------------------------------------------------------------


def brute_force_count(h, w, shared, locality, c_in, c_out):
    """Distinct parameters of V[f, c, i, j, k, l] (output (i, j), input pixel (k, l))."""
    names = set()
    for f, c, i, j, k, m in itertools.product(
        range(c_out), range(c_in), range(h), range(w), range(h), range(w)
    ):  # m is the input column, l in the docstring
        if locality is not None and (abs(k - i) > locality or abs(m - j) > locality):
            continue  # this weight is zero: not a parameter
        names.add((f, c, k - i, m - j) if shared else (f, c, i, j, k, m))
    return len(names)


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    shared=st.booleans(),
    locality=st.none() | st.integers(0, 8),
    c_in=st.integers(1, 2),
    c_out=st.integers(1, 3),
)
def test_image_map_param_count_equals_brute_force(h, w, shared, locality, c_in, c_out):
    got = image_map_param_count(
        h, w, shared=shared, locality=locality, in_channels=c_in, out_channels=c_out
    )
    assert got == brute_force_count(h, w, shared, locality, c_in, c_out)


@pytest.mark.parametrize("h, w", [(28, 28), (5, 9), (32, 32)])
def test_image_map_param_count_ends_are_dense_and_conv_layers(h, w):
    assert image_map_param_count(h, w, in_channels=3, out_channels=4) == dense_param_count(
        3 * h * w, 4 * h * w
    )
    for delta in (0, 1, 2):  # a (2Δ+1)x(2Δ+1) kernel, smaller than the image
        assert image_map_param_count(
            h, w, shared=True, locality=delta, in_channels=3, out_channels=4
        ) == conv_param_count(3, 4, 2 * delta + 1)
    # a reach beyond the image is no constraint
    assert image_map_param_count(h, w, locality=max(h, w)) == image_map_param_count(h, w)


def test_image_map_param_count_the_books_numbers():
    # 28x28 -> 28x28: 784^2 weights; 55^2 offsets; locality 2 unshared: sum over offsets |d| <= 2
    # of (28 - |d|) pairs per axis = 28*5 - 2*3 = 134; shared and local: 5x5
    assert image_map_param_count(28, 28) == 784**2
    assert image_map_param_count(28, 28, shared=True) == 55**2
    assert image_map_param_count(28, 28, locality=2) == 134**2
    assert image_map_param_count(28, 28, shared=True, locality=2) == 25


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"height": 0, "width": 3}, "height"),
        ({"height": 3, "width": 2.0}, "width"),
        ({"height": 3, "width": 3, "locality": -1}, "locality"),
        ({"height": 3, "width": 3, "locality": True}, "locality"),
        ({"height": 3, "width": 3, "in_channels": 0}, "in_channels"),
        ({"height": 3, "width": 3, "out_channels": None}, "out_channels"),
    ],
)
def test_image_map_param_count_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        image_map_param_count(**kwargs)


# -- conv2d_backward ------------------------------------------------------------------------------


def loop_gradients(x, w, g, stride, padding, dilation):
    """The chain rule, one index at a time: every (output, weight) pair adds its two terms."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dx_pad, dw_ = np.zeros_like(x_pad), np.zeros_like(w)
    n_img, n_f, out_h, out_w = g.shape
    _, n_c, kh, kw = w.shape
    for n, f, i, j, c, p, q in itertools.product(
        range(n_img), range(n_f), range(out_h), range(out_w), range(n_c), range(kh), range(kw)
    ):
        r, s = i * sh + p * dh, j * sw + q * dw
        dw_[f, c, p, q] += g[n, f, i, j] * x_pad[n, c, r, s]
        dx_pad[n, c, r, s] += g[n, f, i, j] * w[f, c, p, q]
    dx = dx_pad[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]]
    return dx, dw_, g.sum(axis=(0, 2, 3))


def random_layer(seed, n, c, f, h, wd, kh, kw, stride, padding, dilation):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, wd))
    w = rng.standard_normal((f, c, kh, kw))
    g = rng.standard_normal(conv2d(x, w, stride=stride, padding=padding, dilation=dilation).shape)
    return x, w, g


@st.composite
def layer_cases(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pad = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    h = draw(st.integers(max(1, dil[0] * (kh - 1) + 1 - 2 * pad[0]), 7))
    wd = draw(st.integers(max(1, dil[1] * (kw - 1) + 1 - 2 * pad[1]), 7))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    shape = dict(
        n=draw(st.integers(1, 2)),
        c=draw(st.integers(1, 2)),
        f=draw(st.integers(1, 3)),
        h=h,
        wd=wd,
        kh=kh,
        kw=kw,
    )
    return draw(st.integers(0, 2**16)), shape, stride, pad, dil


@settings(max_examples=60, deadline=None)
@given(case=layer_cases())
def test_conv2d_backward_equals_loops(case):
    seed, shape, stride, padding, dilation = case
    x, w, g = random_layer(seed, **shape, stride=stride, padding=padding, dilation=dilation)
    got = conv2d_backward(x, w, g, stride=stride, padding=padding, dilation=dilation)
    ref = loop_gradients(x, w, g, stride, padding, dilation)
    for a, b in zip(got, ref, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding", [0, 1])
def test_conv2d_backward_stride_2_equals_finite_differences(padding):
    x, w, g = random_layer(3, 2, 3, 2, 7, 8, 3, 3, stride=2, padding=padding, dilation=1)
    b = np.random.default_rng(4).standard_normal(2)

    def loss(_):  # L = sum(s * g) has dL/ds = g
        return float(np.sum(conv2d(x, w, b, stride=2, padding=padding) * g))

    dx, dw, db = conv2d_backward(x, w, g, stride=2, padding=padding)
    for analytic, param in [(dx, x), (dw, w), (db, b)]:
        assert relative_error(analytic, numerical_gradient(loss, param)) < 1e-9


def insert_zeros(g, stride):
    """``g`` with ``stride - 1`` zeros between neighbouring entries along H and W."""
    n, f, oh, ow = g.shape
    up = np.zeros((n, f, (oh - 1) * stride[0] + 1, (ow - 1) * stride[1] + 1))
    up[:, :, :: stride[0], :: stride[1]] = g
    return up


@pytest.mark.parametrize("stride", [(1, 1), (2, 2), (3, 2)])
def test_conv2d_backward_is_stride_1_formula_on_upsampled_gradient(stride):
    # Stride s keeps every s-th output of the stride-1 layer, so its gradients are those of the
    # stride-1 layer for the upstream gradient with zeros inserted (a "transposed convolution").
    x, w, g = random_layer(7, 2, 2, 3, 9, 10, 3, 2, stride=stride, padding=0, dilation=1)
    up = insert_zeros(g, stride)
    kh, kw = w.shape[2:]
    dx_ref, dw_ref = np.zeros_like(x), np.zeros_like(w)
    for n, f, c in itertools.product(range(x.shape[0]), range(w.shape[0]), range(x.shape[1])):
        corr = signal.correlate(x[n, c], up[n, f], mode="valid")  # may be longer than the kernel
        dw_ref[f, c] += corr[:kh, :kw]  # ... when the last windows left pixels unread
        full = signal.convolve(up[n, f], w[f, c], mode="full")
        dx_ref[n, c, : full.shape[0], : full.shape[1]] += full
    dx, dw, _ = conv2d_backward(x, w, g, stride=stride)
    np.testing.assert_allclose(dw, dw_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)


def test_conv2d_backward_equals_torch_autograd():
    torch = pytest.importorskip("torch")
    x, w, g = random_layer(11, 2, 3, 4, 9, 11, 3, 2, stride=(2, 3), padding=(1, 2), dilation=(2, 1))
    b = np.zeros(4)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out = torch.nn.functional.conv2d(tx, tw, tb, stride=(2, 3), padding=(1, 2), dilation=(2, 1))
    out.backward(torch.tensor(g))
    got = conv2d_backward(x, w, g, stride=(2, 3), padding=(1, 2), dilation=(2, 1))
    for a, t in zip(got, (tx, tw, tb), strict=True):
        np.testing.assert_allclose(a, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_conv2d_backward_keeps_float32():
    x, w, g = (a.astype(np.float32) for a in random_layer(0, 1, 1, 1, 5, 5, 2, 2, 1, 0, 1))
    assert all(a.dtype == np.float32 for a in conv2d_backward(x, w, g))


def test_conv2d_backward_rejects_bad_arguments():
    x, w, g = random_layer(0, 1, 2, 3, 6, 6, 3, 3, stride=2, padding=0, dilation=1)
    with pytest.raises(ValueError, match=r"g must have the shape of the output"):
        conv2d_backward(x, w, g)  # g of the stride-2 layer, stride 1 asked
    with pytest.raises(ValueError, match=r"g must have shape \(N, F, OH, OW\)"):
        conv2d_backward(x, w, g[0], stride=2)
    with pytest.raises(ValueError, match="input channels"):
        conv2d_backward(x, w[:, :1], g, stride=2)
    with pytest.raises(ValueError, match="stride"):
        conv2d_backward(x, w, g, stride=0)
    with pytest.raises(TypeError, match="g must be real"):
        conv2d_backward(x, w, g.astype(complex), stride=2)
