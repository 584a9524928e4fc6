# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
# bash: the install below keeps pip's exit status through a filter (PIPESTATUS).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test prepare stop lint messages page-weight backup bench

# A pip configuration that lists extra file:// indexes (as on the shared development
# machine, ~/.config/pip/pip.conf) makes pip warn once per package and index that lacks it,
# ~40 lines at --quiet. Only that line is dropped; other warnings, errors and pip's exit
# status stay.
PIP_NOISE := is ignored: it is neither a file nor a directory

# Reinstall only when the pins change. The s3 extra too: a test builds the S3 storage
# from the settings, so a wrong option name fails here and not in production.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check ".[test,s3]" 2>&1 \
		| { grep -v "$(PIP_NOISE)" || true; }; exit $${PIPESTATUS[0]}
	rm -rf build *.egg-info
	touch $@

# Starts the embedded PostgreSQL unless DATABASE_URL is set (see coordination/database.py).
prepare: $(VENV)/.installed
	$(PY) manage.py checkdb
	$(PY) manage.py migrate --noinput --verbosity 0

run: prepare
	$(PY) manage.py loaddemo
	@echo "Open http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the embedded PostgreSQL)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# One pytest worker per core (pytest-xdist), each with its own test database
# (test_postgres_gw0, _gw1 ...) on the one embedded server. TEST_WORKERS=0 runs in one process.
# worksteal: a worker that runs out takes half of the other's queue. xdist's default hands
# out long runs of tests at once, and the browser tests (run last, with the other
# transactional ones) all went to one worker, which finished a minute after the other.
TEST_WORKERS ?= auto

test: prepare node_modules/.installed
	$(PY) -m pytest -n $(TEST_WORKERS) $(if $(filter 0,$(TEST_WORKERS)),,--dist worksteal)

# One archive of the database and the photos in ./backups (or TO=DIR, or BACKUP_DIR),
# encrypted when BACKUP_PASSPHRASE is set; old ones pruned (README, "Backups").
backup: prepare
	$(PY) manage.py backup $(if $(TO),--to "$(TO)")

# The key pages under load against a generated data set kept in its own database
# (bench_$(SCALE), made once), gunicorn as in production; README, "Benchmark".
# wrk comes from Debian, installed here the way .ci/run installs what the tests need.
SCALE ?= district
BENCH_PORT ?= 8100
bench: prepare
	@command -v wrk >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; }
	BENCH_PORT=$(BENCH_PORT) SCALE=$(SCALE) $(PY) -m cases.bench

# Stops this folder's embedded PostgreSQL if anything left it running, and says what it stopped.
stop:
	@if test -x $(PY); then $(PY) -m coordination.embedded_pg stop .pgdata; \
	else echo "No .venv here: no embedded PostgreSQL was started from this folder."; fi

# Test tools from npm, exactly as package-lock.json pins them: vnu-jar (the Nu HTML
# Checker, run on Debian's Java). Its install script would fetch a Java of its own;
# we use the system's. Without npm the HTML test skips (and fails in CI).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: tests/test_html_validity.py will be skipped"; fi

# Bytes a phone downloads for the main pages, first visit and next, with production
# settings (gunicorn, DEBUG off, WhiteNoise); fails over 150 kB / 40 kB.
page-weight: prepare
	$(PY) -m pytest tests/browser/test_page_weight.py -q -s

# mypy reads the settings for django-stubs; a placeholder URL keeps it from starting
# the embedded PostgreSQL (nothing connects). tests/test_project.py runs it in CI too.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=postgres://mypy@localhost/unused $(VENV)/bin/mypy

# After marking new strings: update the catalogues, translate, then compile (needs gettext).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale th --locale en --ignore '.venv/*' --ignore 'tests/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore '.venv/*'
