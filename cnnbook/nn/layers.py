"""The layers of the toy CNN, one class each, with ``forward(x)`` and ``backward(dout)``.

The design follows *Deep Learning from Scratch* (Saito, 2016), chapter 7: each layer keeps what
its backward pass needs from the forward pass, ``backward(dout)`` receives the gradient of the
loss with respect to the layer's output and returns the gradient with respect to its input, and
parameter gradients are stored on the instance (``dW``, ``db``). Unlike that code:

* ``backward`` never modifies its argument (the reference ``Relu.backward`` zeroes ``dout`` in
  place);
* output sizes are integers, computed by :func:`cnnbook.conv.conv_output_size`;
* pooling honours ``pad`` (max pooling pads with ``-inf``, so padding never wins, as in PyTorch);
* arguments and input shapes are checked up front, with messages that name what was expected.

Layouts are NCHW; convolution weights are ``(F, C, KH, KW)``. Layers compute in the dtype of
their inputs (the network uses float32 for speed, gradient checks use float64).

Two paths
---------
:class:`Convolution` and :class:`Pooling` take a ``fast`` flag, the one switch between the two
routes. The method bodies below are the textbook route (``fast=False``), through
:func:`~cnnbook.nn.windows.im2col` and :func:`~cnnbook.nn.windows.col2im`, written to be read
next to the book. With ``fast=True`` (the default) each method hands its work to one kernel of
:mod:`cnnbook.nn.fast`, which computes the same numbers with less memory traffic; both routes are
tested equal, forward and backward, for every stride and padding. :class:`ConvPool` runs a
convolution and the pooling after it as one layer: its textbook route calls the two layers in
turn, its fast route one fused kernel (the fast network's first stage).
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from cnnbook._validate import check_choice, check_int, check_ndim, nchw_array, real_array
from cnnbook.nn import fast as kernels
from cnnbook.nn.windows import col2im, first_real_offset, im2col, output_shape

__all__ = [
    "Affine",
    "ConvPool",
    "Convolution",
    "Pooling",
    "Relu",
    "SoftmaxWithLoss",
    "class_labels",
    "softmax",
]


def _check_dout(dout: ArrayLike, shape: tuple[int, ...] | None, layer: str) -> np.ndarray:
    if shape is None:
        raise RuntimeError(f"{layer}.backward called before forward")
    dout = real_array(dout, "dout")
    if dout.shape != shape:
        raise ValueError(f"dout must have the forward output's shape {shape}, got {dout.shape}")
    return dout


def _check_channels(x: np.ndarray, C: int, w_shape: tuple[int, ...]) -> None:
    """Refuse an input whose channels are not the ``C`` of kernels of shape ``w_shape``."""
    if x.shape[1] != C:
        raise ValueError(
            f"x has {x.shape[1]} channels but W expects C = {C} (W has shape {w_shape})"
        )


class Convolution:
    """Convolution layer (a cross-correlation, as in every deep-learning package).

    ``out[n, f, i, j] = sum_{c, u, v} W[f, c, u, v] * xp[n, c, s*i + u, s*j + v] + b[f]``, where
    ``xp`` is the input padded with ``pad`` zeros on each side and ``s`` the stride; equal to
    ``torch.nn.functional.conv2d(x, W, b, stride, pad)``.

    Parameters
    ----------
    W : array_like, shape (F, C, KH, KW)
        The kernels (filters): ``F`` output channels, ``C`` input channels. Kept by reference, so
        an optimizer updating the network's parameter arrays in place updates the layer.
    b : array_like, shape (F,)
        One bias per output channel.
    stride : int, optional
        Step between windows (at least 1).
    pad : int, optional
        Zeros added on each side of the input (at least 0).
    need_input_grad : bool, optional
        Whether :meth:`backward` computes the gradient with respect to the input. The first layer
        of a network sets it to ``False``: nothing upstream needs that gradient, and computing it
        costs as much as the forward pass. ``backward`` then returns ``None``.
    fast : bool, optional
        Compute with :func:`cnnbook.nn.fast.conv_forward` and
        :func:`~cnnbook.nn.fast.conv_backward` (default); ``False`` uses the textbook
        :func:`~cnnbook.nn.windows.im2col` route written in the methods. Same results.

    Attributes
    ----------
    dW, db : numpy.ndarray
        Gradients of the loss with respect to ``W`` and ``b``, set by :meth:`backward`.

    Raises
    ------
    ValueError
        If ``W`` is not 4-D or ``b`` does not have shape ``(F,)``.
    TypeError
        If ``stride`` or ``pad`` is not an integer, or ``W``/``b`` are not floating point.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> conv = Convolution(rng.standard_normal((2, 1, 3, 3)), np.zeros(2), pad=1)
    >>> conv.forward(rng.standard_normal((4, 1, 5, 5))).shape
    (4, 2, 5, 5)
    """

    def __init__(
        self,
        W: ArrayLike,
        b: ArrayLike,
        stride: int = 1,
        pad: int = 0,
        *,
        need_input_grad: bool = True,
        fast: bool = True,
    ) -> None:
        W = check_ndim(real_array(W, "W"), "W", 4, "(F, C, KH, KW)")
        b = real_array(b, "b")
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape (F,) = ({W.shape[0]},) to match W, got {b.shape}")
        self.W, self.b = W, b
        self.stride = check_int(stride, "stride", 1)
        self.pad = check_int(pad, "pad", 0)
        self.need_input_grad = bool(need_input_grad)
        self.fast = bool(fast)
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self.x_shape: tuple[int, ...] | None = None
        self.out_shape: tuple[int, ...] | None = None
        self.col: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Apply the layer to a batch ``x``, shape ``(N, C, H, W)``; returns ``(N, F, OH, OW)``."""
        x = nchw_array(x, "x")
        FN, C, FH, FW = self.W.shape
        _check_channels(x, C, self.W.shape)
        N, _, H, W = x.shape
        out_h, out_w = output_shape(H, W, FH, FW, self.stride, self.pad)
        self.x_shape, self.out_shape = x.shape, (N, FN, out_h, out_w)
        if self.fast:
            out, self.col = kernels.conv_forward(
                x, self.W, self.b, self.stride, self.pad, cols=self.col
            )
            return out

        self.col = im2col(x, FH, FW, self.stride, self.pad)  # (N*OH*OW, C*FH*FW)
        col_W = self.W.reshape(FN, -1).T
        out = self.col @ col_W + self.b
        return out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)

    def backward(self, dout: ArrayLike) -> np.ndarray | None:
        """Store ``dW``, ``db``; return the input gradient (``None`` if not ``need_input_grad``)."""
        dout = _check_dout(dout, self.out_shape, "Convolution")
        if self.fast:
            dx, self.dW, self.db = kernels.conv_backward(
                dout, self.col, self.W, self.x_shape, self.stride, self.pad, self.need_input_grad
            )
            return dx

        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = np.sum(dout, axis=0)
        self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW)
        if not self.need_input_grad:
            return None
        dcol = dout @ self.W.reshape(FN, -1)
        return col2im(dcol, self.x_shape, FH, FW, self.stride, self.pad)


class Pooling:
    """Max or average pooling over ``pool_h x pool_w`` windows of each channel.

    Parameters
    ----------
    pool_h, pool_w : int
        Window height and width.
    stride : int, optional
        Step between windows; ``None`` (default) means the window size, so windows tile the input.
    pad : int, optional
        Padding on each side, at most half the window (as in PyTorch). Max pooling pads with
        ``-inf``, so a padded cell never wins; average pooling pads with zeros and divides by the
        full window size ``pool_h * pool_w`` (padding counts, PyTorch's default
        ``count_include_pad=True``).
    mode : {"max", "avg"}, optional
        Maximum or mean of each window.
    fast : bool, optional
        Compute with :func:`cnnbook.nn.fast.pool_forward` and
        :func:`~cnnbook.nn.fast.pool_backward` (default), or use the textbook
        :func:`~cnnbook.nn.windows.im2col` route written in the methods (``False``). Same results.

    Notes
    -----
    The backward pass of max pooling sends each window's gradient to exactly one input, as
    PyTorch does: the first maximum in row-major order when several cells tie; the NaN, if the
    window holds one (the maximum is then NaN); the first cell inside the image if every real cell
    is ``-inf`` (the padding never takes a gradient). Where windows overlap (``stride < pool``) an
    input can receive gradient from several windows; they add up.

    Raises
    ------
    ValueError
        If a size is out of range, ``pad`` exceeds half the window, or ``mode`` is unknown.
    TypeError
        If a size is not an integer.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> Pooling(2, 2).forward(x)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """

    def __init__(
        self,
        pool_h: int,
        pool_w: int,
        stride: int | None = None,
        pad: int = 0,
        mode: str = "max",
        *,
        fast: bool = True,
    ) -> None:
        self.pool_h = check_int(pool_h, "pool_h", 1)
        self.pool_w = check_int(pool_w, "pool_w", 1)
        self.stride = self.pool_h if stride is None else check_int(stride, "stride", 1)
        if stride is None and self.pool_h != self.pool_w:
            raise ValueError(
                f"stride=None needs a square window, got pool_h={pool_h}, pool_w={pool_w}; "
                "give the stride explicitly"
            )
        self.pad = check_int(pad, "pad", 0)
        if 2 * self.pad > min(self.pool_h, self.pool_w):
            raise ValueError(
                f"pad must be at most half the window ({self.pool_h}x{self.pool_w}), got pad={pad}"
            )
        self.mode = check_choice(mode, "mode", ("max", "avg"))
        self.fast = bool(fast)
        self.x_shape: tuple[int, ...] | None = None
        self.out_shape: tuple[int, ...] | None = None
        self.arg_max: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Pool a batch ``x`` of shape ``(N, C, H, W)``; returns ``(N, C, OH, OW)``."""
        x = nchw_array(x, "x")
        N, C, H, W = x.shape
        try:
            out_h, out_w = output_shape(H, W, self.pool_h, self.pool_w, self.stride, self.pad)
        except ValueError as err:
            raise ValueError(f"pooling window does not fit: {err}") from None
        self.x_shape, self.out_shape = x.shape, (N, C, out_h, out_w)
        if self.fast:
            out, self.arg_max = kernels.pool_forward(
                x, self.pool_h, self.pool_w, self.stride, self.pad, self.mode
            )
            return out

        p = self.pad  # max pooling pads with -inf, so that the padding never wins
        fill = -np.inf if self.mode == "max" else 0.0
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=fill)
        col = im2col(xp, self.pool_h, self.pool_w, self.stride)
        col = col.reshape(-1, self.pool_h * self.pool_w)  # one row per window and channel
        if self.mode == "max":
            self.arg_max = np.argmax(col, axis=1)  # the first maximum, or the first NaN
            out = np.max(col, axis=1)
            if p > 0:  # a window without a real cell above -inf: its first real cell wins
                first = first_real_offset(H, W, self.pool_h, self.pool_w, self.stride, p)
                first = np.broadcast_to(first[None, :, :, None], (N, out_h, out_w, C))
                self.arg_max = np.where(out == -np.inf, first.reshape(-1), self.arg_max)
        else:
            out = np.mean(col, axis=1)
        return out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Gradient with respect to the input, shape ``(N, C, H, W)``."""
        dout = _check_dout(dout, self.out_shape, "Pooling")
        if self.fast:
            arg = self.arg_max if self.mode == "max" else None
            return kernels.pool_backward(
                dout, arg, self.x_shape, self.pool_h, self.pool_w, self.stride, self.pad
            )

        N, C, H, W = self.x_shape
        p, pool_size = self.pad, self.pool_h * self.pool_w
        dout = dout.transpose(0, 2, 3, 1).reshape(-1)
        if self.mode == "max":
            dmax = np.zeros((dout.size, pool_size), dtype=dout.dtype)
            dmax[np.arange(dout.size), self.arg_max] = dout
        else:
            dmax = np.repeat(dout[:, None] / pool_size, pool_size, axis=1)
        dcol = dmax.reshape(-1, C * pool_size)
        dxp = col2im(dcol, (N, C, H + 2 * p, W + 2 * p), self.pool_h, self.pool_w, self.stride)
        return dxp[:, :, p : p + H, p : p + W]


class ConvPool:
    """A :class:`Convolution` followed by non-overlapping :class:`Pooling`, run as one layer.

    ``forward(x)`` is ``pool.forward(conv.forward(x))`` and ``backward(dout)`` is
    ``conv.backward(pool.backward(dout))``: that is the textbook route (``fast=False``), and the
    definition. The fast route (default) computes the same numbers with
    :func:`cnnbook.nn.fast.conv_pool_forward` and :func:`~cnnbook.nn.fast.conv_pool_backward`,
    which let the convolution write its output in the order the pooling reads it. The fast
    :class:`~cnnbook.nn.net.SimpleConvNet` runs its first convolution and pooling this way.

    Parameters
    ----------
    conv : Convolution
        Holds the parameters; :meth:`backward` stores the gradients on it (``conv.dW``,
        ``conv.db``), and its ``need_input_grad`` decides whether an input gradient is computed.
    pool : Pooling
        Square windows side by side, without overlap, gap or padding: ``pool_h == pool_w ==
        stride`` and ``pad == 0`` (a last row or column that no window covers is dropped, as
        :class:`Pooling` drops it).
    fast : bool, optional
        The fused kernels (default) or the two layers in turn.

    Attributes
    ----------
    arg_max : numpy.ndarray or None
        After a fast forward pass with max pooling, the winner of each window as its offset
        ``di * k + dj``, shape ``(F, N, QH, QW)`` (not the layout of ``Pooling.arg_max``). The
        layer reuses this array and its other buffers from one call to the next: copy it to keep
        it.

    Raises
    ------
    TypeError
        If ``conv`` or ``pool`` is not a layer of that class.
    ValueError
        If the pooling windows overlap, leave gaps or are padded.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> conv = Convolution(rng.standard_normal((2, 1, 3, 3)), np.zeros(2))
    >>> layer = ConvPool(conv, Pooling(2, 2))
    >>> x = rng.standard_normal((4, 1, 10, 10))
    >>> np.allclose(layer.forward(x), Pooling(2, 2).forward(conv.forward(x)))
    True
    """

    def __init__(self, conv: Convolution, pool: Pooling, *, fast: bool = True) -> None:
        if not isinstance(conv, Convolution):
            raise TypeError(f"conv must be a Convolution layer, got {type(conv).__name__}")
        if not isinstance(pool, Pooling):
            raise TypeError(f"pool must be a Pooling layer, got {type(pool).__name__}")
        if not pool.pool_h == pool.pool_w == pool.stride or pool.pad != 0:
            raise ValueError(
                "pool must have square windows that tile the maps (pool_h == pool_w == stride, "
                f"pad=0), got {pool.pool_h}x{pool.pool_w}, stride={pool.stride}, pad={pool.pad}"
            )
        self.conv, self.pool, self.fast = conv, pool, bool(fast)
        self.x_shape: tuple[int, ...] | None = None
        self.out_shape: tuple[int, ...] | None = None
        self.arg_max: np.ndarray | None = None
        self._scratch: dict[str, np.ndarray] = {}  # the window matrix and the convolution output

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Convolve and pool a batch ``x`` of shape ``(N, C, H, W)``; returns ``(N, F, QH, QW)``."""
        if not self.fast:
            return self.pool.forward(self.conv.forward(x))
        conv, k = self.conv, self.pool.pool_h
        x = nchw_array(x, "x")
        _, C, FH, FW = conv.W.shape
        _check_channels(x, C, conv.W.shape)
        out_h, out_w = output_shape(x.shape[2], x.shape[3], FH, FW, conv.stride, conv.pad)
        try:
            output_shape(out_h, out_w, k, k, k)
        except ValueError as err:
            raise ValueError(f"pooling window does not fit: {err}") from None
        out, _, self.arg_max = kernels.conv_pool_forward(
            x, conv.W, conv.b, conv.stride, conv.pad, k, self.pool.mode, self._scratch
        )
        self.x_shape, self.out_shape = x.shape, out.shape
        return out

    def backward(self, dout: ArrayLike) -> np.ndarray | None:
        """Store ``conv.dW`` and ``conv.db``; return the input gradient (or ``None``)."""
        if not self.fast:
            return self.conv.backward(self.pool.backward(dout))
        dout = _check_dout(dout, self.out_shape, "ConvPool")
        conv = self.conv
        dx, conv.dW, conv.db = kernels.conv_pool_backward(
            dout,
            self._scratch["cols"],
            self.arg_max,
            conv.W,
            self.x_shape,
            conv.stride,
            conv.pad,
            self.pool.pool_h,
            conv.need_input_grad,
            self._scratch,
        )
        return dx


class Relu:
    """Rectified linear unit, ``max(x, 0)`` elementwise.

    The gradient passes where ``x > 0`` and is zero elsewhere (at ``x = 0`` too, as in PyTorch).

    Examples
    --------
    >>> relu = Relu()
    >>> relu.forward(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    >>> relu.backward(np.array([5.0, 5.0, 5.0]))
    array([0., 0., 5.])
    """

    def __init__(self) -> None:
        self.mask: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return ``max(x, 0)``; remember where ``x > 0``."""
        x = real_array(x, "x")
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Return ``dout`` where the input was positive, 0 elsewhere (a new array)."""
        dout = _check_dout(dout, None if self.mask is None else self.mask.shape, "Relu")
        return dout * self.mask


class Affine:
    """Fully connected layer, ``out = x @ W + b``.

    An input with more than two axes (for example ``(N, C, H, W)`` feature maps) is flattened to
    ``(N, -1)`` in C order first; :meth:`backward` returns the gradient in the input's shape.

    Parameters
    ----------
    W : array_like, shape (D, M)
        Weights, kept by reference.
    b : array_like, shape (M,)
        Biases.

    Notes
    -----
    Like the reference code, :meth:`forward` keeps a *reference* to its input, not a copy (a copy
    of every batch would cost time for nothing in a network, where nobody touches a layer's input
    between the two passes). :meth:`backward` computes ``dW`` from that array as it is then: do not
    change the input in place between ``forward`` and ``backward``.

    Raises
    ------
    ValueError
        If ``W`` is not 2-D or ``b`` does not have shape ``(M,)``.

    Examples
    --------
    >>> affine = Affine(np.ones((6, 2)), np.array([0.0, 1.0]))
    >>> affine.forward(np.ones((1, 1, 2, 3)))
    array([[6., 7.]])
    >>> affine.backward(np.array([[1.0, 0.0]])).shape
    (1, 1, 2, 3)
    """

    def __init__(self, W: ArrayLike, b: ArrayLike) -> None:
        W = check_ndim(real_array(W, "W"), "W", 2, "(D, M)")
        b = real_array(b, "b")
        if b.shape != (W.shape[1],):
            raise ValueError(f"b must have shape (M,) = ({W.shape[1]},) to match W, got {b.shape}")
        self.W, self.b = W, b
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self._x: np.ndarray | None = None
        self._x_shape: tuple[int, ...] | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Return ``x.reshape(N, -1) @ W + b``, shape ``(N, M)``."""
        x = real_array(x, "x")
        if x.ndim < 2:
            raise ValueError(f"x must have a batch axis, shape (N, ...), got shape {x.shape}")
        if x.size == 0:
            raise ValueError(f"x must not be empty, got shape {x.shape}")
        flat = x.reshape(x.shape[0], -1)
        if flat.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"x has {flat.shape[1]} features per example (shape {x.shape}) but W expects "
                f"D = {self.W.shape[0]}"
            )
        self._x, self._x_shape = flat, x.shape
        return flat @ self.W + self.b

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Store ``dW``, ``db``; return the input gradient in the input's shape."""
        shape = None if self._x is None else (self._x.shape[0], self.W.shape[1])
        dout = _check_dout(dout, shape, "Affine")
        self.dW = self._x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self._x_shape)


def softmax(x: ArrayLike) -> np.ndarray:
    """Softmax over the last axis, computed stably (the row maximum is subtracted first).

    Parameters
    ----------
    x : array_like
        Scores; the last axis indexes classes.

    Returns
    -------
    numpy.ndarray
        Non-negative values summing to 1 along the last axis.

    Raises
    ------
    ValueError
        If ``x`` is a scalar, empty, or not finite (an infinite score has no softmax:
        ``inf - inf``).

    Examples
    --------
    >>> softmax(np.array([0.0, np.log(3.0)]))
    array([0.25, 0.75])
    """
    x = real_array(x, "x", finite=True)
    if x.ndim == 0 or x.size == 0:
        raise ValueError(f"x must hold at least one score along a class axis, got shape {x.shape}")
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def class_labels(t: ArrayLike, n: int, k: int) -> np.ndarray:
    """Check labels of ``n`` examples over ``k`` classes; return them as given, as an array.

    The one label check of the package, shared by :class:`SoftmaxWithLoss` and
    :meth:`cnnbook.nn.net.SimpleConvNet.accuracy`. Labels are either class indices, integers in
    ``[0, k)`` of shape ``(n,)``, or rows of probabilities (one-hot rows, or any non-negative rows
    summing to 1), shape ``(n, k)``.

    Raises
    ------
    TypeError
        If ``t`` is not numeric (strings, objects), or indices are not integers.
    ValueError
        If the shape does not match, an index lies outside ``[0, k)``, or a row is not a
        probability distribution.

    Examples
    --------
    >>> class_labels([2, 0], 2, 3)
    array([2, 0])
    >>> class_labels([3, 0], 2, 3)
    Traceback (most recent call last):
    ...
    ValueError: labels t must lie in [0, 2] for K = 3 classes, got values in [0, 3]
    """
    t = np.asarray(t)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"labels t must be numeric, got dtype {t.dtype}")
    if t.ndim == 1:
        if t.dtype.kind not in "iu":
            raise TypeError(f"class-index labels t must be integers, got dtype {t.dtype}")
        if t.shape[0] != n:
            raise ValueError(f"t has {t.shape[0]} labels for {n} examples")
        if t.size and (t.min() < 0 or t.max() >= k):
            raise ValueError(
                f"labels t must lie in [0, {k - 1}] for K = {k} classes, "
                f"got values in [{t.min()}, {t.max()}]"
            )
        return t
    if t.shape != (n, k):
        raise ValueError(
            f"t must be class indices of shape ({n},) or one-hot rows of shape ({n}, {k}), "
            f"got shape {t.shape}"
        )
    rows = t.astype(np.float64)
    if not (np.all(rows >= 0) and np.allclose(rows.sum(axis=1), 1.0, rtol=0, atol=1e-5)):
        raise ValueError("label rows t must be probabilities: non-negative, each summing to 1")
    return t


class SoftmaxWithLoss:
    """Softmax followed by the mean cross-entropy loss over the batch.

    ``forward(x, t)`` takes scores ``x`` of shape ``(N, K)`` and labels ``t``, either class
    indices of shape ``(N,)`` or one-hot rows (any probability rows) of shape ``(N, K)``, and
    returns the loss ``-(1/N) sum_n sum_k t[n, k] log y[n, k]`` with ``y = softmax(x)``. Its
    gradient is ``(y - t) / N``, which :meth:`backward` returns (times ``dout``).

    Examples
    --------
    >>> layer = SoftmaxWithLoss()
    >>> round(layer.forward(np.zeros((2, 4)), np.array([0, 3])), 4)  # log 4
    1.3863
    >>> layer.backward()[0]
    array([-0.375,  0.125,  0.125,  0.125])
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self._t: np.ndarray | None = None

    def forward(self, x: ArrayLike, t: ArrayLike) -> float:
        """Return the mean cross-entropy of ``softmax(x)`` against the labels ``t``.

        ``x`` must be finite and hold at least one example; ``t`` is checked by
        :func:`class_labels`.
        """
        x = check_ndim(real_array(x, "x", finite=True), "x", 2, "(N, K)")
        n, k = x.shape
        t = class_labels(t, n, k)
        if t.ndim == 2:
            t = t.astype(x.dtype, copy=False)
        shifted = x - x.max(axis=1, keepdims=True)
        log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.y, self._t = np.exp(log_y), t
        if t.ndim == 1:
            self.loss = float(-log_y[np.arange(n), t].mean())
        else:
            self.loss = float(-(t * log_y).sum() / n)
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        """Gradient of the loss with respect to the scores: ``dout * (y - t) / N``."""
        if self.y is None:
            raise RuntimeError("SoftmaxWithLoss.backward called before forward")
        if isinstance(dout, bool) or not isinstance(dout, Real):
            raise TypeError(f"dout must be a real number (the loss is a scalar), got {dout!r}")
        n = self.y.shape[0]
        if self._t.ndim == 1:
            dx = self.y.copy()
            dx[np.arange(n), self._t] -= 1
        else:
            dx = self.y - self._t
        return dx * (dout / n)
