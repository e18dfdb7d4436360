"""Fakes for the datasets tests: IDX bytes written with ``struct``, a small fake dataset standing
in for MNIST / Fashion-MNIST, and a local HTTP server for downloads.

IDX files are written here with ``struct`` and ``gzip``, independently of the parser.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import struct
import threading
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from cnnbook import datasets as ds
from cnnbook.datasets import files as ds_files

STRUCT_CODES = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}


def idx_bytes(code: int, shape: tuple[int, ...], values: list) -> bytes:
    fmt = STRUCT_CODES[code]
    return (
        bytes([0, 0, code, len(shape)])
        + struct.pack(f">{len(shape)}I", *shape)
        + struct.pack(f">{len(values)}{fmt}", *values)
    )


GOOD = idx_bytes(0x08, (2, 3), [1, 2, 3, 4, 5, 6])

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
            "train-images-idx3-ubyte": idx_bytes(
                0x08, (N_TRAIN, 28, 28), self.x_train.ravel().tolist()
            ),
            "train-labels-idx1-ubyte": idx_bytes(0x08, (N_TRAIN,), self.t_train.tolist()),
            "t10k-images-idx3-ubyte": idx_bytes(
                0x08, (N_TEST, 28, 28), self.x_test.ravel().tolist()
            ),
            "t10k-labels-idx1-ubyte": idx_bytes(0x08, (N_TEST,), self.t_test.tolist()),
        }
        self.raw = raw
        self.gz = {f"{k}.gz": gzip.compress(v, mtime=0) for k, v in raw.items()}
        files = [
            ds.IdxFile(
                f"{k}.gz",
                hashlib.sha256(self.gz[f"{k}.gz"]).hexdigest(),
                hashlib.sha256(v).hexdigest(),
                len(self.gz[f"{k}.gz"]),
            )
            for k, v in raw.items()
        ]
        self.info = ds.DatasetInfo(
            name, f"Fake-{name}", *files, class_names=tuple(f"c{i}" for i in range(10))
        )

    def write(self, folder: Path, names: list[str] | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for filename, data in self.gz.items():
            if names is None or filename in names:
                (folder / filename).write_bytes(data)
        return folder


@pytest.fixture(name="env")
def env_fixture(tmp_path, monkeypatch):
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
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (the size cap at work)

    def log_message(self, *args):
        pass


@pytest.fixture(name="server")
def server_fixture():
    Handler.files = {}
    Handler.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", Handler
    httpd.shutdown()
    httpd.server_close()


def serve(handler, name: str, fake: Fake, prefix: str) -> None:
    for filename, data in fake.gz.items():
        handler.files[f"/{prefix}/{filename}"] = data
