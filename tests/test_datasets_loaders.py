"""Tests of cnnbook.datasets.loaders: shapes and values, and the real files when present.

The real MNIST files are checked when ``CNNBOOK_DATA`` points at them, Debian's Fashion-MNIST
when it is installed.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
from datasets_fakes import (
    N_TRAIN,
    env_fixture,  # noqa: F401  (fixtures env)
)

from cnnbook import datasets as ds

REAL_DATA = os.environ.get("CNNBOOK_DATA")
# Label counts of the MNIST test set, from the README of the data (an independent source).
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
# The published MD5 of the uncompressed training images (MNIST README, torchvision, many loaders).
MNIST_TRAIN_IMAGES_CONTENT_MD5 = "6bbc9ace898e44ae57da46a324031adb"
DEBIAN = Path("/usr/share/datasets/fashion-mnist")
# MD5s of the decompressed Fashion-MNIST files as published (torchvision's FashionMNIST list).
FASHION_CONTENT_MD5 = {
    "train-images-idx3-ubyte.gz": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte.gz": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte.gz": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte.gz": "15d484375f8d13e6eb1aabb0c3f46965",
}


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
