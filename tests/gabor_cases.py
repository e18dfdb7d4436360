"""The Gabor equation written out independently, shared by the tests of cnnbook.gabor,
cnnbook.gabor_fit and the cognitive-science pages' library functions.

References: Goodfellow et al.'s equation (eq. 9.16, with y' in the exponent) as a scalar loop with
``math``, on the centred grid (rows y, columns x) written out by hand.
"""

from __future__ import annotations

import math

import numpy as np


def gabor_loop(
    x: float,
    y: float,
    alpha: float,
    beta_x: float,
    beta_y: float,
    f: float,
    phi: float,
    x0: float,
    y0: float,
    tau: float,
) -> float:
    """The equation, one point at a time."""
    xp = (x - x0) * math.cos(tau) + (y - y0) * math.sin(tau)
    yp = -(x - x0) * math.sin(tau) + (y - y0) * math.cos(tau)
    return alpha * math.exp(-beta_x * xp * xp - beta_y * yp * yp) * math.cos(f * xp + phi)


def kernel_loop(n: int, **p: float) -> np.ndarray:
    """Rows are y, columns are x, both centred: w[i, j] = w(j - (n-1)/2, i - (n-1)/2)."""
    full = {"alpha": 1.0, "x0": 0.0, "y0": 0.0, "tau": 0.0, **p}
    c = (n - 1) / 2
    return np.array([[gabor_loop(j - c, i - c, **full) for j in range(n)] for i in range(n)])


def random_params(rng: np.random.Generator) -> dict[str, float]:
    return {
        "alpha": float(rng.uniform(0.5, 2.0) * rng.choice([-1, 1])),
        "beta_x": float(rng.uniform(0.05, 0.3)),
        "beta_y": float(rng.uniform(0.05, 0.3)),
        "f": float(rng.uniform(0.6, 2.0)),
        "phi": float(rng.uniform(-np.pi, np.pi)),
        "x0": float(rng.uniform(-1, 1)),
        "y0": float(rng.uniform(-1, 1)),
        "tau": float(rng.uniform(-3.0, 6.0)),
    }


def canonical_truth(p: dict[str, float]) -> dict[str, float]:
    """The same Gabor function written with alpha > 0, 0 <= tau < pi, -pi < phi <= pi.

    Independent of the library: cos(f x' + phi) = -cos(f x' + phi + pi), and turning tau by pi
    flips x' (and y', which only appears squared), so cos(-f x' + phi) = cos(f x' - phi).
    """
    alpha, phi, tau = p["alpha"], p["phi"], p["tau"]
    if alpha < 0:
        alpha, phi = -alpha, phi + math.pi
    while tau < 0:
        tau, phi = tau + math.pi, -phi
    while tau >= math.pi:
        tau, phi = tau - math.pi, -phi
    phi = math.remainder(phi, 2 * math.pi)
    return {**p, "alpha": alpha, "phi": phi, "tau": tau}
