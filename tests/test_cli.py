"""The command line, with tiny synthetic runs."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasets_fakes import env_fixture  # noqa: F401  (fixtures env)

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


def test_parser_defaults_are_the_training_pages_recipe():
    args = build_parser().parse_args(["train"])
    page = (Path(__file__).resolve().parents[1] / "book" / "part2" / "06-training.md").read_text()
    recipe = re.search(
        r"EPOCHS, BATCH, SEED, LR0, SHIFT = (\d+), (\d+), (\d+), ([\de.-]+), (\d+)", page
    )
    assert recipe is not None, "the training page's recipe line changed: update this test"
    epochs, batch, seed, lr0, shift = recipe.groups()
    assert (args.epochs, args.batch_size, args.seed, args.lr, args.max_shift) == (
        int(epochs),
        int(batch),
        int(seed),
        float(lr0),
        int(shift),
    )
    assert 'lr_schedule="cosine"' in page and args.lr_schedule == "cosine"
    assert args.dataset is None


def test_a_shift_as_large_as_the_image_is_refused_before_training(capsys):
    assert main([*TINY, "--epochs", "1", "--max-shift", "30"]) == 2
    assert "max_shift must be smaller than the side" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, named",
    [
        (["--max-shift", "-1"], "--max-shift"),
        (["--max-shift", "1.5"], "--max-shift"),
        (["--lr-schedule", "step"], "--lr-schedule"),
    ],
)
def test_recipe_arguments_are_usage_errors(argv, named, capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", *argv])
    assert info.value.code == 2
    assert named in capsys.readouterr().err


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


# --------------------------------------------------------------------------------------------
# Bad input: one clear line and exit status 2, never a traceback
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, argument, words",
    [
        (["--lr", "inf"], "--lr", "finite"),
        (["--lr", "1e309"], "--lr", "finite"),
        (["--lr", "nan"], "--lr", "finite"),
        (["--lr", "-1"], "--lr", "> 0"),
        (["--lr", "abc"], "--lr", "expected a positive number"),
        (["--seed", "-1"], "--seed", "seed must be >= 0"),
        (["--seed", "1.5"], "--seed", "expected a non-negative integer"),
        (["--epochs", "0"], "--epochs", ">= 1"),
    ],
)
def test_bad_numbers_are_usage_errors_naming_the_argument(argv, argument, words, capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", *argv])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {argument}" in err and words in err
    assert "Traceback" not in err


@pytest.fixture
def no_real_data(tmp_path, monkeypatch):
    """No MNIST or Fashion-MNIST anywhere, no mirrors: the default choice is generated digits."""
    import cnnbook.datasets as ds

    for name in ("mnist", "fashion-mnist"):
        monkeypatch.setitem(ds.MIRRORS, name, ())
        monkeypatch.setitem(ds.SYSTEM_DIRS, name, ())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CNNBOOK_DATA", raising=False)
    monkeypatch.delenv("CNNBOOK_DATASET", raising=False)
    return tmp_path


def one_error_line(capsys, *words):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("cnnbook: error:")
    for word in words:
        assert word in lines[0], lines[0]
    return captured


def test_bogus_cnnbook_dataset_is_one_error_line(no_real_data, monkeypatch, capsys):
    monkeypatch.setenv("CNNBOOK_DATASET", "bogus")
    assert main([*TINY[:1], "--quiet"]) == 2
    one_error_line(capsys, "CNNBOOK_DATASET", "bogus")


def test_symlink_loop_as_cnnbook_data_is_one_error_line(no_real_data, monkeypatch, capsys):
    loop = no_real_data / "loop"
    loop.symlink_to(no_real_data / "loop2")
    (no_real_data / "loop2").symlink_to(loop)
    monkeypatch.setenv("CNNBOOK_DATA", str(loop))
    assert main(["train", "--quiet", "--train-size", "20"]) == 2
    one_error_line(capsys, "CNNBOOK_DATA", str(loop))
    assert main(["data", "--no-download"]) == 2
    one_error_line(capsys, "CNNBOOK_DATA")


def test_garbage_checkpoint_is_one_error_line(tmp_path, capsys):
    ckpt = tmp_path / "ckpt.npz"
    ckpt.write_bytes(b"this is not a checkpoint")
    assert main([*TINY, "--epochs", "1", "--checkpoint", str(ckpt)]) == 2
    captured = one_error_line(capsys, "--checkpoint", str(ckpt))
    assert "final test accuracy" not in captured.out


def test_out_into_a_missing_folder_fails_before_training(tmp_path, monkeypatch, capsys):
    import cnnbook.__main__ as cli

    monkeypatch.setattr(cli, "_load_data", lambda args: pytest.fail("data loaded before --out"))
    out = tmp_path / "missing" / "params.npz"
    assert main([*TINY, "--epochs", "1", "--out", str(out)]) == 2
    one_error_line(capsys, "--out", str(tmp_path / "missing"))


def test_without_mnist_only_the_digits_used_are_drawn(no_real_data, monkeypatch, capsys):
    from cnnbook.datasets import book

    drawn = []
    real = book.synthetic_digits
    monkeypatch.setattr(
        book, "synthetic_digits", lambda n, seed: drawn.append(n) or real(n, seed=seed)
    )
    argv = ["train", "--quiet", "--epochs", "1", "--train-size", "100", "--batch-size", "50"]
    assert main([*argv, "--test-size", "30"]) == 0
    assert drawn == [100, 30]
    out = capsys.readouterr().out
    assert out.startswith("Generated digits (100 training and 30 test images")
    assert "dataset: synthetic (100 training, 30 test images)" in out


def test_data_command_table(env, tmp_path, capsys):
    from cnnbook.__main__ import data_command

    root = env["mnist"].write(tmp_path / "root")
    assert data_command("mnist", str(root), download=False) == 0
    out = capsys.readouterr().out
    assert out.count(" ok ") == 4 and str(root) in out
    assert data_command("all", str(root), download=False) == 1
    out = capsys.readouterr().out
    assert "MISSING" in out and "fashion-mnist" in out
    with pytest.raises(ValueError, match="dataset name must be one of"):
        data_command("svhn", None, download=False)


def test_the_saved_path_reported_is_the_file_written(tmp_path, capsys):
    out = tmp_path / "params.pkl"  # not .npz: the one rule appends it, and the CLI says so
    assert main([*TINY, "--epochs", "1", "--max-shift", "0", "--out", str(out)]) == 0
    written = tmp_path / "params.pkl.npz"
    assert written.is_file() and not out.exists()
    assert f"parameters saved to {written}" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["params.pkl.npz"]
