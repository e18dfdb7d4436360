"""The numbers glued into the cognitive-science pages, recomputed independently.

The chapter computes with ``cnnbook.gabor``, ``cnnbook.stimuli`` and ``cnnbook.gabor_fit``; these
tests recompute the same quantities with the Gabor equation and the stimuli written out in NumPy,
``scipy.signal.correlate2d`` for the sliding cells and ``scipy.ndimage.maximum_filter`` for max
pooling (the chapter pools with ``cnnbook.nn.layers.Pooling``).
"""

from __future__ import annotations

import json
import math

import bookutils
import numpy as np
import pytest
from scipy.ndimage import maximum_filter
from scipy.signal import correlate2d

pytestmark = pytest.mark.book


def _glue_json(page: str) -> dict[str, str]:
    """Values from myst-nb's ``<page>.glue.json`` (myst-nb 1.x writes ``display=False`` glue there,
    not into the executed notebook that :func:`bookutils.glued` reads)."""
    path = bookutils.EXECUTED_DIR / f"{page}.glue.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: out["data"]["text/plain"]
        for name, out in data.items()
        if "text/plain" in out.get("data", {})
    }


def value(page: str, name: str) -> float:
    values = {**_glue_json(page), **bookutils.glued(page)}
    assert name in values, f"{name} is not glued by {page}"
    return float(values[name])


def gabor_np(n: int, *, alpha=1.0, beta_x, beta_y, f, phi, x0=0.0, y0=0.0, tau=0.0) -> np.ndarray:
    """The Gabor equation on the centred grid (rows y, columns x), written independently."""
    c = (n - 1) / 2
    y, x = np.mgrid[0:n, 0:n] - c
    xp = (x - x0) * math.cos(tau) + (y - y0) * math.sin(tau)
    yp = -(x - x0) * math.sin(tau) + (y - y0) * math.cos(tau)
    return alpha * np.exp(-beta_x * xp**2 - beta_y * yp**2) * np.cos(f * xp + phi)


def grating_np(n: int, f: float, tau: float, phi: float) -> np.ndarray:
    y, x = np.mgrid[0:n, 0:n] - (n - 1) / 2
    return np.cos(f * (x * math.cos(tau) + y * math.sin(tau)) + phi)


def bar(n, angle, cx, cy, length=9.0, width=1.5):
    """The bar of ``cnnbook.stimuli.bar``, written independently with its centre ``(cx, cy)`` in
    pixel indices (the library takes it from the image's centre: x0 = cx - (n-1)/2)."""
    y, x = np.mgrid[0:n, 0:n]
    u = (x - cx) * np.cos(angle) + (y - cy) * np.sin(angle)
    v = -(x - cx) * np.sin(angle) + (y - cy) * np.cos(angle)
    # boundaries included, to within 1e-12 pixel (cos(pi/2) is not exactly 0)
    return ((np.abs(u) <= length / 2 + 1e-12) & (np.abs(v) <= width / 2 + 1e-12)).astype(float)


CELL = {"beta_x": 0.05, "beta_y": 0.05, "f": 2 * np.pi / 6, "phi": 0.0}


# -- 01: the primary visual cortex -----------------------------------------------------------------
PAGE1 = "cogsci/01-visual-cortex"


def test_equivariance_is_exact():
    assert value(PAGE1, "v1_equivariance_error") < 1e-12


def test_orientation_tuning_curve():
    w = gabor_np(11, tau=0.0, **CELL)
    taus = np.radians(np.linspace(-90, 90, 73))
    phases = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    tuning = np.array(
        [
            np.mean([max(float(np.sum(w * grating_np(11, CELL["f"], t, p))), 0.0) for p in phases])
            for t in taus
        ]
    )
    above = np.degrees(taus[tuning >= tuning.max() / 2])
    assert value(PAGE1, "v1_tuning_peak") == pytest.approx(0.0, abs=1e-9)
    assert value(PAGE1, "v1_tuning_halfwidth") == pytest.approx((above.max() - above.min()) / 2)


def test_bar_and_edge_responses():
    w = gabor_np(11, tau=0.0, **CELL)
    vertical = bar(11, np.pi / 2, 5, 5)
    horizontal = bar(11, 0.0, 5, 5)
    assert value(PAGE1, "v1_bar_best") == pytest.approx(max(float(np.sum(w * vertical)), 0))
    assert value(PAGE1, "v1_bar_worst") == pytest.approx(
        max(float(np.sum(w * horizontal)), 0), abs=1e-12
    )
    w_odd = gabor_np(11, tau=0.0, **{**CELL, "phi": -np.pi / 2})
    x = np.arange(11) - 5
    light_right = np.broadcast_to((x > 0).astype(float), (11, 11))
    assert value(PAGE1, "v1_edge_best") == pytest.approx(float(np.sum(w_odd * light_right)))
    assert value(PAGE1, "v1_edge_best") > 0
    assert value(PAGE1, "v1_edge_flipped") == 0.0


def test_shift_invariance_with_max_pooling():
    w = gabor_np(11, tau=0.0, **CELL)

    def detector(d):
        return np.maximum(correlate2d(bar(32, np.pi / 2, 15 + d, 15.5), w, mode="same"), 0)

    r0 = detector(0)
    i, j = np.unravel_index(np.argmax(r0), r0.shape)
    p0 = maximum_filter(r0, size=5, mode="constant", cval=0.0)
    for d, name in [(1, "one"), (2, "two"), (3, "three")]:
        r = detector(d)
        p = maximum_filter(r, size=5, mode="constant", cval=0.0)
        assert value(PAGE1, f"v1_unit_detector_{name}") == pytest.approx(
            r[i, j] / r0[i, j], abs=1e-12
        )
        assert value(PAGE1, f"v1_unit_pooled_{name}") == pytest.approx(p[i, j] / p0[i, j])
    assert value(PAGE1, "v1_unit_pooled_two") == pytest.approx(1.0)
    assert value(PAGE1, "v1_unit_detector_two") < 0.1


def test_tuning_widens_with_a_shorter_envelope():
    w = gabor_np(11, tau=0.0, **{**CELL, "beta_y": 0.15})
    taus = np.radians(np.linspace(-90, 90, 73))
    phases = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    tuning = np.array(
        [
            np.mean([max(float(np.sum(w * grating_np(11, CELL["f"], t, p))), 0.0) for p in phases])
            for t in taus
        ]
    )
    above = np.degrees(taus[tuning >= tuning.max() / 2])
    short = value(PAGE1, "v1_tuning_halfwidth_short")
    assert short == pytest.approx((above.max() - above.min()) / 2)
    assert short > value(PAGE1, "v1_tuning_halfwidth")


def test_pooling_numbers_are_the_figure_parameters():
    assert value(PAGE1, "v1_pool_n") == 32 and value(PAGE1, "v1_pool_k") == 5
    assert value(PAGE1, "v1_pool_half") == 2 and value(PAGE1, "v1_pool_half_next") == 3


def test_uniform_light_exercise():
    w = gabor_np(11, tau=0.0, **CELL)
    assert value(PAGE1, "v1_ex3_sum") == pytest.approx(float(w.sum()))
    assert value(PAGE1, "v1_ex3_sum") < 0 and value(PAGE1, "v1_ex3_rectified") == 0.0
    # the integral of the untruncated function, by a fine Riemann sum on a wide square
    t = np.arange(-60, 60.0001, 0.05)
    gx = np.exp(-CELL["beta_x"] * t**2) * np.cos(CELL["f"] * t)
    gy = np.exp(-CELL["beta_y"] * t**2)
    integral = float(gx.sum() * gy.sum() * 0.05**2)
    assert value(PAGE1, "v1_ex3_closed_form") == pytest.approx(integral, rel=1e-6)
    assert value(PAGE1, "v1_ex3_wide_sum") == pytest.approx(integral, rel=1e-3)
    balanced = w - w.mean()
    assert value(PAGE1, "v1_ex3_balanced_bar") == pytest.approx(
        max(float(np.sum(balanced * bar(11, np.pi / 2, 5, 5))), 0.0)
    )


def test_whole_map_change():
    w = gabor_np(11, tau=0.0, **CELL)
    rng = np.random.default_rng(0)
    texture = sum(
        bar(
            64,
            rng.uniform(0, np.pi),
            length=rng.uniform(5, 15),
            cx=rng.uniform(5, 58),
            cy=rng.uniform(5, 58),
        )
        for _ in range(40)
    )
    texture = np.minimum(texture, 1.0)
    r0 = np.maximum(correlate2d(texture, w, mode="same"), 0)
    r1 = np.maximum(correlate2d(np.roll(texture, 1, axis=1), w, mode="same"), 0)
    p0 = maximum_filter(r0, size=5, mode="constant", cval=0.0)
    p1 = maximum_filter(r1, size=5, mode="constant", cval=0.0)
    inner = (slice(8, -8), slice(8, -8))
    want_d = np.linalg.norm((r1 - r0)[inner]) / np.linalg.norm(r0[inner])
    want_p = np.linalg.norm((p1 - p0)[inner]) / np.linalg.norm(p0[inner])
    assert value(PAGE1, "v1_map_change_detector") == pytest.approx(want_d)
    assert value(PAGE1, "v1_map_change_pooled") == pytest.approx(want_p)
    assert want_p < want_d
    # stride 1: pooling commutes with the shift; stride 2 (every other pooled unit) does not
    assert value(PAGE1, "v1_pool_equivariance_stride1") < 1e-12  # exact up to rounding
    assert np.abs(p1 - np.roll(p0, 1, axis=1))[inner].max() == 0.0
    q0, q1 = p0[::2, ::2], p1[::2, ::2]
    inner_q = (slice(4, -4), slice(4, -4))
    best = min(
        np.linalg.norm((q1 - np.roll(q0, t, axis=1))[inner_q]) / np.linalg.norm(q0[inner_q])
        for t in (-1, 0, 1)
    )
    assert value(PAGE1, "v1_pool_equivariance_stride2") == pytest.approx(best)
    assert best > 0.1


# -- 02: beyond V1 ---------------------------------------------------------------------------------
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


# -- 03: Gabor functions ---------------------------------------------------------------------------
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


# -- 04: complex cells -----------------------------------------------------------------------------
PAGE4 = "cogsci/04-complex-cells"


def test_phase_invariance_numbers():
    pair = {"beta_x": 0.02, "beta_y": 0.02, "f": 2 * np.pi / 8, "tau": np.pi / 6}
    w0 = gabor_np(41, phi=0.0, **pair)
    w1 = gabor_np(41, phi=np.pi / 2, **pair)
    psis = np.linspace(0, 2 * np.pi, 73)
    s0 = np.array([np.sum(w0 * grating_np(41, pair["f"], pair["tau"], p)) for p in psis])
    s1 = np.array([np.sum(w1 * grating_np(41, pair["f"], pair["tau"], p)) for p in psis])
    c = np.sqrt(s0**2 + s1**2)
    assert value(PAGE4, "cc_simple_swing") == pytest.approx((s0.max() - s0.min()) / abs(s0).max())
    assert value(PAGE4, "cc_complex_swing") == pytest.approx(
        (c.max() - c.min()) / c.mean(), rel=1e-6, abs=1e-12
    )
    assert value(PAGE4, "cc_complex_swing") < 1e-3 and value(PAGE4, "cc_simple_swing") > 1.9


def test_contrast_inversion_numbers():
    assert value(PAGE4, "cc_inversion_complex") == 0.0
    assert value(PAGE4, "cc_inversion_simple") < 1e-12


def test_energy_map_is_smoother_than_the_simple_map():
    assert value(PAGE4, "cc_ripple_complex") < 0.1 * value(PAGE4, "cc_ripple_simple")


def test_pooling_over_positions_needs_a_period():
    n = 96
    y, x = np.mgrid[0:n, 0:n]
    texture = np.where(x < n // 2, np.cos(2 * np.pi * x / 8), np.cos(2 * np.pi * y / 8))
    pair = {"beta_x": 0.02, "beta_y": 0.02, "f": 2 * np.pi / 8, "tau": 0.0}
    s = correlate2d(texture, gabor_np(25, phi=0.0, **pair), mode="same")
    region = (slice(16, 80), slice(14, 34))

    def ripple(m):
        return m[region].std() / m[region].mean()

    rectified = np.maximum(s, 0)
    half = maximum_filter(rectified, size=(1, 4), mode="constant")
    full = maximum_filter(rectified, size=(1, 8), mode="constant")
    both = maximum_filter(np.abs(s), size=(1, 4), mode="constant")
    assert value(PAGE4, "cc_pool_ripple_half") == pytest.approx(ripple(half), rel=1e-6)
    assert value(PAGE4, "cc_pool_ripple_full") == pytest.approx(ripple(full), abs=1e-9)
    assert value(PAGE4, "cc_pool_ripple_both") == pytest.approx(ripple(both), abs=1e-9)
    assert ripple(half) > 0.3 and max(ripple(full), ripple(both)) < 0.01


def test_fit_numbers():
    assert value(PAGE4, "cc_fit_residual_clean") < 1e-6
    noise = value(PAGE4, "cc_fit_noise_level")
    assert value(PAGE4, "cc_fit_residual_noisy") < 1.1 * noise
    assert value(PAGE4, "cc_fit_clean_error") < noise
    assert value(PAGE4, "cc_fit_residual_random") > 3 * value(PAGE4, "cc_fit_residual_noisy")
    assert value(PAGE4, "cc_fit_f") == pytest.approx(value(PAGE4, "cc_true_f"), abs=0.2)
    assert value(PAGE4, "cc_fit_tau") == pytest.approx(value(PAGE4, "cc_true_tau"), abs=0.2)
    assert value(PAGE4, "cc_fit_residual_noisy") == pytest.approx(noise, rel=0.25)
    assert value(PAGE4, "cc_fit_entries") == 25 and value(PAGE4, "cc_fit_n_params") == 8


def test_sobel_and_shifted_pair_exercises():
    assert value(PAGE4, "cc_ex3_residual") < 0.05
    assert value(PAGE4, "cc_ex3_tau") == pytest.approx(np.pi / 2, abs=0.05)
    assert value(PAGE4, "cc_ex3_wavelength") == pytest.approx(2 * np.pi / value(PAGE4, "cc_ex3_f"))
    assert value(PAGE4, "cc_ex1_shift_phase") == pytest.approx(2 * np.pi / 8 * math.cos(np.pi / 6))
    pair = {"beta_x": 0.02, "beta_y": 0.02, "f": 2 * np.pi / 8, "tau": np.pi / 6}
    w0 = gabor_np(41, phi=0.0, **pair)
    shifted = np.roll(w0, 1, axis=1)
    psis = np.linspace(0, 2 * np.pi, 73)
    c = [
        math.hypot(np.sum(w0 * g), np.sum(shifted * g))
        for g in (grating_np(41, pair["f"], pair["tau"], p) for p in psis)
    ]
    assert value(PAGE4, "cc_ex1_ratio") == pytest.approx(max(c) / min(c))


# -- 05: reverse correlation -----------------------------------------------------------------------
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
