"""Data augmentation: random translations of a mini-batch.

A digit moved by a pixel or two is still the same digit. Showing the network each training image
at a slightly different position in every epoch teaches it that fact and so acts as a
regulariser: it cannot memorise the exact pixel positions of its training images. Convolution is
translation-equivariant already; the shifts teach the layers after it (the affine layers, which
see positions) to tolerate small moves too.
"""

from __future__ import annotations

import numpy as np

from cnnbook._validate import check_int, check_ndim, real_array

__all__ = ["random_shift"]


def random_shift(x: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Move each image by its own random offset of at most ``max_shift`` pixels, filling with 0.

    Offsets ``(dy, dx)`` are drawn uniformly from ``{-max_shift, ..., max_shift}`` for every image
    (``rng.integers(-max_shift, max_shift + 1, size=(N, 2))``); a positive ``dy`` moves the image
    down, a positive ``dx`` to the right. What moves out of the frame is lost, and the uncovered
    border is 0 (the background of MNIST). Nothing wraps around, unlike :func:`numpy.roll`.

    Parameters
    ----------
    x : numpy.ndarray
        Images ``(N, C, H, W)``.
    max_shift : int
        Largest offset in pixels along each axis, ``0 <= max_shift < min(H, W)``.
    rng : numpy.random.Generator
        Source of the offsets.

    Returns
    -------
    numpy.ndarray
        The shifted images, a new array of ``x``'s shape and dtype.

    Examples
    --------
    >>> x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    >>> random_shift(x, 1, np.random.default_rng(3))[0, 0]
    array([[0., 0., 0.],
           [1., 2., 0.],
           [4., 5., 0.]], dtype=float32)
    """
    x = check_ndim(real_array(x, "x"), "x", 4, "(N, C, H, W)")
    max_shift = check_int(max_shift, "max_shift", 0)
    if max_shift >= min(x.shape[2:]):
        raise ValueError(
            f"max_shift must be smaller than the image side {min(x.shape[2:])}, got {max_shift}"
        )
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    offsets = rng.integers(-max_shift, max_shift + 1, size=(len(x), 2))
    if max_shift == 0:
        return x.copy()
    s = max_shift
    padded = np.pad(x, ((0, 0), (0, 0), (s, s), (s, s)))
    h, w = x.shape[2:]
    out = np.empty_like(x)
    # One slice per distinct offset: images moved down by dy are read from dy rows higher up.
    for dy, dx in np.unique(offsets, axis=0):
        same = np.flatnonzero((offsets[:, 0] == dy) & (offsets[:, 1] == dx))
        out[same] = padded[same, :, s - dy : s - dy + h, s - dx : s - dx + w]
    return out
