"""The whole book as one PDF (``make pdf``): every chapter, typeset math, the figures, an outline.

``make pdf`` prints the ``singlehtml`` build with headless Chromium into the HTML site, where each
page's download menu links it. Where the PDF has not been built the tests skip, saying so; CI
builds it and there they must run.
"""

from __future__ import annotations

import html as html_lib
import os
import re
import unicodedata

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
    # NFKC undoes the typographic ligatures of the PDF text (the "fi" of "field" is one glyph)
    return re.sub(r"[\s\u00ad-]+", "", unicodedata.normalize("NFKC", text)).lower()


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

    # Chromium repeats the title of a section that holds inlined pages in its outline entry
    # ("PartIPartI"): an entry counts when the page title is all of it, or it repeated.
    outline = {_squash(t) for t in outline_titles(reader.outline)}
    lacking = [t for t in titles if not {_squash(t), _squash(t) * 2} & outline]
    assert not lacking, f"outline lacks page titles: {lacking}"


def _code_text() -> str:
    """The text of every code block of the printed page (TeX there, e.g. a plot label, is code)."""
    page = SINGLE.read_text(encoding="utf-8")
    blocks = re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S)
    return _squash(html_lib.unescape(re.sub(r"<[^>]+>", "", "".join(blocks))))


def test_math_is_typeset_not_raw_tex(text: str) -> None:
    code = _code_text()
    for raw in ("\\frac", "\\sum", "\\begin{", "\\mathrm", "\\left", "$$", "\\("):
        for m in re.finditer(re.escape(raw), text):
            context = _squash(text[max(0, m.start() - 12) : m.end() + 12])
            assert context in code, f"raw TeX {raw!r} in the PDF's prose: {context!r}"
    # MathJax's glyphs: a sum sign, a convolution star and a floor bracket of the book's formulas
    for glyph in ("∑", "∗", "⌊"):
        assert glyph in text, glyph


def test_figures_are_in_the_pdf(reader) -> None:
    # every figure of the book shown in light mode (the dark renderings are not printed); Chromium
    # embeds an image once per page however often it is drawn there, so identical figures count
    # once, and an animation (its frames set by script, no src in the HTML) counts once.
    page = SINGLE.read_text(encoding="utf-8")
    printed = [tag for tag in re.findall(r"<img\b[^>]*>", page) if "only-dark" not in tag]
    sources = {m.group(1) for tag in printed if (m := re.search(r'src="([^"]+)"', tag))}
    animations = [tag for tag in printed if "src=" not in tag]
    images = sum(len(p.images) for p in reader.pages)
    assert len(printed) >= 50
    assert images >= len(sources) + len(animations), (images, len(sources), len(animations))


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
