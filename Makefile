# The two commands of the README: `make run` and `make test`. Everything they need is installed
# on first use; nothing but Python 3.11+ is needed for `make run`.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KAFKA_JARS := .cache/kafka/lib

.PHONY: run test unit bench lint up down install prereqs kafka-jars token clean

run: $(STAMP)  ## the whole product in one process on http://127.0.0.1:8000 (SQLite, in-process bus)
	$(PY) -m services

test: $(STAMP) prereqs kafka-jars  ## every test, against a throwaway PostgreSQL and Kafka
	$(PY) -m pytest

unit: $(STAMP)  ## the tests that need neither PostgreSQL nor Kafka
	$(PY) -m pytest -m "not postgres and not kafka"

bench: $(STAMP) prereqs kafka-jars  ## speed and memory figures (BENCH="billing_run ..." to pick some)
	$(PY) -m tests.bench $(BENCH)

lint: $(STAMP)  ## ruff (style, imports, likely bugs) and mypy (types)
	$(PY) -m pip install -q -e ".[test,dev]"
	$(PY) -m ruff check shared services tests deploy
	$(PY) -m mypy shared

up: $(STAMP) prereqs kafka-jars  ## distributed on this machine: PostgreSQL, Kafka, five service processes
	deploy/distributed.sh up

down:  ## stop what `make up` started
	deploy/distributed.sh down

token: $(STAMP)  ## print a local bearer token (ROLE=ar_coordinator by default)
	@$(PY) -m shared.auth --role $(or $(ROLE),ar_coordinator)

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

prereqs:
	@deploy/ensure-prereqs.sh

kafka-jars:
	@deploy/kafka/fetch-jars.sh $(KAFKA_JARS)

clean:
	rm -rf $(VENV) .cache var .pytest_cache .hypothesis
