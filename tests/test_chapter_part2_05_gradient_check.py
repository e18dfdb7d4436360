"""Chapter ``part2/05-gradient-check``: glued values and the functions its cells define.

The values that "Gradient check" glues into its prose (myst-nb ``glue``) are read back from the
executed notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed by
another route: formulas written out in the test, brute-force loops, or the definition of the
quantity (tests marked ``book``). Build first (``make html``, or a partial build with
``CNNBOOK_BUILD_DIR`` pointing at it).

The loop-based functions the page defines in its code cells are read from its source
(:func:`bookutils.chapter_function`: only the ``def``, run with the imports of the page's first code
cell; no build needed), so these tests check the code the reader sees, and compare it with the
library (``cnnbook.nn``) on many shapes, strides and paddings, or with a hand-worked example.
"""

from __future__ import annotations

import numpy as np
import pytest
from bookutils import chapter_function, glued, number

from cnnbook.nn import SimpleConvNet


@pytest.mark.book
def test_gradient_check_errors_are_small():
    g = glued("part2/05-gradient-check")
    errors = [number(g, f"p2gc_err_{k}") for k in ("W1", "b1", "W2", "b2", "W3", "b3")]
    assert max(errors) == pytest.approx(number(g, "p2gc_err_max"))
    assert 0 <= max(errors) < 1e-6
    assert 0 <= number(g, "p2gc_full_err_max") < 1e-6
    # parameter count of the small network: conv 3@3x3 on 10x10 -> 8x8 -> pool 4x4 -> 10 -> 10
    small = 3 * 9 + 3 + (3 * 4 * 4) * 10 + 10 + 10 * 10 + 10
    assert number(g, "p2gc_n_small") == small
    assert number(g, "p2gc_full_n") == 433_890
    assert number(g, "p2gc_full_passes") == 2 * 433_890
    sizes = [30 * 25, 30, 4320 * 100, 100, 100 * 10, 10]  # W1, b1, W2, b2, W3, b3
    assert number(g, "p2gc_full_checked") == sum(min(12, n) for n in sizes)
    assert 0 <= number(g, "p2gc_layer_err_max") < 1e-6
    # float64 reaches a much better best step than float32, near eps ** (1/3)
    assert number(g, "p2gc_best64") < 1e-7 < number(g, "p2gc_best32")
    assert 1e-7 <= number(g, "p2gc_hbest64") <= 1e-3
    assert number(g, "p2gc_hbest32") > number(g, "p2gc_hbest64")
    assert number(g, "p2gc_rel_10pct") == pytest.approx(0.1 / 2.1)
    for bits in ("64", "32"):
        eps = float(np.finfo(np.float64 if bits == "64" else np.float32).eps)
        best = number(g, f"p2gc_hbest{bits}")
        assert number(g, f"p2gc_rule_factor{bits}") == pytest.approx(
            max(best / eps ** (1 / 3), eps ** (1 / 3) / best), rel=1e-6
        )
    # right of the optimum the error grows with the number of kinks the step crosses
    assert number(g, "p2gc_kinks_last") > number(g, "p2gc_kinks_best") >= 0
    assert number(g, "p2gc_kinks_jump") > number(g, "p2gc_kinks_before_jump")
    assert 1.5 < number(g, "p2gc_smooth_slope") < 3 and number(g, "p2gc_kink_jump") > 1e2
    assert number(g, "p2gc_best64") <= number(g, "p2gc_typical64")


central_difference = chapter_function("part2/05-gradient-check.md", "central_difference")


def test_central_difference_equals_library_numerical_gradient():
    net = SimpleConvNet(
        input_dim=(1, 8, 8),
        conv_param={"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1},
        hidden_size=6,
        output_size=4,
        seed=3,
        dtype=np.float64,
    )
    rng = np.random.default_rng(1)
    x = rng.random((3, 1, 8, 8))
    t = rng.integers(0, 4, size=3)
    before = {k: v.copy() for k, v in net.params.items()}
    numerical = net.numerical_gradient(x, t)
    for key, p in net.params.items():
        for flat in rng.choice(p.size, size=min(5, p.size), replace=False):
            index = np.unravel_index(flat, p.shape)
            ours = central_difference(net, x, t, key, index)
            assert ours == pytest.approx(float(numerical[key][index]), rel=1e-6, abs=1e-9)
    for key, p in net.params.items():  # the chapter's loop restores every parameter
        np.testing.assert_array_equal(p, before[key])


def test_central_difference_is_exact_for_a_quadratic_in_one_parameter():
    # L(b3) for a one-hot target is smooth; compare with a five-point difference computed here
    net = SimpleConvNet(
        input_dim=(1, 6, 6),
        conv_param={"filter_num": 1, "filter_size": 3, "pad": 0, "stride": 1},
        hidden_size=3,
        output_size=3,
        seed=0,
        dtype=np.float64,
    )
    x = np.random.default_rng(2).random((2, 1, 6, 6))
    t = np.array([0, 2])
    h = 1e-3
    p = net.params["b3"]
    losses = []
    for step in (-2, -1, 1, 2):
        old = p[1]
        p[1] = old + step * h
        losses.append(float(net.loss(x, t)))
        p[1] = old
    five_point = (losses[0] - 8 * losses[1] + 8 * losses[2] - losses[3]) / (12 * h)
    assert central_difference(net, x, t, "b3", (1,), h=1e-5) == pytest.approx(five_point, rel=1e-6)
