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
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: book test bench robustness lab serve sync clean browser

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(ASSETS_STAMP): Makefile | $(STAMP)
	rm -rf $(VENV)/npm $(ASSETS)
	npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/npm $(NPM_PACKAGES)
	mkdir -p $(ASSETS)/mathjax
	cd $(VENV)/npm/node_modules/mathjax/es5 && cp -r tex-mml-chtml.js a11y adaptors input output sre ui $(CURDIR)/$(ASSETS)/mathjax/
	mkdir -p $(ASSETS)/widgets
	cp $(WIDGETS_DIST)/embed.js $(WIDGETS_DIST)/embed.js.LICENSE.txt $(WIDGETS_DIST)/*.{woff2,woff,ttf,eot,svg} $(ASSETS)/widgets/
	touch $(ASSETS_STAMP)
## book: create .venv if needed and build the site into _build/html (notebooks executed, cached)
book: $(STAMP) $(ASSETS_STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "The site is at file://$(CURDIR)/_build/html/index.html  (or run: make serve)"

## browser: Debian's Chromium for the browser tests (never `playwright install`)
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

## test: the whole suite: helper unit tests, nbval over every notebook, notebooks opened alone,
## the site build with warnings as errors, and browser tests of the built site.
test: $(STAMP) $(ASSETS_STAMP) browser
	$(PY) -m pytest

## bench: time every notebook (budget 60 s each) and the site build, rerun the chapters' models with
## more time; writes appendix/ (results, figures, the "How fast is this course?" page). About 30 min.
bench: $(STAMP) $(ASSETS_STAMP)
	$(PY) -m lstm_course.bench

## robustness: every chapter under COURSE_SEED=1,2,3 and once with one CPU thread; lists each failing
## assert by notebook and cell, writes appendix/robustness.json. About 15 min.
robustness: $(STAMP)
	$(PY) tools/robustness.py

## lab: open the notebooks in JupyterLab
lab: $(STAMP)
	$(VENV)/bin/jupyter lab

## serve: serve the built site on http://127.0.0.1:8000
serve:
	@test -f _build/html/index.html || { echo "No site yet: run 'make book' first."; exit 1; }
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

## sync: rewrite every notebook's install cell from repository.url in _config.yml
sync: $(STAMP)
	$(PY) -m lstm_course.notebooks

clean:
	rm -rf _build .pytest_cache
