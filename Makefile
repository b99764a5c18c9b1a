# The two commands: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ENV := DEBUG=1 YICHUANG_DATA_DIR=$(CURDIR)/var

.PHONY: demo test install test-install lint serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

test-install: $(VENV)/.test-installed

demo: install
	$(DEMO_ENV) $(BIN)/yichuang migrate --noinput
	$(DEMO_ENV) $(BIN)/yichuang seed-demo
	$(DEMO_ENV) $(BIN)/yichuang runserver $(HOST):$(PORT)

serve: install
	$(DEMO_ENV) $(BIN)/yichuang runserver $(HOST):$(PORT)

lint: test-install
	$(BIN)/ruff check yichuang tests benchmarks conftest.py

test: lint
	$(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var
