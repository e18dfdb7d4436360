"""The interactive explorers (book/explore) compute what ``cnnbook`` computes.

Headless Chromium opens the built page, sets each explorer's controls as a reader would (typing,
choosing, moving sliders, arrow keys) and reads the explorer's current numbers from
``window.cnnbookWidgets[id].output()``. Every number must equal the library's result for the same
inputs to ``rtol = atol = 1e-12``: both sides compute in float64 and differ only in the order of
the sums and in the last bit of ``cos``/``exp``.
"""

from __future__ import annotations

import math
import re

import matplotlib.cbook as cbook
import matplotlib.pyplot as plt
import numpy as np
import pytest
from bookutils import glued
from numpy.testing import assert_allclose
from test_browser import browser, site  # noqa: F401  (the shared fixtures: Chromium and the site)

from cnnbook.conv import conv2d, conv_output_size, convolve, correlate
from cnnbook.gabor import complex_cell, gabor_kernel, grating, quadrature_pair, simple_cell

pytestmark = [pytest.mark.book, pytest.mark.xdist_group("browser")]

TOL = {"rtol": 1e-12, "atol": 1e-12}
PAGE = "explore/index.html"


def open_page(site: str, browser: object):  # noqa: F811
    """A new tab on the explorers page, started; returns the tab, its context and its error list."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.goto(f"{site}/{PAGE}", wait_until="load")
    p.wait_for_function(
        "() => window.cnnbookWidgets && Object.keys(window.cnnbookWidgets).length == 4"
    )
    return p, context, errors


@pytest.fixture(scope="module")
def page(site: str, browser: object):  # noqa: F811
    p, context, errors = open_page(site, browser)
    yield p
    context.close()
    assert not errors, errors


def number(text: str) -> float:
    """A number as the explorers write it in a sentence: with a true minus sign (U+2212)."""
    assert "-" not in text, text  # a hyphen, which screen readers do not speak as "minus"
    return float(text.replace("\u2212", "-"))


def output(page, wid: str) -> dict:
    return page.evaluate("(id) => window.cnnbookWidgets[id].output()", wid)


def set_value(page, wid: str, name: str, value: object) -> None:
    """Set a control by its name and fire the event a reader's change fires."""
    control = page.locator(f"#{wid} [name='{name}']")
    kind = control.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
    if kind.startswith("select"):
        control.select_option(str(value))
    elif kind in ("input:text", "input:number"):
        control.fill(str(value))
    else:  # a slider: the value must lie on its step grid
        control.evaluate(
            "(e, v) => { e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); }",
            str(value),
        )
        assert float(control.input_value()) == pytest.approx(float(value), rel=1e-12, abs=1e-12), (
            name
        )


# -- 1-D convolution -------------------------------------------------------------------------------
X1 = [1.5, -2.0, 0.25, 3.0, 4.0, -1.0, 0.5]
KERNELS_1D = [[0.5, -1.0, 2.0, 0.25], [1.0, 0.0, -1.0], [2.0]]


@pytest.mark.parametrize("w", KERNELS_1D)
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("op", ["convolution", "cross-correlation"])
def test_conv1d_equals_the_library(page, w: list[float], mode: str, op: str) -> None:
    wid = "explore-conv1d"
    set_value(page, wid, "x", ", ".join(map(str, X1)))
    set_value(page, wid, "w", " ".join(map(str, w)))
    set_value(page, wid, "mode", mode)
    set_value(page, wid, "op", op)
    out = output(page, wid)
    library = convolve if op == "convolution" else correlate
    assert out["x"] == X1 and out["w"] == w
    assert_allclose(out["s"], library(X1, w, mode=mode), **TOL)
    # the kernel drawn under the input: flipped for a convolution only
    assert out["kernel_used"] == (w[::-1] if op == "convolution" else w)
    # the sentence under the explorer writes out s(i) for the chosen output index: the products of
    # the padded input and the kernel as applied (all exact in 3 decimals), and their sum
    set_value(page, wid, "i", 1)
    text = page.locator(f"#{wid} .cnnbook-status").inner_text()
    match = re.fullmatch(r"s\[1\] = (.*) = (\S+)", text)
    assert match, text
    products = [[number(v) for v in term.split(" × ")] for term in match[1].split(" + ")]
    assert [b for _, b in products] == out["kernel_used"]
    s1 = float(library(X1, w, mode=mode)[1])
    assert_allclose(sum(a * b for a, b in products), s1, **TOL)
    assert number(match[2]) == round(s1, 3)


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("op", ["convolution", "cross-correlation"])
def test_conv1d_draws_each_output_under_the_input_of_the_same_index(
    page, mode: str, op: str
) -> None:
    wid = "explore-conv1d"
    set_value(page, wid, "x", ", ".join(map(str, X1)))
    set_value(page, wid, "w", "0, 1")
    set_value(page, wid, "mode", mode)
    set_value(page, wid, "op", op)
    drawn = page.locator(f"#{wid} svg g[data-row]").evaluate_all(
        "gs => gs.map(g => [g.dataset.row, +g.dataset.index, "
        "+g.querySelector('rect').getAttribute('x'),"
        " g.querySelector('text').textContent])"
    )
    x_at = {left: index for row, index, left, _ in drawn if row == "x"}
    s_drawn = {index: (x_at[left], value) for row, index, left, value in drawn if row == "s"}
    s = (convolve if op == "convolution" else correlate)(X1, [0, 1], mode=mode)
    assert sorted(s_drawn) == list(range(len(s)))
    for j, (under, value) in s_drawn.items():
        assert under == j  # s[j] stands under x[j] (an index outside 0 .. n - 1 is padding)
        assert float(value) == round(float(s[j]), 2)
    if mode == "full":  # the full convolution with (0, 1) is x delayed by one: x[j - 1] under x[j]
        delayed = np.concatenate([[0], X1])
        assert_allclose(s, delayed if op == "convolution" else np.concatenate([X1, [0]]), **TOL)


def test_conv1d_reports_what_the_library_rejects(page) -> None:
    wid = "explore-conv1d"
    set_value(page, wid, "mode", "valid")
    set_value(page, wid, "x", "1, 2")
    set_value(page, wid, "w", "1, 2, 3")
    with pytest.raises(ValueError):
        correlate([1, 2], [1, 2, 3], mode="valid")
    assert "valid" in output(page, wid)["error"]
    set_value(page, wid, "w", "1, two")
    assert "not a number" in output(page, wid)["error"]


# -- 2-D convolution on the photograph -------------------------------------------------------------
def test_conv2d_input_is_the_sample_photograph(page) -> None:
    x = np.array(output(page, "explore-conv2d")["x"])
    with cbook.get_sample_data("grace_hopper.jpg") as f:
        rgb = plt.imread(f, format="jpg").astype(float) / 255
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    blocks = grey.reshape(x.shape[0], 8, x.shape[1], 8).mean(axis=(1, 3))
    assert x.shape == (75, 64)
    assert_allclose(x, blocks, atol=5e-5)  # the page rounds to 4 decimals


PRESETS = [
    "identity",
    "box blur",
    "Gaussian blur",
    "edges (Laplacian)",
    "vertical edges (Sobel)",
    "sharpen",
]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("mode", ["valid", "same"])
@pytest.mark.parametrize("op", ["cross-correlation", "convolution"])
def test_conv2d_presets_equal_the_library(page, preset: str, mode: str, op: str) -> None:
    wid = "explore-conv2d"
    set_value(page, wid, "preset", preset)
    set_value(page, wid, "mode", mode)
    set_value(page, wid, "op", op)
    out = output(page, wid)
    library = convolve if op == "convolution" else correlate
    assert_allclose(out["s"], library(np.array(out["x"]), np.array(out["w"]), mode=mode), **TOL)


def test_conv2d_custom_kernel_and_the_patch_under_the_keyboard_cursor(page) -> None:
    wid = "explore-conv2d"
    set_value(page, wid, "mode", "same")
    set_value(page, wid, "op", "convolution")
    w = np.array([[0.5, -1.25, 2.0], [0.0, 3.5, -0.75], [1.0, 0.125, -2.5]])
    for (m, n), v in np.ndenumerate(w):
        set_value(page, wid, f"w{m}{n}", v)
    assert page.locator(f"#{wid} [name='preset']").input_value() == "custom"
    out = output(page, wid)
    x = np.array(out["x"])
    assert_allclose(out["w"], w, rtol=0, atol=0)
    assert_allclose(out["s"], convolve(x, w, mode="same"), **TOL)
    # keyboard: focus the feature map, three steps right and two down from the top-left pixel
    canvas = page.locator(f"#{wid} canvas[tabindex='0']")
    canvas.focus()
    for key in ["ArrowUp"] * 80 + ["ArrowLeft"] * 80 + ["ArrowRight"] * 3 + ["ArrowDown"] * 2:
        page.keyboard.press(key)
    sel = output(page, wid)["selected"]
    assert (sel["i"], sel["j"]) == (2, 3)
    # 'same' with a 3x3 kernel pads one zero on each side: the patch is x[1:4, 2:5]
    assert_allclose(sel["patch"], x[1:4, 2:5], rtol=0, atol=0)
    assert_allclose(sel["value"], convolve(x, w, mode="same")[2, 3], **TOL)
    assert_allclose(sel["value"], np.sum(np.array(sel["patch"]) * w[::-1, ::-1]), **TOL)


def test_conv2d_pointer_selects_the_pixel_under_it(page) -> None:
    wid = "explore-conv2d"
    set_value(page, wid, "preset", "vertical edges (Sobel)")
    set_value(page, wid, "mode", "valid")
    set_value(page, wid, "op", "cross-correlation")
    out = output(page, wid)
    rows, cols = np.shape(out["s"])
    canvas = page.locator(f"#{wid} canvas[tabindex='0']")
    canvas.scroll_into_view_if_needed()  # the mouse can only point at what is on screen
    box = canvas.bounding_box()
    i, j = 17, 40
    page.mouse.move(
        box["x"] + (j + 0.5) * box["width"] / cols, box["y"] + (i + 0.5) * box["height"] / rows
    )
    sel = output(page, wid)["selected"]
    assert (sel["i"], sel["j"]) == (i, j)
    assert_allclose(
        sel["value"], correlate(np.array(out["x"]), np.array(out["w"]), mode="valid")[i, j], **TOL
    )


# -- stride, padding, dilation ---------------------------------------------------------------------
ARITHMETIC = [  # n, k, stride, padding, dilation, output position (row-major)
    (7, 3, 2, 1, 1, 5),
    (8, 3, 2, 0, 1, 8),
    (12, 5, 3, 2, 2, 2),
    (5, 3, 1, 0, 2, 0),
    (9, 4, 4, 3, 3, 3),
    (1, 1, 1, 0, 1, 0),
    (10, 7, 1, 4, 1, 200),
]


@pytest.mark.parametrize(("n", "k", "stride", "padding", "dilation", "position"), ARITHMETIC)
def test_arithmetic_equals_the_library(page, n, k, stride, padding, dilation, position) -> None:
    wid = "explore-arithmetic"
    for name, v in [
        ("n", n),
        ("k", k),
        ("stride", stride),
        ("padding", padding),
        ("dilation", dilation),
        ("position", position),
    ]:
        set_value(page, wid, name, v) if name != "position" else page.locator(
            f"#{wid} [name='position']"
        ).evaluate(
            "(e, v) => { e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); }",
            str(position),
        )
    out = output(page, wid)
    o = conv_output_size(n, k, stride=stride, padding=padding, dilation=dilation)
    assert out["size"] == o
    i, j = out["position"]
    assert 0 <= i < o and 0 <= j < o
    assert i * o + j == min(position, o * o - 1)  # a slider clamps to its maximum
    slider = page.locator(f"#{wid} [name='position']")
    assert slider.get_attribute("aria-valuetext") == f"row {i}, column {j}"
    assert page.locator(f"#{wid} .cnnbook-formula").inner_text().endswith(f"+ 1 = {o}")
    # Which input pixels does output (i, j) read? Ask the library: number the pixels 1..n*n
    # (zero is padding) and cross-correlate with a kernel that is one at tap (a, b) only.
    ids = np.arange(1, n * n + 1, dtype=float).reshape(1, 1, n, n)
    for a in range(k):
        for b in range(k):
            w = np.zeros((1, 1, k, k))
            w[0, 0, a, b] = 1
            read = conv2d(ids, w, stride=stride, padding=padding, dilation=dilation)[0, 0, i, j]
            r, c = out["rows"][a] - padding, out["cols"][b] - padding  # widget: padded coordinates
            expected = r * n + c + 1 if 0 <= r < n and 0 <= c < n else 0
            assert read == expected, (a, b)


def test_arithmetic_reports_no_output_when_the_library_raises(page) -> None:
    wid = "explore-arithmetic"
    for name, v in [("n", 3), ("k", 3), ("stride", 1), ("padding", 0), ("dilation", 2)]:
        set_value(page, wid, name, v)
    with pytest.raises(ValueError):
        conv_output_size(3, 3, stride=1, padding=0, dilation=2)
    out = output(page, wid)
    assert out["size"] < 1 and "error" in out
    # no negative size is written, and the position slider says there is nothing to point at
    assert page.locator(f"#{wid} .cnnbook-formula").inner_text().endswith("+ 1 < 1: no output")
    slider = page.locator(f"#{wid} [name='position']")
    assert slider.input_value() == "0" and slider.get_attribute("aria-valuetext") == "no output"


# -- Gabor cells -----------------------------------------------------------------------------------
PI = math.pi
GABOR = [  # cell parameters, grating (f, tau, phase); slider steps: phi pi/12, tau and phase pi/24
    (dict(alpha=1.0, beta_x=0.02, beta_y=0.02, f=0.8, phi=0.0, tau=0.0), (0.8, 0.0, 0.0)),
    (
        dict(alpha=-1.5, beta_x=0.1, beta_y=0.035, f=1.25, phi=PI / 3, tau=5 * PI / 24),
        (1.1, PI / 4, 7 * PI / 24),
    ),
    (
        dict(alpha=0.7, beta_x=0.5, beta_y=0.005, f=0.0, phi=-PI, tau=PI),
        (2.0, 23 * PI / 24, 2 * PI),
    ),
]


@pytest.mark.parametrize(("cell", "stimulus"), GABOR)
def test_gabor_equals_the_library(page, cell: dict, stimulus: tuple) -> None:
    wid = "explore-gabor"
    for name, v in cell.items():
        set_value(page, wid, name, repr(v))
    for name, v in zip(["grating_f", "grating_tau", "grating_phase"], stimulus):
        set_value(page, wid, name, repr(v))
    out = output(page, wid)
    size = out["size"]
    assert size == 21
    prm = out["params"]
    assert prm == pytest.approx(cell, rel=1e-12, abs=1e-12)
    w0 = gabor_kernel(size, **prm)
    _, w1 = quadrature_pair(size, **prm)
    g = out["grating"]
    image = grating(size, f=g["f"], tau=g["tau"], phi=g["phi"])
    assert_allclose(out["kernel"], w0, **TOL)
    assert_allclose(out["kernel_odd"], w1, **TOL)
    assert_allclose(out["image"], image, **TOL)
    assert_allclose(out["simple"], simple_cell(image, w0), **TOL)
    assert_allclose(out["simple_odd"], simple_cell(image, w1), **TOL)
    assert_allclose(out["complex"], complex_cell(image, w0, w1), **TOL)
    # the range of c over the plotted cycle of grating phases 2 pi k / 96, and the sentence
    cycle = [
        complex_cell(grating(size, f=g["f"], tau=g["tau"], phi=p), w0, w1)
        for p in np.linspace(0, 2 * PI, 97)
    ]
    assert_allclose(out["complex_range"], [min(cycle), max(cycle)], **TOL)
    text = page.locator(f"#{wid} .cnnbook-status").inner_text()
    low, high = re.search(r"between (\S+) and (\S+) over a full cycle", text).groups()
    assert [number(low), number(high)] == [round(min(cycle), 3), round(max(cycle), 3)]


def test_gabor_defaults_are_those_of_the_page(site: str, browser: object) -> None:  # noqa: F811
    """A fresh page opens on the cell, grating and phase variation that the text states."""
    p, context, errors = open_page(site, browser)
    out = output(p, "explore-gabor")
    context.close()
    assert not errors, errors
    values = glued("explore/index")
    beta, f = float(values["explore_gabor_beta"]), float(values["explore_gabor_f"])
    prm = dict(alpha=1.0, beta_x=beta, beta_y=beta, f=f, phi=0.0, tau=0.0)
    # (phi's slider runs from -pi in steps of pi/12: its middle is 0 to the last bit only)
    assert out["params"] == pytest.approx(prm, rel=1e-12, abs=1e-12)
    assert out["grating"] == {"f": f, "tau": 0.0, "phi": 0.0}
    w0, w1 = quadrature_pair(out["size"], **prm)
    cycle = [
        complex_cell(grating(out["size"], f=f, phi=p), w0, w1) for p in np.linspace(0, 2 * PI, 97)
    ]
    low, high = out["complex_range"]
    assert_allclose(out["complex_range"], [min(cycle), max(cycle)], **TOL)
    assert_allclose(
        100 * (high - low) / high, float(values["explore_gabor_c_variation"]), rtol=1e-9
    )


def test_gabor_sliders_move_with_the_keyboard(page) -> None:
    wid = "explore-gabor"
    set_value(page, wid, "grating_phase", 0)
    slider = page.locator(f"#{wid} [name='grating_phase']")
    slider.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    out = output(page, wid)
    assert out["grating"]["phi"] == pytest.approx(6 * PI / 24, rel=1e-12)
    prm = out["params"]
    w0, w1 = quadrature_pair(21, **prm)
    image = grating(21, f=out["grating"]["f"], tau=out["grating"]["tau"], phi=6 * PI / 24)
    assert_allclose(out["complex"], complex_cell(image, w0, w1), **TOL)


def test_each_explorer_is_labelled_and_has_a_static_fallback(page) -> None:
    for wid in ["explore-conv1d", "explore-conv2d", "explore-arithmetic", "explore-gabor"]:
        root = page.locator(f"#{wid}")
        assert root.get_attribute("role") == "group" and root.get_attribute("aria-label")
        assert root.locator("[aria-live='polite']").count() == 1
        unlabelled = root.evaluate(
            "r => Array.from(r.querySelectorAll('input, select')).filter(e => "
            "!(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length"
        )
        assert unlabelled == 0, wid
        # a subscript is written as one (<sub>), never as an underscore a screen reader spells out
        names = root.evaluate(
            "r => Array.from(r.querySelectorAll('input, select, legend')).map(e => "
            "e.getAttribute('aria-label') "
            "|| (e.labels && e.labels.length ? e.labels[0].textContent : e.textContent))"
        )
        assert not [name for name in names if "_" in name], wid
    # one static figure per explorer, hidden while JavaScript runs, shown in print
    fallbacks = page.locator(".tag_cnnbook-fallback")
    assert fallbacks.count() == 4
    assert all(not fallbacks.nth(k).is_visible() for k in range(4))
    page.emulate_media(media="print")
    assert all(fallbacks.nth(k).is_visible() for k in range(4))
    assert not page.locator("#explore-gabor").is_visible()
    page.emulate_media(media="screen")


def test_without_javascript_only_the_static_figures_show(site: str, browser: object) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    p = context.new_page()
    p.goto(f"{site}/{PAGE}", wait_until="load")
    widgets, fallbacks = p.locator(".cnnbook-widget"), p.locator(".tag_cnnbook-fallback")
    try:
        assert widgets.count() == 4 and fallbacks.count() == 4
        assert not any(widgets.nth(k).is_visible() for k in range(4))  # no empty bordered boxes
        assert all(fallbacks.nth(k).is_visible() for k in range(4))
    finally:
        context.close()
