"""cnnbook: the code executed by the book *What is Convolution?*.

The package is organised one idea per module, in the order the book meets them (the module map,
with where a new piece goes, is in the repository's CONTRIBUTING.md):

``cnnbook.conv``
    convolution and cross-correlation (direct, FFT, automatic choice), convolution matrices,
    output sizes, the deep-learning layer operation and its unshared and tiled variants.
``cnnbook.cost``
    parameter counts, interaction costs, edge-detection counts and receptive fields.
``cnnbook.timing``
    the one interleaved timer of every benchmark and chapter.
``cnnbook.probability``
    densities of sums of independent random variables (convolution outside deep learning).
``cnnbook.signals``
    seeded sample grid data in one, two and three dimensions.
``cnnbook.stimuli``, ``cnnbook.gabor``, ``cnnbook.gabor_fit``, ``cnnbook.revcorr``
    stimuli, Gabor functions and model cells, fitting Gabor functions, reverse correlation.
``cnnbook.nn``
    a small convolutional network in NumPy (windows, layers, fast kernels, network, optimisers,
    augmentation, trainer, gradient checks, benchmark).
``cnnbook.datasets``
    MNIST and Fashion-MNIST found, verified and loaded; generated digits; the book's choice.
``cnnbook.plotting``
    the figure style shared by every chapter, light and dark.

Submodules are imported explicitly (``from cnnbook import conv``), so that importing the package
stays cheap.
"""

__version__ = "0.1.0"
