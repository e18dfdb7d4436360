# The book and its library. `make html` and `make test` work on a fresh machine with only
# Python 3.11+: they create .venv, install cnnbook with its [dev] extra (versions pinned by
# constraints.txt), then build or test.

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
BUILDDIR ?= _build
PORT     ?= 8000
SPHINXOPTS ?= -n -W --keep-going
STAMP    := $(VENV)/.installed

export CNNBOOK_BUILD_DIR := $(abspath $(BUILDDIR))
export PYTHONHASHSEED := 0

.PHONY: install html pdf test test-fast bench clean serve lock

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $@

## html: build the book strictly into $(BUILDDIR)/html (executes every chapter, cached)
html: install
	$(BIN)/sphinx-build -b html -c . $(SPHINXOPTS) book $(BUILDDIR)/html
	@echo "Open $(BUILDDIR)/html/index.html"

## pdf: the whole book as one PDF in $(BUILDDIR)/html (the singlehtml build printed by Chromium)
pdf: install
	$(BIN)/sphinx-build -b singlehtml -c . $(SPHINXOPTS) book $(BUILDDIR)/singlehtml
	$(BIN)/python tools/book_pdf.py $(BUILDDIR)/singlehtml $(BUILDDIR)/html/what-is-convolution.pdf

## test: build the book strictly, then run every test (library, chapters, browser)
test: html
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## test-fast: the library tests only, no book build
test-fast: install
	$(BIN)/python -m pytest -n 2 -m "not book and not slow"

## bench: speed comparisons, ratios measured in the same run
bench: install
	$(BIN)/python -m cnnbook bench

serve:
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(BUILDDIR)/html

## lock: record the versions tested here in constraints.txt
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^cnnbook' > constraints.txt

clean:
	rm -rf $(BUILDDIR)
