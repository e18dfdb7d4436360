"""Finding a dataset's files on disk, in a fixed search order, and verifying each by SHA-256.

Each file is looked for, in order, in the ``root`` argument (and its ``<dataset>`` sub-folder), in
``$CNNBOOK_DATA`` (and its sub-folder), in the user cache :func:`~cnnbook.datasets.cache_dir` and in
the folders of system packages (:data:`~cnnbook.datasets.SYSTEM_DIRS`); the first copy that passes
the check is used. A copy is accepted when its SHA-256 is the published ``.gz`` file's or when its
decompressed content's SHA-256 is the original content's (re-compressed and uncompressed copies).
Every rejected copy becomes one problem line; a copy that is recognised as another dataset's file
of the same name (MNIST's files next to Fashion-MNIST's folder) is skipped silently.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
import warnings
from pathlib import Path
from typing import Literal

import numpy as np

from cnnbook._validate import check_int, check_path, check_real
from cnnbook.datasets import download as _download
from cnnbook.datasets.idx import MAX_IDX_BYTES, idx_content, parse_idx
from cnnbook.datasets.registry import (
    DATASETS,
    MIRRORS,
    SYSTEM_DIRS,
    IdxFile,
    cache_dir,
    dataset_info,
)

__all__ = [
    "DatasetNotFoundError",
    "DatasetWarning",
    "FileStatus",
    "Found",
    "Place",
    "fetch",
    "find",
    "search_places",
    "verify",
]


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are neither on disk (verified) nor downloadable.

    The message names every folder looked at, every file missing or rejected, and how to provide
    the files. The attributes hold the same facts for programs.

    Attributes
    ----------
    dataset : str
        ``"mnist"`` or ``"fashion-mnist"``.
    missing : tuple of str
        File names that could not be had.
    looked_in : tuple of str
        The folders searched, in order.
    problems : tuple of str
        ``rejected`` then ``download_errors``.
    rejected : tuple of str
        Copies found but not used (wrong checksum, unreadable, a directory, ...), one line each.
    download_errors : tuple of str
        Failed or skipped download attempts, one line each.
    """

    def __init__(
        self,
        message: str,
        *,
        dataset: str,
        missing: tuple[str, ...],
        looked_in: tuple[str, ...],
        rejected: tuple[str, ...] = (),
        download_errors: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.dataset = dataset
        self.missing = missing
        self.looked_in = looked_in
        self.rejected = rejected
        self.download_errors = download_errors
        self.problems = rejected + download_errors


class DatasetWarning(UserWarning):
    """A dataset file was found but rejected (wrong checksum, unreadable), or a download failed."""


@dataclasses.dataclass(frozen=True)
class Place:
    """A folder searched, and why: ``"root argument"``, ``"$CNNBOOK_DATA"``, ``"user cache"``,
    ``"system package"``."""

    label: str
    folder: Path


def _resolved(folder: Path, label: str) -> Path:
    """``folder.resolve()``, or a ``ValueError`` naming the setting when it is a symlink loop."""
    try:
        return folder.resolve()
    except (RuntimeError, OSError) as exc:
        setting = {"root argument": "root", "$CNNBOOK_DATA": "CNNBOOK_DATA"}.get(label, label)
        raise ValueError(
            f"{setting} must be a usable folder; {folder} cannot be resolved "
            f"(a symbolic link loop?): {exc}"
        ) from None


def search_places(name: str, root: str | os.PathLike[str] | None = None) -> list[Place]:
    """The folders searched for dataset ``name``, in order, without repeats.

    Parameters
    ----------
    name : str
        ``"mnist"`` or ``"fashion-mnist"``.
    root : str or os.PathLike, optional
        A folder searched first.

    Returns
    -------
    list of Place

    Raises
    ------
    ValueError
        If ``name`` is unknown, or ``root`` or ``$CNNBOOK_DATA`` is a symbolic link loop.
    TypeError
        If ``root`` is not a path.

    Examples
    --------
    >>> [p.label for p in search_places("mnist")][-1]
    'user cache'
    """
    dataset_info(name)
    places: list[Place] = []
    bases = (
        ("root argument", None if root is None else check_path(root, "root")),
        ("$CNNBOOK_DATA", os.environ.get("CNNBOOK_DATA") or None),
    )
    for label, base in bases:
        if base is not None:
            base = Path(base).expanduser()
            places += [Place(label, base), Place(label, base / name)]
    places.append(Place("user cache", cache_dir(name)))
    places += [Place("system package", p) for p in SYSTEM_DIRS.get(name, ())]
    seen: set[Path] = set()
    unique = []
    for place in places:
        key = _resolved(place.folder, place.label)
        if key not in seen:
            seen.add(key)
            unique.append(place)
    return unique


# Parsed, verified arrays by (resolved path, size, mtime, expected SHA-256): a second load in the
# same process skips hashing and decompressing. The arrays are read-only; loaders return copies.
_VERIFIED: dict[tuple[str, int, int, str], np.ndarray] = {}


@dataclasses.dataclass(frozen=True)
class _Check:
    """What a file on disk is: the expected file (``content`` holds its bytes), another known
    dataset's file (skipped silently), or rejected (``text`` says why)."""

    kind: Literal["ok", "other-dataset", "rejected"]
    text: str = ""
    content: bytes | None = None


def _known_files() -> dict[str, tuple[str, str]]:
    """Every known digest (file or content) -> (dataset name, file name)."""
    known = {}
    for info in DATASETS.values():
        for f in info.files:
            for digest in (f.sha256, f.content_sha256):
                if digest:
                    known[digest] = (info.name, f.filename)
    return known


def _check(path: Path, spec: IdxFile, dataset: str) -> _Check:
    """Whether ``path`` holds ``spec`` of ``dataset``, judged by SHA-256."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest == spec.sha256:
        return _Check("ok", content=idx_content(data, str(path)))
    try:
        content = idx_content(data, str(path))
    except ValueError as exc:
        return _Check("rejected", str(exc))
    content_digest = hashlib.sha256(content).hexdigest()
    if spec.content_sha256 is not None and content_digest == spec.content_sha256:
        return _Check("ok", content=content)
    known = _known_files()
    other = known.get(digest) or known.get(content_digest)
    if other is not None:
        other_name, other_file = other
        title = DATASETS[other_name].title
        if other_name == dataset:
            return _Check(
                "rejected", f"{path} is the {title} {other_file} file under the wrong name"
            )
        return _Check("other-dataset", f"{path} is the {title} {other_file} file")
    accepted = "the published .gz" + (" or its decompressed content" if spec.content_sha256 else "")
    return _Check(
        "rejected",
        f"{path}: SHA-256 {digest[:16]}... ({len(data)} bytes) does not "
        f"match {accepted} (SHA-256 {spec.sha256[:16]}...)",
    )


def _candidates(folder: Path, spec: IdxFile, problems: list[str]) -> list[Path]:
    """The published name, then the uncompressed name (``.gz`` removed), when they are files.

    A directory, a dangling or looping symbolic link, or a file larger than any IDX file read
    under one of those names becomes a problem line.
    """
    found = []
    for path in (folder / spec.filename, folder / spec.filename.removesuffix(".gz")):
        if path.is_file():
            size = path.stat().st_size
            if size > MAX_IDX_BYTES:
                problems.append(
                    f"{path}: {size:,} bytes, larger than any IDX file read "
                    f"(MAX_IDX_BYTES = {MAX_IDX_BYTES:,}); not used"
                )
            else:
                found.append(path)
        elif path.is_dir():
            problems.append(f"{path} is a directory, not a file; not used")
        elif os.path.lexists(path):
            problems.append(f"{path} is a dangling symbolic link or a symbolic link loop; not used")
    return found


@dataclasses.dataclass(frozen=True)
class _Located:
    path: Path | None
    array: np.ndarray | None
    rejected: tuple[str, ...]


def _locate(spec: IdxFile, places: list[Place], dataset: str) -> _Located:
    """Find and parse the first copy of ``spec`` in ``places`` that passes the check."""
    rejected: list[str] = []
    for place in places:
        for path in _candidates(place.folder, spec, rejected):
            stat = path.stat()
            key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, spec.sha256)
            if key in _VERIFIED:
                return _Located(path, _VERIFIED[key], tuple(rejected))
            try:
                check = _check(path, spec, dataset)
                if check.kind == "ok":
                    array = parse_idx(check.content, str(path))
            except (OSError, ValueError) as exc:
                check = _Check(
                    "rejected", f"{path}: {exc}" if str(path) not in str(exc) else str(exc)
                )
            if check.kind == "rejected":
                rejected.append(f"{check.text}; not used")
            if check.kind != "ok":
                continue
            array.flags.writeable = False
            _VERIFIED[key] = array
            return _Located(path, array, tuple(rejected))
    return _Located(None, None, tuple(rejected))


@dataclasses.dataclass(frozen=True)
class FileStatus:
    """Where one file of a dataset was found, and what was wrong with other copies.

    Attributes
    ----------
    dataset : str
        The dataset name.
    filename : str
        The published file name.
    path : pathlib.Path or None
        The verified copy used, or None when there is none.
    problems : tuple of str
        Copies rejected (and why).
    """

    dataset: str
    filename: str
    path: Path | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether a verified copy exists."""
        return self.path is not None


def verify(name: str, root: str | os.PathLike[str] | None = None) -> list[FileStatus]:
    """Check, without downloading, which files of dataset ``name`` are available and verified.

    Parameters
    ----------
    name : str
        ``"mnist"`` or ``"fashion-mnist"``.
    root : str or os.PathLike, optional
        A folder searched first (as in :func:`~cnnbook.datasets.load_mnist`).

    Returns
    -------
    list of FileStatus
        One entry per file, in the order train images, train labels, test images, test labels.

    Raises
    ------
    ValueError
        If ``name`` is not a known dataset, or ``root`` or ``$CNNBOOK_DATA`` is a symlink loop.
    TypeError
        If ``root`` is not a path.

    Examples
    --------
    >>> [s.filename for s in verify("mnist")][:2]
    ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']
    """
    places = search_places(name, root)
    statuses = []
    for spec in dataset_info(name).files:
        hit = _locate(spec, places, name)
        statuses.append(FileStatus(name, spec.filename, hit.path, hit.rejected))
    return statuses


@dataclasses.dataclass(frozen=True)
class Found:
    """All four files of a dataset, verified.

    Attributes
    ----------
    arrays : dict of str to numpy.ndarray
        The parsed (read-only) array of each published file name.
    paths : dict of str to pathlib.Path
        The copy used for each.
    downloaded : tuple of str
        The file names downloaded in this call.
    download_errors : tuple of str
        Download attempts that failed before another succeeded.
    """

    arrays: dict[str, np.ndarray]
    paths: dict[str, Path]
    downloaded: tuple[str, ...]
    download_errors: tuple[str, ...]


def find(
    name: str,
    root: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    timeout: float = 30.0,
    retries: int = 2,
    budget: float | None = None,
    warn: bool = True,
    stacklevel: int = 2,
) -> Found:
    """Locate (and if ``download``, download) all four files of ``name``.

    Rejected copies and, when every file could be had, earlier failed downloads are reported as
    :class:`DatasetWarning` (when ``warn``) with ``stacklevel`` counted from the caller.

    Parameters
    ----------
    name : str
        ``"mnist"`` or ``"fashion-mnist"``.
    root : str or os.PathLike, optional
        A folder searched first.
    download : bool, default True
        Whether to download missing files into the user cache.
    timeout : float, default 30.0
        Seconds a connection may stay silent.
    retries : int, default 2
        Further attempts per mirror after a network error.
    budget : float, optional
        Seconds after which no further download is started.
    warn : bool, default True
        Whether to warn about rejected copies and failed downloads.
    stacklevel : int, default 2
        Passed to :func:`warnings.warn`, counting from ``find``'s caller.

    Returns
    -------
    Found

    Raises
    ------
    DatasetNotFoundError
        If some file is neither found nor downloaded.

    Examples
    --------
    With the files on disk::

        found = find("mnist", download=False)
        found.arrays["t10k-labels-idx1-ubyte.gz"][:3]
        # array([7, 2, 1], dtype=uint8)
    """
    info = dataset_info(name)
    places = search_places(name, root)
    rejected: list[str] = []
    download_errors: list[str] = []
    arrays: dict[str, np.ndarray] = {}
    paths: dict[str, Path] = {}
    downloaded = []
    for spec in info.files:
        hit = _locate(spec, places, name)
        rejected += hit.rejected
        if hit.path is not None:
            paths[spec.filename], arrays[spec.filename] = hit.path, hit.array
    missing = [f for f in info.files if f.filename not in arrays]
    if missing and download:
        target = cache_dir(name)
        deadline = None if budget is None else time.monotonic() + budget
        hosts = _download.HostLog()
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            download_errors.append(f"cannot create the cache folder {target} ({exc}); no download")
        else:
            _download.clean_stale(target)
            for spec in missing:
                result = _download.download_file(
                    spec,
                    MIRRORS.get(name, ()),
                    target,
                    timeout=timeout,
                    retries=retries,
                    deadline=deadline,
                    hosts=hosts,
                )
                download_errors += result.errors
                if result.path is not None:
                    hit = _locate(spec, [Place("user cache", target)], name)
                    rejected += hit.rejected
                    if hit.path is not None:
                        paths[spec.filename], arrays[spec.filename] = hit.path, hit.array
                        downloaded.append(spec.filename)
    if warn:
        for line in rejected:
            warnings.warn(line, DatasetWarning, stacklevel=stacklevel + 1)
    lacking = tuple(f.filename for f in info.files if f.filename not in arrays)
    if lacking:
        raise _not_found(name, lacking, places, tuple(rejected), tuple(download_errors), download)
    if warn:
        for line in download_errors:
            warnings.warn(line, DatasetWarning, stacklevel=stacklevel + 1)
    return Found(arrays, paths, tuple(downloaded), tuple(download_errors))


def _not_found(
    name: str,
    lacking: tuple[str, ...],
    places: list[Place],
    rejected: tuple[str, ...],
    download_errors: tuple[str, ...],
    download: bool,
) -> DatasetNotFoundError:
    info = dataset_info(name)
    verb = "is" if len(lacking) == 1 else "are"
    lines = [
        f"{info.title} is not available: {', '.join(lacking)} {verb} missing or failed "
        "the SHA-256 check.",
        "Looked in (in this order):",
    ]
    lines += [f"  {p.label}: {p.folder}" for p in places]
    if not os.environ.get("CNNBOOK_DATA"):
        lines.append("  ($CNNBOOK_DATA is not set)")
    if rejected or download_errors:
        lines.append("Problems:")
        lines += [f"  {p}" for p in rejected + download_errors]
    if not download:
        lines.append("No download was attempted (download=False).")
    lines.append(
        "To provide the files: put the original .gz files in a folder and set "
        f"CNNBOOK_DATA to it, or copy them into {cache_dir(name)}, or run "
        f"`python -m cnnbook data` on a machine with network access "
        f"(mirrors: {', '.join(MIRRORS.get(name, ())) or 'none'})."
    )
    return DatasetNotFoundError(
        "\n".join(lines),
        dataset=name,
        missing=lacking,
        looked_in=tuple(str(p.folder) for p in places),
        rejected=rejected,
        download_errors=download_errors,
    )


def fetch(
    name: str,
    root: str | os.PathLike[str] | None = None,
    *,
    timeout: float = 30.0,
    retries: int = 2,
) -> dict[str, Path]:
    """Make sure all files of dataset ``name`` are available; download the missing ones.

    Downloads go to :func:`~cnnbook.datasets.cache_dir` ``(name)`` through ``pooch``: each is
    checked by SHA-256, capped at the published size, written atomically (temporary file in the
    same folder, then rename) and given the permissions of a normal new file.

    Parameters
    ----------
    name : str
        ``"mnist"`` or ``"fashion-mnist"``.
    root : str or os.PathLike, optional
        A folder searched first.
    timeout : float, default 30.0
        Seconds a connection may stay silent before the attempt fails (positive, finite).
    retries : int, default 2
        Further attempts per mirror after a network error (with 0.5 s, 1 s, ... back-off).

    Returns
    -------
    dict of str to pathlib.Path
        The verified file used for each published file name.

    Raises
    ------
    DatasetNotFoundError
        If some file can be neither found nor downloaded.
    ValueError
        If ``name`` is unknown, ``timeout`` is not positive and finite or ``retries`` is
        negative.
    TypeError
        If ``timeout`` is not a number or ``retries`` not an integer.

    Examples
    --------
    This one needs the files on disk or a network connection::

        paths = fetch("mnist")
        sorted(paths)[0]
        # 't10k-images-idx3-ubyte.gz'
    """
    dataset_info(name)
    timeout = check_real(timeout, "timeout", minimum=0, strict=True)
    retries = check_int(retries, "retries", 0)
    return find(name, root, download=True, timeout=timeout, retries=retries, stacklevel=3).paths
