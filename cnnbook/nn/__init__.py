"""A small convolutional network in NumPy, in the spirit of *Deep Learning from Scratch*, ch. 7.

``cnnbook.nn.im2col``
    unfolding images into window matrices: :func:`~cnnbook.nn.im2col.im2col`, its adjoint
    :func:`~cnnbook.nn.im2col.col2im`, and the batched :func:`~cnnbook.nn.im2col.unfold` /
    :func:`~cnnbook.nn.im2col.fold`.
``cnnbook.nn.layers``
    :class:`~cnnbook.nn.layers.Convolution`, :class:`~cnnbook.nn.layers.Pooling`,
    :class:`~cnnbook.nn.layers.Relu`, :class:`~cnnbook.nn.layers.Affine`,
    :class:`~cnnbook.nn.layers.SoftmaxWithLoss`, each with ``forward`` and ``backward``.
``cnnbook.nn.net``
    :class:`~cnnbook.nn.net.SimpleConvNet`.
``cnnbook.nn.optim``
    :class:`~cnnbook.nn.optim.SGD`, :class:`~cnnbook.nn.optim.Momentum`,
    :class:`~cnnbook.nn.optim.AdaGrad`, :class:`~cnnbook.nn.optim.RMSprop`,
    :class:`~cnnbook.nn.optim.Adam`.
``cnnbook.nn.trainer``
    :class:`~cnnbook.nn.trainer.Trainer`.
``cnnbook.nn.gradcheck``
    finite-difference gradient checks.
``cnnbook.nn.bench``
    speed comparisons (``python -m cnnbook bench``).

The names above are also importable from ``cnnbook.nn`` directly (``from cnnbook.nn import
SimpleConvNet``). Note that ``cnnbook.nn.im2col`` is then the *function*; import the module's
contents with ``from cnnbook.nn.windows import ...``.
"""

from cnnbook.nn.windows import col2im, fold, im2col, unfold
from cnnbook.nn.layers import (
    Affine,
    Convolution,
    Pooling,
    Relu,
    SoftmaxWithLoss,
    class_labels,
    softmax,
)
from cnnbook.nn.net import SimpleConvNet
from cnnbook.nn.optim import SGD, AdaGrad, Adam, Momentum, RMSprop, make_optimizer
from cnnbook.nn.trainer import Trainer

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "Affine",
    "Convolution",
    "Momentum",
    "Pooling",
    "RMSprop",
    "Relu",
    "SimpleConvNet",
    "SoftmaxWithLoss",
    "Trainer",
    "col2im",
    "fold",
    "im2col",
    "make_optimizer",
    "softmax",
    "unfold",
]
