"""cnnbook.plotting: the shared figure helpers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402

from cnnbook import plotting  # noqa: E402


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
    fig, ax = plotting.figure(2, 2)
    anim = FuncAnimation(fig, lambda k: None, frames=1)
    with pytest.raises(ValueError, match="default_mode"):
        plotting.animation_html(anim, default_mode="bounce")
    assert "<script" in plotting.animation_html(anim, default_mode="once")


def test_show_array_uses_a_symmetric_scale_for_signed_arrays() -> None:
    fig, ax = plotting.figure(2, 2)
    plotting.show_array(ax, np.array([[-1.0, 3.0], [0.0, 2.0]]))
    lo, hi = ax.images[0].get_clim()
    assert (lo, hi) == (-3.0, 3.0)


def test_show_array_rejects_non_2d() -> None:
    fig, ax = plotting.figure(2, 2)
    with pytest.raises(ValueError, match="2-D"):
        plotting.show_array(ax, np.zeros((2, 2, 2)))


def test_image_grid_lays_out_every_image() -> None:
    fig = plotting.image_grid(np.zeros((5, 4, 4)), ncols=3, titles=list("abcde"))
    visible = [ax for ax in fig.axes if ax.axison]
    assert len(fig.axes) == 6 and len(visible) == 5
    assert [ax.get_title() for ax in visible] == list("abcde")
    with pytest.raises(ValueError, match="images"):
        plotting.image_grid([])
