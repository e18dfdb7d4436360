"""Every chapter of the built book shows what the issues promise a reader.

Each chapter page (not the part landing pages, the API reference or the execution table) has at
least one figure produced by its code, typeset math, numbered exercises each with its folded
solution (sphinx-exercise), and a list of references; and no page carries placeholder text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bookutils import HTML_DIR, ROOT, require_built_book

pytestmark = pytest.mark.book

# The page on installing and running the code has commands, not equations.
NO_MATH = {"part2/01-running-the-code"}

CHAPTERS = sorted(
    p.relative_to(ROOT / "book").with_suffix("").as_posix()
    for part in ("part1", "cogsci", "part2")
    for p in (ROOT / "book" / part).glob("[0-9]*.md")
)


_EXERCISE = re.compile(
    r'<div class="exercise(?: [^"]*)? admonition" id="([^"]+)">\s*'
    r'<p class="admonition-title"><span class="caption-number">Exercise (\d+) '
)
_SOLUTION = re.compile(
    r'<div class="solution( [^"]*)? admonition" id="[^"]+">\s*'
    r'<p class="admonition-title">Solution to<a class="reference internal" '
    r'href="#([^"]+)">'
)


def exercise_problems(page_html: str) -> list[str]:
    """What is wrong with the exercises of a page rendered by sphinx-exercise (empty if nothing).

    Every exercise (``div.exercise``, numbered "Exercise N"; the numbers run through the book, so a
    page's are consecutive, N, N + 1, ...) must be followed by a solution (``div.solution``) that
    refers to it and is folded (class ``dropdown``); every solution must refer to an exercise of
    the page.
    """
    exercises = _EXERCISE.findall(page_html)
    solutions = _SOLUTION.findall(page_html)
    problems = []
    if not exercises:
        problems.append("no numbered exercise")
    numbers = [int(n) for _, n in exercises]
    if numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        problems.append(f"exercises not numbered consecutively: {numbers}")
    labels = [label for label, _ in exercises]
    solved = [target for _, target in solutions]
    problems += [f"exercise {label} has no solution" for label in labels if label not in solved]
    problems += [
        f"solution to {target}, not an exercise of this page"
        for target in solved
        if target not in labels
    ]
    problems += [
        f"solution to {target} is not folded (:class: dropdown)"
        for classes, target in solutions
        if "dropdown" not in classes.split()
    ]
    if page_html.count('<div class="exercise') != len(exercises):
        problems.append("an exercise without its number")
    if page_html.count('<div class="solution') != len(solutions):
        problems.append("a solution that refers to no exercise")
    return problems


def test_exercise_check_rejects_missing_and_unfolded_solutions() -> None:
    def exercise(label: str, n: int) -> str:
        return (
            f'<div class="exercise admonition" id="{label}">\n<p class="admonition-title">'
            f'<span class="caption-number">Exercise {n} </span></p></div>'
        )

    def solution(label: str, classes: str = " dropdown") -> str:
        return (
            f'<div class="solution{classes} admonition" id="sol-{label}">\n<p class='
            f'"admonition-title">Solution to<a class="reference internal" href="#{label}"> '
            f"Exercise</a></p></div>"
        )

    good = exercise("ex-a", 7) + solution("ex-a") + exercise("ex-b", 8) + solution("ex-b")
    assert exercise_problems(good) == []
    assert exercise_problems(
        exercise("ex-a", 1) + solution("ex-a") + exercise("ex-b", 3) + solution("ex-b")
    ) == ["exercises not numbered consecutively: [1, 3]"]
    assert exercise_problems(exercise("ex-a", 1) + solution("ex-a") + exercise("ex-b", 2)) == [
        "exercise ex-b has no solution"
    ]
    assert exercise_problems(exercise("ex-a", 1) + solution("ex-a", "")) == [
        "solution to ex-a is not folded (:class: dropdown)"
    ]
    assert exercise_problems(exercise("ex-a", 1) + solution("ex-z")) == [
        "exercise ex-a has no solution",
        "solution to ex-z, not an exercise of this page",
    ]
    assert exercise_problems("<h2>Exercises</h2><details>old form</details>") == [
        "no numbered exercise"
    ]


def _html(docname: str) -> str:
    require_built_book()
    path = HTML_DIR / f"{docname}.html"
    assert path.is_file(), f"{docname} was not built ({path})"
    return path.read_text(encoding="utf-8")


def test_every_part_has_chapters() -> None:
    for part in ("part1", "cogsci", "part2"):
        assert any(c.startswith(part + "/") for c in CHAPTERS), f"{part} has no chapter"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_has_figures_exercises_and_references(docname: str) -> None:
    html = _html(docname)
    images = re.findall(r"<img\b[^>]*\bsrc=\"([^\"]+)\"", html)
    assert images, f"{docname}: no figure in the page (did the kernel display its figures?)"
    for src in images:
        if not src.startswith("data:"):
            assert (HTML_DIR / docname).parent.joinpath(src).resolve().is_file(), src
    if docname not in NO_MATH:
        assert 'class="math' in html, f"{docname}: no math"
    problems = exercise_problems(html)
    assert not problems, f"{docname}: {problems}"
    assert 'class="citation' in html or "citation-list" in html, f"{docname}: no references"


@pytest.mark.parametrize("docname", ["index", "api", *CHAPTERS])
def test_no_placeholder_text(docname: str) -> None:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", _html(docname), flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", html)
    for marker in ("TODO", "FIXME", "TBD", "Lorem ipsum", "placeholder"):
        assert marker not in text, f"{docname} contains {marker!r}"


# -- downloads: the executed notebook and the MyST source of every page ---------------------------
PAGES = ["index", "explore/index", *CHAPTERS]


def _download_links(docname: str) -> dict[str, Path]:
    """The files behind a page's download buttons (notebook and source), as paths in the site."""
    html = _html(docname)
    page = HTML_DIR / f"{docname}.html"
    links = {}
    for label in ("download-notebook-button", "download-source-button"):
        match = re.search(rf'<a href="([^"]+)"[^>]*class="[^"]*\bbtn-{label}\b', html)
        assert match is not None, f"{docname}: no {label}"
        links[label] = (page.parent / match.group(1)).resolve()
    return links


@pytest.mark.parametrize("docname", PAGES)
def test_page_offers_its_executed_notebook_and_its_source(docname: str) -> None:
    links = _download_links(docname)
    notebook, source = links["download-notebook-button"], links["download-source-button"]
    assert source.name.endswith(".md")
    assert source.read_bytes() == (ROOT / "book" / f"{docname}.md").read_bytes()
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c.get("execution_count") for c in code), f"{docname}: not executed"
    assert any(c["outputs"] for c in code), f"{docname}: no outputs in the notebook"


def test_downloaded_notebook_runs_elsewhere(tmp_path: Path) -> None:
    # A reader downloads the notebook of the explorers page and runs it in a folder of their own:
    # it must execute without error and reproduce the figures it was downloaded with.
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    require_built_book()
    notebook = _download_links("explore/index")["download-notebook-button"]
    nb = nbformat.read(notebook, as_version=4)

    def kinds(notebook: object) -> list[list[str]]:
        # what each output holds; glue records (display=False) are kept only by some routes
        return [
            sorted(o.get("data", {}))
            for c in notebook.cells
            if c.cell_type == "code"
            for o in c.outputs
            if not any(k.startswith("application/papermill.record") for k in o.get("data", {}))
        ]

    before = kinds(nb)
    assert before, "the downloaded notebook has no outputs"
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    assert kinds(nb) == before
    assert not [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "stream" and o.name == "stderr"
    ]
