"""Every public function of cnnbook refuses bad input with a clear error.

The modules' own test files hold most of the malformed calls (``test_conv_errors.py``,
``test_nn_errors.py``, ``test_datasets_*.py``, ...). This file adds the public functions they did
not reach, and checks that none is left out: every public callable of every module must appear in
at least one test that expects an exception.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from cnnbook import conv, datasets, timing
from cnnbook.nn import bench, gradcheck, layers, net, optim, trainer, windows

TESTS = Path(__file__).resolve().parent

MODULES = [
    "cnnbook.conv",
    "cnnbook.cost",
    "cnnbook.timing",
    "cnnbook.probability",
    "cnnbook.signals",
    "cnnbook.stimuli",
    "cnnbook.gabor",
    "cnnbook.gabor_fit",
    "cnnbook.revcorr",
    "cnnbook.nn.windows",
    "cnnbook.nn.layers",
    "cnnbook.nn.net",
    "cnnbook.nn.optim",
    "cnnbook.nn.augment",
    "cnnbook.nn.trainer",
    "cnnbook.nn.gradcheck",
    "cnnbook.nn.bench",
    "cnnbook.datasets",
    "cnnbook.plotting",
    "cnnbook.walkthrough",
    "cnnbook.nn.sequential",
]
# Left out on purpose, with the reason:
EXEMPT = {
    # records: their fields are filled by the library, not by a caller
    "BookDataset",
    "FileStatus",
    "NetConfig",
    "GaborFit",
    "IdxFile",
    "DatasetInfo",
    # exceptions and warnings are raised, not called with user input
    "DatasetNotFoundError",
    "DatasetChecksumError",
    "DatasetWarning",
    "IntegerArgumentError",
    # an index helper of the layers' inner loops, called only with sizes the layer checked
    "offset_slice",
}


# --------------------------------------------------------------------------------------------
# The functions the modules' own error tests did not reach
# --------------------------------------------------------------------------------------------

CASES = [
    (
        "dense_interaction_cost negative",
        lambda: conv.dense_interaction_cost(-1, 3),
        ValueError,
        "m must be >= 1",
    ),
    ("dense_interaction_cost text", lambda: conv.dense_interaction_cost("a", 3), TypeError, "m"),
    (
        "locally_connected_param_count output 0",
        lambda: conv.locally_connected_param_count(3, 16, (3, 3), (0, 4)),
        ValueError,
        r"output_size\[0\] must be >= 1",
    ),
    (
        "load_fashion_mnist root a number",
        lambda: datasets.load_fashion_mnist(123, download=False),
        TypeError,
        "root must be a path",
    ),
    ("public_text a number", lambda: datasets.public_text(5), TypeError, "text must be a str"),
    (
        "bench.run rounds 0",
        lambda: bench.run(rounds=0, with_torch=False),
        ValueError,
        "rounds must be >= 1",
    ),
    ("bench.report not a result", lambda: bench.report(5), TypeError, "result must be the dict"),
    (
        "bench.profile not a network",
        lambda: bench.profile(None, np.zeros((1, 1, 28, 28)), np.zeros(1, int), 1),
        TypeError,
        "net",
    ),
    (
        "relative_error shapes",
        lambda: gradcheck.relative_error([1.0, 2.0], [1.0]),
        ValueError,
        "a and b must have the same shape",
    ),
    (
        "relative_error complex",
        lambda: gradcheck.relative_error([1j], [1.0]),
        TypeError,
        "a must be real",
    ),
    (
        "numerical_gradient text",
        lambda: gradcheck.numerical_gradient(lambda x: 0.0, "x"),
        TypeError,
        "x must be a float64",
    ),
    (
        "numerical_gradient h 0",
        lambda: gradcheck.numerical_gradient(lambda x: 0.0, np.ones(2), h=0),
        ValueError,
        "h must be > 0",
    ),
    (
        "check_layer not a layer",
        lambda: gradcheck.check_layer(None, np.ones((1, 3))),
        TypeError,
        "layer must have forward and backward",
    ),
    (
        "check_layer complex x",
        lambda: gradcheck.check_layer(layers.Relu(), np.ones((1, 3)) * 1j),
        TypeError,
        "x must be real",
    ),
    (
        "check_layer seed",
        lambda: gradcheck.check_layer(layers.Relu(), np.ones((1, 3)), seed=-1),
        ValueError,
        "seed must be >= 0",
    ),
    (
        "Relu text",
        lambda: layers.Relu().forward(np.array(["a"])),
        TypeError,
        "x must be a real numeric array",
    ),
    ("Relu complex", lambda: layers.Relu().forward(np.ones(2) * 1j), TypeError, "x must be real"),
    (
        "class_labels out of range",
        lambda: layers.class_labels(np.array([5]), 1, 3),
        ValueError,
        r"labels t must lie in \[0, 2\]",
    ),
    ("npz_path a number", lambda: net.npz_path(123), TypeError, "path must be a str"),
    (
        "save_npz not a mapping",
        lambda: net.save_npz("unused", 5),
        TypeError,
        "arrays must be a mapping",
    ),
    ("AdaGrad lr", lambda: optim.AdaGrad(lr=-1), ValueError, "lr must be > 0"),
    ("AdaGrad eps", lambda: optim.AdaGrad(eps="x"), TypeError, "eps"),
    (
        "RMSprop decay",
        lambda: optim.RMSprop(decay_rate=1.5),
        ValueError,
        r"decay_rate must be in \[0, 1\)",
    ),
    (
        "cosine_lr no steps",
        lambda: trainer.cosine_lr(1.0, 0, 0),
        ValueError,
        "total_steps must be >= 1",
    ),
    (
        "cosine_lr past the end",
        lambda: trainer.cosine_lr(1.0, 5, 4),
        ValueError,
        "step must be < total_steps=4",
    ),
    (
        "cosine_lr negative step",
        lambda: trainer.cosine_lr(1.0, -1, 4),
        ValueError,
        "step must be >= 0",
    ),
    (
        "output_shape window too large",
        lambda: windows.output_shape(3, 3, 5, 5),
        ValueError,
        "window 5x5 is larger than the padded input",
    ),
    ("output_shape text", lambda: windows.output_shape("a", 3, 1, 1), TypeError, "h must be"),
    (
        "first_real_offset stride 0",
        lambda: windows.first_real_offset(3, 3, 2, 2, stride=0),
        ValueError,
        "stride must be >= 1",
    ),
    (
        "interleaved empty",
        lambda: timing.interleaved({}),
        ValueError,
        "candidates must be a non-empty mapping",
    ),
    (
        "interleaved not callable",
        lambda: timing.interleaved({"a": 1}),
        TypeError,
        r"candidates\['a'\] must be callable",
    ),
    (
        "interleaved rounds 0",
        lambda: timing.interleaved({"a": lambda: 0}, 0),
        ValueError,
        "rounds must be >= 1",
    ),
    (
        "median_seconds not callable",
        lambda: timing.median_seconds(5),
        TypeError,
        "fn must be callable",
    ),
]


@pytest.mark.parametrize("call, error, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_naming_the_argument(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert re.search(words, str(info.value)), str(info.value)


def test_valid_controls_of_the_same_functions():
    assert conv.dense_interaction_cost(4, 3) == 12
    assert gradcheck.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert trainer.cosine_lr(2.0, 0, 4) == 2.0
    assert windows.output_shape(5, 5, 3, 3) == (3, 3)
    assert net.npz_path("params").name == "params.npz"
    assert timing.median_seconds(lambda: None, rounds=2) >= 0
    assert datasets.public_text("no folder here") == "no folder here"


# --------------------------------------------------------------------------------------------
# No public function is left without an error test
# --------------------------------------------------------------------------------------------


def public_callables() -> dict[str, str]:
    names = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            home = inspect.getmodule(obj)
            if callable(obj) and home is not None and home.__name__.startswith("cnnbook"):
                names.setdefault(name, module_name)
    return names


def error_test_sources() -> str:
    """The source of every test that expects an exception, with its parametrize tables."""
    out = []
    for path in sorted(TESTS.glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        tables = {
            t.id: ast.get_source_segment(text, node) or ""
            for node in tree.body
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                body = ast.get_source_segment(text, node) or ""
                if "raises" not in body:
                    continue
                decorators = "\n".join(
                    ast.get_source_segment(text, d) or "" for d in node.decorator_list
                )
                used = set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", decorators + body))
                out += [body, decorators, *(tables[n] for n in used if n in tables)]
    return "\n".join(out)


def test_every_public_function_has_an_error_test():
    names = public_callables()
    assert len(names) > 80  # the search must see the whole API to mean anything
    sources = error_test_sources()
    missing = sorted(
        f"{module}.{name}"
        for name, module in names.items()
        if name not in EXEMPT and not re.search(rf"\b{re.escape(name)}\b", sources)
    )
    assert not missing, f"public functions with no test of their bad input: {missing}"
