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

.PHONY: install python-version run serve worker demo test test-lane-sqlite test-lane-postgres test-sqlite test-postgres test-browser \
        test-contract test-bench bench lint format clean FORCE

# Fails, naming the version it found, unless $(PYTHON) is Python 3.12 or newer.
CHECK_PYTHON = command -v $(PYTHON) >/dev/null 2>&1 || { echo "PowerShare needs Python 3.12 or newer, but '$(PYTHON)' was not found. Install Python 3.12 and run: make PYTHON=python3.12" >&2; exit 1; }; \
	$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 12) else "PowerShare needs Python 3.12 or newer, but $(PYTHON) is Python %d.%d.%d (%s). Install 3.12 (for example: pyenv install 3.12) and run: make PYTHON=python3.12" % (v.major, v.minor, v.micro, sys.executable))'

# Succeeds when .venv has a working Python 3.12 or newer. Otherwise .venv has to be (re)made
# (it is missing, broken, or was made with an older Python), and only then is $(PYTHON) needed
# and checked: a .venv made with `make PYTHON=python3.12` keeps working with an older python3.
VENV_OK = $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1
VENV_STALE := $(shell $(VENV_OK) || echo yes)

python-version:
	@$(CHECK_PYTHON)

install: $(STAMP) $(VENDOR)/.stamp

# Reruns when pyproject.toml changes, and whenever .venv has to be (re)made.
$(STAMP): pyproject.toml $(if $(VENV_STALE),FORCE)
	@if ! $(VENV_OK); then \
		$(CHECK_PYTHON) || exit 1; \
		if [ -x $(PY) ]; then echo "Removing $(VENV): it was made with an older Python."; \
		elif [ -e $(VENV) ]; then echo "Removing $(VENV): it is incomplete."; fi; \
		rm -rf $(VENV); \
		$(PYTHON) -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

FORCE:

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
	@printf 'DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=%s\n' "$$($(if $(wildcard $(PY)),$(PY),$(PYTHON)) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env

# The web server and the worker side by side. When either stops, the other is stopped and
# `make run` exits with its status, so a failed start (say, the port is taken) ends with an error
# instead of hanging. Ctrl+C stops both and exits cleanly. Stopping an autoreloading parent with
# SIGTERM also stops the child it runs.
run: install .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo_data
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@$(PY) manage.py demo_data --list-logins
	@echo "PowerShare is starting on http://127.0.0.1:$(PORT) with a background worker beside it (Ctrl+C stops both)."
	@trap 'kill $$worker $$server 2>/dev/null; wait; exit 0' INT TERM; \
		$(PY) manage.py db_worker & worker=$$!; \
		$(PY) manage.py runserver 127.0.0.1:$(PORT) --skip-checks & server=$$!; \
		while kill -0 $$worker 2>/dev/null && kill -0 $$server 2>/dev/null; do sleep 1; done; \
		trap - INT TERM; \
		if kill -0 $$server 2>/dev/null; then stopped="The worker"; other="the web server"; \
			wait $$worker; status=$$?; \
		else stopped="The web server"; other="the worker"; wait $$server; status=$$?; fi; \
		echo "$$stopped stopped (exit status $$status); stopping $$other." >&2; \
		kill $$worker $$server 2>/dev/null; wait; \
		exit $$status

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
# The suites need pdftotext (poppler-utils) and the browser tests Chromium: Debian's packages,
# installed by scripts/ensure_test_tools.sh when missing.
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@scripts/ensure_test_tools.sh pdftotext
	@scripts/ensure_chromium.sh
	@# Two independent lanes side by side (two cores), each's output printed whole when it
	@# ends: the suite on SQLite then the browser tests, and the suite on PostgreSQL then the
	@# API contract run. Each live server takes its own free port and its own database.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-lane-sqlite test-lane-postgres

test-lane-sqlite:
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-browser

test-lane-postgres:
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-contract
	$(MAKE) --no-print-directory test-bench

test-sqlite: install
	@scripts/ensure_test_tools.sh pdftotext
	$(VENV)/bin/pytest -q -m "not browser and not contract"

test-postgres: install
	@scripts/ensure_test_tools.sh pdftotext
	@$(PY) scripts/test_postgres.py -- -q -m "not browser and not contract"

test-browser: install
	@scripts/ensure_chromium.sh
	$(VENV)/bin/pytest -q -m browser tests/e2e

test-contract: install
	$(VENV)/bin/pytest -q -m contract tests/contract

# The quick pass of every benchmark (small scale, short runs, both databases), so the bench
# code keeps working; the figures it prints are not the benchmark's.
test-bench: install
	@scripts/ensure_test_tools.sh wrk
	$(VENV)/bin/pytest -q -m bench --import-mode=importlib bench/tests

# `make bench` (not part of `make test`): every benchmark of issue 12 at national scale on
# PostgreSQL and SQLite, with the peer installed into .bench/peer-venv; writes
# docs/benchmarks.md and docs/benchmarks.json. About an hour on a 2-core machine.
bench: install
	@scripts/ensure_test_tools.sh wrk
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .bench frontend/node_modules $(VENDOR) staticfiles
