"""The whole book as one PDF (``make pdf``): every chapter, typeset math, the figures, an outline.

``make pdf`` prints the ``singlehtml`` build with headless Chromium into the HTML site, where each
page's download menu links it. Where the PDF has not been built the tests skip, saying so; CI
builds it and there they must run.
"""

from __future__ import annotations

import os
import re

import pytest
from bookutils import BUILD_DIR, HTML_DIR, ROOT

pytestmark = pytest.mark.book

PDF = HTML_DIR / "what-is-convolution.pdf"
SINGLE = BUILD_DIR / "singlehtml" / "index.html"

if not PDF.is_file():
    if os.environ.get("CI"):
        raise RuntimeError(f"CI must test the PDF, but {PDF} is missing (make pdf)")
    pytest.skip(f"no PDF at {PDF}: run `make pdf`", allow_module_level=True)

pypdf = pytest.importorskip("pypdf")


def _titles() -> list[str]:
    """The title (first heading) of every page of the book, as a reader sees it."""
    titles = []
    for path in sorted((ROOT / "book").rglob("*.md")):
        match = re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), re.M)
        if match:
            # MyST inline markup -> plain text: `code`, $math$ is left out
            title = re.sub(r"\$[^$]*\$", "", match.group(1)).replace("`", "")
            titles.append(title.strip())
    return titles


def _squash(text: str) -> str:
    return re.sub(r"[\s\u00ad-]+", "", text).lower()


@pytest.fixture(scope="module")
def reader():
    return pypdf.PdfReader(PDF)


@pytest.fixture(scope="module")
def text(reader) -> str:
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_every_page_title_is_in_the_pdf_and_its_outline(reader, text: str) -> None:
    titles = _titles()
    assert len(titles) >= 20, titles
    flat = _squash(text)
    missing = [t for t in titles if _squash(t) not in flat]
    assert not missing, f"titles not in the PDF text: {missing}"

    def outline_titles(items) -> list[str]:
        out = []
        for item in items:
            out.extend(outline_titles(item) if isinstance(item, list) else [item.title])
        return out

    outline = {_squash(t) for t in outline_titles(reader.outline)}
    assert not [t for t in titles if _squash(t) not in outline], "outline lacks page titles"


def test_math_is_typeset_not_raw_tex(text: str) -> None:
    for raw in ("\\frac", "\\sum", "\\begin{", "\\mathrm", "\\left", "$$", "\\("):
        assert raw not in text, f"raw TeX {raw!r} in the PDF"
    # MathJax's glyphs: a sum sign, a convolution star and a floor bracket of the book's formulas
    for glyph in ("∑", "∗", "⌊"):
        assert glyph in text, glyph


def test_figures_are_in_the_pdf(reader) -> None:
    # every figure of the book shown in light mode (the dark renderings are not printed)
    html = SINGLE.read_text(encoding="utf-8")
    printed = [tag for tag in re.findall(r"<img\b[^>]*>", html) if "only-dark" not in tag]
    images = sum(len(page.images) for page in reader.pages)
    assert len(printed) >= 50
    assert images >= len(printed), (images, len(printed))


def test_pdf_is_tagged_and_linked_from_the_site(reader) -> None:
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    for page in ("index.html", "part1/04-operation.html"):
        html = (HTML_DIR / page).read_text(encoding="utf-8")
        href = re.search(
            r'<a href="([^"]+)"[^>]*class="[^"]*\bbtn-download-book-pdf-button\b', html
        ).group(1)
        assert ((HTML_DIR / page).parent / href).resolve() == PDF.resolve()


def test_pdf_holds_the_whole_book(reader) -> None:
    # not a bound to meet: the number is printed for the build report (pytest -rA shows it)
    print(f"{PDF.name}: {len(reader.pages)} pages")
    assert len(reader.pages) > 20
