"""cnnbook: the code executed by the book *What is Convolution?*.

The package is organised one idea per module, in the order the book meets them:

``cnnbook.conv``
    convolution and cross-correlation, the FFT route, convolution matrices, output sizes,
    the deep-learning layer operation and its unshared and tiled variants.
``cnnbook.probability``
    densities of sums of independent random variables (convolution outside deep learning).
``cnnbook.signals``
    seeded sample grid data in one, two and three dimensions.
``cnnbook.gabor``
    Gabor functions, simple and complex cells.
``cnnbook.nn``
    a small convolutional network in NumPy (layers, network, optimisers, trainer).
``cnnbook.datasets``
    MNIST and Fashion-MNIST loading with checksums, and generated digits.
``cnnbook.plotting``
    the figure style shared by every chapter.

Submodules are imported explicitly (``from cnnbook import conv``), so that importing the package
stays cheap.
"""

__version__ = "0.1.0"
