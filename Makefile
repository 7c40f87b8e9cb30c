# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The 5.23.0 tree's models import dependencies that conflict with 4.46.3's pins: smoke runs their workers
# with this interpreter (`modelgen smoke --python .venv-523/bin/python`).
VENV_523 ?= .venv-523
# Optional, only for the eight 5.23.0 models built on timm: torchvision imports only beside the CUDA build of
# torch 2.14.1 on this machine (5.5 GB), so neither `make test` nor CI installs it.
VENV_TIMM ?= .venv-523-timm
# Optional, for the decoder port test: litgpt (Lightning's Llama implementation) pins conflict with the 4.46.3
# tree's dependencies, so it gets its own venv; it records traces with modelgen's trace module.
VENV_LITGPT ?= .venv-litgpt

.PHONY: install tree-venvs timm-venv litgpt-venv demo test fix-copies benchmark

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,smoke,port,plot]"
	touch $@

$(VENV_523)/.installed:
	$(PYTHON) -m venv $(VENV_523)
	$(VENV_523)/bin/python -m pip install --quiet torch==2.13.0 transformers==5.23.0 "scipy>=1.11,<2" "pillow>=10,<13.1"
	touch $@

$(VENV_TIMM)/.installed:
	$(PYTHON) -m venv $(VENV_TIMM)
	$(VENV_TIMM)/bin/python -m pip install --quiet torch==2.14.1 torchvision==0.29.1 timm==1.0.31 transformers==5.23.0 "scipy>=1.11,<2" "pillow>=10,<13.1"
	touch $@

$(VENV_LITGPT)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV_LITGPT)
	$(VENV_LITGPT)/bin/python -m pip install --quiet torch==2.13.0 litgpt==0.5.13 "safetensors>=0.4.3,<1"
	$(VENV_LITGPT)/bin/python -m pip install --quiet --no-deps -e .
	$(VENV_LITGPT)/bin/python -m pip install --quiet "click>=8.1,<9" "libcst>=1.4,<2" "jinja2>=3.1,<4" "pyyaml>=6,<7"
	touch $@

install: $(VENV)/.installed

tree-venvs: $(VENV_523)/.installed

timm-venv: $(VENV_TIMM)/.installed

litgpt-venv: $(VENV_LITGPT)/.installed

demo: install
	PATH="$(abspath $(BIN)):$$PATH" scripts/demo.sh

test: install tree-venvs litgpt-venv
	$(BIN)/python -m pytest -q

fix-copies: install
	$(BIN)/modelgen check-copies --fix

benchmark: install
	$(BIN)/python benchmarks/check_copies.py
