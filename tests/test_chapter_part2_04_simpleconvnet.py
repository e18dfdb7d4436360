"""Chapter ``part2/04-simpleconvnet``: the values it glues into its prose.

The values that "The SimpleConvNet" glues into its prose (myst-nb ``glue``) are read back from the
executed notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed by
another route: formulas written out in the test, brute-force loops, or the definition of the
quantity. Build first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import math

import pytest
from bookutils import glued, number, text

pytestmark = pytest.mark.book


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
    assert text(g, "p2net_wt_pool1") == str((n, 30, 24, 24))  # textbook Pool1: the conv maps
    assert text(g, "p2net_wt_relu1_fast") == str((n, 30, 12, 12))  # pool first, then rectify
    assert text(g, "p2net_wt_relu1_tb") == str((n, 30, 24, 24))
    # the first layer (Conv1, or ConvPool1 in the fast network) computes no input gradient
    assert text(g, "p2net_wt_conv1") == "None"


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
