"""One figure style for the whole book.

Every chapter calls :func:`use_book_style` once, then draws with matplotlib as usual; the helpers
here cover the few figure types that recur (images with a colour bar, grids of kernels).

Examples
--------
>>> import numpy as np
>>> from cnnbook import plotting
>>> plotting.use_book_style()
>>> fig, ax = plotting.figure(width=4, height=3)
>>> _ = ax.plot(np.arange(5))
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import Animation
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Colours used for the recurring roles in the book's figures: input x, kernel w, feature map s.
COLORS: dict[str, str] = {
    "x": "#1f77b4",
    "w": "#d62728",
    "s": "#2ca02c",
    "reference": "#7f7f7f",
    "accent": "#ff7f0e",
}

#: Diverging colour map for signed arrays (kernels, gradients); grey scale for images.
DIVERGING = "RdBu_r"
GRAY = "gray"

_STYLE: dict[str, object] = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (6.4, 3.6),
    "figure.constrained_layout.use": True,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "image.cmap": GRAY,
    "image.interpolation": "nearest",
    "svg.hashsalt": "cnnbook",
}


def use_book_style() -> None:
    """Apply the book's matplotlib settings (sizes, fonts, grid, colour maps).

    Examples
    --------
    >>> from cnnbook.plotting import use_book_style
    >>> use_book_style()
    """
    mpl.rcParams.update(_STYLE)


def figure(width: float = 6.4, height: float = 3.6, nrows: int = 1, ncols: int = 1,
           **kwargs: object) -> tuple[Figure, Axes | np.ndarray]:
    """Create a figure in the book's style.

    Parameters
    ----------
    width, height : float
        Size in inches.
    nrows, ncols : int
        Grid of axes, as in :func:`matplotlib.pyplot.subplots`.
    **kwargs
        Passed on to :func:`matplotlib.pyplot.subplots`.

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes or numpy.ndarray of them

    Examples
    --------
    >>> fig, axes = figure(nrows=1, ncols=2)
    >>> axes.shape
    (2,)
    """
    use_book_style()
    return plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)


def show_array(ax: Axes, a: np.ndarray, *, title: str | None = None, signed: bool | None = None,
               colorbar: bool = False, annotate: bool = False, fmt: str = "{:.2g}") -> None:
    """Draw a 2-D array as an image, the way every chapter shows kernels and feature maps.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    a : numpy.ndarray
        A 2-D array.
    title : str, optional
        Axes title.
    signed : bool, optional
        Use a diverging colour map centred on zero; by default, when ``a`` has negative entries.
    colorbar : bool
        Add a colour bar.
    annotate : bool
        Write each value in its cell (for small arrays such as worked examples).
    fmt : str
        Format of the annotations.

    Examples
    --------
    >>> fig, ax = figure(2, 2)
    >>> show_array(ax, np.eye(3), annotate=True)
    """
    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"a must be a 2-D array, got shape {a.shape}")
    if signed is None:
        signed = bool(np.nanmin(a) < 0)
    if signed:
        lim = float(np.nanmax(np.abs(a))) or 1.0
        im = ax.imshow(a, cmap=DIVERGING, vmin=-lim, vmax=lim)
    else:
        im = ax.imshow(a, cmap=GRAY)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
    if annotate:
        lo, hi = im.get_clim()
        mid = (lo + hi) / 2
        for (i, j), v in np.ndenumerate(a):
            dark = (v < mid) if not signed else abs(v) > 0.5 * max(abs(lo), abs(hi))
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")


def image_grid(images: Sequence[np.ndarray] | np.ndarray, *, ncols: int = 8,
               titles: Sequence[str] | None = None, size: float = 1.0,
               signed: bool | None = None) -> Figure:
    """Show many small 2-D arrays (kernels, digits, feature maps) in a grid.

    Parameters
    ----------
    images : sequence of 2-D arrays, or an array of shape (n, h, w)
        The arrays to draw.
    ncols : int
        Number of columns.
    titles : sequence of str, optional
        One title per image.
    size : float
        Size of one cell in inches.
    signed : bool, optional
        Passed to :func:`show_array`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = image_grid(np.zeros((3, 5, 5)), ncols=3)
    >>> len(fig.axes)
    3
    """
    images = [np.asarray(im) for im in images]
    n = len(images)
    if n == 0:
        raise ValueError("images must hold at least one array")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = figure(width=size * ncols, height=size * nrows + (0.25 * nrows if titles else 0),
                       nrows=nrows, ncols=ncols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k < n:
            show_array(ax, images[k], title=titles[k] if titles else None, signed=signed)
        else:
            ax.axis("off")
    return fig


_EXTERNAL_STYLESHEET = re.compile(r"<link[^>]*href=\"https?://[^\"]*\"[^>]*>\s*", re.I)


def animation_html(anim: Animation, *, default_mode: str = "loop") -> str:
    """An animation as self-contained HTML and JavaScript that plays without a Python kernel.

    This is :meth:`matplotlib.animation.Animation.to_jshtml` with one change: matplotlib's
    player links a Font Awesome style sheet from a CDN, which an offline book must not request.
    The link is removed; the book's theme already provides the button icons.

    Parameters
    ----------
    anim : matplotlib.animation.Animation
        The animation; its frames are rendered now and embedded as PNG images.
    default_mode : {"loop", "once", "reflect"}
        What the player does at the last frame.

    Returns
    -------
    str
        HTML to display, e.g. with ``IPython.display.HTML``.

    Examples
    --------
    >>> from matplotlib.animation import FuncAnimation
    >>> fig, ax = figure(2, 2)
    >>> line, = ax.plot([0, 1], [0, 0])
    >>> anim = FuncAnimation(fig, lambda k: line.set_ydata([k, k]), frames=2)
    >>> html = animation_html(anim)
    >>> "<script" in html and "https://" not in html
    True
    """
    if default_mode not in ("loop", "once", "reflect"):
        raise ValueError(f"default_mode must be 'loop', 'once' or 'reflect', got {default_mode!r}")
    return _EXTERNAL_STYLESHEET.sub("", anim.to_jshtml(default_mode=default_mode))
