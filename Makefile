# One entry point for building and testing the book (Linux/macOS with make).
#   make book   install everything into .venv and build the site into _build/html
#               (English) and _build/html/ko (Korean, from locales/ko/LC_MESSAGES)
#   make po     update the Korean catalogs after the English changed (then translate)
#   make figures-po   add the figure text the Korean figure catalog lacks (runs every chapter)
#   make test   install everything (test tools too) and run the whole test suite,
#               ending with the browser tests of the built site (headless Chromium)
#   make test-unit, make test-notebooks   the unit tests / the chapters alone: Python only, no Node/npm
#   make lab    open the chapters in JupyterLab
#   make serve  serve the built site on http://127.0.0.1:8000
#   make bench  run the benchmarks (not part of the tests)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the front-end files the site serves itself (MathJax, widget manager): package-lock.json
NODE_STAMP := node_modules/.installed
# the browser the browser tests drive (Debian's chromium package)
CHROMIUM ?= /usr/bin/chromium
# as root on Debian/Ubuntu, missing system packages are installed with apt-get
APT_INSTALL = if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); \
	  else echo "Please install $(1) (Debian/Ubuntu: sudo apt-get install $(1))" >&2; exit 1; fi

.PHONY: setup setup-python setup-node book po figures-po test test-unit test-notebooks test-build test-browser lab serve bench clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	command -v npm >/dev/null || { $(call APT_INSTALL,npm); }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

# the Python side (.venv): all that the unit tests, the chapters, JupyterLab and the benchmarks need,
# and GNU msgfmt (Debian's gettext), which checks the translation catalogs
setup-python: $(STAMP)
	@command -v msgfmt >/dev/null || { $(call APT_INSTALL,gettext); }
# the front-end files (npm): needed only to build the site and to test it in a browser
setup-node: $(NODE_STAMP)
setup: setup-python setup-node

# The Korean site: the same sources built with language ko (_ext/book_i18n.py writes the config)
# into _build/ko, then served from _build/html/ko beside the English one. $(1): extra options.
KO_CONFIG := _build/ko/_config.yml
define build_korean
	$(BIN)/python _ext/book_i18n.py config ko $(KO_CONFIG)
	$(BIN)/jupyter-book build . --config $(KO_CONFIG) --path-output _build/ko $(1)
	rm -rf _build/html/ko && cp -r _build/ko/_build/html _build/html/ko
endef

book: setup
	$(BIN)/jupyter-book build .
	$(call build_korean,)
	@echo "Built: open _build/html/index.html (Korean: _build/html/ko/index.html), or run 'make serve'."

# English messages -> locales/ko/LC_MESSAGES/*.po (new messages empty, changed ones fuzzy)
po: setup
	rm -rf _build/i18n                   # a fresh read: exercise titles are collected as pages are read
	$(BIN)/python _ext/book_i18n.py config gettext _build/i18n/_config.yml
	$(BIN)/jupyter-book build . --config _build/i18n/_config.yml --path-output _build/i18n \
	    --builder custom --custom-builder gettext --quiet
	# sphinx.pot holds only the template strings the gettext builder happens to see: the book's
	# sphinx.po (the themes' strings) is kept by hand, and an update would drop the rest of it
	rm -f _build/i18n/_build/gettext/sphinx.pot
	$(BIN)/sphinx-intl update -d locales -p _build/i18n/_build/gettext -l ko -w 100
	$(BIN)/python _ext/book_i18n.py prune locales/ko/LC_MESSAGES

# figure text the Korean figure catalog lacks -> locales/ko/figures.po, as empty messages to
# translate: every chapter runs with the catalog active and reports what it drew untranslated
figures-po: setup-python
	rm -rf _build/figures && mkdir -p _build/figures
	for nb in chapters/*.ipynb; do \
	  LABLIB_FIGURE_CATALOG=$(CURDIR)/locales/ko/figures.po LABLIB_OFFLINE=1 $(BIN)/jupyter nbconvert \
	    --to notebook --execute --ExecutePreprocessor.timeout=900 --output-dir _build/figures $$nb; done
	$(BIN)/python -m booktools.figure_catalog locales/ko/figures.po _build/figures/*.ipynb

# (in this order: test-browser tests the site that test-build has just built)
test: setup test-unit test-notebooks test-build test-browser

# lablib's unit tests, the doctests in its docstrings, and the book's own tooling (booktools/)
test-unit: setup-python
	$(BIN)/python -m pytest --doctest-modules lablib booktools _ext/book_i18n.py tests -p no:cacheprovider --ignore=tests/browser

# every chapter top to bottom in a fresh kernel; the notebooks' assert cells are the checks
test-notebooks: setup-python
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -n 2 --dist loadscope \
	    -p no:cacheprovider --ignore=_build chapters

# the book with warnings as errors; execute_notebooks: force re-runs every chapter
test-build: setup
	rm -rf _build
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	$(call build_korean,--warningiserror --keep-going)

# the built site in headless Chromium, served on 127.0.0.1 with the network cut off:
# every page without console errors or failed requests, formulas typeset, images loaded,
# search, the explorers' sliders, a phone's width (tests/browser/)
test-browser: setup
	test -x $(CHROMIUM) || { $(call APT_INSTALL,chromium); }
	BOOK_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests/browser -p no:cacheprovider

lab: setup-python
	$(BIN)/jupyter lab chapters/

serve:
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

bench: setup-python
	$(BIN)/python -m benchmarks

clean:
	rm -rf _build .pytest_cache
