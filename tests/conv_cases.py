"""Hypothesis strategies shared by the test modules of the convolution layers."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

seeds = st.integers(0, 2**32 - 1)


@st.composite
def conv_layer_cases(
    draw, *, max_batch: int, max_filters: int, max_kernel: int, max_dilation: int, max_side: int
):
    """x (N, C, H, W), w (F, C, KH, KW), b or None, and (stride, padding, dilation) pairs.

    The input is large enough for at least one output position once padded; each ``max_*``
    bounds one size (small bounds keep slow references, such as a brute-force loop, fast).
    """
    n, c = draw(st.integers(1, max_batch)), draw(st.integers(1, 3))
    f = draw(st.integers(1, max_filters))
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, max_dilation)), draw(st.integers(1, max_dilation)))
    size = []
    for axis in range(2):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        size.append(draw(st.integers(max(1, span - 2 * padding[axis]), max_side)))
    rng = np.random.default_rng(draw(seeds))
    x = rng.standard_normal((n, c, *size))
    w = rng.standard_normal((f, c, *kernel))
    b = rng.standard_normal(f) if draw(st.booleans()) else None
    return x, w, b, stride, padding, dilation
