"""cnnbook.plotting: the shared figure helpers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.animation import FuncAnimation

from cnnbook import plotting


def test_animation_html_requests_no_other_host() -> None:
    fig, ax = plotting.figure(2, 2)
    (line,) = ax.plot([0, 1], [0, 0])
    anim = FuncAnimation(fig, lambda k: line.set_ydata([k, k]), frames=3)
    raw = anim.to_jshtml()
    html = plotting.animation_html(anim)
    assert "https://" in raw  # matplotlib's player links a CDN style sheet ...
    assert "https://" not in html and "http://" not in html  # ... which we remove
    assert html.count("data:image/png;base64") == 3  # every frame embedded
    assert "<script" in html


def test_animation_html_rejects_unknown_mode() -> None:
    fig, _ax = plotting.figure(2, 2)
    anim = FuncAnimation(fig, lambda k: None, frames=1)
    with pytest.raises(ValueError, match="default_mode"):
        plotting.animation_html(anim, default_mode="bounce")
    assert "<script" in plotting.animation_html(anim, default_mode="once")


def test_show_array_uses_a_symmetric_scale_for_signed_arrays() -> None:
    _fig, ax = plotting.figure(2, 2)
    plotting.show_array(ax, np.array([[-1.0, 3.0], [0.0, 2.0]]))
    lo, hi = ax.images[0].get_clim()
    assert (lo, hi) == (-3.0, 3.0)


def test_show_array_rejects_non_2d() -> None:
    _fig, ax = plotting.figure(2, 2)
    with pytest.raises(ValueError, match="2-D"):
        plotting.show_array(ax, np.zeros((2, 2, 2)))


def test_image_grid_lays_out_every_image() -> None:
    fig = plotting.image_grid(np.zeros((5, 4, 4)), ncols=3, titles=list("abcde"))
    visible = [ax for ax in fig.axes if ax.axison]
    assert len(fig.axes) == 6 and len(visible) == 5
    assert [ax.get_title() for ax in visible] == list("abcde")
    with pytest.raises(ValueError, match="images"):
        plotting.image_grid([])


# -- light and dark renderings ---------------------------------------------------------------------
def _pixels(png: bytes) -> np.ndarray:
    import io

    import matplotlib.image as mpimg

    return mpimg.imread(io.BytesIO(png), format="png")  # (rows, cols, 4) floats in [0, 1]


def test_dark_rendering_lightens_text_and_black_lines() -> None:
    fig, ax = plotting.figure(width=3, height=2, dpi=50)
    ax.plot([0, 1], [0, 1], color="black", lw=8)
    ax.set_title("black line", color="black")
    a, b = _pixels(plotting._png(fig)), _pixels(plotting.dark_png(fig))
    assert a.shape == b.shape
    opaque = (a[..., 3] > 0.99) & (b[..., 3] > 0.99)
    dark_in_light = opaque & (a[..., :3].max(axis=-1) < 0.2)
    assert dark_in_light.sum() > 50
    # what is black in the light rendering is light in the dark one ...
    changed = dark_in_light & (b[..., :3].min(axis=-1) > 0.7)
    assert changed.sum() > 0.9 * dark_in_light.sum()
    # ... both backgrounds are transparent, and the figure itself is left as it was
    assert a[0, 0, 3] == 0 and b[0, 0, 3] == 0
    assert ax.lines[0].get_color() == "black" and ax.title.get_color() == "black"


def test_dark_rendering_keeps_images_and_the_values_written_on_them() -> None:
    fig, ax = plotting.figure(width=2, height=2, dpi=50)
    plotting.show_array(ax, np.linspace(0, 1, 16).reshape(4, 4), annotate=True)
    ax.axis("off")
    np.testing.assert_array_equal(_pixels(plotting._png(fig)), _pixels(plotting.dark_png(fig)))


def test_alt_text_from_titles_and_set_alt() -> None:
    fig, axes = plotting.figure(ncols=2)
    axes[0].set(title=r"input $x$", xlabel="time $t$", ylabel="$x(t)$")
    axes[1].set_title(r"$x \star w$")
    assert plotting.alt_text(fig) == "Figure: input x (time t against x(t)); x star w"
    plotting.set_alt(fig, "Two panels.")
    assert plotting.alt_text(fig) == "Two panels."
    with pytest.raises(ValueError, match="alt"):
        plotting.set_alt(fig, "  ")
    html = plotting.figure_html(fig)
    assert html.count('alt="Two panels."') == 2
    assert 'class="cnnbook-figure-img only-light"' in html
    assert 'class="cnnbook-figure-img only-dark"' in html


def test_figures_in_a_notebook_are_shown_light_and_dark() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("from cnnbook import plotting\nplotting.use_book_style()"),
            nbformat.v4.new_code_cell("fig, ax = plotting.figure(2, 2)\n_ = ax.set_title('t')"),
        ]
    )
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    (out,) = [o for o in nb.cells[1].outputs if o.output_type == "display_data"]
    assert {"image/png", "text/html"} <= set(out.data)
    assert out.data["text/html"].count("data:image/png;base64,") == 2
    assert 'alt="Figure: t"' in out.data["text/html"]


def test_animation_html_has_alt_text_and_a_labelled_slider() -> None:
    fig, ax = plotting.figure(2, 2)
    ax.set_title("window")
    anim = FuncAnimation(fig, lambda k: None, frames=2)
    html = plotting.animation_html(anim)
    assert html.count('alt="Figure: window"') == 1 and html.count("<img") == 1
    assert 'class="anim-slider" aria-label="Frame"' in html
    assert 'alt="Sliding window."' in plotting.animation_html(anim, alt="Sliding window.")
