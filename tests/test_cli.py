"""The command line, with tiny synthetic runs."""

import subprocess
import sys

import numpy as np
import pytest

from cnnbook.__main__ import build_parser, main
from cnnbook.nn import SimpleConvNet

TINY = [
    "train",
    "--dataset",
    "synthetic",
    "--train-size",
    "200",
    "--test-size",
    "50",
    "--batch-size",
    "50",
    "--quiet",
]


def test_train_summary_and_saved_parameters(tmp_path, capsys):
    out = tmp_path / "params.npz"
    assert main([*TINY, "--epochs", "2", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "synthetic" in text and "final test accuracy" in text and "training time" in text
    accuracy = float(text.split("final test accuracy: ")[1].split()[0])
    net = SimpleConvNet().load_params(out)
    from cnnbook.datasets import synthetic_digits

    x, t = synthetic_digits(50, seed=1)
    assert net.accuracy(x, t) == pytest.approx(accuracy, abs=1e-4)


def test_train_with_checkpoint_resumes(tmp_path, capsys):
    ckpt = tmp_path / "ckpt.npz"
    assert main([*TINY, "--epochs", "1", "--checkpoint", str(ckpt)]) == 0
    assert main([*TINY, "--epochs", "2", "--checkpoint", str(ckpt)]) == 0
    with np.load(ckpt, allow_pickle=False) as saved:
        assert int(saved["epoch"]) == 2
        assert len(saved["history/test_acc"]) == 2


def test_bad_arguments_exit_with_usage(capsys):
    for argv in (["train", "--epochs", "0"], ["train", "--dataset", "cifar"], ["frobnicate"], []):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_data_runs_the_status_table(monkeypatch):
    calls = []
    import cnnbook.__main__

    monkeypatch.setattr(cnnbook.__main__, "data_command", lambda *a: calls.append(a) or 0)
    assert main(["data", "--dataset", "mnist", "--root", "/somewhere", "--no-download"]) == 0
    assert calls == [("mnist", "/somewhere", False)]


def test_parser_defaults():
    args = build_parser().parse_args(["train"])
    assert (args.epochs, args.batch_size, args.lr, args.seed, args.dataset) == (
        5,
        100,
        1e-3,
        0,
        None,
    )


def test_module_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "cnnbook", "--help"],
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "train" in result.stdout and "bench" in result.stdout and "data" in result.stdout
