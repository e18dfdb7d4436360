"""Helpers shared by the chapter tests (``tests/test_chapter_<part>_<page>.py``).

The strict build writes every executed notebook to ``<build dir>/jupyter_execute``; the values a
chapter glues into its prose (myst-nb ``glue``) are stored there as outputs. Tests use
:func:`glued` (and its parsing readers :func:`value`, :func:`values`, :func:`number`,
:func:`text`) to check that the numbers a reader sees equal what ``cnnbook`` computes; those need
a built book (run ``make html`` first). :func:`chapter_function` reads a function from a page's
source instead, so the code a reader sees can be compared with independent references without a
build.
"""

from __future__ import annotations

import ast
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from myst_nb.core.read import read_myst_markdown_notebook

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = Path(os.environ.get("CNNBOOK_BUILD_DIR", ROOT / "_build"))
HTML_DIR = BUILD_DIR / "html"
EXECUTED_DIR = BUILD_DIR / "jupyter_execute"
GLUE_PREFIX = "application/papermill.record/"
BOOK_DIR = ROOT / "book"
ROUNDING = 1e-12  # float64 rounding error of the small examples


def require_built_book() -> None:
    """Fail (not skip) with a clear message when the book has not been built."""
    if not (HTML_DIR / "index.html").is_file():
        pytest.fail(f"the book is not built in {HTML_DIR}: run `make html` first (make test does)")


def site_pages() -> list[str]:
    """The pages of the built site a reader opens, as paths relative to the HTML folder.

    Empty when the book is not built (the tests that use it then fail in
    :func:`require_built_book`). Sphinx's generated index and search pages are left out.
    """
    if not HTML_DIR.is_dir():
        return []
    skip = {"genindex.html", "search.html", "py-modindex.html"}
    return sorted(
        p.relative_to(HTML_DIR).as_posix()
        for p in HTML_DIR.rglob("*.html")
        if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts
    )


def executed_notebook(docname: str) -> dict:
    """The executed notebook of page ``docname`` (e.g. ``"part1/04-operation"``) as JSON."""
    require_built_book()
    path = EXECUTED_DIR / f"{docname}.ipynb"
    if not path.is_file():
        pytest.fail(f"no executed notebook for {docname!r} at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def _plain(data: dict, key: str) -> str | None:
    text = data.get(key)
    return "".join(text) if isinstance(text, list) else text


def glued(docname: str) -> dict[str, str]:
    """Every value glued by page ``docname``, as the ``text/plain`` repr the page shows.

    myst-nb keeps values glued with ``display=False`` in ``<docname>.glue.json`` beside the
    executed notebook, and displayed ones as notebook outputs; both are read.

    Returns a mapping from glue name to its plain-text representation (``repr`` of the value,
    e.g. ``'8003072000'`` or ``'0.9891'``).
    """
    values: dict[str, str] = {}
    for cell in executed_notebook(docname)["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            text = _plain(out.get("data", {}), GLUE_PREFIX + "text/plain")
            if name is not None and text is not None:
                values[name] = text
    store = EXECUTED_DIR / f"{docname}.glue.json"
    if store.is_file():
        for name, out in json.loads(store.read_text(encoding="utf-8")).items():
            text = _plain(out.get("data", {}), "text/plain")
            if text is not None:
                values[name] = text
    if not values:
        pytest.fail(f"page {docname!r} glued no values (looked in the notebook and {store})")
    return values


def _parse(text: str):
    """A glued ``repr`` parsed back into the value it shows (NumPy scalars unwrapped).

    ``inf`` and ``nan``, which are not Python literals, come back as floats.

    >>> _parse("np.float64(0.25)"), _parse("'MNIST'"), _parse("True"), _parse("inf")
    (0.25, 'MNIST', True, inf)
    """
    if text.startswith(("np.float64(", "np.int64(")):
        text = text[text.index("(") + 1 : -1]
    try:
        return ast.literal_eval(text)
    except ValueError:
        return float(text)


def values(docname: str) -> dict:
    """Every value glued by page ``docname``, parsed back into Python numbers (or the strings
    they quote)."""
    return {name: _parse(text) for name, text in glued(docname).items()}


def value(docname: str, name: str):
    """The Python value of variable ``name`` glued by page ``docname`` (its repr parsed back)."""
    glued_values = glued(docname)
    assert name in glued_values, f"{docname} does not glue {name!r}"
    return _parse(glued_values[name])


def number(values: dict[str, str], name: str) -> float:
    """The glued repr ``values[name]`` (from :func:`glued`) as a float."""
    assert name in values, f"{name!r} was not glued (glued: {sorted(values)})"
    return float(values[name])


def text(values: dict[str, str], name: str) -> str:
    """The string whose repr is ``values[name]`` (from :func:`glued`), e.g. ``"'MNIST'"``."""
    assert name in values, f"{name!r} was not glued (glued: {sorted(values)})"
    return str(eval(values[name], {"__builtins__": {}}))  # a str repr, e.g. "'MNIST'"


def chapter_function(page: str, name: str, **extra_globals):
    """The function ``name`` defined in a code cell of ``book/<page>`` (e.g.
    ``"part1/04-operation.md"``), read from the page's source: no build is needed.

    Only the page's import statements (from its first code cell) and the ``def`` statement are
    executed, in a fresh namespace, plus ``extra_globals`` for module-level constants it reads.
    """
    path = BOOK_DIR / page
    nb = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    imports = [
        node
        for node in ast.parse(code_cells[0].source).body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    namespace: dict = dict(extra_globals)
    exec(compile(ast.Module(imports, type_ignores=[]), str(path), "exec"), namespace)
    for cell in code_cells:
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                code = compile(ast.Module([node], type_ignores=[]), str(path), "exec")
                exec(code, namespace)
                return namespace[name]
    raise AssertionError(f"{page} defines no function {name!r} in a code cell")


# -- independent references shared by the cognitive-science chapters ------------------------------


def gabor_np(n: int, *, alpha=1.0, beta_x, beta_y, f, phi, x0=0.0, y0=0.0, tau=0.0) -> np.ndarray:
    """The Gabor equation on the centred grid (rows y, columns x), written independently."""
    c = (n - 1) / 2
    y, x = np.mgrid[0:n, 0:n] - c
    xp = (x - x0) * math.cos(tau) + (y - y0) * math.sin(tau)
    yp = -(x - x0) * math.sin(tau) + (y - y0) * math.cos(tau)
    return alpha * np.exp(-beta_x * xp**2 - beta_y * yp**2) * np.cos(f * xp + phi)


def grating_np(n: int, f: float, tau: float, phi: float) -> np.ndarray:
    """A cosine grating (frequency f, orientation tau, phase phi) on the centred grid."""
    y, x = np.mgrid[0:n, 0:n] - (n - 1) / 2
    return np.cos(f * (x * math.cos(tau) + y * math.sin(tau)) + phi)


def bar(n, angle, cx, cy, length=9.0, width=1.5):
    """The bar of ``cnnbook.stimuli.bar``, written independently with its centre ``(cx, cy)`` in
    pixel indices (the library takes it from the image's centre: x0 = cx - (n-1)/2)."""
    y, x = np.mgrid[0:n, 0:n]
    u = (x - cx) * np.cos(angle) + (y - cy) * np.sin(angle)
    v = -(x - cx) * np.sin(angle) + (y - cy) * np.cos(angle)
    # boundaries included, to within 1e-12 pixel (cos(pi/2) is not exactly 0)
    return ((np.abs(u) <= length / 2 + 1e-12) & (np.abs(v) <= width / 2 + 1e-12)).astype(float)


CELL = {"beta_x": 0.05, "beta_y": 0.05, "f": 2 * np.pi / 6, "phi": 0.0}
