"""Every chapter runs as a plain Jupyter notebook, outside Sphinx.

A reader who downloads a page as a notebook, or opens its MyST source in Jupyter, runs exactly
these cells. Each page is read with myst-nb's own MyST reader and executed by nbclient in a fresh
kernel; any cell error fails the test with the cell's traceback.
"""

from __future__ import annotations

from pathlib import Path

import nbclient
import pytest
from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook

BOOK = Path(__file__).resolve().parents[1] / "book"
PAGES = sorted(
    p
    for p in BOOK.rglob("*.md")
    if "_build" not in p.parts and is_myst_markdown_notebook(p.read_text(encoding="utf-8"))
)


def test_book_has_executable_pages() -> None:
    assert (BOOK / "index.md") in PAGES
    assert len(PAGES) >= 2, f"expected several executable chapters, found {PAGES}"


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(BOOK).as_posix() for p in PAGES])
def test_page_executes(page: Path) -> None:
    nb = read_myst_markdown_notebook(page.read_text(encoding="utf-8"), path=page)
    timeout = nb.metadata.get("mystnb", {}).get("execution_timeout", 300)
    client = nbclient.NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(page.parent)}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors, f"{page.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    n_code = sum(cell.cell_type == "code" for cell in nb.cells)
    assert n_code >= 1, f"{page.name} has no code cell"
