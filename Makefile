# `make demo`: install, then build the built-in demo dataset end to end (DVC → Dagster).
# `make test`: install, then run the test suite (then tests/vision in .venv-vision).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# open_clip needs torchvision, whose PyPI wheel needs the CUDA torch: a venv of its own
VISION_VENV := .venv-vision
export DVC_NO_ANALYTICS := 1
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := False

.PHONY: setup demo test lint bench ui vision-env test-vision report

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

# the HTML report of a finished build (the build writes it too): data/exports/report/
report: setup
	$(BIN)/python -m crosspair.report --data data --sources data/demo_input/sources.yaml

# --dist loadfile: a test file stays on one worker, so its module-wide builds are made once
test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15
	$(MAKE) test-vision

vision-env: $(VISION_VENV)/.installed

# torch 2.14.1 + torchvision 0.29.1 (CUDA build, ~5.5 GB) so torchvision's operators load;
# the main venv keeps the CPU torch 2.13.0.
$(VISION_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VISION_VENV)
	$(VISION_VENV)/bin/pip install --quiet --only-binary :all: -e '.[dev,vision]' \
		torch==2.14.1 torchvision==0.29.1
	touch $@

test-vision: vision-env
	$(VISION_VENV)/bin/pytest -q -p no:cacheprovider tests/vision

lint: setup
	$(BIN)/ruff check .

# every benchmark of bench/README.md, then all their ratios together (12.5 minutes on 2 idle
# cores, 5 of them the million-record scaling run); `make bench QUICK=1`: smaller inputs, no
# million-record runs. imagededup runs in the vision venv.
bench: setup
	test -f $(VISION_VENV)/.installed || $(MAKE) vision-env
	$(BIN)/python bench/ingest_vs_sha256sum.py $(if $(QUICK),--items 2000)
	$(BIN)/python bench/orchestration_overhead.py $(if $(QUICK),--quick)
	$(BIN)/python bench/scaling.py $(if $(QUICK),--quick)
	$(VISION_VENV)/bin/python bench/dedup_vs_imagededup.py $(if $(QUICK),--repeat 1)
	$(BIN)/python bench/incremental.py $(if $(QUICK),--quick)
	$(BIN)/python bench/alignment_accuracy.py
	$(BIN)/python bench/av_sync.py
	$(BIN)/python bench/semantic_retrieval.py
	$(BIN)/python bench/lineage_audit.py $(if $(QUICK),--images 20000 --speech 20000 --repeat 3)
	$(BIN)/python bench/summary.py

# `make ui PORT=3001` for another port
PORT ?= 3000
ui: setup
	DAGSTER_HOME=$(CURDIR)/.dagster $(BIN)/dagster dev -w workspace.yaml -p $(PORT)
