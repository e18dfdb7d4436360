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
:class:`Convolution` and :class:`Pooling` have a ``fast`` flag. ``fast=False`` is the textbook
route through :func:`~cnnbook.nn.im2col.im2col` and :func:`~cnnbook.nn.im2col.col2im`.
``fast=True`` (the default) computes the same numbers with less memory traffic:

* the convolution unfolds its input once with a sliding-window view
  (:func:`~cnnbook.nn.im2col.unfold`), multiplies ``W @ cols`` image by image straight into NCHW
  order, keeps ``cols`` for the weight gradient, and skips the input gradient when nobody needs it
  (the first layer of a network: ``need_input_grad=False``);
* pooling visits the ``pool_h * pool_w`` offsets of the window and combines strided slices of the
  input with elementwise maximum (or sum) -- a handful of passes over the data instead of building
  a window matrix four times the size of the input.

Both paths are tested equal, forward and backward, for every stride and padding.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from cnnbook._validate import check_int, check_ndim, real_array
from cnnbook.nn.im2col import col2im, fold, im2col, output_shape, unfold

__all__ = ["Affine", "Convolution", "Pooling", "Relu", "SoftmaxWithLoss", "softmax"]


def _nchw(x: ArrayLike, name: str = "x") -> np.ndarray:
    return check_ndim(real_array(x, name), name, 4, "(N, C, H, W)")


def _check_dout(dout: ArrayLike, shape: tuple[int, ...] | None, layer: str) -> np.ndarray:
    if shape is None:
        raise RuntimeError(f"{layer}.backward called before forward")
    dout = real_array(dout, "dout")
    if dout.shape != shape:
        raise ValueError(f"dout must have the forward output's shape {shape}, got {dout.shape}")
    return dout


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
        Use the sliding-window route (:func:`~cnnbook.nn.im2col.unfold`); ``False`` uses the
        textbook :func:`~cnnbook.nn.im2col.im2col` route. Same results.

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
        W, b = real_array(W, "W"), real_array(b, "b")
        if W.ndim != 4:
            raise ValueError(f"W must have shape (F, C, KH, KW), got shape {W.shape}")
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape (F,) = ({W.shape[0]},) to match W, got {b.shape}")
        self.W, self.b = W, b
        self.stride = check_int(stride, "stride", 1)
        self.pad = check_int(pad, "pad", 0)
        self.need_input_grad = bool(need_input_grad)
        self.fast = bool(fast)
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self._x_shape: tuple[int, ...] | None = None
        self._out_shape: tuple[int, ...] | None = None
        self._col: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Apply the layer to a batch ``x``, shape ``(N, C, H, W)``; returns ``(N, F, OH, OW)``."""
        x = _nchw(x)
        f, c, kh, kw = self.W.shape
        if x.shape[1] != c:
            raise ValueError(
                f"x has {x.shape[1]} channels but W expects C = {c} (W has shape {self.W.shape})"
            )
        n, _, h, w = x.shape
        oh, ow = output_shape(h, w, kh, kw, self.stride, self.pad)
        self._x_shape, self._out_shape = x.shape, (n, f, oh, ow)
        w_mat = self.W.reshape(f, -1)
        if self.fast:
            self._col = unfold(x, kh, kw, self.stride, self.pad)  # (N, C*KH*KW, OH*OW)
            out = np.matmul(w_mat, self._col)  # (N, F, OH*OW): already NCHW
            out += self.b[:, None]
            return out.reshape(n, f, oh, ow)
        self._col = im2col(x, kh, kw, self.stride, self.pad)  # (N*OH*OW, C*KH*KW)
        out = self._col @ w_mat.T + self.b
        return out.reshape(n, oh, ow, f).transpose(0, 3, 1, 2)

    def backward(self, dout: ArrayLike) -> np.ndarray | None:
        """Store ``dW``, ``db``; return the input gradient (``None`` if not ``need_input_grad``)."""
        dout = _check_dout(dout, self._out_shape, "Convolution")
        f, _, kh, kw = self.W.shape
        n = dout.shape[0]
        w_mat = self.W.reshape(f, -1)
        if self.fast:
            dout = dout.reshape(n, f, -1)
            self.db = dout.sum(axis=(0, 2))
            self.dW = (
                np.matmul(dout, self._col.transpose(0, 2, 1)).sum(axis=0).reshape(self.W.shape)
            )
            if not self.need_input_grad:
                return None
            return fold(np.matmul(w_mat.T, dout), self._x_shape, kh, kw, self.stride, self.pad)
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, f)
        self.db = dout.sum(axis=0)
        self.dW = (self._col.T @ dout).T.reshape(self.W.shape)
        if not self.need_input_grad:
            return None
        return col2im(dout @ w_mat, self._x_shape, kh, kw, self.stride, self.pad)


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
        Combine strided slices of the input (``True``, default) or use the textbook
        :func:`~cnnbook.nn.im2col.im2col` route (``False``). Same results.

    Notes
    -----
    The backward pass of max pooling sends each window's gradient to exactly one input: the
    first maximum in row-major order when several cells tie (as PyTorch does). Where windows
    overlap (``stride < pool``) an input can receive gradient from several windows; they add up.

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
        if mode not in ("max", "avg"):
            raise ValueError(f'mode must be "max" or "avg", got {mode!r}')
        self.mode = mode
        self.fast = bool(fast)
        self._x_shape: tuple[int, ...] | None = None
        self._out_shape: tuple[int, ...] | None = None
        self._arg: np.ndarray | None = None

    def _offsets(self):
        """The window offsets ``(i, j)`` with the matching strided slices of the padded input."""
        _, _, oh, ow = self._out_shape
        s = self.stride
        for i in range(self.pool_h):
            for j in range(self.pool_w):
                yield np.s_[:, :, i : i + s * oh : s, j : j + s * ow : s]

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Pool a batch ``x`` of shape ``(N, C, H, W)``; returns ``(N, C, OH, OW)``."""
        x = _nchw(x)
        n, c, h, w = x.shape
        try:
            oh, ow = output_shape(h, w, self.pool_h, self.pool_w, self.stride, self.pad)
        except ValueError as err:
            raise ValueError(f"pooling window does not fit: {err}") from None
        self._x_shape, self._out_shape = x.shape, (n, c, oh, ow)
        fill = -np.inf if self.mode == "max" else 0.0
        xp = (
            x
            if self.pad == 0
            else np.pad(x, ((0, 0), (0, 0), (self.pad,) * 2, (self.pad,) * 2), constant_values=fill)
        )
        if self.fast:
            slices = list(self._offsets())
            out = xp[slices[0]].copy()
            if self.mode == "avg":
                for sl in slices[1:]:
                    out += xp[sl]
                out *= 1.0 / (self.pool_h * self.pool_w)
            else:
                # arg[...] = offset number of the window's first maximum, for the backward pass.
                arg = np.zeros(out.shape, dtype=np.min_scalar_type(len(slices) - 1))
                for k, sl in enumerate(slices[1:], start=1):
                    better = xp[sl] > out  # strict: a later tie does not displace the first max
                    np.maximum(out, xp[sl], out=out)
                    # k grows with each offset, so the maximum keeps the latest improvement
                    np.maximum(arg, better * arg.dtype.type(k), out=arg)
                self._arg = arg
            return out
        col = im2col(xp, self.pool_h, self.pool_w, self.stride).reshape(
            -1, self.pool_h * self.pool_w
        )
        if self.mode == "max":
            self._arg = np.argmax(col, axis=1)
            out = col[np.arange(col.shape[0]), self._arg]
        else:
            out = col.mean(axis=1)
        return out.reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout: ArrayLike) -> np.ndarray:
        """Gradient with respect to the input, shape ``(N, C, H, W)``."""
        dout = _check_dout(dout, self._out_shape, "Pooling")
        n, c, h, w = self._x_shape
        p, size = self.pad, self.pool_h * self.pool_w
        padded = (n, c, h + 2 * p, w + 2 * p)
        if self.fast:
            _, _, oh, ow = self._out_shape
            s = self.stride
            # Windows overlap when the stride is smaller than the window: gradients are then added.
            # Otherwise each input cell lies in at most one window and is written once; if the
            # windows tile the padded input exactly, every cell is written and no zeroing is needed.
            overlap = s < max(self.pool_h, self.pool_w)
            tiled = s == self.pool_h == self.pool_w and (oh * s, ow * s) == padded[2:]
            dxp = (np.empty if tiled else np.zeros)(padded, dtype=dout.dtype)
            for k, sl in enumerate(self._offsets()):
                # avg: every cell gets an equal share; max: only the window's first maximum
                weight = 1.0 / size if self.mode == "avg" else self._arg == k
                if overlap:
                    dxp[sl] += dout * weight
                else:
                    np.multiply(dout, weight, out=dxp[sl])
            return dxp[:, :, p : p + h, p : p + w]
        dout_rows = dout.transpose(0, 2, 3, 1).reshape(-1)
        if self.mode == "max":
            dcol = np.zeros((dout_rows.size, size), dtype=dout.dtype)
            dcol[np.arange(dout_rows.size), self._arg] = dout_rows
        else:
            dcol = np.repeat(dout_rows[:, None] / size, size, axis=1)
        dcol = dcol.reshape(-1, c * size)
        dxp = col2im(dcol, padded, self.pool_h, self.pool_w, self.stride)
        return dxp[:, :, p : p + h, p : p + w]


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
        W, b = real_array(W, "W"), real_array(b, "b")
        if W.ndim != 2:
            raise ValueError(f"W must have shape (D, M), got shape {W.shape}")
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

    Examples
    --------
    >>> softmax(np.array([0.0, np.log(3.0)]))
    array([0.25, 0.75])
    """
    x = real_array(x, "x")
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


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
        """Return the mean cross-entropy of ``softmax(x)`` against the labels ``t``."""
        x = real_array(x, "x")
        if x.ndim != 2:
            raise ValueError(f"x must have shape (N, K), got shape {x.shape}")
        n, k = x.shape
        t = np.asarray(t)
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
        elif t.shape != x.shape:
            raise ValueError(
                f"t must be class indices of shape ({n},) or one-hot rows of shape {x.shape}, "
                f"got shape {t.shape}"
            )
        else:
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
