"""Chapter ``part2/07-making-it-fast``: the values it glues into its prose.

The values that "Making it fast" glues into its prose (myst-nb ``glue``) are read back from the
executed notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed by
another route: formulas written out in the test, brute-force loops, or the definition of the
quantity. A ratio of two timings is glued as the median of the per-round ratios, which the medians
of the two timings do not determine; the tests check such a ratio against the claim it backs, not
against the glued medians, and compare no two timings that a loaded machine could swap. Build
first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import pytest
from bookutils import glued, number, text

pytestmark = pytest.mark.book


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
    assert number(g, "p2fast_pool_ratio") > 0
    assert number(g, "p2fast_cpus") >= 1
    assert number(g, "p2fast_fmap_mb") == pytest.approx(100 * 30 * 24 * 24 * 4 / 1e6)
    for when in ("before", "after"):
        assert 0 < number(g, f"p2fast_block_share_{when}") < 1
    # pooling before ReLU saves time ("saved X% of the gradient computation")
    order_ratio = number(g, "p2fast_order_ratio")
    assert 0 < order_ratio < 1
    assert number(g, "p2fast_order_saving") == pytest.approx(1 - order_ratio)
    # "as much arithmetic": 30 kernels of 5 x 5 at 100 x 24 x 24 outputs; 100 x 4320 x 100
    assert number(g, "p2fast_conv_madds") == 30 * 5 * 5 * 100 * 24 * 24
    assert number(g, "p2fast_affine_madds") == 100 * (30 * 12 * 12) * 100
    assert number(g, "p2fast_conv_madds") == number(g, "p2fast_affine_madds")
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


def test_making_it_fast_conv_pool_layout():
    g = glued("part2/07-making-it-fast")
    n, f, c, kh, kw, k = 100, 30, 1, 5, 5, 2
    qh = qw = (28 - kh + 1) // k  # pooled maps: 12 x 12
    # a strided slice of the (N, F, 24, 24) maps: rows of 12 numbers, N * F * 12 rows
    assert number(g, "p2fast_cp_strided_run") == qw
    assert number(g, "p2fast_cp_block_run") == n * qh * qw  # one block per kernel and offset
    assert number(g, "p2fast_cp_rows") == f
    assert text(g, "p2fast_cp_cols_shape") == str((c * kh * kw + 1, k * k * n * qh * qw))
    assert text(g, "p2fast_cp_product_shape") == str((f, k * k, n, qh, qw))
    # the (kernel offset, pooling offset) pairs and the distinct input slices they read
    assert number(g, "p2fast_cp_pairs") == kh * kw * k * k
    rows = {u + i for u in range(k) for i in range(kh)}
    assert number(g, "p2fast_cp_phases") == len(rows) ** 2 == 36
    # the window matrix copies one number per kernel offset and convolution output, as section 3's
    assert number(g, "p2fast_cp_window_entries") == n * c * kh * kw * (2 * qh) * (2 * qw)
    assert number(g, "p2fast_cp_phase_entries") == 36 * n * c * qh * qw
    # blocks of columns: the largest divisor of the column count whose product (30 x 26 by 26 x
    # block) stays within OpenBLAS's small-matrix limit of 100**3 multiply-adds
    m, kk, p = f, c * kh * kw + 1, k * k * n * qh * qw
    assert (number(g, "p2fast_cp_rows"), number(g, "p2fast_cp_cols_rows")) == (m, kk)
    assert number(g, "p2fast_cp_n_cols") == p
    limit = 10**6 // (m * kk)
    expected = max(d for d in range(1, limit + 1) if p % d == 0)
    assert expected == 1280
    block = number(g, "p2fast_cp_column_block")
    assert block == expected
    assert number(g, "p2fast_cp_n_blocks") * block == p
    assert number(g, "p2fast_cp_block_madds") == m * kk * block <= 100**3
    # the backward product runs in blocks: its result, [dW | db], is small enough for OpenBLAS to
    # take its transposed operand on the small-matrix path (at most 1200 entries)
    assert number(g, "p2fast_cp_transposed_limit") == 1200
    assert number(g, "p2fast_cp_dw_entries") == m * kk <= 1200
    # NumPy's buffer for operands it must copy, and the small one of the experiment
    assert number(g, "p2fast_cp_bufsize") == 8192
    assert number(g, "p2fast_cp_refills") == 8192 // number(g, "p2fast_cp_small_buffer")
    # the small buffer slows what goes through the buffer, not what is read in place
    assert number(g, "p2fast_cp_buffer_strided") > 2
    assert number(g, "p2fast_cp_buffer_short") > 1.5
    assert number(g, "p2fast_cp_buffer_blocks") < 1.5
    assert number(g, "p2fast_cp_buffer_long_strided") < 1.5
    routines = text(g, "p2fast_cp_routines_sentence")
    assert routines.startswith("This build ran") and "/" not in routines
    # what the page says of the blocks, for the routines the build ran
    ratios = [number(g, f"p2fast_cp_{key}_ratio") for key in ("fw", "bw")]
    if "SkylakeX routines" in routines:
        assert ratios[0] < 0.85 and ratios[1] < 0.7
    if "Haswell routines" in routines:
        assert all(0.95 <= r < 1.5 for r in ratios)
    # ConvPool takes less time than the two layers in turn ("X% less")
    cp_ratio = number(g, "p2fast_cp_fused_ratio")
    assert 0 < cp_ratio < 1
    assert number(g, "p2fast_cp_fused_saving") == pytest.approx(1 - cp_ratio)
    assert number(g, "p2fast_cp_layout_ratio") > 1.3
    # only the long contiguous runs are fast
    fastest = number(g, "p2fast_cp_max_blocks")
    for name in ("max_strided", "max_short", "max_long_strided"):
        assert number(g, f"p2fast_cp_{name}") > fastest, name
    names = ("fw_blocks", "fw_single", "bw_blocks", "bw_single", "two_layers", "fused")
    for name in (*names, "max_strided", "max_blocks", "max_short", "max_long_strided"):
        assert number(g, f"p2fast_cp_{name}") > 0, name


def test_making_it_fast_blas_and_record():
    g = glued("part2/07-making-it-fast")
    # the matrix products alone take a large share of a step, and less than the whole step
    assert 0.3 < number(g, "p2fast_mm_share") < 1
    sentence = text(g, "p2fast_blas_sentence")
    assert sentence.startswith("This page was built with") and "/" not in sentence  # no paths
    # the record: the goals met with OpenBLAS's own kernels, not with forced AVX2 ones
    assert number(g, "p2fast_rec_step_own") <= 0.5 < number(g, "p2fast_rec_step_forced") < 1
    assert number(g, "p2fast_rec_conv_own") <= 1.0 < number(g, "p2fast_rec_conv_forced")
    for key in ("own", "forced"):
        assert number(g, f"p2fast_rec_step_{key}") == pytest.approx(
            number(g, f"p2fast_rec_paired_{key}"), abs=0.02
        )
        assert 0 < number(g, f"p2fast_rec_eval_{key}") < 1
    assert number(g, "p2fast_rec_kernel_gain") > 1
    # the record's machine was shared: one-minute load averages above 0, below its 2 vCPUs
    for key in ("own", "forced"):
        assert 0 < number(g, f"p2fast_rec_load_{key}") < 2
    assert number(g, "p2fast_bench_block") >= 1
    build = text(g, "p2fast_build_coretype_sentence")
    assert build.startswith(("The machine that built this page", "This build ran without"))
    assert "/" not in build
