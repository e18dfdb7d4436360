"""Chapter ``cogsci/05-reverse-correlation``: the values it glues into its prose.

The values that "Measuring a receptive field: reverse correlation" glues into its prose (myst-nb
``glue``) are read back from the executed notebook of a built book (:func:`bookutils.glued` and its
readers) and recomputed with the Gabor equation and the stimuli written out in NumPy
(``bookutils.gabor_np`` and friends), ``scipy.signal.correlate2d`` for the sliding cells and
``scipy.ndimage.maximum_filter`` for max pooling. Build first (``make html``, or a partial build
with ``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from bookutils import gabor_np, value

pytestmark = pytest.mark.book


PAGE5 = "cogsci/05-reverse-correlation"


TRUE5 = {"beta_x": 0.06, "beta_y": 0.04, "f": 2 * np.pi / 6, "phi": 0.5, "tau": np.pi / 3}


def _experiment5():
    """The page's experiment recomputed with NumPy's generators and the equation written out."""
    w = gabor_np(12, **TRUE5)
    x = np.random.default_rng(0).standard_normal((32000, 12, 12))
    rate = 0.5 * np.maximum(np.einsum("kij,ij->k", x, w), 0.0)
    r = np.random.default_rng(1).poisson(rate).astype(float)
    return w, x, r


def test_spike_triggered_average_numbers():
    w, x, r = _experiment5()
    assert value(PAGE5, "rc_spikes_max") == r.sum()
    assert value(PAGE5, "rc_spikes_min") == r[:500].sum()
    sta = (r[:, None, None] * x).sum(axis=0) / r.sum()
    cos = float(np.sum(sta * w) / (np.linalg.norm(sta) * np.linalg.norm(w)))
    assert value(PAGE5, "rc_sim_max") == pytest.approx(cos, rel=1e-9)
    limit = math.sqrt(math.pi / 2) * w / np.linalg.norm(w)
    assert value(PAGE5, "rc_error_max") == pytest.approx(
        np.linalg.norm(sta - limit) / np.linalg.norm(limit), rel=1e-9
    )
    assert value(PAGE5, "rc_slope") == pytest.approx(-0.5, abs=0.15)
    assert value(PAGE5, "rc_fit_f") == pytest.approx(TRUE5["f"], abs=0.01)
    assert value(PAGE5, "rc_fit_tau") == pytest.approx(TRUE5["tau"], abs=0.01)
    assert value(PAGE5, "rc_ex1_spikes") == 4 * r.sum()


def test_spike_triggered_covariance_numbers():
    _, x, _ = _experiment5()
    pair = {k: v for k, v in TRUE5.items() if k != "phi"}
    w0, w1 = gabor_np(12, phi=0.0, **pair), gabor_np(12, phi=np.pi / 2, **pair)
    s0, s1 = np.einsum("kij,ij->k", x, w0), np.einsum("kij,ij->k", x, w1)
    r = np.random.default_rng(2).poisson(0.05 * (s0**2 + s1**2)).astype(float)
    assert value(PAGE5, "rc_complex_spikes") == r.sum()
    flat = x.reshape(len(x), -1)
    sta = r @ flat / r.sum()
    centred = flat - sta
    stc = (centred * r[:, None]).T @ centred / r.sum()
    values = np.linalg.eigvalsh(stc)
    assert value(PAGE5, "rc_stc_top") == pytest.approx(values[-1], rel=1e-9)
    assert value(PAGE5, "rc_stc_third") == pytest.approx(values[-3], rel=1e-9)
    assert value(PAGE5, "rc_in_span") > 0.95 and value(PAGE5, "rc_complex_sta_ratio") < 0.2


def test_simple_complex_index():
    # a half-wave rectified sinusoid: F1 / F0 = (1/2) / (1/pi) = pi / 2
    assert value(PAGE5, "rc_f1f0_simple") == pytest.approx(math.pi / 2, rel=2e-3)
    assert 0 < value(PAGE5, "rc_f1f0_crossing") < 0.5
    assert value(PAGE5, "rc_f1f0_half") < 1
