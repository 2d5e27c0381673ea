# The two commands of the README: `make run` and `make test`. Everything they need is installed
# on first use; nothing but Python 3.11+ is needed for `make run`.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KAFKA_JARS := .cache/kafka/lib

.PHONY: run test test-dates interleave chaos unit bench lint up down install prereqs kafka-jars token clean

# make runs a one-command recipe without a shell, so the server already is make's own child and
# `exec` would change nothing: killing make (even with -9) must stop the server too, which the
# kernel does for a child that asked for a parent-death signal (setpriv, util-linux; where it is
# missing, as on macOS, the server outlives a make killed with -9).
EXIT_WITH_MAKE := $(shell command -v setpriv >/dev/null 2>&1 && echo setpriv --pdeathsig TERM)

run: $(STAMP)  ## the whole product in one process on http://127.0.0.1:8000 (SQLite, in-process bus)
	$(EXIT_WITH_MAKE) $(PY) -m services

# Instants a test that depends on the day it runs fails on: a month end late in the evening (already
# the next month in UTC), 29 February, New Year's Eve late, the day after the spring DST change.
LEAP_DAY := 2028-02-29T12:00:00-06:00
AWKWARD_DATES := 2027-01-31T23:30:00-06:00 $(LEAP_DAY) 2027-12-31T23:30:00-06:00 \
	2027-03-15T01:30:00-05:00

test: $(STAMP) prereqs kafka-jars  ## every test, against a throwaway PostgreSQL and Kafka; then the unit ones on 29 February
	$(PY) -m pytest
	AR_TEST_NOW=$(LEAP_DAY) $(PY) -m pytest -m "not postgres and not kafka"

test-dates: $(STAMP) prereqs kafka-jars  ## every test once under each awkward date (AR_TEST_NOW)
	@failed=""; for when in $(AWKWARD_DATES); do \
		echo "=== AR_TEST_NOW=$$when"; start=$$(date +%s); result=passed; \
		AR_TEST_NOW=$$when $(PY) -m pytest -q || { result=FAILED; failed="$$failed $$when"; }; \
		echo "=== AR_TEST_NOW=$$when $$result in $$(( $$(date +%s) - start )) s"; \
	done; test -z "$$failed" || { echo "failed under:$$failed"; exit 1; }

interleave: $(STAMP) prereqs kafka-jars  ## credit memos, applications, write-offs, voids and reversals sent at once, RUNS times (default 200)
	AR_INTERLEAVE_RUNS=$(or $(RUNS),200) $(PY) -m pytest -q -s tests/integration/test_settlement_interleavings.py

# Each run prints its seed (CHAOS_SEED=<seed> replays that run alone); `make test` runs two.
# PARALLEL=<n> runs n sessions at once, each on its own PostgreSQL, broker and five services,
# RUNS split between them; each writes var/chaos-<n>.log and the summary names any failed seed.
chaos: $(STAMP) prereqs kafka-jars  ## kill -9 of the relays, consumers and the broker, RUNS times (100), PARALLEL at once (1)
	@lanes=$(or $(PARALLEL),1); runs=$(or $(RUNS),100); pids=""; mkdir -p var; \
	echo "chaos: $$runs runs in $$lanes session(s), logs in var/chaos-<n>.log"; \
	for lane in $$(seq $$lanes); do \
		CHAOS_RUNS=$$(( runs / lanes + (lane <= runs % lanes) )) $(PY) -m pytest \
			-p no:cacheprovider -s -rf tests/chaos >var/chaos-$$lane.log 2>&1 & pids="$$pids $$!"; \
	done; status=0; for pid in $$pids; do wait $$pid || status=1; done; \
	grep -h "^FAILED\|^ERROR\|[0-9] \(passed\|failed\)" var/chaos-*.log; exit $$status

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
