"""Bad input to cnnbook.nn gets a clear error naming the argument; files are written atomically."""

import os

import numpy as np
import pytest

from cnnbook.nn import (
    SGD,
    Adam,
    Affine,
    Convolution,
    Momentum,
    Pooling,
    SimpleConvNet,
    SoftmaxWithLoss,
    col2im,
    im2col,
    softmax,
)
from cnnbook.nn import net as net_module

SMALL = {
    "input_dim": (1, 8, 8),
    "conv_param": {"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1},
    "hidden_size": 4,
    "output_size": 3,
}


def small_net(**kwargs) -> SimpleConvNet:
    return SimpleConvNet(**{**SMALL, **kwargs})


# --- saving and loading (issue 11) --------------------------------------------------------------


def test_save_params_appends_npz_and_load_params_applies_the_same_rule(tmp_path):
    net = small_net(seed=1)
    written = net.save_params(tmp_path / "params.pkl")
    assert written == tmp_path / "params.pkl.npz" and written.is_file()
    other = small_net(seed=2).load_params(tmp_path / "params.pkl")
    for key in net.params:
        np.testing.assert_array_equal(other.params[key], net.params[key])
    assert net.save_params(str(tmp_path / "p.npz")) == tmp_path / "p.npz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.npz", "params.pkl.npz"]


def test_a_failed_save_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    net = small_net(seed=1)
    path = net.save_params(tmp_path / "params.npz")
    before = path.read_bytes()

    def broken_savez(file, **arrays):
        file.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(net_module.np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        small_net(seed=2).save_params(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["params.npz"]


def test_saved_file_has_the_mode_of_an_ordinary_file(tmp_path):
    umask = os.umask(0o022)
    try:
        path = small_net().save_params(tmp_path / "a")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"W1": np.full((2, 1, 3, 3), np.nan)}, "W1 holds NaN or infinite"),
        ({"b2": np.array([np.inf, 0, 0, 0])}, "b2 holds NaN or infinite"),
        ({"W3": np.full((4, 3), 1e300)}, "W3 holds NaN or infinite .* too large for float32"),
        ({"b1": np.array([1, 2])}, "b1 has dtype int64, expected floating point"),
        ({"W2": np.ones((3, 3))}, r"W2 has shape \(3, 3\)"),
    ],
)
def test_load_params_refuses_bad_arrays_and_changes_nothing(tmp_path, bad, match):
    good = small_net(seed=1)
    arrays = {**{k: v.astype(np.float64) for k, v in good.params.items()}, **bad}
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    target = small_net(seed=2)
    before = {k: v.copy() for k, v in target.params.items()}
    with pytest.raises(ValueError, match=match):
        target.load_params(path)
    for key, value in before.items():
        np.testing.assert_array_equal(target.params[key], value)


def test_load_params_names_the_file_for_unreadable_content(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("not an archive")
    with pytest.raises(ValueError, match="notes.npz: not a readable .npz"):
        small_net().load_params(text)
    single = tmp_path / "single.npz"
    np.save(tmp_path / "single.npy", np.ones(3))
    (tmp_path / "single.npy").rename(single)
    with pytest.raises(ValueError, match="single.npz: not an .npz archive"):
        small_net().load_params(single)
    objects = tmp_path / "objects.npz"
    np.savez(objects, **{k: np.array([None]) for k in net_module.PARAM_KEYS})
    with pytest.raises(ValueError, match="objects.npz: array W1 cannot be read"):
        small_net().load_params(objects)
    truncated = tmp_path / "truncated.npz"
    small_net().save_params(truncated)
    truncated.write_bytes(truncated.read_bytes()[:300])
    with pytest.raises(ValueError, match="truncated.npz"):
        small_net().load_params(truncated)


# --- labels: accuracy checks them exactly as loss does (issue 11) --------------------------------


@pytest.mark.parametrize(
    "t, exc, match",
    [
        ([0, 3], ValueError, r"labels t must lie in \[0, 2\]"),
        ([-1, 0], ValueError, r"labels t must lie in \[0, 2\]"),
        (["a", "b"], TypeError, "labels t must be numeric"),
        (np.eye(4)[[0, 1]], ValueError, r"one-hot rows of shape \(2, 3\)"),
        ([0.0, 1.0], TypeError, "class-index labels t must be integers"),
        ([0], ValueError, "t has 1 labels for 2 examples"),
    ],
)
def test_accuracy_and_loss_refuse_the_same_labels(t, exc, match):
    net, x = small_net(), np.zeros((2, 1, 8, 8))
    with pytest.raises(exc, match=match):
        net.loss(x, t)
    with pytest.raises(exc, match=match):
        net.accuracy(x, t)


def test_a_diverged_network_scores_zero_not_one_hundred_percent():
    net = small_net()
    net.params["W3"][...] = np.nan
    x, t = np.ones((4, 1, 8, 8)), np.zeros(4, dtype=int)
    assert np.isnan(net.predict(x)).all()
    assert net.accuracy(x, t) == 0.0


def test_accuracy_counts_correct_predictions():
    net = small_net(weight_init_std="he", seed=3)
    x = np.random.default_rng(0).standard_normal((20, 1, 8, 8))
    predicted = net.predict(x).argmax(axis=1)
    t = predicted.copy()
    t[:5] = (t[:5] + 1) % 3  # five wrong labels out of twenty
    assert net.accuracy(x, t) == pytest.approx(0.75)
    assert net.accuracy(x, np.eye(3)[t]) == pytest.approx(0.75)


# --- degenerate networks and bad constructor arguments (issue 13) -------------------------------


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        ({"input_dim": (0, 8, 8)}, ValueError, r"input_dim\[0\]"),
        ({"input_dim": 28}, ValueError, "input_dim"),
        ({"conv_param": {**SMALL["conv_param"], "filter_num": 0}}, ValueError, "filter_num"),
        ({"output_size": 0}, ValueError, "output_size"),
        ({"output_size": 1}, ValueError, "output_size"),
        ({"hidden_size": 0}, ValueError, "hidden_size"),
        ({"hidden_size": -1}, ValueError, "hidden_size"),
        ({"weight_init_std": np.inf}, ValueError, "weight_init_std"),
        ({"weight_init_std": True}, TypeError, "weight_init_std"),
        ({"weight_init_std": "glorot"}, ValueError, "weight_init_std"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"seed": "x"}, TypeError, "seed"),
    ],
)
def test_degenerate_networks_are_refused(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        small_net(**kwargs)


def test_config_is_public_and_read_only():
    net = small_net(weight_init_std="he", seed=4)
    assert net.config.conv_param == SMALL["conv_param"]
    assert net.config.hidden_size == 4 and net.config.seed == 4
    with pytest.raises(AttributeError):
        net.config.seed = 5
    twin = SimpleConvNet(**net.config.kwargs())
    for key in net.params:
        np.testing.assert_array_equal(twin.params[key], net.params[key])


# --- complex, empty and malformed input (issue 13) ----------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: small_net().predict(np.ones((1, 1, 8, 8), dtype=complex)),
        lambda: SGD().update({"w": np.ones(2)}, {"w": np.ones(2) * 1j}),
        lambda: SoftmaxWithLoss().forward(np.ones((2, 3), dtype=complex), [0, 1]),
        lambda: im2col(np.ones((1, 1, 3, 3), dtype=complex), 2, 2),
        lambda: Convolution(np.ones((1, 1, 2, 2)), np.zeros(1)).forward(
            np.ones((1, 1, 3, 3), dtype=complex)
        ),
        lambda: Pooling(2, 2).forward(np.ones((1, 1, 2, 2), dtype=complex)),
        lambda: softmax(np.array([1 + 1j])),
    ],
)
def test_complex_input_is_refused(call):
    with pytest.raises(TypeError, match="must be real"):
        call()


def test_softmax_with_loss_refuses_what_has_no_loss():
    layer = SoftmaxWithLoss()
    with pytest.raises(ValueError, match="x must not be empty"):
        layer.forward(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="label rows t must be probabilities"):
        layer.forward(np.zeros((2, 3)), np.array([[2.0, -1.0, 0.0], [1.0, 0.0, 0.0]]))
    with pytest.raises(ValueError, match="x must be finite"):
        layer.forward(np.array([[np.inf, 0.0, 0.0]]), [0])
    with pytest.raises(ValueError, match="x must hold at least one score"):
        softmax(5.0)
    with pytest.raises(ValueError, match="x must hold at least one score"):
        softmax([])
    # a soft label row is a probability distribution too: accepted
    assert layer.forward(np.zeros((1, 2)), np.array([[0.5, 0.5]])) == pytest.approx(np.log(2))


def test_empty_batches_are_refused_naming_x():
    with pytest.raises(ValueError, match="x must not be empty"):
        small_net().predict(np.zeros((0, 1, 8, 8)))
    with pytest.raises(ValueError, match="x must not be empty"):
        Affine(np.ones((3, 2)), np.zeros(2)).forward(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="x must not be empty"):
        im2col(np.zeros((1, 1, 0, 5)), 3, 3)  # a 0-high image: the message names x, not "n"


def test_col2im_checks_x_shape():
    col = np.ones((4, 9))
    with pytest.raises(TypeError, match="x_shape must be a tuple"):
        col2im(col, None, 3, 3)
    with pytest.raises(ValueError, match="x_shape must be"):
        col2im(col, (1, 4, 4), 3, 3)
    with pytest.raises(ValueError, match=r"x_shape\[2\] must be >= 1"):
        col2im(col, (1, 1, 0, 4), 3, 3)


def test_affine_keeps_a_reference_to_its_input_as_documented():
    # The docstring says forward keeps a reference, not a copy: dW is computed from the input
    # as it is when backward runs. This pins that documented contract.
    layer = Affine(np.ones((2, 1)), np.zeros(1))
    x = np.array([[1.0, 2.0]])
    layer.forward(x)
    x *= 10
    layer.backward(np.ones((1, 1)))
    np.testing.assert_array_equal(layer.dW, [[10.0], [20.0]])
    assert "keeps a *reference*" in Affine.__doc__


# --- optimizer state (issue 13) ------------------------------------------------------------------


def test_load_state_dict_refuses_empty_or_inconsistent_state():
    with pytest.raises(ValueError, match="step count 't'"):
        Adam().load_state_dict({})
    with pytest.raises(ValueError, match=r"state\['t'\] must be"):
        Adam().load_state_dict({"t": np.array(1.5), "m/w": np.ones(2), "v/w": np.ones(2)})
    with pytest.raises(ValueError, match="must hold the same parameters"):
        Adam().load_state_dict({"t": np.array(1), "m/w": np.ones(2)})
    with pytest.raises(ValueError, match="does not belong to Momentum"):
        Momentum().load_state_dict({"t": np.array(1), "m/w": np.ones(2)})
    with pytest.raises(TypeError, match=r"state\['v/w'\] must be real"):
        Momentum().load_state_dict({"t": np.array(1), "v/w": np.ones(2) * 1j})


def test_wrong_shaped_state_is_refused_before_any_update():
    opt = Momentum()
    opt.load_state_dict({"t": np.array(1), "v/w": np.ones(3)})
    p = {"w": np.ones(2)}
    with pytest.raises(ValueError, match=r"state v/w has shape \(3,\), params\['w'\] has \(2,\)"):
        opt.update(p, {"w": np.ones(2)})
    np.testing.assert_array_equal(p["w"], np.ones(2))
    assert opt.t == 1


def test_update_names_bad_params_and_grads():
    with pytest.raises(TypeError, match=r"params\['a'\] must be a floating-point numpy array"):
        SGD().update({"a": [1.0, 2.0]}, {"a": [1.0, 2.0]})
    with pytest.raises(TypeError, match=r"grads\['a'\] must be a real numeric array"):
        SGD().update({"a": np.ones(2)}, {"a": np.array(["x", "y"])})


def test_layers_refuse_empty_parameters():
    with pytest.raises(ValueError, match="W must not be empty"):
        Convolution(np.zeros((0, 1, 3, 3)), np.zeros(0))
    with pytest.raises(ValueError, match="W must not be empty"):
        Affine(np.zeros((3, 0)), np.zeros(0))
    with pytest.raises(ValueError, match=r"W must have shape \(F, C, KH, KW\)"):
        Convolution(np.zeros((2, 3, 3)), np.zeros(2))
