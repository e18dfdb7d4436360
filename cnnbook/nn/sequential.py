"""``Sequential``: a network that is a list of layers followed by softmax with cross-entropy.

:class:`~cnnbook.nn.net.SimpleConvNet` wires its six layers by hand, as the reference code does.
A deeper network is the same loop over a longer list: ``forward`` through the layers in order,
``backward`` through them in reverse, and the parameters of every layer that has ``W`` and ``b``
collected under the names ``W1, b1, W2, b2, ...`` (numbered in the order of those layers). The
class has the interface that :class:`~cnnbook.nn.trainer.Trainer` and the optimizers of
:mod:`cnnbook.nn.optim` expect: ``params``, ``gradient(x, t)`` (which sets ``last_loss``),
``loss``, ``predict`` and ``accuracy``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from cnnbook._validate import check_int, real_array
from cnnbook.nn.layers import SoftmaxWithLoss, class_labels

__all__ = ["Sequential"]


class Sequential:
    """Layers applied in order, then :class:`~cnnbook.nn.layers.SoftmaxWithLoss`.

    Parameters
    ----------
    layers : sequence of layers
        Objects with ``forward(x)`` and ``backward(dout)``; those with parameters hold them as
        ``W`` and ``b`` and store their gradients in ``dW`` and ``db`` (as
        :class:`~cnnbook.nn.layers.Convolution` and :class:`~cnnbook.nn.layers.Affine` do). The
        last layer's output are the class scores, shape ``(N, K)``.

    Attributes
    ----------
    layers : list
        The layers, in the order of the forward pass.
    params : dict of numpy.ndarray
        ``W1, b1, W2, b2, ...``: the very arrays the layers hold, numbered in the order of the
        layers that have parameters, so an optimizer updating them in place updates the network.
    last_layer : SoftmaxWithLoss
        The loss layer.
    last_loss : float or None
        The loss of the batch seen by the latest :meth:`gradient` call.

    Raises
    ------
    ValueError
        If ``layers`` is empty or holds no parameters.
    TypeError
        If a layer lacks ``forward`` or ``backward``.

    Examples
    --------
    >>> from cnnbook.nn import Affine, Relu
    >>> rng = np.random.default_rng(0)
    >>> net = Sequential([Affine(rng.standard_normal((4, 3)), np.zeros(3)), Relu(),
    ...                   Affine(rng.standard_normal((3, 2)), np.zeros(2))])
    >>> list(net.params)
    ['W1', 'b1', 'W2', 'b2']
    >>> grads = net.gradient(rng.standard_normal((5, 4)), [0, 1, 1, 0, 1])
    >>> grads["W2"].shape
    (3, 2)
    """

    def __init__(self, layers: Sequence) -> None:
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("layers must hold at least one layer, got an empty sequence")
        for i, layer in enumerate(self.layers):
            if not (
                callable(getattr(layer, "forward", None))
                and callable(getattr(layer, "backward", None))
            ):
                raise TypeError(
                    f"layers[{i}] must have forward and backward methods, "
                    f"got {type(layer).__name__}"
                )
        self._owners = [layer for layer in self.layers if hasattr(layer, "W")]
        if not self._owners:
            raise ValueError("layers must include at least one layer with parameters W and b")
        self.params: dict[str, np.ndarray] = {}
        for k, layer in enumerate(self._owners, start=1):
            self.params[f"W{k}"], self.params[f"b{k}"] = layer.W, layer.b
        self.dtype = self.params["W1"].dtype
        self.last_layer = SoftmaxWithLoss()
        self.last_loss: float | None = None

    def _forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def predict(self, x: ArrayLike, batch_size: int = 1000) -> np.ndarray:
        """Class scores (before softmax), shape ``(N, K)``, ``batch_size`` inputs at a time.

        The input is converted to the dtype of the first parameter (float32 stays float32).
        """
        x = real_array(x, "x").astype(self.dtype, copy=False)
        batch_size = check_int(batch_size, "batch_size", 1)
        return np.concatenate(
            [self._forward(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
        )

    def loss(self, x: ArrayLike, t: ArrayLike) -> float:
        """Mean cross-entropy loss on the batch ``(x, t)``; ``t`` as indices or one-hot rows."""
        x = real_array(x, "x").astype(self.dtype, copy=False)
        return self.last_layer.forward(self._forward(x), t)

    def accuracy(self, x: ArrayLike, t: ArrayLike, batch_size: int = 1000) -> float:
        """Fraction of examples whose highest score is the true class (non-finite rows: wrong)."""
        scores = self.predict(x, batch_size)
        t = class_labels(t, scores.shape[0], scores.shape[1])
        if t.ndim == 2:
            t = t.argmax(axis=1)
        correct = (scores.argmax(axis=1) == t) & np.isfinite(scores).all(axis=1)
        return float(np.mean(correct))

    def gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, np.ndarray]:
        """Gradients of the loss by backpropagation, with the keys of :attr:`params`.

        One forward pass (its loss is kept in :attr:`last_loss`), then each layer's ``backward``
        in reverse order.
        """
        self.last_loss = self.loss(x, t)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {}
        for k, layer in enumerate(self._owners, start=1):
            grads[f"W{k}"], grads[f"b{k}"] = layer.dW, layer.db
        return grads
