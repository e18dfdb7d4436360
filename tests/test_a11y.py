"""Accessibility of the built site: alt text on every image, and axe-core in light and dark mode.

* Every ``<img>`` of every page has alt text that describes it, never a file path (Sphinx falls back
  to the image's path when a figure has no alt text).
* axe-core (bundled by the PyPI package ``axe-playwright-python``) finds no *serious* or *critical*
  violation on any page, with the theme in light mode and in dark mode (colour contrast is checked
  in both).

Headless Chromium as in ``test_browser.py``; where it is absent the axe tests skip, saying so.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from bookutils import HTML_DIR, require_built_book, site_pages

pytestmark = [pytest.mark.book]

PATH_LIKE = re.compile(r"(\.(png|jpe?g|gif|svg|webp)\b|_images/|_static/|^\.\./|^/|^data:)", re.I)


def bad_alt_texts(page_html: str) -> list[str]:
    """The alt texts (or ``<missing>``) of the page's images that do not describe them."""
    bad = []
    for tag in re.findall(r"<img\b[^>]*>", page_html):
        match = re.search(r'\balt="([^"]*)"', tag)
        alt = html_lib.unescape(match.group(1)).strip() if match else None
        if alt is None or len(alt) < 4 or PATH_LIKE.search(alt):
            bad.append(alt if alt is not None else "<missing>")
    return bad


def test_alt_text_check_rejects_paths_and_missing_alt() -> None:
    page = (
        '<img src="a.png" alt="../_images/3f2a.png"><img src="b.png">'
        '<img src="c.png" alt="A sine wave and its smoothed version.">'
        '<img src="d.png" alt="">'
    )
    assert bad_alt_texts(page) == ["../_images/3f2a.png", "<missing>", ""]


@pytest.mark.parametrize("page", site_pages() or ["index.html"])
def test_every_image_has_alt_text_that_is_not_a_path(page: str) -> None:
    require_built_book()
    bad = bad_alt_texts((HTML_DIR / page).read_text(encoding="utf-8"))
    assert not bad, f"{page}: images without meaningful alt text: {bad[:5]}"


# -- axe-core --------------------------------------------------------------------------------------
try:
    from test_browser import CHROMIUM, browser, site  # noqa: F401  (shared fixtures)
except pytest.skip.Exception:  # no Chromium here: the axe tests below skip
    CHROMIUM = None

SERIOUS = {"serious", "critical"}


@pytest.mark.xdist_group("browser")
@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("page", site_pages() or ["index.html"])
def test_axe_finds_no_serious_violation(request, page: str, mode: str) -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is missing (apt-get install chromium)")
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    site_url = request.getfixturevalue("site")
    chromium = request.getfixturevalue("browser")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=mode)
    # the theme keeps the reader's choice of mode in localStorage
    context.add_init_script(
        f"localStorage.setItem('mode', '{mode}');localStorage.setItem('theme', '{mode}');"
    )
    tab = context.new_page()
    tab.goto(f"{site_url}/{page}", wait_until="networkidle")
    assert tab.evaluate("() => document.documentElement.dataset.theme") == mode
    results = axe_module.Axe().run(tab).response
    context.close()
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -- "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:3]
        )
        for v in results["violations"]
        if v.get("impact") in SERIOUS
    ]
    assert not serious, f"{page} in {mode} mode:\n" + "\n".join(serious)
