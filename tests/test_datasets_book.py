"""Tests of cnnbook.datasets.book: the book's choice of dataset, and texts safe to publish."""

from __future__ import annotations

import time

import numpy as np
import pytest
from datasets_fakes import (
    N_TRAIN,
    env_fixture,  # noqa: F401  (fixtures env)
)

from cnnbook import datasets as ds
from cnnbook.datasets import book as ds_book


def test_book_dataset_prefers_mnist(env, tmp_path):
    root = env["mnist"].write(tmp_path / "root")
    env["fashion-mnist"].write(tmp_path / "root" / "fashion-mnist")
    data = ds.book_dataset(root=root)
    assert data.name == "mnist"
    assert data.x_train.shape == (N_TRAIN, 1, 28, 28) and data.t_test.dtype == np.int64
    assert data.class_names == env["mnist"].info.class_names
    assert data.summary.startswith("MNIST (30 training and 20 test images of handwritten digits)")
    assert data.title == "MNIST"
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
    text = (
        f"{tmp_path}/root/a and {tmp_path}/rooted and {tmp_path}/x/root, "
        f"{tmp_path}/root.bak; read from {tmp_path}/root."
    )
    assert ds.public_text(text) == (
        f"~/a and {tmp_path}/rooted and {tmp_path}/x/root, {tmp_path}/root.bak; read from ~."
    )


def test_book_dataset_checks_its_arguments(env):
    for bad, word in (
        ((0, 10), "synthetic_sizes\\[0\\] must be >= 1"),
        ((10, 2.5), "synthetic_sizes\\[1\\] must be an integer"),
        ((10,), "synthetic_sizes must be two positive integers"),
        (10, "synthetic_sizes must be two positive integers"),
    ):
        with pytest.raises(ValueError, match=word):
            ds.book_dataset("synthetic", synthetic_sizes=bad)
    with pytest.raises(TypeError, match="root must be a path"):
        ds.book_dataset("mnist", root=42)
    data = ds.book_dataset("synthetic", synthetic_sizes=(12, 7))
    assert (len(data.t_train), len(data.t_test)) == (12, 7)
    np.testing.assert_array_equal(data.x_test, ds.synthetic_digits(7, seed=1)[0])
