"""What a layer costs and sees: parameter counts, operation counts and the receptive field.

Counting arithmetic for the pages on sparse interactions, parameter sharing and the variants of
convolution (Goodfellow et al. 2016, §9.2 and §9.5). Nothing here computes a convolution;
the names stay importable from :mod:`cnnbook.conv`, where the book first used them. (What the two
routes of :func:`cnnbook.conv.convolve` cost in seconds is the operation's own business:
:func:`cnnbook.conv.route_seconds`.)
"""

from __future__ import annotations

from collections.abc import Sequence

from cnnbook._validate import check_int, check_int_sequence, check_pair

__all__ = [
    "conv_param_count",
    "dense_interaction_cost",
    "dense_param_count",
    "edge_detection_counts",
    "image_map_param_count",
    "locally_connected_param_count",
    "receptive_field",
    "sparse_interaction_cost",
    "tiled_param_count",
]


def dense_param_count(in_size: int, out_size: int, *, bias: bool = False) -> int:
    """Parameters of a fully connected layer: ``in_size * out_size`` (+ ``out_size`` biases).

    Parameters
    ----------
    in_size, out_size : int
        Numbers of input and output units (for images, C·H·W and F·OH·OW), at least 1.
    bias : bool, optional
        Count one bias per output unit.

    Returns
    -------
    int
        The number of parameters (one weight per input-output pair).

    Raises
    ------
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> dense_param_count(3 * 32 * 32, 16 * 30 * 30)
    44236800
    """
    in_size = check_int(in_size, "in_size", 1)
    out_size = check_int(out_size, "out_size", 1)
    return in_size * out_size + (out_size if bias else 0)


def conv_param_count(
    in_channels: int, out_channels: int, kernel_size: int | tuple[int, int], *, bias: bool = False
) -> int:
    """Parameters of a convolutional layer: ``F * C * KH * KW`` (+ ``F`` biases).

    Independent of the image size: the same kernels are used at every position.

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``F``, at least 1.
    kernel_size : int or (int, int)
        ``KH`` and ``KW`` (an int for a square kernel).
    bias : bool, optional
        Count one bias per output channel.

    Returns
    -------
    int
        The number of parameters.

    Raises
    ------
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> conv_param_count(3, 16, 3)
    432
    """
    c = check_int(in_channels, "in_channels", 1)
    f = check_int(out_channels, "out_channels", 1)
    kh, kw = check_pair(kernel_size, "kernel_size", 1)
    return f * c * kh * kw + (f if bias else 0)


def locally_connected_param_count(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    output_size: int | tuple[int, int],
    *,
    bias: bool = False,
) -> int:
    """Parameters of a locally connected layer: ``OH * OW * F * C * KH * KW`` (+ ``OH*OW*F``).

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``F``, at least 1.
    kernel_size : int or (int, int)
        ``KH`` and ``KW``.
    output_size : int or (int, int)
        ``OH`` and ``OW``: every output position has its own kernels.
    bias : bool, optional
        Count one bias per output unit (shape (OH, OW, F) in
        :func:`~cnnbook.conv.locally_connected2d`).

    Returns
    -------
    int
        The number of parameters.

    Raises
    ------
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> locally_connected_param_count(3, 16, 3, 30)
    388800
    """
    oh, ow = check_pair(output_size, "output_size", 1)
    return oh * ow * conv_param_count(in_channels, out_channels, kernel_size, bias=bias)


def tiled_param_count(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    tile_size: int | tuple[int, int],
    *,
    bias: bool = False,
) -> int:
    """Parameters of a tiled convolution: ``TH * TW * F * C * KH * KW`` (+ ``TH*TW*F``).

    Parameters
    ----------
    in_channels, out_channels : int
        ``C`` and ``F``, at least 1.
    kernel_size : int or (int, int)
        ``KH`` and ``KW``.
    tile_size : int or (int, int)
        ``TH`` and ``TW``: the number of kernel sets cycled over the output.
    bias : bool, optional
        Count one bias per filter and tile position (shape (TH, TW, F) in
        :func:`~cnnbook.conv.tiled_conv2d`).

    Returns
    -------
    int
        The number of parameters (for tiles no larger than the output).

    Raises
    ------
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> tiled_param_count(3, 16, 3, 2)
    1728
    """
    th, tw = check_pair(tile_size, "tile_size", 1)
    return th * tw * conv_param_count(in_channels, out_channels, kernel_size, bias=bias)


def image_map_param_count(
    height: int,
    width: int,
    *,
    shared: bool = False,
    locality: int | None = None,
    in_channels: int = 1,
    out_channels: int = 1,
) -> int:
    """Free weights of a linear map from an H×W image to an H×W map, under two constraints.

    The most general such layer is a dense one, ``s[f, i, j] = sum_{c, k, l} M[f, c, i, j, k, l]
    x[c, k, l]``, with one weight per output unit ``(f, i, j)`` and input pixel ``(c, k, l)``
    (Zhang et al., *Dive into Deep Learning*, §7.1). Two assumptions tie or remove weights:

    * ``shared`` (translation equivariance): ``M`` depends on ``(i, j)`` and ``(k, l)`` only
      through the offset ``(k - i, l - j)``, so one weight serves every pair at that offset;
    * ``locality = Δ``: ``M`` is zero unless ``|k - i| <= Δ`` and ``|l - j| <= Δ``.

    Both constraints act on each axis separately, so the count is a product of one factor per
    axis of length ``n`` (with ``D = min(Δ, n - 1)``, and ``D = n - 1`` without locality):
    ``n * n`` pairs for a dense axis, ``n (2D + 1) - D (D + 1)`` pairs within reach for a local
    one, ``2n - 1`` offsets for a shared one and ``2D + 1`` for a shared, local one (a
    convolution with a (2Δ+1)×(2Δ+1) kernel and Δ zeros of padding per side). Channels are never
    shared: the count is multiplied by ``in_channels * out_channels``.

    Parameters
    ----------
    height, width : int
        Image size ``H``, ``W`` (the output has the same size), at least 1.
    shared : bool, optional
        Impose translation equivariance (weight sharing).
    locality : int or None, optional
        The reach Δ (at least 0); None for no locality constraint.
    in_channels, out_channels : int, optional
        ``C`` and ``F``, at least 1.

    Returns
    -------
    int
        The number of free weights (biases not counted).

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``locality`` is negative.

    Examples
    --------
    >>> image_map_param_count(28, 28)  # dense: 784 * 784
    614656
    >>> image_map_param_count(28, 28, shared=True)  # one weight per offset: 55 * 55
    3025
    >>> image_map_param_count(28, 28, shared=True, locality=1)  # a 3x3 kernel
    9
    """
    sizes = (check_int(height, "height", 1), check_int(width, "width", 1))
    reach = None if locality is None else check_int(locality, "locality", 0)
    count = check_int(in_channels, "in_channels", 1) * check_int(out_channels, "out_channels", 1)
    for n in sizes:
        d = n - 1 if reach is None else min(reach, n - 1)
        count *= 2 * d + 1 if shared else n * (2 * d + 1) - d * (d + 1)
    return count


def edge_detection_counts(height: int = 280, width: int = 320, kernel_width: int = 2) -> dict:
    """Storage and work of a horizontal edge detector, as in Goodfellow et al. (2016, §9.2).

    The kernel ``[-1, 1]`` (length ``k = kernel_width``) slides along each row of a
    ``height × width`` image ("valid" mode), giving ``height × (width - k + 1)`` outputs. Each
    output costs ``k`` multiplications and ``k - 1`` additions. The same linear map written as a
    dense matrix has one entry per (input pixel, output pixel) pair; as a sparse matrix, only the
    ``k`` nonzero entries of each row are stored.

    Parameters
    ----------
    height, width : int, optional
        Image size in pixels (rows, columns); the book's example is 280 × 320.
    kernel_width : int, optional
        Length of the row kernel (2 for ``[-1, 1]``); at most ``width``.

    Returns
    -------
    dict
        ``"output_shape"`` (rows, cols); ``"kernel_entries"`` (k);
        ``"conv_flops"`` = outputs · (2k − 1); ``"dense_matrix_entries"`` = inputs · outputs;
        ``"dense_flops"`` = outputs · (2 · inputs − 1) for the matrix-vector product;
        ``"sparse_matrix_entries"`` = k · outputs.

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``kernel_width > width``.

    Examples
    --------
    >>> c = edge_detection_counts()
    >>> c["output_shape"], c["dense_matrix_entries"], c["conv_flops"], c["sparse_matrix_entries"]
    ((280, 319), 8003072000, 267960, 178640)
    """
    height = check_int(height, "height", 1)
    width = check_int(width, "width", 1)
    k = check_int(kernel_width, "kernel_width", 1)
    if k > width:
        raise ValueError(f"kernel_width must be at most width = {width}, got {k}")
    out_w = width - k + 1  # "valid" windows of length k along a row of `width` pixels
    n_in, n_out = height * width, height * out_w
    return {
        "output_shape": (height, out_w),
        "kernel_entries": k,
        "conv_flops": n_out * (2 * k - 1),
        "dense_matrix_entries": n_in * n_out,
        "dense_flops": n_out * (2 * n_in - 1),
        "sparse_matrix_entries": k * n_out,
    }


def dense_interaction_cost(m: int, n: int) -> int:
    """Parameters (and multiplications) of a dense layer with ``m`` inputs and ``n`` outputs: m·n.

    Every output interacts with every input, so storage and run time are O(m × n).

    Parameters
    ----------
    m, n : int
        Numbers of inputs and outputs, at least 1.

    Returns
    -------
    int
        ``m * n``.

    Raises
    ------
    ValueError
        If ``m`` or ``n`` is not a positive integer.

    Examples
    --------
    >>> dense_interaction_cost(1000, 1000)
    1000000
    """
    return check_int(m, "m", 1) * check_int(n, "n", 1)


def sparse_interaction_cost(k: int, n: int) -> int:
    """Parameters (and multiplications) when each of ``n`` outputs sees only ``k`` inputs: k·n.

    Sparse interactions make storage and run time O(k × n), with ``k`` often orders of magnitude
    smaller than the number of inputs ``m``.

    Parameters
    ----------
    k : int
        Connections per output (kernel size), at least 1.
    n : int
        Number of outputs, at least 1.

    Returns
    -------
    int
        ``k * n``.

    Raises
    ------
    ValueError
        If ``k`` or ``n`` is not a positive integer.

    Examples
    --------
    >>> sparse_interaction_cost(3, 1000)
    3000
    """
    return check_int(k, "k", 1) * check_int(n, "n", 1)


def receptive_field(
    kernel_sizes: Sequence[int],
    strides: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
) -> list[int]:
    """Receptive-field size (in input samples, along one axis) after each of stacked layers.

    A unit of layer ``l`` sees ``r_l = r_{l-1} + d_l (k_l - 1) J_{l-1}`` inputs, where
    ``J_{l-1} = s_1 s_2 ... s_{l-1}`` is the distance, in input samples, between neighbouring
    units of layer ``l - 1`` and ``r_0 = 1``. With dilation the field has holes; ``r_l`` is its
    span from first to last input sample.

    Parameters
    ----------
    kernel_sizes : sequence of int
        ``k_l`` for each layer, at least 1.
    strides : sequence of int or None, optional
        ``s_l`` for each layer (default all 1).
    dilations : sequence of int or None, optional
        ``d_l`` for each layer (default all 1, contiguous kernels).

    Returns
    -------
    list of int
        ``[r_1, r_2, ...]``, one entry per layer.

    Raises
    ------
    ValueError
        If a size is not a positive integer, or ``strides``/``dilations`` has another length
        than ``kernel_sizes``.

    Examples
    --------
    >>> receptive_field([3, 3, 3])
    [3, 5, 7]
    >>> receptive_field([3, 3], strides=[2, 1])
    [3, 7]
    """
    ks = check_int_sequence(kernel_sizes, "kernel_sizes", 1)
    ss = [1] * len(ks) if strides is None else check_int_sequence(strides, "strides", 1)
    ds = [1] * len(ks) if dilations is None else check_int_sequence(dilations, "dilations", 1)
    for name, values in (("strides", ss), ("dilations", ds)):
        if len(values) != len(ks):
            raise ValueError(f"{name} must have one entry per layer ({len(ks)}), got {len(values)}")
    sizes, r, jump = [], 1, 1
    for k, s, d in zip(ks, ss, ds):
        r += d * (k - 1) * jump
        jump *= s
        sizes.append(r)
    return sizes
