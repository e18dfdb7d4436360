"""Print the whole book, built as one HTML page (Sphinx ``singlehtml``), to one PDF.

Headless Chromium (the system's, driven by Playwright) opens the page from a local HTTP server,
waits until MathJax has typeset every formula and every image has loaded, opens the exercise
solutions, and prints with the theme's print style sheet: A4, a tagged PDF (structure for screen
readers) with an outline (bookmarks) built from the headings. Interactive explorers print as their
static figures, and every figure in its light rendering.

Usage: ``python tools/book_pdf.py SINGLEHTML_DIR OUTPUT.pdf`` (``make pdf`` runs it).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CNNBOOK_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def print_book(site: Path, output: Path, page: str = "index.html") -> int:
    """Print ``site/page`` to ``output``; return the number of typeset formulas."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(color_scheme="light")
            # the theme remembers a reader's choice of mode; the book prints in light mode
            context.add_init_script(
                "localStorage.setItem('mode', 'light');localStorage.setItem('theme', 'light');"
            )
            tab = context.new_page()
            tab.goto(
                f"http://127.0.0.1:{server.server_address[1]}/{page}",
                wait_until="networkidle",
                timeout=180_000,
            )
            tab.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=60_000
            )
            tab.evaluate("() => MathJax.startup.promise")
            raw = tab.evaluate(
                "() => Array.from(document.querySelectorAll('span.math, div.math'))"
                ".filter(e => !e.querySelector('mjx-container')).length"
            )
            if raw:
                raise RuntimeError(f"{raw} formulas were not typeset by MathJax")
            tab.evaluate(
                "() => document.querySelectorAll('details.sd-dropdown')"
                ".forEach(d => { d.open = true; })"
            )
            # the exercises' solutions (sphinx-exercise, folded by sphinx-togglebutton)
            tab.evaluate(
                "() => document.querySelectorAll('.admonition.toggle-hidden')"
                ".forEach(a => a.classList.remove('toggle-hidden'))"
            )
            tab.wait_for_function(
                "() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
                timeout=60_000,
            )
            tab.emulate_media(media="print")
            output.parent.mkdir(parents=True, exist_ok=True)
            tab.pdf(
                path=str(output),
                format="A4",
                print_background=True,
                outline=True,
                tagged=True,
                margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                display_header_footer=True,
                header_template="<span></span>",
                footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                '<span class="pageNumber"></span></div>',
            )
            formulas = tab.locator("mjx-container").count()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return formulas


def main() -> None:
    parser = argparse.ArgumentParser(description="Print the singlehtml build of the book to PDF.")
    parser.add_argument("site", type=Path, help="the singlehtml build folder")
    parser.add_argument("output", type=Path, help="the PDF to write")
    args = parser.parse_args()
    if not Path(CHROMIUM).is_file():
        # Without a browser there is no PDF; the PDF tests then skip locally, and fail in CI.
        print(f"no Chromium at {CHROMIUM}: the PDF is not built (apt-get install chromium)")
        sys.exit(1 if os.environ.get("CI") else 0)
    # Print to a temporary name and rename, so an interrupted run never leaves half a PDF.
    partial = args.output.with_name(args.output.name + ".part")
    try:
        formulas = print_book(args.site, partial)
        partial.replace(args.output)
    finally:
        partial.unlink(missing_ok=True)
    print(f"{args.output}: {args.output.stat().st_size / 1e6:.1f} MB, {formulas} formulas")


if __name__ == "__main__":
    main()
