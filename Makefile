# Two commands for a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The public address (SITE_URL: links in e-mails, the Wagtail Site, canonical addresses): the one
# in the environment, else this machine on PORT, so that `make run PORT=8123` keeps links working.
RUN_SITE_URL := $(or $(SITE_URL),http://127.0.0.1:$(PORT))
# How far the demo data goes when `make run` loads it into an empty database.
DEMO_STAGE ?= published
SYSTEM_PACKAGES := chromium fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0 poppler-utils

.PHONY: help run test test-fast serve bench lint messages install install-dev system-deps clean-venv backup restore

help:
	@echo "make run    - install, migrate, load demo data if empty, serve http://127.0.0.1:$(PORT)"
	@echo "make test   - install test tools (and Debian's chromium + fonts-noto-cjk), run the suite"
	@echo "make test-fast - the same without the slow tests (browser, live server, other processes)"
	@echo "make serve  - production-like: DJANGO_DEBUG=false, collectstatic, gunicorn on 127.0.0.1"
	@echo "make bench  - benchmark; prints JSON lines and writes bench/results.json"
	@echo "make lint   - ruff, bandit, import directions (import-linter), makemigrations --check"
	@echo "make messages - refresh and compile translations"
	@echo "make worker - background task worker (database queue; app servers need the same DJANGO_TASKS_BACKEND)"
	@echo "make backup  - database + media + manifest into backups/backup-<timestamp>.tar.gz (docs/backup.md)"
	@echo "make restore FILE=backups/….tar.gz [FORCE=1] - restore into an empty database and media, then verify"

$(PY):
	@py=$$(scripts/find-python) || exit 1; echo "Using $$py"; "$$py" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	SITE_URL=$(RUN_SITE_URL) $(PY) manage.py migrate --noinput
	SITE_URL=$(RUN_SITE_URL) $(PY) manage.py seed_demo --if-empty --stage $(DEMO_STAGE)
	SITE_URL=$(RUN_SITE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian packages the browser tests need; installed only when missing.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" -ne 0 ] && sudo="sudo"; \
	  $$sudo apt-get install -y -q $$missing || { $$sudo apt-get update -q && $$sudo apt-get install -y -q $$missing; }; \
	fi

# The suite runs on both cores (pytest-xdist; PYTEST_WORKERS=0 runs it in this one process).
# loadgroup keeps the tests of an xdist_group (the two-server stack) on one worker.
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: each worker would otherwise
# compile and assertion-rewrite every test module again, seconds per worker and run.
PYTEST_WORKERS ?= 2
PYTEST := PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

test: install-dev system-deps
	$(PYTEST) $(PYTEST_ARGS)

# Everything but the tests marked slow (a real browser, a live server, other processes):
# the quick check while working, in under 90 s. `make test` (and CI) still runs everything.
test-fast: install-dev system-deps
	$(PYTEST) -m "not slow" $(PYTEST_ARGS)

serve: install
	@test -f .secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > .secret_key
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(cat .secret_key) DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false \
	  DJANGO_HSTS_SECONDS=0 SITE_URL=$(RUN_SITE_URL) $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(cat .secret_key) $(PY) manage.py collectstatic --noinput -v 0
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(cat .secret_key) DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false \
	  DJANGO_HSTS_SECONDS=0 PORT=$(PORT) SITE_URL=$(RUN_SITE_URL) $(VENV)/bin/gunicorn -c config/gunicorn.conf.py

# The background task worker (tasking/): runs, retries and recovers the tasks that app servers
# queue in the database when they too run with DJANGO_TASKS_BACKEND=$(TASKS_BACKEND). Every
# other setting (DATABASE_URL, e-mail...) comes from the environment, as for the app servers;
# the database must be migrated already (`make serve` or the upgrade procedure does it).
# It also sends the reminders that fall due (messaging: `send_due_reminders` every 10 minutes,
# stopped with the worker); production runs that from a systemd timer (docs/deploy.md).
TASKS_BACKEND ?= django_tasks_db.DatabaseBackend
.PHONY: worker
worker: install
	DJANGO_TASKS_BACKEND=$(TASKS_BACKEND) $(PY) manage.py send_due_reminders --every 600 & reminders=$$!; \
	trap 'kill $$reminders' EXIT INT TERM; \
	DJANGO_TASKS_BACKEND=$(TASKS_BACKEND) $(PY) manage.py db_worker --no-reload --queue-name '*'

# `make bench BENCH_PARTS="public"` runs some parts only (city assigner national fairness public copies uploads masking
# county onboarding stations messages county_report compendium certificates uncertainty second_round votes).
# votes: the anomaly flags, then votes/s through gunicorn with its own PostgreSQL database and Redis db 14
# (about 4 minutes; docs/load.md).
# Not in the default run: BENCH_PARTS=load (locust, ~6 min; docs/load.md) and BENCH_PARTS=faults
# (restarts PostgreSQL and stops Redis: only when nothing else uses them).
bench: install-dev
	$(PY) bench/run.py $(BENCH_PARTS)

# Gates CI runs before the suite: ruff (lint and format), bandit (no high-severity finding;
# the medium ones are reviewed mark_safe calls on escaped text and table names from
# introspection), the import direction between apps (import-linter, contracts in
# pyproject.toml) and models without a migration.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -r common accounts competition judging awards voting cms config tasking --severity-level high
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

messages: install-dev
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=test-artifacts --ignore=bench --ignore=scripts
	$(PY) manage.py compilemessages --ignore=.venv

# Backup and restore (docs/backup.md): the database and media named by the environment
# (DATABASE_URL, MEDIA_ROOT); restore refuses a database or media folder that is not empty
# unless FORCE=1, and checks row counts and SHA-256 checksums against the archive's manifest.
backup:
	$(PY) manage.py backup $(if $(OUT),--output $(OUT))

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/backup-<timestamp>.tar.gz [FORCE=1]"; exit 2; }
	$(PY) manage.py restore $(if $(FORCE),--force) "$(FILE)"

clean-venv:
	rm -rf $(VENV)
