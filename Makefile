# Thin wrappers; the scripts they call say why they do what they do.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test test-future bench lint clean

$(BIN)/fieldinspect: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/fieldinspect
	PORT=$(PORT) $(BIN)/fieldinspect serve

test: $(BIN)/fieldinspect
	scripts/test

test-future: $(BIN)/fieldinspect
	scripts/test-future

bench: $(BIN)/fieldinspect
	$(BIN)/python bench/import_companies.py

lint: $(BIN)/fieldinspect
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var .pytest_cache
