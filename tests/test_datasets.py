"""Tests of cnnbook.datasets: IDX parsing, search order, checksums, downloads, the book's choice.

IDX files are written here with ``struct`` and ``gzip`` independently of the parser. Downloads are
served by a local HTTP server on 127.0.0.1. The real MNIST files are checked when
``CNNBOOK_DATA`` points at them, Debian's Fashion-MNIST when it is installed.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import struct
import threading
import time
import warnings
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from cnnbook import datasets as ds
from cnnbook.__main__ import data_command
from cnnbook.datasets import book as ds_book
from cnnbook.datasets import files as ds_files

# --------------------------------------------------------------------------------------------
# IDX files written independently of the parser
# --------------------------------------------------------------------------------------------

STRUCT_CODES = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}


def idx_bytes(code: int, shape: tuple[int, ...], values: list) -> bytes:
    fmt = STRUCT_CODES[code]
    return (bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
            + struct.pack(f">{len(values)}{fmt}", *values))


SAMPLE_VALUES = {
    0x08: [0, 1, 127, 128, 254, 255],
    0x09: [-128, -1, 0, 1, 64, 127],
    0x0B: [-32768, -300, 0, 1, 300, 32767],
    0x0C: [-2**31, -70000, 0, 1, 70000, 2**31 - 1],
    0x0D: [-1.5, 0.0, 0.25, 3.0, 1e10, -2.0**-10],
    0x0E: [-1e300, -0.1, 0.0, 0.1, 2.5, 1e-300],
}


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("code", sorted(STRUCT_CODES), ids=lambda c: f"0x{c:02X}")
def test_read_idx_every_type(tmp_path, code, compress):
    values = SAMPLE_VALUES[code]
    data = idx_bytes(code, (2, 3), values)
    path = tmp_path / ("x.idx.gz" if compress else "x.idx")
    path.write_bytes(gzip.compress(data) if compress else data)
    got = ds.read_idx(path)
    assert got.shape == (2, 3)
    assert got.dtype.isnative
    assert got.dtype.kind == {"B": "u", "b": "i", "h": "i", "i": "i", "f": "f", "d": "f"}[
        STRUCT_CODES[code]]
    assert got.dtype.itemsize == struct.calcsize(STRUCT_CODES[code])
    expected = [struct.unpack(">" + STRUCT_CODES[code],
                              struct.pack(">" + STRUCT_CODES[code], v))[0] for v in values]
    assert got.ravel().tolist() == expected


def test_read_idx_three_dimensions_c_order(tmp_path):
    values = list(range(24))
    path = tmp_path / "cube.idx"
    path.write_bytes(idx_bytes(0x08, (2, 3, 4), values))
    got = ds.read_idx(path)
    assert got.shape == (2, 3, 4)
    assert got[1, 2, 3] == 1 * 12 + 2 * 4 + 3
    assert got[0, 1, 0] == 4


GOOD = idx_bytes(0x08, (2, 3), [1, 2, 3, 4, 5, 6])


@pytest.mark.parametrize("data, message", [
    (b"\x00\x00", "too short"),
    (b"\x01" + GOOD[1:], "bad IDX magic number"),
    (GOOD[:2] + b"\x0a" + GOOD[3:], "unknown IDX data type code 0x0A"),
    (GOOD[:3] + b"\x00", "0 dimensions"),
    (GOOD[:7], "truncated IDX header"),
    (GOOD[:-1], "truncated IDX data"),
    (GOOD + b"\x00\x00", "2 extra bytes"),
], ids=["short", "magic", "type-code", "no-dims", "header", "data", "extra"])
def test_read_idx_rejects_corrupt_files(tmp_path, data, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message) as info:
        ds.read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_rejects_corrupt_files_inside_gzip(tmp_path):
    path = tmp_path / "bad.idx.gz"
    path.write_bytes(gzip.compress(GOOD + b"\x07"))
    with pytest.raises(ValueError, match=r"more data than the IDX header declares \(18 bytes\)"):
        ds.read_idx(path)


def test_read_idx_broken_gzip(tmp_path):
    packed = gzip.compress(GOOD)
    truncated = tmp_path / "truncated.gz"
    truncated.write_bytes(packed[:-6])
    with pytest.raises(ValueError, match="broken gzip stream") as info:
        ds.read_idx(truncated)
    assert str(truncated) in str(info.value)
    flipped = bytearray(packed)
    flipped[-6] ^= 0xFF  # the CRC-32 in the trailer
    bad_crc = tmp_path / "crc.gz"
    bad_crc.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="broken gzip stream"):
        ds.read_idx(bad_crc)
    not_gzip = tmp_path / "plain.gz"
    not_gzip.write_bytes(GOOD)
    with pytest.raises(ValueError, match="not gzip-compressed"):
        ds.read_idx(not_gzip)


# --------------------------------------------------------------------------------------------
# A small fake dataset standing in for MNIST / Fashion-MNIST
# --------------------------------------------------------------------------------------------

N_TRAIN, N_TEST = 30, 20


class Fake:
    """Four small IDX files (gzip'd with a fixed header) and their published identities."""

    def __init__(self, name: str, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.name = name
        self.x_train = rng.integers(0, 256, size=(N_TRAIN, 28, 28), dtype=np.uint8)
        self.t_train = rng.integers(0, 10, size=N_TRAIN).astype(np.uint8)
        self.x_test = rng.integers(0, 256, size=(N_TEST, 28, 28), dtype=np.uint8)
        self.t_test = rng.integers(0, 10, size=N_TEST).astype(np.uint8)
        raw = {
            "train-images-idx3-ubyte": idx_bytes(0x08, (N_TRAIN, 28, 28), self.x_train.ravel().tolist()),
            "train-labels-idx1-ubyte": idx_bytes(0x08, (N_TRAIN,), self.t_train.tolist()),
            "t10k-images-idx3-ubyte": idx_bytes(0x08, (N_TEST, 28, 28), self.x_test.ravel().tolist()),
            "t10k-labels-idx1-ubyte": idx_bytes(0x08, (N_TEST,), self.t_test.tolist()),
        }
        self.raw = raw
        self.gz = {f"{k}.gz": gzip.compress(v, mtime=0) for k, v in raw.items()}
        files = [ds.IdxFile(f"{k}.gz", hashlib.sha256(self.gz[f"{k}.gz"]).hexdigest(),
                            hashlib.sha256(v).hexdigest(), len(self.gz[f"{k}.gz"]))
                 for k, v in raw.items()]
        self.info = ds.DatasetInfo(name, f"Fake-{name}", *files,
                                   class_names=tuple(f"c{i}" for i in range(10)))

    def write(self, folder: Path, names: list[str] | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for filename, data in self.gz.items():
            if names is None or filename in names:
                (folder / filename).write_bytes(data)
        return folder


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Fake MNIST and Fashion-MNIST, no mirrors, no system folders, a private cache."""
    fakes = {"mnist": Fake("mnist", 1), "fashion-mnist": Fake("fashion-mnist", 2)}
    for name, fake in fakes.items():
        monkeypatch.setitem(ds.DATASETS, name, fake.info)
        monkeypatch.setitem(ds.MIRRORS, name, ())
        monkeypatch.setitem(ds.SYSTEM_DIRS, name, ())
    monkeypatch.setattr(ds_files, "_VERIFIED", {})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CNNBOOK_DATA", raising=False)
    monkeypatch.delenv("CNNBOOK_DATASET", raising=False)
    return fakes


def test_cache_dir_honours_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert ds.cache_dir("mnist") == tmp_path / "cnnbook" / "mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # not absolute: ignored (XDG spec)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert ds.cache_dir("fashion-mnist") == tmp_path / "home" / ".cache" / "cnnbook" / "fashion-mnist"
    with pytest.raises(ValueError, match="dataset name must be one of"):
        ds.cache_dir("cifar")


def test_load_shapes_dtypes_and_values(env, tmp_path):
    fake = env["mnist"]
    root = fake.write(tmp_path / "root")
    (x, t), (_, tt) = ds.load_mnist(root, download=False)
    assert x.shape == (N_TRAIN, 1, 28, 28) and x.dtype == np.float32
    assert t.shape == (N_TRAIN,) and t.dtype == np.int64
    np.testing.assert_array_equal(x[:, 0] * 255, fake.x_train.astype(np.float32))
    np.testing.assert_array_equal(tt, fake.t_test)
    assert 0.0 <= x.min() and x.max() <= 1.0
    (x, t), _ = ds.load_mnist(root, download=False, normalize=False, flatten=True, one_hot=True)
    assert x.dtype == np.uint8 and x.shape == (N_TRAIN, 784)
    np.testing.assert_array_equal(x, fake.x_train.reshape(N_TRAIN, -1))
    assert t.shape == (N_TRAIN, 10) and t.dtype == np.float32
    np.testing.assert_array_equal(t.argmax(axis=1), fake.t_train)
    np.testing.assert_array_equal(t.sum(axis=1), 1.0)
    x[0, 0] = 99  # a returned array is the caller's: changing it changes no later load
    (x2, _), _ = ds.load_mnist(root, download=False, normalize=False, flatten=True)
    assert x2[0, 0] == fake.x_train[0, 0, 0]
    with pytest.raises(TypeError, match="normalize must be a bool"):
        ds.load_mnist(root, download=False, normalize=1)


def test_search_order_root_then_env_then_cache(env, tmp_path, monkeypatch):
    fake = env["mnist"]
    root = fake.write(tmp_path / "root")
    data = fake.write(tmp_path / "data")
    cache = fake.write(ds.cache_dir("mnist"))
    monkeypatch.setenv("CNNBOOK_DATA", str(data))
    assert {s.path.parent for s in ds.verify("mnist", root)} == {root}
    assert {s.path.parent for s in ds.verify("mnist")} == {data}
    monkeypatch.delenv("CNNBOOK_DATA")
    assert {s.path.parent for s in ds.verify("mnist")} == {cache}
    # per file: the first location holding that file wins
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    paths = {s.filename: s.path.parent for s in ds.verify("mnist", root)}
    assert paths["t10k-labels-idx1-ubyte.gz"] == cache and paths["t10k-images-idx3-ubyte.gz"] == root


def test_dataset_subfolder_of_root(env, tmp_path):
    sub = env["fashion-mnist"].write(tmp_path / "root" / "fashion-mnist")
    env["mnist"].write(tmp_path / "root")  # MNIST's files in root itself are not Fashion-MNIST
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # recognised as MNIST's files: skipped without a warning
        statuses = ds.verify("fashion-mnist", tmp_path / "root")
        ds.load_fashion_mnist(tmp_path / "root", download=False)
    assert {s.path.parent for s in statuses} == {sub}


def test_checksum_mismatch_is_reported_and_skipped(env, tmp_path):
    fake = env["mnist"]
    root = fake.write(tmp_path / "root")
    cache = fake.write(ds.cache_dir("mnist"))
    bad = root / "train-labels-idx1-ubyte.gz"
    tampered = bytearray(gzip.decompress(bad.read_bytes()))
    tampered[-1] ^= 1  # a valid IDX file, one label changed
    bad.write_bytes(gzip.compress(bytes(tampered)))
    truncated = root / "t10k-images-idx3-ubyte.gz"
    truncated.write_bytes(truncated.read_bytes()[:100])
    with pytest.warns(ds.DatasetWarning) as record:
        (_, t), (xt, _) = ds.load_mnist(root, download=False)
    text = "\n".join(str(w.message) for w in record)
    assert str(bad) in text and str(truncated) in text and "not used" in text
    np.testing.assert_array_equal(t, fake.t_train)  # the good copy from the cache
    np.testing.assert_array_equal(xt[:, 0] * 255, fake.x_test)
    statuses = {s.filename: s for s in ds.verify("mnist", root)}
    assert statuses["train-labels-idx1-ubyte.gz"].path.parent == cache
    assert any(str(bad) in p for p in statuses["train-labels-idx1-ubyte.gz"].problems)


def test_recompressed_and_uncompressed_copies_are_recognised_by_content(env, tmp_path):
    fake = env["mnist"]
    root = fake.write(tmp_path / "root")
    other_header = gzip.compress(fake.raw["train-images-idx3-ubyte"], mtime=123456789)
    assert hashlib.sha256(other_header).hexdigest() != fake.info.train_images.sha256
    (root / "train-images-idx3-ubyte.gz").write_bytes(other_header)
    (root / "t10k-images-idx3-ubyte.gz").unlink()
    (root / "t10k-images-idx3-ubyte").write_bytes(fake.raw["t10k-images-idx3-ubyte"])
    (x, _), (xt, _) = ds.load_mnist(root, download=False, normalize=False)
    np.testing.assert_array_equal(x[:, 0], fake.x_train)
    np.testing.assert_array_equal(xt[:, 0], fake.x_test)


def test_without_content_hash_only_the_published_gz_counts(env, tmp_path, monkeypatch):
    fake = env["mnist"]
    info = fake.info
    strict = ds.IdxFile(info.train_images.filename, info.train_images.sha256, None)
    monkeypatch.setitem(ds.DATASETS, "mnist", ds.DatasetInfo(
        "mnist", info.title, strict, info.train_labels, info.test_images, info.test_labels,
        info.class_names))
    root = fake.write(tmp_path / "root")
    (root / "train-images-idx3-ubyte.gz").write_bytes(
        gzip.compress(fake.raw["train-images-idx3-ubyte"], mtime=1))
    with (pytest.warns(ds.DatasetWarning, match="does not match the published .gz"),
          pytest.raises(ds.DatasetNotFoundError, match="train-images-idx3-ubyte.gz")):
        ds.load_mnist(root, download=False)


def test_offline_error_names_every_place(env, tmp_path, monkeypatch):
    root = tmp_path / "root"
    data = env["mnist"].write(tmp_path / "data", names=["t10k-labels-idx1-ubyte.gz"])
    monkeypatch.setenv("CNNBOOK_DATA", str(data))
    with pytest.raises(ds.DatasetNotFoundError) as info:
        ds.load_mnist(root, download=False)
    err = info.value
    assert isinstance(err, FileNotFoundError)
    message = str(err)
    for place in (root, root / "mnist", data, data / "mnist", ds.cache_dir("mnist")):
        assert str(place) in message
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz"):
        assert name in message and name in err.missing
    assert "t10k-labels-idx1-ubyte.gz" not in err.missing
    assert "CNNBOOK_DATA" in message and "python -m cnnbook data" in message
    assert "download=False" in message


def test_unreachable_mirror_is_named_in_the_error(env, tmp_path, monkeypatch):
    import socket
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setitem(ds.MIRRORS, "mnist", (f"http://127.0.0.1:{port}/mnist/",))
    start = time.monotonic()
    with pytest.raises(ds.DatasetNotFoundError) as info:
        ds.fetch("mnist", retries=0, timeout=2)
    assert time.monotonic() - start < 5
    assert f"127.0.0.1:{port}" in str(info.value)
    assert not list(ds.cache_dir("mnist").iterdir())


# --------------------------------------------------------------------------------------------
# Downloads from a local HTTP server
# --------------------------------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``files[path]``; paths under /short/ announce more bytes than they send."""

    files: ClassVar[dict[str, bytes]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self):  # http.server's name for the GET handler
        self.hits.append(self.path)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path.startswith("/short/"):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.files = {}
    Handler.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", Handler
    httpd.shutdown()
    httpd.server_close()


def test_download_skips_corrupt_and_missing_mirrors(env, server, monkeypatch):
    url, handler = server
    fake = env["mnist"]
    for filename, data in fake.gz.items():
        handler.files[f"/good/{filename}"] = data
        corrupt = bytearray(data)
        corrupt[len(corrupt) // 2] ^= 0xFF
        handler.files[f"/corrupt/{filename}"] = bytes(corrupt)
    monkeypatch.setitem(ds.MIRRORS, "mnist", (f"{url}/corrupt/", f"{url}/missing/", f"{url}/good/"))
    with pytest.warns(ds.DatasetWarning) as record:
        (x, _), (_, tt) = ds.load_mnist()
    text = "\n".join(str(w.message) for w in record)
    assert f"{url}/corrupt/train-images-idx3-ubyte.gz" in text and "SHA-256" in text
    assert "HTTP 404" in text
    np.testing.assert_array_equal(x[:, 0] * 255, fake.x_train)
    np.testing.assert_array_equal(tt, fake.t_test)
    cache = ds.cache_dir("mnist")
    assert sorted(p.name for p in cache.iterdir()) == sorted(fake.gz)  # no temporary files
    for filename, data in fake.gz.items():
        assert (cache / filename).read_bytes() == data
    handler.hits.clear()
    ds.load_mnist()  # now found in the cache: no request
    assert handler.hits == []


def test_interrupted_download_leaves_no_partial_file(env, server, monkeypatch):
    url, handler = server
    for filename, data in env["mnist"].gz.items():
        handler.files[f"/short/{filename}"] = data
    monkeypatch.setitem(ds.MIRRORS, "mnist", (f"{url}/short/",))
    with pytest.raises(ds.DatasetNotFoundError) as info:
        ds.fetch("mnist", retries=1, timeout=5)
    assert f"{url}/short/" in str(info.value)
    assert handler.hits.count("/short/train-images-idx3-ubyte.gz") == 2  # one retry
    assert list(ds.cache_dir("mnist").iterdir()) == []


def test_fetch_validates_arguments(env):
    with pytest.raises(ValueError, match="timeout must be > 0"):
        ds.fetch("mnist", timeout=0)
    with pytest.raises(ValueError, match="timeout must be finite"):
        ds.fetch("mnist", timeout=float("inf"))
    with pytest.raises(TypeError, match="timeout must be a real number"):
        ds.fetch("mnist", timeout="30")
    with pytest.raises(ValueError, match="retries must be >= 0"):
        ds.fetch("mnist", retries=-1)
    with pytest.raises(TypeError, match="retries must be an integer"):
        ds.fetch("mnist", retries=1.5)
    with pytest.raises(ValueError, match="dataset name must be one of"):
        ds.fetch("emnist")


def test_data_command_table(env, tmp_path, capsys):
    root = env["mnist"].write(tmp_path / "root")
    assert data_command("mnist", str(root), download=False) == 0
    out = capsys.readouterr().out
    assert out.count(" ok ") == 4 and str(root) in out
    assert data_command("all", str(root), download=False) == 1
    out = capsys.readouterr().out
    assert "MISSING" in out and "fashion-mnist" in out
    with pytest.raises(ValueError, match="dataset name must be one of"):
        data_command("svhn", None, download=False)


# --------------------------------------------------------------------------------------------
# The book's choice of dataset
# --------------------------------------------------------------------------------------------

def test_book_dataset_prefers_mnist(env, tmp_path):
    root = env["mnist"].write(tmp_path / "root")
    env["fashion-mnist"].write(tmp_path / "root" / "fashion-mnist")
    data = ds.book_dataset(root=root)
    assert data.name == "mnist"
    assert data.x_train.shape == (N_TRAIN, 1, 28, 28) and data.t_test.dtype == np.int64
    assert data.class_names == env["mnist"].info.class_names
    assert data.summary.startswith("MNIST (30 training and 20 test images of handwritten digits)")
    assert data.reason == data.summary and data.title == "MNIST"
    assert str(root) not in data.summary and str(root) in data.details


def test_book_dataset_falls_back_to_fashion_then_synthetic(env, tmp_path, monkeypatch):
    root = tmp_path / "root"
    env["fashion-mnist"].write(root / "fashion-mnist")
    data = ds.book_dataset(root=root)
    assert data.name == "fashion-mnist"
    assert data.summary.startswith("Fashion-MNIST (30 training and 20 test images of clothing)")
    assert "because MNIST was not available" in data.summary and str(root) not in data.summary
    assert "MNIST was not available" in data.details
    assert "train-images-idx3-ubyte.gz" in data.details
    assert str(root / "fashion-mnist") in data.details
    np.testing.assert_array_equal(data.t_train, env["fashion-mnist"].t_train)

    monkeypatch.setattr(ds_book, "SYNTHETIC_SIZES", (30, 10))
    data = ds.book_dataset(root=tmp_path / "empty")
    assert data.name == "synthetic" and data.x_train.shape == (30, 1, 28, 28)
    assert data.summary.startswith("Generated digits (30 training and 10 test images")
    assert "neither MNIST nor Fashion-MNIST" in data.summary
    assert "Neither was Fashion-MNIST" in data.details and "synthetic_digits" in data.details
    np.testing.assert_array_equal(data.x_test, ds.synthetic_digits(10, seed=1)[0])


def test_book_dataset_by_name_never_substitutes(env, tmp_path, monkeypatch):
    monkeypatch.setenv("CNNBOOK_DATASET", "fashion-mnist")
    env["mnist"].write(tmp_path / "root")
    with pytest.raises(ds.DatasetNotFoundError, match="Fake-fashion-mnist"):
        ds.book_dataset(root=tmp_path / "root")
    monkeypatch.setenv("CNNBOOK_DATASET", "mnist")
    data = ds.book_dataset(root=tmp_path / "root")
    assert data.name == "mnist" and data.summary.endswith("chosen by CNNBOOK_DATASET=mnist.")
    monkeypatch.setenv("CNNBOOK_DATASET", "cifar10")
    with pytest.raises(ValueError, match="CNNBOOK_DATASET must be one of"):
        ds.book_dataset()
    with pytest.raises(ValueError, match="name must be one of"):
        ds.book_dataset("kmnist")


def test_book_dataset_offline_fallback_is_bounded(env, tmp_path, monkeypatch):
    import socket
    silent = socket.socket()  # accepts connections (backlog) but never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    port = silent.getsockname()[1]
    try:
        for name in ("mnist", "fashion-mnist"):
            monkeypatch.setitem(ds.MIRRORS, name, (f"http://127.0.0.1:{port}/{name}/",))
        monkeypatch.setattr(ds_book, "_BOOK_TIMEOUT", 0.3)
        monkeypatch.setattr(ds_book, "_BOOK_BUDGET", 0.5)
        monkeypatch.setattr(ds_book, "SYNTHETIC_SIZES", (10, 10))
        ds.synthetic_digits(1)  # the glyph bank is drawn once per process: not part of the bound
        start = time.monotonic()
        data = ds.book_dataset(root=tmp_path / "empty")
        elapsed = time.monotonic() - start
    finally:
        silent.close()
    assert data.name == "synthetic"
    assert elapsed < 4.0, elapsed
    assert f"127.0.0.1:{port}" in data.details


# --------------------------------------------------------------------------------------------
# Real files
# --------------------------------------------------------------------------------------------

REAL_DATA = os.environ.get("CNNBOOK_DATA")
# Label counts of the MNIST test set, from the README of the data (an independent source).
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
# The published MD5 of the uncompressed training images (MNIST README, torchvision, many loaders).
MNIST_TRAIN_IMAGES_CONTENT_MD5 = "6bbc9ace898e44ae57da46a324031adb"


@pytest.mark.skipif(not REAL_DATA, reason="CNNBOOK_DATA is not set: no real MNIST files to check")
def test_real_mnist_test_set(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    statuses = {s.filename: s for s in ds.verify("mnist")}
    images, labels = statuses["t10k-images-idx3-ubyte.gz"], statuses["t10k-labels-idx1-ubyte.gz"]
    assert images.ok and labels.ok, (images, labels)
    # The published MD5s of the .gz files (MNIST README, torchvision), checked independently.
    assert hashlib.md5(images.path.read_bytes()).hexdigest() == "9fb629c4189551a2d022fa330f9573f3"
    assert hashlib.md5(labels.path.read_bytes()).hexdigest() == "ec29112dd5afa0611ce80d1b7f02629c"
    x = ds.read_idx(images.path)
    t = ds.read_idx(labels.path)
    assert x.shape == (10_000, 28, 28) and x.dtype == np.uint8
    assert x.min() == 0 and x.max() == 255
    assert np.bincount(t, minlength=10).tolist() == MNIST_TEST_COUNTS
    # The data README promises the complete dataset: all four files must be recognised, the
    # re-compressed training images by their decompressed content.
    assert all(s.ok for s in statuses.values()), statuses
    train = statuses["train-images-idx3-ubyte.gz"]
    content = gzip.decompress(train.path.read_bytes())
    assert len(content) == 47_040_016
    assert hashlib.md5(content).hexdigest() == MNIST_TRAIN_IMAGES_CONTENT_MD5
    (x_train, t_train), (x_test, t_test) = ds.load_mnist(download=False)
    assert x_train.shape == (60_000, 1, 28, 28) and x_test.shape == (10_000, 1, 28, 28)
    assert np.bincount(t_test).tolist() == MNIST_TEST_COUNTS
    assert np.bincount(t_train).tolist() == MNIST_TRAIN_COUNTS
    assert t_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert 0.0 == x_test.min() and x_test.max() == 1.0


DEBIAN = Path("/usr/share/datasets/fashion-mnist")
# MD5s of the decompressed Fashion-MNIST files as published (torchvision's FashionMNIST list).
FASHION_CONTENT_MD5 = {
    "train-images-idx3-ubyte.gz": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte.gz": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte.gz": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte.gz": "15d484375f8d13e6eb1aabb0c3f46965",
}


@pytest.mark.skipif(not DEBIAN.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_debian_fashion_mnist(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CNNBOOK_DATA", raising=False)
    for status in ds.verify("fashion-mnist"):
        assert status.ok and status.path.parent == DEBIAN, status
        content = gzip.decompress(status.path.read_bytes())
        assert hashlib.md5(content).hexdigest() == FASHION_CONTENT_MD5[status.filename]
    (x, t), (xt, tt) = ds.load_fashion_mnist(download=False)
    assert x.shape == (60_000, 1, 28, 28) and xt.shape == (10_000, 1, 28, 28)
    assert x.dtype == np.float32 and 0.0 == x.min() and x.max() == 1.0
    assert np.bincount(t).tolist() == [6000] * 10
    assert np.bincount(tt).tolist() == [1000] * 10


# --------------------------------------------------------------------------------------------
# Hostile files, folders and servers (issue: every bad input a clear error)
# --------------------------------------------------------------------------------------------

def test_read_idx_too_many_dimensions_names_the_file(tmp_path):
    path = tmp_path / "many.idx"
    path.write_bytes(bytes([0, 0, 0x08, 65]) + struct.pack(">65I", *[1] * 65) + b"\x00")
    with pytest.raises(ValueError, match="65 dimensions") as info:
        ds.read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_refuses_a_header_declaring_too_much(tmp_path):
    path = tmp_path / "huge.idx.gz"
    path.write_bytes(gzip.compress(idx_bytes(0x0E, (100_000, 100_000), [])))
    with pytest.raises(ValueError, match="MAX_IDX_BYTES") as info:
        ds.read_idx(path)
    assert str(path) in str(info.value) and "(100000, 100000)" in str(info.value)


def test_read_idx_paths_must_be_paths():
    for bad in (None, 123, 1.5):
        with pytest.raises(TypeError, match="path must be a path"):
            ds.read_idx(bad)


def test_gzip_bomb_is_rejected_after_the_declared_size(tmp_path):
    import tracemalloc

    path = tmp_path / "bomb.idx.gz"
    unpacked = 200 << 20  # 200 MiB of zeros after a header declaring 6 bytes of data
    packer = __import__("zlib").compressobj(9, wbits=31)
    parts = [packer.compress(GOOD)]
    zeros = bytes(1 << 20)
    parts += [packer.compress(zeros) for _ in range(unpacked >> 20)]
    parts.append(packer.flush())
    path.write_bytes(b"".join(parts))
    assert path.stat().st_size < unpacked / 500  # a small file that expands a lot
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"more data than the IDX header declares \(18 bytes") \
                as info:
            ds.read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(info.value)
    assert peak < 4 * path.stat().st_size + (1 << 20), peak  # the file, never its expansion


def test_symlink_loop_as_root_or_cnnbook_data_is_a_clear_error(env, tmp_path, monkeypatch):
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    with pytest.raises(ValueError, match="root must be a usable folder") as info:
        ds.load_mnist(loop, download=False)
    assert str(loop) in str(info.value)
    with pytest.raises(ValueError, match="root must be a usable folder"):
        ds.verify("mnist", loop)
    monkeypatch.setenv("CNNBOOK_DATA", str(loop))
    with pytest.raises(ValueError, match="CNNBOOK_DATA must be a usable folder"):
        ds.load_mnist(download=False)
    with pytest.raises(ValueError, match="CNNBOOK_DATA must be a usable folder"):
        ds.book_dataset()


def test_roots_must_be_paths(env):
    for bad in (123, 4.5, ["a"]):
        with pytest.raises(TypeError, match="root must be a path"):
            ds.load_mnist(bad, download=False)


def test_odd_things_under_a_file_name_are_problem_lines(env, tmp_path):
    fake = env["mnist"]
    root = fake.write(tmp_path / "root")
    cache = fake.write(ds.cache_dir("mnist"))
    (root / "train-images-idx3-ubyte.gz").unlink()
    (root / "train-images-idx3-ubyte.gz").mkdir()  # a directory where the file should be
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    (root / "t10k-labels-idx1-ubyte.gz").symlink_to(root / "nowhere")  # dangling
    loop = root / "train-labels-idx1-ubyte.gz"
    loop.unlink()
    loop.symlink_to(root / "train-labels-idx1-ubyte")
    (root / "train-labels-idx1-ubyte").symlink_to(loop)  # a loop, under both names
    images = root / "t10k-images-idx3-ubyte.gz"
    images.write_bytes(fake.gz["train-labels-idx1-ubyte.gz"])  # the wrong file of this dataset
    statuses = {s.filename: s for s in ds.verify("mnist", root)}
    assert all(s.ok and s.path.parent == cache for s in statuses.values())
    lines = {name: " | ".join(s.problems) for name, s in statuses.items()}
    assert "is a directory" in lines["train-images-idx3-ubyte.gz"]
    assert "dangling symbolic link" in lines["t10k-labels-idx1-ubyte.gz"]
    assert "symbolic link loop" in lines["train-labels-idx1-ubyte.gz"]
    assert str(images) in lines["t10k-images-idx3-ubyte.gz"]
    assert "train-labels-idx1-ubyte.gz file under the wrong name" in lines[
        "t10k-images-idx3-ubyte.gz"]
    with pytest.warns(ds.DatasetWarning) as record:
        ds.load_mnist(root, download=False)
    warned = sorted(str(w.message) for w in record)
    assert warned == sorted(p for s in statuses.values() for p in s.problems)


def serve(handler, name: str, fake: Fake, prefix: str) -> None:
    for filename, data in fake.gz.items():
        handler.files[f"/{prefix}/{filename}"] = data


def test_download_never_streams_more_than_the_published_size(env, server, monkeypatch):
    url, handler = server
    fake = env["mnist"]
    for filename in fake.gz:
        handler.files[f"/huge/{filename}"] = bytes(8 << 20)  # 8 MiB for files of a few KB
    monkeypatch.setitem(ds.MIRRORS, "mnist", (f"{url}/huge/",))
    with pytest.raises(ds.DatasetNotFoundError) as info:
        ds.fetch("mnist", retries=0, timeout=5)
    size = fake.info.test_labels.size
    lines = [e for e in info.value.download_errors if "t10k-labels" in e]
    assert len(lines) == 1 and f"more than the expected {size:,} bytes" in lines[0]
    assert list(ds.cache_dir("mnist").iterdir()) == []


def test_downloaded_files_get_normal_permissions(env, server, monkeypatch):
    url, handler = server
    serve(handler, "mnist", env["mnist"], "good")
    monkeypatch.setitem(ds.MIRRORS, "mnist", (f"{url}/good/",))
    old = os.umask(0o022)
    try:
        paths = ds.fetch("mnist", retries=0, timeout=5)
    finally:
        os.umask(old)
    for path in paths.values():
        assert path.stat().st_mode & 0o777 == 0o644, oct(path.stat().st_mode)


def test_stale_temporary_files_are_cleaned_and_fresh_ones_kept(env, server, monkeypatch):
    url, handler = server
    serve(handler, "mnist", env["mnist"], "good")
    monkeypatch.setitem(ds.MIRRORS, "mnist", (f"{url}/good/",))
    cache = ds.cache_dir("mnist")
    cache.mkdir(parents=True)
    stale = [cache / "tmpab12cd34", cache / ".train-images-idx3-ubyte.gz.x1y2.part"]
    fresh = cache / "tmpfresh000"  # another process may be writing it right now
    for path in [*stale, fresh]:
        path.write_bytes(b"partial")
    hour_ago = time.time() - 3600
    for path in stale:
        os.utime(path, (hour_ago, hour_ago))
    ds.fetch("mnist", retries=0, timeout=5)
    assert not any(p.exists() for p in stale) and fresh.exists()


def test_a_failing_host_is_reported_for_every_file_it_skips(env, monkeypatch):
    import socket
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setitem(ds.MIRRORS, "mnist", (f"http://127.0.0.1:{port}/m/",))
    with pytest.raises(ds.DatasetNotFoundError) as info:
        ds.fetch("mnist", retries=0, timeout=2)
    errors = info.value.download_errors
    for filename in env["mnist"].gz:
        assert sum(f"127.0.0.1:{port}/m/{filename}" in e for e in errors) == 1, errors
    assert sum("failed earlier" in e for e in errors) == 3
    assert all(e in str(info.value) for e in errors)


def test_book_texts_never_name_the_machine_folders(env, tmp_path, monkeypatch):
    home = tmp_path / "home" / "reader"
    cache = tmp_path / "xdg-cache"
    data = tmp_path / "shared" / "data"
    build = tmp_path / "build"
    for folder in (home, cache, data, build):
        folder.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("CNNBOOK_DATA", str(data))
    monkeypatch.chdir(build)
    monkeypatch.setattr(ds_book, "SYNTHETIC_SIZES", (10, 10))
    env["fashion-mnist"].write(home / "fmnist")
    bad = data / "train-images-idx3-ubyte.gz"
    bad.write_bytes(b"not MNIST")
    fashion = ds.book_dataset(root=home / "fmnist")
    synthetic = ds.book_dataset(root=build)
    for data_set in (fashion, synthetic):
        text = data_set.summary + "\n" + data_set.details
        for folder in (home, cache, data, build):
            assert str(folder) not in text, (folder, text)
        assert "/" not in data_set.summary
    assert "$CNNBOOK_DATA/train-images-idx3-ubyte.gz" in fashion.details
    assert "~/fmnist" in fashion.details and "<cache>/cnnbook/mnist" not in fashion.details
    assert "<cache>/mnist" in fashion.details
    assert "<build>" in synthetic.details
    env["mnist"].write(data)  # the whole dataset in $CNNBOOK_DATA, named at a sentence's end
    mnist = ds.book_dataset()
    assert mnist.name == "mnist" and str(data) not in mnist.details
    assert "read from $CNNBOOK_DATA." in mnist.details


def test_public_text_replaces_whole_folder_names_only(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "root"))
    text = (f"{tmp_path}/root/a and {tmp_path}/rooted and {tmp_path}/x/root, "
            f"{tmp_path}/root.bak; read from {tmp_path}/root.")
    assert ds.public_text(text) == (f"~/a and {tmp_path}/rooted and {tmp_path}/x/root, "
                                    f"{tmp_path}/root.bak; read from ~.")
