"""Chapter ``part2/08-beyond-the-simple-net``: the values it glues into its prose.

The values that "Beyond the SimpleConvNet" glues into its prose (myst-nb ``glue``) are read back
from the executed notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed
independently: parameter counts written out from the layer shapes, receptive fields found by
following which input samples each unit depends on (not by the recurrence of
``cnnbook.cost.receptive_field``), and the published counts of LeNet-5 taken from the paper. Build
first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pytest
from bookutils import HTML_DIR, glued, number, text
from matplotlib import cbook
from PIL import Image

pytestmark = pytest.mark.book


PAGE = "part2/08-beyond-the-simple-net"


def span(layers: list[tuple[int, int]], n: int = 512) -> int:
    """Input samples (first to last) that unit 0 of the last layer depends on, 1-D, brute force.

    ``layers`` holds (kernel, stride) pairs; unit i of a layer reads units s*i .. s*i + k - 1 of
    the layer below (no padding).
    """
    deps = [{i} for i in range(n)]  # input unit i depends on sample i
    for k, s in layers:
        size = (len(deps) - k) // s + 1
        deps = [set().union(*deps[s * i : s * i + k]) for i in range(size)]
    return max(deps[0]) - min(deps[0]) + 1


def conv(c_in: int, c_out: int, k: int) -> int:
    return c_out * c_in * k * k + c_out


def dense(n_in: int, n_out: int) -> int:
    return n_in * n_out + n_out


def test_deeper_net_parameter_counts():
    g = glued(PAGE)
    total = conv(1, 16, 3) + conv(16, 16, 3) + dense(16 * 12 * 12, 10)
    simple = conv(1, 30, 5) + dense(30 * 12 * 12, 100) + dense(100, 10)
    assert number(g, "p2deep_params") == total == 25_530
    assert number(g, "p2deep_params_conv2") == conv(16, 16, 3)
    assert number(g, "p2deep_params_affine") == dense(2304, 10)
    assert number(g, "p2deep_simple_params") == simple == 433_890
    assert number(g, "p2deep_param_ratio") == pytest.approx(simple / total)


def test_receptive_fields():
    g = glued(PAGE)
    assert number(g, "p2deep_rf") == span([(3, 1), (3, 1)]) == 5
    assert number(g, "p2deep_rf_pool") == span([(3, 1), (3, 1), (2, 2)]) == 6
    assert number(g, "p2deep_ex_rf3") == span([(3, 1), (3, 1), (2, 2), (3, 1)]) == 10
    assert number(g, "p2deep_lenet_rf") == span([(5, 1), (2, 2), (5, 1), (2, 2), (5, 1)]) == 32
    alexnet = [(11, 4), (3, 2), (5, 1), (3, 2), (3, 1), (3, 1), (3, 1), (3, 2)]
    assert number(g, "p2deep_alexnet_rf") == span(alexnet, n=1024)


def test_training_run_is_what_the_text_says():
    g = glued(PAGE)
    assert text(g, "p2deep_dataset") in ("MNIST", "Fashion-MNIST", "Generated digits")
    n_train = number(g, "p2deep_n_train")
    assert number(g, "p2deep_steps") == math.ceil(n_train / 100)
    assert text(g, "p2deep_lr") == "0.002"
    n_test = number(g, "p2deep_n_test")
    acc = number(g, "p2deep_test_acc")
    assert 0.7 < acc <= 1
    assert acc * n_test == pytest.approx(round(acc * n_test), abs=1e-6)  # a count of images
    if text(g, "p2deep_dataset") == "MNIST":
        assert n_test == 10_000 and acc > 0.95
    assert number(g, "p2deep_seconds") > 0
    assert number(g, "p2deep_route_ratio") > 0  # a measured ratio of times, machine-dependent


def test_unit_selectivity_claim():
    g = glued(PAGE)
    # trained and untrained units alike: top patches more alike than any random draw
    assert number(g, "p2deep_top_sim_min") > number(g, "p2deep_random_sim_max")
    assert number(g, "p2deep_untrained_sim_min") > number(g, "p2deep_random_sim_max")
    assert number(g, "p2deep_top_sim_median") >= number(g, "p2deep_top_sim_min")
    assert (
        number(g, "p2deep_untrained_sim_min")
        <= number(g, "p2deep_untrained_sim_median")
        <= number(g, "p2deep_untrained_sim_max")
    )
    assert number(g, "p2deep_random_sim_median") <= number(g, "p2deep_random_sim_max")
    for name in ("p2deep_top_sim_min", "p2deep_untrained_sim_max", "p2deep_random_sim_max"):
        assert -1 <= number(g, name) <= 1
    more = number(g, "p2deep_top_sim_median") > number(g, "p2deep_untrained_sim_median")
    assert text(g, "p2deep_training_made") == ("more" if more else "less")
    assert number(g, "p2deep_n_stat_units") == 16
    # the page draws 200 inked patches at random and groups them by the number of top patches
    top = int(number(g, "p2deep_top"))
    assert number(g, "p2deep_random_draws") == len(range(0, 200, top))
    assert number(g, "p2deep_n_units") == 6 and number(g, "p2deep_n_probe") == 2000


def test_photograph_size_and_maps():
    g = glued(PAGE)
    with Image.open(cbook.get_sample_data("grace_hopper.jpg")) as im:
        width, height = im.size
    assert text(g, "p2deep_photo_shape") == f"{height // 2}×{width // 2}"
    assert number(g, "p2deep_photo_rank") > 0.8
    assert number(g, "p2deep_corr_cos_gap") > 0.3  # the correlation is not close to cos θ
    assert number(g, "p2deep_clear_corr_min") > 0.7
    assert 1 <= number(g, "p2deep_clear_kernels") <= 16
    assert 0 <= number(g, "p2deep_sign_agree") <= 16
    assert 1 <= number(g, "p2deep_edge_kernels") <= 16
    assert 1 <= number(g, "p2deep_photo_maps") <= 16 - number(g, "p2deep_edge_kernels")
    assert number(g, "p2deep_edge_score_min") > number(g, "p2deep_photo_edge_max")
    assert 0 <= number(g, "p2deep_dark_maps") <= 16


def test_history_counts_match_the_papers():
    g = glued(PAGE)
    # LeNet-5, LeCun et al. (1998), §II.B: trainable parameters of C1, S2, C3, S4, C5, F6.
    assert number(g, "p2deep_lenet_params") == 156 + 12 + 1516 + 32 + 48_120 + 10_164
    assert number(g, "p2deep_lenet_c3") == 1516
    # AlexNet, Krizhevsky et al. (2012), §3.5: layers 2, 4, 5 see the maps of their own GPU.
    convs = (
        conv(3, 96, 11)
        + conv(48, 256, 5)
        + conv(256, 384, 3)
        + conv(192, 384, 3)
        + conv(192, 256, 3)
    )
    fcs = dense(6 * 6 * 256, 4096) + dense(4096, 4096) + dense(4096, 1000)
    assert number(g, "p2deep_alexnet_params") == convs + fcs
    assert number(g, "p2deep_alexnet_params") == pytest.approx(60e6, rel=0.02)  # "60 million"
    assert number(g, "p2deep_alexnet_fc_share") == pytest.approx(fcs / (convs + fcs))
    assert number(g, "p2deep_simple_to_lenet") == pytest.approx(433_890 / 60_000)


def out(n: int, k: int, s: int = 1, p: int = 0) -> int:
    return (n + 2 * p - k) // s + 1


def test_multiply_adds():
    g = glued(PAGE)
    # one multiply-add per weight (without bias) and output position
    simple_conv = 30 * out(28, 5) ** 2 * 5 * 5
    simple_affine = 30 * 12 * 12 * 100 + 100 * 10
    assert number(g, "p2deep_simple_conv_macs") == simple_conv == 432_000
    assert number(g, "p2deep_simple_affine_macs") == simple_affine == 433_000
    assert number(g, "p2deep_simple_conv_share") == pytest.approx(432 / 865)
    sides = [out(227, 11, 4)]  # AlexNet: 227 (or 224 with padding 2) gives 55
    assert sides[0] == out(224, 11, 4, 2) == 55 != out(224, 11, 4)
    for k, s, p in [(3, 2, 0), (5, 1, 2), (3, 2, 0), (3, 1, 1), (3, 1, 1), (3, 1, 1), (3, 2, 0)]:
        sides.append(out(sides[-1], k, s, p))
    convs = [
        (3, 96, 11, sides[0]),
        (48, 256, 5, sides[2]),
        (256, 384, 3, sides[4]),
        (192, 384, 3, sides[5]),
        (192, 256, 3, sides[6]),
    ]
    conv_macs = sum(c * f * k * k * side**2 for c, f, k, side in convs)
    fc_macs = sides[-1] ** 2 * 256 * 4096 + 4096 * 4096 + 4096 * 1000
    assert number(g, "p2deep_alexnet_conv_share") == pytest.approx(
        conv_macs / (conv_macs + fc_macs)
    )
    assert number(g, "p2deep_alexnet_conv_share") > 0.85


def test_exercise_values():
    g = glued(PAGE)
    # the reference's pooling on 4x4 maps with pad 1: windows of the padded input vs its size
    assert number(g, "p2deep_ex_ref_windows") == len(range(0, 6 - 2 + 1, 2)) == 3
    assert number(g, "p2deep_ex_ref_size") == 2
    assert text(g, "p2deep_ex_shape") == "(1, 1, 3, 3)"
    assert number(g, "p2deep_ex_cost3") == pytest.approx((12 - 2) ** 2 / (28 - 4) ** 2)
    assert number(g, "p2deep_ex_params3") == (
        conv(1, 16, 3) + conv(16, 16, 3) + conv(16, 16, 3) + dense(16 * 10 * 10, 10)
    )
    assert number(g, "p2deep_ex_conv1") == conv(1, 16, 3) == 160
    assert number(g, "p2deep_ex_simple_flat") == 30 * out(out(28, 5), 2, 2) ** 2 == 4320
    assert number(g, "p2deep_ex_simple_hidden") == dense(4320, 100) == 432_100
    assert number(g, "p2deep_ex_ref_fails") == number(g, "p2deep_ex_ref_cases") == 64
    assert number(g, "p2deep_ex_zero_wins") == 3
    acc3 = number(g, "p2deep_ex_acc3")
    assert 0.7 < acc3 <= 1
    higher = acc3 > number(g, "p2deep_test_acc")
    assert text(g, "p2deep_ex_acc3_change") == ("higher" if higher else "not higher")
    assert 0 <= number(g, "p2deep_ex_sobel_best") < 16
    assert abs(number(g, "p2deep_ex_sobel_map_corr")) > 0.5
    assert -1 <= number(g, "p2deep_ex_sobel_corr") <= 1
    assert np.sign(number(g, "p2deep_ex_sobel_corr")) == np.sign(
        number(g, "p2deep_ex_sobel_map_corr")
    )


def reference_im2col(x: np.ndarray, fh: int, fw: int, stride: int, pad: int) -> np.ndarray:
    """The reference's im2col, by loops over output positions: rows (n, i, j), columns (c, u, v)."""
    n, _, h, w = x.shape
    oh, ow = out(h, fh, stride, pad), out(w, fw, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # zeros, as the reference
    rows = [
        xp[b, :, i * stride : i * stride + fh, j * stride : j * stride + fw].ravel()
        for b in range(n)
        for i in range(oh)
        for j in range(ow)
    ]
    return np.array(rows)


def reference_pooling(x: np.ndarray, ph: int, pw: int, stride: int, pad: int) -> np.ndarray:
    """The reference's Pooling.forward: an output size that ignores pad."""
    n, c, h, w = x.shape
    oh, ow = int(1 + (h - ph) / stride), int(1 + (w - pw) / stride)
    col = reference_im2col(x, ph, pw, stride, pad).reshape(-1, ph * pw)
    return col.max(axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)


@pytest.mark.parametrize(
    "h,pool,stride,pad", [(4, 2, 2, 1), (5, 3, 2, 1), (6, 2, 4, 1), (8, 3, 3, 1), (7, 2, 2, 0)]
)
def test_reference_pooling_raises_exactly_when_padding_adds_windows(h, pool, stride, pad):
    """The page's claim about the reference: a ValueError for every batch size and channel count
    whenever padding adds windows; otherwise it runs, and its zero padding enters the maximum."""
    adds = out(h, pool, stride, pad) != int(1 + (h - pool) / stride)
    for n in range(1, 9):
        for c in range(1, 9):
            x = -1 - np.random.default_rng(n * 10 + c).random((n, c, h, h))
            if adds:
                with pytest.raises(ValueError):
                    reference_pooling(x, pool, pool, stride, pad)
            else:
                got = reference_pooling(x, pool, pool, stride, pad)
                assert (np.count_nonzero(got == 0) > 0) == (pad > 0)  # all inputs are negative


def test_page_shows_the_sequential_source():
    page = (HTML_DIR / f"{PAGE}.html").read_text(encoding="utf-8")
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))  # the text, without highlighting tags
    assert "dout = self.last_layer.backward(1.0)" in shown
    assert "for layer in reversed(self.layers):" in shown
