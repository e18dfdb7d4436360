"""Loading MNIST and Fashion-MNIST as NumPy arrays (``load_mnist``, ``load_fashion_mnist``).

The files are found and verified by :mod:`cnnbook.datasets.files`, downloaded if needed by
:mod:`cnnbook.datasets.download`, parsed by :mod:`cnnbook.datasets.idx`; this module shapes them
the way the network reads them.
"""

from __future__ import annotations

import os

import numpy as np

from cnnbook.datasets.files import find
from cnnbook.datasets.idx import read_idx
from cnnbook.datasets.registry import dataset_info

__all__ = ["load_fashion_mnist", "load_mnist", "read_idx", "shape_output"]


def shape_output(
    images: np.ndarray,
    labels: np.ndarray,
    n_classes: int,
    *,
    normalize: bool,
    flatten: bool,
    one_hot: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 1, H, W) or (N, H*W), float32 / 255 or a uint8 copy; labels int64 or one-hot.

    Examples
    --------
    >>> x, t = shape_output(np.full((2, 2, 2), 255, np.uint8), np.array([1, 0], np.uint8), 3,
    ...                     normalize=True, flatten=False, one_hot=True)
    >>> x.shape, x.max(), t.tolist()
    ((2, 1, 2, 2), np.float32(1.0), [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    """
    n = images.shape[0]
    x = images.reshape(n, -1) if flatten else images.reshape(n, 1, *images.shape[1:])
    x = (x.astype(np.float32) / np.float32(255)) if normalize else x.copy()
    t = labels.astype(np.int64)
    if one_hot:
        t = np.eye(n_classes, dtype=np.float32)[t]
    return x, t


def _load(
    name: str,
    root: str | os.PathLike[str] | None,
    download: bool,
    normalize: bool,
    flatten: bool,
    one_hot: bool,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    for flag, value in (
        ("download", download),
        ("normalize", normalize),
        ("flatten", flatten),
        ("one_hot", one_hot),
    ):
        if not isinstance(value, bool):
            raise TypeError(f"{flag} must be a bool, got {type(value).__name__}")
    info = dataset_info(name)
    found = find(name, root, download=download, stacklevel=3)
    a = found.arrays
    n = len(info.class_names)
    train = shape_output(
        a[info.train_images.filename],
        a[info.train_labels.filename],
        n,
        normalize=normalize,
        flatten=flatten,
        one_hot=one_hot,
    )
    test = shape_output(
        a[info.test_images.filename],
        a[info.test_labels.filename],
        n,
        normalize=normalize,
        flatten=flatten,
        one_hot=one_hot,
    )
    return train, test


def load_mnist(
    root: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    normalize: bool = True,
    flatten: bool = False,
    one_hot: bool = False,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST (LeCun, Cortes and Burges): 60,000 training and 10,000 test digits, 28×28.

    Each of the four files is taken from the first of these folders that holds a copy passing
    the SHA-256 check: ``root`` (and ``root/mnist``), ``$CNNBOOK_DATA`` (and
    ``$CNNBOOK_DATA/mnist``), the user cache :func:`~cnnbook.datasets.cache_dir` ``("mnist")``.
    A copy that fails the check is reported with a :class:`~cnnbook.datasets.DatasetWarning` and
    never used. Files still missing are downloaded (when ``download``) from
    :data:`~cnnbook.datasets.MIRRORS` into the user cache.

    Parameters
    ----------
    root : str or os.PathLike, optional
        A folder searched first.
    download : bool, optional
        Whether to download missing files.
    normalize : bool, optional
        Images as float32 in [0, 1] (pixel / 255); otherwise uint8 in 0..255.
    flatten : bool, optional
        Images as (N, 784) rows instead of (N, 1, 28, 28).
    one_hot : bool, optional
        Labels as one-hot float32 rows (N, 10) instead of int64 (N,).

    Returns
    -------
    (x_train, t_train), (x_test, t_test) : tuple of tuple of numpy.ndarray
        Images ``x`` and labels ``t`` of the training and the test set.

    Raises
    ------
    DatasetNotFoundError
        If some file is neither found (verified) nor downloadable; the message names the
        folders looked in, the rejected files and how to provide them.
    TypeError
        If a flag is not a bool, or ``root`` not a path.
    ValueError
        If ``root`` or ``$CNNBOOK_DATA`` is a symbolic link loop.

    Examples
    --------
    With the four MNIST files in a folder that is searched (or a connection to download them)::

        (x_train, t_train), (x_test, t_test) = load_mnist()
        x_train.shape, x_train.dtype, t_test[:5]
        # ((60000, 1, 28, 28), dtype('float32'), array([7, 2, 1, 0, 4]))
    """
    return _load("mnist", root, download, normalize, flatten, one_hot)


def load_fashion_mnist(
    root: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    normalize: bool = True,
    flatten: bool = False,
    one_hot: bool = False,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load Fashion-MNIST (Xiao, Rasul and Vollgraf): 70,000 clothing images, 28×28, 10 classes.

    The same as :func:`load_mnist`, searching ``root``, ``$CNNBOOK_DATA`` (and their
    ``fashion-mnist`` sub-folders), the user cache, then ``/usr/share/datasets/fashion-mnist``
    (Debian's ``dataset-fashion-mnist``, whose re-compressed files are recognised by the SHA-256
    of their decompressed content). The class names are in
    ``DATASETS["fashion-mnist"].class_names``.

    Parameters
    ----------
    root : str or os.PathLike, optional
        A folder searched first.
    download : bool, optional
        Whether to download missing files.
    normalize : bool, optional
        Images as float32 in [0, 1]; otherwise uint8.
    flatten : bool, optional
        Images as (N, 784) instead of (N, 1, 28, 28).
    one_hot : bool, optional
        Labels as one-hot float32 (N, 10) instead of int64 (N,).

    Returns
    -------
    (x_train, t_train), (x_test, t_test) : tuple of tuple of numpy.ndarray
        Images and labels of the training and the test set.

    Raises
    ------
    DatasetNotFoundError
        If some file is neither found (verified) nor downloadable.
    TypeError
        If a flag is not a bool.

    Examples
    --------
    With the four Fashion-MNIST files in a folder that is searched::

        (x_train, t_train), _ = load_fashion_mnist(download=False)
        DATASETS["fashion-mnist"].class_names[t_train[0]]
        # 'Ankle boot'
    """
    return _load("fashion-mnist", root, download, normalize, flatten, one_hot)
