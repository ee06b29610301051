# Tongtong: the two commands.
#   make run   set up and serve the app on the embedded default (SQLite, tasks in-process)
#   make test  set up and run the whole suite (ruff + pytest, browser tests included)
# Everything is installed into .venv/ and node_modules/ of this checkout.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The part of KRDS our pages use and its font cut to our characters
# (scripts/build_static.py): rebuilt when a template, a translation, the
# script, the Python that writes class names or the packages change.
BUILT_STATIC := build/static/.built
ASSET_SOURCES := $(shell find templates locale static scheduling meetings visits \
	-name '*.html' -o -name '*.po' -o -name '*.js' -o -name '*.css' -o -name '*.py' 2>/dev/null)

.PHONY: run test setup setup-dev assets system-packages lint format migrate demo worker beat messages bench clean

run: setup migrate
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py meeting_days >/dev/null  # the series and this year's days (then celery beat; pages read the rule)
	@echo "Serving Tongtong at http://$(HOST):$(PORT)/  (staff: http://$(HOST):$(PORT)/staff/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup-dev system-packages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.installed $(BUILT_STATIC)
setup-dev: $(VENV)/.installed-dev node_modules/.installed $(BUILT_STATIC)
assets: $(BUILT_STATIC)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BUILT_STATIC): node_modules/.installed $(VENV)/.installed scripts/build_static.py purgecss.config.cjs $(ASSET_SOURCES)
	$(PY) scripts/build_static.py
	touch $@

# Debian packages the browser tests (Chromium) and PDFs (Korean fonts) need;
# installed when missing and we may (root or sudo), else explained.
system-packages:
	@scripts/ensure-system-packages.sh

migrate:
	$(PY) manage.py migrate --noinput

demo:
	$(PY) manage.py seed_demo

worker:
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat:
	$(VENV)/bin/celery -A config beat --loglevel=INFO

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Korean and English hold every message; Chinese and Vietnamese only the
# citizens' ones, rebuilt from the English catalogue (docs/languages.md).
messages:
	$(PY) manage.py makemessages -l ko -l en --ignore=.venv --ignore=node_modules
	$(PY) scripts/public_catalog.py
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules staticfiles build
