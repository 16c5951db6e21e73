# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test lint typecheck check chat bench clean

# The independent FHIR server (npm) the generic connector's tests book against.
include tests/ehr/generic_server/Makefile.inc

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	sh scripts/system-deps.sh
	$(BIN)/python -m pip install --quiet -e '.[dev,voice]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/frontdesk serve --host $(HOST) --port $(PORT)

test: $(STAMP) generic-fhir-server
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	FRONTDESK_REQUIRE_SERVICES=1 $(BIN)/pytest

chat: $(STAMP)
	$(BIN)/frontdesk chat --to +15615550100

bench: $(STAMP)
	$(BIN)/python bench/turns.py
	$(BIN)/python bench/transactions.py
	$(BIN)/python bench/safety.py
	$(BIN)/python bench/voice.py
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
