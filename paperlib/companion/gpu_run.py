"""The GPU run: the measurements behind the companion's GPU-pending claims, in one command (orchestration only).

    python -m paperlib.companion.gpu_run            # on a CUDA machine, the paper profile, < ~8 minutes on one H100
    python -m paperlib.companion.gpu_run --tiny     # CPU rehearsal of the whole flow, smoke profile (needs PAPERLIB_OUTPUT)

Every section calls the one library function that the notebook's cell calls, with that notebook's parameters:
the `paper` profile (the parameters cell updated with ``notebooks/params/<notebook>.yaml``'s ``paper:`` section),
or under ``--tiny`` the `smoke` profile (the parameters cell's defaults). A bundle (``gpu_bundle``) carries those
resolved parameters in BUNDLE_PARAMS.json, so the GPU machine needs neither jupytext nor the YAML files.

  section  notebook                   function                                    claims recorded
  bk_s44   14_bk_params_memory        bk.memory_claims.s44_perf                   BK-S44-PERF
  bk_t11   14_bk_params_memory        bk.memory_claims.t11_vram                   BK-T11-VRAM
  bk_t5    14_bk_params_memory        bk.memory_claims.t5_mem                     BK-T5-MEM
  bk_t6    15_bk_throughput_scaling   bk.scaling_claims.t6_tput                   BK-T6-TPUT
  bk_t7    15_bk_throughput_scaling   bk.scaling_claims.complexity                BK-T7-FIT
  scta     21_scta_speedup_vs_vocab   scta.experiments.table1_claims              SCTA-T1-SPEEDUP, SCTA-T1-TPUT,
                                                                                  SCTA-1M-CONSUMER, SCTA-ENERGY
  bk_s64   16_bk_training             bk.tradeoff.s64_tradeoff_claims             BK-S64-TRADEOFF
  op       13_bk_core                 bk.core_bench.op_sweep (+ device_check)     none: the BK-Core op's speed,
           scaling and achieved bandwidth against the device's spec peak (HBM_PEAK_GBPS) and a device copy; and
           both Triton kernel paths (per-row, chunked), forward and backward, time and achieved bandwidth vs N
           at rows {2, 8, 4096} with auto's choice beside (op_sweep's kernel_paths, bk.core_paths_bench; tables
           bk_core_paths and bk_core_paths_compare; ~30-60 s, its docstring has the estimate)

BK-ABS (notebook 16, the abstract) has no section. Its memory part is BK-T11-VRAM's measurement
(bk.memory_claims.abstract_memory_reduction runs t11_vram at Table 11's pairing and configuration and takes the median
reduction, held against 84.8% less 5 points), which bk_t11 makes and records; its perplexity part needs notebook 16's
paired training, which only bk_s64 does (and at 300 steps, not the notebook's budget). No section holds both inputs,
and measuring Table 11's pairing a second time inside bk_s64 would spend ~6 fresh processes (~60 s) of the 8-minute
budget on a number bk_t11 already records. Notebook 16 run on a CUDA machine decides all three parts.

A function may decide more claims than the section records (bk_t7 also decides BK-T3-ON, an operation count that
does not wait for a GPU): only the claims listed are recorded; the others are listed in the summary.

Where the paper profile's full configuration would not fit the 8-minute budget of `make gpu`, the section runs a
smaller, stated configuration (PAPER_OVERRIDES, also appended to every recorded reason):
  bk_t11  T11_VARIANTS = the paper's pairing only (baseline FP32 vs optimized AMP + checkpointing, 3 repeats):
          the like-for-like variants are supporting evidence, and each variant is a fresh process (~10 s);
  bk_t5   T5_STAGES = [train]: the claim is the training peak; the forward/backward stages are supporting;
  bk_s64  STEPS 300 (WARMUP 10, EVAL_CHUNKS 50) instead of 3000: the claim's GPU-pending parts are inference
          latency and training throughput, which do not need the full training; its perplexity and
          steps-to-loss parts at 300 steps are this configuration's, not the paper's.
Sections run in the order above; after --budget-s (default 480 s) no new section starts, and a run with a
skipped section is never published.

Claims are recorded through paperlib.companion.ledger.Recorder under the notebooks' names (profile "paper";
--tiny records under "smoke"). Each section's tables go to <output>/gpu_run/<section>/<table>.csv and a summary
to <output>/gpu_run/summary.json, where <output> = paths.output_dir(profile) (PAPERLIB_OUTPUT/<profile> when
set). --tiny refuses to run without PAPERLIB_OUTPUT, so a rehearsal never writes into figures/.
"""
import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from dataclasses import replace

SECTIONS = ("bk_s44", "bk_t11", "bk_t5", "bk_t6", "bk_t7", "scta", "bk_s64", "op")
SECTION_SPECS = {  # section -> (notebook, "module:function", claims it records)
    "bk_s44": ("14_bk_params_memory", "paperlib.bk.memory_claims:s44_perf", ("BK-S44-PERF",)),
    "bk_t11": ("14_bk_params_memory", "paperlib.bk.memory_claims:t11_vram", ("BK-T11-VRAM",)),
    "bk_t5": ("14_bk_params_memory", "paperlib.bk.memory_claims:t5_mem", ("BK-T5-MEM",)),
    "bk_t6": ("15_bk_throughput_scaling", "paperlib.bk.scaling_claims:t6_tput", ("BK-T6-TPUT",)),
    "bk_t7": ("15_bk_throughput_scaling", "paperlib.bk.scaling_claims:complexity", ("BK-T7-FIT",)),
    "scta": ("21_scta_speedup_vs_vocab", "paperlib.scta.experiments:table1_claims",
             ("SCTA-T1-SPEEDUP", "SCTA-T1-TPUT", "SCTA-1M-CONSUMER", "SCTA-ENERGY")),
    "bk_s64": ("16_bk_training", "paperlib.bk.tradeoff:s64_tradeoff_claims", ("BK-S64-TRADEOFF",)),
    "op": ("13_bk_core", "paperlib.bk.core_bench:op_sweep", ()),
}
GPU_CLAIMS = tuple(c for _, _, claims in SECTION_SPECS.values() for c in claims)
PAPER_OVERRIDES = {  # the stated smaller configurations of the real run (module docstring says why)
    "bk_t11": {"T11_VARIANTS": ["baseline_fp32", "optimized_amp_ckpt"]},
    "bk_t5": {"T5_STAGES": ["train"]},
    "bk_s64": {"STEPS": 300, "WARMUP": 10, "EVAL_CHUNKS": 50},
}
BUNDLE_PARAMS = "BUNDLE_PARAMS.json"  # resolved parameters a bundle carries (paths.ROOT / this)
HBM_PEAK_GBPS = {  # vendor spec memory bandwidth, GB/s (matched by substring of the device name)
    "H200": 4800, "H100 SXM": 3350, "H100 NVL": 3900, "H100 PCIe": 2000, "H100": 3350, "GH200": 4000,
    "A100-SXM4-80GB": 2039, "A100 80GB PCIe": 1935, "A100-PCIE-40GB": 1555, "A100-SXM4-40GB": 1555, "A100": 1555,
    "L40S": 864, "L4": 300, "A6000": 768, "A10G": 600, "A10": 600, "RTX 4090": 1008, "RTX 3090": 936,
    "RTX 3080": 760, "V100": 900, "T4": 320,
}


def _log(*a):
    print(*a, flush=True)


# ----------------------------------------------------------------------------------------------- versions
def versions() -> dict:
    """What this run found: python, torch, triton, numba, numpy, pandas, yaml, pynvml, CUDA device."""
    import importlib

    out = {"python": platform.python_version(), "platform": platform.platform()}
    for mod in ("torch", "triton", "numba", "numpy", "pandas", "yaml", "pynvml", "scipy", "tqdm"):
        try:
            m = importlib.import_module(mod)
            out[mod] = getattr(m, "__version__", "present")
        except Exception as exc:  # noqa: BLE001
            out[mod] = f"missing ({type(exc).__name__})"
    import torch

    out["torch_cuda"] = torch.version.cuda
    out["cuda_available"] = torch.cuda.is_available()
    if torch.cuda.is_available():
        p = torch.cuda.get_device_properties(0)
        out["device"] = p.name
        out["capability"] = f"{p.major}.{p.minor}"
        out["device_memory_gib"] = round(p.total_memory / 2**30, 1)
        out["device_count"] = torch.cuda.device_count()
    else:
        out["device"] = "cpu"
    out["triton_interpret"] = os.environ.get("TRITON_INTERPRET", "")
    return out


def _spec_peak_gbps(name: str):
    """The spec bandwidth of the longest key the device name contains ("NVIDIA GH200" is a GH200, not an H200)."""
    for key in sorted(HBM_PEAK_GBPS, key=len, reverse=True):
        if key.lower() in name.lower():
            return HBM_PEAK_GBPS[key]
    return None


# ------------------------------------------------------------------------------------------------ parameters
def resolve_parameters(notebook: str, profile: str) -> dict:
    """The notebook's parameters as its cell sees them under `profile`: the parameters cell's defaults updated
    with the profile's section of notebooks/params/<notebook>.yaml (smoke: the defaults)."""
    from paperlib.companion import profiles

    return {**profiles.default_parameters(notebook), **profiles.resolve(notebook, profile)}


def bundle_parameters() -> dict:
    """{profile: {notebook: parameters}} for every notebook the GPU run reads (what a bundle carries)."""
    notebooks = sorted({nb for nb, _, _ in SECTION_SPECS.values()})
    return {prof: {nb: resolve_parameters(nb, prof) for nb in notebooks} for prof in ("paper", "smoke")}


def section_parameters(section: str, tiny: bool) -> tuple[dict, dict]:
    """(P, overrides): the parameters `section`'s function gets (its notebook's, smoke under --tiny, else paper with
    PAPER_OVERRIDES applied) and the overrides applied. An override naming no parameter of the notebook is an error."""
    from paperlib.common import paths

    notebook = SECTION_SPECS[section][0]
    profile = "smoke" if tiny else "paper"
    carried = paths.ROOT / BUNDLE_PARAMS
    if carried.is_file():
        P = dict(json.loads(carried.read_text())[profile][notebook])
    else:
        P = resolve_parameters(notebook, profile)
    over = {} if tiny else dict(PAPER_OVERRIDES.get(section, {}))
    unknown = set(over) - set(P)
    if unknown:
        raise KeyError(f"gpu_run: PAPER_OVERRIDES[{section!r}] names no parameter of {notebook}: {sorted(unknown)}")
    return {**P, **over}, over


def measurement_function(section: str):
    """The library function of `section` (imported when the section runs: an absent module fails that section)."""
    module, name = SECTION_SPECS[section][1].split(":")
    return getattr(importlib.import_module(module), name)


def device_peak_GBps(device) -> tuple:
    """(peak GB/s, basis) of `device`'s memory: the spec sheet's (HBM_PEAK_GBPS) when its name is known, else a
    measured device-to-device copy (core_bench.copy_peak_GBps); (None, "") off CUDA."""
    import torch

    device = torch.device(device)
    if device.type != "cuda":
        return None, ""
    name = torch.cuda.get_device_name(device)
    spec = _spec_peak_gbps(name)
    if spec:
        return float(spec), f"spec sheet bandwidth of the {name}"
    from paperlib.bk.core_bench import copy_peak_GBps

    return float(copy_peak_GBps(device)), f"measured device-to-device copy on the {name} (no spec entry)"


def section_kwargs(section: str, device, tiny: bool) -> dict:
    """Keyword arguments the GPU run adds to `section`'s function beyond the notebook's (P, device): the op
    section's sweep of both Triton kernel paths (core_paths_bench.SWEEPS, "tiny" under --tiny) and the peak."""
    if section != "op":
        return {}
    from paperlib.bk.core_paths_bench import sweep_config

    peak, basis = device_peak_GBps(device)
    return {"kernel_paths": {**sweep_config("tiny" if tiny else "paper"), "peak_GBps": peak, "peak_basis": basis}}


def measure(section: str, device, tiny: bool):
    """Run `section`'s measurement: (Measurement, the verdicts this run records, overrides applied)."""
    P, over = section_parameters(section, tiny)
    m = measurement_function(section)(P, device=device, **section_kwargs(section, device, tiny))
    claims = SECTION_SPECS[section][2]
    recorded = [v for v in m.verdicts if v.claim in claims]
    if over:
        recorded = [replace(v, reason=f"{v.reason}; gpu_run at a reduced configuration {over}") for v in recorded]
    return m, recorded, over


class Run:
    """Output folder, recorders and the summary of one gpu_run invocation."""

    def __init__(self, profile: str, device, output_root=None):
        from paperlib.common import paths

        self.profile, self.device, self.output_root = profile, device, output_root
        self.root = paths.output_dir(profile, output_root)
        self.folder = self.root / "gpu_run"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.recorders = {}
        self.fallback_records = []
        self.tables = []
        try:
            import yaml  # noqa: F401 - the ledger's registry is YAML

            self.ledger = True
        except ImportError:
            self.ledger = False

    def save_tables(self, section: str, tables: dict):
        folder = self.folder / section
        folder.mkdir(parents=True, exist_ok=True)
        for name, df in tables.items():
            path = folder / f"{name}.csv"
            df.to_csv(path, index=False, float_format="%.6g")
            self.tables.append(str(path))

    def record(self, notebook: str, result, evidence: str = "", scale: str = ""):
        """Record a rule's Verdict for `notebook` in the ledger (or gpu_run/claims_records.json without pyyaml)."""
        if self.ledger:
            from paperlib.companion.ledger import Recorder

            if notebook not in self.recorders:
                self.recorders[notebook] = Recorder(notebook=notebook, profile=self.profile, root=self.output_root,
                                                    source=PUBLISHED_AS)
            rec = self.recorders[notebook].record(result, evidence=evidence, scale=scale)
        else:
            rec = {"id": result.claim, "notebook": notebook, "profile": self.profile, "verdict": result.verdict,
                   "measured_value": result.measured, "reason": result.reason, "evidence": evidence,
                   "scale": scale}
            self.fallback_records.append(rec)
            (self.folder / "claims_records.json").write_text(json.dumps(self.fallback_records, indent=2, default=str))
        _log(f"  [{result.claim}] {rec['verdict']}: {rec['measured_value']}")
        return rec


def _plain(x):
    """The JSON-friendly part of a Measurement's notes (numbers, strings, and dicts/lists of them; no tables)."""
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    if isinstance(x, dict):
        out = {str(k): _plain(v) for k, v in x.items()}
        return {k: v for k, v in out.items() if v is not _SKIP}
    if isinstance(x, (list, tuple)):
        out = [_plain(v) for v in x]
        return _SKIP if any(v is _SKIP for v in out) else out
    return _SKIP


_SKIP = object()


def run_section(run: Run, section: str, tiny: bool) -> dict:
    """One section: measure, save its tables, record its claims under its notebook; returns the summary entry."""
    import torch

    notebook, where, claims = SECTION_SPECS[section]
    m, recorded, over = measure(section, run.device, tiny)
    run.save_tables(section, m.tables)
    from paperlib.companion.profiles import PAPER_SCALE

    scale = ("tiny rehearsal sizes (smoke parameters)" if tiny else PAPER_SCALE if not over else
             "paper profile, reduced for the GPU run's time budget: " + ", ".join(f"{k} {v!r}" for k, v in over.items()))
    for v in recorded:
        run.record(notebook, v, evidence=f"gpu_run/{section}: {m.evidence.get(v.claim, '')}", scale=scale)
    missing = sorted(set(claims) - {v.claim for v in recorded})
    if missing:
        raise RuntimeError(f"{where} decided none of {missing} (its parameters turned the measurement off?)")
    result = dict(function=where, notebook=notebook, overrides=over,
                  recorded={v.claim: v.verdict for v in recorded},
                  not_recorded={v.claim: v.verdict for v in m.verdicts if v.claim not in claims},
                  notes=_plain({k: v for k, v in m.notes.items()}))
    if section == "op":  # the GPU bookkeeping the library does not hold: spec peak, self-check, device check
        from paperlib.bk.core import triton_self_check_report
        from paperlib.bk.core_bench import device_check

        P, _ = section_parameters(section, tiny)
        bw = m.notes.get("bandwidth")
        if bw:
            spec = _spec_peak_gbps(bw["device"])
            result["bandwidth"] = {**bw, "spec_GBps": spec,
                                   "fraction_of_spec_peak": bw["achieved_GBps"] / spec if spec else None}
        compare = m.tables.get("bk_core_paths_compare")
        if compare is not None and len(compare):
            _log("  BK-Core kernel paths (seconds per call of one recurrence; faster path per shape):\n"
                 + compare.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
        result["triton_self_check"] = {k: list(v) for k, v in triton_self_check_report().items()}
        result["device_check"] = device_check(run.device, max(P["STAB_NS"]), P["SEED"])
        if run.device.type == "cuda":
            torch.cuda.empty_cache()
    return result


# ------------------------------------------------------------------------------------------- publishing
PUBLISHED_AS = "gpu_run"  # the published set's owner in figures/paper/ (like a notebook's name)


def publish_results(root) -> int:
    """Publish a finished run (its output root holding paper/) into figures/paper, as a notebook's set is:
    only a complete run (every section ok) from committed code; then regenerate the ledger views."""
    from pathlib import Path

    from paperlib.companion import ledger, publish
    from paperlib.common import paths

    staged = Path(root) / "paper"
    summary_file = staged / "gpu_run" / "summary.json"
    if not summary_file.is_file():
        print(f"gpu_run: no run to publish in {root} (missing {summary_file})", file=sys.stderr)
        return 2
    summary = json.loads(summary_file.read_text())
    bad = {k: v.get("status") for k, v in summary.get("sections", {}).items() if v.get("status") != "ok"}
    problems = []
    if summary.get("tiny"):
        problems.append("a --tiny rehearsal is never published")
    # every section that records claims must have run; the op benchmark (no claim) may be skipped or fail
    needed = {s for s in SECTIONS if SECTION_SPECS[s][2]}
    bad = {k: v for k, v in bad.items() if k in needed}
    if bad or not needed <= set(summary.get("sections", {})):
        problems.append(f"incomplete run (sections not ok: {bad or 'some never ran'})")
    commit = str(summary.get("commit") or "unknown")
    if commit == "unknown" or (commit.endswith("+dirty") and os.environ.get("PAPERLIB_ALLOW_DIRTY") != "1"):
        problems.append(f"not from committed code (commit {commit})")
    if problems:
        print("gpu_run: not published: " + "; ".join(problems), file=sys.stderr)
        return 1
    publish.publish(staged, paths.FIGURES / "paper", PUBLISHED_AS)
    table = ledger.publish_outputs()
    _log(f"gpu_run: published into {paths.FIGURES / 'paper'}; ledger views regenerated "
         f"({sum(r['profile'] == 'paper' for r in table)} headline(s) from the paper profile)")
    from paperlib.companion import pipeline

    return pipeline.refresh_ledger_quotes()   # notebook 00 quotes the ledger just published


def _staged_run(args, argv) -> int:
    """`make gpu`: refuse uncommitted inputs, run into a staging folder, publish only a complete run."""
    from paperlib.companion import pipeline, publish

    if args.tiny:
        print("gpu_run: --publish and --tiny exclude each other (a rehearsal is never published)", file=sys.stderr)
        return 2
    refusal = pipeline.refuse_dirty(args.allow_dirty)
    if refusal:
        print(f"gpu_run: {refusal}", file=sys.stderr)
        return 2
    stage = publish.fresh_staging("paper", PUBLISHED_AS)
    inner = [a for a in (argv if argv is not None else sys.argv[1:]) if a not in ("--publish", "--allow-dirty")]
    inner += ["--output-root", str(stage)]
    rc = main(inner)
    if rc != 0:
        print(f"gpu_run: a section failed; nothing published (the staged run stays in {stage})", file=sys.stderr)
        return rc
    rc = publish_results(stage)
    if rc == 0:
        publish.discard("paper", PUBLISHED_AS)
    return rc


# -------------------------------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paperlib.companion.gpu_run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tiny", action="store_true", help="CPU rehearsal at tiny sizes (needs PAPERLIB_OUTPUT)")
    ap.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    ap.add_argument("--budget-s", type=float, default=480.0,
                    help="start no new section after this many seconds (default 480: the 8-minute budget)")
    ap.add_argument("--publish", action="store_true",
                    help="stage the run and publish it into figures/paper when every section succeeded "
                         "(`make gpu`; refuses uncommitted inputs unless --allow-dirty)")
    ap.add_argument("--allow-dirty", action="store_true", help="with --publish: run from uncommitted inputs")
    ap.add_argument("--output-root", metavar="DIR", help="write under DIR/<profile>/ (what --publish stages into)")
    ap.add_argument("--publish-from", metavar="DIR",
                    help="publish a finished run's output root (a bundle's results/ folder) into figures/paper")
    args = ap.parse_args(argv)
    if args.publish_from:
        return publish_results(args.publish_from)
    if args.publish:
        return _staged_run(args, argv)
    if args.tiny:
        if not os.environ.get("PAPERLIB_OUTPUT"):
            print("gpu_run --tiny writes only into $PAPERLIB_OUTPUT; set it (e.g. PAPERLIB_OUTPUT=build/gpu_rehearsal)",
                  file=sys.stderr)
            return 2
        os.environ["PAPERLIB_DEVICE"] = "cpu"
        os.environ.setdefault("TRITON_INTERPRET", "1")  # rehearse the Triton kernel in the interpreter
        os.environ.setdefault("PAPERLIB_PROGRESS", "0")
    t_start = time.time()
    ver = versions()
    _log("gpu_run versions: " + json.dumps(ver))
    import torch

    from paperlib.common import paths
    from paperlib.common.measure import fingerprint

    if not args.tiny and not torch.cuda.is_available():
        print("gpu_run: no CUDA device visible to torch; use --tiny for the CPU rehearsal", file=sys.stderr)
        return 2
    device = torch.device("cpu") if args.tiny else torch.device("cuda")
    commit_file = paths.ROOT / "BUNDLE_COMMIT"
    fp = fingerprint()
    if fp.get("commit", "unknown") == "unknown" and commit_file.exists():
        fp["commit"] = commit_file.read_text().strip()  # a bundle has no .git: its commit travels in a file
    run = Run("smoke" if args.tiny else "paper", device, args.output_root)
    _log(f"gpu_run: profile {run.profile}, device {fp['device']}, commit {fp.get('commit')}, output {run.folder}"
         + ("; parameters from the bundle's " + BUNDLE_PARAMS if (paths.ROOT / BUNDLE_PARAMS).is_file() else ""))
    if not run.ledger:
        _log("gpu_run: pyyaml missing -> claim records go to gpu_run/claims_records.json, not the ledger")
    summary = dict(versions=ver, profile=run.profile, commit=fp.get("commit"), output_root=str(run.root),
                   tiny=args.tiny, sections={})
    failed = 0
    for name in args.only or SECTIONS:
        if time.time() - t_start > args.budget_s:
            summary["sections"][name] = dict(status="skipped", reason=f"time budget of {args.budget_s:.0f} s spent")
            _log(f"== {name}: skipped (time budget of {args.budget_s:.0f} s spent)")
            continue
        _log(f"== {name}")
        t0 = time.time()
        try:
            result, status = run_section(run, name, args.tiny), "ok"
        except Exception as exc:  # noqa: BLE001 - one failing section must not lose the others
            traceback.print_exc()
            result, status = {"error": f"{type(exc).__name__}: {exc}"}, "error"
            failed += 1
        summary["sections"][name] = dict(status=status, seconds=round(time.time() - t0, 1), result=result)
        _log(f"== {name}: {status} in {time.time() - t0:.1f} s")
        (run.folder / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    summary["records"] = {nb: sorted(r.records) for nb, r in run.recorders.items()}
    summary["tables"] = run.tables
    summary["seconds"] = round(time.time() - t_start, 1)
    (run.folder / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    _log(f"gpu_run: done in {summary['seconds']} s, {failed} section(s) failed; summary {run.folder / 'summary.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
