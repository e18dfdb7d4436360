"""Seeded sample grid data: the arrays that convolution is applied to in the book.

Convolution needs data laid out on a regular grid, where neighbouring entries are related. This
module generates one example of each kind the book shows, without downloads:

* 1-D: a sound wave, amplitude × time (:func:`sound_wave`); a skeleton animation, joint angles ×
  time (:func:`skeleton_angles`);
* 2-D: a spectrogram, frequency × time (:func:`spectrogram`, from :func:`stft`); a colour image,
  shape ``(3, H, W)`` (:func:`color_image`);
* 3-D: a CT-like volume, shape ``(D, H, W)`` (:func:`ct_volume`); a colour video, shape
  ``(T, 3, H, W)`` (:func:`color_video`).

Colour arrays are channels-first, like the layers of the book (NCHW): a video is a stack of ``T``
images of shape ``(3, H, W)``. For :func:`matplotlib.pyplot.imshow`, move the channel axis last
(``image.transpose(1, 2, 0)``). Every random source is ``numpy.random.default_rng(seed)``, so the
same seed gives the same array.

The skeleton has several joints, but its grid is one-dimensional: the convolution runs along time,
each joint being a channel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from cnnbook._validate import check_alloc, check_int, check_ndim, check_real, check_seed, real_array

__all__ = [
    "JOINTS",
    "color_image",
    "color_video",
    "ct_volume",
    "hann_window",
    "skeleton_angles",
    "sound_wave",
    "spectrogram",
    "stft",
]


# --------------------------------------------------------------------------- 1-D


def sound_wave(
    duration: float = 1.6,
    sample_rate: int = 8000,
    notes: Sequence[float] = (440.0, 554.37, 659.26, 880.0),
    noise: float = 0.02,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """A short melody sampled in time: amplitude × time.

    The notes are played one after the other, each for ``duration / len(notes)`` seconds, as a
    plucked tone: the fundamental ``f`` with harmonics ``2f`` and ``3f`` (amplitudes 1, 1/2, 1/4),
    a 10 ms attack and an exponential decay (time constant a third of the note). Gaussian noise of
    standard deviation ``noise`` is added, and the wave is scaled so that ``max |x| = 0.9`` (a
    wave that is silent everywhere, as when each noiseless note lasts one sample, taken at its
    onset, is returned as zeros).
    The default notes are an A-major arpeggio: A4, C♯5, E5, A5.

    Parameters
    ----------
    duration : float, optional
        Length in seconds, ``> 0``.
    sample_rate : int, optional
        Samples per second, at least 1; every note must be below the Nyquist frequency
        ``sample_rate / 2`` (harmonics above it are left out).
    notes : sequence of float, optional
        Fundamental frequencies in hertz, each ``> 0`` and ``< sample_rate / 2``.
    noise : float, optional
        Standard deviation of the added noise, ``>= 0`` (before the final scaling).
    seed : int, optional
        Seed of the noise, a non-negative integer.

    Returns
    -------
    t : numpy.ndarray
        Sample times in seconds, ``arange(n) / sample_rate``.
    x : numpy.ndarray
        The amplitude at each time, same shape as ``t``.

    Raises
    ------
    TypeError
        If ``duration``, ``noise`` or a note is not a real number, ``notes`` is not a sequence,
        or ``sample_rate`` or ``seed`` is not an integer.
    ValueError
        If an argument is out of range, there are fewer samples than notes, or more than the
        4 GiB limit of ``cnnbook._validate.check_alloc`` allows (8 arrays of 8 bytes per
        sample: about 67 million samples).

    Examples
    --------
    >>> t, x = sound_wave(duration=0.5, sample_rate=4000)
    >>> t.shape, float(abs(x).max())
    ((2000,), 0.9)
    """
    duration = check_real(duration, "duration", minimum=0, strict=True)
    sample_rate = check_int(sample_rate, "sample_rate", 1)
    noise = check_real(noise, "noise", minimum=0)
    seed = check_seed(seed)
    if isinstance(notes, (str, bytes)) or not isinstance(notes, (Sequence, np.ndarray)):
        raise TypeError(f"notes must be a sequence of frequencies in hertz, got {notes!r}")
    notes = [check_real(f, "notes", minimum=0, strict=True) for f in notes]
    if not notes:
        raise ValueError("notes must hold at least one frequency")
    if max(notes) >= sample_rate / 2:
        raise ValueError(f"notes must be below sample_rate / 2 = {sample_rate / 2}, got {notes}")
    n = round(duration * sample_rate)
    if n < len(notes):
        raise ValueError(f"duration * sample_rate gives {n} samples, fewer than the notes")
    check_alloc(n, "duration", itemsize=8 * 8, what="samples (8 working arrays of 8 bytes each)")
    t = np.arange(n) / sample_rate
    note_length = duration / len(notes)
    x = np.zeros(n)
    for i, f in enumerate(notes):
        local = t - i * note_length  # time since the note started
        inside = (local >= 0) & (local < note_length)
        envelope = np.minimum(local / 0.01, 1.0) * np.exp(-local / (note_length / 3))
        tone = sum(
            a * np.sin(2 * np.pi * h * f * local)
            for h, a in ((1, 1.0), (2, 0.5), (3, 0.25))
            if h * f < sample_rate / 2
        )
        x += np.where(inside, envelope * tone, 0.0)
    x += noise * np.random.default_rng(seed).standard_normal(n)
    peak = np.abs(x).max()
    return t, (0.9 * x / peak if peak > 0 else x)  # silence (every sample at an onset) stays 0


#: The joints of :func:`skeleton_angles`, in row order.
JOINTS: tuple[str, ...] = (
    "left hip",
    "right hip",
    "left knee",
    "right knee",
    "left elbow",
    "right elbow",
)


def skeleton_angles(
    duration: float = 4.0,
    frame_rate: int = 30,
    stride_rate: float = 1.0,
    noise: float = 2.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Joint angles of a walking skeleton over time: joints × time, in degrees.

    A simple periodic gait with phase ``theta = 2 pi stride_rate t``: the hips swing
    ``20 sin(theta)`` degrees, the knees bend ``5 + 30 max(0, sin(theta + 1))^2`` degrees and
    the elbows swing ``15 + 10 sin(theta + pi)``; right joints are half a period behind left ones.
    Tracking noise (Gaussian, standard deviation ``noise`` degrees) is added to every angle, as a
    motion-capture system would record. Rows follow :data:`JOINTS`.

    Parameters
    ----------
    duration : float, optional
        Length in seconds, ``> 0``.
    frame_rate : int, optional
        Frames per second, at least 1.
    stride_rate : float, optional
        Strides per second, ``> 0``.
    noise : float, optional
        Standard deviation of the tracking noise in degrees, ``>= 0``.
    seed : int, optional
        Seed of the noise, a non-negative integer.

    Returns
    -------
    t : numpy.ndarray
        Frame times in seconds, shape ``(n_frames,)``.
    angles : numpy.ndarray
        Shape ``(len(JOINTS), n_frames)``.

    Raises
    ------
    TypeError
        If ``duration``, ``stride_rate`` or ``noise`` is not a real number, or ``frame_rate`` is
        not an integer.
    ValueError
        If an argument is out of range or there would be no frame.

    Examples
    --------
    >>> t, angles = skeleton_angles(duration=2.0, frame_rate=25)
    >>> angles.shape
    (6, 50)
    """
    duration = check_real(duration, "duration", minimum=0, strict=True)
    frame_rate = check_int(frame_rate, "frame_rate", 1)
    stride_rate = check_real(stride_rate, "stride_rate", minimum=0, strict=True)
    noise = check_real(noise, "noise", minimum=0)
    seed = check_seed(seed)
    n = round(duration * frame_rate)
    if n < 1:
        raise ValueError(f"duration * frame_rate must give at least one frame, got {n}")
    check_alloc(n, "duration", itemsize=8 * 6 * 3, what="frames (6 joints, 3 working arrays)")
    t = np.arange(n) / frame_rate
    theta_left = 2 * np.pi * stride_rate * t
    theta_right = theta_left - np.pi  # half a stride later

    def hip(theta):
        return 20 * np.sin(theta)

    def knee(theta):
        return 5 + 30 * np.maximum(0.0, np.sin(theta + 1.0)) ** 2

    def elbow(theta):
        return 15 + 10 * np.sin(theta + np.pi)

    angles = np.stack(
        [
            hip(theta_left),
            hip(theta_right),
            knee(theta_left),
            knee(theta_right),
            elbow(theta_left),
            elbow(theta_right),
        ]
    )
    angles += noise * np.random.default_rng(seed).standard_normal(angles.shape)
    return t, angles


# --------------------------------------------------------------------------- 2-D: spectrogram


def hann_window(size: int) -> np.ndarray:
    """The periodic Hann window ``w[n] = 0.5 - 0.5 cos(2 pi n / size)``, ``n = 0, ..., size - 1``.

    The periodic form (rather than the symmetric one) is the usual choice for spectral analysis,
    and the default of :func:`scipy.signal.get_window`.

    Parameters
    ----------
    size : int
        Window length, at least 2.

    Returns
    -------
    numpy.ndarray
        Shape ``(size,)``.

    Raises
    ------
    TypeError
        If ``size`` is not an integer.
    ValueError
        If ``size < 2``.

    Examples
    --------
    >>> hann_window(4)
    array([0. , 0.5, 1. , 0.5])
    """
    size = check_int(size, "size", 2)
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(size) / size)


def stft(x: ArrayLike, window_size: int = 256, hop: int = 64) -> np.ndarray:
    """The short-time Fourier transform: the DFT of overlapping windowed frames of ``x``.

    Frame ``m`` starts at sample ``m * hop``; with the Hann window ``v`` of :func:`hann_window` and
    ``N = window_size``,

    ``X[k, m] = sum_{n=0}^{N-1} x[m hop + n] v[n] exp(-2 pi i k n / N)``,  ``k = 0, ..., N // 2``

    (the non-negative frequencies; the others are complex conjugates for real ``x``). Only frames
    that fit entirely in ``x`` are used (no padding), so there are
    ``1 + (len(x) - N) // hop`` of them.

    Parameters
    ----------
    x : array_like
        A real 1-D signal with at least ``window_size`` samples.
    window_size : int, optional
        Frame length ``N``, at least 2.
    hop : int, optional
        Step between frame starts, at least 1.

    Returns
    -------
    numpy.ndarray
        Complex, shape ``(window_size // 2 + 1, n_frames)``: rows are frequencies, columns time.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array, or ``window_size`` or ``hop`` is not an integer.
    ValueError
        If ``x`` is not 1-D or shorter than ``window_size``, or ``window_size`` / ``hop`` is out
        of range.

    Examples
    --------
    >>> X = stft(np.cos(2 * np.pi * 8 * np.arange(256) / 64), window_size=64, hop=32)
    >>> X.shape, int(np.abs(X[:, 0]).argmax())  # 8 cycles per 64 samples: frequency bin 8
    ((33, 7), 8)
    """
    x = check_ndim(real_array(x, "x", float64=True), "x", 1, "(L,)")
    window_size = check_int(window_size, "window_size", 2)
    hop = check_int(hop, "hop", 1)
    if x.size < window_size:
        raise ValueError(f"x must have at least window_size = {window_size} samples, got {x.size}")
    n_frames = 1 + (x.size - window_size) // hop
    starts = hop * np.arange(n_frames)
    frames = x[starts[:, None] + np.arange(window_size)]  # (n_frames, N): frame m in row m
    spectra = np.fft.rfft(frames * hann_window(window_size), axis=1)
    return spectra.T


def spectrogram(
    x: ArrayLike, sample_rate: float, window_size: int = 256, hop: int = 64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The magnitude of :func:`stft` with its axes: rows are frequencies, columns are times.

    Parameters
    ----------
    x : array_like
        A real 1-D signal.
    sample_rate : float
        Samples per second of ``x``, ``> 0``.
    window_size, hop : int, optional
        As in :func:`stft`.

    Returns
    -------
    freqs : numpy.ndarray
        Frequency of each row in hertz, ``k * sample_rate / window_size``.
    times : numpy.ndarray
        Centre of each frame in seconds, ``(m * hop + window_size / 2) / sample_rate``.
    magnitude : numpy.ndarray
        ``abs(stft(x, window_size, hop))``, shape ``(len(freqs), len(times))``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric or ``sample_rate`` is not a real number.
    ValueError
        As :func:`stft`, or if ``sample_rate <= 0``.

    Examples
    --------
    >>> t, x = sound_wave(duration=0.4, sample_rate=4000, notes=(500.0,))
    >>> freqs, times, S = spectrogram(x, 4000, window_size=200, hop=100)
    >>> float(freqs[S[:, 3].argmax()])
    500.0
    """
    sample_rate = check_real(sample_rate, "sample_rate", minimum=0, strict=True)
    magnitude = np.abs(stft(x, window_size, hop))
    freqs = np.arange(magnitude.shape[0]) * sample_rate / window_size
    times = (hop * np.arange(magnitude.shape[1]) + window_size / 2) / sample_rate
    return freqs, times, magnitude


# --------------------------------------------------------------------------- 2-D: colour image


def color_image(height: int = 96, width: int = 128, seed: int = 0) -> np.ndarray:
    """A generated colour picture: a red house with a roof, a door and a window, a sky and a sun.

    The sky is a vertical gradient from deep to pale blue, the sun a yellow disc in the upper right,
    the ground a green field with seeded grass texture (noise), and the house a red square with a
    dark triangular roof. Shapes are drawn in coordinates relative to the image size, so any size
    shows the same scene.

    Parameters
    ----------
    height, width : int, optional
        Size in pixels, each at least 16.
    seed : int, optional
        Seed of the grass texture, a non-negative integer.

    Returns
    -------
    numpy.ndarray
        Shape ``(3, height, width)`` (channels R, G, B first), values in ``[0, 1]``.

    Raises
    ------
    TypeError
        If ``height`` or ``width`` is not an integer.
    ValueError
        If ``height`` or ``width`` is less than 16.

    Examples
    --------
    >>> image = color_image(32, 48)
    >>> image.shape, bool(image.min() >= 0 and image.max() <= 1)
    ((3, 32, 48), True)
    """
    height = check_int(height, "height", 16)
    width = check_int(width, "width", 16)
    check_alloc(
        height * width,
        "height and width",
        itemsize=8 * 8,
        what="pixels (8 working arrays of 8 bytes each)",
    )
    rng = np.random.default_rng(check_seed(seed))
    v, u = np.mgrid[0:height, 0:width]
    v = (v + 0.5) / height  # 0 at the top, 1 at the bottom
    u = (u + 0.5) / width  # 0 at the left, 1 at the right
    image = np.empty((3, height, width))

    def paint(mask: np.ndarray, rgb: tuple[float, float, float]) -> None:
        for c in range(3):
            image[c][mask] = rgb[c]

    # sky: deep blue at the top to pale blue at the horizon
    image[0], image[1], image[2] = 0.25 + 0.5 * v, 0.45 + 0.4 * v, 0.85 + 0.1 * v
    aspect = width / height
    sun = ((u - 0.82) * aspect) ** 2 + (v - 0.18) ** 2 < 0.11**2
    paint(sun, (1.0, 0.85, 0.2))
    ground = v > 0.68
    paint(ground, (0.2, 0.55, 0.15))
    image[1][ground] += 0.12 * rng.standard_normal(int(ground.sum()))  # grass texture
    walls = (u > 0.2) & (u < 0.5) & (v > 0.45) & (v < 0.8)
    paint(walls, (0.8, 0.15, 0.12))
    roof = (v > 0.22) & (v <= 0.45) & (np.abs(u - 0.35) < 0.18 * (v - 0.22) / 0.23)
    paint(roof, (0.3, 0.15, 0.1))
    door = (u > 0.31) & (u < 0.39) & (v > 0.62) & (v < 0.8)
    paint(door, (0.35, 0.2, 0.1))
    window = (u > 0.24) & (u < 0.29) & (v > 0.52) & (v < 0.6)
    paint(window, (0.95, 0.95, 0.7))
    return np.clip(image, 0.0, 1.0)


# --------------------------------------------------------------------------- 3-D: volume, video

#: Ellipsoids of the 3-D phantom: intensity A, semi-axes (a, b, c), centre (x0, y0, z0), and the
#: rotation phi (degrees) about the z axis. The values follow the modified 3-D Shepp-Logan phantom
#: (as in Kak & Slaney's phantom, with the contrast raised), leaving out its small tilts.
_ELLIPSOIDS: tuple[tuple[float, ...], ...] = (
    # A      a       b      c      x0     y0      z0     phi
    (1.0, 0.69, 0.92, 0.81, 0.0, 0.0, 0.0, 0.0),  # skull
    (-0.8, 0.6624, 0.874, 0.78, 0.0, -0.0184, 0.0, 0.0),  # brain
    (-0.2, 0.11, 0.31, 0.22, 0.22, 0.0, 0.0, -18.0),  # right ventricle
    (-0.2, 0.16, 0.41, 0.28, -0.22, 0.0, 0.0, 18.0),  # left ventricle
    (0.1, 0.21, 0.25, 0.41, 0.0, 0.35, -0.15, 0.0),
    (0.1, 0.046, 0.046, 0.05, 0.0, 0.1, 0.25, 0.0),
    (0.1, 0.046, 0.046, 0.05, 0.0, -0.1, 0.25, 0.0),
    (0.1, 0.046, 0.023, 0.05, -0.08, -0.605, 0.0, 0.0),
    (0.1, 0.023, 0.023, 0.02, 0.0, -0.606, 0.0, 0.0),
    (0.1, 0.023, 0.046, 0.02, 0.06, -0.605, 0.0, 0.0),
)


def ct_volume(size: int = 64, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """A CT-like 3-D volume: a Shepp–Logan-like head phantom made of ellipsoids.

    The head is a sum of ten uniform ellipsoids (skull, brain, two ventricles, small tumours) in the
    cube ``[-1, 1]^3``, sampled at the centres of ``size^3`` voxels. A voxel's value is the sum of
    the intensities of the ellipsoids containing it; without noise the values lie in ``[0, 1]``
    (0 outside the head, 1 in the skull, 0.2 in the brain). Optional Gaussian noise imitates a
    noisy scanner.

    Parameters
    ----------
    size : int, optional
        Voxels per side, at least 8.
    noise : float, optional
        Standard deviation of added Gaussian noise, ``>= 0``. Default 0 (no noise).
    seed : int, optional
        Seed of the noise, a non-negative integer.

    Returns
    -------
    numpy.ndarray
        Shape ``(size, size, size)``, indexed ``[z, y, x]`` (slice, row, column); row 0 is the top
        (``y = +1``), so ``volume[k]`` displays upright with :func:`matplotlib.pyplot.imshow`.

    Raises
    ------
    TypeError
        If ``size`` is not an integer or ``noise`` is not a real number.
    ValueError
        If ``size < 8`` or ``noise < 0``.

    Examples
    --------
    >>> volume = ct_volume(16)
    >>> volume.shape, float(volume.min()), float(volume.max())
    ((16, 16, 16), 0.0, 1.0)
    """
    size = check_int(size, "size", 8)
    noise = check_real(noise, "noise", minimum=0)
    seed = check_seed(seed)
    check_alloc(size**3, "size", itemsize=8 * 8, what="voxels (8 working arrays of 8 bytes each)")
    centres = (np.arange(size) + 0.5) / size * 2 - 1
    z, y, x = np.meshgrid(centres, centres[::-1], centres, indexing="ij")
    volume = np.zeros((size, size, size))
    for A, a, b, c, x0, y0, z0, phi in _ELLIPSOIDS:
        cos, sin = math.cos(math.radians(phi)), math.sin(math.radians(phi))
        xr = (x - x0) * cos + (y - y0) * sin  # coordinates in the ellipsoid's own axes
        yr = -(x - x0) * sin + (y - y0) * cos
        inside = (xr / a) ** 2 + (yr / b) ** 2 + ((z - z0) / c) ** 2 <= 1.0
        volume[inside] += A
    volume = np.round(volume, 12)  # removes rounding dust such as 1 - 0.8 - 0.2 = 5.6e-17
    if noise > 0:
        volume += noise * np.random.default_rng(seed).standard_normal(volume.shape)
    return volume


def color_video(
    n_frames: int = 24,
    height: int = 48,
    width: int = 64,
    radius: float = 6.0,
    noise: float = 0.03,
    seed: int = 0,
) -> np.ndarray:
    """A colour video of a red ball rolling from left to right at constant speed.

    The background is a fixed gradient (teal on the left to light blue on the right). In frame
    ``t`` the ball's centre, in pixel coordinates, is

    ``col(t) = radius + 1 + t (width - 2 radius - 3) / (n_frames - 1)``, ``row = (height - 1) / 2``:

    it starts at the left edge and ends at the right one. Sensor noise (Gaussian, standard
    deviation ``noise``) is added to every pixel of every frame and the result is clipped to
    ``[0, 1]``.

    Parameters
    ----------
    n_frames : int, optional
        Number of frames ``T``, at least 2.
    height, width : int, optional
        Frame size in pixels; each must exceed ``2 * radius + 3``.
    radius : float, optional
        Ball radius in pixels, ``> 0``.
    noise : float, optional
        Noise standard deviation, ``>= 0``.
    seed : int, optional
        Seed of the noise, a non-negative integer.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_frames, 3, height, width)``: time, channel (R, G, B), row, column; values in
        ``[0, 1]``. Show frame ``t`` with ``imshow(video[t].transpose(1, 2, 0))``.

    Raises
    ------
    TypeError
        If ``radius`` or ``noise`` is not a real number, or ``n_frames``, ``height`` or ``width``
        is not an integer.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> video = color_video(n_frames=5, height=20, width=30, radius=3)
    >>> video.shape
    (5, 3, 20, 30)
    """
    n_frames = check_int(n_frames, "n_frames", 2)
    radius = check_real(radius, "radius", minimum=0, strict=True)
    noise = check_real(noise, "noise", minimum=0)
    seed = check_seed(seed)
    height = check_int(height, "height", 1)
    width = check_int(width, "width", 1)
    for name, size in (("height", height), ("width", width)):
        if size <= 2 * radius + 3:
            raise ValueError(
                f"{name} must exceed 2 * radius + 3 = {2 * radius + 3:g} (radius = {radius:g}), "
                f"got {size}"
            )
    check_alloc(
        n_frames * 3 * height * width,
        "n_frames, height and width",
        itemsize=8 * 3,
        what="values (3 working arrays of 8 bytes each)",
    )
    rows, cols = np.mgrid[0:height, 0:width]
    background = np.stack(
        [
            0.1 + 0.5 * cols / (width - 1),
            0.55 + 0.25 * cols / (width - 1),
            0.6 + 0.3 * cols / (width - 1),
        ]
    )
    video = np.repeat(background[None], n_frames, axis=0)
    centre_row = (height - 1) / 2
    for t in range(n_frames):
        centre_col = radius + 1 + t * (width - 2 * radius - 3) / (n_frames - 1)
        ball = (rows - centre_row) ** 2 + (cols - centre_col) ** 2 <= radius**2
        for c, value in enumerate((0.9, 0.12, 0.1)):
            video[t, c][ball] = value
    video += noise * np.random.default_rng(seed).standard_normal(video.shape)
    return np.clip(video, 0.0, 1.0)
