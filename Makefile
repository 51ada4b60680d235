# Sustaining open-source AI: build, test and teach.
#   make book    set up .venv from requirements.lock, fetch offline assets, build _build/html
#   make test    the same set-up, the book build, then every test (browser checks included)
# Everything else is listed by `make help`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000
BUILD  := _build/html
# Give pytest extra arguments with ARGS="-k data -x"
ARGS   ?=
# Instructors: make release ASSIGNMENT=01-data-analysis
ASSIGNMENT ?= 01-data-analysis
WORKDIR    ?= course-work
ZIP        ?=
# make grades LMS="canvas moodle": also the LMS gradebook import CSVs
LMS        ?=
# On a JupyterHub: make release|collect|feedback EXCHANGE=/srv/nbgrader/exchange moves the
# assignment through nbgrader's exchange instead of LMS files (docs-hub.md)
EXCHANGE   ?=
# its course folder, when not the default osai (as deploy/local-hub/course-env.sh was given)
COURSE_ID  ?=
XCH        := $(if $(EXCHANGE),--exchange "$(EXCHANGE)")$(if $(COURSE_ID), --course-id "$(COURSE_ID)")

export PATH := $(abspath $(BIN)):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup assets book book-only serve test test-fast test-only lab lab-src bench handouts \
        quiz-export release collect autograde dist feedback grades grade-plot browser \
        clean lock scorm hub-notebooks hub-links FORCE

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

setup: $(STAMP) ## create .venv and install the exact versions in requirements.lock

VENDOR := _vendor/vendor/versions.json
$(VENDOR): $(STAMP) assets/package.json assets/package-lock.json src/osai/book/assets.py
	$(BIN)/python -m osai.book.assets
	@touch $@

assets: $(VENDOR) ## fetch vega, require.js, the widget manager, anywidget and MathJax (not committed)

# Every file and folder the book is built from (a folder's time changes when a file is
# added or removed). With none newer than the last build, `make book` does nothing.
BOOK_INPUTS := $(shell find chapters data exercises src _static \( -name __pycache__ \
                 -o -name '*.egg-info' \) -prune -o -print 2>/dev/null) \
               _config.yml _toc.yml setup.py pyproject.toml MANIFEST.in requirements.lock
BUILT   := _build/.osai-built
# Extra flags for jupyter-book: make book BOOK_FLAGS=--all rebuilds every page
BOOK_FLAGS ?=

# The stages, in order (BUILD.md): assets, execution cache, Sphinx (osai.book), bundle.
# Sphinx builds incrementally (osai.book.incremental re-reads every page when the data or
# the package code changed); a failed build drops Sphinx's saved environment, so the next
# build reads every page again and shows its warnings again.
# The hub settings (OSAI_HUB_URL, _REPO, _BRANCH: the launch button, docs-hub.md) are inputs
# too: this file is rewritten only when they change, so a changed setting rebuilds the book
# (and osai.book.incremental re-reads every page).
HUB_STAMP := _build/.osai-hub-settings
$(HUB_STAMP): FORCE
	@mkdir -p $(@D)
	@$(PYTHON) -c 'import os, sys, pathlib; p = pathlib.Path(sys.argv[1]); \
	  v = "|".join(os.environ.get(k, "").strip() for k in sys.argv[2:]); \
	  p.exists() and p.read_text() == v or p.write_text(v)' $@ OSAI_HUB_URL OSAI_HUB_REPO OSAI_HUB_BRANCH
FORCE:

$(BUILT): $(VENDOR) $(BOOK_INPUTS) $(HUB_STAMP)
	$(BIN)/python -m osai.book.execution_cache
	OSAI_CONTEXT=book $(BIN)/jupyter-book build . -W -n --keep-going $(BOOK_FLAGS) \
	  || { rm -f _build/.doctrees/environment.pickle; exit 1; }
	$(BIN)/python -m osai.book.bundle
	@touch $@

book: $(BUILT) ## set up and build the book into _build/html (a cell error or warning fails)
	@echo "Open $(abspath $(BUILD))/index.html, or run: make serve"

serve: ## serve the built book on http://127.0.0.1:$(PORT)/
	@test -f $(BUILD)/index.html || $(MAKE) book
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(BUILD)

browser: $(STAMP) ## make sure a Chromium exists (Debian's, or Playwright's own on a fresh machine)
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	    || test -n "$$OSAI_CHROMIUM"; then echo "using system Chromium"; \
	 else $(BIN)/python -m playwright install chromium; fi

test: book browser ## set up, build the book, run every test
	$(BIN)/python -m pytest $(ARGS)

test-only: ## run the tests against the current build (no set-up, no build)
	$(BIN)/python -m pytest $(ARGS)

test-fast: $(STAMP) ## the tests that need no build, no browser and no sandbox (under 2 min)
	$(BIN)/python -m pytest -m "not built and not browser and not sandbox" $(ARGS)

lab: book ## JupyterLab on the chapters as learners get them (_build/notebooks), offline
	$(BIN)/python -m osai.book.lab --prepare
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $$([ "$$(id -u)" = 0 ] && echo --allow-root) _build/notebooks

lab-src: $(STAMP) ## maintainers: JupyterLab on the MyST sources in chapters/ (jupytext), to edit them
	$(BIN)/python -m osai.book.lab --prepare
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $$([ "$$(id -u)" = 0 ] && echo --allow-root) chapters

bench: book browser ## measure build times, page weight, chart time, widget and grading speed
	$(BIN)/python scripts/bench.py

hub-notebooks: book ## instructors on a JupyterHub: the learners' notebooks to the branch learner-notebooks (docs-hub.md)
	$(BIN)/python -m osai.book.hub_notebooks

hub-links: book ## instructors on a JupyterHub: each chapter's launch link, for an LMS page (OSAI_HUB_URL, OSAI_HUB_REPO set)
	@$(BIN)/python -m osai.book.launch

scorm: book ## the book as SCORM packages for an LMS: _build/osai-course-scorm12.zip and -scorm2004.zip
	$(BIN)/osai scorm
	$(BIN)/osai scorm --version 2004

dist: $(STAMP) ## wheel + sdist of the course package into dist/ (data, quiz banks inside), twine-checked
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*

handouts: $(STAMP) ## printable quiz handouts and answer keys per chapter into _build/handouts
	$(BIN)/osai quiz handouts --out _build/handouts

# The formats `make quiz-export` writes: FORMAT=moodle, FORMAT="qti gift" ... (default: all three)
FORMAT ?= moodle qti gift
quiz-export: $(STAMP) ## quiz banks as Moodle XML, QTI 1.2 (Canvas) and GIFT into _build/lms (FORMAT=...)
	$(BIN)/osai quiz export $(foreach f,$(FORMAT),--format $(f)) --out _build/lms

release: $(STAMP) ## instructors: student version of ASSIGNMENT into WORKDIR/release
	$(BIN)/osai grade release $(ASSIGNMENT) --workdir $(WORKDIR) $(XCH)

collect: $(STAMP) ## instructors: take in an LMS download (ZIP=submissions.zip) or the exchange (EXCHANGE=dir)
	$(BIN)/osai grade collect $(ASSIGNMENT) $(ZIP) --workdir $(WORKDIR) $(XCH)

autograde: $(STAMP) ## instructors: autograde every submission of ASSIGNMENT (sandboxed)
	$(BIN)/osai grade autograde $(ASSIGNMENT) --workdir $(WORKDIR)

feedback: $(STAMP) ## instructors: per-student feedback (hidden tests cleared)
	$(BIN)/osai grade feedback $(ASSIGNMENT) --workdir $(WORKDIR) $(XCH)

grades: $(STAMP) ## instructors: gradebook to WORKDIR/grades.csv (LMS="canvas moodle": also their CSVs)
	$(BIN)/osai grade export --workdir $(WORKDIR) $(foreach f,$(LMS),--format $(f))

grade-plot: $(STAMP) ## instructors: grade distribution per assignment (Altair, HTML)
	$(BIN)/osai grade plot --workdir $(WORKDIR)

lock: ## maintainers: re-resolve requirements.lock from pyproject.toml (needs network)
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/python -m pip install --quiet ".[book,grading,test,release,hub,hub-server]"
	.lockenv/bin/python -m pip freeze --all --exclude-editable | grep -vE '^(osai|pip)==' > requirements.lock
	rm -rf .lockenv

clean: ## remove the build, the execution cache and fetched assets (not .venv)
	rm -rf _build _vendor assets/node_modules
