"""One figure style for the whole book.

Every chapter calls :func:`use_book_style` once, then draws with matplotlib as usual; the helpers
here cover the few figure types that recur (images with a colour bar, grids of kernels).

Light and dark
    In a notebook (IPython), :func:`use_book_style` also makes every displayed figure an HTML
    output with two renderings on transparent backgrounds: the light one (class ``only-light``)
    and a dark one (class ``only-dark``) whose text, axes and black lines are light
    (:func:`dark_png`); the book's theme shows the one that matches the reader's mode. Images drawn
    with ``imshow`` keep their colours in both. The plain PNG output stays in the notebook for
    other front ends. Alt text comes from :func:`set_alt`, else from the figure's titles and axis
    labels (:func:`alt_text`).

Examples
--------
>>> import numpy as np
>>> from cnnbook import plotting
>>> plotting.use_book_style()
>>> fig, ax = plotting.figure(width=4, height=3)
>>> _ = ax.plot(np.arange(5))
"""

from __future__ import annotations

import base64
import colorsys
import html
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import Animation
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text

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
    _register_html_formatter()


def _register_html_formatter() -> None:
    """In IPython, display figures as light and dark renderings (see the module notes)."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing is displayed
        return
    shell = get_ipython()
    if shell is not None:
        # Load the backend first (a figure created and closed): activating the inline backend
        # removes every figure formatter registered before it.
        plt.close(plt.figure())
        shell.display_formatter.formatters["text/html"].for_type(Figure, figure_html)


def figure(
    width: float = 6.4, height: float = 3.6, nrows: int = 1, ncols: int = 1, **kwargs: object
) -> tuple[Figure, Axes | np.ndarray]:
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


def show_array(
    ax: Axes,
    a: np.ndarray,
    *,
    title: str | None = None,
    signed: bool | None = None,
    colorbar: bool = False,
    annotate: bool = False,
    fmt: str = "{:.2g}",
) -> None:
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
            ax.text(
                j,
                i,
                fmt.format(v),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
            )


def image_grid(
    images: Sequence[np.ndarray] | np.ndarray,
    *,
    ncols: int = 8,
    titles: Sequence[str] | None = None,
    size: float = 1.0,
    signed: bool | None = None,
) -> Figure:
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
    fig, axes = figure(
        width=size * ncols,
        height=size * nrows + (0.25 * nrows if titles else 0),
        nrows=nrows,
        ncols=ncols,
        squeeze=False,
    )
    for k, ax in enumerate(axes.flat):
        if k < n:
            show_array(ax, images[k], title=titles[k] if titles else None, signed=signed)
        else:
            ax.axis("off")
    return fig


_EXTERNAL_STYLESHEET = re.compile(r"<link[^>]*href=\"https?://[^\"]*\"[^>]*>\s*", re.I)


def animation_html(anim: Animation, *, default_mode: str = "loop", alt: str | None = None) -> str:
    """An animation as self-contained HTML and JavaScript that plays without a Python kernel.

    This is :meth:`matplotlib.animation.Animation.to_jshtml` with three changes: matplotlib's
    player links a Font Awesome style sheet from a CDN, which an offline book must not request
    (the link is removed; the book's theme already provides the button icons); its frame gets alt
    text; and its frame slider gets a label for screen readers.

    Parameters
    ----------
    anim : matplotlib.animation.Animation
        The animation; its frames are rendered now and embedded as PNG images.
    default_mode : {"loop", "once", "reflect"}
        What the player does at the last frame.
    alt : str, optional
        Alt text of the frames; by default :func:`alt_text` of the animated figure.

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
    >>> "<script" in html and "https://" not in html and 'alt="Figure' in html
    True
    """
    if default_mode not in ("loop", "once", "reflect"):
        raise ValueError(f"default_mode must be 'loop', 'once' or 'reflect', got {default_mode!r}")
    fig = getattr(anim, "_fig", None)
    if alt is None:
        alt = alt_text(fig) if fig is not None else "Animation"
    text = _EXTERNAL_STYLESHEET.sub("", anim.to_jshtml(default_mode=default_mode))
    text = text.replace("<img id=", f'<img alt="{html.escape(alt, quote=True)}" id=', 1)
    return text.replace('class="anim-slider"', 'class="anim-slider" aria-label="Frame"', 1)


# -- light and dark renderings ---------------------------------------------------------------------
_ALT_ATTRIBUTE = "_cnnbook_alt"
#: Lightness below which an achromatic colour (text, axes, black lines) is lightened in dark mode.
_DARK_LIGHTNESS = 0.45


def set_alt(fig: Figure, alt: str) -> Figure:
    """Give a figure the alt text that screen readers announce for it in the book.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    alt : str
        What the figure shows, in a sentence or two (not its file name).

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``, so that the call can end a cell and display it.

    Examples
    --------
    >>> fig, ax = figure(2, 2)
    >>> alt_text(set_alt(fig, "A straight line.")) == "A straight line."
    True
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a non-empty string, got {alt!r}")
    setattr(fig, _ALT_ATTRIBUTE, alt.strip())
    return fig


def alt_text(fig: Figure) -> str:
    """The alt text of a figure: the one given to :func:`set_alt`, else one built from its titles.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    str
        E.g. ``"Figure: input x (time t against amplitude)"``.

    Examples
    --------
    >>> fig, ax = figure(2, 2)
    >>> _ = ax.set(title="kernel w", xlabel="m", ylabel="w[m]")
    >>> alt_text(fig)
    'Figure: kernel w (m against w[m])'
    """
    given = getattr(fig, _ALT_ATTRIBUTE, None)
    if given:
        return given
    parts = []
    if getattr(fig, "_suptitle", None) is not None and fig._suptitle.get_text():
        parts.append(_plain_text(fig._suptitle.get_text()))
    for ax in fig.axes:
        title = _plain_text(ax.get_title())
        labels = [_plain_text(ax.get_xlabel()), _plain_text(ax.get_ylabel())]
        axis = " against ".join(label for label in labels if label)
        if title and axis:
            parts.append(f"{title} ({axis})")
        elif title or axis:
            parts.append(title or axis)
    return "Figure: " + "; ".join(parts) if parts else "Figure drawn by the code above"


def _plain_text(text: str) -> str:
    """Titles without mathtext markup: ``"$x \\star w$"`` becomes ``"x star w"``."""
    text = re.sub(r"\\(mathrm|mathbf|mathit|text)\{([^}]*)\}", r"\2", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    return re.sub(r"\s+", " ", re.sub(r"[${}_^]", "", text)).strip()


def _dark(color: object) -> tuple[float, float, float, float] | None:
    """The dark-mode replacement of a dark achromatic colour, or None to keep it."""
    try:
        r, g, b, a = to_rgba(color)
    except (TypeError, ValueError):
        return None
    h, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    if a == 0 or saturation > 0.15 or lightness >= _DARK_LIGHTNESS:
        return None
    r, g, b = colorsys.hls_to_rgb(h, 0.92 - 0.5 * lightness, saturation)
    return (r, g, b, a)


@contextmanager
def _dark_colours(fig: Figure) -> Iterator[None]:
    """Lighten the text, axes and black lines of ``fig`` for a dark page, then restore them.

    Images (``imshow``) keep their colours, and so do texts written on top of an image (the
    values annotated in a kernel's cells).
    """
    changed: list[tuple[object, str, object]] = []
    image_axes = {id(im.axes) for im in fig.findobj(AxesImage)}

    def swap(artist: object, name: str) -> None:
        get = getattr(artist, f"get_{name}", None)
        if get is None:
            return
        old = get()
        single = isinstance(old, str) or np.ndim(old) == 1
        colours = [old] if single else list(old)
        new = [_dark(c) for c in colours]
        if any(n is not None for n in new):
            value = [n if n is not None else to_rgba(c) for n, c in zip(new, colours)]
            getattr(artist, f"set_{name}")(value[0] if single else value)
            changed.append((artist, name, old))

    for artist in fig.findobj():
        if isinstance(artist, AxesImage) or artist is fig.patch:
            continue
        if isinstance(artist, Text):
            on_image = (
                artist.axes is not None
                and id(artist.axes) in image_axes
                and artist in artist.axes.texts
            )
            if not on_image:
                swap(artist, "color")
            continue
        for name in ("color", "edgecolor", "facecolor", "markeredgecolor", "markerfacecolor"):
            if name == "color" and hasattr(artist, "get_edgecolor"):
                continue  # patches and collections: their colour is their edge and face colours
            swap(artist, name)
    try:
        yield
    finally:
        for artist, name, old in reversed(changed):
            getattr(artist, f"set_{name}")(old)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", transparent=True)
    return buffer.getvalue()


def dark_png(fig: Figure) -> bytes:
    """``fig`` rendered for a dark page: transparent background, light text and axes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (left as it was).

    Returns
    -------
    bytes
        A PNG image.

    Examples
    --------
    >>> fig, ax = figure(2, 2)
    >>> _ = ax.plot([0, 1], color="black")
    >>> dark_png(fig)[:4] == b"\\x89PNG" and ax.lines[0].get_color() == "black"
    True
    """
    with _dark_colours(fig):
        return _png(fig)


def figure_html(fig: Figure) -> str:
    """A figure as HTML: the light and the dark renderings, each shown in its theme mode.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    str
        Two ``<img>`` elements (classes ``only-light`` and ``only-dark``) with the PNG data inline
        and the figure's :func:`alt_text`.

    Examples
    --------
    >>> fig, ax = figure(2, 2)
    >>> html_out = figure_html(set_alt(fig, "Empty axes."))
    >>> html_out.count("<img"), 'alt="Empty axes."' in html_out
    (2, True)
    """
    alt = html.escape(alt_text(fig), quote=True)
    images = []
    for mode, data in (("light", _png(fig)), ("dark", dark_png(fig))):
        src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        images.append(f'<img class="cnnbook-figure-img only-{mode}" src="{src}" alt="{alt}">')
    return '<div class="cnnbook-figure">' + "".join(images) + "</div>"
