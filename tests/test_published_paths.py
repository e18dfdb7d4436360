"""No published page shows a path of the machine that built it.

The book is built on someone's machine (a laptop, CI) and published: a home folder, a cache
folder, the data folder or the build folder in a page is noise for the reader and a leak for the
builder. Every text file of the built site is searched for each of them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from bookutils import BUILD_DIR, HTML_DIR, ROOT, require_built_book

pytestmark = pytest.mark.book

TEXT_SUFFIXES = {".html", ".txt", ".md", ".ipynb", ".js", ".json", ".xml"}


def machine_paths() -> dict[str, str]:
    """The folders of this machine a page must not show, by what they are."""
    places = {
        "home folder": Path.home(),
        "repository": ROOT,
        "build folder": BUILD_DIR,
        "cache folder": Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")),
    }
    if os.environ.get("CNNBOOK_DATA"):
        places["data folder ($CNNBOOK_DATA)"] = Path(os.environ["CNNBOOK_DATA"])
    out = {}
    for what, path in places.items():
        for variant in {str(path), str(path.resolve())}:
            if len(variant) > 1:  # "/" alone is not a machine path
                out[variant] = what
    return out


def test_machine_paths_are_worth_searching_for():
    # The search must look for real, specific folders, else it could not fail.
    paths = machine_paths()
    assert str(Path.home()) in paths and str(ROOT) in paths
    assert all(p.startswith("/") and len(p) > 1 for p in paths)


def test_no_published_page_shows_a_machine_path():
    require_built_book()
    patterns = {p: re.compile(re.escape(p) + r"(?=[/\"'<\s:;,)]|$)") for p in machine_paths()}
    found = []
    files = [f for f in HTML_DIR.rglob("*") if f.suffix in TEXT_SUFFIXES and f.is_file()]
    assert any(f.name == "06-training.html" for f in files)
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        for path, pattern in patterns.items():
            m = pattern.search(text)
            if m:
                context = text[max(0, m.start() - 60) : m.end() + 60].replace("\n", " ")
                found.append(
                    f"{f.relative_to(HTML_DIR)}: {machine_paths()[path]} {path!r} in …{context}…"
                )
    assert not found, "machine paths in the published book:\n" + "\n".join(found[:20])


def test_the_site_holds_no_pickle():
    # Sphinx's doctrees and environment are pickles full of machine paths: they belong in the
    # build folder, not in the published site (the Makefile passes -d to keep them out).
    require_built_book()
    pickles = [
        f.relative_to(HTML_DIR).as_posix()
        for f in HTML_DIR.rglob("*")
        if f.suffix in {".pickle", ".doctree"}
    ]
    assert not pickles, pickles[:5]
