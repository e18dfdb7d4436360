"""The fast kernels behind the layers :class:`~cnnbook.nn.layers.Convolution`,
:class:`~cnnbook.nn.layers.Pooling` and :class:`~cnnbook.nn.layers.ConvPool`.

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
  :func:`pool_backward` writes each offset's share of the gradient straight into its slice;
* :func:`conv_pool_forward` and :func:`conv_pool_backward` serve the layer
  :class:`~cnnbook.nn.layers.ConvPool`, a convolution followed by pooling with windows that tile
  the maps: the window matrix orders its columns as the pooling reads them, so that the pooling
  works on contiguous blocks of the product instead of strided slices of an image.

Each kernel is tested equal to the textbook route, forward and backward, for every stride and
padding (``tests/test_nn_fast_paths.py``, ``tests/test_nn_convpool.py``).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnbook.nn.windows import first_real_offset, fold, offset_slice, output_shape, unfold

__all__ = [
    "MIN_BLOCK",
    "SMALL_PRODUCT",
    "SMALL_TRANSPOSED_RESULT",
    "column_block",
    "conv_backward",
    "conv_forward",
    "conv_pool_backward",
    "conv_pool_forward",
    "pool_backward",
    "pool_forward",
]


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


#: The size up to which OpenBLAS's AVX-512 routines (its ``SkylakeX`` set) multiply two float32
#: matrices by a "small matrix" path that works on the operands in place, without first copying
#: them into packed panels: ``M * N * K <= 100**3`` multiply-adds (OpenBLAS,
#: ``kernel/x86_64/sgemm_small_kernel_permit_skylakex.c``). :func:`conv_pool_forward` and
#: :func:`conv_pool_backward` cut their products into blocks of columns that stay below it
#: (:func:`column_block`). On the book's machine, for the first layer, the blocks took about 0.65
#: of one product's time in the forward pass and about 0.5 in the backward pass with those
#: routines. OpenBLAS's AVX2 routines (``Haswell``) have no such path: there the blocks cost a
#: little, about 5 to 15 per cent more than one product.
SMALL_PRODUCT = 100**3

#: The fewest columns worth a product of their own: below it, one product over all columns.
MIN_BLOCK = 64

#: The most entries of the result for which OpenBLAS's small-matrix path takes a product whose
#: first operand reaches it transposed, as the weight gradient's ``dconv @ cols.T`` does (the same
#: file of OpenBLAS: ``M * N > 1200`` or ``K < 32`` refuses it). :func:`conv_pool_backward`
#: computes that product in blocks only below this size.
SMALL_TRANSPOSED_RESULT = 1200


def column_block(p: int, m: int, k: int) -> int:
    """Columns per product when an ``(m, k)`` matrix multiplies a ``(k, p)`` one in blocks.

    The largest divisor of ``p`` whose product ``m * k * block`` stays within
    :data:`SMALL_PRODUCT`, or ``p`` (one product) if that divisor is below :data:`MIN_BLOCK`.

    Examples
    --------
    >>> column_block(57600, 30, 26)  # the first layer: [W | b] is 30 x 26
    1280
    >>> column_block(57600, 64, 801)  # 64 kernels of 32 x 5 x 5: too large for the small path
    57600
    """
    limit = SMALL_PRODUCT // max(m * k, 1)
    block = next((d for d in range(min(p, limit), 0, -1) if p % d == 0), 1)
    return block if block >= min(p, MIN_BLOCK) else p


def _scratch(store: dict | None, key: str, shape: tuple[int, ...], dtype) -> np.ndarray:
    """``store[key]`` if it has this shape and dtype, else a new array (kept in ``store``)."""
    buf = None if store is None else store.get(key)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = np.empty(shape, dtype=dtype)
        if store is not None:
            store[key] = buf
    return buf


def _block_matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b`` for a ``b`` with many columns, a block of columns at a time (:func:`column_block`).

    With ``out`` given, the product is written into it (shape ``(a.shape[0], b.shape[1])``); the
    blocks are views, so nothing is copied.
    """
    p = b.shape[1]
    block = column_block(p, *a.shape)
    if out is None:
        out = np.empty((a.shape[0], p), dtype=np.result_type(a, b))
    nb = p // block
    np.matmul(
        a,
        b.reshape(b.shape[0], nb, block).transpose(1, 0, 2),
        out=out.reshape(out.shape[0], nb, block).transpose(1, 0, 2),
    )
    return out


def _block_matmul_t(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b.T`` for ``a`` of shape (m, p) and ``b`` of shape (k, p) with many columns ``p``.

    The columns are cut into blocks (:func:`column_block`) and the blocks' products summed, when
    the ``m x k`` result is small enough for OpenBLAS's small-matrix path to take the transposed
    operand (:data:`SMALL_TRANSPOSED_RESULT`); otherwise it is one product.
    """
    (m, p), k = a.shape, b.shape[0]
    block = column_block(p, m, k) if m * k <= SMALL_TRANSPOSED_RESULT else p
    nb = p // block
    return np.matmul(
        a.reshape(m, nb, block).transpose(1, 0, 2), b.reshape(k, nb, block).transpose(1, 2, 0)
    ).sum(axis=0)


def _phase_layout(
    kh: int, kw: int, stride: int, k: int
) -> tuple[int, int, int, list[tuple[tuple[int, int, int, int], tuple[int, int]]]]:
    """The phases of :func:`conv_pool_forward`: their step, their number, and who reads which.

    Convolution output ``(k*r + di, k*c + dj)``, under pooling cell ``(r, c)``, reads input row
    ``stride*(k*r + di) + i`` at kernel row ``i``: for fixed ``a = stride*di + i`` these rows form
    one slice with step ``stride*k``. So the ``KH*KW*k*k`` pairs (kernel offset ``(i, j)``, pooling
    offset ``(di, dj)``) read only ``PH * PW`` distinct strided slices of the input, the phases
    ``(a, b)``. Returns ``step, PH, PW`` and the list of ``((i, j, di, dj), (a, b))``.
    """
    pairs = [
        ((i, j, di, dj), (stride * di + i, stride * dj + j))
        for i in range(kh)
        for j in range(kw)
        for di in range(k)
        for dj in range(k)
    ]
    return stride * k, stride * (k - 1) + kh, stride * (k - 1) + kw, pairs


def conv_pool_forward(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    stride: int,
    pad: int,
    k: int,
    mode: str = "max",
    scratch: dict | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """A convolution layer followed by ``k x k`` pooling with stride ``k``, computed as one.

    The output of the convolution is never laid out as an image: the window matrix puts the
    columns in the order the pooling reads them, pooling offset ``(di, dj)`` first, then image,
    then pooling cell ``(r, c)``. Its product with ``[W | b]`` (:func:`conv_forward`) is then an
    array ``(F, k*k, N, QH, QW)`` in which the ``k*k`` candidates of every pooling window lie in
    ``k*k`` contiguous blocks, and pooling is a handful of elementwise passes that read them in
    place, where NumPy first copies every number of the strided slices of :func:`pool_forward`
    into its buffer.
    Convolution outputs that no pooling window covers (a last odd row) are not computed; their
    gradient is zero on both routes. (One difference follows: a NaN in an input cell that only
    such outputs read makes the textbook route's ``dW`` NaN, as ``0 * NaN`` is NaN, and leaves
    this one's finite.)

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C, H, W)
        Checked input.
    W, b : numpy.ndarray
        Kernels ``(F, C, KH, KW)`` and biases ``(F,)``.
    stride, pad : int
        Of the convolution.
    k : int
        Pooling window side and stride.
    mode : {"max", "avg"}
        The pooling.
    scratch : dict, optional
        Arrays of earlier calls (the window matrix and the convolution output), reused when their
        shapes fit; the layer keeps one, so a training step does not allocate them anew.

    Returns
    -------
    out : numpy.ndarray, shape (N, F, QH, QW)
        The pooled maps, ``QH = OH // k`` and ``QW = OW // k`` for convolution output ``OH x OW``.
    cols : numpy.ndarray, shape (C*KH*KW + 1, k*k*N*QH*QW)
        The window matrix with its row of ones (kept for the backward pass).
    arg : numpy.ndarray or None
        For max pooling, the offset ``di * k + dj`` of each window's winner, shape
        ``(F, N, QH, QW)``: the first maximum in row-major order, or the first NaN.

    Examples
    --------
    >>> x = np.arange(36.0).reshape(1, 1, 6, 6)
    >>> out, cols, arg = conv_pool_forward(x, np.ones((1, 1, 3, 3)), np.zeros(1), 1, 0, 2)
    >>> out[0, 0]
    array([[126., 144.],
           [234., 252.]])
    """
    f, c, kh, kw = W.shape
    n, _, h, w = x.shape
    oh, ow = output_shape(h, w, kh, kw, stride, pad)
    qh, qw = output_shape(oh, ow, k, k, k)
    rows = c * kh * kw
    dtype = np.result_type(x, W, b)  # as the matrix product of the other routes would give
    xp = x if pad == 0 else np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    # 1. The phases (_phase_layout), each copied once, as a block (C, N, QH, QW), in one pass
    # over a sliding-window view of xp.
    step, ph, pw, pairs = _phase_layout(kh, kw, stride, k)
    view = sliding_window_view(xp, (ph, pw), axis=(2, 3))[:, :, ::step, ::step][:, :, :qh, :qw]
    phases = _scratch(scratch, "phases", (ph, pw, c, n, qh, qw), dtype)
    np.copyto(phases, view.transpose(4, 5, 1, 0, 2, 3))  # phases[a, b, ch, n, r, c]
    # 2. the window matrix: row (ch, i, j), column block (di, dj), then (n, r, c)
    cols = _scratch(scratch, "cols", (rows + 1, k * k * n * qh * qw), dtype)
    windows = cols[:rows].reshape(c, kh, kw, k, k, n, qh, qw)
    for (i, j, di, dj), phase in pairs:
        windows[:, i, j, di, dj] = phases[phase]
    cols[rows] = 1
    # 3. one product gives every convolution output, bias included, in the pooling's order
    w_ext = np.concatenate([W.reshape(f, -1), b[:, None]], axis=1)  # [W | b]
    conv = _scratch(scratch, "conv", (f, k * k * n * qh * qw), dtype)
    blocks = _block_matmul(w_ext, cols, out=conv).reshape(f, k * k, n, qh, qw)
    # 4. pooling across the k*k blocks
    pooled = _scratch(scratch, "pooled", blocks.shape[:1] + blocks.shape[2:], dtype)
    np.copyto(pooled, blocks[:, 0])
    if mode == "avg":
        for q in range(1, k * k):
            pooled += blocks[:, q]
        pooled *= 1.0 / (k * k)
        return np.ascontiguousarray(pooled.transpose(1, 0, 2, 3)), cols, None
    arg = _scratch(scratch, "arg", pooled.shape, np.min_scalar_type(k * k - 1))
    arg.fill(0)
    better = _scratch(scratch, "better", pooled.shape, np.dtype(bool))
    for q in range(1, k * k):
        np.greater(blocks[:, q], pooled, out=better)  # strict: a tie keeps the earlier offset
        np.maximum(pooled, blocks[:, q], out=pooled)
        # q grows with each block, so the maximum keeps the latest improvement
        np.maximum(arg, better.view(np.uint8) * arg.dtype.type(q), out=arg)
    if np.isnan(pooled).any():  # the winner is the window's first NaN
        for q in reversed(range(k * k)):
            arg[np.isnan(blocks[:, q])] = q
    return np.ascontiguousarray(pooled.transpose(1, 0, 2, 3)), cols, arg


def conv_pool_backward(
    dout: np.ndarray,
    cols: np.ndarray,
    arg: np.ndarray | None,
    W: np.ndarray,
    x_shape: tuple[int, int, int, int],
    stride: int,
    pad: int,
    k: int,
    need_input_grad: bool = True,
    scratch: dict | None = None,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of :func:`conv_pool_forward`: input (or ``None``), kernels and biases.

    The gradient reaches the convolution output in the same block order as the forward pass:
    block ``q`` receives a window's gradient where ``arg == q`` (max) or a ``1/k**2`` share of it
    (average). Then one product with the window matrix gives ``[dW | db]``, and, if
    ``need_input_grad``, ``W^T`` times the blocks, added back phase by phase, the input gradient.

    Examples
    --------
    >>> x = np.arange(36.0).reshape(1, 1, 6, 6)
    >>> out, cols, arg = conv_pool_forward(x, np.ones((1, 1, 3, 3)), np.zeros(1), 1, 0, 2)
    >>> dx, dW, db = conv_pool_backward(np.ones_like(out), cols, arg, np.ones((1, 1, 3, 3)),
    ...                                 x.shape, 1, 0, 2)
    >>> db, dW[0, 0, 0]
    (array([4.]), array([56., 60., 64.]))
    """
    f, c, kh, kw = W.shape
    n, _, h, w = x_shape
    _, _, qh, qw = dout.shape
    dtype = np.result_type(dout, cols, W)
    dpool = _scratch(scratch, "dpool", (f, n, qh, qw), dtype)
    np.copyto(dpool, dout.transpose(1, 0, 2, 3))  # (F, N, QH, QW), like the blocks
    dconv = _scratch(scratch, "dconv", (f, k * k, n, qh, qw), dtype)
    if arg is None:
        dpool *= 1.0 / (k * k)
        dconv[...] = dpool[:, None]
    else:
        hit = _scratch(scratch, "hit", arg.shape, np.dtype(bool))
        for q in range(k * k):
            np.equal(arg, q, out=hit)
            np.multiply(dpool, hit, out=dconv[:, q])
    dconv = dconv.reshape(f, -1)
    dw_ext = _block_matmul_t(dconv, cols)  # [dW | db], a block of columns at a time
    dW, db = dw_ext[:, :-1].reshape(W.shape), dw_ext[:, -1].copy()
    if not need_input_grad:
        return None, dW, db
    dwindows = _block_matmul(W.reshape(f, -1).T, dconv).reshape(c, kh, kw, k, k, n, qh, qw)
    step, ph, pw, pairs = _phase_layout(kh, kw, stride, k)
    dphases = np.zeros((ph, pw, c, n, qh, qw), dtype=dtype)
    for (i, j, di, dj), phase in pairs:  # the forward pass's copies, added back
        dphases[phase] += dwindows[:, i, j, di, dj]
    dxp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=dtype)
    for a in range(ph):  # phase (a, b) is the slice rows a::step, columns b::step
        for b in range(pw):
            dxp[:, :, a : a + step * qh : step, b : b + step * qw : step] += dphases[
                a, b
            ].transpose(1, 0, 2, 3)
    return dxp[:, :, pad : pad + h, pad : pad + w], dW, db
