"""Layers, optimizers and the whole network against PyTorch (skipped when PyTorch is absent)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from cnnbook.nn import (  # noqa: E402  (after the skip when PyTorch is missing)
    SGD,
    AdaGrad,
    Adam,
    Affine,
    Convolution,
    Momentum,
    Pooling,
    Relu,
    RMSprop,
    SimpleConvNet,
    SoftmaxWithLoss,
)

rng = np.random.default_rng(7)


def torch_grads(fn, *arrays, dout):
    """Output of fn(*tensors) and gradients of <output, dout> with respect to each input."""
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*tensors)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), [t.grad.numpy() for t in tensors]


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("stride, pad", [(1, 0), (1, 2), (2, 1), (3, 0)])
def test_convolution(stride, pad, fast):
    x, W, b = (
        rng.standard_normal((2, 3, 9, 8)),
        rng.standard_normal((5, 3, 3, 4)),
        rng.standard_normal(5),
    )
    layer = Convolution(W, b, stride, pad, fast=fast)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    ref, (gx, gW, gb) = torch_grads(
        lambda x, W, b: F.conv2d(x, W, b, stride, pad), x, W, b, dout=dout
    )
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.backward(dout), gx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dW, gW, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.db, gb, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(
    "k, stride, pad", [(2, None, 0), (2, 2, 1), (3, 2, 1), (3, 1, 1), (4, 3, 2)]
)
def test_pooling(k, stride, pad, mode, fast):
    x = rng.integers(-4, 5, size=(2, 3, 9, 10)).astype(np.float64)  # ties, and negative values
    layer = Pooling(k, k, stride, pad, mode, fast=fast)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    if mode == "max":
        fn = lambda x: F.max_pool2d(x, k, stride or k, pad)
    else:
        fn = lambda x: F.avg_pool2d(x, k, stride or k, pad, count_include_pad=True)
    ref, (gx,) = torch_grads(fn, x, dout=dout)
    np.testing.assert_allclose(out, ref, rtol=1e-12)
    np.testing.assert_allclose(layer.backward(dout), gx, rtol=1e-12, atol=1e-14)


def test_relu_affine_softmax():
    x = rng.standard_normal((4, 2, 3, 3))
    relu = Relu()
    out = relu.forward(x)
    dout = rng.standard_normal(out.shape)
    ref, (gx,) = torch_grads(F.relu, x, dout=dout)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(relu.backward(dout), gx)

    W, b = rng.standard_normal((18, 6)), rng.standard_normal(6)
    affine = Affine(W, b)
    out = affine.forward(x)
    dout = rng.standard_normal(out.shape)
    ref, (gx, gW, gb) = torch_grads(lambda x, W, b: x.reshape(4, -1) @ W + b, x, W, b, dout=dout)
    np.testing.assert_allclose(out, ref, rtol=1e-12)
    np.testing.assert_allclose(affine.backward(dout), gx, rtol=1e-12)
    np.testing.assert_allclose(affine.dW, gW, rtol=1e-12)
    np.testing.assert_allclose(affine.db, gb, rtol=1e-12)

    scores, t = rng.standard_normal((5, 6)) * 4, rng.integers(0, 6, 5)
    layer = SoftmaxWithLoss()
    st = torch.tensor(scores, requires_grad=True)
    loss = F.cross_entropy(st, torch.tensor(t))
    loss.backward()
    assert layer.forward(scores, t) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(layer.backward(), st.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda: SGD(lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        (
            lambda: Momentum(lr=0.05, momentum=0.8),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8),
        ),
        (lambda: AdaGrad(lr=0.1), lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-10)),
        (
            lambda: RMSprop(lr=0.01, decay_rate=0.9),
            lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-8),
        ),
        (
            lambda: Adam(lr=0.01),
            lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8),
        ),
    ],
)
def test_optimizers_follow_torch_for_several_steps(ours, theirs):
    w0 = rng.standard_normal((3, 4))
    params = {"w": w0.copy()}
    tw = torch.tensor(w0.copy(), requires_grad=True)
    opt, topt = ours(), theirs([tw])
    for step in range(6):
        g = rng.standard_normal((3, 4))
        opt.update(params, {"w": g})
        tw.grad = torch.tensor(g)
        topt.step()
        np.testing.assert_allclose(
            params["w"], tw.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=f"step {step}"
        )


def torch_net(net):
    p = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    conv = net.config.conv_param

    def forward(x):
        h = F.max_pool2d(F.relu(F.conv2d(x, p["W1"], p["b1"], conv["stride"], conv["pad"])), 2, 2)
        h = F.relu(h.flatten(1) @ p["W2"] + p["b2"])
        return h @ p["W3"] + p["b3"]

    return p, forward


@pytest.mark.parametrize("fast", [True, False])
def test_simple_conv_net_loss_and_gradient(fast):
    net = SimpleConvNet(
        input_dim=(1, 14, 14),
        conv_param={"filter_num": 4, "filter_size": 5, "pad": 1, "stride": 1},
        hidden_size=10,
        output_size=3,
        weight_init_std="he",
        seed=5,
        dtype=np.float64,
        fast=fast,
    )
    x, t = rng.standard_normal((6, 1, 14, 14)), rng.integers(0, 3, 6)
    grads = net.gradient(x, t)
    p, forward = torch_net(net)
    loss = F.cross_entropy(forward(torch.tensor(x)), torch.tensor(t))
    loss.backward()
    assert net.last_loss == pytest.approx(loss.item(), rel=1e-12)
    for key in grads:
        np.testing.assert_allclose(
            grads[key], p[key].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=key
        )


def test_default_network_float32_against_torch():
    net = SimpleConvNet(weight_init_std="he")
    x, t = rng.random((8, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 8)
    grads = net.gradient(x, t)
    p, forward = torch_net(net)
    scores = forward(torch.tensor(x))
    F.cross_entropy(scores, torch.tensor(t)).backward()
    np.testing.assert_allclose(net.predict(x), scores.detach().numpy(), rtol=1e-4, atol=1e-5)
    for key in grads:
        assert grads[key].dtype == np.float32
        np.testing.assert_allclose(
            grads[key], p[key].grad.numpy(), rtol=1e-3, atol=1e-5, err_msg=key
        )


@pytest.mark.parametrize("fast", [True, False])
def test_max_pooling_routes_nan_and_all_minus_inf_windows_like_torch(fast):
    x = rng.standard_normal((1, 2, 6, 6))
    x[0, 0, 1, 1] = np.nan  # a NaN that is not the window's first cell
    x[0, 1, :2, :2] = -np.inf  # a border window whose real cells are all -inf (pad = 1)
    x[0, 1, 4, 5] = np.nan
    for k, stride, pad in [(2, 2, 0), (2, 2, 1), (3, 2, 1), (3, 1, 1)]:
        layer = Pooling(k, k, stride, pad, fast=fast)
        out = layer.forward(x)
        dout = rng.standard_normal(out.shape)
        expected, (dx,) = torch_grads(
            lambda t, k=k, stride=stride, pad=pad: F.max_pool2d(t, k, stride, pad), x, dout=dout
        )
        np.testing.assert_array_equal(np.isnan(out), np.isnan(expected))
        np.testing.assert_allclose(out, expected, rtol=0, atol=0)
        np.testing.assert_allclose(
            layer.backward(dout),
            dx,
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"k={k} stride={stride} pad={pad}",
        )
