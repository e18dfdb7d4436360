"""The numbers Part I's pages 4-7 print in their prose are the numbers the code computes.

Each value a page glues into its text (myst-nb ``glue``) is read back from the executed notebook
(:func:`bookutils.glued`) and compared with an independent computation: the closed-form counts of
Goodfellow et al. (2016, ch. 9), output-size formulas written out here, SciPy, or tolerances that a
correct computation must meet (rounding errors of float64, finite differences).
"""

from __future__ import annotations

import ast
import json
import math

import bookutils
import numpy as np
import pytest
from scipy import signal

pytestmark = pytest.mark.book

ROUNDING = 1e-12  # float64 rounding error of the small examples


def glue_json(docname: str) -> dict[str, str]:
    """``text/plain`` of the values in myst-nb's ``<docname>.glue.json``.

    myst-nb 1.x stores ``glue(..., display=False)`` values there rather than in the executed
    notebook that :func:`bookutils.glued` reads; both sources are merged below.
    """
    path = bookutils.EXECUTED_DIR / f"{docname}.glue.json"
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for name, output in raw.items():
        text = output.get("data", {}).get("text/plain")
        if text is not None:
            out[name] = "".join(text) if isinstance(text, list) else text
    return out


def values(docname: str) -> dict[str, float]:
    """Glued numbers of ``part1/<docname>`` as floats (booleans as 0/1)."""
    page = f"part1/{docname}"
    raw = {**glue_json(page), **bookutils.glued(page)}
    assert raw, f"{page} glued nothing"
    return {k: _number_or_text(v) for k, v in raw.items()}


def _number_or_text(text: str):
    """A glued repr as a float (booleans as 0/1), or as the string it quotes."""
    if text[:1] in "'\"":
        return ast.literal_eval(text)
    return float({"True": 1, "False": 0}.get(text, text))


# -- 04-operation ---------------------------------------------------------------------------------


def test_operation_numbers():
    g = values("04-operation")
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


def test_operation_exercise_values():
    g = values("04-operation")
    assert g["op_assoc_err"] < ROUNDING
    assert g["op_ex3_shape"] == str(((4 - 2 + 1) * (5 - 3 + 1), 4 * 5))


def test_operation_worked_example():
    g = values("04-operation")
    x2 = np.array([[1, 2, 0, 3], [4, 1, 2, 1], [0, 3, 1, 2]], dtype=float)
    w2 = np.array([[1, 0], [-1, 2]], dtype=float)
    s2 = signal.correlate(x2, w2, mode="valid")
    assert g["op_s00"] == s2[0, 0] == 1 * 1 + 2 * 0 + 4 * (-1) + 1 * 2
    assert g["op_s12"] == s2[1, 2]


def test_operation_matrix_shapes():
    g = values("04-operation")
    k, n = 3, 6
    assert (g["op_M1_rows"], g["op_M1_cols"]) == (n + k - 1, n)
    (h, w), (kh, kw) = (4, 5), (2, 2)
    assert (g["op_M2_rows"], g["op_M2_cols"]) == ((h + kh - 1) * (w + kw - 1), h * w)
    # each output of the full convolution touches at most kh*kw inputs; exactly kh*kw*h*w nonzeros
    nonzeros = kh * kw * h * w
    assert g["op_M2_nonzero_pct"] == pytest.approx(100 * nonzeros / (g["op_M2_rows"] * h * w))


# -- 05-forward-backward --------------------------------------------------------------------------


def test_gradient_checks_pass():
    g = values("05-forward-backward")
    for key in ["fb_err_dx_1d", "fb_err_dw_1d", "fb_err_max_2d"]:
        assert g[key] < 1e-6, key  # central differences in float64
    assert g["fb_err_transpose"] < ROUNDING
    assert g["fb_err_dx_big_h"] < 1e-12  # a quadratic loss: no truncation error even at h = 0.1
    assert g["fb_n_checked"] == 2 * 3 * 7 * 8 + 4 * 3 * 3 * 3 + 4
    # exercise 4: unpadded 3x3 layers that fit on 28 pixels (each stride-1 layer removes 2)
    assert g["fb_fit_s1"] == (28 - 1) // 2 == 13
    assert g["fb_fit_s2"] == 3  # 28 -> 13 -> 6 -> 2


def test_receptive_field_numbers():
    g = values("05-forward-backward")
    assert g["fb_rf_all_match"] == 1
    assert g["fb_rf_k3_depth5"] == 1 + 5 * (3 - 1)
    assert g["fb_rf_stride2_depth5"] == 1 + 2 * (1 + 2 + 4 + 8 + 16)
    assert g["fb_rf_dilated_depth5"] == 1 + 2 * (1 + 2 + 4 + 8 + 16)
    assert g["fb_layers_28_s1"] == math.ceil((28 - 1) / 2)  # 1 + 2D >= 28
    assert g["fb_layers_28_s2"] == math.ceil(math.log2(28 + 1) - 1)  # 2^(D+1) - 1 >= 28
    assert g["fb_cone_inputs"] == 1 + 3 * (3 - 1)  # the drawn cone: three layers of 3-tap kernels


# -- 06-why-convolution-works ---------------------------------------------------------------------


def test_edge_detection_counts_of_goodfellow():
    g = values("06-why-convolution-works")
    h, w = 280, 320
    assert (g["why_ed_out_rows"], g["why_ed_out_cols"]) == (280, 319)
    assert g["why_ed_kernel_entries"] == 2
    assert g["why_ed_dense_entries"] == 8_003_072_000 == w * h * (w - 1) * h
    assert g["why_ed_conv_flops"] == 267_960 == (w - 1) * h * 3
    assert g["why_ed_sparse_entries"] == 178_640 == 2 * (w - 1) * h
    assert g["why_ed_dense_flops"] == (w - 1) * h * (2 * w * h - 1)
    assert g["why_ed_flop_ratio"] == pytest.approx(g["why_ed_dense_flops"] / 267_960)
    assert g["why_ed_dense_gb"] == pytest.approx(8_003_072_000 * 8 / 1e9)


def test_sparse_interactions_and_sharing_counts():
    g = values("06-why-convolution-works")
    assert g["why_dense_cost"] == 1000 * 1000 == g["why_params_dense"]
    assert g["why_sparse_cost"] == 3 * 1000
    assert g["why_params_conv"] == 3
    assert g["why_img_dense"] == (3 * 32 * 32) * (16 * 30 * 30)
    assert g["why_img_conv"] == 16 * 3 * 3 * 3
    assert g["why_ex_dense_224"] == (3 * 224 * 224) * (64 * 224 * 224)
    assert g["why_ex_conv_224"] == 64 * 3 * 3 * 3
    assert (g["why_ex_horizontal_rows"], g["why_ex_horizontal_cols"]) == (279, 320)


def test_equivariance_and_prior():
    g = values("06-why-convolution-works")
    assert g["why_equiv_err"] < ROUNDING
    assert g["why_global_max_gap"] < ROUNDING
    assert g["why_invariance_gap"] > 0.5  # the map moves: not invariant
    assert g["why_prior_err"] < ROUNDING
    assert g["why_prior_matrix_err"] == 0
    assert g["why_prior_err_2d"] < ROUNDING
    assert (g["why_prior_free"], g["why_prior_entries"]) == (3, (12 - 3 + 1) * 12)
    assert (g["why_prior_free_2d"], g["why_prior_W_img_size"]) == (9, (7 * 8) * (9 * 10))


def test_dense_matrix_timing():
    g = values("06-why-convolution-works")
    assert (g["why_small_M_rows"], g["why_small_M_cols"]) == (40 * 47, 40 * 48)
    assert g["why_small_same"] < ROUNDING
    assert g["why_small_M_mb"] == pytest.approx(40 * 47 * 40 * 48 * 8 / 1e6)
    assert g["why_t_ratio"] == pytest.approx(g["why_t_dense_ms"] / g["why_t_conv_ms"], rel=1e-6)
    assert g["why_t_ratio"] > 1  # the dense product is the slower one
    assert g["why_tiny_shape"] == "20 × 24"
    assert 0 < g["why_t_ratio_tiny"] < g["why_t_ratio"]  # the ratio grows with the image
    # exercise 2: the step edge and its scaled copy, recomputed here with NumPy
    x = np.array([0, 0, 1, 1, 0, 0, 0, 0])
    s = np.correlate(x, [-1, 1], "valid")
    assert g["why_ex2_s"] == str(s.tolist())
    assert g["why_ex2_scaled"] == str(np.correlate(np.repeat(x, 2), [-1, 1], "valid").tolist())


# -- 07-variants ----------------------------------------------------------------------------------


def test_stride_padding_dilation_sizes():
    g = values("07-variants")
    assert g["var_stride_err"] < ROUNDING
    assert (g["var_stride1_out"], g["var_stride_out"]) == (11 - 3 + 1, (11 - 3) // 2 + 1)
    assert g["var_stride_saving"] == pytest.approx(9**2 / 5**2)
    n, k = 7, 3
    sizes = (g["var_size_valid"], g["var_size_same"], g["var_size_full"])
    assert sizes == (n - k + 1, n, n + k - 1)
    for mode in ["valid", "same", "full"]:
        assert g[f"var_err_{mode}"] < ROUNDING
    assert g["var_valid_stack_layers"] == 3  # 16 -> 12 -> 8 -> 4, then a width-5 kernel fails
    assert g["var_anim_out"] == (5 + 2 - 3) // 2 + 1
    assert g["var_dilation_err"] < ROUNDING
    assert g["var_dilation_span"] == 5
    assert g["var_dilation_out"] == 9 - 5 + 1
    assert g["var_ex_resnet"] == 112
    assert g["var_ex_dilated_same"] == 20
    assert g["var_ex_span"] == 2 * (5 - 1) + 1 and g["var_ex_same_p"] == 4


def test_unshared_and_tiled():
    g = values("07-variants")
    for key in ["var_lc_err", "var_tile_as_conv", "var_tile_as_lc", "var_tile_by_hand"]:
        assert g[key] < ROUNDING, key
    c, f, k, o = 3, 16, 3, 30
    assert g["var_count_out"] == o
    assert g["var_count_dense"] == (c * 32 * 32) * (f * o * o)
    assert g["var_count_lc"] == o * o * f * c * k * k
    assert g["var_count_tiled"] == 2 * 2 * f * c * k * k
    assert g["var_count_conv"] == f * c * k * k
    assert g["var_ex_tiled3"] == 3 * 3 * f * c * k * k
