# The two commands: `make run` and `make test`. Both set everything up first and are
# quick the second time (each step only reruns when its inputs change).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MO := locale/nl/LC_MESSAGES/django.mo
PO := locale/nl/LC_MESSAGES/django.po

.PHONY: run test e2e lint format setup serve security bench messages clean

run: setup
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup
	$(BIN)/python -m pytest

# Only the browser tests (they also run in `make test`); see DEVELOPERS.md.
e2e: setup
	$(BIN)/python -m pytest tests/e2e

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

setup: $(VENV)/.installed node_modules/.installed $(MO)
	$(BIN)/python manage.py migrate --no-input

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Compiled with polib (a project dependency), so no system gettext is needed.
$(MO): $(PO) locale/nl/LC_MESSAGES/djangojs.po $(VENV)/.installed
	$(BIN)/python manage.py compile_catalogue

# Update the catalogue after changing text (needs GNU gettext: apt-get install gettext).
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages --locale nl --no-obsolete --no-location --ignore 'tests/*' --ignore '.venv/*' --ignore 'node_modules/*'
	$(BIN)/python manage.py compile_catalogue

# Production: gunicorn (behind a TLS-terminating proxy), static files compressed and served by
# whitenoise, PostgreSQL when DATABASE_URL is set; every log line on standard output. Needs the
# production variables of the README; DEBUG is off unless the environment says otherwise.
WORKERS ?= 3
BIND ?= 127.0.0.1:8000
serve: export DEBUG ?= 0
serve: setup
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py check --deploy
	$(BIN)/gunicorn allies.wsgi --workers $(WORKERS) --bind $(BIND) \
		--access-logfile - --error-logfile - \
		--logger-class allies.gunicorn_logging.Logger

# Security lint: bandit must report no medium or high finding.
security: $(VENV)/.installed
	$(BIN)/bandit --quiet --recursive --severity-level medium allies circles meetings actions

clean:
	rm -rf $(VENV) node_modules staticfiles

# Benchmarks: every page at two sizes on SQLite and PostgreSQL, then a load test (bench/run.py).
bench: setup $(VENV)/.bench-installed
	$(BIN)/python bench/run.py

$(VENV)/.bench-installed: pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@
