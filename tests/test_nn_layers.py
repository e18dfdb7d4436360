"""Layers against brute-force loops and finite differences (float64), plus the reference defects."""

import numpy as np
import pytest

from cnnbook.nn import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss, softmax
from cnnbook.nn.gradcheck import check_layer, numerical_gradient, relative_error

rng = np.random.default_rng(12345)


def brute_conv(x, W, b, stride, pad):
    n, _, h, w = x.shape
    f, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    out = np.empty((n, f, oh, ow))
    for b_ in range(n):
        for k in range(f):
            for i in range(oh):
                for j in range(ow):
                    window = xp[b_, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
                    out[b_, k, i, j] = np.sum(window * W[k]) + b[k]
    return out


def brute_pool(x, k, stride, pad, mode):
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * pad, w + 2 * pad), -np.inf if mode == "max" else 0.0)
    xp[:, :, pad : pad + h, pad : pad + w] = x
    oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    out = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
            out[:, :, i, j] = (
                window.max(axis=(2, 3)) if mode == "max" else window.sum(axis=(2, 3)) / k**2
            )
    return out


CONV_CASES = [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2)]


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("stride, pad", CONV_CASES)
def test_convolution_forward_matches_loops(stride, pad, fast):
    x, W, b = (
        rng.standard_normal((2, 3, 7, 8)),
        rng.standard_normal((4, 3, 3, 2)),
        rng.standard_normal(4),
    )
    out = Convolution(W, b, stride, pad, fast=fast).forward(x)
    np.testing.assert_allclose(out, brute_conv(x, W, b, stride, pad), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("stride, pad", CONV_CASES)
def test_convolution_gradients_finite_differences(stride, pad, fast):
    layer = Convolution(
        rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3), stride, pad, fast=fast
    )
    errors = check_layer(layer, rng.standard_normal((2, 2, 6, 5)))
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < 1e-6, errors


POOL_CASES = [(2, None, 0), (2, 2, 1), (3, 2, 1), (3, 1, 0), (3, 3, 1), (2, 1, 1)]


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("k, stride, pad", POOL_CASES)
def test_pooling_forward_matches_loops_with_padding(k, stride, pad, mode, fast):
    x = rng.standard_normal((2, 3, 7, 6)) - 5.0  # all negative: a zero pad would win a max
    out = Pooling(k, k, stride, pad, mode, fast=fast).forward(x)
    np.testing.assert_allclose(out, brute_pool(x, k, stride or k, pad, mode), rtol=1e-12)
    assert out.shape[2:] == (
        (7 + 2 * pad - k) // (stride or k) + 1,
        (6 + 2 * pad - k) // (stride or k) + 1,
    )


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("k, stride, pad", POOL_CASES)
def test_pooling_gradients_finite_differences(k, stride, pad, mode, fast):
    x = rng.permutation(2 * 2 * 6 * 5).reshape(2, 2, 6, 5) * 0.1  # distinct values: no ties
    errors = check_layer(Pooling(k, k, stride, pad, mode, fast=fast), x)
    assert errors["x"] < 1e-6, errors


@pytest.mark.parametrize("fast", [True, False])
def test_max_pooling_ties_go_to_the_first_maximum(fast):
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 2:, 2:] = [[3.0, 3.0], [3.0, 1.0]]
    layer = Pooling(2, 2, fast=fast)
    layer.forward(x)
    dx = layer.backward(np.ones((1, 1, 2, 2)))
    expected = np.zeros((4, 4))
    expected[0, 0] = expected[0, 2] = expected[2, 0] = expected[2, 2] = 1.0
    np.testing.assert_array_equal(dx[0, 0], expected)


def test_relu_and_affine_finite_differences():
    x = rng.standard_normal((3, 2, 2, 3))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink
    assert check_layer(Relu(), x)["x"] < 1e-6
    errors = check_layer(Affine(rng.standard_normal((12, 5)), rng.standard_normal(5)), x)
    assert set(errors) == {"x", "W", "b"} and max(errors.values()) < 1e-6, errors


def test_affine_flattens_and_restores_the_shape():
    x, W, b = (
        rng.standard_normal((2, 3, 2, 2)),
        rng.standard_normal((12, 4)),
        rng.standard_normal(4),
    )
    layer = Affine(W, b)
    np.testing.assert_allclose(layer.forward(x), x.reshape(2, 12) @ W + b)
    assert layer.backward(np.ones((2, 4))).shape == x.shape


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_value_and_gradient(one_hot):
    x = rng.standard_normal((4, 5)) * 3
    labels = np.array([0, 4, 2, 2])
    t = np.eye(5)[labels] if one_hot else labels
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    by_hand = np.mean([np.log(np.sum(np.exp(row))) - row[k] for row, k in zip(x, labels)])
    assert loss == pytest.approx(by_hand, rel=1e-12)
    grad = layer.backward()
    numeric = numerical_gradient(lambda _: SoftmaxWithLoss().forward(x, t), x)
    assert relative_error(grad, numeric) < 1e-6


def test_softmax_is_stable_for_large_scores():
    y = softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(y, [[0.5, 0.5, 0.0]])
    assert np.isfinite(SoftmaxWithLoss().forward(np.array([[1e4, 0.0]]), np.array([1])))


LAYERS = [
    lambda: Convolution(rng.standard_normal((2, 2, 3, 3)), rng.standard_normal(2), 2, 1),
    lambda: Convolution(
        rng.standard_normal((2, 2, 3, 3)), rng.standard_normal(2), 1, 1, fast=False
    ),
    lambda: Pooling(2, 2, pad=1),
    lambda: Pooling(3, 3, 1, 1, mode="avg", fast=False),
    lambda: Relu(),
    lambda: Affine(rng.standard_normal((50, 3)), rng.standard_normal(3)),
]


@pytest.mark.parametrize("make", LAYERS)
def test_forward_and_backward_never_mutate_their_arguments(make):
    layer = make()
    x = rng.standard_normal((2, 2, 5, 5))
    x_copy = x.copy()
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dout_copy = dout.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(dout, dout_copy)
    dx[...] = 123.0  # the returned gradient is not a view of dout
    np.testing.assert_array_equal(dout, dout_copy)


def test_relu_backward_is_not_in_place():
    # The reference implementation sets dout[mask] = 0 in place.
    relu = Relu()
    relu.forward(np.array([-1.0, 2.0]))
    dout = np.array([7.0, 7.0])
    np.testing.assert_array_equal(relu.backward(dout), [0.0, 7.0])
    np.testing.assert_array_equal(dout, [7.0, 7.0])


def test_first_layer_skips_the_input_gradient():
    W, b = rng.standard_normal((2, 1, 3, 3)), rng.standard_normal(2)
    x = rng.standard_normal((2, 1, 5, 5))
    full, first = Convolution(W, b), Convolution(W, b, need_input_grad=False)
    dout = rng.standard_normal(full.forward(x).shape)
    first.forward(x)
    assert full.backward(dout) is not None and first.backward(dout) is None
    np.testing.assert_array_equal(first.dW, full.dW)
    np.testing.assert_array_equal(first.db, full.db)


def test_float32_stays_float32():
    x = rng.standard_normal((2, 1, 6, 6)).astype(np.float32)
    conv = Convolution(
        rng.standard_normal((2, 1, 3, 3)).astype(np.float32), np.zeros(2, np.float32)
    )
    pool = Pooling(2, 2)
    out = pool.forward(conv.forward(x))
    assert out.dtype == np.float32
    assert conv.backward(pool.backward(np.ones_like(out))).dtype == np.float32
    assert conv.dW.dtype == np.float32


W3 = np.ones((2, 3, 3, 3))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: Convolution(np.ones((2, 3, 3)), np.ones(2)),
            ValueError,
            r"W must have shape \(F, C, KH, KW\)",
        ),
        (lambda: Convolution(W3, np.ones(3)), ValueError, r"b must have shape \(F,\)"),
        (lambda: Convolution(W3, np.ones(2), stride=0), ValueError, "stride must be >= 1"),
        (lambda: Convolution(W3, np.ones(2), pad=-1), ValueError, "pad must be >= 0"),
        (lambda: Convolution(W3, np.ones(2), stride=1.5), TypeError, "stride must be an integer"),
        (
            lambda: Convolution(W3, np.ones(2)).forward(np.ones((1, 2, 5, 5))),
            ValueError,
            "channels",
        ),
        (lambda: Convolution(W3, np.ones(2)).forward(np.ones((3, 5, 5))), ValueError, "ndim|shape"),
        (
            lambda: Convolution(W3, np.ones(2)).forward(np.ones((1, 3, 2, 2))),
            ValueError,
            "larger than the padded",
        ),
        (
            lambda: Convolution(W3, np.ones(2)).backward(np.ones((1, 2, 3, 3))),
            RuntimeError,
            "before forward",
        ),
        (lambda: Pooling(2, 2).forward(np.ones((1, 1, 1, 1))), ValueError, "does not fit"),
        (lambda: Pooling(2, 2, pad=2), ValueError, "at most half the window"),
        (lambda: Pooling(3, 3, pad=3), ValueError, "at most half the window"),
        (lambda: Pooling(2, 2, stride=0), ValueError, "stride must be >= 1"),
        (lambda: Pooling(0, 2), ValueError, "pool_h must be >= 1"),
        (lambda: Pooling(2, 2, mode="min"), ValueError, "mode"),
        (lambda: Pooling(2, 3), ValueError, "square window"),
        (lambda: Affine(np.ones((4, 2)), np.ones(3)), ValueError, r"b must have shape \(M,\)"),
        (
            lambda: Affine(np.ones((4, 2)), np.ones(2)).forward(np.ones((3, 5))),
            ValueError,
            "features",
        ),
        (
            lambda: SoftmaxWithLoss().forward(np.ones((2, 3)), np.array([0, 3])),
            ValueError,
            r"\[0, 2\]",
        ),
        (
            lambda: SoftmaxWithLoss().forward(np.ones((2, 3)), np.array([0, -1])),
            ValueError,
            r"\[0, 2\]",
        ),
        (
            lambda: SoftmaxWithLoss().forward(np.ones((2, 3)), np.array([0.0, 1.0])),
            TypeError,
            "integers",
        ),
        (
            lambda: SoftmaxWithLoss().forward(np.ones((2, 3)), np.array([0, 1, 2])),
            ValueError,
            "3 labels for 2",
        ),
        (
            lambda: SoftmaxWithLoss().forward(np.ones((2, 3)), np.ones((2, 4))),
            ValueError,
            "one-hot",
        ),
    ],
)
def test_bad_arguments_give_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_backward_checks_the_gradient_shape():
    layer = Pooling(2, 2)
    layer.forward(np.ones((1, 1, 4, 4)))
    with pytest.raises(
        ValueError, match=r"dout must have the forward output's shape \(1, 1, 2, 2\)"
    ):
        layer.backward(np.ones((1, 1, 4, 4)))
