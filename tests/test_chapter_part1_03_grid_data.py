"""Chapter ``part1/03-grid-data``: glued values and the functions its cells define.

The values that "Grid data" glues into its prose (myst-nb ``glue``) are read back from the executed
notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed independently
(tests marked ``book``). Build first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR``
pointing at it).

The functions the page defines in its code cells are read from its source
(:func:`bookutils.chapter_function`: only the ``def``, run with the imports of the page's first code
cell; no build needed), so these tests check the code the reader sees, and compare it with
independent references: brute-force loops written here, SciPy, PyTorch's autograd (when installed)
and ``cnnbook``.
"""

from __future__ import annotations

import numpy as np
import pytest
from bookutils import chapter_function, value
from scipy import signal

PAGE3 = "part1/03-grid-data"


@pytest.mark.book
def test_page3_sound_and_spectrogram():
    from scipy import signal as sps

    from cnnbook.signals import sound_wave

    n_notes = value(PAGE3, "n_notes")
    assert value(PAGE3, "n_onsets") == n_notes == 4
    onsets = [float(v) for v in value(PAGE3, "onsets").split(", ")]
    np.testing.assert_allclose(onsets, value(PAGE3, "note_length") * np.arange(n_notes), atol=0.02)
    rate = value(PAGE3, "rate")
    _, x = sound_wave(duration=1.6, sample_rate=rate, seed=0)
    assert value(PAGE3, "n_sound") == x.size
    f, t, _ = sps.stft(x, rate, nperseg=256, noverlap=192, boundary=None, padded=False)
    assert value(PAGE3, "spec_shape") == f"{f.size} × {t.size}"
    assert value(PAGE3, "bin_hz") == pytest.approx(f[1])


@pytest.mark.book
def test_page3_smoothing_reduces_noise():
    assert value(PAGE3, "sk_rms_smooth") < value(PAGE3, "sk_rms_noisy")
    # the smoothed error is bias plus the noise left; the page says the bias is the larger part
    bias, left = value(PAGE3, "sk_rms_bias"), value(PAGE3, "sk_rms_left")
    assert bias > left
    assert value(PAGE3, "sk_rms_smooth") <= bias + left + 1e-12
    assert value(PAGE3, "sk_rms_noisy") == pytest.approx(2.0, rel=0.15)  # the default noise
    assert value(PAGE3, "vol_flat_smooth") < value(PAGE3, "vol_flat_noisy") / 3
    assert value(PAGE3, "vol_rmse_smooth") < value(PAGE3, "vol_rmse_noisy")
    before, after = value(PAGE3, "vid_std_before"), value(PAGE3, "vid_std_after")
    assert after == pytest.approx(before / np.sqrt(5), rel=0.25)
    # the quoted factor is the ratio of the two quoted deviations, and exceeds sqrt(5) (see page 3)
    assert value(PAGE3, "vid_std_ratio") == pytest.approx(before / after, rel=1e-12)
    assert value(PAGE3, "vid_std_ratio") > np.sqrt(5)


@pytest.mark.book
def test_page3_shapes_and_exercises():
    assert value(PAGE3, "img_shape") == "3 × 96 × 128"
    # a 9x9 blur with zero padding reaches 4 pixels of padding from the border
    assert value(PAGE3, "img_blur_frame") == (9 - 1) // 2
    assert value(PAGE3, "vid_shape") == "24 × 3 × 48 × 64"
    assert value(PAGE3, "vol_size") == 48
    assert value(PAGE3, "n_joints") == 6
    assert value(PAGE3, "ex_cost_3d") == 125 and value(PAGE3, "ex_cost_sep") == 15
    assert value(PAGE3, "ex_sep_diff") < 1e-12
    # two crescents of a moving ball: some pixels change, fewer than the ball's area
    assert 0 < value(PAGE3, "ex_moving_pixels") < value(PAGE3, "ex_ball_area")


gaussian_kernel = chapter_function("part1/03-grid-data.md", "gaussian_kernel")


@pytest.mark.parametrize("size, sigma", [(9, 2.0), (5, 1.0), (21, 3.5), (1, 1.0)])
def test_gaussian_kernel_is_scipys_window_normalised(size, sigma):
    window = signal.windows.gaussian(size, sigma)
    np.testing.assert_allclose(gaussian_kernel(size, sigma), window / window.sum(), rtol=1e-12)
