# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test fix-copies benchmark

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,smoke]"
	touch $@

install: $(VENV)/.installed

demo: install
	PATH="$(abspath $(BIN)):$$PATH" scripts/demo.sh

test: install
	$(BIN)/python -m pytest -q

fix-copies: install
	$(BIN)/modelgen check-copies --fix

benchmark: install
	$(BIN)/python benchmarks/check_copies.py
