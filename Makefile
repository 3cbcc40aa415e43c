# Two commands set everything up on a fresh machine:
#   make demo   -- install, then run the whole pipeline on a synthetic EDF recording
#   make test   -- install, lint, run the test suite
# Torch is installed explicitly first so that no multi-GB CUDA build is pulled in by accident.
# On a machine without a local torch wheel, get the CPU build from PyTorch's index:
#   make test TORCH_INDEX=https://download.pytorch.org/whl/cpu

PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PY_DIRS := $(wildcard src tests benchmarks examples scripts)

.PHONY: install demo test lint format bench-cpu clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX) --extra-index-url https://pypi.org/simple) "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[test]"
	@# braindecode pulls torchaudio, whose wheel does not match our torch; EEGPT never uses it.
	$(BIN)/python -m pip uninstall -q -y torchaudio || true
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/eegpt demo --output eegpt-demo --overwrite

lint: install
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)

format: install
	$(BIN)/ruff format $(PY_DIRS)
	$(BIN)/ruff check --fix $(PY_DIRS)

test: lint
	$(BIN)/python -m pytest -q

bench-cpu: install
	PYTHON=$(abspath $(BIN))/python bash benchmarks/run_cpu.sh

clean:
	rm -rf $(VENV) eegpt-demo .pytest_cache .ruff_cache
