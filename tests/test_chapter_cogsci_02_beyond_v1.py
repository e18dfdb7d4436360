"""Chapter ``cogsci/02-beyond-v1``: the values it glues into its prose.

The values that "Beyond V1: grandmother cells, the fovea and attention" glues into its prose (myst-
nb ``glue``) are read back from the executed notebook of a built book (:func:`bookutils.glued` and
its readers) and recomputed with the Gabor equation and the stimuli written out in NumPy
(``bookutils.gabor_np`` and friends), ``scipy.signal.correlate2d`` for the sliding cells and
``scipy.ndimage.maximum_filter`` for max pooling. Build first (``make html``, or a partial build
with ``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from bookutils import CELL, bar, gabor_np, value
from scipy.signal import correlate2d

pytestmark = pytest.mark.book


PAGE2 = "cogsci/02-beyond-v1"


def test_receptive_field_of_a_vgg_like_stack():
    # 2, 2, 3, 3, 3 convolutions 3x3 (stride 1), each group followed by 2x2 pooling (stride 2)
    r, jump = 1, 1
    for convs in (2, 2, 3, 3, 3):
        for _ in range(convs):
            r += 2 * jump
        r += jump
        jump *= 2
    assert value(PAGE2, "beyond_rf_first") == 3
    assert value(PAGE2, "beyond_rf_last") == r == 212


def test_foveated_sample_count():
    size, e2 = 256, 4.0
    total = sum(
        1 / (1 + math.hypot(i - 127.5, j - 127.5) / e2) ** 2
        for i in range(size)
        for j in range(size)
    )
    assert value(PAGE2, "beyond_fovea_samples") == pytest.approx(total, rel=1e-9)
    assert value(PAGE2, "beyond_fovea_ratio") == pytest.approx(size * size / total, rel=1e-9)


def test_foveated_glimpse_sharp_radius():
    assert value(PAGE2, "beyond_sharp_radius") == pytest.approx(12.0)


def test_exercise_answers_page2():
    assert value(PAGE2, "beyond_ex1_jump") == 32 and value(PAGE2, "beyond_ex1_pools") == 5
    assert value(PAGE2, "beyond_ex1_map") == 7 and value(PAGE2, "beyond_image_side") == 224
    y, x = np.mgrid[0:1024, 0:1024] - 511.5
    samples = float(np.sum((1 + np.sqrt(x**2 + y**2) / 4.0) ** -2.0))
    assert value(PAGE2, "beyond_ex2_ratio") == pytest.approx(1024**2 / samples, rel=1e-9)
    assert value(PAGE2, "beyond_ex2_growth") == pytest.approx(
        value(PAGE2, "beyond_ex2_ratio") / value(PAGE2, "beyond_fovea_ratio"), rel=1e-9
    )


def test_global_average_pooling_exercise():
    w = gabor_np(11, tau=0.0, **CELL)
    n, trials = 48, 300
    rng = np.random.default_rng(1)
    angles = rng.uniform(0, np.pi, trials)
    centres = rng.uniform(8, n - 9, (trials, 2))
    maps = [
        np.maximum(correlate2d(bar(n, a, cx, cy), w, mode="same"), 0)
        for a, (cx, cy) in zip(angles, centres)
    ]
    peak, mean = np.array([m.max() for m in maps]), np.array([m.mean() for m in maps])
    deviation = np.degrees(np.abs(((angles - np.pi / 2) + np.pi / 2) % np.pi - np.pi / 2))
    near, far = deviation < 10, deviation > 60
    assert value(PAGE2, "beyond_ex3_sel_max") == pytest.approx(peak[far].mean() / peak[near].mean())
    assert value(PAGE2, "beyond_ex3_sel_avg") == pytest.approx(mean[far].mean() / mean[near].mean())
    assert value(PAGE2, "beyond_ex3_frac_near") == float(np.mean(mean[near] > 0.5 * mean.max()))
    assert value(PAGE2, "beyond_ex3_frac_far") == float(np.mean(mean[far] > 0.5 * mean.max()))
    assert value(PAGE2, "beyond_global_horizontal_max") == pytest.approx(
        peak[far].max() / peak.max()
    )
    assert value(PAGE2, "beyond_ex3_clutter_avg") > 1.0 > 2 * value(PAGE2, "beyond_ex3_clutter_max")


def test_attention_queries_find_their_keys():
    # each query is its key (positions 3 and 13) plus noise: the weights must peak there
    assert value(PAGE2, "beyond_att_peak_1") == 3
    assert value(PAGE2, "beyond_att_peak_2") == 13
    assert 1 / 16 < value(PAGE2, "beyond_att_mass_1") <= 1


def test_invariant_unit_fractions_are_fractions():
    g, loc = value(PAGE2, "beyond_global_near_vertical"), value(PAGE2, "beyond_local_near_vertical")
    assert 0 <= loc < g <= 1
    assert value(PAGE2, "beyond_global_horizontal") < g
    assert value(PAGE2, "beyond_global_horizontal") == 0.0
