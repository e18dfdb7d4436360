"""The code written inside Part I's pages 4-7 computes what the pages say it computes.

The chapters define a few short functions in their cells: the backward pass of a convolution layer
written with ``cnnbook.conv`` calls, a finite-difference gradient, a measured receptive field, a
dense matrix built from shifted copies of a kernel, a Riemann-sum convolution. These tests read each
function *from the chapter's source* (only its ``def`` statement, run with the imports of the
page's first code cell), so they check the code the reader sees, and compare it with independent
references: brute-force loops written here, SciPy, PyTorch's autograd (when installed) and
``cnnbook``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from myst_nb.core.read import read_myst_markdown_notebook
from scipy import integrate, linalg, signal

from cnnbook import plotting
from cnnbook.conv import conv2d, conv_matrix, conv_output_size, receptive_field

PART1 = Path(__file__).resolve().parents[1] / "book" / "part1"


def chapter_function(page: str, name: str, **extra_globals):
    """The function ``name`` defined in a code cell of ``book/part1/<page>``.

    Only the page's import statements (from its first code cell) and the ``def`` statement are
    executed, in a fresh namespace, plus ``extra_globals`` for module-level constants it reads.
    """
    path = PART1 / page
    nb = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    imports = [
        node
        for node in ast.parse(code_cells[0].source).body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    namespace: dict = dict(extra_globals)
    exec(compile(ast.Module(imports, type_ignores=[]), str(path), "exec"), namespace)
    for cell in code_cells:
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                code = compile(ast.Module([node], type_ignores=[]), str(path), "exec")
                exec(code, namespace)
                return namespace[name]
    raise AssertionError(f"{page} defines no function {name!r} in a code cell")


# -- 04-operation: the Riemann sum of the continuous convolution -----------------------------------

LAM, OMEGA, T_END = 2.0, 3.0, 5.0
riemann_convolution = chapter_function(
    "04-operation.md", "riemann_convolution", lam=LAM, omega=OMEGA, t_end=T_END
)
exact = chapter_function("04-operation.md", "exact", lam=LAM, omega=OMEGA)


def integral(t: float) -> float:
    """The continuous convolution of sin(omega a) with lam exp(-lam a), by quadrature."""
    value, _ = integrate.quad(lambda a: np.sin(OMEGA * a) * LAM * np.exp(-LAM * (t - a)), 0, t)
    return value


@pytest.mark.parametrize("t", [0.3, 1.0, 2.5, 4.9])
def test_closed_form_equals_quadrature(t):
    assert exact(np.array(t)) == pytest.approx(integral(t), abs=1e-10)


def test_riemann_convolution_converges_to_the_integral():
    grid, s = riemann_convolution(1e-3)
    for t in [0.5, 2.0, 4.5]:
        i = round(t / 1e-3)
        value = integral(t)
        assert grid[i] == pytest.approx(t)
        assert s[i] == pytest.approx(value, abs=3e-3)


# -- 05-forward-backward: gradients of a convolution layer -----------------------------------------

correlate1d_backward = chapter_function("05-forward-backward.md", "correlate1d_backward")
conv2d_backward = chapter_function("05-forward-backward.md", "conv2d_backward")
valid_layers_that_fit = chapter_function("05-forward-backward.md", "valid_layers_that_fit")
measured_receptive_field = chapter_function("05-forward-backward.md", "measured_receptive_field")


def brute_force_1d_gradients(x, w, g):
    """dL/dx and dL/dw of s_i = sum_m x[i+m] w[m] from the Jacobians, by explicit loops."""
    n, k = x.size, w.size
    dx, dw = np.zeros(n), np.zeros(k)
    for i in range(n - k + 1):
        for m in range(k):
            dx[i + m] += g[i] * w[m]  # ds_i/dx_{i+m} = w_m
            dw[m] += g[i] * x[i + m]  # ds_i/dw_m = x_{i+m}
    return dx, dw


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 20), k=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_correlate1d_backward_equals_brute_force(n, k, seed):
    if k > n:
        return
    rng = np.random.default_rng(seed)
    x, w, g = rng.standard_normal(n), rng.standard_normal(k), rng.standard_normal(n - k + 1)
    dx, dw = correlate1d_backward(x, w, g)
    dx_ref, dw_ref = brute_force_1d_gradients(x, w, g)
    np.testing.assert_allclose(dx, dx_ref, atol=1e-12)
    np.testing.assert_allclose(dw, dw_ref, atol=1e-12)


def brute_force_conv2d_gradients(x, w, g):
    """Gradients of s[n,f,i,j] = sum_{c,p,q} x[n,c,i+p,j+q] w[f,c,p,q] + b[f], by explicit loops."""
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    N, F, OH, OW = g.shape
    KH, KW = w.shape[2:]
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    dx[n, :, i : i + KH, j : j + KW] += g[n, f, i, j] * w[f]
                    dw[f] += g[n, f, i, j] * x[n, :, i : i + KH, j : j + KW]
    return dx, dw, g.sum(axis=(0, 2, 3))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 2),
    c=st.integers(1, 3),
    f=st.integers(1, 3),
    h=st.integers(1, 7),
    wd=st.integers(1, 7),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_conv2d_backward_equals_brute_force(n, c, f, h, wd, kh, kw, seed):
    if kh > h or kw > wd:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, wd))
    w = rng.standard_normal((f, c, kh, kw))
    g = rng.standard_normal((n, f, h - kh + 1, wd - kw + 1))
    for got, ref in zip(conv2d_backward(x, w, g), brute_force_conv2d_gradients(x, w, g)):
        np.testing.assert_allclose(got, ref, atol=1e-12)


def test_conv2d_backward_equals_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 7, 8))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(4)
    g = rng.standard_normal((2, 4, 5, 7))
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    torch.nn.functional.conv2d(xt, wt, bt).backward(torch.tensor(g))
    dx, dw, db = conv2d_backward(x, w, g)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(dw, wt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(db, bt.grad.numpy(), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 200), st.integers(2, 9), st.integers(1, 4))  # k = 1 never shrinks n
def test_valid_layers_that_fit_counts_until_conv_output_size_refuses(n, k, stride):
    size, layers = n, 0
    while True:
        try:
            size = conv_output_size(size, k, stride)
        except ValueError:  # the kernel no longer fits
            break
        layers += 1
    assert valid_layers_that_fit(n, k, stride) == layers


def test_the_28_pixel_stacks_of_exercise_4():
    assert valid_layers_that_fit(28, 3, 1) == 13 and valid_layers_that_fit(28, 3, 2) == 3


@pytest.mark.parametrize(
    "kernels, strides, dilations",
    [
        ([3], [1], [1]),
        ([3, 3, 3], [1, 1, 1], [1, 1, 1]),
        ([5, 3], [1, 1], [1, 1]),
        ([3, 3, 3], [2, 2, 2], [1, 1, 1]),
        ([3, 2, 4], [2, 1, 3], [1, 1, 1]),
        ([3, 3, 3], [1, 1, 1], [1, 2, 4]),
        ([2, 3], [2, 1], [3, 2]),
    ],
)
def test_measured_receptive_field_equals_library(kernels, strides, dilations):
    measured = measured_receptive_field(kernels, strides, dilations)
    assert measured == receptive_field(kernels, strides, dilations)[-1]
    if all(s == 1 for s in strides):  # stride 1: r = 1 + sum d (k - 1)
        assert measured == 1 + sum(d * (k - 1) for k, d in zip(kernels, dilations))


# -- 06-why-convolution-works: a dense layer constrained to shifted copies ------------------------

shifted_copies = chapter_function("06-why-convolution-works.md", "shifted_copies")
scene = chapter_function("06-why-convolution-works.md", "scene")


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 15), k=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_shifted_copies_is_the_correlation_matrix(n, k, seed):
    if k > n:
        return
    rng = np.random.default_rng(seed)
    w, x = rng.standard_normal(k), rng.standard_normal(n)
    W = shifted_copies(w, n)
    # independent: SciPy's Toeplitz matrix with first row (w, 0, ...) and first column (w_0, 0, ...)
    first_row = np.concatenate([w, np.zeros(n - k)])
    first_col = np.concatenate([[w[0]], np.zeros(n - k)])
    np.testing.assert_array_equal(W, linalg.toeplitz(first_col, first_row))
    np.testing.assert_allclose(W @ x, signal.correlate(x, w, mode="valid"), atol=1e-12)
    np.testing.assert_array_equal(W, conv_matrix(w[::-1], n, mode="valid"))


def test_scene_is_seeded_and_has_the_book_size():
    a, b = scene(), scene()
    assert a.shape == (280, 320)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, scene(seed=1))
    assert 0.0 < a.std() and -0.1 < a.min() and a.max() < 1.1


# -- 07-variants: stacked output sizes and the animation ------------------------------------------

stack_sizes = chapter_function("07-variants.md", "stack_sizes")
sliding_window_animation = chapter_function(
    "07-variants.md", "sliding_window_animation", C=plotting.COLORS
)


@pytest.mark.parametrize("n, k, p", [(16, 5, 0), (16, 5, 2), (16, 6, 3), (10, 3, 0), (7, 7, 0)])
def test_stack_sizes_follow_the_formula(n, k, p):
    sizes = stack_sizes(n, k, padding=p)
    expected = [n]
    while len(expected) <= 10 and expected[-1] + 2 * p >= k:
        expected.append(expected[-1] + 2 * p - k + 1)
    assert sizes == expected
    assert sizes[1:] == [conv_output_size(m, k, padding=p) for m in sizes[:-1]]


@pytest.mark.parametrize(
    "shape, stride, padding, dilation, frames",
    [
        ((5, 5), 2, 1, 1, 9),
        ((7, 7), 1, 0, 2, 9),
    ],
)
def test_animation_is_small_and_kernel_free(shape, stride, padding, dilation, frames):
    x = np.arange(float(np.prod(shape))).reshape(shape)
    html = sliding_window_animation(
        x, np.ones((3, 3)), stride=stride, padding=padding, dilation=dilation
    ).data
    assert html.count("data:image/png;base64") == frames <= 30
    assert "<script" in html and len(html) < 1_000_000
    out = conv2d(
        x[None, None], np.ones((1, 1, 3, 3)), stride=stride, padding=padding, dilation=dilation
    )
    assert out.shape[2] * out.shape[3] == frames


# -- 02 and 03: the helpers of the first pages ---------------------------------------------

via_dft = chapter_function("02-convolution-theorem.md", "via_dft")
gaussian_kernel = chapter_function("03-grid-data.md", "gaussian_kernel")


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 30), st.integers(1, 10), st.integers(0, 2**32 - 1))
def test_via_dft_is_circular_convolution_and_padding_makes_it_linear(n, k, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    N = max(n, k)
    circular = np.zeros(N)
    for i in range(N):  # the definition: indices wrap around modulo N
        for m in range(n):
            circular[i] += x[m] * np.concatenate([w, np.zeros(N - k)])[(i - m) % N]
    np.testing.assert_allclose(via_dft(x, w, N), circular, atol=1e-10)
    np.testing.assert_allclose(via_dft(x, w, n + k - 1), signal.convolve(x, w), atol=1e-10)


@pytest.mark.parametrize("size, sigma", [(9, 2.0), (5, 1.0), (21, 3.5), (1, 1.0)])
def test_gaussian_kernel_is_scipys_window_normalised(size, sigma):
    window = signal.windows.gaussian(size, sigma)
    np.testing.assert_allclose(gaussian_kernel(size, sigma), window / window.sum(), rtol=1e-12)
