# coop: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app coop
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-postgres e2e lint format bench install clean

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

test: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/e2e -p no:cacheprovider -q

test-postgres: $(STAMP)
	COOP_TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest tests --ignore=tests/e2e -p no:cacheprovider -q

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e -p no:cacheprovider -q

lint: $(STAMP)
	$(BIN)/ruff check coop tests config.py wsgi.py
	$(BIN)/ruff format --check coop tests config.py wsgi.py

format: $(STAMP)
	$(BIN)/ruff format coop tests config.py wsgi.py
	$(BIN)/ruff check --fix coop tests config.py wsgi.py

bench: $(STAMP)
	$(BIN)/python -m coop.bench

clean:
	rm -rf $(VENV) instance/coop.sqlite
