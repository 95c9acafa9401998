# Two commands do all set-up:  `make book`  and  `make test`.  (See README.md.)
SHELL := bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := book

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Front-end files the site serves itself (no CDN): MathJax for the maths, the Jupyter widgets
# embed manager for saved widget views, axe-core for the accessibility audit.
# From the npm registry, pinned, installed into .venv (never committed).
NPM_PACKAGES := mathjax@3.2.2 axe-core@4.14.1 @jupyter-widgets/html-manager@1.0.15
WIDGETS_DIST := $(VENV)/npm/node_modules/@jupyter-widgets/html-manager/dist
ASSETS := $(VENV)/site-assets
ASSETS_STAMP := $(ASSETS)/.installed
# Prefer the kernels and config inside .venv over anything in the user's home directory.
export JUPYTER_PREFER_ENV_PATH := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Knobs: TORCH_INDEX=<url> installs torch from that index first (e.g. PyTorch's CPU-only wheels,
# https://download.pytorch.org/whl/cpu); CHROMIUM=<path> is the browser the tests drive.
TORCH_INDEX ?=
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

.PHONY: book test bench robustness lab serve sync clean browser prerequisites chapter

## prerequisites: what the set-up needs before the long install, one clear message each
prerequisites:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  echo "make: Python 3.10 or newer is needed as '$(PYTHON)' (found: $$($(PYTHON) --version 2>&1)). Install it, or run e.g. 'make PYTHON=python3.12'." >&2; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "make: '$(PYTHON)' has no venv module. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2; exit 1; }
	@command -v npm >/dev/null || { \
	  echo "make: npm is needed (the site serves MathJax and axe-core itself). Debian/Ubuntu: sudo apt-get install npm; macOS: brew install node" >&2; exit 1; }

# lstm_course/__init__.py holds the helper's version: a bump must reinstall it, or every notebook's install
# cell sees the old version and tries to fetch the new release from the network.
$(STAMP): requirements.txt constraints.txt pyproject.toml lstm_course/__init__.py | prerequisites
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(if $(TORCH_INDEX),$(PY) -m pip install --quiet --index-url $(TORCH_INDEX) "$$(grep -m1 '^torch==' requirements.txt)")
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(ASSETS_STAMP): Makefile | $(STAMP) prerequisites
	rm -rf $(VENV)/npm $(ASSETS)
	npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/npm $(NPM_PACKAGES)
	mkdir -p $(ASSETS)/mathjax
	cd $(VENV)/npm/node_modules/mathjax/es5 && cp -r tex-mml-chtml.js a11y adaptors input output sre ui $(CURDIR)/$(ASSETS)/mathjax/
	mkdir -p $(ASSETS)/widgets
	cp $(WIDGETS_DIST)/embed.js $(WIDGETS_DIST)/embed.js.LICENSE.txt $(WIDGETS_DIST)/*.{woff2,woff,ttf,eot,svg} $(ASSETS)/widgets/
	touch $(ASSETS_STAMP)
## book: create .venv if needed and build the site into _build/html (notebooks executed, cached)
book: $(STAMP) $(ASSETS_STAMP)
	$(PY) tools/execute.py --check-cache
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "The site is at file://$(CURDIR)/_build/html/index.html  (or run: make serve)"

## browser: the Chromium the browser tests drive (never `playwright install`). Found at $(CHROMIUM), or
## installed with apt-get where this runs as root (CI); otherwise the command to run is printed.
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "make: $(CHROMIUM) is missing; installing Debian's chromium: apt-get install -y chromium"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "make: the browser tests need Chromium at $(CHROMIUM). Install it (Debian: sudo apt-get install chromium;" >&2; \
	  echo "      Ubuntu's is a snap: sudo snap install chromium, then CHROMIUM=/snap/bin/chromium;" >&2; \
	  echo "      macOS: CHROMIUM='/Applications/Chromium.app/Contents/MacOS/Chromium') and rerun, e.g. make test CHROMIUM=/path" >&2; \
	  exit 1; fi

## test: the whole suite: helper unit tests, every notebook executed once as if opened alone in Colab
## (its cells, install cell and exercise verdicts checked), the site built from those executions with
## warnings as errors, and browser tests of the built site.
test: browser $(STAMP) $(ASSETS_STAMP)
	$(PY) -m pytest

## bench: time every notebook (budget 60 s each) and the site build, rerun the chapters' models with
## more time; writes appendix/ (results, figures, the "How fast is this course?" page). About 90 min.
bench: $(STAMP) $(ASSETS_STAMP)
	$(PY) tools/bench.py

## robustness: every chapter under COURSE_SEED=1,2,3 and once with one CPU thread; lists each failing
## assert by notebook and cell, writes appendix/robustness.json and the claims register. About 35 min.
robustness: $(STAMP)
	$(PY) tools/robustness.py

## lab: open the notebooks in JupyterLab
lab: $(STAMP)
	$(VENV)/bin/jupyter lab

## serve: serve the built site on http://127.0.0.1:8000
serve:
	@test -f _build/html/index.html || { echo "No site yet: run 'make book' first."; exit 1; }
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

## chapter: scaffold a chapter, its exercise notebook and its quiz bank, and register it in _toc.yml and the
## README's table (tools/registry.py); it prints what to write next. Usage: make chapter NAME=10_forecasting
chapter: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make chapter NAME=NN_topic   (e.g. NAME=10_forecasting)" >&2; exit 1; }
	$(PY) tools/registry.py --new "$(NAME)"

## sync: rewrite every notebook's install cell from repository.url in _config.yml
sync: $(STAMP)
	$(PY) -m lstm_course.notebooks

clean:
	rm -rf _build .pytest_cache
