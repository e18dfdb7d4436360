"""Generated MNIST-like digits: font glyphs, randomly distorted, normalised as MNIST was.

:func:`synthetic_digits` renders the digits 0-9 from the fonts Matplotlib ships, distorts them
(random affine map, elastic field, stroke width) and normalises them as MNIST was made. The book
uses them when no real dataset is available, and says so.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from cnnbook._validate import check_int, check_seed

__all__ = ["DIGIT_FONTS", "MAX_SYNTHETIC_DIGITS", "synthetic_digits"]


#: Fonts shipped with Matplotlib (``mpl-data/fonts/ttf``) whose digits are drawn.
DIGIT_FONTS: tuple[str, ...] = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf",
    "DejaVuSansMono-Oblique.ttf",
    "DejaVuSansMono-BoldOblique.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf",
    "DejaVuSerif-BoldItalic.ttf",
    "STIXGeneral.ttf",
    "STIXGeneralBol.ttf",
    "STIXGeneralItalic.ttf",
    "STIXGeneralBolIta.ttf",
    "cmr10.ttf",
    "cmb10.ttf",
    "cmss10.ttf",
    "cmtt10.ttf",
    "cmti10.ttf",
)

#: Most images :func:`synthetic_digits` draws in one call (about 3 GiB of float32 images).
MAX_SYNTHETIC_DIGITS = 1_000_000

_CELL = 64  # glyph cell of the high-resolution bank, pixels
_GLYPH_HEIGHT = 40.0  # digit height in the bank, pixels
_STROKES = (3.5, 5.0, 6.5, 8.0)  # stroke widths of the bank's variants, pixels (height 40)
_CANVAS = 48  # resolution at which a distorted digit is drawn before size normalisation
_BOX = 20  # MNIST: digits fit a 20×20 box ...
_FIELD = 28  # ... centred by centre of mass in a 28×28 field, ...
_CENTRE = 14.0  # ... at pixel (14, 14), 0-based: the mean over MNIST's test set is (13.99, 14.00)


def _stroke_width(polygons: list[np.ndarray]) -> float:
    """Mean stroke width of an outline: 2 × area / perimeter (exact for a constant-width band)."""
    area = 0.0
    perimeter = 0.0
    for p in polygons:
        x, y = p[:, 0], p[:, 1]
        area += 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))  # signed (shoelace)
        perimeter += float(np.hypot(np.diff(x, append=x[:1]), np.diff(y, append=y[:1])).sum())
    return 2.0 * abs(area) / perimeter


@functools.lru_cache(maxsize=1)
def _glyph_bank() -> np.ndarray:
    """Ink coverage of every (font, digit, stroke width), shape (fonts, 10, strokes, C+2, C+2).

    Rendered once per process with Matplotlib's Agg rasteriser (offscreen), under Matplotlib's
    default style and without a layout engine, so that neither the caller's style (the book turns
    on constrained layout, which warns about this axes-only figure) nor its settings change the
    pixels or print anything. Each digit outline
    (``TextPath``) is scaled to a height of 40 px and centred in a 64 px cell, then stroked in
    black (thicker) or white (thinner) so that its mean stroke width becomes each of ``_STROKES``
    (thinning at most 40 %, so hairlines survive). A zero border of one pixel pads each cell.
    """
    import matplotlib.style

    with matplotlib.style.context("default"):
        rgba = _draw_glyphs(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    ink = 1.0 - rgba[..., 0].astype(np.float32) / 255.0
    cells = ink.reshape(len(DIGIT_FONTS), len(_STROKES), _CELL, 10, _CELL).transpose(0, 3, 1, 2, 4)
    return np.pad(cells, ((0, 0), (0, 0), (0, 0), (1, 1), (1, 1)))


def _draw_glyphs(fonts: Path) -> np.ndarray:
    """The RGBA pixels of the glyph bank (see :func:`_glyph_bank`), one figure, no layout engine."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import PathPatch
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    n_f, n_s, c = len(DIGIT_FONTS), len(_STROKES), _CELL
    dpi = 72.0  # one point is one pixel
    fig = Figure(
        figsize=(10 * c / dpi, n_f * n_s * c / dpi), dpi=dpi, facecolor="white", layout="none"
    )
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 10 * c)
    ax.set_ylim(n_f * n_s * c, 0)
    for i, font in enumerate(DIGIT_FONTS):
        prop = FontProperties(fname=fonts / font)
        for d in range(10):
            path = TextPath((0, 0), str(d), size=1, prop=prop)
            box = path.get_extents()
            scale = _GLYPH_HEIGHT / box.height
            to_cell = Affine2D().translate(-box.x0 - box.width / 2, -box.y0 - box.height / 2)
            outline = to_cell.scale(scale, -scale).transform_path(path)
            width = _stroke_width(outline.to_polygons())
            for k, target in enumerate(_STROKES):
                change = float(np.clip(target - width, -0.4 * width, None))
                placed = Affine2D().translate(d * c + c / 2, (i * n_s + k) * c + c / 2)
                ax.add_patch(
                    PathPatch(
                        placed.transform_path(outline),
                        facecolor="black",
                        edgecolor="black" if change > 0 else "white",
                        linewidth=abs(change),
                    )
                )
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def _gaussian_resampler(sigma: float) -> np.ndarray:
    """Matrix (canvas × field) that smooths a 28-point noise row (Gaussian, std ``sigma`` field
    pixels, normalised to sum 1 as Simard et al.) and interpolates it linearly to the canvas."""
    i = np.arange(_FIELD)
    g = np.exp(-0.5 * ((i[:, None] - i[None, :]) / sigma) ** 2)
    g /= np.exp(-0.5 * (np.arange(-3 * _FIELD, 3 * _FIELD + 1) / sigma) ** 2).sum()
    u = (np.arange(_CANVAS) + 0.5) * _FIELD / _CANVAS - 0.5  # canvas pixel centres, field units
    lo = np.clip(np.floor(u).astype(int), 0, _FIELD - 2)
    frac = np.clip(u - lo, 0.0, 1.0)
    interp = np.zeros((_CANVAS, _FIELD))
    interp[np.arange(_CANVAS), lo] = 1 - frac
    interp[np.arange(_CANVAS), lo + 1] = frac
    return (interp @ g).astype(np.float32)


def _bilinear(bank: np.ndarray, index: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Sample images ``bank[index]`` (padded cells) at pixel coordinates (y, x), bilinearly.

    ``bank`` is (G, S, S); ``index`` (B,); ``y``, ``x`` (B, H, W) in the cell's pixel coordinates
    (pixel centres at integers, of the padded cell). Points outside read the zero border.
    """
    size = bank.shape[-1]
    y = np.clip(y, 0.0, size - 1)
    x = np.clip(x, 0.0, size - 1)
    y0 = np.minimum(y.astype(np.int32), size - 2)  # floor (y >= 0), kept off the last row
    x0 = np.minimum(x.astype(np.int32), size - 2)
    wy = y - y0
    wx = x - x0
    flat = bank.reshape(-1)
    base = index.astype(np.int64)[:, None, None] * (size * size) + y0 * size + x0
    top = flat[base] * (1 - wx) + flat[base + 1] * wx
    bottom = flat[base + size] * (1 - wx) + flat[base + size + 1] * wx
    return top * (1 - wy) + bottom * wy


def _area_weights(start: np.ndarray, extent: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Box-filter resampling matrices (B, 20, canvas): output pixel q of the 20 px box covers
    canvas interval [start + (q - offset) / scale, ... + 1 / scale), offset centring the extent."""
    offset = (_BOX - extent * scale) / 2
    q = np.arange(_BOX, dtype=np.float32)
    lo = start[:, None] + (q[None, :] - offset[:, None]) / scale[:, None]  # (B, 20)
    hi = lo + 1 / scale[:, None]
    p = np.arange(_CANVAS, dtype=np.float32)
    overlap = np.minimum(hi[:, :, None], p + 1) - np.maximum(lo[:, :, None], p)
    return np.clip(overlap, 0, None) * scale[:, None, None]


def _render_chunk(
    rng: np.random.Generator, labels: np.ndarray, resampler: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distort, size-normalise and centre one chunk of digits.

    Returns the images (B, 28, 28) float32 and a mask of those whose centre of mass could not be
    brought within half a pixel of the centre without cutting the 20×20 box (a rare, very
    top-heavy 7): the caller draws those again.
    """
    bank = _glyph_bank()
    n_f, _, n_s, size, _ = bank.shape
    b = labels.shape[0]
    font = rng.integers(0, n_f, size=b)
    stroke = rng.integers(0, n_s, size=b)
    angle = np.deg2rad(rng.uniform(-12.0, 12.0, size=b))
    shear = rng.uniform(-0.3, 0.3, size=b)
    aspect = np.exp(rng.uniform(-0.25, 0.15, size=b))  # width / height before normalisation
    alpha = rng.uniform(0.0, 30.0, size=b)  # elastic strength, field pixels (Simard: 34)
    noise = rng.uniform(-1.0, 1.0, size=(b, 2, _FIELD, _FIELD)).astype(np.float32)

    # Forward map glyph -> canvas: A = rotation · shear · diag(aspect, 1); we need its inverse.
    cos, sin = np.cos(angle), np.sin(angle)
    a00, a01 = cos * aspect, cos * shear - sin
    a10, a11 = sin * aspect, sin * shear + cos
    det = a00 * a11 - a01 * a10
    i00, i01, i10, i11 = a11 / det, -a01 / det, -a10 / det, a00 / det

    # Elastic field (Simard et al. 2003): uniform noise, Gaussian-smoothed, times alpha.
    field = resampler @ noise @ resampler.T  # (B, 2, canvas, canvas), field pixels
    field *= (alpha * _CELL / _FIELD).astype(np.float32)[:, None, None, None]

    centre = _CELL / 2
    u = (np.arange(_CANVAS, dtype=np.float32) + 0.5) * (_CELL / _CANVAS) - centre
    uy, ux = u[None, :, None], u[None, None, :]
    dy, dx = field[:, 0], field[:, 1]
    i00, i01, i10, i11 = (v.astype(np.float32)[:, None, None] for v in (i00, i01, i10, i11))
    gy = i10 * ux + i11 * uy + dy + centre + 0.5  # +1 pad, -0.5 pixel centre
    gx = i00 * ux + i01 * uy + dx + centre + 0.5
    index = (font * 10 + labels) * n_s + stroke
    ink = _bilinear(bank.reshape(-1, size, size), index, gy, gx)  # (B, canvas, canvas)

    # MNIST: bounding box scaled to fit 20×20 (aspect kept), then centre of mass to the centre.
    rows, cols = ink.max(axis=2) > 0.05, ink.max(axis=1) > 0.05
    top, left = rows.argmax(axis=1), cols.argmax(axis=1)
    bottom = _CANVAS - rows[:, ::-1].argmax(axis=1)
    right = _CANVAS - cols[:, ::-1].argmax(axis=1)
    height = (bottom - top).astype(np.float32)
    width = (right - left).astype(np.float32)
    scale = _BOX / np.maximum(np.maximum(height, width), 1.0)
    wy = _area_weights(top.astype(np.float32), height, scale)
    wx = _area_weights(left.astype(np.float32), width, scale)
    box = wy @ ink @ wx.transpose(0, 2, 1)  # (B, 20, 20)
    box /= np.maximum(box.max(axis=(1, 2), keepdims=True), 1e-6)

    mass = box.sum(axis=(1, 2))
    q = np.arange(_BOX, dtype=np.float32)
    com_y = (box.sum(axis=2) @ q) / mass
    com_x = (box.sum(axis=1) @ q) / mass
    shift_y, shift_x = np.rint(_CENTRE - com_y), np.rint(_CENTRE - com_x)
    oy = np.clip(shift_y, 0, _FIELD - _BOX).astype(np.intp)
    ox = np.clip(shift_x, 0, _FIELD - _BOX).astype(np.intp)
    out = np.zeros((b, _FIELD, _FIELD), dtype=np.float32)
    r = np.arange(_BOX)
    out[
        np.arange(b)[:, None, None], (oy[:, None] + r)[:, :, None], (ox[:, None] + r)[:, None, :]
    ] = box
    return out, (oy != shift_y) | (ox != shift_x)


def synthetic_digits(n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Generate MNIST-like images of the digits 0-9 from fonts (no download needed).

    Each digit is drawn from one of the fonts Matplotlib ships (:data:`DIGIT_FONTS`: DejaVu
    Sans, Sans Mono and Serif, STIX and Computer Modern, upright and slanted, regular and bold)
    at one of four stroke widths, then distorted by a random affine map (rotation ±12°, shear
    ±0.3, aspect ratio) and an elastic displacement field in the manner of Simard, Steinkraus
    and Platt (2003): uniform noise in [-1, 1] on a 28×28 grid, smoothed by a Gaussian of standard
    deviation 4 pixels and scaled by a random strength α in [0, 30] pixels. The images are then
    normalised as MNIST's were (LeCun et al. 1998): the digit's bounding box is scaled, aspect
    kept, to fit a 20×20 box (anti-aliased by box filtering), and the box is placed in a 28×28
    field so that its centre of mass is within half a pixel of pixel (14, 14), 0-based, where
    MNIST's digits have theirs.

    Parameters
    ----------
    n : int
        Number of images, at least 1 and at most :data:`MAX_SYNTHETIC_DIGITS` (the images take
        3,136 bytes each). Labels are balanced: each digit appears ``n // 10`` or
        ``n // 10 + 1`` times, in random order.
    seed : int, default 0
        Seed of the random generator: the same ``(n, seed)`` gives the same images.

    Returns
    -------
    x : numpy.ndarray
        Images, float32 in [0, 1], shape (n, 1, 28, 28); each has maximum 1.
    t : numpy.ndarray
        Labels, int64, shape (n,).

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer.
    ValueError
        If ``n`` < 1 or > :data:`MAX_SYNTHETIC_DIGITS` (the message gives the memory it would
        take), or ``seed`` < 0.

    Examples
    --------
    >>> x, t = synthetic_digits(20, seed=1)
    >>> x.shape, x.dtype, sorted(set(t.tolist())) == list(range(10))
    ((20, 1, 28, 28), dtype('float32'), True)
    """
    n = check_int(n, "n", 1)
    seed = check_seed(seed)
    if n > MAX_SYNTHETIC_DIGITS:
        size = n * _FIELD * _FIELD * np.dtype(np.float32).itemsize
        raise ValueError(
            f"n must be at most MAX_SYNTHETIC_DIGITS = {MAX_SYNTHETIC_DIGITS:,}; "
            f"n = {n:,} images would take {size:,} bytes ({size / 2**30:,.1f} GiB)"
        )
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 10).astype(np.int64)
    resampler = _gaussian_resampler(4.0)
    chunk = 1000
    images = np.empty((n, 1, _FIELD, _FIELD), dtype=np.float32)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        block, redraw = _render_chunk(rng, labels[start:stop], resampler)
        while redraw.any():
            again = np.flatnonzero(redraw)
            block[again], redraw[again] = _render_chunk(rng, labels[start:stop][again], resampler)
        images[start:stop, 0] = block
    return images, labels
