# Two commands set everything up on a fresh machine:
#   make demo   -- install, then run the whole pipeline on a synthetic EDF recording
#   make test   -- install, lint, run the test suite
# Torch's CPU build is installed explicitly first (a local torch-*+cpu wheel that pip's sources
# hold, else PyTorch's CPU index), so that no multi-GB CUDA build is pulled in by accident.
# Another index (e.g. a CUDA build's): make test TORCH_INDEX=https://download.pytorch.org/whl/cu126

PYTHON ?= python3
VENV ?= .venv
# An exact pin: the CPU build is asked for as "$(TORCH)+cpu" on Linux; macOS
# builds have no local version (+cpu) and no CUDA: there it is "$(TORCH)" from PyPI.
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
UNAME_S ?= $(shell uname -s)
TORCH_CPU := $(TORCH)$(if $(filter Darwin,$(UNAME_S)),,+cpu)
CPU_INDEX := https://download.pytorch.org/whl/cpu
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP_TORCH = $(BIN)/python -m pip install -q --extra-index-url https://pypi.org/simple
PY_DIRS := $(wildcard src tests benchmarks examples scripts)

.PHONY: install demo test lint format bench-cpu clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# torch's CPU build, explicitly: from TORCH_INDEX when given; else the +cpu wheel from pip's
	@# configured sources (a local wheel folder), else from PyTorch's CPU index. Never PyPI's
	@# default Linux build, which pulls several GB of CUDA libraries.
	$(if $(TORCH_INDEX),$(PIP_TORCH) --index-url $(TORCH_INDEX) "$(TORCH)",\
	$(BIN)/python -m pip install -q "$(TORCH_CPU)" || { echo "make: no local $(TORCH_CPU) wheel (see above); trying PyTorch's CPU index"; \
	$(PIP_TORCH) --index-url $(CPU_INDEX) "$(TORCH_CPU)"; })
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
	$(BIN)/python -m mypy   # the package (pyproject.toml [tool.mypy])

format: install
	$(BIN)/ruff format $(PY_DIRS)
	$(BIN)/ruff check --fix $(PY_DIRS)

test: lint
	@# one process per core, at most 4 (pytest-xdist); CI has 2 cores
	$(BIN)/python -m pytest -q -n auto --maxprocesses=4 --durations=30

bench-cpu: install
	PYTHON=$(abspath $(BIN))/python bash benchmarks/run_cpu.sh

clean:
	rm -rf $(VENV) eegpt-demo .pytest_cache .ruff_cache
