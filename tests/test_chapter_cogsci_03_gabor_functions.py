"""Chapter ``cogsci/03-gabor-functions``: the values it glues into its prose.

The values that "Gabor functions" glues into its prose (myst-nb ``glue``) are read back from the
executed notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed with the
Gabor equation and the stimuli written out in NumPy (``bookutils.gabor_np`` and friends),
``scipy.signal.correlate2d`` for the sliding cells and ``scipy.ndimage.maximum_filter`` for max
pooling. Build first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from bookutils import gabor_np, value

pytestmark = pytest.mark.book


PAGE3 = "cogsci/03-gabor-functions"


def test_product_of_the_two_terms():
    assert value(PAGE3, "gabor_product_error") < 1e-12


def test_conversions():
    beta, _f = 0.012, 2 * np.pi / 10
    assert value(PAGE3, "gabor_sigma_x") == pytest.approx(1 / math.sqrt(2 * beta))
    assert value(PAGE3, "gabor_wavelength") == pytest.approx(10.0)


def test_kernel_sums_exercise():
    taus, lambdas = np.radians([0, 45, 90, 135]), np.array([12.0, 5.0])
    sums = np.array(
        [
            [
                gabor_np(21, beta_x=0.02, beta_y=0.02, f=2 * np.pi / lam, phi=0.0, tau=t).sum()
                for t in taus
            ]
            for lam in lambdas
        ]
    )
    assert value(PAGE3, "gabor_ex3_sum_low_axis") == pytest.approx(sums[0, 0])
    assert value(PAGE3, "gabor_ex3_sum_low_oblique") == pytest.approx(sums[0, 1])
    assert value(PAGE3, "gabor_ex3_sum_high_axis") == pytest.approx(sums[1, 0])
    assert value(PAGE3, "gabor_ex3_sum_high_oblique") == pytest.approx(sums[1, 1])
    for key, lam in (("low", 12.0), ("high", 5.0)):
        f = 2 * np.pi / lam
        assert value(PAGE3, f"gabor_ex3_closed_{key}") == pytest.approx(
            math.pi / 0.02 * math.exp(-f * f / 0.08)
        )
        assert value(PAGE3, f"gabor_ex3_disc_{key}_raw") > value(
            PAGE3, f"gabor_ex3_disc_{key}_balanced"
        )
    assert value(PAGE3, "gabor_ex3_disc_low_raw") > value(PAGE3, "gabor_ex3_disc_high_raw")


def test_bank_runner_up_is_dark():
    margins = [
        value(PAGE3, f"gabor_bank_{q}_margin")
        for q in ("top_left", "top_right", "bottom_left", "bottom_right")
    ]
    assert value(PAGE3, "gabor_bank_runner_up") == pytest.approx(1 / min(margins))
    assert value(PAGE3, "gabor_bank_runner_up") < 0.2


@pytest.mark.parametrize(
    "quadrant, tau, wavelength",
    [("top_left", 0, 12), ("top_right", 45, 5), ("bottom_left", 135, 12), ("bottom_right", 90, 5)],
)
def test_filter_bank_winners_match_the_textures(quadrant, tau, wavelength):
    # the textures are built with known stripe directions and spacings
    assert value(PAGE3, f"gabor_bank_{quadrant}_tau") == pytest.approx(tau)
    assert value(PAGE3, f"gabor_bank_{quadrant}_lambda") == pytest.approx(wavelength)
    assert value(PAGE3, f"gabor_bank_{quadrant}_margin") > 1.5
