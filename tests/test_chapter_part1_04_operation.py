"""Chapter ``part1/04-operation``: glued values and the functions its cells define.

The values that "The convolution operation" glues into its prose (myst-nb ``glue``) are read back
from the executed notebook of a built book (:func:`bookutils.glued` and its readers) and compared
with an independent computation: the closed-form counts of Goodfellow et al. (2016, ch. 9), output-
size formulas written out here, SciPy, or tolerances that a correct computation must meet (rounding
errors of float64, finite differences) (tests marked ``book``). The section "Toeplitz or circulant?"
is checked against ``scipy.linalg.circulant``/``toeplitz`` and ``scipy.signal.correlate``. Build
first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).

The functions the page defines in its code cells are read from its source
(:func:`bookutils.chapter_function`: only the ``def``, run with the imports of the page's first code
cell; no build needed), so these tests check the code the reader sees, and compare it with
independent references: brute-force loops written here, SciPy, PyTorch's autograd (when installed)
and ``cnnbook``.
"""

from __future__ import annotations

import numpy as np
import pytest
from bookutils import ROUNDING, chapter_function, values
from scipy import integrate, linalg, signal


@pytest.mark.book
def test_operation_numbers():
    g = values("part1/04-operation")
    assert g["op_rms_s"] < g["op_rms_x"]  # averaging removes noise
    age = np.arange(30)
    w = np.exp(-age / 4.0) / np.exp(-age / 4.0).sum()
    assert g["op_mean_lag"] == pytest.approx(float(np.sum(age * w)))
    assert g["op_riemann_err_fine"] < 2e-3 < g["op_riemann_err_coarse"] < 0.2
    assert g["op_riemann_err_coarse"] / g["op_riemann_err_fine"] == pytest.approx(100, rel=0.1)
    for key in [
        "op_commute_err",
        "op_corr_flip_err",
        "op_corr_reversed_err",
        "op_toeplitz_err_1d",
        "op_toeplitz_err_2d",
    ]:
        assert g[key] < ROUNDING, key
    assert g["op_corr_noncommute"] > 0.1  # correlation is not commutative


@pytest.mark.book
def test_operation_exercise_values():
    g = values("part1/04-operation")
    assert g["op_assoc_err"] < ROUNDING
    assert g["op_ex3_shape"] == str(((4 - 2 + 1) * (5 - 3 + 1), 4 * 5))


@pytest.mark.book
def test_operation_worked_example():
    g = values("part1/04-operation")
    x2 = np.array([[1, 2, 0, 3], [4, 1, 2, 1], [0, 3, 1, 2]], dtype=float)
    w2 = np.array([[1, 0], [-1, 2]], dtype=float)
    s2 = signal.correlate(x2, w2, mode="valid")
    assert g["op_s00"] == s2[0, 0] == 1 * 1 + 2 * 0 + 4 * (-1) + 1 * 2
    assert g["op_s12"] == s2[1, 2]


@pytest.mark.book
def test_operation_matrix_shapes():
    g = values("part1/04-operation")
    k, n = 3, 6
    assert (g["op_M1_rows"], g["op_M1_cols"]) == (n + k - 1, n)
    (h, w), (kh, kw) = (4, 5), (2, 2)
    assert (g["op_M2_rows"], g["op_M2_cols"]) == ((h + kh - 1) * (w + kw - 1), h * w)
    # each output of the full convolution touches at most kh*kw inputs; exactly kh*kw*h*w nonzeros
    nonzeros = kh * kw * h * w
    assert g["op_M2_nonzero_pct"] == pytest.approx(100 * nonzeros / (g["op_M2_rows"] * h * w))


@pytest.mark.book
def test_circulant_and_toeplitz_match_their_operations():
    g = values("part1/04-operation")
    for key in [
        "tc_circ_err_1d",
        "tc_toep_err_1d",
        "tc_fft_lin_err",
        "tc_circ_err_2d",
        "tc_toep_err_2d",
    ]:
        assert 0 <= g[key] < ROUNDING, key
    rng = np.random.default_rng(15)  # the page's seed and order of draws
    x = rng.standard_normal(8)
    w = np.array([1.0, 2.0, 3.0])
    w_pad = np.r_[w, np.zeros(5)]
    C = linalg.circulant(w_pad)
    T = linalg.toeplitz(w_pad, np.zeros(8))
    assert np.allclose(C @ x, signal.convolve(np.r_[x, x], w)[8:16])  # circular = periodic input
    assert g["tc_gap_1d"] == pytest.approx(np.abs((C - T) @ x).max(), rel=1e-12)


@pytest.mark.book
def test_2d_matrices_differ_exactly_in_wrapped_entries():
    g = values("part1/04-operation")
    (h, wd), (kh, kw) = (4, 5), (2, 2)
    pairs = [
        (ti, tj, ai, aj)
        for ti in range(h)
        for tj in range(wd)
        for ai in range(h)
        for aj in range(wd)
    ]
    circulant_nz = [p for p in pairs if (p[0] - p[2]) % h < kh and (p[1] - p[3]) % wd < kw]
    toeplitz_nz = [p for p in pairs if 0 <= p[0] - p[2] < kh and 0 <= p[1] - p[3] < kw]
    wrapped = [p for p in circulant_nz if p[0] < p[2] or p[1] < p[3]]
    assert g["tc_n_entries_2d"] == (h * wd) ** 2
    assert g["tc_n_nonzero_C2"] == len(circulant_nz) == h * wd * kh * kw
    assert g["tc_n_nonzero_T2"] == len(toeplitz_nz)
    assert g["tc_n_differ_2d"] == len(wrapped) == len(circulant_nz) - len(toeplitz_nz)


LAM, OMEGA, T_END = 2.0, 3.0, 5.0


riemann_convolution = chapter_function(
    "part1/04-operation.md", "riemann_convolution", lam=LAM, omega=OMEGA, t_end=T_END
)


exact = chapter_function("part1/04-operation.md", "exact", lam=LAM, omega=OMEGA)


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
