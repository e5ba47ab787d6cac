"""Build a self-contained bundle for the GPU run (paperlib.companion.gpu_run) on a machine with no package index.

    python -m paperlib.companion.gpu_bundle OUTDIR [--vendor yaml ...] [--wheel some-pure-python.whl ...]

OUTDIR gets:
  project.tar    `git archive HEAD` of this repository (committed code only: commit first)
  COMMIT         the full commit id of HEAD
  PARAMS.json    the parameters gpu_run's sections read ({profile: {notebook: parameters}}, paper and smoke),
                 resolved here from the notebooks' parameter cells and notebooks/params/*.yaml, so the GPU
                 machine needs neither jupytext nor the YAML files (copied to project/BUNDLE_PARAMS.json)
  run_gpu.sh     unpacks project.tar into OUTDIR/project (+ project/BUNDLE_COMMIT), checks the Python modules
                 the run needs (required: torch, numpy, pandas; optional: yaml, triton, pynvml, numba, scipy),
                 puts bundled pure-python fallbacks on PYTHONPATH for missing ones, then runs
                 `python -m paperlib.companion.gpu_run "$@"` with PYTHONPATH=OUTDIR/project and
                 PAPERLIB_OUTPUT=${PAPERLIB_OUTPUT:-OUTDIR/results}. `run_gpu.sh --check-only` stops after the check.
  vendor/<m>/<m> the pure-python sources (*.py) of modules copied from this environment (default: yaml, which
                 falls back to its pure-python loader without the C extension)
  wheels/        pure-python wheels given with --wheel (importable straight from the .whl on PYTHONPATH)
  MANIFEST.json  what is in the bundle
The target machine's interpreter is `${PYTHON:-python3}` (Python >= 3.10; the GPU machine has 3.12 with CUDA torch).
"""
import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from paperlib.common import paths

DEFAULT_VENDOR = ("yaml",)
REQUIRED = ("torch", "numpy", "pandas")
OPTIONAL = ("yaml", "triton", "pynvml", "numba", "scipy")

RUN_SH = r'''#!/usr/bin/env bash
# GPU run of the companion (built by python -m paperlib.companion.gpu_bundle). Usage: ./run_gpu.sh [--check-only] [gpu_run args]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-python3}"
PROJECT="$HERE/project"
if [ ! -f "$PROJECT/paperlib/__init__.py" ]; then
  mkdir -p "$PROJECT"
  tar -xf "$HERE/project.tar" -C "$PROJECT"
fi
cp "$HERE/COMMIT" "$PROJECT/BUNDLE_COMMIT"
cp "$HERE/PARAMS.json" "$PROJECT/BUNDLE_PARAMS.json"
export PYTHONPATH="$PROJECT${PYTHONPATH:+:$PYTHONPATH}"
export PAPERLIB_OUTPUT="${PAPERLIB_OUTPUT:-$HERE/results}"
echo "bundle commit $(cat "$HERE/COMMIT"); python: $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 needed, found " + sys.version.split()[0])'
has() { "$PY" -c "import $1" >/dev/null 2>&1; }
# fall back to bundled pure-python copies only for modules the machine lacks (never shadow installed ones)
for mod in __VENDORED__; do
  if ! has "$mod" && [ -d "$HERE/vendor/$mod" ]; then
    export PYTHONPATH="$PYTHONPATH:$HERE/vendor/$mod"; echo "using bundled $mod (vendor/$mod)"
  fi
done
for whl in "$HERE"/wheels/*.whl; do
  [ -e "$whl" ] || continue
  mod="$(basename "$whl" | cut -d- -f1 | tr 'A-Z-' 'a-z_')"
  if ! has "$mod"; then export PYTHONPATH="$PYTHONPATH:$whl"; echo "using bundled wheel $(basename "$whl")"; fi
done
missing=""
for mod in __REQUIRED__; do has "$mod" || missing="$missing $mod"; done
for mod in __OPTIONAL__; do has "$mod" || echo "optional module missing: $mod"; done
if [ -n "$missing" ]; then
  echo "ERROR: required Python module(s) missing:$missing (install them or add pure-python wheels to wheels/)" >&2
  exit 3
fi
"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
if [ "${1:-}" = "--check-only" ]; then echo "check ok"; exit 0; fi
cd "$PROJECT"
echo "results -> $PAPERLIB_OUTPUT"
exec "$PY" -m paperlib.companion.gpu_run "$@"
'''


def _git(*args) -> str:
    out = subprocess.run(["git", "-C", str(paths.ROOT), *args], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {out.stderr.strip()}")
    return out.stdout


def _vendor(name: str, dest: Path) -> list[str]:
    """Copy the *.py files of an importable pure-python package/module into dest/name; return what was copied."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ValueError(f"cannot vendor {name!r}: not importable here")
    copied = []
    if spec.submodule_search_locations:  # a package
        src = Path(list(spec.submodule_search_locations)[0])
        for f in sorted(src.rglob("*.py")):
            if "__pycache__" in f.parts:
                continue
            target = dest / name / name / f.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)
            copied.append(str(target.relative_to(dest)))
    elif spec.origin.endswith(".py"):
        target = dest / name / Path(spec.origin).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(spec.origin, target)
        copied.append(str(target.relative_to(dest)))
    else:
        raise ValueError(f"cannot vendor {name!r}: it is a compiled module ({spec.origin})")
    return copied


def _committed_parameters(project_tar: Path, gpu_run) -> dict:
    """gpu_run.bundle_parameters() read from the notebooks and parameter files inside the bundle's archive, so a
    bundle never carries parameters of uncommitted edits under the commit it names."""
    import tarfile
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, tarfile.open(project_tar) as tar:
        tar.extractall(tmp, members=[m for m in tar.getmembers() if m.name.startswith("notebooks/")],
                       filter="data")
        saved = paths.NOTEBOOKS, paths.PARAMS
        paths.NOTEBOOKS = Path(tmp) / "notebooks"
        paths.PARAMS = paths.NOTEBOOKS / "params"
        try:
            return gpu_run.bundle_parameters()
        finally:
            paths.NOTEBOOKS, paths.PARAMS = saved


def build(outdir, vendor=DEFAULT_VENDOR, wheels=()) -> dict:
    """Write the bundle into outdir (created; must be empty or absent). Returns the manifest."""
    out = Path(outdir).resolve()
    for w in wheels:
        if Path(w).suffix != ".whl" or not Path(w).name.endswith("-none-any.whl"):
            raise ValueError(f"{w}: only pure-python wheels (*-none-any.whl) can be imported without installing")
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    commit = _git("rev-parse", "HEAD").strip()
    dirty = [line[3:] for line in _git("status", "--porcelain", "--untracked-files=no", "--", "paperlib",
                                       "notebooks").splitlines()]
    with open(out / "project.tar", "wb") as f:
        proc = subprocess.run(["git", "-C", str(paths.ROOT), "archive", "--format=tar", "HEAD"], stdout=f,
                              stderr=subprocess.PIPE, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"git archive failed: {proc.stderr.decode().strip()}")
    (out / "COMMIT").write_text(commit + "\n")
    from paperlib.companion import gpu_run

    # the parameters of the archived commit, not of the working tree: resolved from the notebooks in project.tar
    (out / "PARAMS.json").write_text(json.dumps(_committed_parameters(out / "project.tar", gpu_run), indent=1))
    vendored, skipped = {}, {}
    for name in vendor:
        try:
            vendored[name] = _vendor(name, out / "vendor")
        except ValueError as exc:
            skipped[name] = str(exc)
    wheel_names = []
    for w in wheels:
        w = Path(w)
        (out / "wheels").mkdir(exist_ok=True)
        shutil.copy2(w, out / "wheels" / w.name)
        wheel_names.append(w.name)
    script = (RUN_SH.replace("__VENDORED__", " ".join(sorted(vendored)) or "none")
              .replace("__REQUIRED__", " ".join(REQUIRED)).replace("__OPTIONAL__", " ".join(OPTIONAL)))
    (out / "run_gpu.sh").write_text(script)
    os.chmod(out / "run_gpu.sh", 0o755)
    manifest = dict(commit=commit, files=["project.tar", "COMMIT", "PARAMS.json", "run_gpu.sh"], vendored=vendored,
                    vendor_skipped=skipped, wheels=wheel_names, required=list(REQUIRED), optional=list(OPTIONAL),
                    uncommitted_changes_not_in_bundle=dirty,
                    command="./run_gpu.sh  (PAPERLIB_OUTPUT defaults to <bundle>/results)")
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paperlib.companion.gpu_bundle", description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--vendor", nargs="*", default=list(DEFAULT_VENDOR),
                    help="pure-python modules to copy from this environment (default: yaml)")
    ap.add_argument("--wheel", action="append", default=[], help="a pure-python wheel to carry (repeatable)")
    args = ap.parse_args(argv)
    m = build(args.outdir, vendor=args.vendor, wheels=args.wheel)
    if m["uncommitted_changes_not_in_bundle"]:
        print("warning: uncommitted changes under paperlib/ or notebooks/ are NOT in the bundle (it archives HEAD): "
              + ", ".join(m["uncommitted_changes_not_in_bundle"]), file=sys.stderr)
    for name, why in m["vendor_skipped"].items():
        print(f"warning: {why}", file=sys.stderr)
    print(f"bundle of {m['commit'][:12]} in {Path(args.outdir).resolve()}; on the GPU machine run: ./run_gpu.sh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
