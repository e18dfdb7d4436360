"""Chapter ``part1/08-from-dense-to-convolution``: glued values and the functions its cells define.

The values that "From dense layers to convolution" glues into its prose (myst-nb ``glue``) are read
back from the executed notebook of a built book (:func:`bookutils.glued` and its readers) and
compared with an independent computation: closed-form counts written out here, a brute-force count,
gradient descent redone with SciPy, or the tolerances a correct float64 computation meets (tests
marked ``book``). Build first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing
at it).

The page's ``shared_weight_tensor`` is read from its source (:func:`bookutils.chapter_function`, no
build needed) and compared with a loop over every entry.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from bookutils import ROUNDING, chapter_function, values
from scipy import signal

PAGE = "part1/08-from-dense-to-convolution"


SOBEL = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


def pairs_within_reach(n: int, reach: int) -> int:
    """Pairs (output i, input k) of one axis of length n with |k - i| <= reach, by counting."""
    return sum(abs(k - i) <= reach for i in range(n) for k in range(n))


@pytest.mark.book
def test_parameter_counts_of_the_four_layers():
    g = values(PAGE)
    assert g["dc_n_dense"] == (28 * 28) ** 2
    assert g["dc_n_shared"] == (2 * 28 - 1) ** 2  # offsets -27..27 on each axis
    assert g["dc_n_local"] == pairs_within_reach(28, 2) ** 2
    assert g["dc_n_conv"] == 5 * 5
    assert g["dc_ratio_dense_conv"] == pytest.approx((28 * 28) ** 2 / 25)
    assert g["dc_nonzero_local"] == g["dc_n_local"]


@pytest.mark.book
def test_dense_tensor_equals_convolution_and_is_equivariant():
    g = values(PAGE)
    for key in [
        "dc_err_dense_conv",
        "dc_gap_conv",
        "dc_err_channels",
        "dc_err_1x1",
        "dc_err_transposed",
    ]:
        assert g[key] < ROUNDING, key
    assert g["dc_gap_dense"] > 1.0  # a random dense layer is far from equivariant


@pytest.mark.book
def test_channel_counts():
    g = values(PAGE)
    assert g["dc_n_1x1"] == 64 * 16
    assert g["dc_n_3x3"] == 64 * 16 * 3 * 3
    assert g["dc_n_dense_channels"] == 64 * 16 * (28 * 28) ** 2


def sobel_descent(n_steps: int = 40, lr: float = 0.5) -> tuple[list[float], list[float]]:
    """The page's learning experiment redone with SciPy: (losses, max kernel errors) per step."""
    x = np.random.default_rng(4).standard_normal((8, 1, 16, 16))
    y = [signal.correlate(img[0], SOBEL, mode="valid") for img in x]
    w = np.zeros((3, 3))
    losses, errors = [], []
    for _ in range(n_steps + 1):
        residuals = [
            signal.correlate(img[0], w, mode="valid") - t for img, t in zip(x, y, strict=True)
        ]
        m = sum(r.size for r in residuals)
        losses.append(0.5 * sum(np.sum(r**2) for r in residuals) / m)
        errors.append(float(np.max(np.abs(w - SOBEL))))
        w = w - lr * sum(
            signal.correlate(img[0], r / m, mode="valid")
            for img, r in zip(x, residuals, strict=True)
        )
    return losses, errors


@pytest.mark.book
def test_learned_kernel():
    g = values(PAGE)
    assert g["dc_err_learn_numerical"] < 1e-8  # central differences in float64
    assert g["dc_err_learn_library"] < ROUNDING
    assert (g["dc_learn_steps"], g["dc_learn_lr"]) == (40, 0.5)
    losses, errors = sobel_descent(g["dc_learn_steps"], g["dc_learn_lr"])
    assert g["dc_learn_initial_error"] == errors[0] == 2.0  # from zero: the largest Sobel entry
    assert g["dc_learn_final_error"] == pytest.approx(errors[-1], rel=1e-3)
    assert g["dc_learn_final_error"] < 1e-6
    assert g["dc_learn_final_loss"] == pytest.approx(losses[-1], rel=1e-3)
    factors = np.array(errors[1:]) / np.array(errors[:-1])
    assert g["dc_learn_factor_min"] == pytest.approx(factors.min(), rel=1e-3)
    assert g["dc_learn_factor_max"] == pytest.approx(factors.max(), rel=1e-3)


@pytest.mark.book
def test_strided_gradients():
    g = values(PAGE)
    assert g["dc_err_strided"] < 1e-8
    assert g["dc_n_strided_checked"] == 2 * 3 * 7 * 8 + 2 * 3 * 3 * 3 + 2
    out = ((7 + 2 * 1 - 3) // 2 + 1, (8 + 2 * 1 - 3) // 2 + 1)
    assert g["dc_strided_out_shape"] == str((2, 2, *out))
    # 3x3 windows, stride 2, on 7 pixels start at 0, 2, 4: pixels 2 and 4 are read twice per axis
    assert g["dc_reads_max_s2"] == 2 * 2
    # stride 3 on 7 pixels: windows start at 0 and 3, pixel 6 unread; its row and column
    assert g["dc_unread_s3"] == 7 + 7 - 1


@pytest.mark.book
def test_exercise_values():
    g = values(PAGE)
    assert g["dc_ex1_dense"] == 3 * 64 * 224**4
    assert g["dc_ex1_dense_tb"] == pytest.approx(3 * 64 * 224**4 * 4 / 1e12)
    assert g["dc_ex1_local"] == 3 * 64 * pairs_within_reach(224, 1) ** 2
    assert g["dc_ex1_conv"] == 64 * 3 * 3 * 3
    assert g["dc_ex2_fraction"] == 0.75  # a 1x1 kernel with stride 2 reads one pixel in four
    assert g["dc_ex3_loss"] < 1e-20
    column_means = SOBEL.mean(axis=0)  # the minimum-norm kernel with Sobel's column sums
    assert g["dc_ex3_learned"] == str(column_means.round(4).tolist())
    assert g["dc_ex3_kernel_error"] == pytest.approx(np.max(np.abs(column_means - SOBEL)))


# -- the page's own construction of the dense tensor --------------------------------------------


def test_chapter_shared_weight_tensor_equals_loops():
    shared_weight_tensor = chapter_function(
        "part1/08-from-dense-to-convolution.md", "shared_weight_tensor"
    )
    rng = np.random.default_rng(8)
    for (h, w), kernel_shape in [((5, 6), (3, 3)), ((4, 4), (7, 7)), ((6, 3), (1, 5))]:
        u = rng.standard_normal(kernel_shape)
        d, e = (kernel_shape[0] - 1) // 2, (kernel_shape[1] - 1) // 2
        expected = np.zeros((h, w, h, w))
        for i, j, k, m in itertools.product(range(h), range(w), range(h), range(w)):
            if abs(k - i) <= d and abs(m - j) <= e:
                expected[i, j, k, m] = u[k - i + d, m - j + e]
        np.testing.assert_array_equal(shared_weight_tensor(u, h, w), expected)
