# Backprop Visualizer: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run test quick lint format bench clean

# The real npm packages TF Playground builds on (seedrandom, d3), for the live parity tests.
PLAYGROUND_NPM := .cache/playground-npm

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/backprop-visualizer --host $(HOST) --port $(PORT)

$(PLAYGROUND_NPM)/.installed:
	mkdir -p $(PLAYGROUND_NPM)
	npm install --prefix $(PLAYGROUND_NPM) --no-save --no-audit --no-fund seedrandom@3.0.5 d3@3.5.17
	touch $@

test: install-dev $(PLAYGROUND_NPM)/.installed
	SEEDRANDOM_DIR=$(CURDIR)/$(PLAYGROUND_NPM) $(BIN)/python -m pytest

# The inner loop: engine and API tests only (no browser), stop at the first failure.
quick: install-dev
	$(BIN)/python -m pytest tests/engine tests/api -x -q

lint: install-dev
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

format: install-dev
	$(BIN)/ruff format app tests bench
	$(BIN)/ruff check --fix app tests bench

bench: install-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .cache
