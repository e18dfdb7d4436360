"""Bad input to cnnbook.conv: the right exception type, and a message that names the argument."""

from __future__ import annotations

import numpy as np
import pytest

from cnnbook import conv

x1, w1 = np.ones(5), np.ones(2)
x4, w4 = np.ones((1, 3, 5, 5)), np.ones((2, 3, 2, 2))

CASES = [
    # (description, call, exception, pattern the message must contain)
    (
        "unknown mode",
        lambda: conv.convolve(x1, w1, mode="circular"),
        ValueError,
        "mode must be one of",
    ),
    (
        "mode not a string",
        lambda: conv.correlate(x1, w1, mode=None),
        ValueError,
        "mode must be one of",
    ),
    (
        "fft unknown mode",
        lambda: conv.fft_convolve(x1, w1, mode="VALID"),
        ValueError,
        "mode must be",
    ),
    ("scalar x", lambda: conv.convolve(3.0, w1), ValueError, r"x must be 1-, 2- or 3-dim"),
    (
        "4-D x",
        lambda: conv.correlate(np.ones((2,) * 4), np.ones((1,) * 4)),
        ValueError,
        r"x must be 1-",
    ),
    (
        "ndim mismatch",
        lambda: conv.convolve(np.ones((4, 4)), w1),
        ValueError,
        r"w must have the same number of dimensions as x \(2\), got 1",
    ),
    (
        "kernel larger in valid mode",
        lambda: conv.correlate(np.ones(3), np.ones(4)),
        ValueError,
        r"w \(shape \(4,\)\) must not be larger than x",
    ),
    (
        "kernel larger along one axis",
        lambda: conv.convolve(np.ones((5, 2)), np.ones((2, 3)), "valid"),
        ValueError,
        r"w .* must not be larger than x",
    ),
    ("empty x", lambda: conv.convolve(np.ones(0), w1), ValueError, "x must not be empty"),
    ("empty w", lambda: conv.fft_convolve(x1, np.ones(0)), ValueError, "w must not be empty"),
    (
        "string x",
        lambda: conv.convolve(np.array(["a", "b"]), w1),
        TypeError,
        "x must be a real numeric",
    ),
    (
        "object w",
        lambda: conv.correlate(x1, np.array([1, None], dtype=object)),
        TypeError,
        "w must be a real numeric",
    ),
    ("complex x", lambda: conv.convolve(x1 + 1j, w1), TypeError, "x must be real; complex"),
    (
        "ragged x",
        lambda: conv.convolve([[1, 2], [3]], np.ones((1, 1))),
        ValueError,
        "x must be a rectangular",
    ),
    (
        "conv_matrix n of wrong length",
        lambda: conv.conv_matrix(np.ones((2, 2)), 5),
        ValueError,
        "n must give one size per axis of w",
    ),
    (
        "conv_matrix n not a size",
        lambda: conv.conv_matrix(w1, None),
        ValueError,
        "n must be an integer",
    ),
    (
        "conv_matrix n a 0-d array of a float",
        lambda: conv.conv_matrix(w1, np.array(3.0)),
        ValueError,
        "n must be an integer",
    ),
    (
        "conv_matrix n a 2-d array",
        lambda: conv.conv_matrix(w1, np.ones((1, 1), int)),
        ValueError,
        "n must be a sequence of integers",
    ),
    (
        "conv_matrix too large (1-D)",
        lambda: conv.conv_matrix([1, 2], 10**7),
        ValueError,
        r"n asks for 100000010000000 matrix entries .* more than the limit of 4 GiB",
    ),
    (
        "conv_matrix too large (2-D)",
        lambda: conv.conv_matrix(np.ones((2, 2)), (3000, 3000)),
        ValueError,
        r"n asks for \d+ matrix entries",
    ),
    (
        "conv2d padding too large",
        lambda: conv.conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), padding=10**5),
        ValueError,
        r"padding asks for 40001200009 values in the padded input \(298 GiB\)",
    ),
    (
        "conv2d windows too large",
        lambda: conv.conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), padding=10_000),
        ValueError,
        r"x and w asks for \d+ window entries",
    ),
    (
        "convolve result too large",
        lambda: conv.convolve(np.broadcast_to(1.0, (2000, 2000, 1000)), np.ones((2, 2, 2))),
        ValueError,
        r"x and w asks for \d+ values in the full result",
    ),
    (
        "convolve method unknown",
        lambda: conv.convolve(x1, w1, method="FFT"),
        ValueError,
        "method must be one of 'auto', 'direct', 'fft'",
    ),
    (
        "correlate method not a string",
        lambda: conv.correlate(x1, w1, method=None),
        ValueError,
        "method must be one of",
    ),
    (
        "route_seconds mode",
        lambda: conv.route_seconds((5,), (3,), "wide"),
        ValueError,
        "mode must be one of",
    ),
    (
        "route_seconds lengths",
        lambda: conv.route_seconds((5, 5), (3,)),
        ValueError,
        "x_shape and w_shape must have the same length",
    ),
    (
        "route_seconds x_shape a number",
        lambda: conv.route_seconds(5, (3,)),
        ValueError,
        "x_shape must be a sequence of integers",
    ),
    (
        "route_seconds w_shape 0",
        lambda: conv.route_seconds((5,), (0,)),
        ValueError,
        "w_shape must be >= 1",
    ),
    (
        "route_seconds valid too large",
        lambda: conv.route_seconds((5,), (6,), "valid"),
        ValueError,
        "must fit in x_shape",
    ),
    (
        "timing seed negative",
        lambda: conv.time_direct_vs_fft(8, [3], seed=-1),
        ValueError,
        r"seed must be (an integer )?>= 0",
    ),
    (
        "timing seed a string",
        lambda: conv.time_direct_vs_fft(8, [3], seed="x"),
        TypeError,
        r"seed must be (an integer )?>= 0",
    ),
    (
        "timing seed a float",
        lambda: conv.time_direct_vs_fft(8, [3], seed=1.5),
        TypeError,
        r"seed must be (an integer )?>= 0",
    ),
    ("fft_convolve complex", lambda: conv.fft_convolve(x1 + 1j, w1), TypeError, "x must be real"),
    ("conv_matrix n = 0", lambda: conv.conv_matrix(w1, 0), ValueError, "n must be >= 1"),
    (
        "conv_matrix kernel too large",
        lambda: conv.conv_matrix(np.ones(4), 3, "valid"),
        ValueError,
        "w .* must not be larger than n",
    ),
    (
        "output size: float n",
        lambda: conv.conv_output_size(28.0, 5),
        ValueError,
        "n must be an integer",
    ),
    (
        "output size: bool k",
        lambda: conv.conv_output_size(28, True),
        ValueError,
        "k must be an integer",
    ),
    (
        "output size: stride 0",
        lambda: conv.conv_output_size(28, 5, stride=0),
        ValueError,
        "stride must be >= 1",
    ),
    (
        "output size: negative padding",
        lambda: conv.conv_output_size(28, 5, padding=-1),
        ValueError,
        "padding must be >= 0",
    ),
    (
        "output size: dilation 0",
        lambda: conv.conv_output_size(28, 5, dilation=0),
        ValueError,
        "dilation must be >= 1",
    ),
    (
        "output size: empty output",
        lambda: conv.conv_output_size(4, 3, dilation=2),
        ValueError,
        r"k = 3 with dilation = 2 spans 5 samples, more than the padded input",
    ),
    (
        "conv2d 3-D x",
        lambda: conv.conv2d(np.ones((3, 5, 5)), w4),
        ValueError,
        r"x must have shape \(N, C, H, W\)",
    ),
    (
        "conv2d 3-D w",
        lambda: conv.conv2d(x4, np.ones((3, 2, 2))),
        ValueError,
        r"w must have shape \(F, C, KH, KW\)",
    ),
    (
        "conv2d channel mismatch",
        lambda: conv.conv2d(x4, np.ones((2, 2, 2, 2))),
        ValueError,
        r"w has 2 input channels \(w.shape\[1\]\) but x has 3",
    ),
    (
        "conv2d bias shape",
        lambda: conv.conv2d(x4, w4, b=np.ones(3)),
        ValueError,
        r"b must have shape \(F,\)",
    ),
    ("conv2d stride 0", lambda: conv.conv2d(x4, w4, stride=0), ValueError, "stride must be >= 1"),
    (
        "conv2d stride pair with 0",
        lambda: conv.conv2d(x4, w4, stride=(1, 0)),
        ValueError,
        r"stride\[1\] must be >= 1",
    ),
    (
        "conv2d negative padding",
        lambda: conv.conv2d(x4, w4, padding=-1),
        ValueError,
        "padding must be >= 0",
    ),
    (
        "conv2d stride triple",
        lambda: conv.conv2d(x4, w4, stride=(1, 1, 1)),
        ValueError,
        r"stride must be an integer or a pair",
    ),
    (
        "conv2d float dilation",
        lambda: conv.conv2d(x4, w4, dilation=1.5),
        ValueError,
        "dilation must be an integer",
    ),
    (
        "conv2d kernel too large",
        lambda: conv.conv2d(x4, np.ones((1, 3, 6, 2))),
        ValueError,
        r"w's kernel .* larger than the padded input x",
    ),
    (
        "conv2d empty x",
        lambda: conv.conv2d(np.ones((0, 3, 5, 5)), w4),
        ValueError,
        "x must not be empty",
    ),
    (
        "conv2d string x",
        lambda: conv.conv2d(x4.astype(str), w4),
        TypeError,
        "x must be a real numeric",
    ),
    (
        "locally connected wrong (OH, OW)",
        lambda: conv.locally_connected2d(x4, np.ones((3, 3, 2, 3, 2, 2))),
        ValueError,
        r"w must have \(OH, OW\) = \(4, 4\)",
    ),
    (
        "locally connected bias shape",
        lambda: conv.locally_connected2d(x4, np.ones((4, 4, 2, 3, 2, 2)), b=np.ones((4, 2))),
        ValueError,
        r"b must have shape \(F,\) or \(OH, OW, F\)",
    ),
    (
        "locally connected channels",
        lambda: conv.locally_connected2d(x4, np.ones((4, 4, 2, 1, 2, 2))),
        ValueError,
        r"w has 1 input channels",
    ),
    ("tiled 4-D w", lambda: conv.tiled_conv2d(x4, w4), ValueError, r"w must have shape \(TH, TW"),
    (
        "tiled kernel too large",
        lambda: conv.tiled_conv2d(x4, np.ones((1, 1, 1, 3, 6, 1))),
        ValueError,
        r"w's kernel \(6\) is larger than x \(5\)",
    ),
    (
        "tiled bias shape",
        lambda: conv.tiled_conv2d(x4, np.ones((2, 2, 2, 3, 2, 2)), b=np.ones((3, 3, 2))),
        ValueError,
        r"b must have shape \(F,\) or \(TH, TW, F\)",
    ),
    (
        "receptive field lengths",
        lambda: conv.receptive_field([3, 3], strides=[1]),
        ValueError,
        r"strides must have one entry per layer \(2\), got 1",
    ),
    (
        "receptive field kernel 0",
        lambda: conv.receptive_field([3, 0]),
        ValueError,
        "kernel_sizes must be >= 1",
    ),
    (
        "receptive field not a sequence",
        lambda: conv.receptive_field(3),
        ValueError,
        "kernel_sizes must be a sequence",
    ),
    (
        "edge counts kernel wider than image",
        lambda: conv.edge_detection_counts(4, 3, 4),
        ValueError,
        "kernel_width must be at most width",
    ),
    (
        "conv params kernel 0",
        lambda: conv.conv_param_count(3, 16, (3, 0)),
        ValueError,
        r"kernel_size\[1\] must be >= 1",
    ),
    (
        "dense params float",
        lambda: conv.dense_param_count(10.5, 3),
        ValueError,
        "in_size must be an integer",
    ),
    (
        "tiled params tile 0",
        lambda: conv.tiled_param_count(3, 16, 3, 0),
        ValueError,
        "tile_size must be >= 1",
    ),
    ("sparse cost k 0", lambda: conv.sparse_interaction_cost(0, 10), ValueError, "k must be >= 1"),
    (
        "timing ndim 3",
        lambda: conv.time_direct_vs_fft(8, [3], ndim=3),
        ValueError,
        "ndim must be 1 or 2",
    ),
    (
        "timing repeats 0",
        lambda: conv.time_direct_vs_fft(8, [3], repeats=0),
        ValueError,
        "repeats must be >= 1",
    ),
]


@pytest.mark.parametrize(
    "call, exception, pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_refused_with_a_message_naming_the_argument(call, exception, pattern):
    with pytest.raises(exception, match=pattern):
        call()


def test_inputs_are_not_modified():
    x = np.arange(12.0).reshape(3, 4)
    w = np.array([[1.0, -1.0]])
    x_before, w_before = x.copy(), w.copy()
    for mode in ("full", "valid", "same"):
        conv.convolve(x, w, mode)
        conv.correlate(x, w, mode)
        conv.fft_convolve(x, w, mode)
    conv.conv2d(x[None, None], w[None, None], padding=1)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(w, w_before)
