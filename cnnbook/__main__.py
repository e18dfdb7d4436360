"""The command line: ``python -m cnnbook {train,data,bench}`` (also installed as ``cnnbook``).

``train``
    trains :class:`cnnbook.nn.SimpleConvNet` on MNIST, Fashion-MNIST or generated digits, with a
    progress bar, optional checkpoints and a final summary (dataset and why, accuracy, time).
``data``
    finds, downloads and verifies the datasets (:func:`cnnbook.datasets.data_command`).
``bench``
    speed comparisons (:mod:`cnnbook.nn.bench`).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

__all__ = ["build_parser", "main"]

DATASETS = ("mnist", "fashion-mnist", "synthetic")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m cnnbook``.

    Examples
    --------
    >>> build_parser().parse_args(["train", "--epochs", "2"]).epochs
    2
    """
    parser = argparse.ArgumentParser(
        prog="cnnbook",
        description="The code of the book 'What is Convolution?': train the toy CNN, "
        "fetch and verify its datasets, measure its speed.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train SimpleConvNet and report its test accuracy")
    train.add_argument(
        "--dataset",
        choices=DATASETS,
        default=None,
        help="default: $CNNBOOK_DATASET, else MNIST, else Fashion-MNIST, else synthetic",
    )
    train.add_argument("--root", default=None, help="folder searched first for the dataset files")
    train.add_argument("--epochs", type=_positive_int, default=5)
    train.add_argument("--batch-size", type=_positive_int, default=100)
    train.add_argument("--lr", type=_positive_float, default=1e-3, help="Adam's learning rate")
    train.add_argument("--seed", type=int, default=0, help="seed of the weights and the shuffling")
    train.add_argument(
        "--train-size",
        type=_positive_int,
        default=None,
        help="use only the first N training images (quick runs)",
    )
    train.add_argument(
        "--test-size", type=_positive_int, default=None, help="use only the first N test images"
    )
    train.add_argument("--out", default=None, help="save the trained parameters to this .npz file")
    train.add_argument(
        "--checkpoint",
        default=None,
        help=".npz written after each epoch; an existing one is resumed",
    )
    bar = train.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress",
        dest="verbose",
        action="store_true",
        default=None,
        help="always show the progress bar",
    )
    bar.add_argument(
        "--quiet",
        dest="verbose",
        action="store_false",
        help="no progress bar (default: shown on a terminal)",
    )

    data = sub.add_parser("data", help="find, download and verify the datasets")
    data.add_argument("--dataset", choices=("mnist", "fashion-mnist", "all"), default="all")
    data.add_argument("--root", default=None, help="folder searched first")
    data.add_argument(
        "--no-download",
        dest="download",
        action="store_false",
        help="only look for files already present",
    )

    bench = sub.add_parser("bench", help="speed of the NumPy CNN (against PyTorch if installed)")
    bench.add_argument("--rounds", type=_positive_int, default=30, help="interleaved rounds")
    bench.add_argument(
        "--no-torch", dest="torch", action="store_false", help="skip the PyTorch comparison"
    )
    return parser


def _load_data(args: argparse.Namespace):
    """Images and labels for ``train``, with a sentence saying which data and why."""
    from cnnbook import datasets

    if args.dataset == "synthetic" and (args.train_size or args.test_size):
        n_train, n_test = args.train_size or 60_000, args.test_size or 10_000
        x_train, t_train = datasets.synthetic_digits(n_train, seed=0)
        x_test, t_test = datasets.synthetic_digits(n_test, seed=1)
        return (
            "synthetic",
            x_train,
            t_train,
            x_test,
            t_test,
            (
                f"Dataset 'synthetic' was asked for. "
                f"Using {n_train:,} + {n_test:,} synthetic digits "
                "(synthetic_digits, seeds 0 and 1)."
            ),
        )
    data = datasets.book_dataset(args.dataset, root=args.root)
    x_train, t_train, x_test, t_test = data.x_train, data.t_train, data.x_test, data.t_test
    if args.train_size:
        x_train, t_train = x_train[: args.train_size], t_train[: args.train_size]
    if args.test_size:
        x_test, t_test = x_test[: args.test_size], t_test[: args.test_size]
    return data.name, x_train, t_train, x_test, t_test, data.reason


def _train(args: argparse.Namespace) -> int:
    from cnnbook.datasets import DatasetNotFoundError
    from cnnbook.nn import SimpleConvNet, Trainer

    try:
        name, x_train, t_train, x_test, t_test, reason = _load_data(args)
    except DatasetNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(reason, flush=True)
    network = SimpleConvNet(input_dim=x_train.shape[1:], weight_init_std="he", seed=args.seed)
    trainer = Trainer(
        network,
        x_train,
        t_train,
        x_test,
        t_test,
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer="adam",
        optimizer_param={"lr": args.lr},
        seed=args.seed,
        verbose=args.verbose,
        checkpoint=args.checkpoint,
    )
    start = time.perf_counter()
    history = trainer.train()
    elapsed = time.perf_counter() - start
    if args.out:
        network.save_params(args.out)
    print(f"dataset: {name} ({len(x_train):,} training, {len(x_test):,} test images)")
    print(
        f"recipe: SimpleConvNet (He init, seed {args.seed}), Adam lr {args.lr:g}, "
        f"batch {args.batch_size}, {args.epochs} epochs"
    )
    print("test accuracy per epoch: " + ", ".join(f"{a:.4f}" for a in history["test_acc"]))
    print(f"final test accuracy: {history['test_acc'][-1]:.4f}")
    print(
        f"training time: {elapsed:.1f} s in this run "
        f"({sum(history['epoch_time']):.1f} s over all {len(history['epoch_time'])} epochs)"
    )
    if args.out:
        print(f"parameters saved to {args.out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success.

    Examples
    --------
    >>> main(["train", "--dataset", "synthetic", "--epochs", "1",
    ...       "--train-size", "200", "--test-size", "100", "--quiet"])  # doctest: +ELLIPSIS
    Dataset 'synthetic' was asked for. Using 200 + 100 synthetic digits ...
    dataset: synthetic (200 training, 100 test images)
    recipe: SimpleConvNet (He init, seed 0), Adam lr 0.001, batch 100, 1 epochs
    ...
    final test accuracy: 0...
    training time: ...
    0
    """
    args = build_parser().parse_args(argv)
    if args.command == "train":
        return _train(args)
    if args.command == "data":
        from cnnbook.datasets import data_command

        return data_command(args.dataset, args.root, args.download)
    from cnnbook.nn import bench

    return bench.main(args.rounds, with_torch=args.torch)


if __name__ == "__main__":
    sys.exit(main())
