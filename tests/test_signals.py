"""cnnbook.signals: shapes, ranges, seeds, and the STFT against SciPy and a direct DFT loop."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal as sps

from cnnbook import signals as S

# --------------------------------------------------------------------------- STFT


def test_hann_window_matches_scipy_periodic_hann():
    for n in (2, 7, 64):
        np.testing.assert_allclose(S.hann_window(n), sps.get_window("hann", n), atol=1e-15)


@pytest.mark.parametrize("n, window_size, hop", [(1000, 128, 32), (513, 64, 64), (300, 50, 7)])
def test_stft_matches_scipy(n, window_size, hop):
    x = np.random.default_rng(n).standard_normal(n)
    X = S.stft(x, window_size, hop)
    _, _, Z = sps.stft(
        x,
        window="hann",
        nperseg=window_size,
        noverlap=window_size - hop,
        boundary=None,
        padded=False,
        detrend=False,
        scaling="spectrum",
    )
    # scipy's "spectrum" scaling divides by the window's sum
    np.testing.assert_allclose(X, Z * S.hann_window(window_size).sum(), atol=1e-10)


def test_stft_matches_direct_dft_loop():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(100)
    N, hop = 16, 5
    v = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N) / N)
    n_frames = 1 + (100 - N) // hop
    expected = np.zeros((N // 2 + 1, n_frames), complex)
    for m in range(n_frames):
        for k in range(N // 2 + 1):
            for n in range(N):
                expected[k, m] += x[m * hop + n] * v[n] * np.exp(-2j * np.pi * k * n / N)
    np.testing.assert_allclose(S.stft(x, N, hop), expected, atol=1e-12)


def test_spectrogram_axes_and_peak_frequencies():
    rate = 8000
    notes = (440.0, 554.37, 659.26, 880.0)
    t, x = S.sound_wave(duration=1.6, sample_rate=rate, notes=notes, seed=0)
    freqs, times, mag = S.spectrogram(x, rate, window_size=512, hop=128)
    assert mag.shape == (257, 1 + (t.size - 512) // 128)
    np.testing.assert_allclose(freqs, np.fft.rfftfreq(512, 1 / rate))
    np.testing.assert_allclose(times, (np.arange(mag.shape[1]) * 128 + 256) / rate)
    # in the middle of each note the strongest row is the note's fundamental (bin width 15.6 Hz)
    for i, f in enumerate(notes):
        m = int(np.argmin(np.abs(times - (i + 0.3) * 0.4)))
        assert abs(freqs[mag[:, m].argmax()] - f) <= rate / 512


# --------------------------------------------------------------------------- 1-D data


def test_sound_wave_shape_scale_and_seed():
    t, x = S.sound_wave(duration=0.5, sample_rate=4000, seed=2)
    assert t.shape == x.shape == (2000,)
    np.testing.assert_allclose(np.diff(t), 1 / 4000)
    assert np.abs(x).max() == pytest.approx(0.9)
    np.testing.assert_array_equal(x, S.sound_wave(duration=0.5, sample_rate=4000, seed=2)[1])
    assert not np.array_equal(x, S.sound_wave(duration=0.5, sample_rate=4000, seed=3)[1])


def test_skeleton_angles_shape_period_and_seed():
    t, a = S.skeleton_angles(duration=4.0, frame_rate=30, noise=0.0)
    assert a.shape == (len(S.JOINTS), 120) and t.shape == (120,)
    # one stride per second: the noise-free angles repeat every 30 frames
    np.testing.assert_allclose(a[:, 30:], a[:, :-30], atol=1e-9)
    # right joints lag the left ones by half a stride (15 frames)
    np.testing.assert_allclose(a[1::2, 15:], a[0::2, :-15], atol=1e-9)
    assert a[0].max() == pytest.approx(20, abs=0.5) and a[0].min() == pytest.approx(-20, abs=0.5)
    _, b = S.skeleton_angles(seed=4)
    _, c = S.skeleton_angles(seed=4)
    np.testing.assert_array_equal(b, c)
    assert np.std(b - a) == pytest.approx(2.0, rel=0.1)  # default noise: 2 degrees


# --------------------------------------------------------------------------- 2-D and 3-D data


def test_color_image_shape_range_and_seed():
    image = S.color_image(96, 128, seed=0)
    assert image.shape == (3, 96, 128)
    assert image.min() >= 0 and image.max() <= 1
    np.testing.assert_array_equal(image, S.color_image(96, 128, seed=0))
    assert not np.array_equal(image, S.color_image(96, 128, seed=1))
    # recognisable content: the wall is red, the sky is blue, the grass green
    r, g, b = image[:, 70, 28]
    assert r > 0.7 and g < 0.3 and b < 0.3
    assert image[2, 2, 10] > image[0, 2, 10] and image[2, 2, 10] > image[1, 2, 10]
    assert image[1, 90, 110] > image[0, 90, 110]


def test_ct_volume_shape_range_symmetry_and_noise_seed():
    volume = S.ct_volume(48)
    assert volume.shape == (48, 48, 48)
    assert volume.min() == 0.0 and volume.max() == 1.0
    assert set(np.unique(volume.round(6))) <= {0.0, 0.1, 0.2, 0.3, 0.4, 1.0}
    assert volume[24, 24, 24] == pytest.approx(0.2)  # brain tissue near the centre
    assert volume[24, 24, 0] == 0.0 and volume[0, 0, 0] == 0.0  # air outside the head
    # the skull contains the brain: on the central row, 1 appears before and after 0.2
    row = volume[24, 24]
    assert row[np.nonzero(row)[0][0]] == 1.0 and row[np.nonzero(row)[0][-1]] == 1.0
    noisy = S.ct_volume(16, noise=0.05, seed=7)
    np.testing.assert_array_equal(noisy, S.ct_volume(16, noise=0.05, seed=7))
    assert np.std(noisy - S.ct_volume(16)) == pytest.approx(0.05, rel=0.1)


def test_color_video_shape_range_seed_and_motion():
    T, H, W, radius = 10, 40, 60, 5.0
    video = S.color_video(n_frames=T, height=H, width=W, radius=radius, seed=0)
    assert video.shape == (T, 3, H, W)
    assert video.min() >= 0 and video.max() <= 1
    np.testing.assert_array_equal(
        video, S.color_video(n_frames=T, height=H, width=W, radius=radius, seed=0)
    )
    cols = np.arange(W)
    for t in range(T):
        red = (video[t, 0] > 0.75) & (video[t, 1] < 0.35)  # the ball's pixels
        assert abs(red.sum() - np.pi * radius**2) < 0.2 * np.pi * radius**2
        centre = (red * cols).sum() / red.sum()
        expected = radius + 1 + t * (W - 2 * radius - 3) / (T - 1)
        assert abs(centre - expected) < 0.5


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, exc, name",
    [
        (lambda: S.sound_wave(duration=0), ValueError, "duration"),
        (lambda: S.sound_wave(sample_rate=0), ValueError, "sample_rate"),
        (lambda: S.sound_wave(sample_rate=1000, notes=(600.0,)), ValueError, "notes"),
        (lambda: S.sound_wave(notes=()), ValueError, "notes"),
        (lambda: S.sound_wave(noise=-1.0), ValueError, "noise"),
        (lambda: S.skeleton_angles(frame_rate=2.5), TypeError, "frame_rate"),
        (lambda: S.skeleton_angles(stride_rate="1"), TypeError, "stride_rate"),
        (lambda: S.hann_window(0), ValueError, "size"),
        (lambda: S.hann_window(1), ValueError, "size"),
        (lambda: S.stft(np.ones((4, 4)), 2, 1), ValueError, "x must have shape (L,)"),
        (lambda: S.stft(np.ones(10), 16, 4), ValueError, "window_size"),
        (lambda: S.stft(np.ones(10), 4, 0), ValueError, "hop"),
        (lambda: S.stft(np.array(["a", "b"]), 2, 1), TypeError, "x must be a real"),
        (lambda: S.spectrogram(np.ones(100), -1.0, 16, 4), ValueError, "sample_rate"),
        (lambda: S.color_image(8, 32), ValueError, "height"),
        (lambda: S.ct_volume(4), ValueError, "size"),
        (lambda: S.ct_volume(16, noise=-0.1), ValueError, "noise"),
        (lambda: S.color_video(n_frames=1), ValueError, "n_frames"),
        (lambda: S.color_video(height=10, radius=6.0), ValueError, "height"),
        (lambda: S.color_video(radius=0.0), ValueError, "radius"),
        # issue 13: seeds, conversions and blind allocations
        (lambda: S.sound_wave(seed=-1), ValueError, "seed must be >= 0"),
        (lambda: S.sound_wave(seed=1.5), TypeError, "seed must be an integer >= 0"),
        (lambda: S.skeleton_angles(seed="a"), TypeError, "seed"),
        (lambda: S.color_image(seed="a"), TypeError, "seed"),
        (lambda: S.color_image(seed=True), TypeError, "seed"),
        (lambda: S.ct_volume(16, noise=0.1, seed=-2), ValueError, "seed"),
        (lambda: S.color_video(seed=None), TypeError, "seed"),
        (lambda: S.sound_wave(notes=440.0), TypeError, "notes must be a sequence"),
        (lambda: S.sound_wave(notes="440"), TypeError, "notes must be a sequence"),
        (lambda: S.sound_wave(notes=[440 + 1j]), TypeError, "notes"),
        (lambda: S.color_video(radius=1e308), ValueError, "2 * radius + 3 = inf (radius = 1e+308)"),
        (lambda: S.color_video(width=10, radius=3.5), ValueError, "width must exceed"),
        (lambda: S.sound_wave(duration=1e9), ValueError, "duration asks for 8000000000000 samples"),
        (lambda: S.skeleton_angles(duration=1e12), ValueError, "duration asks for"),
        (lambda: S.ct_volume(3000), ValueError, "size asks for 27000000000 voxels"),
        (lambda: S.color_image(10**6, 10**6), ValueError, "height and width asks for"),
        (lambda: S.color_video(10**6, 100, 100), ValueError, "n_frames, height and width asks"),
        (lambda: S.stft(np.array([1 + 1j, 2]), 2, 1), TypeError, "x must be real"),
    ],
)
def test_bad_input_names_the_argument(call, exc, name):
    with pytest.raises(exc) as info:
        call()
    assert name in str(info.value)


def test_a_silent_melody_is_zeros_not_nan():
    """Four one-sample notes, each sampled at its onset where the attack envelope is 0."""
    t, x = S.sound_wave(duration=4 / 8000, sample_rate=8000, noise=0)
    assert t.shape == (4,)
    np.testing.assert_array_equal(x, np.zeros(4))
