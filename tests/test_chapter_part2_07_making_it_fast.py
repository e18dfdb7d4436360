"""Chapter ``part2/07-making-it-fast``: the values it glues into its prose.

The values that "Making it fast" glues into its prose (myst-nb ``glue``) are read back from the
executed notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed by
another route: formulas written out in the test, brute-force loops, or the definition of the
quantity. Build first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).
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


def test_making_it_fast_conv_pool_layout():
    g = glued("part2/07-making-it-fast")
    n, f, c, kh, kw, k = 100, 30, 1, 5, 5, 2
    qh = qw = (28 - kh + 1) // k  # pooled maps: 12 x 12
    # a strided slice of the (N, F, 24, 24) maps: rows of 12 numbers, N * F * 12 rows
    assert number(g, "p2fast_cp_strided_run") == qw
    assert number(g, "p2fast_cp_strided_loops") == n * f * qh
    assert number(g, "p2fast_cp_block_run") == n * qh * qw  # one block per kernel and offset
    assert number(g, "p2fast_cp_rows") == f
    assert text(g, "p2fast_cp_cols_shape") == str((c * kh * kw + 1, k * k * n * qh * qw))
    assert text(g, "p2fast_cp_product_shape") == str((f, k * k, n, qh, qw))
    # the (kernel offset, pooling offset) pairs and the distinct input slices they read
    assert number(g, "p2fast_cp_pairs") == kh * kw * k * k
    rows = {u + i for u in range(k) for i in range(kh)}
    assert number(g, "p2fast_cp_phases") == len(rows) ** 2 == 36
    block = number(g, "p2fast_cp_column_block")
    assert number(g, "p2fast_cp_n_blocks") * block == k * k * n * qh * qw
    assert number(g, "p2fast_cp_block_kb") == pytest.approx((c * kh * kw + 1) * block * 4 / 1e3)
    assert number(g, "p2fast_cp_layout_ratio") == pytest.approx(
        number(g, "p2fast_cp_max_strided") / number(g, "p2fast_cp_max_blocks")
    )
    assert number(g, "p2fast_cp_layout_ratio") > 1.5
    for name in ("mm_whole", "mm_blocks", "two_layers", "fused", "max_strided", "max_blocks"):
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
