"""The build configuration keeps its promises: strict, cached, salted by the library's sources."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load_conf():
    spec = importlib.util.spec_from_file_location("book_conf", ROOT / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_execution_is_cached_and_strict() -> None:
    conf = _load_conf()
    assert conf.nb_execution_mode == "cache"
    assert conf.nb_execution_raise_on_error is True
    assert conf.nb_execution_timeout >= 60
    assert conf.nitpicky is True
    assert conf.extensions.count("myst_nb") == 1 and "myst_parser" not in conf.extensions
    assert "sphinx.ext.intersphinx" not in conf.extensions  # it would fetch over the network


def test_cache_path_is_salted_by_package_sources(tmp_path: Path) -> None:
    conf = _load_conf()
    copy = tmp_path / "cnnbook"
    shutil.copytree(ROOT / "cnnbook", copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = conf.package_hash(copy)
    assert before == conf.package_hash(ROOT / "cnnbook")
    assert conf.nb_execution_cache_path.endswith(before)
    target = copy / "plotting.py"
    target.write_text(target.read_text() + "\n# an edit\n")
    assert conf.package_hash(copy) != before
    (copy / "nn" / "new_module.py").write_text("x = 1\n")
    assert len({before, conf.package_hash(copy)}) == 2


def test_makefile_build_is_strict() -> None:
    makefile = (ROOT / "Makefile").read_text()
    opts = re.search(r"^SPHINXOPTS\s*\?=\s*(.*)$", makefile, re.M).group(1).split()
    assert {"-n", "-W", "--keep-going"} <= set(opts)
    assert "$(SPHINXOPTS) book $(BUILDDIR)/html" in makefile
    assert "-d $(BUILDDIR)/doctrees" in makefile  # doctrees (pickles) stay out of the site


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make html", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


def strict_build(src: Path, out: Path, env: dict) -> subprocess.CompletedProcess:
    """Build ``src`` into ``out`` as ``make html`` does (strict), with the book's configuration."""
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-q"]
    return subprocess.run(
        [*command, "-c", str(ROOT), str(src), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_partial_build_of_one_part_is_strict_and_clean(tmp_path: Path) -> None:
    # CNNBOOK_ONLY is the authoring aid of conf.py: the pages it leaves out must not turn the
    # strict build red, and the pages it keeps must still be built.
    env = {
        **os.environ,
        "CNNBOOK_ONLY": "part1/index,part1/01-*",
        "CNNBOOK_BUILD_DIR": str(tmp_path),
    }
    out = tmp_path / "html"
    run = strict_build(ROOT / "book", out, env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (out / "part1" / "index.html").is_file()
    assert (out / "part1" / "01-before-deep-learning.html").is_file()
    assert not (out / "part1" / "04-operation.html").exists()


def test_stderr_of_a_cell_fails_the_strict_build(tmp_path: Path) -> None:
    # A warning printed by a cell (here written to stderr directly) must turn the build red
    # instead of reaching the page, path and all.
    conf = _load_conf()
    assert conf.nb_output_stderr == "error"
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text(
        "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n"
        "# A page\n\n```{code-cell} ipython3\nimport sys\n"
        "print('a warning', file=sys.stderr)\n```\n"
    )
    env = {**os.environ, "CNNBOOK_BUILD_DIR": str(tmp_path)}
    env.pop("CNNBOOK_ONLY", None)
    run = strict_build(src, tmp_path / "html", env)
    assert run.returncode != 0
    assert "stderr was found in the cell outputs" in run.stderr, run.stderr[-3000:]


def test_makefile_pdf_prints_the_strict_singlehtml_build_into_the_site() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^pdf:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "-b singlehtml -c . -d $(BUILDDIR)/doctrees-singlehtml $(SPHINXOPTS) book" in recipe
    conf = _load_conf()
    assert f"$(BUILDDIR)/html/{conf.BOOK_PDF}" in recipe  # where the download menu links it
