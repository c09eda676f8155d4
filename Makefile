# PowerShare: the README's two commands are `make run` and `make test`.
# Every target installs what it needs itself, so both work on a fresh clone.

SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
DS := frontend/node_modules/@scottish-government/design-system/dist
VENDOR := static/vendor

export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install python-version run serve worker demo test test-sqlite test-postgres test-browser \
        test-contract lint format clean

python-version:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "PowerShare needs Python 3.12 or newer, but '$(PYTHON)' was not found. Install Python 3.12 and run: make PYTHON=python3.12" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 12) else "PowerShare needs Python 3.12 or newer, but $(PYTHON) is Python %d.%d.%d (%s). Install 3.12 (for example: pyenv install 3.12) and run: make PYTHON=python3.12" % (v.major, v.minor, v.micro, sys.executable))'

install: $(STAMP) $(VENDOR)/.stamp

$(STAMP): pyproject.toml | python-version
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Removing $(VENV): it was made with an older Python."; rm -rf $(VENV); fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR)/.stamp: frontend/node_modules/.package-lock.json
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/design-system $(VENDOR)/htmx
	cp -R $(DS)/css $(DS)/images $(DS)/scripts $(VENDOR)/design-system/
	cp frontend/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	@touch $@

# A local secret key and debug switch for `make run`, kept out of git.
.env:
	@echo "Writing .env with a fresh local secret key (development only)."
	@printf 'DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env

run: install .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo_data
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@$(PY) manage.py demo_data --list-logins
	@echo "PowerShare is starting on http://127.0.0.1:$(PORT) with a background worker beside it (Ctrl+C stops both)."
	@trap 'kill 0' EXIT INT TERM; \
		$(PY) manage.py db_worker & \
		$(PY) manage.py runserver 127.0.0.1:$(PORT) --skip-checks & \
		wait

serve: install .env
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: install .env
	$(PY) manage.py db_worker

demo: install .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo_data

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# `make test`: ruff, the suite on SQLite, the same suite on PostgreSQL, browser tests, schemathesis.
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-browser
	$(MAKE) --no-print-directory test-contract

test-sqlite: install
	$(VENV)/bin/pytest -q -m "not browser and not contract"

test-postgres: install
	@$(PY) scripts/test_postgres.py -- -q -m "not browser and not contract"

test-browser: install
	@scripts/ensure_chromium.sh
	$(VENV)/bin/pytest -q -m browser tests/e2e

test-contract: install
	$(VENV)/bin/pytest -q -m contract tests/contract

clean:
	rm -rf $(VENV) frontend/node_modules $(VENDOR) staticfiles
