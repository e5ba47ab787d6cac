#!/usr/bin/env bash
# Run the Triton interpreter tests of BK-Core under a second Triton version (default 3.6.0, the release torch 2.11
# brings) beside the pinned one of .venv: issue 23 asks the kernels to pass under both.
#
#   .ci/triton_versions.sh                 # build/triton-3.6-venv, then the two Triton test files in it
#   TRITON_VERSION=3.6.0 PYTHON=/path/to/.venv/bin/python .ci/triton_versions.sh [extra pytest args]
#
# The venv is made from the project's python (PYTHON, default .venv/bin/python) without --system-site-packages
# (the pinned triton lives in .venv and would shadow the one under test). It gets the same torch as .venv, the
# constraints.txt pins minus triton and numpy, triton==$TRITON_VERSION and numpy<2.4 (Triton 3.6's interpreter
# fails with numpy 2.4), and only what the two test files import (pytest, PyYAML); paperlib comes from the
# work tree through PYTHONPATH, so nothing is installed into it. A second run reuses the venv (stamp file).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
TRITON_VERSION="${TRITON_VERSION:-3.6.0}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
VENV="$ROOT/build/triton-${TRITON_VERSION%.*}-venv"
TESTS=(tests/bk/test_bk_core_triton.py tests/bk/test_bk_core_triton_chunked.py)
STAMP="$VENV/.installed-$TRITON_VERSION"

if [ ! -f "$STAMP" ]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  torch_version="$("$PYTHON" -c 'import torch; print(torch.__version__.split("+")[0])')"
  mkdir -p "$VENV/etc"
  grep -v -i -e '^triton==' -e '^numpy==' -e '^torch==' "$ROOT/constraints.txt" > "$VENV/etc/constraints.txt"
  "$VENV/bin/python" -m pip install -q -c "$VENV/etc/constraints.txt" \
    "torch==$torch_version" "triton==$TRITON_VERSION" "numpy<2.4" pytest PyYAML
  touch "$STAMP"
fi
"$VENV/bin/python" -c 'import triton, numpy, torch; print(f"triton {triton.__version__}, numpy {numpy.__version__}, torch {torch.__version__}")'
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PAPERLIB_PROGRESS=0 \
  "$VENV/bin/python" -m pytest -p no:cacheprovider -q "${TESTS[@]}" "$@"
