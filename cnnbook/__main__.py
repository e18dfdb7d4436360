"""The command line: ``python -m cnnbook {train,data,bench}`` (also installed as ``cnnbook``).

``train``
    trains :class:`cnnbook.nn.SimpleConvNet` on MNIST, Fashion-MNIST or generated digits, with a
    progress bar, optional checkpoints and a final summary (dataset and why, accuracy, time).
``data``
    finds, downloads and verifies the datasets and prints a status table (:func:`data_command`).
``bench``
    speed comparisons (:mod:`cnnbook.nn.bench`).
"""

from __future__ import annotations

import argparse
import sys
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from cnnbook._validate import check_int, check_real, check_seed
from cnnbook.datasets.registry import DATASETS, TITLES

__all__ = ["build_parser", "data_command", "main"]

# Errors that mean "this input cannot be used" (reported in one line, exit status 2).
_INPUT_ERRORS = (ValueError, TypeError, KeyError, OSError, EOFError, zipfile.BadZipFile)


def _argument(check, parse, expected: str):
    """An argparse type: ``parse`` the text, then ``check`` it; errors become usage errors."""

    def convert(text: str):
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        try:
            return check(value)
        except (ValueError, TypeError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


_positive_int = _argument(lambda v: check_int(v, "the value", 1), int, "a positive integer")
_positive_float = _argument(
    lambda v: check_real(v, "the value", minimum=0, strict=True), float, "a positive number"
)
_shift = _argument(lambda v: check_int(v, "the shift", 0), int, "a non-negative integer")
_seed = _argument(lambda v: check_seed(v, "the seed"), int, "a non-negative integer")


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
        choices=tuple(TITLES),
        default=None,
        help="default: $CNNBOOK_DATASET, else MNIST, else Fashion-MNIST, else synthetic",
    )
    train.add_argument("--root", default=None, help="folder searched first for the dataset files")
    # The defaults are the recipe of the book's training page (part2/06).
    train.add_argument("--epochs", type=_positive_int, default=8)
    train.add_argument("--batch-size", type=_positive_int, default=100)
    train.add_argument(
        "--lr", type=_positive_float, default=2e-3, help="Adam's (initial) learning rate"
    )
    train.add_argument(
        "--lr-schedule",
        choices=("cosine", "constant"),
        default="cosine",
        help="cosine decay of the learning rate to 0, or a constant rate",
    )
    train.add_argument(
        "--max-shift",
        type=_shift,
        default=2,
        help="augmentation: move each training image by up to this many pixels",
    )
    train.add_argument(
        "--seed", type=_seed, default=0, help="seed of the weights and the shuffling"
    )
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
    data.add_argument("--dataset", choices=(*DATASETS, "all"), default="all")
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


def data_command(dataset: str, root: str | None, download: bool) -> int:
    """Print a status table of the datasets' files (fetching missing ones first if asked).

    This is ``python -m cnnbook data``.

    Parameters
    ----------
    dataset : str
        ``"mnist"``, ``"fashion-mnist"`` or ``"all"``.
    root : str or None
        A folder searched first.
    download : bool
        Whether to download missing files before checking.

    Returns
    -------
    int
        0 when every file of the chosen datasets is available and verified, else 1.

    Raises
    ------
    ValueError
        If ``dataset`` is not one of the names above, or a searched folder is a symlink loop.

    Examples
    --------
    The table depends on which files this machine has::

        data_command("mnist", None, download=False)
        # dataset        file                        status  location
        # ...
    """
    from cnnbook.datasets import DatasetNotFoundError, cache_dir, fetch, verify

    if dataset != "all" and dataset not in DATASETS:
        raise ValueError(
            f"dataset name must be one of {sorted(DATASETS)} or 'all', got {dataset!r}"
        )
    names = list(DATASETS) if dataset == "all" else [dataset]
    notes: list[str] = []
    for name in names:
        if download:
            try:
                fetch(name, root)
            except DatasetNotFoundError as exc:
                notes += [f"{DATASETS[name].title}: {e}" for e in exc.download_errors]
    rows = [status for name in names for status in verify(name, root)]
    print(f"{'dataset':<14} {'file':<27} {'status':<7} location")
    for s in rows:
        print(
            f"{s.dataset:<14} {s.filename:<27} {'ok' if s.ok else 'MISSING':<7} "
            f"{s.path if s.ok else '-'}"
        )
    for s in rows:
        for problem in s.problems:
            print(f"rejected: {problem}")
    for note in notes:
        print(f"download: {note}")
    ok = all(s.ok for s in rows)
    if not ok:
        print(
            "Some files are missing: set CNNBOOK_DATA to a folder holding them, copy them into "
            f"{cache_dir(names[0]).parent}/<dataset>, or run with downloads enabled online."
        )
    return 0 if ok else 1


def _load_data(args: argparse.Namespace):
    """The book's dataset for ``train``, cut to ``--train-size``/``--test-size``.

    Generated digits are drawn only as many as are used.
    """
    from cnnbook.datasets import SYNTHETIC_SIZES, book_dataset

    sizes = (args.train_size or SYNTHETIC_SIZES[0], args.test_size or SYNTHETIC_SIZES[1])
    data = book_dataset(args.dataset, root=args.root, synthetic_sizes=sizes)
    x_train, t_train, x_test, t_test = data.x_train, data.t_train, data.x_test, data.t_test
    if args.train_size:
        x_train, t_train = x_train[: args.train_size], t_train[: args.train_size]
    if args.test_size:
        x_test, t_test = x_test[: args.test_size], t_test[: args.test_size]
    return data, x_train, t_train, x_test, t_test


def _fail(message: str) -> int:
    print(f"cnnbook: error: {message}", file=sys.stderr)
    return 2


def _train(args: argparse.Namespace) -> int:
    from cnnbook.datasets import DatasetNotFoundError
    from cnnbook.nn import SimpleConvNet, Trainer

    if args.out is not None and not Path(args.out).expanduser().parent.is_dir():
        return _fail(f"--out {args.out}: the folder {Path(args.out).parent} does not exist")
    try:
        data, x_train, t_train, x_test, t_test = _load_data(args)
    except DatasetNotFoundError as exc:
        print(f"cnnbook: error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # CNNBOOK_DATASET, or a searched folder that is a symlink loop
        return _fail(str(exc))
    print(data.summary, flush=True)
    if args.dataset is None and data.name != "mnist":
        print(data.details, flush=True)
    network = SimpleConvNet(input_dim=x_train.shape[1:], weight_init_std="he", seed=args.seed)
    try:
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
            lr_schedule=args.lr_schedule,
            max_shift=args.max_shift,
            seed=args.seed,
            verbose=args.verbose,
            checkpoint=args.checkpoint,
        )
    except (ValueError, TypeError) as exc:
        return _fail(str(exc))
    if args.checkpoint is not None and Path(args.checkpoint).exists():
        try:  # read it now, so that a bad file is one clear error, not a traceback mid-run
            trainer.load_checkpoint(args.checkpoint)
        except _INPUT_ERRORS as exc:
            return _fail(f"--checkpoint {args.checkpoint}: cannot resume from it ({exc})")
    start = time.perf_counter()
    history = trainer.train()
    elapsed = time.perf_counter() - start
    saved = network.save_params(args.out) if args.out else None
    print(f"dataset: {data.name} ({len(x_train):,} training, {len(x_test):,} test images)")
    print(
        f"recipe: SimpleConvNet (He init, seed {args.seed}), Adam lr {args.lr:g} "
        f"({args.lr_schedule}), shifts of up to {args.max_shift} px, batch {args.batch_size}, "
        f"{args.epochs} epochs"
    )
    print("test accuracy per epoch: " + ", ".join(f"{a:.4f}" for a in history["test_acc"]))
    print(f"final test accuracy: {history['test_acc'][-1]:.4f}")
    print(
        f"training time: {elapsed:.1f} s in this run "
        f"({sum(history['epoch_time']):.1f} s over all {len(history['epoch_time'])} epochs)"
    )
    if saved is not None:
        print(f"parameters saved to {saved}")
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
        0 on success; 1 when a dataset's files cannot be had (or ``data`` finds some missing);
        2 for unusable input (bad numbers, ``CNNBOOK_DATASET``, a symlink-loop folder, a bad
        checkpoint, an ``--out`` folder that does not exist), reported in one line.

    Examples
    --------
    >>> main(["train", "--dataset", "synthetic", "--epochs", "1",
    ...       "--train-size", "200", "--test-size", "100", "--quiet"])  # doctest: +ELLIPSIS
    Generated digits (200 training and 100 test images ...), as asked for.
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
        try:
            return data_command(args.dataset, args.root, args.download)
        except ValueError as exc:  # a searched folder that is a symlink loop
            return _fail(str(exc))
    from cnnbook.nn import bench

    return bench.main(args.rounds, with_torch=args.torch)


if __name__ == "__main__":
    sys.exit(main())
