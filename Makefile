# `make demo`: install, then build the built-in demo dataset end to end (DVC → Dagster).
# `make test`: install, then run the test suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DVC_NO_ANALYTICS := 1
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := False

.PHONY: setup demo test lint bench ui

setup: $(VENV)/.installed

# torch is named here so pip takes the CPU wheel on disk instead of a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --only-binary :all: -e '.[dev]' torch==2.13.0
	touch $@

demo: setup
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/dvc repro
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/dvc push --quiet
	@echo "Demo built: dataset card at data/exports/dataset_card.md"

test: setup
	$(BIN)/python -m pytest -n 2 --durations=15

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python bench/ingest_vs_sha256sum.py

ui: setup
	DAGSTER_HOME=$(CURDIR)/.dagster $(BIN)/dagster dev -w workspace.yaml
