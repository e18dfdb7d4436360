"""Walking through a method line by line: what each executed line binds, with shapes.

The Part II chapters show the library's layers with ``{literalinclude}`` and then explain them line
by line, as *Deep Learning from Scratch* does. To state shapes that are measured rather than typed,
a chapter runs the method under :func:`trace_lines`, which records, for every line the method
executes, the names that line (re)binds: its local variables and the attributes of ``self``.
:func:`print_trace` shows the record, :func:`bindings` collects each name's last value, and
:func:`assert_in_source` lets a chapter fail its build when the lines it quotes change.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Sequence

import numpy as np

from cnnbook._validate import check_int

#: One record of :func:`trace_lines`: a source line and the names it bound, with their values.
Step = tuple[str, dict[str, object]]

__all__ = ["assert_in_source", "bindings", "print_trace", "shape_text", "trace_lines"]


def trace_lines(method: Callable, *args: object) -> list[Step]:
    """Run ``method(*args)``; for each line it executes, the names that line (re)binds.

    A name is a local variable of the method or an attribute of ``self``. The tracer is installed
    with ``sys.settrace`` for the call only, and the previous tracer is restored afterwards.

    Parameters
    ----------
    method : callable
        A Python function or bound method.
    *args
        Its arguments.

    Returns
    -------
    list of (str, dict)
        ``(source line, {name: value})`` pairs in execution order, the last one
        ``("return", {"result": value})``.

    Raises
    ------
    TypeError
        If ``method`` is not a Python function or method (a builtin has no lines to trace).

    Examples
    --------
    >>> def f(a):
    ...     b = a * 2
    ...     return b + 1
    >>> [(line, sorted(bound)) for line, bound in trace_lines(f, 3)]
    [('b = a * 2', ['b']), ('return b + 1', []), ('return', ['result'])]
    """
    code = getattr(getattr(method, "__func__", method), "__code__", None)
    if code is None:
        raise TypeError(f"method must be a Python function or method, got {type(method).__name__}")
    steps: list[Step] = []
    state: dict = {}

    def snapshot(frame):
        names = dict(frame.f_locals)
        me = names.pop("self", None)
        if me is not None:
            names.update({f"self.{k}": v for k, v in vars(me).items()})
        return names

    def local(frame, event, arg):
        now = snapshot(frame)
        if "line" in state:  # what the previous line bound
            old = state["names"]
            steps.append(
                (state["line"], {k: v for k, v in now.items() if k not in old or old[k] is not v})
            )
        if event == "return":
            steps.append(("return", {"result": arg}))
        state.update(line=frame.f_lineno, names=now)
        return local

    def outer(frame, event, arg):
        return local if frame.f_code is code else None

    previous = sys.gettrace()
    sys.settrace(outer)
    try:
        method(*args)
    finally:
        sys.settrace(previous)
    lines, first = inspect.getsourcelines(method)
    return [(n if n == "return" else lines[n - first].strip(), bound) for n, bound in steps]


def shape_text(value: object) -> str:
    """An array as its shape, a dict of arrays as its shapes, a float to 4 digits, a small Python
    value as its repr, any other object as its type name.

    Examples
    --------
    >>> shape_text(np.zeros((2, 3))), shape_text({"W": np.zeros(4)}), shape_text(0.123456)
    ('(2, 3)', '{W: (4,)}', '0.1235')
    """
    if isinstance(value, np.ndarray):
        return str(value.shape)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shape_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (int, str, tuple, type(None))):
        return repr(value)
    return type(value).__name__


def print_trace(steps: Sequence[Step], width: int = 72) -> None:
    """Print each executed source line (cut to ``width``), and below it what it bound.

    Examples
    --------
    >>> print_trace([("y = x.T  # a comment", {"y": np.zeros((3, 2))})])
    y = x.T
        -> y: (3, 2)
    """
    width = check_int(width, "width", 2)
    for line, bound in steps:
        line = line.split("  #")[0]
        print(line if len(line) <= width else line[: width - 1] + "…")
        flat = {k: v for k, v in bound.items() if not isinstance(v, dict)}
        if flat:
            print("    ->", ", ".join(f"{k}: {shape_text(v)}" for k, v in flat.items()))
        for k, v in bound.items():
            if isinstance(v, dict):  # a dict of arrays: one entry per line
                print(
                    f"    -> {k}:",
                    *(f"{e}: {shape_text(a)}" for e, a in v.items()),
                    sep="\n         ",
                )


def bindings(steps: Sequence[Step]) -> dict[str, object]:
    """Every name's latest value over a trace.

    Examples
    --------
    >>> bindings([("a = 1", {"a": 1}), ("a = 2", {"a": 2}), ("return", {"result": 2})])
    {'a': 2, 'result': 2}
    """
    return {k: v for _, bound in steps for k, v in bound.items()}


def assert_in_source(method: Callable, fragments: Sequence[str]) -> None:
    """Check that a method's source still holds the pieces of code a chapter quotes.

    A walk-through that explains lines of a library method fails its build when the library
    changes them, instead of explaining code that no longer exists.

    Raises
    ------
    TypeError
        If ``fragments`` is a single string rather than a sequence of strings.
    AssertionError
        If a fragment is not in the method's source.

    Examples
    --------
    >>> assert_in_source(shape_text, ["isinstance(value, np.ndarray)"])
    """
    if isinstance(fragments, str):
        raise TypeError("fragments must be a sequence of strings, not one string")
    source = inspect.getsource(method)
    for fragment in fragments:
        assert fragment in source, (method.__qualname__, fragment)
