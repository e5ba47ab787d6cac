# The companion's commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   ?= .venv
PY     := $(VENV)/bin/python
KERNEL := paperlib
# The profile of `make figures` and `make nb` (paperlib.common.paths.PROFILE_TABLE): smoke, cpu, paper, or auto,
# which means one thing everywhere: paper when a CUDA GPU is present, cpu otherwise (decided by the pipeline).
# `make figures` runs auto by default; `make nb` runs smoke by default (it stores the notebook in notebooks/).
FIGURES_PROFILE ?= $(or $(PROFILE),auto)
NB_PROFILE      ?= $(or $(PROFILE),smoke)
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
# the offline data mirror beside a checkout (as in CI), unless one is already named
export PAPERLIB_DATA_MIRROR ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)

NBVAL_OUT := build/nbval

.PHONY: verify help setup data figures notebooks nb check test test-unit check-params check-resolve ledger requote gpu gpu-rehearsal gpu-bundle gpu-import html workshop readme-times lab clean lock

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-15s %s\n",$$1,$$2}'
	@echo "  variables: PROFILE=smoke|cpu|paper|auto (auto: paper with a CUDA GPU, else cpu; default: auto for"
	@echo "             figures, smoke for nb), NB=<notebook>, EXTRAS=test,lab,site[,gpu] (setup),"
	@echo "             ALLOW_DIRTY=1 (publish cpu/paper results from uncommitted code; recorded), TORCH_INDEX=<url>,"
	@echo "             SCHEDULER=local:N|gpus|tcp://host:port (figures: chapters on a Dask engine; EXTRAS+=cluster)"

# PyTorch is installed apart from the pins (constraints.txt has no torch line), so one setup serves every machine:
# a torch >= TORCH_FLOOR already in the venv is kept (e.g. a CUDA build; VENV_FLAGS=--system-site-packages
# reuses the system's); otherwise TORCH_SPEC is installed from the configured index (PyPI: a CUDA build on
# Linux x86-64; a local wheelhouse like CI's: its CPU build). TORCH_INDEX=$(TORCH_CPU_INDEX) takes
# PyTorch's own, much smaller CPU-only build.
TORCH_FLOOR     := 2.11
TORCH_SPEC      ?= torch==2.13.0
TORCH_INDEX     ?=
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
VENV_FLAGS      ?=
# The stamp records the extras installed: `make setup EXTRAS=test,lab,site,gpu` after a plain setup installs the
# gpu extra (the extras differ), and later targets keep what was installed.
STAMP          := $(VENV)/.installed
DEFAULT_EXTRAS := test,lab,site
EXTRAS         ?= $(or $(shell cat $(STAMP) 2>/dev/null),$(DEFAULT_EXTRAS))
HAVE_TORCH = $(PY) -c 'import sys, torch; v = tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2]); sys.exit(v < tuple(int(x) for x in "$(TORCH_FLOOR)".split(".")))' 2>/dev/null

$(STAMP): pyproject.toml constraints.txt Makefile
	@test -d $(VENV) || python3 -m venv $(VENV_FLAGS) $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@if $(HAVE_TORCH); then echo "keeping torch $$($(PY) -c 'import torch; print(torch.__version__)') (>= $(TORCH_FLOOR))"; \
	 else echo "installing $(TORCH_SPEC)$(if $(TORCH_INDEX), from $(TORCH_INDEX))"; \
	   $(PY) -m pip install -q $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX) --extra-index-url https://pypi.org/simple) "$(TORCH_SPEC)"; fi
	$(PY) -m pip install -q -c constraints.txt -e ".[$(EXTRAS)]"
	$(PY) -m paperlib.companion.jupyter_kernel
	@echo "$(EXTRAS)" > $(STAMP)

setup: ## create .venv with the pinned versions, the extras EXTRAS (default test,lab,site) and the 'paperlib' Jupyter kernel
	@if [ -f $(STAMP) ] && [ "$$(cat $(STAMP))" != "$(EXTRAS)" ]; then \
	   echo "extras change: $$(cat $(STAMP)) -> $(EXTRAS)"; rm -f $(STAMP); fi
	@$(MAKE) --no-print-directory $(STAMP) EXTRAS=$(EXTRAS)

data: $(STAMP) ## find (mirror/cache) or fetch the optional corpora, verifying checksums
	$(PY) -m paperlib.common.data ensure
	@$(PY) -m paperlib.common.data status

figures: $(STAMP) ## run every notebook under PROFILE (default auto); cpu/paper write figures/<profile>/, claims.json, CLAIMS.md, README summary
	$(PY) -m paperlib.common.data ensure
	$(PY) -m paperlib.companion.pipeline run --profile $(FIGURES_PROFILE) $(if $(ALLOW_DIRTY),--allow-dirty) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

notebooks: $(STAMP) ## re-execute every notebook under smoke and store it with outputs in notebooks/
	$(PY) -m paperlib.companion.pipeline store

nb: $(STAMP) ## one notebook: NB=13_bk_core; PROFILE=smoke (default) stores notebooks/NB.ipynb, cpu/paper/auto publish into figures/<profile>/
	@test -n "$(NB)" || { echo "usage: make nb NB=<notebook> [PROFILE=smoke|cpu|paper|auto] (default smoke)"; exit 2; }
	@if [ "$(NB_PROFILE)" = smoke ]; then $(PY) -m paperlib.companion.pipeline store --only $(NB); \
	 else $(PY) -m paperlib.companion.pipeline run --profile $(NB_PROFILE) --only $(NB) $(if $(ALLOW_DIRTY),--allow-dirty); fi

check-params: $(STAMP) ## validate every notebook's parameter file for every profile
	$(PY) -m paperlib.companion.pipeline check-params

test: $(STAMP) ## the full suite CI runs: every test (slow and integration included) and nbval over the stored notebooks
	rm -rf $(NBVAL_OUT)
	PAPERLIB_OUTPUT=$(abspath $(NBVAL_OUT)) PAPERLIB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider tests notebooks \
	  --nbval --nbval-kernel-name $(KERNEL) --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 600

check: $(STAMP) ## the fast inner loop: every test not marked slow (under a minute; writes only under build/ and temporary folders)
	PAPERLIB_OUTPUT=$(abspath $(NBVAL_OUT)) PAPERLIB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider -q -m "not slow" tests

test-unit: $(STAMP) ## the unit tests: tests/ without the integration tests (browser, kernels, exercises, GPU rehearsal) and nbval
	PAPERLIB_OUTPUT=$(abspath $(NBVAL_OUT)) PAPERLIB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider -m "not integration" tests

# nbval over the stored notebooks once per CPU setting that changes floating-point code paths: what CI compares
# must not depend on the x86 machine it gets (AVX2 or AVX-512, MKL/oneDNN/OpenBLAS kernels, thread count).
# Variants are separated by '|'; each is `default` or VAR=value words, which the Jupyter kernel inherits.
NBVAL_VARIANTS ?= default | ATEN_CPU_CAPABILITY=default | OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 | \
  ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell | \
  ATEN_CPU_CAPABILITY=default OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
NBVAL_PATHS ?= notebooks
.PHONY: test-variants
test-variants: $(STAMP) ## nbval over notebooks/ under default, scalar-ATen, 1-thread, AVX2-only and combined settings
	@IFS='|' read -ra variants <<< "$(NBVAL_VARIANTS)"; fail=0; summary=""; \
	for v in "$${variants[@]}"; do v=$$(echo $$v); envs=$$v; [ "$$v" = default ] && envs=""; \
	  echo "=== nbval variant: $$v"; rm -rf $(NBVAL_OUT); SECONDS=0; \
	  if env $$envs PAPERLIB_OUTPUT=$(abspath $(NBVAL_OUT)) PAPERLIB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider -q \
	     $(NBVAL_PATHS) --nbval --nbval-kernel-name $(KERNEL) --nbval-sanitize-with tests/nbval_sanitize.cfg \
	     --nbval-cell-timeout 600; then r=passed; else r=FAILED; fail=1; fi; \
	  summary="$$summary  $$v: $$r in $$SECONDS s"$$'\n'; \
	done; echo; echo "=== nbval variants:"; printf '%s' "$$summary"; exit $$fail

.PHONY: test-triton-versions
test-triton-versions: $(STAMP) ## the Triton interpreter tests under the pinned Triton and under Triton 3.6.0 (build/triton-3.6-venv, numpy<2.4)
	PAPERLIB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider -q tests/bk/test_bk_core_triton.py tests/bk/test_bk_core_triton_chunked.py
	PYTHON=$(abspath $(PY)) bash .ci/triton_versions.sh

html: $(STAMP) ## the reading edition: an offline book (Sphinx + MyST-NB) of the executed notebooks in build/site/
	$(PY) -m paperlib.companion.book

workshop: $(STAMP) ## the workshop kit: build/workshop/ and build/workshop.zip (times each notebook; README untouched)
	$(PY) -m paperlib.companion.workshop

readme-times: $(STAMP) ## the workshop kit, and the measured smoke times written into the table of README.md's "For teachers" section
	$(PY) -m paperlib.companion.workshop --readme-times

lab: $(STAMP) ## JupyterLab on the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

lock: ## re-pin constraints.txt from the current .venv (after a deliberate upgrade; torch stays unpinned there)
	$(PY) -m pip freeze --exclude-editable | grep -v -e '^paperlib' -e '^torch==' > constraints.txt

check-resolve: ## resolve the pinned environment against plain PyPI (no local wheelhouse or pip config; needs the index)
	@rm -rf build/resolve-venv && python3 -m venv build/resolve-venv && build/resolve-venv/bin/python -m pip install -q --upgrade pip
	env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT -u PIP_NO_INDEX PIP_CONFIG_FILE=/dev/null \
	  build/resolve-venv/bin/python -m pip install --dry-run --ignore-installed -q -c constraints.txt "$(TORCH_SPEC)" -e ".[$(EXTRAS),gpu]"
	@echo "the pinned environment resolves against plain PyPI ($(TORCH_SPEC), extras $(EXTRAS),gpu)"

gpu: $(STAMP) ## on a CUDA machine: the GPU-pending claims + BK-Core op benchmark (< 8 min), published into figures/paper
	$(PY) -m paperlib.companion.gpu_run --publish $(if $(ALLOW_DIRTY),--allow-dirty)

gpu-rehearsal: $(STAMP) ## rehearse `make gpu` on the CPU at tiny sizes (Triton in its interpreter; writes build/ only)
	rm -rf build/gpu_rehearsal
	PAPERLIB_OUTPUT=$(abspath build/gpu_rehearsal) $(PY) -m paperlib.companion.gpu_run --tiny

gpu-bundle: $(STAMP) ## an offline bundle of the committed project for a GPU machine without an index: build/gpu_bundle/
	rm -rf build/gpu_bundle && $(PY) -m paperlib.companion.gpu_bundle build/gpu_bundle

gpu-import: $(STAMP) ## publish a bundle's finished run: make gpu-import RESULTS=<bundle>/results
	@test -n "$(RESULTS)" || { echo "usage: make gpu-import RESULTS=<bundle>/results"; exit 2; }
	$(PY) -m paperlib.companion.gpu_run --publish-from $(RESULTS)

verify: $(STAMP) ## re-run chapters into build/verify/ and compare with the committed ledger (PROFILE=cpu default, PAPER=, NB=); exit 1 if a verdict differs
	$(PY) -m paperlib.companion.verify --profile $(or $(PROFILE),cpu) $(if $(PAPER),--paper $(PAPER)) $(if $(NB),--only $(NB))

ledger: $(STAMP) ## regenerate figures/claims.json, figures/CLAIMS.md and the README summary from figures/<profile>/ledger/ (runs nothing)
	$(PY) -m paperlib.companion.ledger publish

requote: $(STAMP) ## re-render the headline quotes of notebooks/*.ipynb and figures/*/notebooks from figures/claims.json; re-store notebook 00
	$(PY) -m paperlib.companion.pipeline requote

clean: ## remove build/ outputs (keeps .venv, data/cache and the committed figures/)
	rm -rf build .pytest_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
