"""Optimizers against update rules written out in the test, in float64."""

import numpy as np
import pytest

from cnnbook.nn import SGD, AdaGrad, Adam, Momentum, RMSprop, make_optimizer


def reference(name, w, grads, **hp):
    """Independent loop implementation of each rule (textbook form), returning the trajectory."""
    w = w.copy()
    v = np.zeros_like(w)
    m = np.zeros_like(w)
    out = []
    for t, g in enumerate(grads, start=1):
        if name == "sgd":
            w = w - hp["lr"] * g
        elif name == "momentum":  # Deep Learning from Scratch's form: v = mu v - lr g; w += v
            v = hp["momentum"] * v - hp["lr"] * g
            w = w + v
        elif name == "adagrad":
            v = v + g**2
            w = w - hp["lr"] * g / (np.sqrt(v) + hp["eps"])
        elif name == "rmsprop":
            v = hp["decay_rate"] * v + (1 - hp["decay_rate"]) * g**2
            w = w - hp["lr"] * g / (np.sqrt(v) + hp["eps"])
        elif name == "adam":  # Kingma & Ba (2015), Algorithm 1
            m = hp["beta1"] * m + (1 - hp["beta1"]) * g
            v = hp["beta2"] * v + (1 - hp["beta2"]) * g**2
            m_hat, v_hat = m / (1 - hp["beta1"] ** t), v / (1 - hp["beta2"] ** t)
            w = w - hp["lr"] * m_hat / (np.sqrt(v_hat) + hp["eps"])
        out.append(w)
    return out


CASES = [
    ("sgd", SGD, {"lr": 0.1}),
    ("momentum", Momentum, {"lr": 0.05, "momentum": 0.9}),
    ("adagrad", AdaGrad, {"lr": 0.3, "eps": 1e-10}),
    ("rmsprop", RMSprop, {"lr": 0.02, "decay_rate": 0.95, "eps": 1e-8}),
    ("adam", Adam, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8}),
]


@pytest.mark.parametrize("name, cls, hp", CASES)
def test_update_rules(name, cls, hp):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((4, 3))
    grads = [rng.standard_normal((4, 3)) for _ in range(8)]
    params = {"w": w0.copy()}
    array = params["w"]
    opt = cls(**hp)
    for g, expected in zip(grads, reference(name, w0, grads, **hp)):
        opt.update(params, {"w": g})
        np.testing.assert_allclose(params["w"], expected, rtol=1e-12, atol=1e-14)
    assert params["w"] is array  # updated in place


@pytest.mark.parametrize("name, cls, hp", CASES)
def test_float32_stays_float32(name, cls, hp):
    params = {"w": np.ones((3, 3), np.float32), "b": np.zeros(3, np.float32)}
    opt = cls(**hp)
    for _ in range(3):
        opt.update(params, {"w": np.full((3, 3), 0.5, np.float32), "b": np.ones(3, np.float32)})
    assert params["w"].dtype == params["b"].dtype == np.float32
    assert all(a.dtype == np.float32 for k, a in opt.state_dict().items() if k != "t")


@pytest.mark.parametrize("name, cls, hp", CASES)
def test_state_round_trip_continues_identically(name, cls, hp):
    rng = np.random.default_rng(1)
    grads = [{"w": rng.standard_normal(5)} for _ in range(6)]
    a, b = {"w": np.ones(5)}, {"w": np.ones(5)}
    opt_a = cls(**hp)
    for g in grads:
        opt_a.update(a, g)
    opt_b = cls(**hp)
    for g in grads[:3]:
        opt_b.update(b, g)
    opt_c = cls(**hp)
    opt_c.load_state_dict({k: v.copy() for k, v in opt_b.state_dict().items()})
    for g in grads[3:]:
        opt_c.update(b, g)
    np.testing.assert_array_equal(a["w"], b["w"])


def test_make_optimizer_and_errors():
    assert isinstance(make_optimizer("ADAM", lr=0.1), Adam)
    with pytest.raises(ValueError, match="optimizer name must be one of 'sgd', .*, got 'newton'"):
        make_optimizer("newton")
    with pytest.raises(ValueError, match="lr must be > 0"):
        SGD(lr=0)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        Momentum(momentum=1.5)
    with pytest.raises(ValueError, match="beta2"):
        Adam(beta2=1.0)
    with pytest.raises(ValueError, match="same keys"):
        SGD().update({"w": np.ones(2)}, {"v": np.ones(2)})
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape"):
        SGD().update({"w": np.ones(2)}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match="does not belong"):
        SGD().load_state_dict({"t": np.array(1), "m/w": np.ones(2)})
