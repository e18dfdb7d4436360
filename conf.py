"""Sphinx configuration of the book *What is Convolution?* (sources in ``book/``).

Build with ``make html`` (strict: ``-n -W --keep-going``). Notebooks are executed by myst-nb in
``cache`` mode; the cache folder is salted with a hash of the ``cnnbook`` sources, so any change to
the library re-executes every page, while a rebuild with no change re-uses the stored outputs.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import cnnbook

ROOT = Path(__file__).resolve().parent

# -- Project -------------------------------------------------------------------------------------
project = "What is Convolution?"
author = "The cnnbook authors"
copyright = "2026, the cnnbook authors"
release = cnnbook.__version__  # the one place it is written is cnnbook/__init__.py

REPOSITORY_URL = os.environ.get("CNNBOOK_REPOSITORY_URL", "https://github.com/cnnbook/cnnbook")
REPOSITORY_BRANCH = os.environ.get("CNNBOOK_REPOSITORY_BRANCH", "main")

# -- Extensions ----------------------------------------------------------------------------------
extensions = [
    "myst_nb",  # also loads myst_parser: do not list it again
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_exercise",
    "sphinx_togglebutton",  # folds admonitions with :class: dropdown (the exercises' solutions)
    "sphinxcontrib.bibtex",
    "sphinx-mathjax-offline",  # serves MathJax from _static: no CDN
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", ".jupyter_cache"]

# Authoring aid: CNNBOOK_ONLY="part1/*" builds only the matching pages (plus the front page).
_only = os.environ.get("CNNBOOK_ONLY")
if _only:
    _keep = {"index"} | {p.strip() for p in _only.split(",")}
    import fnmatch

    for _src in (ROOT / "book").rglob("*.md"):
        _name = _src.relative_to(ROOT / "book").with_suffix("").as_posix()
        if not any(fnmatch.fnmatch(_name, pat) for pat in _keep):
            exclude_patterns.append(_name + ".md")
    # pages left out on purpose are not errors in such a partial build
    _partial_build_warnings = [
        "toc.excluded",
        "toc.not_readable",
        "toc.not_included",
        "ref.doc",
        "ref.ref",
        "myst.xref_missing",
    ]
else:
    _partial_build_warnings = []

# -- MyST / myst-nb ------------------------------------------------------------------------------
myst_enable_extensions = ["amsmath", "dollarmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3
myst_dmath_double_inline = True


def package_hash(package_dir: Path = ROOT / "cnnbook") -> str:
    """A short hash of every ``cnnbook`` source file: it salts the execution cache."""
    h = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        h.update(path.relative_to(package_dir).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


nb_execution_mode = os.environ.get("CNNBOOK_EXECUTION_MODE", "cache")
_build_dir = Path(os.environ.get("CNNBOOK_BUILD_DIR", ROOT / "_build"))
nb_execution_cache_path = str(_build_dir / ".jupyter_cache" / package_hash())
nb_execution_timeout = 300  # seconds per cell; long pages raise it in their front matter
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# A page shows only what it means to: any stderr output of a cell (a warning, a traceback) is an
# error, which the strict build (-W) turns into a failure. A cell that must show stderr on purpose
# says so with the tag "remove-stderr" or its own `mystnb: output_stderr:` metadata.
nb_output_stderr = "error"
nb_execution_allow_errors = False
nb_merge_streams = True
nb_kernel_rgx_aliases = {".*": "python3"}
nb_render_image_options = {"align": "center"}

# -- Bibliography --------------------------------------------------------------------------------
bibtex_bibfiles = ["book/references.bib"]  # relative to this file
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# -- autodoc -------------------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
napoleon_preprocess_types = True

# -- Strictness ----------------------------------------------------------------------------------
nitpicky = True
# Types from third-party packages that we cannot link without intersphinx (no network at build).
# Type descriptions in NumPy-style docstrings ("array of shape (n, k)", "int or tuple") are
# prose, not references: only names inside cnnbook must resolve.
nitpick_ignore_regex = [
    (r"py:class", r"(?!cnnbook\.).*"),
    (
        r"py:.*",
        r"(numpy|np|scipy|torch|matplotlib|mpl|plt|collections\.abc|typing|os|pathlib|time|gzip|urllib|tqdm)(\..*)?",
    ),
    (r"py:.*", r"(ndarray|ArrayLike|NDArray|DTypeLike|Figure|Axes|Path|PathLike|Callable)"),
    (r"py:.*", r"(optional|array_like|array-like|int|float|str|bool|dict|tuple|list|object)"),
    (r"py:.*", r"(sequence|iterable|callable|default|shape|of|or|and|None|bytes|Generator)"),
]
# Each page lists the sources it cites; a source cited on several pages is listed on each.
suppress_warnings = [
    "mystnb.unknown_mime_type",
    "bibtex.duplicate_citation",
    "bibtex.duplicate_label",
    *_partial_build_warnings,
]

# -- HTML ----------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "What is Convolution?"
html_static_path = ["book/_static"]  # relative to this file
html_css_files = ["cnnbook.css"]
# the interactive explorers (book/explore): plain JavaScript, served with the site
html_js_files = ["cnnbook-widgets.js"]
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": REPOSITORY_BRANCH,
    "path_to_docs": "book",
    "use_repository_button": True,
    "use_source_button": True,
    "use_download_button": True,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "launch_buttons": {
        "binderhub_url": os.environ.get("CNNBOOK_BINDER_URL", ""),
        "colab_url": os.environ.get("CNNBOOK_COLAB_URL", ""),
        "notebook_interface": "jupyterlab",
    },
    # no external fonts, icons or analytics
    "icon_links": [],
}
html_context = {"default_mode": "light"}


# -- Figures: alt text from the cell's metadata --------------------------------------------------
# cnnbook.plotting displays each figure as HTML with a light and a dark rendering, whose alt text
# the kernel takes from the figure (plotting.set_alt, else its titles). A cell may instead give the
# alt text in its metadata, `mystnb: image: alt: ...`, which myst-nb applies to the plain PNG of the
# same output. This transform, run before myst-nb picks one output format, copies it into the HTML.
import html as _html  # noqa: E402
import re as _re  # noqa: E402

from docutils import nodes as _nodes  # noqa: E402
from sphinx.transforms.post_transforms import SphinxPostTransform  # noqa: E402

_FIGURE_ALT = _re.compile(r'(<img class="cnnbook-figure-img[^"]*" src="[^"]*" alt=")[^"]*(")')


class FigureAltFromCellMetadata(SphinxPostTransform):
    """Give the light/dark figure HTML of an output the alt text of the cell's metadata."""

    default_priority = 3  # before myst-nb's SelectMimeType (4) drops the PNG rendering

    def run(self, **kwargs: object) -> None:
        for bundle in self.document.findall(_nodes.container):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            by_type = {c.get("mime_type"): c for c in bundle.children}
            png, page = by_type.get("image/png"), by_type.get("text/html")
            if png is None or page is None:
                continue
            images = list(png.findall(_nodes.image))
            alt = images[0].get("alt") if images else None
            if not alt:
                continue
            for raw in page.findall(_nodes.raw):
                escaped = _html.escape(alt, quote=True)
                text = _FIGURE_ALT.sub(
                    lambda m, e=escaped: m.group(1) + e + m.group(2), raw.astext()
                )
                raw.parent.replace(raw, _nodes.raw(text, text, format="html"))


# -- Downloads: each page as its executed notebook and as its MyST source -------------------------
# sphinx-book-theme offers the .ipynb only when a launch service is configured; this handler runs
# before the theme builds its buttons (priority 501), writes the executed notebook (with its
# outputs) next to the page's source in _sources/, and tells the theme it is there. myst-nb writes
# the notebook it executed to jupyter_execute/, but when it took the outputs from the execution
# cache that copy has none: they are then merged in from the cache.
html_sourcelink_suffix = ""  # the source downloads as `page.md`, not `page.md.txt`


def executed_notebook(app: object, pagename: str) -> str | None:
    """The notebook of page ``pagename`` with its outputs, as JSON text (None if not a notebook)."""
    import nbformat
    from jupyter_cache import get_cache

    path = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not path.is_file():
        return None
    nb = nbformat.read(path, as_version=4)
    if any(c.cell_type == "code" and c.execution_count is None for c in nb.cells):
        try:
            _, nb = get_cache(app.config.nb_execution_cache_path).merge_match_into_notebook(nb)
        except KeyError:  # not in the cache: nothing executed, nothing to offer
            return None
    return nbformat.writes(nb)


def add_executed_notebook(
    app: object, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    text = executed_notebook(app, pagename) if doctree is not None else None
    if text is None:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


# -- The whole book as one PDF (`make pdf`: the singlehtml build printed by Chromium) -------------
BOOK_PDF = "what-is-convolution.pdf"  # written into the root of the HTML site


def add_book_pdf_button(
    app: object, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Offer the whole book's PDF in each page's download menu (after the theme made it)."""
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](BOOK_PDF, 1),
                    "text": "book .pdf",
                    "tooltip": "Download the whole book as one PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


# -- Accessibility: bibliography entries as list items --------------------------------------------
# docutils writes a bibliography as <div role="list"> whose entries have role="doc-biblioentry", a
# role ARIA 1.2 deprecates, so that screen readers (and axe-core) see a list without items.
def citation_list_items(
    app: object, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


# The theme's sidebar opens a part's pages with a <summary> that holds only a chevron icon: give it
# a name ("Pages of Part I — ...") for screen readers.
def _name_sidebar_toggles(soup: object) -> object:
    for summary in soup.find_all("summary"):
        link = summary.parent.find_previous_sibling("a") if summary.parent else None
        if not summary.get_text(strip=True) and not summary.get("aria-label") and link:
            summary["aria-label"] = f"Pages of {link.get_text(strip=True)}"
    return soup


def named_sidebar_toggles(
    app: object, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    def generate_named(kind: str, *args: object, **kwargs: object) -> object:
        out = generate(kind, *args, **kwargs)
        return _name_sidebar_toggles(out) if hasattr(out, "find_all") else out

    context["generate_toctree_html"] = generate_named


def singlehtml_uses_html_handlers(app: object) -> None:
    """Let the singlehtml build (the PDF's source) render every node the html build renders.

    Sphinx looks up node handlers by builder name first and by format only if the name has none;
    sphinx-exercise registers handlers for "singlehtml" by name, so the handlers other extensions
    register for the "html" format (myst-nb's hidden cells, sphinx-design, ...) would be ignored.
    """
    handlers = app.registry.translation_handlers
    if "singlehtml" in handlers:
        for name, pair in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(name, pair)


def setup(app: object) -> dict:
    app.connect("builder-inited", singlehtml_uses_html_handlers)
    app.add_post_transform(FigureAltFromCellMetadata)
    app.connect("html-page-context", add_executed_notebook, priority=500)
    app.connect("html-page-context", add_book_pdf_button, priority=502)
    app.connect("html-page-context", citation_list_items)
    app.connect("html-page-context", named_sidebar_toggles, priority=900)  # after the theme's
    return {"parallel_read_safe": True, "parallel_write_safe": True}
