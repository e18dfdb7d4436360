"""SimpleConvNet: shapes, parameter count, gradient check, determinism, saving and loading."""

import numpy as np
import pytest

from cnnbook.nn import SimpleConvNet
from cnnbook.nn.gradcheck import relative_error

SMALL = {
    "input_dim": (1, 8, 8),
    "conv_param": {"filter_num": 2, "filter_size": 3, "pad": 1, "stride": 1},
    "hidden_size": 5,
    "output_size": 3,
    "weight_init_std": "he",
    "seed": 1,
}


def test_default_parameter_count_is_433890():
    net = SimpleConvNet()
    # conv 30@5x5 on 1 channel; 28-5+1 = 24, pooled to 12; affine 30*12*12 -> 100 -> 10
    by_hand = (30 * 1 * 5 * 5 + 30) + (30 * 12 * 12 * 100 + 100) + (100 * 10 + 10)
    assert by_hand == 433_890
    assert sum(p.size for p in net.params.values()) == by_hand
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (30, 1, 5, 5),
        "b1": (30,),
        "W2": (4320, 100),
        "b2": (100,),
        "W3": (100, 10),
        "b3": (10,),
    }
    assert all(v.dtype == np.float32 for v in net.params.values())


def test_layers_share_the_parameter_arrays():
    net = SimpleConvNet(**SMALL)
    assert net.layers["Conv1"].W is net.params["W1"]
    assert net.layers["Affine2"].b is net.params["b3"]
    textbook = ["Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2"]
    assert list(net.layers) == [*textbook, "ConvPool1"]  # the fast network's fused first stage
    assert list(SimpleConvNet(**SMALL, fast=False).layers) == textbook


def test_initialisation_scales():
    net = SimpleConvNet(weight_init_std=0.01)
    assert np.std(net.params["W2"]) == pytest.approx(0.01, rel=0.01)
    he = SimpleConvNet(weight_init_std="he")
    assert np.std(he.params["W1"]) == pytest.approx(np.sqrt(2 / 25), rel=0.1)
    assert np.std(he.params["W2"]) == pytest.approx(np.sqrt(2 / 4320), rel=0.01)
    assert np.std(he.params["W3"]) == pytest.approx(np.sqrt(2 / 100), rel=0.1)
    assert not he.params["b2"].any()


def test_gradient_matches_numerical_gradient_in_float64():
    net = SimpleConvNet(**SMALL, dtype=np.float64)
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((3, 1, 8, 8)), np.array([0, 2, 1])
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    numeric = net.numerical_gradient(x, t)
    for key in net.params:
        assert relative_error(grads[key], numeric[key]) < 1e-6, key


def test_numerical_gradient_of_a_float32_net_is_computed_in_float64():
    net = SimpleConvNet(**SMALL)
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((2, 1, 8, 8)).astype(np.float32), np.array([1, 2])
    numeric = net.numerical_gradient(x, t)
    assert numeric["W1"].dtype == np.float64
    grads = net.gradient(x, t)
    assert (
        relative_error(grads["W2"], numeric["W2"]) < 1e-4
    )  # float32 backprop vs float64 reference


def test_seeded_networks_are_identical_and_seeds_differ():
    a, b, c = SimpleConvNet(seed=3), SimpleConvNet(seed=3), SimpleConvNet(seed=4)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    rng = np.random.default_rng(0)
    x, t = rng.random((4, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 4)
    ga, gb = a.gradient(x, t), b.gradient(x, t)
    for key in ga:
        np.testing.assert_array_equal(ga[key], gb[key])


def test_predict_in_batches_equals_one_pass_and_accuracy_counts():
    net = SimpleConvNet(**SMALL, dtype=np.float64)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((7, 1, 8, 8))
    whole = net.predict(x, batch_size=100)
    np.testing.assert_allclose(net.predict(x, batch_size=3), whole, rtol=1e-12)
    t = whole.argmax(axis=1)
    t[:2] = (t[:2] + 1) % 3  # two wrong labels out of seven
    assert net.accuracy(x, t) == pytest.approx(5 / 7)
    assert net.accuracy(x, np.eye(3)[t], batch_size=2) == pytest.approx(5 / 7)


def test_loss_is_log_k_for_zero_weights():
    net = SimpleConvNet(**SMALL)
    for p in net.params.values():
        p[...] = 0
    assert net.loss(np.ones((2, 1, 8, 8)), [0, 1]) == pytest.approx(np.log(3), rel=1e-6)


def test_save_and_load_round_trip(tmp_path):
    net = SimpleConvNet(**SMALL)
    path = tmp_path / "params.npz"
    net.save_params(path)
    other = SimpleConvNet(**{**SMALL, "seed": 99})
    W1 = other.params["W1"]
    other.load_params(path)
    assert other.params["W1"] is W1  # loaded in place: the layers still see the arrays
    for key in net.params:
        np.testing.assert_array_equal(other.params[key], net.params[key])
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8))
    np.testing.assert_array_equal(other.predict(x), net.predict(x))


def test_load_rejects_bad_files(tmp_path):
    net = SimpleConvNet(**SMALL)
    good = {k: v for k, v in net.params.items()}
    cases = {
        "missing": ({k: v for k, v in good.items() if k != "b3"}, "expected the arrays"),
        "extra": ({**good, "W4": np.ones(2)}, "expected the arrays"),
        "shape": ({**good, "W2": np.ones((3, 3))}, "W2 has shape"),
        "dtype": ({**good, "b1": np.ones(2, dtype=np.int64)}, "expected floating point"),
    }
    for name, (arrays, message) in cases.items():
        path = tmp_path / f"{name}.npz"
        np.savez(path, **arrays)
        with pytest.raises(ValueError, match=message):
            net.load_params(path)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, **{**good, "W1": np.array([{"evil": 1}], dtype=object)})
    with pytest.raises(ValueError, match="pickle"):
        net.load_params(pickled)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"conv_param": {"filter_num": 2, "filter_size": 3}}, ValueError, "exactly the keys"),
        (
            {"conv_param": {"filter_num": 2, "filter_size": 40, "pad": 0, "stride": 1}},
            ValueError,
            "k = 40",
        ),
        ({"weight_init_std": "xavier"}, ValueError, "he"),
        ({"weight_init_std": -1.0}, ValueError, "weight_init_std must be > 0"),
        ({"hidden_size": 2.5}, TypeError, "hidden_size"),
        ({"input_dim": (28, 28)}, ValueError, "input_dim"),
        ({"dtype": np.int32}, TypeError, "floating-point"),
    ],
)
def test_constructor_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        SimpleConvNet(**kwargs)


def test_input_shape_is_checked():
    net = SimpleConvNet(**SMALL)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 8, 8\)"):
        net.predict(np.ones((2, 1, 9, 8)))
    with pytest.raises(ValueError, match="labels t must lie in"):
        net.loss(np.ones((2, 1, 8, 8)), [0, 3])
