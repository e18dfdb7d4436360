"""The written descriptions of the package's layout stay true to the tree.

CONTRIBUTING.md's module map and the API page (book/api.md) each name every module of `cnnbook`;
a module added, moved or removed without updating them fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cnnbook"
PRIVATE = {"cnnbook._validate", "cnnbook.__main__"}


def modules() -> set[str]:
    out = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
            if parts in {("cnnbook",), ("cnnbook", "datasets")}:
                continue  # described by their submodules (datasets) or by the whole page
        out.add(".".join(parts))
    return out


def test_there_are_modules_to_describe():
    found = modules()
    assert {"cnnbook.conv", "cnnbook.nn.layers", "cnnbook.datasets.idx"} <= found


def test_contributing_module_map_names_every_module_and_no_other():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    mapped = {m.replace("/", ".") for m in re.findall(r"^\| `(cnnbook/[\w/]+)\.py` \|", text, re.M)}
    assert mapped == modules() - {"cnnbook.nn"}  # nn/__init__.py only re-exports


def test_api_page_documents_every_public_module_and_no_other():
    text = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. automodule:: ([\w.]+)$", text, re.M))
    datasets_parts = {m for m in modules() if m.startswith("cnnbook.datasets.")}
    # The datasets package is documented through its re-exports (one page section).
    expected = (modules() - PRIVATE - datasets_parts) | {"cnnbook.datasets"}
    assert documented == expected


def test_the_version_is_written_once():
    import cnnbook

    hits = []
    for path in [ROOT / "pyproject.toml", ROOT / "conf.py", *PACKAGE.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if re.search(re.escape(cnnbook.__version__), text):
            hits.append(path.relative_to(ROOT).as_posix())
    assert hits == ["cnnbook/__init__.py"], hits
