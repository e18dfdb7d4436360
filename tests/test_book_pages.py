"""Every chapter of the built book shows what the issues promise a reader.

Each chapter page (not the part landing pages, the API reference or the execution table) has at
least one figure produced by its code, typeset math, exercises with solutions in dropdowns, and a
list of references; and no page carries placeholder text.
"""

from __future__ import annotations

import re

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
    assert "Exercises" in html and "<details" in html, f"{docname}: no exercises with solutions"
    assert 'class="citation' in html or "citation-list" in html, f"{docname}: no references"


@pytest.mark.parametrize("docname", ["index", "api", *CHAPTERS])
def test_no_placeholder_text(docname: str) -> None:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", _html(docname), flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", html)
    for marker in ("TODO", "FIXME", "TBD", "Lorem ipsum", "placeholder"):
        assert marker not in text, f"{docname} contains {marker!r}"
