# coop: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app coop
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-dates test-postgres e2e lint format bench install clean test-scale
.PHONY: bench-risk bench-talent bench-placement

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

PORT ?= 5000
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "Serving coop on http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# -n 2: the suite on two processes (pytest-xdist); PostgreSQL gives each its own database.
test: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/e2e -p no:cacheprovider -q -n 2

# The SQLite suite again at instants that catch date bugs (see docs/testing.md): still
# 31 December in Los Angeles, a leap day, US clocks springing forward and falling back,
# and a Sunday evening in New York. Exit 5 (no tests collected) fails like any other.
TEST_INSTANTS ?= 2027-01-01T07:30:00Z 2028-02-29T12:00:00Z 2027-03-14T10:30:00Z \
	2027-11-07T08:30:00Z 2027-06-06T23:30:00Z

# Left out of the moved-clock runs (they run in `make test` and on PostgreSQL): the fuzz test,
# the migrations and the dashboard's size budget, which read no date and take about a
# sixth of the suite's time.
CLOCK_FREE ?= --ignore=tests/test_fuzz_forms.py --ignore=tests/test_migrations.py \
	--ignore=tests/reports/test_reports_scale.py

test-dates: $(STAMP)
	@set -e; for at in $(TEST_INSTANTS); do \
		echo "== COOP_TEST_NOW=$$at"; \
		COOP_TEST_NOW=$$at $(BIN)/python -m pytest tests --ignore=tests/e2e $(CLOCK_FREE) -p no:cacheprovider -q -n 2; \
	done

test-postgres: $(STAMP)
	COOP_TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest tests --ignore=tests/e2e -p no:cacheprovider -q -n 2

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e -p no:cacheprovider -q

lint: $(STAMP)
	$(BIN)/ruff check coop tests benchmarks config.py wsgi.py
	$(BIN)/ruff format --check coop tests benchmarks config.py wsgi.py

format: $(STAMP)
	$(BIN)/ruff format coop tests benchmarks config.py wsgi.py
	$(BIN)/ruff check --fix coop tests benchmarks config.py wsgi.py

# Every everyday page under gunicorn beside a bare Flask app, then the dashboard at each of
# BENCH_SCALES participants (benchmarks/pages.py; knobs: BENCH_PARTICIPANTS, BENCH_DURATION,
# BENCH_SCALES (default 10000; BENCH_SCALES="10000 100000" adds the 100,000 run, whose seed
# takes many minutes), BENCH_PORT; `make bench PG_URL=<an empty PostgreSQL database>`). The
# PG_URL default above (the test database) is never used here: SQLite unless given. Then the
# talent search, the at-risk list and placement, each at its own scale.
bench: $(STAMP)
	$(if $(filter file,$(origin PG_URL)),PG_URL=,PG_URL=$(PG_URL)) BENCH_SCALES="$${BENCH_SCALES-10000}" $(BIN)/python -m benchmarks.pages
	$(BIN)/python -m benchmarks.talent_search
	$(BIN)/python -m benchmarks.at_risk
	$(BIN)/python -m benchmarks.placement

# The dashboard's size budget with 10,000 participants seeded (about a minute).
test-scale: $(STAMP)
	COOP_SCALE_TESTS=1 $(BIN)/python -m pytest tests/reports/test_reports_scale.py -p no:cacheprovider -q -s

bench-placement: $(STAMP)
	$(BIN)/python -m benchmarks.placement
# The at-risk list (and the WIOA report) at 10,000 participants (issue 15).
bench-risk: $(STAMP)
	$(BIN)/python -m benchmarks.at_risk
bench-talent: $(STAMP)
	$(BIN)/python -m benchmarks.talent_search

clean:
	rm -rf $(VENV) instance/coop.sqlite
