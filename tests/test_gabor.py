"""Tests of cnnbook.gabor (the Gabor function and the model cells) against independent references.

References: the Gabor equation of Goodfellow et al. (eq. 9.16, with y' in the exponent) written
as a scalar loop with ``math`` (``gabor_cases``); brute-force double sums for the cells;
``scipy.signal.correlate2d`` for sliding cells. The fit is tested in ``test_gabor_fit.py``, the
stimuli in ``test_stimuli.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gabor_cases import gabor_loop, kernel_loop, random_params
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate, correlate2d

from cnnbook import gabor as gb
from cnnbook import gabor_fit, stimuli

# -- the Gabor function ----------------------------------------------------------------------------
finite = st.floats(-3.0, 3.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    x=finite,
    y=finite,
    alpha=finite,
    beta_x=st.floats(0.01, 2.0),
    beta_y=st.floats(0.01, 2.0),
    f=st.floats(0.0, 3.0),
    phi=finite,
    x0=finite,
    y0=finite,
    tau=st.floats(-7.0, 7.0),
)
def test_gabor_matches_the_equation_pointwise(x, y, alpha, beta_x, beta_y, f, phi, x0, y0, tau):
    got = gb.gabor(
        x, y, alpha=alpha, beta_x=beta_x, beta_y=beta_y, f=f, phi=phi, x0=x0, y0=y0, tau=tau
    )
    assert float(got) == pytest.approx(
        gabor_loop(x, y, alpha, beta_x, beta_y, f, phi, x0, y0, tau), rel=1e-12, abs=1e-12
    )


def test_gabor_uses_the_rotated_y_in_the_exponent():
    # GBC's eq. 9.16 has y'^2; their later quadrature-pair sentence prints y^2, a slip
    p = {
        "alpha": 1.0,
        "beta_x": 0.05,
        "beta_y": 0.5,
        "f": 0.0,
        "phi": 0.0,
        "x0": 0.0,
        "y0": 0.0,
        "tau": math.pi / 2,
    }
    # with tau = pi/2, y' = -x, so the envelope decays fast along x and slowly along y
    assert float(gb.gabor(3.0, 0.0, **p)) == pytest.approx(math.exp(-0.5 * 9))
    assert float(gb.gabor(0.0, 3.0, **p)) == pytest.approx(math.exp(-0.05 * 9))


def test_gabor_broadcasts_arrays():
    x = np.linspace(-2, 2, 5)[None, :]
    y = np.linspace(-1, 1, 3)[:, None]
    p = random_params(np.random.default_rng(0))
    got = gb.gabor(x, y, **p)
    want = np.array([[gabor_loop(float(xj), float(yi), **p) for xj in x[0]] for yi in y[:, 0]])
    assert got.shape == (3, 5)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n", [1, 4, 5, 8])
def test_gabor_kernel_grid_convention(n):
    p = random_params(np.random.default_rng(n))
    np.testing.assert_allclose(gb.gabor_kernel(n, **p), kernel_loop(n, **p), rtol=1e-12, atol=1e-14)


def test_gabor_kernel_rectangular_sizes():
    p = {"beta_x": 0.1, "beta_y": 0.2, "f": 1.0, "phi": 0.3, "tau": 0.4}
    want = np.array(
        [
            [gabor_loop(j - 2.0, i - 1.0, 1.0, 0.1, 0.2, 1.0, 0.3, 0.0, 0.0, 0.4) for j in range(5)]
            for i in range(3)
        ]
    )
    np.testing.assert_allclose(gb.gabor_kernel((3, 5), **p), want, rtol=1e-12, atol=1e-14)


def test_gabor_bank_layout():
    taus, fs = [0.0, 0.5, 1.0, 2.5], [0.7, 1.4]
    bank = gb.gabor_bank(7, taus, fs, beta_x=0.1, beta_y=0.2, phi=0.3, alpha=2.0)
    assert bank.shape == (2, 4, 7, 7)
    for k, f in enumerate(fs):
        for l_, tau in enumerate(taus):
            np.testing.assert_allclose(
                bank[k, l_],
                kernel_loop(7, alpha=2.0, beta_x=0.1, beta_y=0.2, f=f, phi=0.3, tau=tau),
                rtol=1e-12,
                atol=1e-14,
            )


def test_quadrature_pair_phases():
    p = {"beta_x": 0.08, "beta_y": 0.05, "f": 1.2, "tau": 0.6, "x0": 0.5}
    w0, w1 = gb.quadrature_pair(9, phi=0.3, **p)
    np.testing.assert_allclose(w0, kernel_loop(9, phi=0.3, **p), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        w1, kernel_loop(9, phi=0.3 + math.pi / 2, **p), rtol=1e-12, atol=1e-14
    )


# -- model cells -----------------------------------------------------------------------------------
def test_simple_cell_on_a_patch_is_the_double_sum():
    rng = np.random.default_rng(3)
    image, w = rng.standard_normal((5, 5)), rng.standard_normal((5, 5))
    want = sum(w[i, j] * image[i, j] for i in range(5) for j in range(5))
    s = gb.simple_cell(image, w)
    assert isinstance(s, float) and s == pytest.approx(want, rel=1e-12)
    assert gb.simple_cell(image, w, rectify=True) == pytest.approx(max(want, 0.0), rel=1e-12)
    assert gb.simple_cell(-image, w, rectify=True) == pytest.approx(max(-want, 0.0), rel=1e-12)


@pytest.mark.parametrize("kshape", [(3, 3), (5, 4), (2, 2)])
@pytest.mark.parametrize("mode", ["valid", "same"])
def test_sliding_cells_match_scipy(kshape, mode):
    rng = np.random.default_rng(4)
    image = rng.standard_normal((12, 10))
    w0, w1 = rng.standard_normal(kshape), rng.standard_normal(kshape)
    if mode == "same" and (kshape[0] % 2 == 0 or kshape[1] % 2 == 0):
        # for even kernels correlate2d centres "same" one pixel off scipy.signal.correlate; the
        # book follows scipy.signal.correlate (ARCHITECTURE: cnnbook.conv.correlate)
        s0, s1 = correlate(image, w0, mode=mode), correlate(image, w1, mode=mode)
    else:
        s0, s1 = correlate2d(image, w0, mode=mode), correlate2d(image, w1, mode=mode)
    np.testing.assert_allclose(gb.simple_cell(image, w0, mode=mode), s0, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        gb.simple_cell(image, w0, mode=mode, rectify=True),
        np.where(s0 > 0, s0, 0.0),
        rtol=1e-10,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        gb.complex_cell(image, w0, w1, mode=mode), np.sqrt(s0**2 + s1**2), rtol=1e-10, atol=1e-12
    )


def test_complex_cell_on_a_patch():
    rng = np.random.default_rng(5)
    image, w0, w1 = rng.standard_normal((3, 6, 6))
    s0 = sum(w0[i, j] * image[i, j] for i in range(6) for j in range(6))
    s1 = sum(w1[i, j] * image[i, j] for i in range(6) for j in range(6))
    c = gb.complex_cell(image, w0, w1)
    assert isinstance(c, float) and c == pytest.approx(math.sqrt(s0 * s0 + s1 * s1), rel=1e-12)


def test_contrast_inversion():
    rng = np.random.default_rng(6)
    image = rng.standard_normal((20, 20))
    w0, w1 = gb.quadrature_pair(7, beta_x=0.1, beta_y=0.1, f=1.0, tau=0.3)
    # complex cell: unchanged by contrast inversion; simple cell: sign flipped
    np.testing.assert_array_equal(gb.complex_cell(-image, w0, w1), gb.complex_cell(image, w0, w1))
    assert gb.complex_cell(-image[:7, :7], w0, w1) == gb.complex_cell(image[:7, :7], w0, w1)
    np.testing.assert_allclose(gb.simple_cell(-image, w0), -gb.simple_cell(image, w0), atol=1e-12)


def test_phase_invariance_of_the_energy_model():
    """A matched grating drifting through a full period: the complex cell barely changes, the
    simple cell swings from its most positive to its most negative response."""
    p = {"beta_x": 0.03, "beta_y": 0.03, "f": 1.0, "tau": 0.5}
    w0, w1 = gb.quadrature_pair(21, **p)
    phases = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    simple = np.array([gb.simple_cell(gb.grating(21, f=1.0, tau=0.5, phi=ph), w0) for ph in phases])
    energy = np.array(
        [gb.complex_cell(gb.grating(21, f=1.0, tau=0.5, phi=ph), w0, w1) for ph in phases]
    )
    # simple cell: a full sinusoidal swing, max close to -min
    assert simple.max() > 0 and simple.min() < 0
    assert (simple.max() - simple.min()) / np.abs(simple).max() > 1.95
    # complex cell: less than 1 % variation around its mean
    assert (energy.max() - energy.min()) / energy.mean() < 0.01
    assert energy.min() > 0.99 * np.abs(simple).max()


def test_simple_cell_orientation_tuning_peaks_at_the_preferred_direction():
    w0, w1 = gb.quadrature_pair(21, beta_x=0.03, beta_y=0.03, f=1.0, tau=0.5)
    taus = np.linspace(0, np.pi, 36, endpoint=False)
    energy = [gb.complex_cell(gb.grating(21, f=1.0, tau=t), w0, w1) for t in taus]
    assert taus[int(np.argmax(energy))] == pytest.approx(0.5, abs=np.pi / 36)


# -- bad input -------------------------------------------------------------------------------------
GOOD = {"beta_x": 0.1, "beta_y": 0.1, "f": 1.0, "phi": 0.0}


@pytest.mark.parametrize(
    "change, exc, name",
    [
        ({"beta_x": 0.0}, ValueError, "beta_x"),
        ({"beta_y": -0.5}, ValueError, "beta_y"),
        ({"f": -1.0}, ValueError, "f must"),
        ({"phi": float("nan")}, ValueError, "phi"),
        ({"tau": float("inf")}, ValueError, "tau"),
        ({"alpha": "1"}, TypeError, "alpha"),
        ({"x0": np.ones(2)}, TypeError, "x0"),
        ({"y0": True}, TypeError, "y0"),
        ({"alpha": 1j}, TypeError, "alpha"),
    ],
)
def test_bad_parameters(change, exc, name):
    with pytest.raises(exc, match=name):
        gb.gabor(0.0, 0.0, **{**GOOD, **change})
    with pytest.raises(exc, match=name):
        gb.gabor_kernel(5, **{**GOOD, **change})


def test_missing_parameter_is_a_type_error():
    with pytest.raises(TypeError, match="beta_y"):
        gb.gabor_kernel(5, beta_x=0.1, f=1.0, phi=0.0)


@pytest.mark.parametrize(
    "size, exc",
    [
        (0, ValueError),
        (-3, ValueError),
        (2.5, TypeError),
        ((3, 0), ValueError),
        ((1, 2, 3), ValueError),
        (True, TypeError),
        ("7", TypeError),
        (np.float64(3), TypeError),
        (10**6, ValueError),
        ((1, 2**24 + 1), ValueError),
    ],
)
def test_bad_size(size, exc):
    with pytest.raises(exc, match="size"):
        gb.gabor_kernel(size, **GOOD)
    with pytest.raises(exc, match="size"):
        gb.quadrature_pair(size, beta_x=0.1, beta_y=0.1, f=1.0)


def test_bad_coordinates_and_grating():
    with pytest.raises(ValueError, match="x and y"):
        gb.gabor(np.zeros(3), np.zeros(4), **GOOD)
    with pytest.raises(TypeError, match="x must"):
        gb.gabor(["a"], 0.0, **GOOD)
    with pytest.raises(ValueError, match="y must"):
        gb.gabor(0.0, np.nan, **GOOD)
    with pytest.raises(ValueError, match="f must"):
        gb.grating(5, f=-1.0)
    with pytest.raises(ValueError, match="contrast"):
        gb.grating(5, f=1.0, contrast=np.inf)


def test_bad_bank():
    with pytest.raises(ValueError, match="taus"):
        gb.gabor_bank(5, [], [1.0], beta_x=0.1, beta_y=0.1, phi=0.0)
    with pytest.raises(ValueError, match="fs"):
        gb.gabor_bank(5, [0.0], [[1.0]], beta_x=0.1, beta_y=0.1, phi=0.0)
    with pytest.raises(TypeError, match="tau"):
        gb.gabor_bank(5, [0.0], [1.0], beta_x=0.1, beta_y=0.1, phi=0.0, tau=1.0)


def test_bad_cells():
    w = np.ones((3, 3))
    with pytest.raises(ValueError, match=r"image must have shape \(rows, cols\)"):
        gb.simple_cell(np.ones(9), w)
    with pytest.raises(ValueError, match=r"image must have shape \(rows, cols\)"):
        gb.complex_cell(np.ones((1, 5, 5)), w, w)
    with pytest.raises(ValueError, match=r"w must have shape \(rows, cols\)"):
        gb.simple_cell(np.ones((5, 5)), np.ones(3))
    with pytest.raises(ValueError, match="image of shape"):
        gb.simple_cell(np.ones((2, 5)), w)
    with pytest.raises(ValueError, match="w0 and w1"):
        gb.complex_cell(np.ones((5, 5)), w, np.ones((3, 2)))
    with pytest.raises(ValueError, match="mode"):
        gb.simple_cell(np.ones((5, 5)), w, mode="full")
    with pytest.raises(TypeError, match="rectify"):
        gb.simple_cell(np.ones((5, 5)), w, rectify="yes")
    with pytest.raises(ValueError, match="image must be finite"):
        gb.simple_cell(np.full((5, 5), np.nan), w)
    with pytest.raises(TypeError, match="w1"):
        gb.complex_cell(np.ones((5, 5)), w, np.full((3, 3), "a"))


def test_huge_kernel_is_refused_before_allocating_with_the_size_in_the_message():
    with pytest.raises(ValueError, match=r"size 1000000 asks for .*1,000,000,000,000 pixels"):
        gb.gabor_kernel(10**6, **GOOD)
    with pytest.raises(ValueError, match=r"limit is 16,777,216"):
        gb.quadrature_pair((4097, 4096), beta_x=0.1, beta_y=0.1, f=1.0)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: gb.gabor(1j, 0.0, **GOOD), "x"),
        (lambda: gb.gabor(0.0, np.array([1j]), **GOOD), "y"),
        (lambda: gb.gabor_kernel(5, **{**GOOD, "f": 1 + 0j}), "f"),
        (lambda: gb.gabor_bank(5, [0j], [1.0], beta_x=0.1, beta_y=0.1, phi=0.0), "taus"),
        (lambda: gb.quadrature_pair(5, phi=1j, beta_x=0.1, beta_y=0.1, f=1.0), "phi"),
        (lambda: gb.simple_cell(np.ones((5, 5)) * 1j, np.ones((3, 3))), "image"),
        (lambda: gb.complex_cell(np.ones((5, 5)), np.ones((3, 3)) * 1j, np.ones((3, 3))), "w0"),
    ],
)
def test_complex_input_is_refused(call, name):
    with pytest.raises(TypeError, match=rf"^{name} must be (a )?real"):
        call()


def test_moved_names_still_import_from_cnnbook_gabor():
    from cnnbook.gabor import GaborFit, fit_gabor, grating

    assert fit_gabor is gabor_fit.fit_gabor and GaborFit is gabor_fit.GaborFit
    assert grating is stimuli.grating
    with pytest.raises(AttributeError, match="no_such_name"):
        gb.no_such_name
