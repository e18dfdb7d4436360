"""Trainer: sampling without replacement, seeded runs, history, checkpoints and resuming."""

import numpy as np
import pytest

from cnnbook.nn import SGD, SimpleConvNet, Trainer

NET = {
    "input_dim": (1, 8, 8),
    "conv_param": {"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1},
    "hidden_size": 6,
    "output_size": 3,
    "weight_init_std": "he",
    "seed": 0,
}


def data(n=45, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 1, 8, 8), dtype=np.float32)
    t = rng.integers(0, 3, n)
    return x, t


class Recorder:
    """A stand-in network recording which examples each step sees."""

    def __init__(self):
        self.params = {"w": np.zeros(1)}
        self.batches = []
        self.last_loss = None

    def gradient(self, x, t):
        self.batches.append(x[:, 0].copy())
        self.last_loss = 0.0
        return {"w": np.zeros(1)}

    def accuracy(self, x, t):
        return 0.5


def test_each_epoch_visits_every_example_once_in_a_seeded_order():
    x = np.arange(23, dtype=np.float64).reshape(23, 1)
    t = np.zeros(23, dtype=int)
    runs = []
    for _ in range(2):
        net = Recorder()
        Trainer(
            net, x, t, x, t, epochs=3, batch_size=5, optimizer=SGD(), seed=4, verbose=False
        ).train()
        runs.append(net.batches)
    a, b = runs
    assert [len(batch) for batch in a] == [5, 5, 5, 5, 3] * 3
    for epoch in range(3):
        seen = np.concatenate(a[5 * epoch : 5 * epoch + 5])
        assert sorted(seen.tolist()) == list(range(23))  # without replacement
        assert seen.tolist() != list(range(23))  # shuffled
    assert all(np.array_equal(p, q) for p, q in zip(a, b))  # same seed, same order
    assert not np.array_equal(
        np.concatenate(a[:5]), np.concatenate(a[5:10])
    )  # new order each epoch


def test_history_and_learning():
    x, t = data(60)
    trainer = Trainer(
        SimpleConvNet(**NET),
        x,
        t,
        x[:20],
        t[:20],
        epochs=4,
        batch_size=10,
        optimizer_param={"lr": 0.01},
        verbose=False,
        train_acc_size=30,
    )
    history = trainer.train()
    assert len(history["train_loss"]) == 4 * 6
    assert len(history["test_acc"]) == len(history["train_acc"]) == len(history["epoch_time"]) == 4
    assert np.mean(history["train_loss"][-6:]) < np.mean(history["train_loss"][:6])
    assert len(trainer.train_acc_index) == 30 and len(set(trainer.train_acc_index.tolist())) == 30
    net = trainer.network
    assert history["test_acc"][-1] == pytest.approx(
        np.mean(net.predict(x[:20]).argmax(1) == t[:20])
    )


def run(epochs, checkpoint=None, seed=0):
    x, t = data()
    net = SimpleConvNet(**{**NET, "seed": seed})
    trainer = Trainer(
        net, x, t, x, t, epochs=epochs, batch_size=7, seed=3, verbose=False, checkpoint=checkpoint
    )
    return net, trainer.train()


def test_seeded_runs_are_bit_identical():
    (a, ha), (b, hb) = run(2), run(2)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    assert ha["train_loss"] == hb["train_loss"]


def test_resume_is_bit_identical_to_an_uninterrupted_run(tmp_path):
    whole, history = run(3)
    path = tmp_path / "ckpt.npz"
    run(1, checkpoint=path)  # "interrupted" after one epoch
    assert path.exists()
    # A fresh process would start from a differently initialised network: the checkpoint wins.
    resumed, resumed_history = run(3, checkpoint=path, seed=99)
    for key in whole.params:
        np.testing.assert_array_equal(resumed.params[key], whole.params[key])
    assert resumed_history["train_loss"] == history["train_loss"]
    assert resumed_history["test_acc"] == history["test_acc"]
    with np.load(path, allow_pickle=False) as saved:
        assert int(saved["epoch"]) == 3


def test_checkpoint_of_another_optimizer_is_refused(tmp_path):
    x, t = data()
    path = tmp_path / "ckpt.npz"
    Trainer(
        SimpleConvNet(**NET), x, t, x, t, epochs=1, batch_size=15, verbose=False, checkpoint=path
    ).train()
    other = Trainer(
        SimpleConvNet(**NET),
        x,
        t,
        x,
        t,
        epochs=2,
        batch_size=15,
        optimizer="sgd",
        verbose=False,
        checkpoint=path,
    )
    with pytest.raises(ValueError, match="written by Adam"):
        other.train()


def test_quiet_when_not_verbose(capsys):
    x, t = data(20)
    Trainer(SimpleConvNet(**NET), x, t, x, t, epochs=1, batch_size=10, verbose=False).train()
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_verbose_reports_epochs(capsys):
    x, t = data(20)
    Trainer(SimpleConvNet(**NET), x, t, x, t, epochs=1, batch_size=10, verbose=True).train()
    assert "epoch 1/1" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"epochs": 0}, "epochs must be >= 1"),
        ({"batch_size": 2.5}, "batch_size must be an integer >= 1"),
        ({"optimizer": "lbfgs"}, "optimizer name must be one of"),
        ({"optimizer": SGD(), "optimizer_param": {"lr": 1.0}}, "optimizer_param only applies"),
        ({"t_train": np.zeros(3, dtype=int)}, "same positive number of examples"),
    ],
)
def test_errors(kwargs, match):
    x, t = data(10)
    args = {"x_train": x, "t_train": t, "x_test": x, "t_test": t, **kwargs}
    with pytest.raises(ValueError, match=match):
        Trainer(SimpleConvNet(**NET), **args)


def test_cosine_schedule_sets_each_steps_rate_and_resumes_bit_identically(tmp_path):
    def cosine_run(epochs, checkpoint=None, interrupt=False):
        x, t = data()
        net = SimpleConvNet(**NET)
        trainer = Trainer(
            net,
            x,
            t,
            x,
            t,
            epochs=epochs,
            batch_size=7,
            seed=3,
            verbose=False,
            optimizer_param={"lr": 0.02},
            lr_schedule="cosine",
            checkpoint=checkpoint,
        )
        if interrupt:  # stop right after the first checkpoint, as a killed process would
            save = trainer.save_checkpoint

            def save_then_stop(path):
                save(path)
                raise KeyboardInterrupt

            trainer.save_checkpoint = save_then_stop
            with pytest.raises(KeyboardInterrupt):
                trainer.train()
            return None
        return net, trainer, trainer.train()

    net, trainer, history = cosine_run(3)
    total = 3 * trainer.steps_per_epoch
    # Cosine decay written out independently: lr_k = lr_0 (1 + cos(pi k / K)) / 2.
    expected = [0.02 * 0.5 * (1 + np.cos(np.pi * k / total)) for k in range(total)]
    np.testing.assert_allclose(history["lr"], expected, rtol=1e-12)
    assert history["lr"][0] == 0.02 and history["lr"][-1] < 0.02 * 0.01
    path = tmp_path / "ck.npz"
    cosine_run(3, checkpoint=path, interrupt=True)
    with np.load(path) as saved:
        assert int(saved["epoch"]) == 1
    resumed, _, resumed_history = cosine_run(3, checkpoint=path)
    for key in net.params:
        np.testing.assert_array_equal(resumed.params[key], net.params[key])
    assert resumed_history["lr"] == history["lr"]


def test_constant_schedule_keeps_the_optimizers_rate():
    x, t = data(20)
    history = Trainer(
        SimpleConvNet(**NET),
        x,
        t,
        x,
        t,
        epochs=2,
        batch_size=10,
        verbose=False,
        optimizer=SGD(lr=0.05),
    ).train()
    assert history["lr"] == [0.05] * 4


def test_checkpoint_write_is_atomic_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    x, t = data(20)
    path = tmp_path / "ck.npz"

    def trainer(epochs):
        return Trainer(
            SimpleConvNet(**NET),
            x,
            t,
            x,
            t,
            epochs=epochs,
            batch_size=10,
            verbose=False,
            checkpoint=path,
        )

    trainer(1).train()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.npz"]
    good = path.read_bytes()

    def broken_savez(file, **arrays):
        file.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        trainer(2).train()
    assert path.read_bytes() == good  # the previous good checkpoint survives
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.npz"]


def _checkpoint(tmp_path, **changes):
    """A real checkpoint after one epoch, with some arrays replaced (None removes one)."""
    x, t = data(20)
    path = tmp_path / "ck.npz"
    Trainer(
        SimpleConvNet(**NET), x, t, x, t, epochs=1, batch_size=10, verbose=False, checkpoint=path
    ).train()
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    for key, value in changes.items():
        key = key.replace("__", "/")
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"optimizer": None}, "lacks optimizer"),
        ({"rng": None}, "lacks rng"),
        ({"epoch": np.array(99)}, "epoch must be an integer from 0 to epochs=3"),
        ({"epoch": np.array(-5)}, "epoch must be an integer from 0 to epochs=3"),
        ({"epoch": np.array(1.5)}, "epoch must be an integer"),
        ({"param__W1": np.full((2, 1, 3, 3), np.nan, np.float32)}, "W1 must hold floating-point"),
        ({"param__W1": np.full((2, 1, 3, 3), 1e300)}, "W1 must hold floating-point values finite"),
        ({"param__W1": np.ones((2, 1, 3, 3), dtype=np.int64)}, "W1 must hold floating-point"),
        ({"param__W1": np.ones((3, 1, 3, 3), np.float32)}, "W1 has shape"),
    ],
)
def test_bad_checkpoints_are_refused_before_anything_changes(tmp_path, changes, match):
    path = _checkpoint(tmp_path, **changes)
    x, t = data(20)
    net = SimpleConvNet(**NET)
    before = {k: v.copy() for k, v in net.params.items()}
    trainer = Trainer(net, x, t, x, t, epochs=3, batch_size=10, verbose=False, checkpoint=path)
    with pytest.raises(ValueError, match=match) as info:
        trainer.train()
    assert str(path) in str(info.value)
    for key in before:
        np.testing.assert_array_equal(net.params[key], before[key])


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated", b"plain text"])
def test_unreadable_checkpoints_are_refused(tmp_path, content):
    path = tmp_path / "ck.npz"
    path.write_bytes(content)
    x, t = data(20)
    trainer = Trainer(
        SimpleConvNet(**NET), x, t, x, t, epochs=1, batch_size=10, verbose=False, checkpoint=path
    )
    with pytest.raises(ValueError, match="not a readable .npz file") as info:
        trainer.train()
    assert str(path) in str(info.value)


def test_a_single_npy_array_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "ck.npz"
    with open(path, "wb") as f:
        np.save(f, np.zeros(3))
    x, t = data(20)
    trainer = Trainer(
        SimpleConvNet(**NET), x, t, x, t, epochs=1, batch_size=10, verbose=False, checkpoint=path
    )
    with pytest.raises(ValueError, match="single .npy array"):
        trainer.train()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"optimizer": 5}, TypeError, "optimizer must be an Optimizer"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"seed": 1.5}, TypeError, "seed must be an integer"),
        ({"lr_schedule": "step"}, ValueError, "lr_schedule must be one of"),
    ],
)
def test_argument_errors_are_raised_at_construction(kwargs, error, match):
    x, t = data(10)
    with pytest.raises(error, match=match):
        Trainer(SimpleConvNet(**NET), x, t, x, t, **kwargs)
