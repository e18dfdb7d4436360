"""Tests of cnnbook.datasets.files: search order, SHA-256 checks, odd things under a file name."""

from __future__ import annotations

import gzip
import hashlib
import warnings

import numpy as np
import pytest
from datasets_fakes import env_fixture  # noqa: F401  (fixtures env)

from cnnbook import datasets as ds


def test_cache_dir_honours_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert ds.cache_dir("mnist") == tmp_path / "cnnbook" / "mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # not absolute: ignored (XDG spec)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert (
        ds.cache_dir("fashion-mnist") == tmp_path / "home" / ".cache" / "cnnbook" / "fashion-mnist"
    )
    with pytest.raises(ValueError, match="dataset name must be one of"):
        ds.cache_dir("cifar")


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
    assert (
        paths["t10k-labels-idx1-ubyte.gz"] == cache and paths["t10k-images-idx3-ubyte.gz"] == root
    )


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
    monkeypatch.setitem(
        ds.DATASETS,
        "mnist",
        ds.DatasetInfo(
            "mnist",
            info.title,
            strict,
            info.train_labels,
            info.test_images,
            info.test_labels,
            info.class_names,
        ),
    )
    root = fake.write(tmp_path / "root")
    (root / "train-images-idx3-ubyte.gz").write_bytes(
        gzip.compress(fake.raw["train-images-idx3-ubyte"], mtime=1)
    )
    with (
        pytest.warns(ds.DatasetWarning, match="does not match the published .gz"),
        pytest.raises(ds.DatasetNotFoundError, match="train-images-idx3-ubyte.gz"),
    ):
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
    for name in (
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
    ):
        assert name in message and name in err.missing
    assert "t10k-labels-idx1-ubyte.gz" not in err.missing
    assert "CNNBOOK_DATA" in message and "python -m cnnbook data" in message
    assert "download=False" in message


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
    assert (
        "train-labels-idx1-ubyte.gz file under the wrong name" in lines["t10k-images-idx3-ubyte.gz"]
    )
    with pytest.warns(ds.DatasetWarning) as record:
        ds.load_mnist(root, download=False)
    warned = sorted(str(w.message) for w in record)
    assert warned == sorted(p for s in statuses.values() for p in s.problems)
