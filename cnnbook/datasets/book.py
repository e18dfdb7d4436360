"""The book's choice of training data: MNIST, else Fashion-MNIST, else generated digits, and why.

:func:`book_dataset` returns the images with a one-sentence ``summary`` for the reader (which data,
and why) and ``details`` with the full diagnosis (the folders searched, rejected files, failed
downloads). Neither names a folder of the machine that built the page: the home folder, the user
cache, ``$CNNBOOK_DATA``, the working folder and the project folder are replaced by ``~``,
``<cache>``, ``$CNNBOOK_DATA``, ``<build>`` and ``<project>``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import numpy as np

from cnnbook._validate import check_int
from cnnbook.datasets.files import DatasetNotFoundError, Found, find
from cnnbook.datasets.loaders import shape_output
from cnnbook.datasets.registry import DATASETS, TITLES, cache_dir
from cnnbook.datasets.synthetic import synthetic_digits

__all__ = ["SYNTHETIC_SIZES", "BookDataset", "book_dataset", "public_text"]


@dataclasses.dataclass(frozen=True)
class BookDataset:
    """The data a chapter trains on, with a sentence saying which and why.

    Attributes
    ----------
    name : str
        ``"mnist"``, ``"fashion-mnist"`` or ``"synthetic"``.
    title : str
        Its title for the reader (``TITLES[name]``), e.g. ``"MNIST"``.
    x_train, t_train, x_test, t_test : numpy.ndarray
        Images (N, 1, 28, 28) float32 in [0, 1] and int64 labels.
    class_names : tuple of str
        Names of the labels.
    summary : str
        One sentence for the reader: which data, and why. It names no folder.
    details : str
        The long diagnosis: where the files came from, what was searched, rejected copies,
        failed downloads; folders of the building machine replaced by stand-in names (see
        :func:`public_text`).
    """

    name: str
    title: str
    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    class_names: tuple[str, ...]
    summary: str
    details: str


#: Sizes of the generated stand-in, those of MNIST.
SYNTHETIC_SIZES = (60_000, 10_000)

# In the default choice the book tries downloads, but must not hang offline: each try gives up
# after this many seconds of silence, without retries, and a dataset's tries stop after the budget.
_BOOK_TIMEOUT = 3.0
_BOOK_BUDGET = 6.0

_CONTENTS = {
    "mnist": "handwritten digits",
    "fashion-mnist": "clothing",
    "synthetic": "digits drawn from fonts with random distortions",
}


def public_text(text: str) -> str:
    """``text`` with the folders of this machine replaced by stand-in names, for publishing.

    ``$CNNBOOK_DATA``'s folder becomes ``$CNNBOOK_DATA``, the user cache of the datasets
    ``<cache>``, the working folder ``<build>``, the folder holding the ``cnnbook`` package
    ``<project>``, and the home folder ``~`` (the longest match first).

    Parameters
    ----------
    text : str
        A message that may name folders.

    Returns
    -------
    str

    Examples
    --------
    >>> import os
    >>> public_text(os.path.join(os.path.expanduser("~"), "data")).startswith("~")
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    folders = {
        os.environ.get("CNNBOOK_DATA", ""): "$CNNBOOK_DATA",
        str(cache_dir("mnist").parent): "<cache>",
        os.getcwd(): "<build>",
        str(Path(__file__).resolve().parents[2]): "<project>",
        str(Path.home()): "~",
    }
    pairs = {}
    for folder, stand_in in folders.items():
        if folder and folder != os.sep:
            pairs[folder.rstrip(os.sep)] = stand_in
            try:
                pairs.setdefault(str(Path(folder).resolve()), stand_in)
            except (OSError, RuntimeError):
                pass
    for folder in sorted(pairs, key=len, reverse=True):  # whole path components only
        pattern = rf"(?<![\w.~/-]){re.escape(folder)}(?![\w-]|\.[\w-])"
        text = re.sub(pattern, lambda _, p=pairs[folder]: p, text)
    return text


def _found_details(name: str, found: Found) -> str:
    folders = ", ".join(dict.fromkeys(str(p.parent) for p in found.paths.values()))
    lines = [f"{TITLES[name]}'s files, every one verified by SHA-256, were read from {folders}."]
    if found.downloaded:
        lines.append(f"Downloaded for this build: {', '.join(found.downloaded)}.")
    lines += [f"Earlier download attempt: {e}" for e in found.download_errors]
    return "\n".join(lines)


def _from_files(
    name: str, root: str | os.PathLike[str] | None, *, book_mode: bool, summary: str, diagnosis: str
) -> BookDataset:
    info = DATASETS[name]
    if book_mode:
        found = find(
            name,
            root,
            download=True,
            timeout=_BOOK_TIMEOUT,
            retries=0,
            budget=_BOOK_BUDGET,
            warn=False,
        )
    else:
        found = find(name, root, download=True, stacklevel=4)
    a = found.arrays
    n = len(info.class_names)
    x_train, t_train = shape_output(
        a[info.train_images.filename],
        a[info.train_labels.filename],
        n,
        normalize=True,
        flatten=False,
        one_hot=False,
    )
    x_test, t_test = shape_output(
        a[info.test_images.filename],
        a[info.test_labels.filename],
        n,
        normalize=True,
        flatten=False,
        one_hot=False,
    )
    summary = summary.format(sizes=f"{len(t_train):,} training and {len(t_test):,} test images")
    details = "\n".join(filter(None, (diagnosis, _found_details(name, found))))
    return BookDataset(
        name,
        TITLES[name],
        x_train,
        t_train,
        x_test,
        t_test,
        info.class_names,
        summary,
        public_text(details),
    )


def _synthetic(summary: str, diagnosis: str, sizes: tuple[int, int]) -> BookDataset:
    n_train, n_test = sizes
    x_train, t_train = synthetic_digits(n_train, seed=0)
    x_test, t_test = synthetic_digits(n_test, seed=1)
    summary = summary.format(sizes=f"{n_train:,} training and {n_test:,} test images")
    details = "\n".join(
        filter(
            None,
            (
                diagnosis,
                (
                    f"The {n_train:,} training and {n_test:,} test images were drawn by "
                    "synthetic_digits (seeds 0 and 1) from Matplotlib's fonts with random affine "
                    "and elastic distortions; they are not handwriting, so accuracies are not "
                    "comparable with MNIST's."
                ),
            ),
        )
    )
    return BookDataset(
        "synthetic",
        TITLES["synthetic"],
        x_train,
        t_train,
        x_test,
        t_test,
        DATASETS["mnist"].class_names,
        summary,
        public_text(details),
    )


def _load(
    chosen: str, root: str | os.PathLike[str] | None, summary: str, sizes: tuple[int, int]
) -> BookDataset:
    if chosen == "synthetic":
        return _synthetic(summary, "", sizes)
    return _from_files(chosen, root, book_mode=False, summary=summary, diagnosis="")


def book_dataset(
    name: str | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    synthetic_sizes: tuple[int, int] | None = None,
) -> BookDataset:
    """The dataset the book trains on, with the reason for the choice.

    ``name`` (or else the environment variable ``CNNBOOK_DATASET``) forces a dataset, and then
    its absence is an error: the book never silently substitutes data. Without either, MNIST is
    used if it can be had, else Fashion-MNIST, else :func:`synthetic_digits`. In that default
    choice downloads are tried with a short timeout and no retries, so an offline build falls
    back within seconds.

    Parameters
    ----------
    name : str, optional
        ``"mnist"``, ``"fashion-mnist"`` or ``"synthetic"`` (the keys of ``TITLES``).
    root : str or os.PathLike, optional
        A folder searched first for the files.
    synthetic_sizes : (int, int), optional
        Training and test images drawn when generated digits are used; default
        :data:`SYNTHETIC_SIZES` (60,000 and 10,000, as MNIST). Drawing only what is needed keeps
        quick runs quick.

    Returns
    -------
    BookDataset
        Images (N, 1, 28, 28) float32 in [0, 1], int64 labels, class names, ``summary`` and
        ``details``.

    Raises
    ------
    ValueError
        If the name (argument or ``CNNBOOK_DATASET``) is not one of the three, or
        ``synthetic_sizes`` is not two positive integers.
    DatasetNotFoundError
        If a real dataset was asked for by name and cannot be had.

    Examples
    --------
    >>> data = book_dataset("synthetic", synthetic_sizes=(20, 10))
    >>> data.x_train.shape, data.title
    ((20, 1, 28, 28), 'Generated digits')
    >>> data.summary.startswith("Generated digits (20 training and 10 test images")
    True
    """
    if synthetic_sizes is None:
        synthetic_sizes = SYNTHETIC_SIZES
    if not (isinstance(synthetic_sizes, tuple | list) and len(synthetic_sizes) == 2):
        raise ValueError(
            f"synthetic_sizes must be two positive integers (train, test), got {synthetic_sizes!r}"
        )
    sizes = (
        check_int(synthetic_sizes[0], "synthetic_sizes[0]", 1),
        check_int(synthetic_sizes[1], "synthetic_sizes[1]", 1),
    )
    choices = tuple(TITLES)
    env = os.environ.get("CNNBOOK_DATASET", "").strip()
    if name is not None:
        if name not in choices:
            raise ValueError(f"name must be one of {choices}, got {name!r}")
        return _load(
            name, root, f"{TITLES[name]} ({{sizes}} of {_CONTENTS[name]}), as asked for.", sizes
        )
    if env:
        if env not in choices:
            raise ValueError(f"CNNBOOK_DATASET must be one of {choices}, got {env!r}")
        return _load(
            env,
            root,
            f"{TITLES[env]} ({{sizes}} of {_CONTENTS[env]}), chosen by CNNBOOK_DATASET={env}.",
            sizes,
        )
    try:
        return _from_files(
            "mnist",
            root,
            book_mode=True,
            summary=f"MNIST ({{sizes}} of {_CONTENTS['mnist']}), every file verified by SHA-256.",
            diagnosis="",
        )
    except DatasetNotFoundError as exc:
        mnist_absent = f"MNIST was not available:\n{exc}"
    try:
        return _from_files(
            "fashion-mnist",
            root,
            book_mode=True,
            summary=(
                "Fashion-MNIST ({sizes} of clothing), because MNIST was not available where this "
                "page was built: the network learns clothes instead of digits."
            ),
            diagnosis=mnist_absent,
        )
    except DatasetNotFoundError as exc:
        diagnosis = f"{mnist_absent}\n\nNeither was Fashion-MNIST:\n{exc}"
    return _synthetic(
        "Generated digits ({sizes} drawn from fonts), because neither MNIST nor "
        "Fashion-MNIST was available where this page was built; they are not "
        "handwriting, so the accuracy is not comparable with MNIST's.",
        diagnosis,
        sizes,
    )
