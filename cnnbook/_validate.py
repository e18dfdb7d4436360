"""Argument checks shared by the modules of cnnbook (private: not part of the public API).

Every public function checks its arguments up front and raises an error whose message names the
argument and what was expected, instead of failing deep inside NumPy.
"""

from __future__ import annotations

from numbers import Integral


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
            f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)
