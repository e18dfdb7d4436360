"""Tests of cnnbook.datasets.synthetic_digits: format, MNIST-style normalisation, determinism.

The NumPy pieces (bilinear sampling, Gaussian smoothing of the elastic field, box-filter
resampling, stroke width) are compared with SciPy or brute force; the images with MNIST's own
properties (20×20 box, centre of mass at pixel (14, 14)) and, when ``CNNBOOK_DATA`` holds the
real test set, with real digits.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from cnnbook import datasets as ds
from cnnbook.datasets import synthetic as syn


@pytest.fixture(scope="module")
def digits():
    return ds.synthetic_digits(300, seed=0)


def centre_of_mass(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.indices(images.shape[-2:])
    mass = images.sum(axis=(-2, -1))
    return (images * rows).sum(axis=(-2, -1)) / mass, (images * cols).sum(axis=(-2, -1)) / mass


def bounding_boxes(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    heights, widths = [], []
    for image in images:
        r, c = np.nonzero(image)
        heights.append(r.max() - r.min() + 1)
        widths.append(c.max() - c.min() + 1)
    return np.array(heights), np.array(widths)


def test_format(digits):
    x, t = digits
    assert x.shape == (300, 1, 28, 28) and x.dtype == np.float32
    assert t.shape == (300,) and t.dtype == np.int64
    assert x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_array_equal(x.max(axis=(1, 2, 3)), 1.0)
    assert np.bincount(t, minlength=10).tolist() == [30] * 10
    assert not np.array_equal(t[:10], np.arange(10))  # shuffled, not cycled


def test_all_labels_present_for_ten():
    _, t = ds.synthetic_digits(10, seed=5)
    assert sorted(t.tolist()) == list(range(10))


def test_deterministic_by_seed(digits):
    x, t = digits
    x2, t2 = ds.synthetic_digits(300, seed=0)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(t, t2)
    x3, t3 = ds.synthetic_digits(300, seed=1)
    assert not np.array_equal(t, t3)
    assert np.abs(x - x3).mean() > 0.05


def test_mnist_normalisation(digits):
    x, _ = digits
    heights, widths = bounding_boxes(x[:, 0])
    assert heights.max() <= 20 and widths.max() <= 20  # the digit fits a 20×20 box ...
    np.testing.assert_array_equal(np.maximum(heights, widths), 20)  # ... scaled to touch it
    cy, cx = centre_of_mass(x[:, 0])
    assert np.abs(cy - 14).max() <= 0.5 + 1e-4 and np.abs(cx - 14).max() <= 0.5 + 1e-4


def test_samples_differ_within_a_class(digits):
    x, t = digits
    sevens = x[t == 7].reshape(-1, 784)
    distances = np.linalg.norm(sevens[:, None] - sevens[None], axis=-1)
    assert distances[np.triu_indices(len(sevens), 1)].min() > 1.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="n must be >= 1"):
        ds.synthetic_digits(0)
    with pytest.raises(TypeError, match="n must be an integer"):
        ds.synthetic_digits(2.5)
    with pytest.raises(TypeError, match="n must be an integer"):
        ds.synthetic_digits("10")
    for bad in (True, 1.0, "3", None):
        with pytest.raises(TypeError, match="seed must be an integer"):
            ds.synthetic_digits(5, seed=bad)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        ds.synthetic_digits(5, seed=-1)


def test_too_many_images_are_refused_before_allocating():
    n = 10**9
    with pytest.raises(ValueError, match="MAX_SYNTHETIC_DIGITS") as info:
        ds.synthetic_digits(n)
    message = str(info.value)
    assert "n must be at most" in message
    assert f"{n * 28 * 28 * 4:,} bytes" in message  # float32 images of 28 x 28
    ds.synthetic_digits(1, seed=np.int64(3))  # NumPy integers are seeds too


def test_no_warnings_under_the_book_style():
    """The book's style turns on constrained layout; drawing the glyphs must not warn about it,
    and the style must not change a pixel of the glyph bank."""
    import warnings

    from cnnbook import plotting

    syn._glyph_bank.cache_clear()
    plain = syn._glyph_bank()
    syn._glyph_bank.cache_clear()
    import matplotlib as mpl

    with mpl.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("error")
        plotting.use_book_style()
        styled = syn._glyph_bank()
        x, _ = ds.synthetic_digits(30, seed=4)
    np.testing.assert_array_equal(styled, plain)
    assert x.shape == (30, 1, 28, 28)


# --------------------------------------------------------------------------------------------
# The NumPy building blocks against independent references
# --------------------------------------------------------------------------------------------


def test_bilinear_matches_scipy_map_coordinates():
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(0)
    bank = np.pad(rng.random((3, 12, 12)).astype(np.float32), ((0, 0), (1, 1), (1, 1)))
    index = np.array([2, 0, 1, 2])
    y = rng.uniform(-3, 16, size=(4, 5, 6)).astype(np.float32)
    x = rng.uniform(-3, 16, size=(4, 5, 6)).astype(np.float32)
    got = syn._bilinear(bank, index, y, x)
    for b, g in enumerate(index):
        inside = (y[b] >= 0) & (y[b] <= 13) & (x[b] >= 0) & (x[b] <= 13)
        want = ndimage.map_coordinates(
            bank[g].astype(np.float64), [y[b], x[b]], order=1, mode="constant", cval=0.0
        )
        np.testing.assert_allclose(got[b][inside], want[inside], atol=1e-5)
        np.testing.assert_allclose(got[b][~inside], 0.0, atol=1e-6)  # outside: the zero border


def test_elastic_field_is_gaussian_smoothing_then_linear_interpolation():
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(1)
    noise = rng.uniform(-1, 1, size=28)
    smooth = ndimage.gaussian_filter1d(noise, sigma=4.0, mode="constant", cval=0.0, truncate=8.0)
    canvas = syn._CANVAS
    u = (np.arange(canvas) + 0.5) * 28 / canvas - 0.5
    want = np.interp(u, np.arange(28), smooth)
    np.testing.assert_allclose(syn._gaussian_resampler(4.0) @ noise, want, atol=1e-5)


def test_area_weights_integrate_the_canvas_image():
    """Each output pixel is the mean of the canvas image over the pixel's footprint."""
    rng = np.random.default_rng(2)
    canvas = syn._CANVAS
    image = rng.random((canvas, canvas))
    start, extent = np.array([7.0, 3.0]), np.array([30.0, 12.0])
    scale = 20 / np.array([30.0, 15.0])
    w = syn._area_weights(
        start.astype(np.float32), extent.astype(np.float32), scale.astype(np.float32)
    )
    fine = 20_000  # brute force: average the piecewise-constant image on a fine grid
    for b in range(2):
        offset = (20 - extent[b] * scale[b]) / 2
        for q in (0, 5, 19):
            ys = start[b] + (q + (np.arange(fine) + 0.5) / fine - offset) / scale[b]
            inside = (ys >= 0) & (ys < canvas)
            profile = np.zeros(fine)
            profile[inside] = image[ys[inside].astype(int), 0]
            np.testing.assert_allclose(w[b, q] @ image[:, 0], profile.mean(), atol=2e-3)


def test_stroke_width_of_a_ring():
    angles = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    outer = np.c_[10 * np.cos(angles), 10 * np.sin(angles)]
    inner = np.c_[7 * np.cos(angles), -7 * np.sin(angles)]  # a hole: opposite winding
    assert syn._stroke_width([outer, inner]) == pytest.approx(3.0, rel=1e-3)


def test_glyph_bank_holds_every_digit_of_every_font():
    bank = syn._glyph_bank()
    n_fonts, n_digits, n_strokes = len(ds.DIGIT_FONTS), 10, len(syn._STROKES)
    assert bank.shape[:3] == (n_fonts, n_digits, n_strokes)
    ink = bank.sum(axis=(-2, -1))
    assert ink.min() > 50  # no empty glyph (a font without the digit)
    assert np.all(np.diff(ink, axis=2) >= -1e-3)  # the stroke variants get thicker in order
    assert np.all(ink[:, :, -1] > 1.5 * ink[:, :, 0])  # (the thinnest may equal the next one)
    np.testing.assert_array_equal(bank[..., 0, :], 0.0)  # zero border
    heights = (bank.max(axis=-1) > 0.5).sum(axis=-1)  # outline height ± the stroke change
    assert np.abs(heights - syn._GLYPH_HEIGHT).max() <= max(syn._STROKES)


# --------------------------------------------------------------------------------------------
# Compared with real MNIST digits
# --------------------------------------------------------------------------------------------


def _real_test_set():
    folder = os.environ.get("CNNBOOK_DATA")
    if not folder:
        pytest.skip("CNNBOOK_DATA is not set: no real MNIST digits to compare with")
    images = Path(folder) / "t10k-images-idx3-ubyte.gz"
    labels = Path(folder) / "t10k-labels-idx1-ubyte.gz"
    if not (images.is_file() and labels.is_file()):
        pytest.skip(f"{folder} does not hold the MNIST test files")
    return ds.read_idx(images).astype(np.float32) / 255, ds.read_idx(labels)


def test_normalised_like_real_mnist():
    x_real, _ = _real_test_set()
    heights, widths = bounding_boxes(x_real[:2000])
    assert np.maximum(heights, widths).max() == 20  # the rule imitated, seen in the real data
    cy, cx = centre_of_mass(x_real[:2000])
    assert np.abs(cy - 14).max() <= 0.5 + 1e-4 and np.abs(cx - 14).max() <= 0.5 + 1e-4


def test_nearest_centroid_of_synthetic_digits_reads_real_digits():
    """Class means of generated digits classify real MNIST digits far above chance (10 %)."""
    x_real, t_real = _real_test_set()
    x, t = ds.synthetic_digits(3000, seed=2)
    centroids = np.stack([x[t == k, 0].mean(axis=0).ravel() for k in range(10)])
    real = x_real[:2000].reshape(2000, -1)
    distances = ((real[:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    accuracy = (distances.argmin(axis=1) == t_real[:2000]).mean()
    assert accuracy > 0.4, accuracy
