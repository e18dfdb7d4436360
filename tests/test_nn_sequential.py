"""Sequential: backpropagation through a list of layers, checked against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from cnnbook.nn import SGD, Adam, Affine, Convolution, Pooling, Relu, SimpleConvNet, Trainer
from cnnbook.nn.gradcheck import numerical_gradient, relative_error
from cnnbook.nn.sequential import Sequential


def conv_conv_pool(seed=0, dtype=np.float64, side=8, f=3, classes=4):
    """conv f@3x3 - ReLU - conv f@3x3 - ReLU - max pool 2 - affine, on side x side images."""
    rng = np.random.default_rng(seed)
    w1, w2 = rng.standard_normal((f, 1, 3, 3)), rng.standard_normal((f, f, 3, 3)) / 3
    pooled = f * ((side - 4) // 2) ** 2
    w3 = rng.standard_normal((pooled, classes)) / np.sqrt(pooled)
    layers = [
        Convolution(w1.astype(dtype), (0.1 * rng.standard_normal(f)).astype(dtype)),
        Relu(),
        Convolution(w2.astype(dtype), (0.1 * rng.standard_normal(f)).astype(dtype)),
        Relu(),
        Pooling(2, 2),
        Affine(w3.astype(dtype), np.zeros(classes, dtype)),
    ]
    return Sequential(layers)


def test_params_are_the_layers_arrays_numbered_in_order():
    net = conv_conv_pool()
    owners = [net.layers[i] for i in (0, 2, 5)]
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for k, layer in enumerate(owners, start=1):
        assert net.params[f"W{k}"] is layer.W and net.params[f"b{k}"] is layer.b


def test_gradient_matches_finite_differences():
    net = conv_conv_pool()
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((3, 1, 8, 8)), np.array([0, 3, 1])
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    for key, p in net.params.items():
        numeric = numerical_gradient(lambda _: net.loss(x, t), p)
        assert relative_error(grads[key], numeric) < 1e-6, key


def test_gradient_equals_simpleconvnet_on_its_own_layers():
    ref = SimpleConvNet(
        input_dim=(1, 10, 10),
        conv_param={"filter_num": 3, "filter_size": 3, "pad": 0, "stride": 1},
        hidden_size=5,
        output_size=4,
        weight_init_std="he",
        seed=2,
        dtype=np.float64,
        fast=False,
    )
    net = Sequential([ref.layers[name] for name in ref.order])
    rng = np.random.default_rng(3)
    x, t = rng.random((6, 1, 10, 10)), rng.integers(0, 4, 6)
    expected = {k: v.copy() for k, v in ref.gradient(x, t).items()}
    got = net.gradient(x, t)
    assert net.last_loss == pytest.approx(ref.last_loss, rel=1e-12)
    assert set(got) == set(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-10, atol=1e-12)


def test_sgd_step_moves_the_layers_weights_down_the_gradient():
    net = conv_conv_pool()
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((4, 1, 8, 8)), np.array([0, 1, 2, 3])
    before = {k: v.copy() for k, v in net.params.items()}
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    SGD(lr=0.1).update(net.params, grads)
    for k in before:
        np.testing.assert_allclose(net.params[k], before[k] - 0.1 * grads[k])
    np.testing.assert_array_equal(net.layers[2].W, net.params["W2"])


def test_trainer_learns_a_separable_task():
    # class 0: bright left half, class 1: bright right half, plus noise
    rng = np.random.default_rng(5)
    t = rng.integers(0, 2, 200)
    x = 0.3 * rng.random((200, 1, 8, 8))
    for n, c in enumerate(t):
        x[n, 0, :, 4 * c : 4 * c + 4] += 1.0
    net = conv_conv_pool(dtype=np.float32, classes=2)
    trainer = Trainer(
        net, x, t, x, t, epochs=3, batch_size=20, optimizer=Adam(lr=1e-2), seed=0, verbose=False
    )
    history = trainer.train()
    assert history["test_acc"][-1] == 1.0
    assert np.mean(history["train_loss"][-5:]) < 0.2 * np.mean(history["train_loss"][:5])
    assert net.predict(x[:3]).dtype == np.float32


def test_accuracy_counts_argmax_hits():
    net = conv_conv_pool()
    rng = np.random.default_rng(6)
    x = rng.standard_normal((7, 1, 8, 8))
    scores = net.predict(x, batch_size=2)
    t = rng.integers(0, 4, 7)
    assert net.accuracy(x, t) == pytest.approx(np.mean(scores.argmax(axis=1) == t))
    assert net.accuracy(x, np.eye(4)[t]) == net.accuracy(x, t)


def test_bad_layers_are_rejected():
    with pytest.raises(ValueError, match="at least one layer"):
        Sequential([])
    with pytest.raises(ValueError, match="parameters W and b"):
        Sequential([Relu(), Pooling(2, 2)])
    with pytest.raises(TypeError, match=r"layers\[1\] must have forward and backward"):
        Sequential([Affine(np.ones((2, 2)), np.zeros(2)), object()])
