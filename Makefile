# Set-up and checks. Everything installs into .venv beside this file.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/arazzo: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# An editable install leaves the package uncompiled; compile it once so
	# that each run starts faster, even where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q arazzo_runner
	touch $@

## demo: install, then run the Replicate flagship against the bundled mock API
demo: $(BIN)/arazzo
	PATH="$(CURDIR)/$(BIN):$$PATH" bash specs/replicate/demo.sh

## test: install, then run every check (lint, format, types, tests)
test: lint typecheck unit

lint: $(BIN)/arazzo
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/arazzo
	$(BIN)/mypy

unit: $(BIN)/arazzo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest

## bench: run the benchmarks and print their figures
bench: $(BIN)/arazzo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
