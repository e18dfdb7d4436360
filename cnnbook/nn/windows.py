"""The windows of a convolution: ``im2col``, its adjoint ``col2im``, and a batched variant.

A convolution layer multiplies every ``KH x KW`` window of its input by the same weights. *im2col*
("image to columns") copies each window into one row of a matrix, so that the whole layer becomes
a single matrix product. *col2im* goes back: it adds every row of such a matrix into the window it
came from. Where windows overlap, their contributions add up, so ``col2im(im2col(x))`` is **not**
``x``; col2im is the **adjoint (transpose)** of im2col::

    <im2col(x), y> = <x, col2im(y)>   for every x and y,

which is exactly what the backward pass of a convolution needs.

Two layouts are provided:

* :func:`im2col` / :func:`col2im`: the layout of *Deep Learning from Scratch* (Saito, 2016), one row
  per output position, shape ``(N * OH * OW, C * KH * KW)``; written as a loop over the ``KH * KW``
  kernel offsets, each copying one strided slice of the image.
* :func:`unfold` / :func:`fold`: one matrix per image, shape ``(N, C * KH * KW, OH * OW)``, the
  layout of ``torch.nn.functional.unfold``. It lets a layer compute ``W @ cols`` for the whole
  batch straight into the NCHW layout, without im2col's final transpose. The fast convolution
  kernel (:mod:`cnnbook.nn.fast`) uses it, with an extra row of ones that carries the bias
  through the same product.

Both layouts take the window cells at kernel offset ``(i, j)`` as one strided slice of the padded
image, :func:`offset_slice`, copied by one loop, ``_copy_windows``; both adjoints add those slices
back with one loop, ``_add_windows``.

Padding ``pad`` is the number of zeros added on *each* side; output sizes come from
:func:`cnnbook.conv.conv_output_size` and are integers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from cnnbook._validate import check_int, nchw_array, real_array
from cnnbook.conv import conv_output_size

__all__ = [
    "col2im",
    "first_real_offset",
    "fold",
    "im2col",
    "offset_slice",
    "output_shape",
    "unfold",
]


def output_shape(
    h: int, w: int, kh: int, kw: int, stride: int = 1, pad: int = 0
) -> tuple[int, int]:
    """Output height and width of a ``kh x kw`` window slid over an ``h x w`` image.

    Parameters
    ----------
    h, w : int
        Image height and width.
    kh, kw : int
        Window (kernel) height and width.
    stride : int, optional
        Step between windows (at least 1).
    pad : int, optional
        Zeros added on each side (at least 0).

    Returns
    -------
    tuple of int
        ``(OH, OW)``, computed by :func:`cnnbook.conv.conv_output_size`.

    Raises
    ------
    ValueError
        If an argument is out of range or the window is larger than the padded image.
    TypeError
        If an argument is not an integer.

    Examples
    --------
    >>> output_shape(28, 28, 5, 5)
    (24, 24)
    >>> output_shape(7, 7, 3, 3, stride=2, pad=1)
    (4, 4)
    """
    h, w = check_int(h, "h", 1), check_int(w, "w", 1)
    kh, kw = check_int(kh, "kh", 1), check_int(kw, "kw", 1)
    stride, pad = check_int(stride, "stride", 1), check_int(pad, "pad", 0)
    if kh > h + 2 * pad or kw > w + 2 * pad:
        raise ValueError(
            f"window {kh}x{kw} is larger than the padded input {h + 2 * pad}x{w + 2 * pad} "
            f"(input {h}x{w}, pad={pad})"
        )
    return conv_output_size(h, kh, stride, pad), conv_output_size(w, kw, stride, pad)


def offset_slice(i: int, j: int, oh: int, ow: int, stride: int = 1) -> tuple[slice, ...]:
    """The index of every window's cell at kernel offset ``(i, j)``, as one strided slice.

    For an ``(N, C, H, W)`` array ``xp`` (already padded), ``xp[offset_slice(i, j, oh, ow, s)]``
    has shape ``(N, C, OH, OW)``; its entry ``[n, c, a, b]`` is ``xp[n, c, s*a + i, s*b + j]``,
    the cell ``(i, j)`` of the window under output position ``(a, b)``. Looping over the
    ``KH * KW`` offsets visits every window at once, one kernel cell at a time: that is how
    im2col, col2im and pooling avoid a Python loop over output positions.

    Examples
    --------
    >>> xp = np.arange(25.0).reshape(1, 1, 5, 5)
    >>> xp[offset_slice(1, 0, 2, 2, stride=2)][0, 0]
    array([[ 5.,  7.],
           [15., 17.]])
    """
    return np.s_[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride]


def _pad(x: np.ndarray, pad: int, value: float = 0.0) -> np.ndarray:
    if pad == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=value)


def _image_shape(x_shape: object) -> tuple[int, int, int, int]:
    """Check an ``(N, C, H, W)`` shape given as a sequence of four positive integers."""
    try:
        dims = tuple(x_shape)
    except TypeError:
        raise TypeError(f"x_shape must be a tuple (N, C, H, W), got {x_shape!r}") from None
    if len(dims) != 4:
        raise ValueError(f"x_shape must be (N, C, H, W), got {x_shape!r}")
    return tuple(check_int(s, f"x_shape[{k}]", 1) for k, s in enumerate(dims))


def _copy_windows(img: np.ndarray, out: np.ndarray, stride: int) -> np.ndarray:
    """Copy every window of the padded images ``img`` into ``out``, shape (N, C, KH, KW, OH, OW).

    The loop shared by :func:`im2col` and :func:`unfold`: one strided slice per kernel offset.
    """
    _, _, kh, kw, oh, ow = out.shape
    for i in range(kh):
        for j in range(kw):
            out[:, :, i, j] = img[offset_slice(i, j, oh, ow, stride)]
    return out


def _add_windows(parts: np.ndarray, x_shape: tuple[int, ...], stride: int, pad: int) -> np.ndarray:
    """Add window cells back into images: the loop shared by :func:`col2im` and :func:`fold`.

    ``parts`` has shape ``(N, C, KH, KW, OH, OW)`` (any strides); ``parts[:, :, i, j]`` is added
    into the cells at kernel offset ``(i, j)`` of every window; the padding is cut away.
    """
    n, c, h, w = x_shape
    _, _, kh, kw, oh, ow = parts.shape
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=parts.dtype)
    for i in range(kh):
        for j in range(kw):
            img[offset_slice(i, j, oh, ow, stride)] += parts[:, :, i, j]
    return img[:, :, pad : pad + h, pad : pad + w]


def im2col(x: ArrayLike, kh: int, kw: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Unfold a batch of images into a matrix with one row per window.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        The input images.
    kh, kw : int
        Window height and width.
    stride : int, optional
        Step between windows.
    pad : int, optional
        Zeros added on each side of ``H`` and ``W``.

    Returns
    -------
    numpy.ndarray, shape (N * OH * OW, C * KH * KW)
        Row ``(n * OH + i) * OW + j`` holds the window of image ``n`` under output position
        ``(i, j)``, channels first, then kernel rows, then kernel columns. Same dtype as ``x``.

    Raises
    ------
    ValueError
        If ``x`` is not 4-D or the window does not fit in the padded image.
    TypeError
        If a size is not an integer or ``x`` is not numeric.

    See Also
    --------
    col2im : the adjoint (transpose) of this map.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> im2col(x, 3, 3).shape
    (4, 9)
    >>> im2col(x, 3, 3)[0]
    array([ 0.,  1.,  2.,  4.,  5.,  6.,  8.,  9., 10.])
    """
    x = nchw_array(x, "x")
    n, c, h, w = x.shape
    oh, ow = output_shape(h, w, kh, kw, stride, pad)
    col = _copy_windows(_pad(x, pad), np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype), stride)
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * kh * kw)


def col2im(
    col: ArrayLike,
    x_shape: tuple[int, int, int, int],
    kh: int,
    kw: int,
    stride: int = 1,
    pad: int = 0,
) -> np.ndarray:
    """Fold a window matrix back into images, **adding** overlapping contributions.

    ``col2im`` is the adjoint (transpose) of :func:`im2col`, not its inverse: for every ``x`` and
    ``y`` of matching shapes, ``np.sum(im2col(x, ...) * y) == np.sum(x * col2im(y, x.shape, ...))``.
    A pixel covered by ``m`` windows receives the sum of ``m`` entries, and padding is cut away.

    Parameters
    ----------
    col : array_like, shape (N * OH * OW, C * KH * KW)
        A matrix in the layout produced by :func:`im2col`.
    x_shape : tuple of int
        ``(N, C, H, W)``, the shape of the images to rebuild.
    kh, kw, stride, pad : int
        As for :func:`im2col`.

    Returns
    -------
    numpy.ndarray, shape x_shape
        The folded images, same dtype as ``col``.

    Raises
    ------
    ValueError
        If ``col`` does not have the shape ``im2col`` would produce for ``x_shape``.

    Examples
    --------
    >>> ones = np.ones((4, 9))
    >>> col2im(ones, (1, 1, 4, 4), 3, 3)[0, 0]
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    """
    col = real_array(col, "col")
    n, c, h, w = x_shape = _image_shape(x_shape)
    oh, ow = output_shape(h, w, kh, kw, stride, pad)
    expected = (n * oh * ow, c * kh * kw)
    if col.shape != expected:
        raise ValueError(
            f"col must have shape (N*OH*OW, C*KH*KW) = {expected} for x_shape {tuple(x_shape)}, "
            f"got {col.shape}"
        )
    return _add_windows(
        col.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2), x_shape, stride, pad
    )


def unfold(
    x: ArrayLike,
    kh: int,
    kw: int,
    stride: int = 1,
    pad: int = 0,
    *,
    ones_row: bool = False,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Unfold a batch of images into one window matrix per image (the layout of PyTorch's unfold).

    Column ``p`` of image ``n``'s matrix is the window under output position ``p``, so that
    ``W.reshape(F, -1) @ unfold(x)`` is the layer output already in NCHW order. Same entries as
    :func:`im2col`, arranged differently: ``unfold(x)[n, :, p] == im2col(x)[n * OH * OW + p]``.
    With ``ones_row=True`` a last row of ones is appended: then ``[W | b] @ unfold(x, ...)`` adds
    the bias inside the same matrix product, and the product's transpose gives the bias gradient
    together with the weight gradient. ``out``, if given, is an array of the result's shape and
    dtype that is filled and returned instead of a new one (the fast convolution kernel reuses
    one between calls, which spares the memory allocator a large array per step).

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        The input images.
    kh, kw, stride, pad : int
        As for :func:`im2col`.

    Returns
    -------
    numpy.ndarray, shape (N, C * KH * KW, OH * OW)
        C-contiguous, same dtype as ``x`` (``C * KH * KW + 1`` rows with ``ones_row``).

    Raises
    ------
    ValueError
        If ``x`` is not 4-D or the window does not fit in the padded image.

    See Also
    --------
    fold : the adjoint (transpose) of this map.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> unfold(x, 3, 3).shape
    (1, 9, 4)
    >>> unfold(x, 3, 3)[0, :, 0]
    array([ 0.,  1.,  2.,  4.,  5.,  6.,  8.,  9., 10.])
    >>> unfold(x, 3, 3, ones_row=True)[0, :, 0]
    array([ 0.,  1.,  2.,  4.,  5.,  6.,  8.,  9., 10.,  1.])
    """
    x = nchw_array(x, "x")
    n, c, h, w = x.shape
    oh, ow = output_shape(h, w, kh, kw, stride, pad)
    rows = c * kh * kw
    shape = (n, rows + bool(ones_row), oh * ow)
    if out is None:
        cols = np.empty(shape, dtype=x.dtype)
    elif out.shape != shape or out.dtype != x.dtype or not out.flags.c_contiguous:
        raise ValueError(
            f"out must be a C-contiguous {x.dtype} array of shape {shape}, got "
            f"{out.dtype} {out.shape}"
        )
    else:
        cols = out
    _copy_windows(_pad(x, pad), cols[:, :rows].reshape(n, c, kh, kw, oh, ow), stride)
    if ones_row:
        cols[:, rows] = 1
    return cols


def fold(
    cols: ArrayLike,
    x_shape: tuple[int, int, int, int],
    kh: int,
    kw: int,
    stride: int = 1,
    pad: int = 0,
) -> np.ndarray:
    """Adjoint (transpose) of :func:`unfold`: add every column back into its window.

    Parameters
    ----------
    cols : array_like, shape (N, C * KH * KW, OH * OW)
        Window matrices in the layout produced by :func:`unfold`.
    x_shape : tuple of int
        ``(N, C, H, W)``, the shape of the images to rebuild.
    kh, kw, stride, pad : int
        As for :func:`unfold`.

    Returns
    -------
    numpy.ndarray, shape x_shape
        The folded images (overlaps summed, padding cut away), same dtype as ``cols``.

    Raises
    ------
    ValueError
        If ``cols`` does not have the shape ``unfold`` would produce for ``x_shape``.

    Examples
    --------
    >>> fold(np.ones((1, 9, 4)), (1, 1, 4, 4), 3, 3)[0, 0, 1]
    array([2., 4., 4., 2.])
    """
    cols = real_array(cols, "cols")
    n, c, h, w = x_shape = _image_shape(x_shape)
    oh, ow = output_shape(h, w, kh, kw, stride, pad)
    expected = (n, c * kh * kw, oh * ow)
    if cols.shape != expected:
        raise ValueError(
            f"cols must have shape (N, C*KH*KW, OH*OW) = {expected} for x_shape "
            f"{tuple(x_shape)}, got {cols.shape}"
        )
    return _add_windows(cols.reshape(n, c, kh, kw, oh, ow), x_shape, stride, pad)


def first_real_offset(
    h: int, w: int, kh: int, kw: int, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """For each window, the offset number ``i * kw + j`` of its first cell inside the image.

    With padding, a window at the border starts in the padding; max pooling sends the gradient of
    a window whose real cells are all ``-inf`` to this cell (as PyTorch does), never into the
    padding, where it would be lost.

    Returns
    -------
    numpy.ndarray, shape (OH, OW)
        Integer offsets in ``[0, kh * kw)``.

    Examples
    --------
    >>> first_real_offset(4, 4, 2, 2, stride=2, pad=1)
    array([[3, 2, 2],
           [1, 0, 0],
           [1, 0, 0]])
    """
    oh, ow = output_shape(h, w, kh, kw, stride, pad)
    row = np.maximum(pad - stride * np.arange(oh), 0)  # first kernel row inside the image
    col = np.maximum(pad - stride * np.arange(ow), 0)
    return row[:, None] * kw + col[None, :]
