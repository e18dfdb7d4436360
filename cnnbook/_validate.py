"""Argument checks shared by the modules of cnnbook (private: not part of the public API).

Every public function checks its arguments up front and raises an error whose message names the
argument and what was expected, instead of failing deep inside NumPy.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from numbers import Integral
from pathlib import Path

import numpy as np


class IntegerArgumentError(TypeError, ValueError):
    """A non-integer where an integer was expected.

    It is a :class:`TypeError`, as for any argument of the wrong type, and also a
    :class:`ValueError`, because the contract of :func:`cnnbook.conv.conv_output_size` and its
    siblings promises ``ValueError`` for any argument that is not a valid integer.
    """


def check_int(value: object, name: str, minimum: int) -> int:
    """Return ``value`` as an ``int`` after checking it is an integer (not a bool) ``>= minimum``.

    Raises
    ------
    IntegerArgumentError
        ``value`` is not an integer (floats such as ``2.0`` and bools are refused).
    ValueError
        ``value < minimum``.

    Examples
    --------
    >>> check_int(3, "stride", 1)
    3
    >>> check_int(0, "stride", 1)
    Traceback (most recent call last):
    ...
    ValueError: stride must be >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise IntegerArgumentError(
            f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__})"
        )
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_real(
    value: object, name: str, *, minimum: float | None = None, strict: bool = False
) -> float:
    """Return ``value`` as a finite ``float``, optionally bounded below.

    Python and NumPy real scalars (and 0-d real arrays) are accepted; bools are refused.

    Raises
    ------
    TypeError
        ``value`` is not a real number.
    ValueError
        ``value`` is NaN or infinite, or below ``minimum`` (at ``minimum`` too if ``strict``).

    Examples
    --------
    >>> check_real(0.5, "lr", minimum=0, strict=True)
    0.5
    >>> check_real(0, "lr", minimum=0, strict=True)
    Traceback (most recent call last):
    ...
    ValueError: lr must be > 0, got 0
    """
    arr = np.asarray(value) if not isinstance(value, bool) else None
    if arr is None or arr.ndim != 0 or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real number, got {value!r}")
    out = float(arr)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if minimum is not None and (out <= minimum if strict else out < minimum):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {minimum}, got {value!r}")
    return out


def real_array(a: object, name: str, *, float64: bool = False, finite: bool = False) -> np.ndarray:
    """Return ``a`` as a real floating-point array, or raise an error that names ``name``.

    Integer and bool arrays become float64; float arrays keep their precision (float32 stays
    float32) unless ``float64`` is set.

    Raises
    ------
    ValueError
        ``a`` is ragged (not rectangular), or ``finite`` is set and ``a`` holds NaN or infinity.
    TypeError
        ``a`` is complex or not numeric.

    Examples
    --------
    >>> real_array([1, 2], "x").dtype
    dtype('float64')
    >>> real_array(["a"], "x")
    Traceback (most recent call last):
    ...
    TypeError: x must be a real numeric array, got dtype <U1
    """
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name} must be a rectangular numeric array ({err})") from err
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real; complex input ({arr.dtype}) is not supported")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if float64 or arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr


def check_ndim(arr: np.ndarray, name: str, ndim: int, layout: str) -> np.ndarray:
    """Return ``arr`` after checking it has ``ndim`` axes and is not empty.

    ``layout`` names the axes in the error message, e.g. ``"(N, C, H, W)"``.

    Examples
    --------
    >>> check_ndim(np.ones((2, 3)), "x", 1, "(L,)")
    Traceback (most recent call last):
    ...
    ValueError: x must have shape (L,), got shape (2, 3)
    """
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have shape {layout}, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def nchw_array(x: object, name: str = "x") -> np.ndarray:
    """Return ``x`` as a real floating-point batch of images, shape ``(N, C, H, W)``, not empty.

    The one check of an image batch: :func:`real_array` (complex and non-numeric input refused,
    integers become float64), then :func:`check_ndim` with four axes.

    Examples
    --------
    >>> nchw_array(np.zeros((2, 1, 3, 3)), "x").shape
    (2, 1, 3, 3)
    >>> nchw_array(np.zeros((2, 0, 3, 3)), "x")
    Traceback (most recent call last):
    ...
    ValueError: x must not be empty, got shape (2, 0, 3, 3)
    """
    return check_ndim(real_array(x, name), name, 4, "(N, C, H, W)")


def check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` after checking it is one of the strings ``choices``.

    Examples
    --------
    >>> check_choice("max", "mode", ("max", "avg"))
    'max'
    >>> check_choice("min", "mode", ("max", "avg"))
    Traceback (most recent call last):
    ...
    ValueError: mode must be one of 'max', 'avg', got 'min'
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_fraction(value: object, name: str) -> float:
    """Return ``value`` as a float in ``[0, 1)`` (a decay rate, a momentum).

    Examples
    --------
    >>> check_fraction(0.9, "momentum")
    0.9
    >>> check_fraction(1.0, "momentum")
    Traceback (most recent call last):
    ...
    ValueError: momentum must be in [0, 1), got 1.0
    """
    out = check_real(value, name, minimum=0)
    if out >= 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return out


def check_seed(value: object, name: str = "seed") -> int:
    """Return a random seed as an ``int`` after checking it is a non-negative integer.

    Python and NumPy integers are accepted; bools, floats and strings are refused.

    Raises
    ------
    TypeError
        ``value`` is not an integer (a bool, a float such as ``1.0``, a string).
    ValueError
        ``value`` is negative.

    Examples
    --------
    >>> check_seed(np.int64(7))
    7
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be >= 0, got -1
    """
    return check_int(value, name, 0)


def check_path(value: object, name: str) -> Path:
    """Return ``value`` as a :class:`pathlib.Path` after checking it is a non-empty path.

    ``str`` and :class:`os.PathLike` objects are accepted (a leading ``~`` is expanded).

    Raises
    ------
    TypeError
        ``value`` is not a ``str`` or path-like object (e.g. a number or ``None``).
    ValueError
        ``value`` is the empty string.

    Examples
    --------
    >>> check_path("data/mnist", "root").parts
    ('data', 'mnist')
    >>> check_path(123, "root")
    Traceback (most recent call last):
    ...
    TypeError: root must be a path (str or os.PathLike), got 123 (int)
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a path (str or os.PathLike), got {value!r} ({type(value).__name__})"
        )
    if not value:
        raise ValueError(f"{name} must be a path, got the empty string")
    return Path(value).expanduser()


def check_pair(value: object, name: str, minimum: int) -> tuple[int, int]:
    """Return an integer or a pair of integers as a pair ``(a, b)``, each ``>= minimum``.

    Raises
    ------
    IntegerArgumentError
        ``value`` (or an entry of the pair) is not an integer.
    ValueError
        A pair of the wrong length, or an entry below ``minimum``.

    Examples
    --------
    >>> check_pair(3, "kernel_size", 1), check_pair((2, 5), "kernel_size", 1)
    ((3, 3), (2, 5))
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an integer or a pair of integers, got {value!r}")
        return (
            check_int(value[0], f"{name}[0]", minimum),
            check_int(value[1], f"{name}[1]", minimum),
        )
    v = check_int(value, name, minimum)
    return v, v


def check_int_sequence(values: object, name: str, minimum: int) -> list[int]:
    """Return a sequence (list, tuple or 1-D array) of integers, each ``>= minimum``, as a list.

    Raises
    ------
    ValueError
        ``values`` is not a sequence (a string, a scalar, a 0-d array), or an entry ``< minimum``.
    IntegerArgumentError
        An entry is not an integer.

    Examples
    --------
    >>> check_int_sequence((3, 3), "kernel_sizes", 1)
    [3, 3]
    """
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise ValueError(
            f"{name} must be a sequence of integers, got an array of shape {values.shape}"
        )
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        # ValueError, as cnnbook.conv's contract promises for every malformed size argument
        raise ValueError(f"{name} must be a sequence of integers, got {values!r}")
    return [check_int(v, name, minimum) for v in values]


#: The largest array (in bytes) a function allocates on request; see :func:`check_alloc`.
MAX_ALLOC_BYTES = 2**32


def check_alloc(count: int, name: str, *, itemsize: int = 8, what: str = "values") -> int:
    """Refuse to allocate ``count`` items of ``itemsize`` bytes if that exceeds 4 GiB.

    Functions that build an array whose size follows from their arguments call this *before*
    allocating, so that a mistyped size gives a clear error instead of a ``MemoryError`` or a
    machine that swaps. ``name`` is the argument responsible for the size.

    Raises
    ------
    ValueError
        ``count * itemsize > MAX_ALLOC_BYTES`` (4 GiB); the message gives the size.

    Examples
    --------
    >>> check_alloc(10**6, "n")
    1000000
    >>> check_alloc(10**12, "n", what="matrix entries")
    Traceback (most recent call last):
    ...
    ValueError: n asks for 1000000000000 matrix entries (7.28 TiB), more than the limit of 4 GiB
    """
    count = int(count)
    size = count * itemsize
    if size > MAX_ALLOC_BYTES:
        raise ValueError(
            f"{name} asks for {count} {what} ({_bytes_text(size)}), more than the "
            f"limit of {_bytes_text(MAX_ALLOC_BYTES)}"
        )
    return count


def _bytes_text(size: int) -> str:
    """``size`` bytes in binary units, e.g. ``"7.3 TiB"``, ``"4 GiB"``."""
    value, unit = float(size), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if value < 1024 or unit == "EiB":
            break
        value /= 1024
    return f"{value:.3g} {unit}"
