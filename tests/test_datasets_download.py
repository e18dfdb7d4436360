"""Tests of cnnbook.datasets.download (through fetch): mirrors, retries, size cap, permissions.

Downloads are served by a local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
from datasets_fakes import env_fixture, serve, server_fixture  # noqa: F401  (fixtures)

from cnnbook import datasets as ds


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
