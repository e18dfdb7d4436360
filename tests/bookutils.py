"""Helpers for tests that read the built book (run ``make html`` first).

The strict build writes every executed notebook to ``<build dir>/jupyter_execute``; the values a
chapter glues into its prose (myst-nb ``glue``) are stored there as outputs. Tests use
:func:`glued` to check that the numbers a reader sees equal what ``cnnbook`` computes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = Path(os.environ.get("CNNBOOK_BUILD_DIR", ROOT / "_build"))
HTML_DIR = BUILD_DIR / "html"
EXECUTED_DIR = BUILD_DIR / "jupyter_execute"
GLUE_PREFIX = "application/papermill.record/"


def require_built_book() -> None:
    """Fail (not skip) with a clear message when the book has not been built."""
    if not (HTML_DIR / "index.html").is_file():
        pytest.fail(f"the book is not built in {HTML_DIR}: run `make html` first (make test does)")


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
