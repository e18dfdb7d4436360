"""The built site, as a reader's browser sees it.

Headless Chromium (Debian's ``chromium``, driven by Playwright for Python; never a downloaded
browser) opens every page of ``_build/html`` from a local HTTP server and checks that:

* no request leaves localhost (MathJax, fonts and scripts are all served by the site itself);
* the console shows no error and no request fails;
* every image has loaded (non-zero natural width);
* math is typeset by MathJax (``mjx-container`` elements) on pages that contain math.

Where Chromium is absent the tests skip, saying so; CI installs it, and there they must run.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bookutils import HTML_DIR, require_built_book, site_pages

CHROMIUM = os.environ.get("CNNBOOK_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
pytestmark = [pytest.mark.book, pytest.mark.xdist_group("browser")]

if not Path(CHROMIUM).is_file():
    if os.environ.get("CI"):
        raise RuntimeError(f"CI must run the browser tests, but Chromium is missing at {CHROMIUM}")
    pytest.skip(
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True
    )

playwright_sync = pytest.importorskip("playwright.sync_api")

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep pytest output readable
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    require_built_book()
    handler = functools.partial(_QuietHandler, directory=str(HTML_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        try:
            yield b
        finally:
            b.close()


def test_site_has_pages() -> None:
    require_built_book()
    pages = site_pages()
    assert "index.html" in pages
    assert len(pages) >= 3, pages


@pytest.mark.parametrize("page", site_pages() or ["index.html"])
def test_page_renders_offline(site: str, browser: object, page: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    external: list[str] = []
    failed: list[str] = []
    console_errors: list[str] = []

    def route(r: object) -> None:
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    p = context.new_page()
    p.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: console_errors.append(str(e)))
    p.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    response = p.goto(f"{site}/{page}", wait_until="load")
    assert response is not None and response.ok, f"{page}: HTTP {response and response.status}"

    has_math = (
        p.evaluate("() => document.querySelectorAll('.math, div.math, span.math').length") > 0
    )
    if has_math:
        p.wait_for_selector("mjx-container", state="attached", timeout=20_000)
        raw = p.evaluate(
            "() => Array.from(document.querySelectorAll('span.math, div.math'))"
            ".filter(e => !e.querySelector('mjx-container')).length"
        )
        assert raw == 0, f"{page}: {raw} math elements left as raw TeX"
    p.wait_for_load_state("networkidle")
    broken = p.evaluate(
        "() => Array.from(document.images)"
        ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    context.close()

    assert not external, f"{page} requested other hosts: {external[:5]}"
    assert not failed, f"{page}: failed requests: {failed[:5]}"
    assert not broken, f"{page}: images that did not load: {broken[:5]}"
    assert not console_errors, f"{page}: console errors: {console_errors[:5]}"


def test_math_is_typeset_on_front_page(site: str, browser: object) -> None:
    p = browser.new_page()
    p.goto(f"{site}/index.html", wait_until="load")
    p.wait_for_selector("mjx-container", state="attached", timeout=20_000)
    assert p.locator("mjx-container").count() >= 2
    p.close()
