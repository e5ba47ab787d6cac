"""The GPU run: the measurements behind the companion's GPU-pending claims, in one command.

    python -m paperlib.companion.gpu_run            # on a CUDA machine, paper configurations, < ~8 minutes on one H100/H200
    python -m paperlib.companion.gpu_run --tiny     # CPU rehearsal of the whole flow at tiny sizes (needs PAPERLIB_OUTPUT)

It prints the versions it found first, then runs these sections (--only picks some):

  op      BK-Core op: Triton kernel vs torch scan (and the numba loop on CPU tensors, up to 8K) for
          N = 1K..64K at batch 8 x 512 channels (4096 rows), causal, float32: seconds per call, exponent of
          t ~ N^p, achieved bandwidth (bytes moved / time) against the device's spec peak (when known) and a
          device-to-device copy; a forward+backward point; the Triton self-check; Triton vs float64 scan error.
  bk_s44  BK-S44-PERF (notebook 14): seq 4096, batch 2, FP32: forward ms, training tokens/s, training-peak
          memory of ResNet-BK vs dense attention (paperlib.bk.bench.train_throughput / memory_table).
  bk_t6   BK-T6-TPUT (notebook 15): training tokens/s of table5_baseline vs table5_phase1 at seq 512/1024/2048.
  scta    SCTA-T1-SPEEDUP, SCTA-T1-TPUT, SCTA-1M-CONSUMER, SCTA-ENERGY (notebook 21): per-step time of CE vs SCTA
          at V = 50K/200K/1M (paperlib.scta.bench.bench_step), the 8 GiB-capped run at 1M, NVML energy.

Claims are recorded through paperlib.companion.ledger.Recorder under the notebooks' names, with their claim ids and
verdict rules (profile "paper"; --tiny records under "smoke"). Tables go to <output>/gpu_run/*.csv and a summary
to <output>/gpu_run/summary.json, where <output> = paths.output_dir(profile) (PAPERLIB_OUTPUT/<profile> when
set). --tiny refuses to run without PAPERLIB_OUTPUT, so a rehearsal never writes into figures/.

Imports are kept to torch, numpy and pandas (+ pyyaml for the ledger; without it the records go to
gpu_run/claims_records.json). One deviation from notebook 21: a CUDA run without an NVML energy counter
records SCTA-ENERGY as `pending` (the counter is missing from this run), not `not-testable`.
"""
import argparse
import json
import math
import os
import platform
import sys
import time
import traceback

SECTIONS = ("op", "bk_s44", "bk_t6", "scta")
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
    for mod in ("torch", "triton", "numba", "numpy", "pandas", "yaml", "pynvml", "scipy"):
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
    for key, bw in HBM_PEAK_GBPS.items():
        if key.lower() in name.lower():
            return bw
    return None


# ------------------------------------------------------------------------------------------------ config
def config(tiny: bool) -> dict:
    if tiny:
        return dict(
            op=dict(batch=2, channels=4, ns=[64, 128, 256], repeats=2, warmup=1, bwd_n=128, compiled_max=256),
            bk_s44=dict(seq=128, batch=2, steps=1, memory=True, overrides=dict(vocab_size=512, d_model=32, n_layers=2)),
            bk_t6=dict(seqs=[64, 128], steps=1, batch=2, vocab=512, d_model=32, n_layers=2),
            scta=dict(vs=[2000, 8000], batch=4, seq_len=32, steps=1, warmup=1, emb_dim=64, hidden=64, d_sem=32, K=16,
                      n_types=2048, cap_gb=8.0, methods=["ce:dense", "chunked:dense", "scta:dense", "scta:sparse"]),
        )
    return dict(
        op=dict(batch=8, channels=512, ns=[1024, 2048, 4096, 8192, 16384, 32768, 65536], repeats=5, warmup=2,
                bwd_n=8192, compiled_max=8192),
        bk_s44=dict(seq=4096, batch=2, steps=5, memory=True, overrides={}),
        bk_t6=dict(seqs=[512, 1024, 2048], steps=10, batch=2, vocab=50257, d_model=256, n_layers=4),
        scta=dict(vs=[50000, 200000, 1000000], batch=16, seq_len=64, steps=20, warmup=3, emb_dim=256, hidden=256,
                  d_sem=64, K=32, n_types=8192, cap_gb=8.0,
                  methods=["ce:dense", "chunked:dense", "scta:dense", "scta:sparse"]),
    )


class Run:
    """Output folder, recorders and the summary of one gpu_run invocation."""

    def __init__(self, profile: str, device):
        from paperlib.common import paths

        self.profile, self.device = profile, device
        self.root = paths.output_dir(profile)
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

    def table(self, df, name: str):
        path = self.folder / f"{name}.csv"
        df.to_csv(path, index=False, float_format="%.6g")
        self.tables.append(str(path))
        return path

    def record(self, notebook: str, result, evidence: str = "", detail: str = ""):
        """Record a rule's Verdict for `notebook` (with run details appended to its reason)."""
        from dataclasses import replace

        if detail:
            result = replace(result, reason=f"{result.reason}; {detail}")
        if self.ledger:
            from paperlib.companion.ledger import Recorder

            if notebook not in self.recorders:
                self.recorders[notebook] = Recorder(notebook=notebook, profile=self.profile)
            rec = self.recorders[notebook].record(result, evidence=evidence)
        else:
            rec = {"id": result.claim, "notebook": notebook, "profile": self.profile, "verdict": result.verdict,
                   "measured_value": result.measured, "reason": result.reason, "evidence": evidence}
            self.fallback_records.append(rec)
            (self.folder / "claims_records.json").write_text(json.dumps(self.fallback_records, indent=2, default=str))
        _log(f"  [{result.claim}] {rec['verdict']}: {rec['measured_value']}")
        return rec

    @property
    def device_label(self):
        from paperlib.common.measure import fingerprint

        return fingerprint()["device"]


# ----------------------------------------------------------------------------------------- section: op
def section_op(run: Run, cfg: dict):
    import pandas as pd
    import torch

    from paperlib.bk import core_compiled as bk_core_compiled, core_triton as bk_core_triton
    from paperlib.bk.core import bk_diag, resolve_method
    from paperlib.common.stats import fit_power_law
    from paperlib.common.measure import time_callable

    dev = run.device
    rows_n = cfg["batch"] * cfg["channels"]
    on_cuda = dev.type == "cuda"
    triton_ok = (bk_core_triton.self_check(dev, torch.float32) if on_cuda
                 else bk_core_triton.available() and bk_core_triton.interpreting())
    auto = resolve_method(dev, torch.float32)
    _log(f"  rows {rows_n} ({cfg['batch']} x {cfg['channels']}), auto -> {auto}, triton usable: {triton_ok}"
         + (f" {bk_core_triton.self_check_report()}" if on_cuda else " (Triton interpreter)" if triton_ok else ""))
    methods = (["triton"] if triton_ok else []) + ["scan"]
    g = torch.Generator().manual_seed(0)
    out, slow = [], set()
    for n in cfg["ns"]:
        v_cpu = (torch.randn(rows_n, n, generator=g) * 1.5).clamp(-3, 3)
        v = v_cpu.to(dev)
        cands = [(m, v) for m in methods]
        if bk_core_compiled.available() and n <= cfg["compiled_max"]:
            cands.append(("compiled", v_cpu))
        for m, x in cands:
            if m in slow:
                continue

            def fn(m=m, x=x):
                with torch.no_grad():
                    bk_diag(x, 1j, 1.0, causal=True, method=m, check_finite=False)

            row = dict(method=m, device=str(x.device), N=n, rows=rows_n, dtype="float32", status="ok")
            try:
                t = time_callable(fn, warmup=cfg["warmup"], repeats=cfg["repeats"])
                row.update(seconds=t.median, iqr=t.iqr, tokens_per_s=rows_n * n / t.median)
                # bytes: the op reads v (4 B) and writes G (8 B); the kernel itself reads d (8) + b2 (4), writes g (8)
                row.update(useful_GBps=rows_n * n * 12 / t.median / 1e9)
                if m == "triton":
                    row.update(kernel_GBps=rows_n * n * 20 / t.median / 1e9)
                if t.median * (cfg["warmup"] + cfg["repeats"]) > 60:
                    slow.add(m)  # the next N would not fit the time budget
            except Exception as exc:  # noqa: BLE001 - an OOM or a failing method becomes a row
                row.update(status="oom" if "out of memory" in str(exc).lower() else "error",
                           reason=f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}")
                slow.add(m)
                if on_cuda:
                    torch.cuda.empty_cache()
            out.append(row)
            _log(f"  {m:>9} N={n:>6}: {row.get('seconds', float('nan')) * 1e3:9.3f} ms  {row['status']}")
    df = pd.DataFrame(out)
    peak = None
    if on_cuda:
        name = torch.cuda.get_device_name()
        spec = _spec_peak_gbps(name)
        big = torch.empty(256 * 2**20, dtype=torch.float32, device=dev)
        t_copy = time_callable(lambda: big.clone(), warmup=2, repeats=5).median
        copy_gbps = 2 * big.numel() * 4 / t_copy / 1e9
        del big
        peak = dict(device=name, spec_GBps=spec, copy_GBps=copy_gbps)
        df["fraction_of_spec_peak"] = df.useful_GBps / spec if spec else math.nan
        df["fraction_of_copy_peak"] = df.useful_GBps / copy_gbps
    run.table(df, "bk_core_op_vs_n")
    fits = {}
    for m, s in df[df.status == "ok"].groupby("method"):
        s = s[s.N >= 4096] if (s.N >= 4096).sum() >= 2 else s
        if len(s) >= 2:
            fits[m] = fit_power_law(s.N, s.seconds)
            _log(f"  {m}: t ~ N^{fits[m]['exponent']:.2f} (R^2 {fits[m]['r2']:.3f}) over N = {list(s.N)}")
    # forward + backward at one N, and accuracy of the fast path against a float64 scan on a few rows
    extra = []
    n = cfg["bwd_n"]
    v0 = (torch.randn(rows_n, n, generator=g) * 1.5).clamp(-3, 3).to(dev)
    for m in methods:
        vv = v0.clone().requires_grad_()

        def fb(m=m, vv=vv):
            G = bk_diag(vv, 1j, 1.0, causal=True, method=m, check_finite=False)
            torch.autograd.grad(torch.view_as_real(G).sum(), vv)

        try:
            t = time_callable(fb, warmup=cfg["warmup"], repeats=cfg["repeats"])
            extra.append(dict(check="forward+backward", method=m, N=n, rows=rows_n, seconds=t.median, iqr=t.iqr))
        except Exception as exc:  # noqa: BLE001
            extra.append(dict(check="forward+backward", method=m, N=n, rows=rows_n, error=str(exc)[:160]))
    n_max = max(cfg["ns"])
    v_acc = (torch.randn(4, n_max, generator=g) * 1.5).clamp(-3, 3).to(dev)
    ref = bk_diag(v_acc.double(), 1j, 1.0, causal=True, method="scan")
    for m in methods:
        got = bk_diag(v_acc, 1j, 1.0, causal=True, method=m).to(torch.complex128)
        err = float(((got - ref).abs() / ref.abs()).max())
        extra.append(dict(check="max rel err vs float64 scan", method=m, N=n_max, rows=4, value=err))
    run.table(pd.DataFrame(extra), "bk_core_op_checks")
    return dict(auto=auto, triton_self_check=bk_core_triton.self_check_report(), fits=fits, peak=peak,
                checks=extra)


# --------------------------------------------------------------------------------------- section: bk_s44
def section_bk_s44(run: Run, cfg: dict):
    import pandas as pd

    from paperlib.bk import verdicts as bk_verdicts
    from paperlib.bk.bench import memory_table, train_throughput

    dev, seq, on_cuda = run.device, cfg["seq"], run.device.type == "cuda"
    over = {**cfg["overrides"], "seq_len": seq}
    models = (("resnet_bk", "s44_bk", {}), ("resnet_bk_scan", "s44_bk", {"bk_method": "scan"}),
              ("dense_attention", "s44_dense_attention", {}))
    res = {}
    for lab, name, extra in models:
        res[lab] = train_throughput(name, batch=cfg["batch"], seq_len=seq, steps=cfg["steps"], warmup=1,
                                    device=str(dev), seed=0, overrides={**over, **extra})
        _log(f"  {lab}: fwd {res[lab]['forward_s'] * 1e3:.1f} ms, {res[lab]['train_tokens_per_s']:.0f} tok/s")
    df = pd.DataFrame(res).T[["seq_len", "forward_s", "train_tokens_per_s", "step_s", "n_params"]]
    mem_ratio = float("nan")
    if cfg["memory"]:
        kw = dict(stage="train", seq_len=seq, batch=cfg["batch"], seed=0, overrides=over)
        mem = memory_table([dict(label="resnet_bk", name="s44_bk", **kw),
                            dict(label="dense_attention", name="s44_dense_attention", **kw)], str(dev))
        df["train_peak_mb"] = mem.set_index("label")["mem_mb"]
        df["memory_kind"] = mem.set_index("label")["memory_kind"]
        mem_ratio = float(df.loc["dense_attention", "train_peak_mb"] / df.loc["resnet_bk", "train_peak_mb"])
    run.table(df.reset_index().rename(columns={"index": "model"}), "bk_s44")
    fwd_ms = 1e3 * float(df.loc["resnet_bk", "forward_s"])
    tps = float(df.loc["resnet_bk", "train_tokens_per_s"])
    res = bk_verdicts.bk_s44_perf(fwd_ms, tps, mem_ratio, on_cuda=on_cuda, seq_len=seq)  # notebook 14's rule (a Verdict)
    from paperlib.bk.core import resolve_method

    run.record("14_bk_params_memory", res, evidence="gpu_run table bk_s44",
               detail=f"BK-Core method {resolve_method(dev, __import__('torch').float32)} "
               f"(scan: {df.loc['resnet_bk_scan', 'train_tokens_per_s']:.0f} tok/s); paper's dense/BK memory ratio 3.06")
    return dict(fwd_ms=fwd_ms, train_tokens_per_s=tps, mem_ratio=mem_ratio)


# ---------------------------------------------------------------------------------------- section: bk_t6
def section_bk_t6(run: Run, cfg: dict):
    import pandas as pd

    from paperlib.bk import verdicts as bk_verdicts
    from paperlib.bk.bench import train_throughput

    dev, on_cuda = run.device, run.device.type == "cuda"
    over = dict(vocab_size=cfg["vocab"], d_model=cfg["d_model"], n_layers=cfg["n_layers"])
    paper_size = (cfg["vocab"], cfg["d_model"], cfg["n_layers"]) == (50257, 256, 4)
    rows = []
    for lab, name in (("baseline", "table5_baseline"), ("phase1", "table5_phase1")):
        for T in cfg["seqs"]:
            r = train_throughput(name, batch=cfg["batch"], seq_len=T, steps=cfg["steps"], warmup=1, device=str(dev),
                                 seed=0, overrides={**over, "seq_len": T})
            rows.append({"model": lab, **r})
            _log(f"  {lab} T={T}: {r['train_tokens_per_s']:.0f} tok/s")
    t6 = pd.DataFrame(rows)
    run.table(t6, "bk_table6")
    piv = t6.pivot(index="seq_len", columns="model", values="train_tokens_per_s")
    ratio = piv["phase1"] / piv["baseline"]
    res = bk_verdicts.bk_t6_tput(float(ratio.mean()), on_cuda=on_cuda, paper_size=paper_size)  # notebook 15's rule
    from dataclasses import replace

    run.record("15_bk_throughput_scaling", replace(res, measured=f"{res.measured} at N={list(piv.index)}"),
               evidence="gpu_run table bk_table6", detail=f"vocab {cfg['vocab']}, d {cfg['d_model']}, "
               f"{cfg['n_layers']} layers, batch {cfg['batch']}")
    return dict(ratio=ratio.round(4).to_dict(), mean_ratio=float(ratio.mean()))


# ----------------------------------------------------------------------------------------- section: scta
PAPER_VS = [50000, 200000, 1000000]


def section_scta(run: Run, cfg: dict):
    import pandas as pd

    from paperlib.scta import bench as scta_bench, verdicts as scta_verdicts

    dev, on_cuda = run.device, run.device.type == "cuda"
    methods = scta_bench.parse_methods(cfg["methods"])
    common = dict(batch=cfg["batch"], seq_len=cfg["seq_len"], steps=cfg["steps"], warmup=cfg["warmup"], threads=0,
                  device=str(dev), seed=0, emb_dim=cfg["emb_dim"], hidden=cfg["hidden"], d_sem=cfg["d_sem"],
                  K=cfg["K"], n_types=cfg["n_types"])

    def sweep(vs, **extra):  # scta_bench.sweep without its progress bar (tqdm may be missing here)
        rows = []
        for V in vs:
            for m, sp in methods:
                r = scta_bench.bench_step(method=m, V=V, sparse=sp, **common, **extra)
                r["label"] = scta_bench.method_label(m, sp)
                rows.append(r)
                _log(f"  {r['label']:>24} V={V:>8}: {r['status']} {r.get('step_s', float('nan')) * 1e3:9.2f} ms"
                     + (f" {r['energy_j_per_step']:.3f} J/step" if r.get("energy_j_per_step") is not None else ""))
        return pd.DataFrame(rows)

    df = sweep(cfg["vs"])
    run.table(df, "scta_bench_rows")

    def step(label, V):
        return scta_bench.step_time(df, label, V)

    vs, vmax = cfg["vs"], max(cfg["vs"])
    ratios = [step("CE (full logits) dense", V) / step("SCTA dense", V) for V in vs]
    nb = "21_scta_speedup_vs_vocab"

    def record(result, evidence):  # a rule's Verdict (paperlib.scta.verdicts, notebook 21's rules)
        run.record(nb, result, evidence=evidence)

    for claim in ("SCTA-T1-SPEEDUP", "SCTA-T1-TPUT"):
        detail = f"{cfg['batch']}x{cfg['seq_len']} tokens/step, median of {cfg['steps']} steps"
        record(scta_verdicts.t1_speedup(dict(zip(vs, ratios)), on_cuda=on_cuda, claim=claim,
                                        device=run.device_label, detail=detail), "gpu_run table scta_bench_rows")
    # SCTA-1M-CONSUMER: the largest V under an emulated 8 GiB device
    am = {m: scta_bench.analytic_memory(m, max(PAPER_VS), batch=16, seq_len=64, emb_dim=cfg["emb_dim"],
                                        hidden=cfg["hidden"], d_sem=cfg["d_sem"], K=cfg["K"], chunk=128)["total_gib"]
          for m in ("ce", "chunked", "scta")}
    a_txt = (f"analytic at V={max(PAPER_VS):,}: CE {am['ce']:.1f} GiB, chunked CE {am['chunked']:.1f} GiB, "
             f"SCTA {am['scta']:.1f} GiB vs {cfg['cap_gb']:g} GiB (estimate)")
    frac = scta_bench.memory_cap_fraction(cfg["cap_gb"]) if on_cuda else None
    capped = pd.DataFrame()
    st = None
    if frac is not None:
        capped = sweep([vmax], mem_fraction=frac)
        run.table(capped, "scta_capped_8gb")
        st = dict(zip(capped["label"], capped["status"]))
    record(scta_verdicts.one_m_consumer(st, analytic=a_txt),
           "gpu_run table scta_capped_8gb" if st else "gpu_run table scta_bench_rows")
    # SCTA-ENERGY: NVML energy counter per step
    e_ratio = scta_bench.energy_ratio(df, vmax)
    t_ratio = step("CE (full logits) dense", vmax) / step("SCTA dense", vmax)
    record(scta_verdicts.energy(e_ratio, t_ratio, on_cuda=on_cuda, V=vmax), "gpu_run table scta_bench_rows")
    return dict(ce_over_scta=dict(zip(map(str, vs), ratios)), capped=len(capped) > 0)


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
    if bad or set(summary.get("sections", {})) != set(SECTIONS):
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

    return pipeline.restore_overview()   # notebook 00 quotes the ledger just published


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
    os.environ["PAPERLIB_OUTPUT"] = str(stage)
    os.environ["PAPERLIB_NOTEBOOK"] = PUBLISHED_AS
    inner = [a for a in (argv if argv is not None else sys.argv[1:]) if a not in ("--publish", "--allow-dirty")]
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
    run = Run("smoke" if args.tiny else "paper", device)
    _log(f"gpu_run: profile {run.profile}, device {fp['device']}, commit {fp.get('commit')}, output {run.folder}")
    if not run.ledger:
        _log("gpu_run: pyyaml missing -> claim records go to gpu_run/claims_records.json, not the ledger")
    cfg = config(args.tiny)
    summary = dict(versions=ver, profile=run.profile, commit=fp.get("commit"), output_root=str(run.root),
                   tiny=args.tiny, sections={})
    fns = dict(op=section_op, bk_s44=section_bk_s44, bk_t6=section_bk_t6, scta=section_scta)
    failed = 0
    for name in args.only or SECTIONS:
        if time.time() - t_start > args.budget_s:
            summary["sections"][name] = dict(status="skipped", reason=f"time budget of {args.budget_s:.0f} s spent")
            _log(f"== {name}: skipped (time budget of {args.budget_s:.0f} s spent)")
            continue
        _log(f"== {name}")
        t0 = time.time()
        try:
            result, status = fns[name](run, cfg[name]), "ok"
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
