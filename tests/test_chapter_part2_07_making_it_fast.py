"""Chapter ``part2/07-making-it-fast``: the values it glues into its prose.

The values that "Making it fast" glues into its prose (myst-nb ``glue``) are read back from the
executed notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed by
another route: formulas written out in the test, brute-force loops, or the definition of the
quantity. Build first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import pytest
from bookutils import glued, number

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
