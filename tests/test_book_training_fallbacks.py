"""The training page builds honestly on each fallback dataset, not only on the one CI has.

CI builds the book on real MNIST, so the Fashion-MNIST and generated-digits paths of
``book_dataset`` would never run a page. Here the training page is executed as a notebook (as
``test_book_execute`` does) with ``CNNBOOK_DATASET`` forcing each fallback, one epoch and, for
generated digits, a small set. The page must run without a cell error, print nothing on stderr
(no warning reaches a reader), name its data in the banner and show no path of this machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbclient
import nbformat
import pytest
from myst_nb.core.read import read_myst_markdown_notebook
from test_published_paths import machine_paths

PAGE = Path(__file__).resolve().parents[1] / "book" / "part2" / "06-training.md"
RECIPE = "EPOCHS, BATCH, SEED, LR0, SHIFT = 8,"
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


def run_page(monkeypatch, dataset: str) -> nbformat.NotebookNode:
    nb = read_myst_markdown_notebook(PAGE.read_text(encoding="utf-8"), path=PAGE)
    recipe = [c for c in nb.cells if c.cell_type == "code" and RECIPE in c.source]
    assert len(recipe) == 1, "the training cell's recipe line changed: update this test"
    recipe[0].source = recipe[0].source.replace(RECIPE, "EPOCHS, BATCH, SEED, LR0, SHIFT = 1,")
    # Generated digits: 10,000 + 1,000 instead of 70,000 (enough for exercise 2's 100 steps).
    nb.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            "import cnnbook.datasets.book\ncnnbook.datasets.book.SYNTHETIC_SIZES = (10000, 1000)"
        ),
    )
    monkeypatch.setenv("CNNBOOK_DATASET", dataset)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(PAGE.parent)}}
    )
    client.execute()
    return nb


def glued_text(nb, name: str) -> str:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("metadata", {}).get("scrapbook", {}).get("name") == name:
                return out["data"]["application/papermill.record/text/plain"]
    raise AssertionError(f"{name} was not glued")


@pytest.mark.slow
@pytest.mark.parametrize(
    "dataset, title",
    [
        pytest.param(
            "fashion-mnist",
            "Fashion-MNIST",
            marks=pytest.mark.skipif(
                not DEBIAN_FASHION.is_dir(),
                reason="Debian's dataset-fashion-mnist is not installed",
            ),
        ),
        ("synthetic", "Generated digits"),
    ],
)
def test_training_page_on_a_fallback_dataset(monkeypatch, dataset, title):
    nb = run_page(monkeypatch, dataset)
    outputs = [
        out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    ]
    errors = [out for out in outputs if out.get("output_type") == "error"]
    assert not errors, f"{errors[0]['ename']}: {errors[0]['evalue']}"
    stderr = [
        out["text"]
        for out in outputs
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]
    assert not stderr, f"the page printed on stderr: {stderr[0][:300]}"
    assert glued_text(nb, "p2train_dataset_title") == repr(title)
    summary = glued_text(nb, "p2train_summary")
    assert summary.startswith(repr(title)[:-1]) and f"CNNBOOK_DATASET={dataset}" in summary
    text = json.dumps(outputs)
    leaks = [p for p in machine_paths() if p in text]
    assert not leaks, f"machine paths in the executed page: {leaks}"
