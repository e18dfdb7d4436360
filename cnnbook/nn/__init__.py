"""A small convolutional network in NumPy, in the spirit of *Deep Learning from Scratch*, ch. 7.

``cnnbook.nn.windows``
    the windows of a convolution as matrices: :func:`~cnnbook.nn.windows.im2col`, its adjoint
    :func:`~cnnbook.nn.windows.col2im`, and the per-image :func:`~cnnbook.nn.windows.unfold` /
    :func:`~cnnbook.nn.windows.fold`.
``cnnbook.nn.layers``
    :class:`~cnnbook.nn.layers.Convolution`, :class:`~cnnbook.nn.layers.Pooling`,
    :class:`~cnnbook.nn.layers.ConvPool` (the two as one layer),
    :class:`~cnnbook.nn.layers.Relu`, :class:`~cnnbook.nn.layers.Affine`,
    :class:`~cnnbook.nn.layers.SoftmaxWithLoss`, each with ``forward`` and ``backward``, written
    like the reference code; :func:`~cnnbook.nn.layers.class_labels`, the one label check.
``cnnbook.nn.fast``
    the fast kernels that :class:`~cnnbook.nn.layers.Convolution`,
    :class:`~cnnbook.nn.layers.Pooling` and :class:`~cnnbook.nn.layers.ConvPool` call when created
    with ``fast=True``.
``cnnbook.nn.net``
    :class:`~cnnbook.nn.net.SimpleConvNet` and its configuration
    :class:`~cnnbook.nn.net.NetConfig`; :func:`~cnnbook.nn.net.save_npz`, the atomic ``.npz``
    writer.
``cnnbook.nn.optim``
    :class:`~cnnbook.nn.optim.SGD`, :class:`~cnnbook.nn.optim.Momentum`,
    :class:`~cnnbook.nn.optim.AdaGrad`, :class:`~cnnbook.nn.optim.RMSprop`,
    :class:`~cnnbook.nn.optim.Adam`.
``cnnbook.nn.trainer``
    :class:`~cnnbook.nn.trainer.Trainer`.
``cnnbook.nn.gradcheck``
    the book's one numerical gradient and one relative error; gradient checks of layers.
``cnnbook.nn.bench``
    speed comparisons (``python -m cnnbook bench``).

The names above are also importable from ``cnnbook.nn`` directly (``from cnnbook.nn import
SimpleConvNet``). Note that ``cnnbook.nn.im2col`` is then the *function*; import the module's
contents with ``from cnnbook.nn.windows import ...``.
"""

from cnnbook.nn.layers import (
    Affine,
    Convolution,
    ConvPool,
    Pooling,
    Relu,
    SoftmaxWithLoss,
    class_labels,
    softmax,
)
from cnnbook.nn.net import NetConfig, SimpleConvNet
from cnnbook.nn.optim import SGD, AdaGrad, Adam, Momentum, RMSprop, make_optimizer
from cnnbook.nn.trainer import Trainer
from cnnbook.nn.windows import col2im, fold, im2col, unfold

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "Affine",
    "ConvPool",
    "Convolution",
    "Momentum",
    "NetConfig",
    "Pooling",
    "RMSprop",
    "Relu",
    "SimpleConvNet",
    "SoftmaxWithLoss",
    "Trainer",
    "class_labels",
    "col2im",
    "fold",
    "im2col",
    "make_optimizer",
    "softmax",
    "unfold",
]
