"""Datasets for the book: MNIST and Fashion-MNIST from verified IDX files, and generated digits.

Real data
    :func:`load_mnist` and :func:`load_fashion_mnist` read the standard gzip'd IDX files. Each file
    is looked for, in order, in the ``root`` argument, in ``$CNNBOOK_DATA``, in the user cache
    (``$XDG_CACHE_HOME/cnnbook/<dataset>``, by default ``~/.cache/cnnbook/<dataset>``) and, for
    Fashion-MNIST, in ``/usr/share/datasets/fashion-mnist`` (Debian's ``dataset-fashion-mnist``).
    Every file is checked by SHA-256 before it is used; a file that fails the check is reported
    and skipped. Missing files are downloaded from known mirrors into the user cache (through
    ``pooch``: timeouts, bounded retries, a progress bar on a terminal, SHA-256 check, a size cap,
    atomic rename).
Generated data
    :func:`synthetic_digits` renders the digits 0-9 from the fonts Matplotlib ships, distorts them
    (random affine map, elastic field, stroke width) and normalises them as MNIST was made.
The book's choice
    :func:`book_dataset` picks MNIST, else Fashion-MNIST, else generated digits, and says why.

One idea per module: ``idx`` (the IDX format), ``registry`` (files, hashes, provenance, mirrors,
names and titles), ``files`` (search order and verification), ``download`` (``pooch``),
``loaders`` (``load_mnist``, ...), ``synthetic`` (generated digits), ``book`` (the book's choice).
The status table of ``python -m cnnbook data`` is part of the command line (``cnnbook.__main__``).
"""

from __future__ import annotations

from cnnbook.datasets import idx as _idx
from cnnbook.datasets import registry as _registry
from cnnbook.datasets import synthetic as _synthetic
from cnnbook.datasets.book import SYNTHETIC_SIZES as _SYNTHETIC_SIZES
from cnnbook.datasets.book import BookDataset, book_dataset, public_text
from cnnbook.datasets.files import (
    DatasetNotFoundError,
    DatasetWarning,
    FileStatus,
    fetch,
    verify,
)
from cnnbook.datasets.loaders import load_fashion_mnist, load_mnist, read_idx
from cnnbook.datasets.registry import DatasetInfo, IdxFile, cache_dir
from cnnbook.datasets.synthetic import synthetic_digits

__all__ = [
    "DATASETS",
    "DIGIT_FONTS",
    "IDX_TYPES",
    "MAX_DOWNLOAD_BYTES",
    "MAX_IDX_BYTES",
    "MAX_IDX_DIMS",
    "MAX_SYNTHETIC_DIGITS",
    "MIRRORS",
    "SYNTHETIC_SIZES",
    "SYSTEM_DIRS",
    "TITLES",
    "BookDataset",
    "DatasetInfo",
    "DatasetNotFoundError",
    "DatasetWarning",
    "FileStatus",
    "IdxFile",
    "book_dataset",
    "cache_dir",
    "fetch",
    "load_fashion_mnist",
    "load_mnist",
    "public_text",
    "read_idx",
    "synthetic_digits",
    "verify",
]

# The constants are the registry's own objects (the dicts are shared, not copied); they are
# named here with their documentation so that the API reference lists them.

#: The datasets :func:`load_mnist` and :func:`load_fashion_mnist` know, by name.
DATASETS = _registry.DATASETS

#: Download locations (base URLs ending in ``/``) per dataset, tried in order. Every download is
#: checked by SHA-256, so a plain-HTTP mirror cannot slip in altered data.
MIRRORS = _registry.MIRRORS

#: Folders of system packages per dataset, searched after the user cache.
SYSTEM_DIRS = _registry.SYSTEM_DIRS

#: Every dataset the book can train on (``"mnist"``, ``"fashion-mnist"``, ``"synthetic"``),
#: with its title for the reader.
TITLES = _registry.TITLES

#: Download cap, bytes, for a file whose published size is unknown.
MAX_DOWNLOAD_BYTES = _registry.MAX_DOWNLOAD_BYTES

#: IDX type codes (third byte of the magic number) and their big-endian NumPy types.
IDX_TYPES = _idx.IDX_TYPES

#: Largest uncompressed IDX file read, bytes (1 GiB).
MAX_IDX_BYTES = _idx.MAX_IDX_BYTES

#: Most dimensions an IDX header may declare.
MAX_IDX_DIMS = _idx.MAX_IDX_DIMS

#: Fonts shipped with Matplotlib (``mpl-data/fonts/ttf``) whose digits :func:`synthetic_digits`
#: draws.
DIGIT_FONTS = _synthetic.DIGIT_FONTS

#: Most images :func:`synthetic_digits` draws in one call.
MAX_SYNTHETIC_DIGITS = _synthetic.MAX_SYNTHETIC_DIGITS

#: Sizes (training, test) of the generated stand-in in :func:`book_dataset`, those of MNIST.
SYNTHETIC_SIZES = _SYNTHETIC_SIZES


def __getattr__(name: str):
    """``data_command`` moved to the command line; it still imports from here."""
    if name == "data_command":
        from cnnbook.__main__ import data_command

        return data_command
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
