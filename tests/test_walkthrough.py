"""cnnbook.walkthrough against methods whose bindings are known, and its bad input."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from cnnbook import walkthrough


class _Probe:
    """A method whose bindings are known: a local array, an attribute, a scalar, a return."""

    def run(self, x):
        y = x.reshape(2, -1)
        self.kept = y.T
        z = float(y.sum())
        return z * 2


def test_trace_lines_records_what_each_line_binds():
    x = np.arange(6.0)
    probe = _Probe()
    before = sys.gettrace()
    steps = walkthrough.trace_lines(probe.run, x)
    assert sys.gettrace() is before  # the tracer is removed again
    lines = [line for line, _ in steps]
    assert lines == [
        "y = x.reshape(2, -1)",
        "self.kept = y.T",
        "z = float(y.sum())",
        "return z * 2",
        "return",
    ]
    bound = [set(b) for _, b in steps]
    assert bound == [{"y"}, {"self.kept"}, {"z"}, set(), {"result"}]
    assert steps[0][1]["y"].shape == (2, 3)
    assert steps[1][1]["self.kept"].shape == (3, 2)
    assert steps[2][1]["z"] == 15.0 and steps[4][1]["result"] == 30.0
    assert probe.run(x) == 30.0  # the traced call returned what an untraced call returns
    latest = walkthrough.bindings(steps)
    assert set(latest) == {"y", "self.kept", "z", "result"}


def test_trace_lines_records_each_pass_of_a_loop():

    def shrink(a):
        for _ in range(3):
            a = a[:-1]
        return a

    steps = walkthrough.trace_lines(shrink, np.zeros(5))
    shapes = [b["a"].shape for _, b in steps if "a" in b]
    assert shapes == [(4,), (3,), (2,)]


def test_print_trace_prints_each_line_and_its_bindings(capsys):
    steps = [
        ("a = f(x)  # a comment", {"a": np.zeros((2, 3)), "n": 4}),
        ("if a:", {}),
        ("x" * 80, {}),
        ("return", {"result": {"W": np.zeros(5)}}),
    ]
    walkthrough.print_trace(steps, width=40)
    assert capsys.readouterr().out.splitlines() == [
        "a = f(x)",
        "    -> a: (2, 3), n: 4",
        "if a:",
        "x" * 39 + "…",
        "return",
        "    -> result:",
        "         W: (5,)",
    ]


def test_shape_text_and_assert_in_source():
    shape_text = walkthrough.shape_text
    assert shape_text(np.zeros((2, 3))) == "(2, 3)"
    assert shape_text({"W": np.zeros(4), "b": np.zeros(())}) == "{W: (4,), b: ()}"
    assert shape_text(2.75123) == "2.751"
    assert shape_text(None) == "None" and shape_text("Relu1") == "'Relu1'"
    assert shape_text(_Probe()) == "_Probe"
    walkthrough.assert_in_source(_Probe.run, ["self.kept = y.T"])
    with pytest.raises(AssertionError):
        walkthrough.assert_in_source(_Probe.run, ["self.kept = y.copy()"])


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: walkthrough.trace_lines(len, [1]), TypeError, "method must be a Python function"),
        (lambda: walkthrough.trace_lines(5), TypeError, "method must be a Python function"),
        (lambda: walkthrough.print_trace([], width=1), ValueError, "width must be >= 2"),
        (lambda: walkthrough.print_trace([], width=2.5), TypeError, "width must be an integer"),
        (
            lambda: walkthrough.assert_in_source(walkthrough.bindings, "return"),
            TypeError,
            "fragments must be a sequence of strings",
        ),
        (
            lambda: walkthrough.assert_in_source(walkthrough.bindings, ["no such line"]),
            AssertionError,
            "no such line",
        ),
    ],
)
def test_bad_input_is_refused(call, error, words):
    with pytest.raises(error, match=words):
        call()
