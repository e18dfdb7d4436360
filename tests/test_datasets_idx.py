"""Tests of cnnbook.datasets.idx: every IDX type, corrupt files, and bounded decompression."""

from __future__ import annotations

import gzip
import struct

import pytest
from datasets_fakes import GOOD, STRUCT_CODES, idx_bytes

from cnnbook import datasets as ds

SAMPLE_VALUES = {
    0x08: [0, 1, 127, 128, 254, 255],
    0x09: [-128, -1, 0, 1, 64, 127],
    0x0B: [-32768, -300, 0, 1, 300, 32767],
    0x0C: [-(2**31), -70000, 0, 1, 70000, 2**31 - 1],
    0x0D: [-1.5, 0.0, 0.25, 3.0, 1e10, -(2.0**-10)],
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
    assert (
        got.dtype.kind
        == {"B": "u", "b": "i", "h": "i", "i": "i", "f": "f", "d": "f"}[STRUCT_CODES[code]]
    )
    assert got.dtype.itemsize == struct.calcsize(STRUCT_CODES[code])
    expected = [
        struct.unpack(">" + STRUCT_CODES[code], struct.pack(">" + STRUCT_CODES[code], v))[0]
        for v in values
    ]
    assert got.ravel().tolist() == expected


def test_read_idx_three_dimensions_c_order(tmp_path):
    values = list(range(24))
    path = tmp_path / "cube.idx"
    path.write_bytes(idx_bytes(0x08, (2, 3, 4), values))
    got = ds.read_idx(path)
    assert got.shape == (2, 3, 4)
    assert got[1, 2, 3] == 1 * 12 + 2 * 4 + 3
    assert got[0, 1, 0] == 4


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x00\x00", "too short"),
        (b"\x01" + GOOD[1:], "bad IDX magic number"),
        (GOOD[:2] + b"\x0a" + GOOD[3:], "unknown IDX data type code 0x0A"),
        (GOOD[:3] + b"\x00", "0 dimensions"),
        (GOOD[:7], "truncated IDX header"),
        (GOOD[:-1], "truncated IDX data"),
        (GOOD + b"\x00\x00", "2 extra bytes"),
    ],
    ids=["short", "magic", "type-code", "no-dims", "header", "data", "extra"],
)
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
        with pytest.raises(
            ValueError, match=r"more data than the IDX header declares \(18 bytes"
        ) as info:
            ds.read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(info.value)
    assert peak < 4 * path.stat().st_size + (1 << 20), peak  # the file, never its expansion
