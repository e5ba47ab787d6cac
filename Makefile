# The companion's commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
KERNEL := paperlib
# Default profile: paper when a CUDA GPU is present, cpu otherwise (decided by the pipeline).
PROFILE ?= auto
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
# the offline data mirror beside a checkout (as in CI), unless one is already named
export PAPERLIB_DATA_MIRROR ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)

NBVAL_OUT := build/nbval

.PHONY: help setup data figures notebooks nb test test-unit check-params html workshop lab clean lock

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-15s %s\n",$$1,$$2}'
	@echo "  variables: PROFILE=smoke|cpu|paper (default: paper with a CUDA GPU, else cpu), NB=<notebook>"

$(STAMP): pyproject.toml constraints.txt Makefile
	@test -d $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e .
	$(PY) -m paperlib.kernel
	@touch $(STAMP)

setup: $(STAMP) ## create .venv with the pinned versions and the 'paperlib' Jupyter kernel

data: $(STAMP) ## find (mirror/cache) or fetch the optional corpora, verifying checksums
	$(PY) -m paperlib.data ensure
	@$(PY) -m paperlib.data status

figures: $(STAMP) ## run every notebook under PROFILE; write figures/, tables and the claims ledger
	@$(PY) -m paperlib.data ensure >/dev/null || true
	$(PY) -m paperlib.pipeline run --profile $(PROFILE)

notebooks: $(STAMP) ## re-execute every notebook under smoke and store it with outputs in notebooks/
	$(PY) -m paperlib.pipeline store

nb: $(STAMP) ## run one notebook: NB=13_bk_core [PROFILE=smoke stores it in notebooks/, else build/PROFILE/]
	@test -n "$(NB)" || { echo "usage: make nb NB=<notebook> [PROFILE=smoke|cpu|paper]"; exit 2; }
	@if [ "$(PROFILE)" = smoke ] || [ "$(PROFILE)" = auto ]; then $(PY) -m paperlib.pipeline store --only $(NB); \
	 else $(PY) -m paperlib.pipeline run --profile $(PROFILE) --only $(NB); fi

check-params: $(STAMP) ## validate every notebook's parameter file for every profile
	$(PY) -m paperlib.pipeline check-params

test: $(STAMP) ## unit tests, notebook pairing/parameter checks, and nbval over the stored notebooks
	rm -rf $(NBVAL_OUT)
	PAPERLIB_OUTPUT=$(abspath $(NBVAL_OUT)) PAPERLIB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider tests notebooks \
	  --nbval --nbval-kernel-name $(KERNEL) --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 600

test-unit: $(STAMP) ## the library's unit tests only
	PAPERLIB_OUTPUT=$(abspath $(NBVAL_OUT)) $(PY) -m pytest -p no:cacheprovider tests

html: $(STAMP) ## the reading edition: a static offline site in build/site/ (from build/ and figures/)
	$(PY) -m paperlib.site

workshop: $(STAMP) ## the workshop kit: build/workshop/ and build/workshop.zip (times each notebook)
	$(PY) -m paperlib.workshop

lab: $(STAMP) ## JupyterLab on the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

lock: ## re-pin constraints.txt from the current .venv (after a deliberate upgrade)
	$(PY) -m pip freeze --exclude-editable | grep -v '^paperlib' > constraints.txt

clean: ## remove build/ outputs (keeps .venv, data/cache and the committed figures/)
	rm -rf build .pytest_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
