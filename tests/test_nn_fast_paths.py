"""The fast paths equal the textbook (im2col) paths, forward and backward, for every setting."""

import numpy as np
import pytest

from cnnbook.nn import Convolution, Pooling, SimpleConvNet


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 2e-5)])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("pad", [0, 1, 2])
def test_convolution_fast_equals_textbook(k, stride, pad, dtype, tol):
    rng = np.random.default_rng(100 * k + 10 * stride + pad)
    x = rng.standard_normal((3, 2, 7, 6)).astype(dtype)
    W, b = rng.standard_normal((4, 2, k, k)).astype(dtype), rng.standard_normal(4).astype(dtype)
    fast, slow = Convolution(W, b, stride, pad), Convolution(W, b, stride, pad, fast=False)
    y_fast, y_slow = fast.forward(x), slow.forward(x)
    assert y_fast.dtype == y_slow.dtype == dtype
    np.testing.assert_allclose(y_fast, y_slow, rtol=tol, atol=tol)
    dout = rng.standard_normal(y_fast.shape).astype(dtype)
    np.testing.assert_allclose(fast.backward(dout), slow.backward(dout), rtol=tol, atol=tol)
    np.testing.assert_allclose(fast.dW, slow.dW, rtol=tol, atol=tol * 10)
    np.testing.assert_allclose(fast.db, slow.db, rtol=tol, atol=tol * 10)


POOL_SETTINGS = [  # every window, stride and padding the layer accepts (pad <= k / 2)
    (k, stride, pad)
    for k in (1, 2, 3, 4)
    for stride in (None, 1, 2, 3, 5)
    for pad in range(k // 2 + 1)
]


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("k, stride, pad", POOL_SETTINGS)
def test_pooling_fast_equals_textbook(k, stride, pad, mode):
    rng = np.random.default_rng(1000 * k + 10 * (stride or 0) + pad)
    # small integers: many ties, so the choice of the first maximum is exercised
    x = rng.integers(-3, 4, size=(2, 3, 9, 8)).astype(np.float64)
    fast, slow = Pooling(k, k, stride, pad, mode), Pooling(k, k, stride, pad, mode, fast=False)
    y = fast.forward(x)
    np.testing.assert_allclose(y, slow.forward(x), rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(y.shape)
    np.testing.assert_allclose(fast.backward(dout), slow.backward(dout), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "conv_param",
    [
        {"filter_num": 3, "filter_size": 5, "pad": 0, "stride": 1},
        {"filter_num": 2, "filter_size": 3, "pad": 1, "stride": 2},
    ],
)
def test_network_gradients_fast_equal_textbook(conv_param):
    kwargs = {
        "input_dim": (2, 12, 12),
        "conv_param": conv_param,
        "hidden_size": 7,
        "output_size": 4,
        "weight_init_std": "he",
        "seed": 3,
        "dtype": np.float64,
    }
    fast, slow = SimpleConvNet(**kwargs), SimpleConvNet(**kwargs, fast=False)
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((5, 2, 12, 12)), rng.integers(0, 4, 5)
    g_fast, g_slow = fast.gradient(x, t), slow.gradient(x, t)
    assert fast.last_loss == pytest.approx(slow.last_loss, rel=1e-12)
    for key in g_fast:
        np.testing.assert_allclose(g_fast[key], g_slow[key], rtol=1e-10, atol=1e-12)
