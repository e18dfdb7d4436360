"""Tests of cnnbook.stimuli against independent references.

References: every pixel computed one at a time from the definitions (centred coordinates
x = j - (cols-1)/2, y = i - (rows-1)/2, y pointing down), with ``math``; and geometric facts a
reader can check on paper (a vertical bar is one column, the light side of an edge).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cnnbook import stimuli


def centred(i: int, j: int, rows: int, cols: int) -> tuple[float, float]:
    return j - (cols - 1) / 2, i - (rows - 1) / 2


# -- the grid --------------------------------------------------------------------------------------
def test_grid_rows_are_y_columns_are_x_and_rectangular_sizes():
    x, y = stimuli.centred_grid((2, 3))
    np.testing.assert_array_equal(x, [[-1, 0, 1], [-1, 0, 1]])
    np.testing.assert_array_equal(y, [[-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]])
    x, y = stimuli.centred_grid(4)
    assert x.shape == y.shape == (4, 4)
    np.testing.assert_array_equal(y[:, 0], [-1.5, -0.5, 0.5, 1.5])


# -- gratings --------------------------------------------------------------------------------------
def test_grating_matches_loop():
    rows, cols, f, tau, phi, c = 6, 7, 0.9, 2.2, -0.4, 0.7
    want = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            x, y = centred(i, j, rows, cols)
            want[i, j] = c * math.cos(f * (x * math.cos(tau) + y * math.sin(tau)) + phi)
    np.testing.assert_allclose(
        stimuli.grating((rows, cols), f=f, tau=tau, phi=phi, contrast=c),
        want,
        rtol=1e-12,
        atol=1e-14,
    )


def test_orientation_convention_tau_zero_gives_vertical_stripes():
    # tau = 0: the carrier varies along x (columns), so each column is constant
    g = stimuli.grating(9, f=1.1, tau=0.0, phi=0.2)
    assert np.ptp(g, axis=0).max() < 1e-12 and np.ptp(g, axis=1).min() > 0.5
    # tau = pi/2: the carrier varies along y (rows), horizontal stripes
    g = stimuli.grating(9, f=1.1, tau=math.pi / 2, phi=0.2)
    assert np.ptp(g, axis=1).max() < 1e-12 and np.ptp(g, axis=0).min() > 0.5
    # y grows downwards: with tau = pi/4 the stripes run from top right to bottom left,
    # i.e. the image is constant along the anti-diagonal direction (x + 1, y - 1)
    g = stimuli.grating(9, f=1.1, tau=math.pi / 4)
    np.testing.assert_allclose(g[1:, :-1], g[:-1, 1:], atol=1e-12)


# -- bars and edges --------------------------------------------------------------------------------
def bar_loop(rows, cols, angle, length, width, x0, y0):
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            x, y = centred(i, j, rows, cols)
            u = (x - x0) * math.cos(angle) + (y - y0) * math.sin(angle)
            v = -(x - x0) * math.sin(angle) + (y - y0) * math.cos(angle)
            # boundaries included, to within 1e-12 pixel (cos(pi/2) is not exactly 0)
            out[i, j] = float(abs(u) <= length / 2 + 1e-12 and abs(v) <= width / 2 + 1e-12)
    return out


@pytest.mark.parametrize(
    "shape, angle, length, width, x0, y0",
    [
        (11, 0.3, 9.0, 1.5, 0.0, 0.0),
        ((12, 9), 2.0, 6.0, 2.5, 1.25, -0.5),
        (32, math.pi / 2, 9.0, 1.5, 1.5, 0.0),
        (7, -1.0, 20.0, 3.0, -2.0, 1.0),
    ],
)
def test_bar_matches_loop(shape, angle, length, width, x0, y0):
    rows, cols = shape if isinstance(shape, tuple) else (shape, shape)
    np.testing.assert_array_equal(
        stimuli.bar(shape, angle, length=length, width=width, x0=x0, y0=y0),
        bar_loop(rows, cols, angle, length, width, x0, y0),
    )


def test_bar_geometry():
    vertical = stimuli.bar(11, math.pi / 2, length=5, width=1)
    assert vertical.sum() == 5 and vertical[3:8, 5].tolist() == [1.0] * 5
    horizontal = stimuli.bar(11, 0.0, length=5, width=1, x0=2.0, y0=-3.0)
    assert horizontal[2, 5:10].tolist() == [1.0] * 5 and horizontal.sum() == 5
    # angles turn clockwise on screen (y points down): pi/4 runs from top left to bottom right
    diagonal = stimuli.bar(11, math.pi / 4, length=10, width=0.5)
    assert all(diagonal[k, k] == 1.0 for k in range(2, 9))
    assert diagonal[2, 8] == 0.0 and diagonal[8, 2] == 0.0


def test_edge_sides_and_polarity():
    vertical = stimuli.edge(6, math.pi / 2)
    np.testing.assert_array_equal(vertical, np.broadcast_to([0, 0, 0, 1, 1, 1], (6, 6)))
    horizontal = stimuli.edge(6, 0.0)  # light above
    np.testing.assert_array_equal(horizontal[:, 0], [1, 1, 1, 0, 0, 0])
    # a vertical line through (x0, y0) = (0.5, 0), between the columns x = 0 and x = 1
    shifted = stimuli.edge(5, math.pi / 2, x0=0.5)
    assert shifted[0].tolist() == [0, 0, 0, 1, 1]
    # pixels on the line are dark, in every row (cos(pi/2) = 6e-17 must not decide)
    on_line = stimuli.edge(5, math.pi / 2, x0=1.0)
    np.testing.assert_array_equal(on_line, np.broadcast_to([0, 0, 0, 0, 1], (5, 5)))
    # a bar whose ends fall exactly on pixel centres keeps both ends
    ends = stimuli.bar(10, math.pi / 2, length=9.0, width=1.0, x0=0.5)
    assert ends[:, 5].tolist() == [1.0] * 10
    for angle in np.linspace(0, 2 * np.pi, 13):
        rows, cols = 8, 9
        want = np.array(
            [
                [
                    float(-x * math.sin(angle) + y * math.cos(angle) < -1e-12)
                    for x, y in (centred(i, j, rows, cols) for j in range(cols))
                ]
                for i in range(rows)
            ]
        )
        np.testing.assert_array_equal(stimuli.edge((rows, cols), angle), want)


# -- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, exc, message",
    [
        (lambda: stimuli.centred_grid(0), ValueError, "size must be >= 1"),
        (lambda: stimuli.centred_grid(2.0), TypeError, "size must be an integer"),
        (lambda: stimuli.centred_grid((2, 3, 4)), ValueError, "size must be an int or a pair"),
        (lambda: stimuli.centred_grid(10**5), ValueError, r"size 100000 asks for"),
        (lambda: stimuli.grating(5, f=-1.0), ValueError, "f must be >= 0"),
        (lambda: stimuli.grating(5, f=1.0, contrast=np.inf), ValueError, "contrast must be finite"),
        (lambda: stimuli.grating(5, f=1.0, tau=1j), TypeError, "tau must be a real number"),
        (lambda: stimuli.bar(5, "a"), TypeError, "angle must be a real number"),
        (lambda: stimuli.bar(5, 0.0, length=0.0), ValueError, "length must be > 0"),
        (lambda: stimuli.bar(5, 0.0, width=-1.0), ValueError, "width must be > 0"),
        (lambda: stimuli.bar(5, 0.0, x0=np.nan), ValueError, "x0 must be finite"),
        (lambda: stimuli.edge(5, 0.0, y0=[1.0]), TypeError, "y0 must be a real number"),
        (lambda: stimuli.edge((5, -1), 0.0), ValueError, "size must be >= 1"),
    ],
)
def test_bad_input(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
