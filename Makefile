# Puente: `make run` serves the whole platform, `make test` runs every test.
# Both install what they need on a fresh machine (virtual environment, Python
# packages, translations, static files; npm packages for the browser tests).

PYTHON_BIN ?= python3.11
VENV       := .venv
PY         := $(VENV)/bin/python
PIP        := $(VENV)/bin/pip
PORT       ?= 8000
HOST       ?= 127.0.0.1
# The embedded default is a demo: DEBUG on unless the environment says otherwise.
DJANGO_DEBUG ?= true
export DJANGO_DEBUG

.PHONY: run test lint format bench bench-directory bench-library bench-forums bench-chat bench-courses migrate worker beat install install-test messages static seed check-deploy clean

$(PY):
	@command -v $(PYTHON_BIN) >/dev/null 2>&1 || { echo "$(PYTHON_BIN) not found; set PYTHON_BIN=python3.x (3.11+)"; exit 1; }
	$(PYTHON_BIN) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e '.[test]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: browser accessibility checks will be skipped"; fi

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test node_modules/.installed

messages: install
	$(PY) manage.py compilemessages --ignore '.venv/*' --ignore 'node_modules/*' -v 0

static: install
	$(PY) manage.py collectstatic --noinput -v 0

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: messages static seed
	@echo "Puente on http://localhost:$(PORT) (Ctrl-C stops it)"
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=info

test: install-test messages
	DJANGO_DEBUG=false $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v 1

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-test messages
	DJANGO_DEBUG=false $(PY) -m bench

# The members directory with 200,000 members (seeding takes a few minutes).
bench-directory: install-test messages
	DJANGO_DEBUG=false $(PY) -m bench.directory --members $(or $(MEMBERS),200000)

bench-library: install-test messages
	DJANGO_DEBUG=false $(PY) -m bench.library --publications $(or $(PUBLICATIONS),20000)

bench-forums: install-test messages
	DJANGO_DEBUG=false $(PY) -m bench.forums

# Courses with 200,000 learners and 2,000,000 progress rows (PostgreSQL: DATABASE_URL's
# server, a throw-away database; pgbench runs the raw SQL baseline).
bench-courses: install-test messages
	DJANGO_DEBUG=false $(PY) -m bench.courses --learners $(or $(LEARNERS),200000)

# Chat delivery over two Daphne processes against a bare relay, then the memory of 5,000
# idle sockets; needs PostgreSQL and Redis (see bench/chat.py). CLIENTS=100,1000 IDLE=5000.
bench-chat: install-test messages
	DJANGO_DEBUG=false $(PY) -m bench.chat $(if $(CLIENTS),--clients $(CLIENTS)) --idle $(or $(IDLE),5000)

check-deploy: install
	DJANGO_DEBUG=false $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules staticfiles var
