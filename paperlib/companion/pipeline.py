"""The notebook pipeline behind `make figures`, `make notebooks` and `make nb`.

    python -m paperlib.companion.pipeline run [--profile auto|smoke|cpu|paper] [--only NB ...]
        Execute notebooks with papermill under a profile (validated parameters, explicit kernel, the
        repository root as working directory, an execution timeout). Executed notebooks go to
        build/<profile>/, written to a temporary file and moved into place only on success. A failing
        notebook does not stop the others; the run exits non-zero at the end, naming it.
        cpu/paper results are published: the run refuses uncommitted inputs (paths.SOURCE_INPUTS) unless
        --allow-dirty; each notebook's outputs, and the executed notebook itself (outputs included, machine
        paths scrubbed: figures/<profile>/notebooks/), are staged and replace its previous set in
        figures/<profile>/ only when it succeeds (paperlib.companion.publish); then figures/claims.json,
        figures/CLAIMS.md and the README summary are regenerated from the committed ledger folders.
        A run in which nothing succeeded writes nothing. The overview notebook(s) (00_*) run last; after a
        published run the stored smoke copy of 00_claims_overview is re-stored, as it quotes the ledger.
    python -m paperlib.companion.pipeline store [--only NB ...]
        Execute notebooks under the smoke profile and store them, with outputs, as notebooks/NN.ipynb
        (the copies readers see and nbval compares), paired with their .py.
    python -m paperlib.companion.pipeline check-params
        Validate every notebook's parameter file against its parameters cell, for every profile.
    python -m paperlib.companion.pipeline requote
        Bring what quotes the ledger up to date with figures/claims.json: re-render every headline-quote cell of
        the stored and published notebooks and re-store notebook 00 (refresh_ledger_quotes).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from paperlib.common import paths
from paperlib.common.atomic import atomic_path
from paperlib.companion.profiles import ParameterError, check_profile, resolve

KERNEL = "paperlib"


def notebooks(only: list[str] | None = None) -> list[str]:
    names = sorted(p.stem for p in paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    if only:
        unknown = [n for n in only if n not in names]
        if unknown:
            raise ParameterError(f"unknown notebook(s) {', '.join(unknown)}; known: {', '.join(names)}")
        names = [n for n in names if n in only]
    # overviews last: they read what the others recorded
    return [n for n in names if not n.startswith("00_")] + [n for n in names if n.startswith("00_")]


def auto_profile() -> str:
    import torch

    return "paper" if torch.cuda.is_available() else "cpu"


def _kernel_env() -> None:
    """The kernelspec's settings (inline figures, hash seed), also for a kernel registered before they existed,
    and offline model hubs. (A notebook's identity and output root are parameters, not variables.)"""
    from paperlib.companion.jupyter_kernel import ENV

    os.environ.update(ENV)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def source_notebook(name: str):
    """The notebook as written in its .py (the reviewed source), as an nbformat object."""
    import jupytext

    nb = jupytext.read(paths.NOTEBOOKS / f"{name}.py")
    nb.metadata["kernelspec"] = {"display_name": KERNEL, "language": "python", "name": KERNEL}
    return nb


@dataclass
class Outcome:
    name: str
    ok: bool
    seconds: float
    output: Path | None
    error: str = ""


class _Echo:
    """Copies the lines a kernel appends to its progress file onto this terminal while the notebook runs."""

    def __init__(self, path: Path, prefix: str = ""):
        import threading

        self.path, self.prefix, self.done = path, prefix, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        pos = 0
        while True:
            stop = self.done.wait(1.0)
            try:
                with open(self.path, "rb") as f:
                    f.seek(pos)
                    chunk = f.read()
            except FileNotFoundError:
                chunk = b""
            if chunk:
                pos += len(chunk)
                for line in chunk.decode(errors="replace").replace("\r", "\n").splitlines():
                    if line.strip():
                        print(self.prefix + line, file=sys.stderr, flush=True)
            if stop:
                return

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=5)


def execute(name: str, profile: str, out_dir: Path, progress: bool, output_root: Path | None = None) -> Outcome:
    """Execute one notebook with papermill; `output_root` (a staged run's) is injected as its OUTPUT_ROOT."""
    import nbformat
    import papermill as pm

    t0 = time.perf_counter()
    try:
        params = resolve(name, profile, output_root)
    except ParameterError as exc:
        return Outcome(name, False, 0.0, None, f"parameter error: {exc}")
    out_dir.mkdir(parents=True, exist_ok=True)
    source = out_dir / f".{name}.source.ipynb"
    nbformat.write(source_notebook(name), source)
    final = out_dir / f"{name}.ipynb"
    failed = out_dir / f"{name}.failed.ipynb"
    running = out_dir / f".{name}.running.ipynb"  # papermill saves here as it goes; never the final name
    _kernel_env()
    bars = out_dir / f".{name}.progress"  # the kernel's progress bars: echoed here, never stored in the chapter
    os.environ["PAPERLIB_PROGRESS_FILE"] = str(bars)
    from paperlib.common.progress import enabled

    echo = _Echo(bars, prefix=f"[{name}] ") if enabled() else None  # also into CI logs; papermill's bar: a tty
    try:
        pm.execute_notebook(str(source), str(running), parameters=params, kernel_name=KERNEL,
                            cwd=str(paths.ROOT), execution_timeout=paths.profile(profile).cell_timeout_s, progress_bar=progress,
                            log_output=False, report_mode=False)
        os.replace(running, final)  # moved into place only on success
        if failed.exists():
            failed.unlink()
        return Outcome(name, True, time.perf_counter() - t0, final)
    except Exception as exc:  # noqa: BLE001 - a failing notebook is reported, the others still run
        lines = [m for m in str(exc).strip().splitlines() if m.strip()]
        short = lines[-1] if lines else exc.__class__.__name__
        if running.exists():
            os.replace(running, failed)  # the executed-so-far notebook, to open and read the traceback
        return Outcome(name, False, time.perf_counter() - t0, failed if failed.exists() else None,
                       f"{exc.__class__.__name__}: {short[:300]}")
    finally:
        os.environ.pop("PAPERLIB_PROGRESS_FILE", None)
        if echo is not None:
            echo.stop()
        for leftover in (source, running, bars):
            if leftover.exists():
                leftover.unlink()


def refuse_dirty(allow_dirty: bool) -> str | None:
    """Published (cpu/paper) results come from committed code: the reason to refuse a run, or None."""
    from paperlib.common.measure import dirty_inputs

    dirty = dirty_inputs()
    if not dirty:
        return None
    if allow_dirty:
        os.environ["PAPERLIB_ALLOW_DIRTY"] = "1"  # the kernels record it in every result's provenance
        print(f"[paperlib] WARNING: {len(dirty)} uncommitted input(s); results will record dirty_override",
              file=sys.stderr)
        return None
    shown = "\n  ".join(dirty[:20]) + ("\n  ..." if len(dirty) > 20 else "")
    return (f"refusing a published run from uncommitted inputs ({len(dirty)} path(s) differ from the commit):\n  "
            f"{shown}\ncommit them first, or pass --allow-dirty (make ... ALLOW_DIRTY=1), which is recorded with "
            f"the results")


def _run_one(name: str, profile: str, out_dir: Path, progress: bool) -> Outcome:
    """Execute one notebook; under cpu/paper its outputs are staged and published only on success."""
    if not paths.profile(profile).published:
        return execute(name, profile, out_dir, progress)
    from paperlib.companion import publish

    stage = publish.fresh_staging(profile, name)
    return _publish_one(execute(name, profile, out_dir, progress, output_root=stage), profile, stage)


def _publish_one(o: Outcome, profile: str, stage: Path) -> Outcome:
    """In this (the parent) process: a staged notebook's outputs replace its published set only if it succeeded;
    a failed or interrupted notebook leaves the published set as it was."""
    from paperlib.companion import publish

    try:
        if o.ok:  # the executed notebook is part of the set: figures/<profile>/notebooks/<name>.ipynb
            publish.stage_notebook(o.output, stage, profile, o.name)
            publish.publish(stage / profile, paths.FIGURES / profile, o.name)
        return o
    finally:
        publish.discard(profile, o.name)


def _execute_task(job: tuple) -> Outcome:
    """One chapter on an engine's worker (common.tasks): execute only; the parent publishes."""
    name, profile, out_dir, stage = job
    return execute(name, profile, out_dir, False, output_root=stage)


def _run_on_engine(names: list[str], profile: str, out_dir: Path, client) -> list[Outcome]:
    """The chapters on a Dask engine, each executed by a worker and published here, in order, as a serial run
    would publish them (seeds are the chapters' own, so the results are the serial run's)."""
    from paperlib.common.tasks import map_tasks
    from paperlib.companion import publish

    published = paths.profile(profile).published
    stages = {n: publish.fresh_staging(profile, n) if published else None for n in names}
    print(f"[paperlib] {len(names)} notebook(s) submitted to the engine ...", flush=True)
    outcomes = map_tasks(_execute_task, [(n, profile, out_dir, stages[n]) for n in names], client=client)
    return [_publish_one(o, profile, stages[o.name]) if published else o for o in outcomes]


def _write_ledger(profile: str) -> list[dict]:
    from paperlib.companion import ledger

    if profile in paths.PUBLISHED_PROFILES:
        return ledger.publish_outputs()
    # smoke results are throwaway: their ledger view goes beside them in build/, never into figures/
    return ledger.write_outputs(ledger.aggregate(), paths.output_dir(profile))


def run(profile: str, only: list[str] | None, progress: bool, allow_dirty: bool = False,
        scheduler: str | None = None) -> int:
    """Execute the notebooks under `profile`; `scheduler` names the engine for the chapters (common.tasks:
    '' in-process, 'local:N', 'gpus', a Dask address; default: the PAPERLIB_SCHEDULER variable)."""
    from paperlib.companion import ledger, publish

    if profile == paths.AUTO:
        profile = auto_profile()
    check_profile(profile)
    names = notebooks(only)
    for name in names:  # every parameter file is checked before anything runs: a bad one writes nothing
        resolve(name, profile)
    if profile in paths.PUBLISHED_PROFILES:
        refusal = refuse_dirty(allow_dirty)
        if refusal:
            raise ParameterError(refusal)
        fixed = publish.recover(paths.FIGURES / profile)
        if fixed:
            print(f"[paperlib] finished an interrupted publication of: {', '.join(fixed)}", flush=True)
    out_dir = paths.BUILD / profile
    print(f"[paperlib] profile={profile}  notebooks={len(names)}  output={out_dir}", flush=True)
    if profile == "paper":  # before hours of work: each chapter's configuration and an estimated cost
        from paperlib.companion.plan import announce

        announce(profile, names)
    outcomes: list[Outcome] = []
    overview = [n for n in names if n.startswith("00_")]
    from paperlib.common.tasks import engine, parse_engine

    eng = parse_engine(scheduler)
    if eng.kind != "serial":  # the chapters on the engine; the overview last, here, over the fresh ledger
        print(f"[paperlib] engine: {eng.describe()}", flush=True)
        with engine(eng) as client:
            outcomes = _run_on_engine([n for n in names if n not in overview], profile, out_dir, client)
        for o in outcomes:
            print(f"[paperlib] {o.name}: {'ok' if o.ok else 'FAILED'} in {o.seconds:.1f} s"
                  + ("" if o.ok else f"  {o.error}"), flush=True)
        names = overview
    for name in names:
        if name in overview and any(o.ok for o in outcomes):
            _write_ledger(profile)  # so the overview shows the fresh ledger
        print(f"[paperlib] running {name} ...", flush=True)
        o = _run_one(name, profile, out_dir, progress)
        outcomes.append(o)
        status = "ok" if o.ok else "FAILED"
        print(f"[paperlib] {name}: {status} in {o.seconds:.1f} s" + ("" if o.ok else f"  {o.error}"), flush=True)
    print("\n=== summary ===")
    for o in outcomes:
        print(f"  {o.name:34s} {'ok' if o.ok else 'FAILED':7s} {o.seconds:8.1f} s")
    if any(o.ok for o in outcomes):  # a run in which nothing succeeded writes nothing
        table = _write_ledger(profile)
        print("\nclaim verdicts (headline records):")
        print(ledger.verdict_counts(table).to_string())
        pending = [r["id"] for r in table if r["verdict"] == "pending"]
        print(f"\nclaims still pending ({len(pending)}): {', '.join(pending) if pending else 'none'}")
        where = paths.FIGURES if profile in paths.PUBLISHED_PROFILES else paths.output_dir(profile)
        print(f"ledger: {where / 'claims.json'}  and  {where / 'CLAIMS.md'}")
        if profile in paths.PUBLISHED_PROFILES and refresh_ledger_quotes():
            outcomes.append(Outcome(OVERVIEW, False, 0.0, None, "re-storing the smoke copy failed"))
    failures = [o for o in outcomes if not o.ok]
    if failures:
        print(f"\n{len(failures)} notebook(s) FAILED:", file=sys.stderr)
        for o in failures:
            where = f"open {o.output}" if o.output else "no executed notebook was written"
            print(f"  {o.name}: {o.error}\n    -> {where}", file=sys.stderr)
        return 1
    return 0


def execute_smoke(name: str, output_root: Path, timeout: int | None = None):
    """Execute a notebook's .py, as written (its OUTPUT_ROOT = ""), under smoke in a fresh project kernel whose
    PAPERLIB_OUTPUT is `output_root`, exactly as nbval re-executes the stored copy; return (notebook, seconds).
    Only the kernel's environment carries the variable: this process's is left as it was."""
    from nbclient import NotebookClient

    nb = source_notebook(name)
    _kernel_env()
    env = {**os.environ, "PAPERLIB_OUTPUT": str(output_root), "PAPERLIB_PROGRESS": "0"}  # no bars stored
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout or paths.profile("smoke").cell_timeout_s, kernel_name=KERNEL,
                   resources={"metadata": {"path": str(paths.ROOT)}}).execute(env=env)
    return nb, time.perf_counter() - t0


def store(only: list[str] | None) -> int:
    """Execute under smoke and write notebooks/NN.ipynb with outputs (atomically)."""
    import jupytext
    import nbformat

    rc = 0
    for name in notebooks(only):
        resolve(name, "smoke")  # validates the parameters cell
        # the same output root as `make test` (NBVAL_OUT), so printed paths match what nbval re-creates
        try:
            nb, seconds = execute_smoke(name, paths.BUILD / "nbval")
        except Exception as exc:  # noqa: BLE001
            print(f"[paperlib] {name}: FAILED under smoke: {str(exc).strip().splitlines()[-1][:300]}",
                  file=sys.stderr)
            rc = 1
            continue
        nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
        for cell in nb.cells:  # execution metadata carries timestamps: drop it for stable diffs
            cell.metadata.pop("execution", None)
        with atomic_path(paths.NOTEBOOKS / f"{name}.ipynb") as tmp:
            nbformat.write(nb, str(tmp))
        # keep the .py in the canonical jupytext form of the stored notebook (no content change)
        jupytext.write(jupytext.read(paths.NOTEBOOKS / f"{name}.ipynb"), paths.NOTEBOOKS / f"{name}.py",
                       fmt="py:percent")
        print(f"[paperlib] stored notebooks/{name}.ipynb ({seconds:.1f} s)", flush=True)
    return rc


OVERVIEW = "00_claims_overview"  # its stored (smoke) copy quotes the committed ledger


def refresh_ledger_quotes() -> int:
    """Bring every notebook that quotes the ledger up to date with the one just published (tests compare them):
    re-store notebook 00 under smoke, then re-render the headline-quote cells of the stored and published
    notebooks (no execution). 0 when done. Call it after figures/claims.json changes."""
    from paperlib.companion import headline

    rc = 0
    if (paths.NOTEBOOKS / f"{OVERVIEW}.py").is_file():
        print(f"[paperlib] re-storing notebooks/{OVERVIEW}.ipynb (it quotes the published ledger)", flush=True)
        rc = store([OVERVIEW])
    changed = headline.refresh_all_quotes()
    print(f"[paperlib] headline quotes re-rendered from figures/claims.json in {len(changed)} notebook(s)",
          flush=True)
    return rc


def check_params() -> int:
    bad = 0
    for name in notebooks():
        for prof in paths.PROFILES:
            try:
                resolve(name, prof)
            except ParameterError as exc:
                print(f"ERROR {exc}", file=sys.stderr)
                bad += 1
    print(f"parameters checked for {len(notebooks())} notebooks x {len(paths.PROFILES)} profiles: "
          f"{'ok' if not bad else f'{bad} error(s)'}")
    return 1 if bad else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paperlib.companion.pipeline", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--profile", default=paths.AUTO,
                   help="; ".join(f"{p.name}: {p.what}" for p in paths.PROFILE_TABLE)
                   + f"; {paths.AUTO} (default): paper with a CUDA GPU, else cpu")
    r.add_argument("--only", nargs="*", default=None)
    r.add_argument("--scheduler", default=None,
                   help="where the chapters run: '' in-process (default), local:N, gpus, or a Dask scheduler "
                        "address (paperlib.common.tasks; default: $PAPERLIB_SCHEDULER)")
    r.add_argument("--allow-dirty", action="store_true",
                   help="run cpu/paper from uncommitted inputs (recorded as dirty_override in the results)")
    s = sub.add_parser("store")
    s.add_argument("--only", nargs="*", default=None)
    sub.add_parser("check-params")
    sub.add_parser("requote", help="re-store notebook 00 and re-render every headline quote from the ledger")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "run":
            from paperlib.common.progress import enabled

            return run(args.profile, args.only or None, progress=enabled() and sys.stderr.isatty(),
                       allow_dirty=args.allow_dirty, scheduler=args.scheduler)
        if args.cmd == "store":
            return store(args.only or None)
        if args.cmd == "requote":
            return refresh_ledger_quotes()
        return check_params()
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
