"""``ConvPool``: the fused convolution + pooling equals the two layers in turn, and a loop.

The references are the textbook layers (``fast=False``, themselves tested against PyTorch and
SciPy) and, for the forward pass, a plain loop over output cells and pooling windows.
"""

import numpy as np
import pytest
from test_nn_layers import brute_conv, brute_pool  # the loops the layers are tested against

from cnnbook.nn import Convolution, Pooling, SimpleConvNet
from cnnbook.nn.layers import ConvPool


def textbook(W, b, stride, pad, k, mode, need_input_grad=True):
    conv = Convolution(W, b, stride, pad, need_input_grad=need_input_grad, fast=False)
    return conv, Pooling(k, k, mode=mode, fast=False)


def fused(W, b, stride, pad, k, mode, need_input_grad=True):
    conv = Convolution(W, b, stride, pad, need_input_grad=need_input_grad)
    return conv, ConvPool(conv, Pooling(k, k, mode=mode))


SETTINGS = [  # (C, H, W, F, KH, KW, stride, pad, k): odd sizes leave a last row unpooled
    (1, 28, 28, 5, 5, 5, 1, 0, 2),
    (2, 9, 11, 3, 3, 2, 1, 0, 2),
    (3, 13, 12, 2, 3, 3, 2, 1, 2),
    (2, 17, 16, 3, 4, 4, 1, 2, 3),
    (1, 7, 7, 2, 2, 2, 1, 0, 1),
    (2, 15, 14, 3, 3, 3, 2, 2, 3),
    (1, 6, 6, 1, 6, 6, 1, 0, 1),
]


@pytest.mark.parametrize("need_input_grad", [False, True])
@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("c, h, w, f, kh, kw, stride, pad, k", SETTINGS)
def test_convpool_equals_the_two_layers(c, h, w, f, kh, kw, stride, pad, k, mode, need_input_grad):
    rng = np.random.default_rng(h * 100 + kh * 10 + k)
    x = rng.standard_normal((3, c, h, w))
    W, b = rng.standard_normal((f, c, kh, kw)), rng.standard_normal(f)
    conv_ref, pool_ref = textbook(W, b, stride, pad, k, mode, need_input_grad)
    conv, layer = fused(W, b, stride, pad, k, mode, need_input_grad)
    y_ref = pool_ref.forward(conv_ref.forward(x))
    y = layer.forward(x)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    loops = brute_pool(brute_conv(x, W, b, stride, pad), k, k, 0, mode)
    np.testing.assert_allclose(y, loops, rtol=1e-12)
    dout = rng.standard_normal(y.shape)
    dx_ref, dx = conv_ref.backward(pool_ref.backward(dout)), layer.backward(dout)
    np.testing.assert_allclose(conv.dW, conv_ref.dW, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(conv.db, conv_ref.db, rtol=1e-11, atol=1e-11)
    if need_input_grad:
        np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)
    else:
        assert dx is None and dx_ref is None


def test_convpool_float32_close_to_float64():
    rng = np.random.default_rng(7)
    x = rng.random((20, 1, 28, 28))
    W, b = 0.1 * rng.standard_normal((30, 1, 5, 5)), 0.1 * rng.standard_normal(30)
    conv_ref, pool_ref = textbook(W, b, 1, 0, 2, "max")
    y_ref = pool_ref.forward(conv_ref.forward(x))
    _, layer = fused(W.astype(np.float32), b.astype(np.float32), 1, 0, 2, "max")
    y = layer.forward(x.astype(np.float32))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=1e-5)


def test_ties_go_to_the_first_maximum_like_the_textbook():
    # integer inputs and kernels: every convolution output is exact, so equal values really tie;
    # a zero kernel makes every window of its map a four-way tie
    rng = np.random.default_rng(3)
    x = rng.integers(-1, 2, size=(4, 2, 12, 12)).astype(np.float64)
    W = rng.integers(-1, 2, size=(3, 2, 3, 3)).astype(np.float64)
    W[0] = 0
    b = np.array([0.0, 1.0, -1.0])
    conv_ref, pool_ref = textbook(W, b, 1, 1, 2, "max")
    _, layer = fused(W, b, 1, 1, 2, "max")
    y_ref, y = pool_ref.forward(conv_ref.forward(x)), layer.forward(x)
    np.testing.assert_array_equal(y, y_ref)
    ties = (layer.arg_max == 0) & np.isclose(y.transpose(1, 0, 2, 3), b[:, None, None, None])
    assert ties.sum() > 100  # the test exercises ties
    dout = rng.standard_normal(y.shape)  # a wrong winner would move a gradient of order 1
    dx_ref, dx = conv_ref.backward(pool_ref.backward(dout)), layer.backward(dout)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)


def test_a_nan_wins_its_window_like_the_textbook():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 1, 10, 10))
    x[0, 0, 3, 4] = np.nan
    W, b = rng.standard_normal((2, 1, 3, 3)), rng.standard_normal(2)
    conv_ref, pool_ref = textbook(W, b, 1, 0, 2, "max")
    _, layer = fused(W, b, 1, 0, 2, "max")
    y_ref, y = pool_ref.forward(conv_ref.forward(x)), layer.forward(x)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(y_ref))
    assert np.isnan(y).any()
    dout = rng.standard_normal(y.shape)
    dx_ref, dx = conv_ref.backward(pool_ref.backward(dout)), layer.backward(dout)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)  # same winners


def test_outputs_survive_later_calls_and_batch_sizes_can_change():
    rng = np.random.default_rng(5)
    W, b = rng.standard_normal((3, 1, 3, 3)), rng.standard_normal(3)
    conv_ref, pool_ref = textbook(W, b, 1, 0, 2, "max")
    _, layer = fused(W, b, 1, 0, 2, "max")
    x1, x2 = rng.standard_normal((4, 1, 8, 8)), rng.standard_normal((2, 1, 8, 8))
    y1 = layer.forward(x1)
    y1_copy = y1.copy()
    layer.forward(x2)
    y3 = layer.forward(x1[:2] * 3)  # same shape as x2: the buffers are reused
    np.testing.assert_array_equal(y1, y1_copy)
    np.testing.assert_allclose(y3, pool_ref.forward(conv_ref.forward(x1[:2] * 3)), rtol=1e-12)
    dout = rng.standard_normal(y3.shape)
    np.testing.assert_allclose(
        layer.backward(dout), conv_ref.backward(pool_ref.backward(dout)), rtol=1e-12, atol=1e-12
    )


def test_textbook_route_is_the_two_layers():
    rng = np.random.default_rng(6)
    W, b = rng.standard_normal((2, 1, 3, 3)), rng.standard_normal(2)
    conv = Convolution(W, b, fast=False)
    pool = Pooling(2, 2, fast=False)
    layer = ConvPool(conv, pool, fast=False)
    x = rng.standard_normal((2, 1, 9, 9))
    y = layer.forward(x)
    assert pool.arg_max is not None  # the pooling layer itself ran
    dout = rng.standard_normal(y.shape)
    dx = layer.backward(dout)
    conv2, pool2 = textbook(W, b, 1, 0, 2, "max")
    np.testing.assert_array_equal(y, pool2.forward(conv2.forward(x)))
    np.testing.assert_array_equal(dx, conv2.backward(pool2.backward(dout)))
    np.testing.assert_array_equal(conv.dW, conv2.dW)


def test_fast_network_runs_convpool_and_matches_the_textbook_network():
    kwargs = {"input_dim": (1, 14, 14), "hidden_size": 6, "output_size": 3, "dtype": np.float64}
    kwargs["conv_param"] = {"filter_num": 4, "filter_size": 3, "pad": 1, "stride": 1}
    fast, slow = SimpleConvNet(**kwargs), SimpleConvNet(**kwargs, fast=False)
    assert fast.order[0] == "ConvPool1" and fast.layers["ConvPool1"].conv is fast.layers["Conv1"]
    assert "ConvPool1" not in slow.layers
    rng = np.random.default_rng(8)
    x, t = rng.standard_normal((5, 1, 14, 14)), rng.integers(0, 3, 5)
    g_fast, g_slow = fast.gradient(x, t), slow.gradient(x, t)
    for key in g_slow:
        np.testing.assert_allclose(g_fast[key], g_slow[key], rtol=1e-10, atol=1e-12)


# ---- bad input ---------------------------------------------------------------------------------


def make_conv(c=1):
    return Convolution(np.ones((2, c, 3, 3)), np.zeros(2))


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((Pooling(2, 2), Pooling(2, 2)), TypeError, "conv must be a Convolution"),
        ((make_conv(), make_conv()), TypeError, "pool must be a Pooling"),
        ((make_conv(), Pooling(2, 2, stride=1)), ValueError, "tile the maps"),
        ((make_conv(), Pooling(2, 3, stride=2)), ValueError, "tile the maps"),
        ((make_conv(), Pooling(2, 2, pad=1)), ValueError, "pad=0"),
    ],
)
def test_convpool_rejects_layers_it_cannot_fuse(args, error, match):
    with pytest.raises(error, match=match):
        ConvPool(*args)


def test_convpool_rejects_bad_input():
    layer = ConvPool(make_conv(c=2), Pooling(2, 2))
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.zeros((1, 2, 2, 2)))
    with pytest.raises(ValueError, match="channels"):
        layer.forward(np.zeros((1, 1, 8, 8)))
    with pytest.raises(ValueError, match="pooling window does not fit"):
        layer.forward(np.zeros((1, 2, 3, 3)))  # a 1 x 1 map
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        layer.forward(np.zeros((2, 8, 8)))
    with pytest.raises(TypeError):
        layer.forward(np.zeros((1, 2, 8, 8), dtype=complex))
    y = layer.forward(np.zeros((1, 2, 8, 8)))
    with pytest.raises(ValueError, match="shape"):
        layer.backward(np.zeros((1, 2, 2, 2)))
    assert y.shape == (1, 2, 3, 3)


@pytest.mark.parametrize("x_dtype, w_dtype", [(np.float32, np.float64), (np.float64, np.float32)])
def test_mixed_dtypes_follow_the_textbook(x_dtype, w_dtype):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 2, 9, 9)).astype(x_dtype)
    W = rng.standard_normal((3, 2, 3, 3)).astype(w_dtype)
    b = rng.standard_normal(3).astype(w_dtype)
    conv_ref, pool_ref = textbook(W, b, 1, 1, 2, "max")
    conv, layer = fused(W, b, 1, 1, 2, "max")
    y_ref, y = pool_ref.forward(conv_ref.forward(x)), layer.forward(x)
    assert y.dtype == y_ref.dtype == np.float64
    np.testing.assert_allclose(y, y_ref, rtol=1e-6, atol=1e-6)
    dout = rng.standard_normal(y.shape)
    dx_ref, dx = conv_ref.backward(pool_ref.backward(dout)), layer.backward(dout)
    assert dx.dtype == dx_ref.dtype and conv.dW.dtype == conv_ref.dW.dtype
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(conv.dW, conv_ref.dW, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("f", [46, 47])  # 46 * 26 <= 1200 < 47 * 26: dW in blocks, then in one
def test_weight_gradient_in_blocks_and_in_one_product(f):
    rng = np.random.default_rng(f)
    x = rng.standard_normal((4, 1, 28, 28))
    W, b = rng.standard_normal((f, 1, 5, 5)), rng.standard_normal(f)
    conv_ref, pool_ref = textbook(W, b, 1, 0, 2, "max")
    conv, layer = fused(W, b, 1, 0, 2, "max")
    y = layer.forward(x)
    np.testing.assert_allclose(y, pool_ref.forward(conv_ref.forward(x)), rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(y.shape)
    conv_ref.backward(pool_ref.backward(dout))
    layer.backward(dout)
    np.testing.assert_allclose(conv.dW, conv_ref.dW, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(conv.db, conv_ref.db, rtol=1e-11, atol=1e-11)
