"""Chapter ``part1/01-before-deep-learning``: the values it glues into its prose.

The values that "Convolution before deep learning" glues into its prose (myst-nb ``glue``) are read
back from the executed notebook of a built book (:func:`bookutils.glued` and its readers) and
recomputed independently. The section "Convolution in differential equations" is checked against a
geometric series and SciPy's ODE solver. Build first (``make html``, or a partial build with
``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from bookutils import value, values
from scipy import integrate

from cnnbook.signals import skeleton_angles

pytestmark = pytest.mark.book


PAGE1 = "part1/01-before-deep-learning"


def test_page1_dice_numbers():
    outcomes = list(itertools.product(range(1, 7), repeat=2))
    seven = Fraction(sum(a + b == 7 for a, b in outcomes), len(outcomes))
    assert value(PAGE1, "p_seven") == pytest.approx(float(seven), abs=1e-15)
    assert value(PAGE1, "p_seven_36") == 6
    ten = sum(sum(f) == 10 for f in itertools.product(range(1, 7), repeat=3))
    assert value(PAGE1, "p_ten_3") == pytest.approx(ten / 216, abs=1e-15)
    assert value(PAGE1, "p_ten_3_216") == ten
    assert value(PAGE1, "enum_diff") < 1e-15


def test_page1_densities_match_closed_forms():
    assert value(PAGE1, "tri_err") < 1e-12
    assert value(PAGE1, "tri_peak") == pytest.approx(1.0, abs=1e-12)
    s1, s2 = value(PAGE1, "g_s1"), value(PAGE1, "g_s2")
    assert value(PAGE1, "g_var_exact") == pytest.approx(s1**2 + s2**2)
    assert value(PAGE1, "g_var") == pytest.approx(s1**2 + s2**2, rel=1e-6)
    assert value(PAGE1, "g_mean") == pytest.approx(-1.0 + 2.0, abs=1e-6)
    assert value(PAGE1, "g_mean_exact") == pytest.approx(-1.0 + 2.0)
    assert value(PAGE1, "g_err") < 1e-8
    assert value(PAGE1, "gamma_err") < 1e-3
    # Irwin-Hall n = 4 is close to, but not equal to, the Gaussian N(2, 1/3)
    assert 0 < value(PAGE1, "irwin_gap") < 0.05
    assert value(PAGE1, "irwin_peak") == pytest.approx(2 / 3, abs=1e-3)  # f(2) = 2/3


def test_page1_monte_carlo_is_reproducible_and_within_error():
    from cnnbook.probability import monte_carlo_sum

    n, seed = value(PAGE1, "mc_n"), value(PAGE1, "mc_seed")

    def die(rng, k):
        return rng.integers(1, 7, k)

    z = monte_carlo_sum([die] * 3, n, seed)
    assert value(PAGE1, "mc_p10") == pytest.approx(float((z == 10).mean()), abs=1e-15)
    assert value(PAGE1, "mc_dice_z") < 5
    assert value(PAGE1, "mc_dice_dev") < 5 * np.sqrt(0.25 / n)


LAM = 4.0


def rectangle_step_error(dt: float, t_end: float = 2.0) -> float:
    """max |rectangle-rule response to a unit step - (1 - exp(-lam t))|, by the geometric series."""
    m = np.arange(round(t_end / dt) + 1)
    r = math.exp(-LAM * dt)
    riemann = LAM * dt * (1 - r ** (m + 1)) / (1 - r)  # dt * sum_{j=0}^{m} lam r^j
    return float(np.abs(riemann - (1 - np.exp(-LAM * m * dt))).max())


def test_step_response_error_is_first_order():
    g = values("part1/01-before-deep-learning")
    assert g["ode_lam"] == LAM
    coarse, fine = rectangle_step_error(0.01), rectangle_step_error(0.001)
    assert g["ode_step_err_coarse"] == pytest.approx(coarse, rel=1e-9)
    assert g["ode_step_err_fine"] == pytest.approx(fine, rel=1e-9)
    assert g["ode_step_order"] == pytest.approx(math.log10(coarse / fine), rel=1e-9)
    assert g["ode_step_order"] == pytest.approx(1.0, abs=0.05)
    assert coarse == pytest.approx(LAM * 0.01, rel=0.01)  # the error is lam * dt, as the page says


def test_noisy_response_matches_an_independent_ode_solution():
    g = values("part1/01-before-deep-learning")
    t, angles = skeleton_angles(duration=4.0, frame_rate=100, seed=0)
    x = angles[0]
    dt = t[1] - t[0]
    # independent solver (LSODA through odeint) on the same linearly interpolated input
    s_ode = integrate.odeint(
        lambda s, tt: LAM * (np.interp(tt, t, x) - s),
        0.0,
        t,
        rtol=1e-11,
        atol=1e-11,
        hmax=dt,
        tfirst=False,
    )[:, 0]
    h = LAM * np.exp(-LAM * t)
    s_rect = dt * np.convolve(x, h)[: x.size]
    s_trap = s_rect - 0.5 * dt * (x[0] * h + x * h[0])
    assert g["ode_hip_dt"] == pytest.approx(0.01)
    assert g["ode_hip_max"] == pytest.approx(np.abs(x).max())
    assert g["ode_hip_bound"] == pytest.approx(LAM * dt * np.abs(x).max())
    assert g["ode_hip_err_rect"] == pytest.approx(np.abs(s_rect - s_ode).max(), rel=1e-5)
    assert g["ode_hip_err_trap"] == pytest.approx(np.abs(s_trap - s_ode).max(), rel=1e-3)
    assert g["ode_hip_err_rect"] < g["ode_hip_bound"]
    assert g["ode_hip_err_trap"] < 0.05 * g["ode_hip_err_rect"]
