# Thin wrappers; the scripts they call say why they do what they do.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

LOCK := requirements/lock.txt

.PHONY: run test test-future bench lint lock vendor clean

# Exactly the pinned, hash-checked releases (scripts/lock), then the app itself.
$(BIN)/fieldinspect: pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
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

lock:
	scripts/lock

# The app's JavaScript libraries from npm into server/pwa/static/vendor/ (needs node/npm).
vendor:
	scripts/vendor

clean:
	rm -rf $(VENV) .venv-lock var .pytest_cache
