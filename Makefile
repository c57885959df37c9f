# One entry point for building and testing the book (Linux/macOS with make).
#   make book   install everything into .venv and build the site into _build/html
#   make test   install everything (test tools too) and run the whole test suite
#   make lab    open the chapters in JupyterLab
#   make serve  serve the built site on http://127.0.0.1:8000
#   make bench  run the benchmarks (not part of the tests)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup book test test-unit test-notebooks test-build lab serve bench clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $(STAMP)

setup: $(STAMP)

book: setup
	$(BIN)/jupyter-book build .
	@echo "Built: open _build/html/index.html, or run 'make serve'."

test: setup test-unit test-notebooks test-build

# lablib's unit tests and the doctests in its docstrings
test-unit: setup
	$(BIN)/python -m pytest --doctest-modules lablib tests -p no:cacheprovider

# every chapter top to bottom in a fresh kernel; the notebooks' assert cells are the checks
test-notebooks: setup
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -n 2 --dist loadscope \
	    -p no:cacheprovider --ignore=_build chapters

# the book with warnings as errors; execute_notebooks: force re-runs every chapter
test-build: setup
	rm -rf _build
	$(BIN)/jupyter-book build . --warningiserror --keep-going

lab: setup
	$(BIN)/jupyter lab chapters/

serve:
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf _build .pytest_cache
