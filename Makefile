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
# One BLAS thread per process: the network's many small matrix products run fastest that way, and
# the tests run two processes on a two-core machine (threads beyond the cores wait on each other,
# which made single products up to 100 times slower in measurements). Override from the shell.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: help install html pdf test test-fast lint format bench clean serve lock

## help: list the targets
help:
	@awk -F': ' '/^## [a-z-]+: / { sub(/^## /, "", $$1); printf "  make %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

## install: create .venv and install cnnbook with the book and test tool chain
install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $@

## html: build the book strictly into $(BUILDDIR)/html (executes every chapter, cached)
html: install
	$(BIN)/sphinx-build -b html -c . -d $(BUILDDIR)/doctrees $(SPHINXOPTS) book $(BUILDDIR)/html
	@echo "Open $(BUILDDIR)/html/index.html"

## pdf: the whole book as one PDF in $(BUILDDIR)/html (the singlehtml build printed by Chromium)
pdf: install
	$(BIN)/sphinx-build -b singlehtml -c . -d $(BUILDDIR)/doctrees-singlehtml $(SPHINXOPTS) book $(BUILDDIR)/singlehtml
	$(BIN)/python tools/book_pdf.py $(BUILDDIR)/singlehtml $(BUILDDIR)/html/what-is-convolution.pdf

## test: lint, build the book strictly and its PDF, then run every test (library, chapters, browser, PDF)
test: lint html pdf
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## lint: ruff's checks and its formatting, checked (configured in pyproject.toml)
lint: install
	$(BIN)/ruff check cnnbook tests benchmarks tools conf.py
	$(BIN)/ruff format --check cnnbook tests benchmarks tools conf.py

## format: apply ruff's formatting and safe fixes
format: install
	$(BIN)/ruff format cnnbook tests benchmarks tools conf.py
	$(BIN)/ruff check --fix cnnbook tests benchmarks tools conf.py

## test-fast: the library tests only, no book build
test-fast: install
	$(BIN)/python -m pytest -n 2 -m "not book and not slow"

## bench: speed comparisons, ratios measured in the same run
bench: install
	$(BIN)/python -m cnnbook bench

## serve: the built site on http://127.0.0.1:$(PORT)
serve:
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(BUILDDIR)/html

## lock: record the versions tested here in constraints.txt
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^cnnbook' > constraints.txt

## clean: remove the build folder (the execution cache with it)
clean:
	rm -rf $(BUILDDIR)
