"""The IDX file format of MNIST: parsing, with the header's declared size bounding decompression.

An IDX file is a magic number ``0x00 0x00 <type> <ndim>``, then ``ndim`` big-endian 4-byte
dimension sizes, then the data in C order, big-endian. The header says exactly how many bytes
follow, so a gzip'd file is never decompressed beyond that: a "gzip bomb" (a small file that
expands to gigabytes) is rejected after reading at most one byte more than its header declares.
"""

from __future__ import annotations

import math
import os
import struct
import zlib

import numpy as np

from cnnbook._validate import check_path

__all__ = ["IDX_TYPES", "MAX_IDX_BYTES", "MAX_IDX_DIMS", "idx_content", "parse_idx", "read_idx"]

#: IDX type codes (third byte of the magic number) and their big-endian NumPy types.
IDX_TYPES: dict[int, str] = {
    0x08: ">u1",  # unsigned byte
    0x09: ">i1",  # signed byte
    0x0B: ">i2",  # short (2 bytes)
    0x0C: ">i4",  # int (4 bytes)
    0x0D: ">f4",  # float (4 bytes)
    0x0E: ">f8",  # double (8 bytes)
}

#: Largest uncompressed IDX file read (bytes): 1 GiB, twenty times MNIST's training images.
MAX_IDX_BYTES = 1 << 30

#: Most dimensions an IDX header may declare (every supported NumPy handles 32 axes).
MAX_IDX_DIMS = 32

GZIP_MAGIC = b"\x1f\x8b"


def _header_size(head: bytes, source: str) -> int:
    """Bytes the IDX file must have in total, from its first bytes (at least 4); checks magic."""
    if len(head) < 4:
        raise ValueError(f"{source}: {len(head)} bytes, too short for the 4-byte IDX magic number")
    if head[0] != 0 or head[1] != 0:
        raise ValueError(
            f"{source}: bad IDX magic number 0x{head[:4].hex()}: the first two bytes must be zero"
        )
    code, ndim = head[2], head[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_TYPES)
        raise ValueError(f"{source}: unknown IDX data type code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise ValueError(f"{source}: IDX header declares 0 dimensions; expected at least 1")
    if ndim > MAX_IDX_DIMS:
        raise ValueError(
            f"{source}: IDX header declares {ndim} dimensions; at most {MAX_IDX_DIMS} are supported"
        )
    header = 4 + 4 * ndim
    if len(head) < header:
        raise ValueError(
            f"{source}: truncated IDX header: {ndim} dimensions need {header} bytes, "
            f"the file has {len(head)}"
        )
    shape = struct.unpack(f">{ndim}I", head[4:header])
    total = header + math.prod(shape) * np.dtype(IDX_TYPES[code]).itemsize
    if total > MAX_IDX_BYTES:
        raise ValueError(
            f"{source}: IDX header declares shape {shape}, {total:,} bytes; "
            f"at most MAX_IDX_BYTES = {MAX_IDX_BYTES:,} are read"
        )
    return total


def _declared_size(out: bytes | bytearray, source: str) -> int:
    """How many bytes the IDX file must have, as far as its first bytes ``out`` tell.

    4 until the magic number is read, then the header's size until the header is read, then the
    whole file's size.
    """
    if len(out) < 4:
        return 4
    header = 4 + 4 * out[3]
    if len(out) < header:
        return header
    return _header_size(bytes(out[:header]), source)


def _gunzip_bounded(data: bytes, source: str) -> bytes:
    """Decompress a gzip'd IDX file, producing at most one byte more than its header declares.

    That one extra byte, when the stream has it, is reported as an error.
    Several gzip members in a row are read as one stream, as :func:`gzip.decompress` does.
    """
    out = bytearray()
    limit = 4
    stream = data
    try:
        while stream:
            unzip = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer (CRC, size)
            pending = stream
            while not unzip.eof:
                chunk = unzip.decompress(pending, limit + 1 - len(out))
                pending = unzip.unconsumed_tail
                out += chunk
                limit = _declared_size(out, source)
                if len(out) > limit:
                    raise ValueError(
                        f"{source}: more data than the IDX header declares "
                        f"({limit} bytes); decompression stopped there"
                    )
                if not chunk and not pending:
                    raise ValueError(
                        f"{source}: broken gzip stream (the compressed data end early)"
                    )
            stream = unzip.unused_data
    except zlib.error as exc:
        raise ValueError(f"{source}: broken gzip stream ({exc})") from None
    return bytes(out)


def idx_content(data: bytes, source: str) -> bytes:
    """The uncompressed bytes of an IDX file, from its bytes on disk (gzip'd or not).

    Decompression stops one byte after the size the IDX header declares.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    source : str
        The file's name, for error messages.

    Returns
    -------
    bytes
        ``data`` itself when not gzip'd, else its decompressed content (bounded as said).

    Raises
    ------
    ValueError
        If the gzip stream is broken or the header invalid; the message starts with ``source``.

    Examples
    --------
    >>> import gzip, struct
    >>> raw = bytes([0, 0, 0x08, 1]) + struct.pack(">I", 2) + bytes([5, 6])
    >>> idx_content(gzip.compress(raw), "x.gz") == raw
    True
    """
    if data[:2] != GZIP_MAGIC:
        return data
    return _gunzip_bounded(data, source)


def parse_idx(data: bytes, source: str) -> np.ndarray:
    """Parse the bytes of an uncompressed IDX file; ``source`` names it in error messages.

    Parameters
    ----------
    data : bytes
        The whole uncompressed file.
    source : str
        The file's name, for error messages.

    Returns
    -------
    numpy.ndarray
        The array, in native byte order.

    Raises
    ------
    ValueError
        Bad magic number, unknown type code, too many dimensions, truncated header or data, extra
        bytes; the message starts with ``source``.

    Examples
    --------
    >>> parse_idx(bytes([0, 0, 0x08, 1, 0, 0, 0, 2, 5, 6]), "x")
    array([5, 6], dtype=uint8)
    """
    expected = _header_size(data, source)
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(IDX_TYPES[data[2]])
    if len(data) < expected:
        raise ValueError(
            f"{source}: truncated IDX data: shape {shape} of {dtype.name} needs "
            f"{expected} bytes, the file has {len(data)}"
        )
    if len(data) > expected:
        raise ValueError(
            f"{source}: {len(data) - expected} extra bytes after the IDX data "
            f"(shape {shape} of {dtype.name} needs {expected} bytes)"
        )
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=header)
    return array.reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not.

    The IDX format (used by MNIST) is a magic number ``0x00 0x00 <type> <ndim>``, then ``ndim``
    big-endian 4-byte dimension sizes, then the data in C order, big-endian. Type codes: 0x08
    unsigned byte, 0x09 signed byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double. Files of more
    than :data:`MAX_IDX_BYTES` uncompressed bytes are refused, and a gzip'd file is decompressed
    only as far as its header declares.

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
        If the file is not valid IDX (bad magic number, unknown type code, more than
        :data:`MAX_IDX_DIMS` dimensions, truncated header or data, extra bytes, larger than
        :data:`MAX_IDX_BYTES`) or not valid gzip; the message names the file and the problem.
    TypeError
        If ``path`` is not a path.
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
    path = check_path(path, "path")
    size = path.stat().st_size
    if size > MAX_IDX_BYTES:
        raise ValueError(f"{path}: {size:,} bytes, more than MAX_IDX_BYTES = {MAX_IDX_BYTES:,}")
    data = path.read_bytes()
    if data[:2] != GZIP_MAGIC and path.suffix == ".gz":
        raise ValueError(
            f"{path}: named .gz but not gzip-compressed "
            f"(starts with 0x{data[:2].hex() or 'nothing'})"
        )
    return parse_idx(idx_content(data, str(path)), str(path))
