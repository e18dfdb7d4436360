"""The fast kernels behind the layers :class:`~cnnbook.nn.layers.Convolution` and
:class:`~cnnbook.nn.layers.Pooling`.

The layers in :mod:`cnnbook.nn.layers` are written like the reference code of *Deep Learning from
Scratch*: every window is copied into a matrix by :func:`~cnnbook.nn.windows.im2col`, and the
backward pass adds the pieces back with :func:`~cnnbook.nn.windows.col2im`. That is the readable
route, and the layers keep it (``fast=False``). The functions here compute the same numbers with
less memory traffic, and a layer created with ``fast=True`` (the default) calls them instead:

* :func:`conv_forward` unfolds the input once into one window matrix *per image*
  (:func:`~cnnbook.nn.windows.unfold`), with a row of ones appended, and multiplies
  ``[W | b] @ cols`` image by image: the bias is added inside the product, and the result lands
  straight in NCHW order (no transposed copy of the output, no separate pass for the bias);
  :func:`conv_backward` reuses those columns, so that one product gives ``dW`` and ``db``
  together, and skips the input gradient when nobody needs it (a network's first layer);
* :func:`pool_forward` visits the ``pool_h * pool_w`` offsets of the window and combines strided
  slices of the input (:func:`~cnnbook.nn.windows.offset_slice`) with elementwise maximum or sum:
  a handful of passes over the data instead of a window matrix as large as the input, and
  :func:`pool_backward` writes each offset's share of the gradient straight into its slice.

Each kernel is tested equal to the textbook route, forward and backward, for every stride and
padding (``tests/test_nn_fast_paths.py``).
"""

from __future__ import annotations

import numpy as np

from cnnbook.nn.windows import first_real_offset, fold, offset_slice, output_shape, unfold

__all__ = ["conv_backward", "conv_forward", "pool_backward", "pool_forward"]


def conv_forward(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    stride: int,
    pad: int,
    cols: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Convolution layer output and the window columns that the backward pass needs.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C, H, W)
        Checked input.
    W : numpy.ndarray, shape (F, C, KH, KW)
        Kernels.
    b : numpy.ndarray, shape (F,)
        Biases.
    stride, pad : int
        As for the layer.
    cols : numpy.ndarray, optional
        The columns of the previous call, reused (overwritten) when their shape and dtype fit: the
        layer passes them back, so that a training step does not allocate a new window matrix.

    Returns
    -------
    out : numpy.ndarray, shape (N, F, OH, OW)
        ``W @ unfold(x)[n] + b`` for every image ``n``.
    cols : numpy.ndarray, shape (N, C*KH*KW + 1, OH*OW)
        The unfolded input, with the row of ones.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> out, cols = conv_forward(x, np.ones((1, 1, 3, 3)), np.zeros(1), 1, 0)
    >>> out[0, 0]
    array([[45., 54.],
           [81., 90.]])
    """
    f, _, kh, kw = W.shape
    n, _, h, w = x.shape
    oh, ow = output_shape(h, w, kh, kw, stride, pad)
    shape = (n, W[0].size + 1, oh * ow)
    reuse = cols is not None and cols.shape == shape and cols.dtype == x.dtype
    cols = unfold(x, kh, kw, stride, pad, ones_row=True, out=cols if reuse else None)
    w_ext = np.concatenate([W.reshape(f, -1), b[:, None]], axis=1)  # [W | b]
    out = np.matmul(w_ext, cols)  # (N, F, OH*OW): already NCHW, bias included
    return out.reshape(n, f, oh, ow), cols


def conv_backward(
    dout: np.ndarray,
    cols: np.ndarray,
    W: np.ndarray,
    x_shape: tuple[int, int, int, int],
    stride: int,
    pad: int,
    need_input_grad: bool = True,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of a convolution layer from the columns kept by :func:`conv_forward`.

    Returns
    -------
    dx : numpy.ndarray or None
        Gradient with respect to the input, ``fold(W^T @ dout)``; ``None`` unless
        ``need_input_grad``.
    dW, db : numpy.ndarray
        Gradients with respect to the kernels and biases.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> out, cols = conv_forward(x, np.ones((1, 1, 3, 3)), np.zeros(1), 1, 0)
    >>> dx, dW, db = conv_backward(np.ones_like(out), cols, np.ones((1, 1, 3, 3)), x.shape, 1, 0)
    >>> dx[0, 0, 0], db
    (array([1., 2., 2., 1.]), array([4.]))
    """
    f, _, kh, kw = W.shape
    dout = dout.reshape(dout.shape[0], f, -1)  # (N, F, OH*OW)
    dw_ext = np.matmul(dout, cols.transpose(0, 2, 1)).sum(axis=0)  # (F, C*KH*KW + 1)
    dW, db = dw_ext[:, :-1].reshape(W.shape), dw_ext[:, -1].copy()
    if not need_input_grad:
        return None, dW, db
    return fold(np.matmul(W.reshape(f, -1).T, dout), x_shape, kh, kw, stride, pad), dW, db


def pool_forward(
    x: np.ndarray, pool_h: int, pool_w: int, stride: int, pad: int, mode: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """Max or average pooling by strided slices; for max, also the winning offset per window.

    Max pooling pads with ``-inf``. The winner of a window is its first maximum in row-major
    order, a NaN if the window holds one (NaN propagates, as in PyTorch), and the first *real*
    cell if every real cell is ``-inf`` (padding never receives a gradient).

    Returns
    -------
    out : numpy.ndarray, shape (N, C, OH, OW)
        The pooled maps.
    arg : numpy.ndarray or None
        For ``mode="max"``, the offset number ``i * pool_w + j`` of each window's winner.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> out, arg = pool_forward(x, 2, 2, 2, 0, "max")
    >>> out[0, 0], arg[0, 0]
    (array([[ 5.,  7.],
           [13., 15.]]), array([[3, 3],
           [3, 3]], dtype=uint8))
    """
    h, w = x.shape[2:]
    oh, ow = output_shape(h, w, pool_h, pool_w, stride, pad)
    fill = -np.inf if mode == "max" else 0.0
    xp = (
        x if pad == 0 else np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=fill)
    )
    slices = [offset_slice(i, j, oh, ow, stride) for i in range(pool_h) for j in range(pool_w)]
    out = xp[slices[0]].copy()
    if mode == "avg":
        for sl in slices[1:]:
            out += xp[sl]
        out *= 1.0 / len(slices)
        return out, None
    arg = np.zeros(out.shape, dtype=np.min_scalar_type(len(slices) - 1))
    for k, sl in enumerate(slices[1:], start=1):
        better = xp[sl] > out  # strict: a later tie does not displace the first max
        np.maximum(out, xp[sl], out=out)
        # k grows with each offset, so the maximum keeps the latest improvement
        np.maximum(arg, better * arg.dtype.type(k), out=arg)
    if np.isnan(out).any():  # the winner is the window's first NaN
        for k in reversed(range(len(slices))):
            np.copyto(arg, k, where=np.isnan(xp[slices[k]]))
    if pad > 0 and np.isneginf(out).any():  # no real cell above -inf: the first real cell wins
        first = first_real_offset(h, w, pool_h, pool_w, stride, pad)
        np.copyto(arg, np.broadcast_to(first, arg.shape).astype(arg.dtype), where=np.isneginf(out))
    return out, arg


def pool_backward(
    dout: np.ndarray,
    arg: np.ndarray | None,
    x_shape: tuple[int, int, int, int],
    pool_h: int,
    pool_w: int,
    stride: int,
    pad: int,
) -> np.ndarray:
    """Gradient of pooling with respect to its input, shape ``x_shape``.

    Average pooling (``arg=None``) gives each cell of a window an equal share; max pooling sends a
    window's gradient to the cell numbered ``arg``. Overlapping windows (stride smaller than the
    window) add their shares.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> out, arg = pool_forward(x, 2, 2, 2, 0, "max")
    >>> pool_backward(np.ones_like(out), arg, x.shape, 2, 2, 2, 0)[0, 0]
    array([[0., 0., 0., 0.],
           [0., 1., 0., 1.],
           [0., 0., 0., 0.],
           [0., 1., 0., 1.]])
    """
    n, c, h, w = x_shape
    _, _, oh, ow = dout.shape
    padded = (n, c, h + 2 * pad, w + 2 * pad)
    overlap = stride < max(pool_h, pool_w)
    # Without overlap each input cell is written at most once; when the windows tile the padded
    # input exactly, every cell is written, and the array need not be zeroed first.
    tiled = stride == pool_h == pool_w and (oh * stride, ow * stride) == padded[2:]
    dxp = (np.empty if tiled else np.zeros)(padded, dtype=dout.dtype)
    share = dout * (1.0 / (pool_h * pool_w)) if arg is None else None
    for k in range(pool_h * pool_w):
        sl = offset_slice(k // pool_w, k % pool_w, oh, ow, stride)
        if arg is None:
            part = share
        elif overlap:
            part = dout * (arg == k)
        else:  # straight into the slice, no temporary
            np.multiply(dout, arg == k, out=dxp[sl])
            continue
        if overlap:
            dxp[sl] += part
        else:
            dxp[sl] = part
    return dxp[:, :, pad : pad + h, pad : pad + w]
