"""The numbers Part II glues into its prose, checked against independent computations.

Run after the book is built (``make html``; ``make test`` does both). Each test reads the values a
page glued (:func:`bookutils.glued`) and recomputes them here by another route: formulas written
out in the test, brute-force loops, or the definition of the quantity.
"""

from __future__ import annotations

import math
import os
import re

import numpy as np
import pytest
from bookutils import HTML_DIR, glued

pytestmark = pytest.mark.book


def number(values: dict[str, str], name: str) -> float:
    assert name in values, f"{name!r} was not glued (glued: {sorted(values)})"
    return float(values[name])


def text(values: dict[str, str], name: str) -> str:
    assert name in values, f"{name!r} was not glued (glued: {sorted(values)})"
    return str(eval(values[name], {"__builtins__": {}}))  # a str repr, e.g. "'MNIST'"


# -- 01 running the code -----------------------------------------------------------------------


def test_running_the_code_versions():
    import cnnbook

    g = glued("part2/01-running-the-code")
    assert text(g, "p2run_version") == cnnbook.__version__
    assert text(g, "p2run_numpy") == np.__version__


# -- 02 im2col ---------------------------------------------------------------------------------


def test_im2col_page_sizes():
    g = glued("part2/02-im2col-convolution")
    oh = (28 - 5) // 1 + 1
    assert number(g, "p2im_oh") == oh == 24
    assert number(g, "p2im_blowup") == pytest.approx(oh * oh * 5 * 5 / (28 * 28))
    assert number(g, "p2im_count_max") == 9  # a 3x3 window covers an inner pixel 9 times
    assert number(g, "p2im_rows") == oh * oh == 576
    assert number(g, "p2im_pixels") == 784
    assert number(g, "p2im_batch_rows") == 100 * oh * oh


def test_im2col_page_agreements_are_rounding_only():
    g = glued("part2/02-im2col-convolution")
    assert g["p2im_loops_equal"] == "True"
    assert g["p2im_view_equal"] == "True"
    assert g["p2im_backward_no_mutation"] == "True"
    for name in (
        "p2im_err_conv2d",
        "p2im_err_layer",
        "p2im_err_backward",
        "p2im_err_dw_corr",
        "p2im_err_dx_conv",
        "p2im_err_fast",
    ):
        assert 0 <= number(g, name) < 1e-12, name


def test_im2col_page_walkthrough_shapes():
    # the shapes the line-by-line walk-through states, for 100 images of 28x28 and 30 kernels of
    # 5x5 (stride 1, no padding), from the definitions of im2col and of the layer
    g = glued("part2/02-im2col-convolution")
    n, c, h, f, k = 100, 1, 28, 30, 5
    oh = h - k + 1
    rows, cols = n * oh * oh, c * k * k
    expected = {
        "p2im_wt_x": (n, c, h, h),
        "p2im_wt_w": (f, c, k, k),
        "p2im_wt_xshape": (n, c, h, h),
        "p2im_wt_outshape": (n, f, oh, oh),
        "p2im_wt_col": (rows, cols),
        "p2im_wt_colW": (cols, f),
        "p2im_wt_out": (rows, f),
        "p2im_wt_out4": (n, oh, oh, f),
        "p2im_wt_result": (n, f, oh, oh),
        "p2im_wt_delta": (n, f, oh, oh),
        "p2im_wt_Delta": (rows, f),
        "p2im_wt_db": (f,),
        "p2im_wt_dWT": (cols, f),
        "p2im_wt_dW": (f, c, k, k),
        "p2im_wt_dcol": (rows, cols),
        "p2im_wt_dx": (n, c, h, h),
    }
    for name, shape in expected.items():
        assert text(g, name) == str(shape), name
    assert number(g, "p2im_wt_oh") == oh
    # exercise 1: 16 kernels of 3x3 with padding 1 keep 28x28
    assert number(g, "p2im_ex1_rows") == n * h * h
    assert number(g, "p2im_ex1_cols") == 9
    assert number(g, "p2im_ex1_mults") == n * h * h * 16 * 9
    assert text(g, "p2im_ex1_s") == str((n, 16, h, h))


def test_im2col_page_agreement_words_match_the_numbers():
    g = glued("part2/02-im2col-convolution")
    for key in ("conv2d", "layer"):
        words, err = text(g, f"p2im_agree_{key}"), number(g, f"p2im_err_{key}")
        assert (words == "exactly") == (err == 0), (words, err)


def test_im2col_page_adjoint_identity():
    g = glued("part2/02-im2col-convolution")
    lhs, rhs = number(g, "p2im_adj_lhs"), number(g, "p2im_adj_rhs")
    assert lhs == pytest.approx(rhs, rel=1e-12)
    assert number(g, "p2im_adj_relerr") == pytest.approx(abs(lhs - rhs) / abs(lhs), abs=1e-15)
    assert lhs != 0


# -- 03 pooling --------------------------------------------------------------------------------


def test_pooling_page_padding_and_ties():
    g = glued("part2/03-pooling")
    assert -2 < number(g, "p2pool_pad_max") <= -1  # a value of the input, never the padding
    assert number(g, "p2pool_zero_max") == 0  # what zero padding would give
    assert number(g, "p2pool_tie_sum") == 1  # the gradient is not multiplied by ties
    assert g["p2pool_reshape_equal"] == "True"


def test_pooling_page_walkthrough_shapes():
    # 2x2 max pooling, stride 2, of 100 images with 30 channels of 24x24 (the network's maps)
    g = glued("part2/03-pooling")
    n, c, h, k = 100, 30, 24, 2
    oh = h // k
    windows = n * oh * oh
    expected = {
        "p2pool_wt_x": (n, c, h, h),
        "p2pool_wt_outshape": (n, c, oh, oh),
        "p2pool_wt_xp": (n, c, h, h),  # no padding
        "p2pool_wt_col1": (windows, c * k * k),
        "p2pool_wt_col": (windows * c, k * k),
        "p2pool_wt_argmax": (windows * c,),
        "p2pool_wt_out4": (n, oh, oh, c),
        "p2pool_wt_result": (n, c, oh, oh),
        "p2pool_wt_delta": (n, c, oh, oh),
        "p2pool_wt_dout": (windows * c,),
        "p2pool_wt_dmax": (windows * c, k * k),
        "p2pool_wt_dcol": (windows, c * k * k),
        "p2pool_wt_dx": (n, c, h, h),
    }
    for name, shape in expected.items():
        assert text(g, name) == str(shape), name
    assert number(g, "p2pool_wt_oh") == oh
    assert number(g, "p2pool_wt_col1_cols") == c * k * k
    assert number(g, "p2pool_wt_nonzero") == 1 / (k * k)  # one winner per window
    # exercise 1: 3x3 windows with stride 2 overlap; 11x11 windows per 24x24 channel
    bound = ((h - 3) // 2 + 1) ** 2 / h**2
    assert number(g, "p2pool_ex1_bound") == pytest.approx(bound)
    nonzero = number(g, "p2pool_ex1_nonzero")
    assert 0 < nonzero < bound  # overlapping windows share winners
    assert number(g, "p2pool_ex1_distinct") == pytest.approx(nonzero / bound)


def test_pooling_page_shift_example():
    # the detector row of the chapter, max-pooled with width 3 and stride 1 by brute force
    row = [0.1, 1.0, 0.2, 0.1, 0.3, 0.2, 0.9, 0.1, 0.2, 0.1]
    shifted = row[-1:] + row[:-1]

    def pool(r):
        return [max(r[i : i + 3]) for i in range(len(r) - 2)]

    g = glued("part2/03-pooling")
    changed_in = sum(a != b for a, b in zip(row, shifted)) / len(row)
    changed_out = sum(a != b for a, b in zip(pool(row), pool(shifted))) / (len(row) - 2)
    assert number(g, "p2pool_changed_in") == pytest.approx(changed_in)
    assert number(g, "p2pool_changed_out") == pytest.approx(changed_out)
    # pooling reduces the sensitivity to a one-pixel shift, and a larger window reduces it more
    r_img, r2, r4 = (number(g, f"p2pool_r1_{k}") for k in ("image", "pool2", "pool4"))
    assert r4 < r2 < r_img


# -- 04 SimpleConvNet --------------------------------------------------------------------------


def test_simpleconvnet_parameter_count():
    g = glued("part2/04-simpleconvnet")
    conv = 30 * 1 * 5 * 5 + 30
    pooled = 30 * ((28 - 5 + 1) // 2) ** 2
    affine1 = pooled * 100 + 100
    affine2 = 100 * 10 + 10
    assert number(g, "p2net_total") == conv + affine1 + affine2 == 433_890
    assert number(g, "p2net_w2") == pooled * 100
    assert number(g, "p2net_conv") == conv
    assert number(g, "p2net_w2_share") == pytest.approx(pooled * 100 / 433_890)
    assert number(g, "p2net_conv_share") == pytest.approx(conv / 433_890)


def test_simpleconvnet_sizes_in_prose():
    g = glued("part2/04-simpleconvnet")
    assert number(g, "p2net_positions") == 24 * 24
    # dense layer from 28*28 pixels to 30 maps of 24*24: 784 * 17,280 weights
    assert number(g, "p2net_dense_millions") == pytest.approx(784 * 30 * 576 / 1e6)


def test_simpleconvnet_gradient_walkthrough_shapes():
    g = glued("part2/04-simpleconvnet")
    n = 100
    assert text(g, "p2net_wt_scores") == str((n, 10))
    assert text(g, "p2net_wt_affine1") == str((n, 30, 12, 12))  # back to the pooled maps
    assert text(g, "p2net_wt_pool1") == str((n, 30, 24, 24))
    assert text(g, "p2net_wt_relu1_fast") == str((n, 30, 12, 12))  # pool first, then rectify
    assert text(g, "p2net_wt_relu1_tb") == str((n, 30, 24, 24))
    assert text(g, "p2net_wt_conv1") == "None"  # the first layer computes no input gradient


def test_simpleconvnet_initialisation_and_precision():
    g = glued("part2/04-simpleconvnet")
    # He: std sqrt(2 / fan_in); the sample std of many draws is close to it
    assert number(g, "p2net_he_std_w1") == pytest.approx(math.sqrt(2 / 25), rel=0.1)
    assert number(g, "p2net_he_std_w2") == pytest.approx(math.sqrt(2 / 4320), rel=0.01)
    assert number(g, "p2net_he_std_w3") == pytest.approx(math.sqrt(2 / 100), rel=0.05)
    assert number(g, "p2net_ln10") == pytest.approx(math.log(10))
    # sigma = 0.01 gives almost uniform softmax outputs: loss close to ln 10
    assert number(g, "p2net_loss0_001") == pytest.approx(math.log(10), abs=0.01)
    assert number(g, "p2net_std_scores_001") < 0.01 < number(g, "p2net_std_scores_he")
    assert number(g, "p2net_eps32") == 2.0**-23
    assert number(g, "p2net_mb32") == pytest.approx(433_890 * 4 / 2**20)
    assert number(g, "p2net_mb64") == pytest.approx(433_890 * 8 / 2**20)
    assert 0 < number(g, "p2net_f32_rel") < 1e-4
    assert number(g, "p2net_f32_same") >= 0.99


# -- 05 gradient check -------------------------------------------------------------------------


def test_gradient_check_errors_are_small():
    g = glued("part2/05-gradient-check")
    errors = [number(g, f"p2gc_err_{k}") for k in ("W1", "b1", "W2", "b2", "W3", "b3")]
    assert max(errors) == pytest.approx(number(g, "p2gc_err_max"))
    assert 0 <= max(errors) < 1e-6
    assert 0 <= number(g, "p2gc_full_err_max") < 1e-6
    # parameter count of the small network: conv 3@3x3 on 10x10 -> 8x8 -> pool 4x4 -> 10 -> 10
    small = 3 * 9 + 3 + (3 * 4 * 4) * 10 + 10 + 10 * 10 + 10
    assert number(g, "p2gc_n_small") == small
    assert number(g, "p2gc_full_n") == 433_890
    assert number(g, "p2gc_full_passes") == 2 * 433_890
    sizes = [30 * 25, 30, 4320 * 100, 100, 100 * 10, 10]  # W1, b1, W2, b2, W3, b3
    assert number(g, "p2gc_full_checked") == sum(min(12, n) for n in sizes)
    assert 0 <= number(g, "p2gc_layer_err_max") < 1e-6
    # float64 reaches a much better best step than float32, near eps ** (1/3)
    assert number(g, "p2gc_best64") < 1e-7 < number(g, "p2gc_best32")
    assert 1e-7 <= number(g, "p2gc_hbest64") <= 1e-3
    assert number(g, "p2gc_hbest32") > number(g, "p2gc_hbest64")
    assert number(g, "p2gc_rel_10pct") == pytest.approx(0.1 / 2.1)
    for bits in ("64", "32"):
        eps = float(np.finfo(np.float64 if bits == "64" else np.float32).eps)
        best = number(g, f"p2gc_hbest{bits}")
        assert number(g, f"p2gc_rule_factor{bits}") == pytest.approx(
            max(best / eps ** (1 / 3), eps ** (1 / 3) / best), rel=1e-6
        )
    # right of the optimum the error grows with the number of kinks the step crosses
    assert number(g, "p2gc_kinks_last") > number(g, "p2gc_kinks_best") >= 0
    assert number(g, "p2gc_kinks_jump") > number(g, "p2gc_kinks_before_jump")
    assert 1.5 < number(g, "p2gc_smooth_slope") < 3 and number(g, "p2gc_kink_jump") > 1e2
    assert number(g, "p2gc_best64") <= number(g, "p2gc_typical64")


# -- 06 training -------------------------------------------------------------------------------


def test_training_page_names_its_dataset_visibly():
    g = glued("part2/06-training")
    title = text(g, "p2train_dataset_title")
    if os.environ.get("CNNBOOK_DATA") and os.environ.get("CNNBOOK_DATASET", "mnist") == "mnist":
        # CI points CNNBOOK_DATA at the complete MNIST set: the book must be built on it.
        assert title == "MNIST"
    summary = text(g, "p2train_summary")
    details = text(g, "p2train_details")
    assert title in {"MNIST", "Fashion-MNIST", "Generated digits"}
    assert summary.startswith(title) and summary.count(". ") <= 1  # one short sentence
    assert len(details) > len(summary) // 2
    import html as html_lib

    page = (HTML_DIR / "part2" / "06-training.html").read_text(encoding="utf-8")
    banner = re.search(r'<div class="[^"]*cnnbook-dataset-banner[^"]*">(.*)', page, re.S)
    assert banner is not None, "the dataset banner is missing from the training page"

    def plain(fragment: str) -> str:  # text as shown, with Sphinx's curly apostrophes undone
        return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("\u2019", "'")

    visible = plain(banner.group(1))
    visible = re.sub(r"\s+", " ", visible)
    assert re.sub(r"\s+", " ", summary)[:40] in visible
    # the diagnosis sits in a collapsed block inside the banner
    fold = re.search(r"<details[^>]*>(.*?)</details>", banner.group(1), re.S)
    assert fold is not None and "open" not in fold.group(0)[:40]
    assert re.sub(r"\s+", " ", details)[:30] in re.sub(r"\s+", " ", plain(fold.group(1)))


def test_training_page_accuracy_and_time():
    g = glued("part2/06-training")
    title = text(g, "p2train_dataset_title")
    acc = number(g, "p2train_test_acc")
    n_test = number(g, "p2train_n_test")
    floor = {"MNIST": 0.990, "Fashion-MNIST": 0.90, "Generated digits": 0.95}[title]
    assert floor <= acc <= 1
    if title == "MNIST":  # the floor the page states is the one the build enforces
        assert number(g, "p2train_floor") == 0.99
    assert float(text(g, "p2train_lr0")) > 0 and number(g, "p2train_shift") >= 0
    epochs = number(g, "p2train_epochs")
    assert number(g, "p2train_epoch_seconds") <= number(g, "p2train_seconds") / epochs * 1.5
    # the confusion matrix and the accuracy count the same errors
    assert number(g, "p2train_errors") == round((1 - acc) * n_test)
    assert g["p2train_pred_equals_accuracy"] == "True"
    assert number(g, "p2train_steps") == (
        number(g, "p2train_epochs") * number(g, "p2train_n_train") // number(g, "p2train_batch")
    )
    assert 0 < number(g, "p2train_seconds") < 240  # the build's time budget
    assert number(g, "p2train_loss_last") < number(g, "p2train_loss_first")
    assert number(g, "p2train_top_count") >= 1
    # the per-epoch test accuracies quoted in exercise 1
    first = number(g, "p2train_test_acc_first")
    assert 0.1 < first <= 1
    assert number(g, "p2train_test_acc_gain") == pytest.approx(100 * (acc - first), abs=1e-9)
    # the accuracy on the training set is measured on min(5000, M) images (Trainer's default)
    assert number(g, "p2train_train_sample") == min(5000, number(g, "p2train_n_train"))


def test_training_page_gabor_bridge():
    g = glued("part2/06-training")
    before = number(g, "p2train_gabor_median_init")
    after = number(g, "p2train_gabor_median")
    change = number(g, "p2train_gabor_median_delta")
    null = number(g, "p2train_gabor_median_null")
    # "What training added fits better" than the trained and the initial kernels ...
    assert 0 <= change < after < before <= 1
    assert 0 <= number(g, "p2train_gabor_good_init") <= number(g, "p2train_gabor_good_delta") <= 30
    # ... "moved by X % of their random start": the change is smaller than the start ...
    assert 0 < number(g, "p2train_change_ratio") < 1
    # ... and "noise blurred to the same smoothness is fitted about as well".
    assert abs(number(g, "p2train_rho_null") - number(g, "p2train_rho_learned")) < 0.1
    assert abs(null - change) < 0.1
    assert 0.4 <= number(g, "p2train_sigma_null") <= 2.0
    assert 0 < number(g, "p2train_fmap_zero_share") < 1
    page = (HTML_DIR / "part2" / "06-training.html").read_text(encoding="utf-8")
    assert 'id="part2-gabor-bridge"' in page


# -- 07 making it fast -------------------------------------------------------------------------


def test_making_it_fast_ratios_are_consistent():
    g = glued("part2/07-making-it-fast")
    fast, textbook, ref = (number(g, f"p2fast_step_{k}_ms") for k in ("fast", "textbook", "ref"))
    assert number(g, "p2fast_speedup_textbook") == pytest.approx(textbook / fast)
    assert number(g, "p2fast_speedup_ref") == pytest.approx(ref / fast)
    assert number(g, "p2fast_epoch_fast") == pytest.approx(600 * fast / 1e3)
    assert number(g, "p2fast_epoch_steps") == 600
    # "the training page trains on N images per epoch": N must be what that page trained on
    trained_on = number(glued("part2/06-training"), "p2train_n_train")
    assert number(g, "p2fast_epoch_images") == 600 * 100 == trained_on
    assert number(g, "p2fast_epoch_ref") == pytest.approx(600 * ref / 1e3)
    assert number(g, "p2fast_test_images") == 10_000
    assert number(g, "p2fast_pool_ratio") == pytest.approx(
        number(g, "p2fast_pool_im2col") / number(g, "p2fast_pool_fast")
    )
    assert number(g, "p2fast_cpus") >= 1
    assert number(g, "p2fast_fmap_mb") == pytest.approx(100 * 30 * 24 * 24 * 4 / 1e6)
    for when in ("before", "after"):
        assert 0 < number(g, f"p2fast_block_share_{when}") < 1
    # the forward share is a forward pass over a step that contains one: below 1
    assert 0 < number(g, "p2fast_forward_share") < 1
    for name, value in g.items():
        if name.startswith("p2fast_") and name.endswith(
            (
                "_ms",
                "_fast",
                "_im2col",
                "_with",
                "_without",
                "_f32",
                "_f64",
                "_before",
                "_after",
                "_s",
            )
        ):
            assert float(value) > 0, name
