"""The SCTA chapter's claim-deciding measurement of Table 1 (notebook 21 and the GPU run call the same function):
per-step speed of every objective as V grows, interleaved paired CE/SCTA-dense ratios, the run under the emulated
consumer-GPU memory cap, the analytic memory at the paper's configuration and the energy ratio, with the Verdicts
of SCTA-SCALE, SCTA-T1-SPEEDUP, SCTA-T1-TPUT, SCTA-1M-CONSUMER and SCTA-ENERGY and their evidence text."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from paperlib.common.measure import fingerprint
from paperlib.common.stats import ratio_summary
from paperlib.common.verdicts import Measurement
from paperlib.scta import bench, verdicts
from paperlib.scta.memory import analytic_memory_table, memory_cap_fraction
from paperlib.scta.methods import CE_DENSE, SCTA_DENSE, method_label, parse_methods, vocab_text
from paperlib.scta.paper import PAPER_BATCH, PAPER_SEQ_LEN, PAPER_VS

__all__ = ["CHUNKED_UNDER_CAP", "SPARSE_FLOOR_TARGET", "TABLE1_CLAIMS", "performance_targets", "table1_claims"]

TABLE1_CLAIMS = ("SCTA-SCALE", "SCTA-T1-SPEEDUP", "SCTA-T1-TPUT", "SCTA-1M-CONSUMER", "SCTA-ENERGY")
# Performance targets of the companion (not claims of the paper): SCTA with sparse tables per step within this
# factor of the no-head floor at the largest V; chunked CE under the cap at the paper's 1M where full CE is not.
SPARSE_FLOOR_TARGET = 1.5
CHUNKED_UNDER_CAP = "chunked CE under the cap at the paper's largest V (analytic) where full CE is not"
_CAPPED_METHODS = ("ce", "chunked", "scta")  # re-run under the memory cap


def _at_paper_vmax(paper_mem: pd.DataFrame) -> pd.Series:
    """The analytic total (GiB) of every method at the paper's largest V, by label."""
    return paper_mem[paper_mem.V == max(PAPER_VS)].set_index("label")["total_gib"]


def _analytic_gib(paper_mem: pd.DataFrame) -> dict:
    """{"CE": GiB, "SCTA": GiB} of full CE and SCTA (dense) at the paper's largest V, what decides 1M-CONSUMER."""
    at = _at_paper_vmax(paper_mem)
    return {short: float(at[lab]) for lab, short in ((CE_DENSE, "CE"), (SCTA_DENSE, "SCTA")) if lab in at.index}


def _analytic_text(paper_mem: pd.DataFrame, cap_gb: float) -> str:
    """The analytic totals at the paper's largest V (CE, chunked CE, SCTA dense), the evidence beside 1M-CONSUMER."""
    at = _at_paper_vmax(paper_mem)
    names = {CE_DENSE: "CE", method_label("chunked", False): "chunked CE", SCTA_DENSE: "SCTA"}
    if not set(names) <= set(at.index):
        return "analytic n/a"
    parts = ", ".join(f"{short} {float(at[lab]):.1f} GiB" for lab, short in names.items())
    return f"analytic at V={max(PAPER_VS):,}: {parts} vs {cap_gb:g} GiB (estimate, fp32 + Adam)"


def performance_targets(df: pd.DataFrame, paper_mem: pd.DataFrame, cap_gb: float) -> list[str]:
    """The chapter's two performance targets as lines 'target ...: value (met|missed; target ...)'."""
    Vmax = int(df["V"].max())
    ratio = (bench.step_time(df, method_label("scta", True), Vmax)
             / bench.step_time(df, method_label("none", True), Vmax))
    outcome = "not measured" if math.isnan(ratio) else "met" if ratio <= SPARSE_FLOOR_TARGET else "missed"
    lines = [f"target 1: SCTA sparse step / floor at V={Vmax:,}: {ratio:.2f}x ({outcome}; target <= "
             f"{SPARSE_FLOOR_TARGET}x)"]
    at = _at_paper_vmax(paper_mem)
    ch, ce = method_label("chunked", False), CE_DENSE
    if ch in at.index and ce in at.index:
        met = float(at[ch]) < cap_gb <= float(at[ce])
        lines.append(f"target 2 (analytic, labelled estimate): chunked CE at V={max(PAPER_VS):,}: {float(at[ch]):.2f} "
                     f"GiB, full CE {float(at[ce]):.2f} GiB vs {cap_gb:g} GiB: {'met' if met else 'missed'} "
                     f"({CHUNKED_UNDER_CAP})")
    return lines


def _device_label(device) -> str:
    fp = fingerprint()["device"]
    return fp if fp.split(":")[0] == device.type else str(device)


SHAPE_KEYS = ("emb_dim", "hidden", "d_sem", "K", "n_types")


def sweep_setup(P: Mapping[str, Any], device) -> tuple[list[tuple[str, bool]], dict]:
    """(methods, bench kwargs) of notebook 21's sweep from its parameters: what table1_claims times, and what
    the chapter's measured-memory table re-runs in fresh processes (one definition, so the two cannot drift)."""
    common = dict(batch=P["BATCH"], seq_len=P["SEQ_LEN"], steps=P["STEPS"], warmup=P["WARMUP"],
                  threads=P["THREADS"], device=str(device), seed=P["SEED"], emb_dim=P["EMB_DIM"],
                  hidden=P["HIDDEN"], d_sem=P["D_SEM"], K=P["K"], n_types=P["N_TYPES"])
    return parse_methods(P["METHODS"]), common


def table1_claims(P: Mapping[str, Any], *, device) -> Measurement:
    """Run notebook 21's measurement from its parameters P (VS, METHODS, BATCH, SEQ_LEN, STEPS, WARMUP, THREADS,
    EMB_DIM, HIDDEN, D_SEM, K, N_TYPES, SEED, CHUNK, CAP_GB, RATIO_VS, RATIO_BATCH, RATIO_SEQ, RATIO_STEPS,
    RATIO_REPEATS) on `device` and decide Table 1's claims.

    * SCTA-SCALE, SCTA-T1-TPUT (directions: decided on any device) and SCTA-T1-SPEEDUP (GPU numbers: pending
      on CPU): interleaved paired CE/SCTA-dense step-time ratios (`bench.paired_ratios`, RATIO_* shape; the plain
      sweep's ratio moves by 20% and more between runs).
    * SCTA-1M-CONSUMER: statuses of CE, chunked CE and SCTA at max(VS) under a CUDA memory cap of CAP_GB; without
      CUDA, decided on the analytic tensor bytes at the paper's configuration.
    * SCTA-ENERGY: the sweep's NVML energy ratio CE/SCTA-dense at max(VS) against its step-time ratio.

    Tables: scta_bench_rows (the sweep of every METHODS x VS), scta_speedup_vs_vocab (speedups over CE, per V),
    scta_speedup_paired (one row per round and method), scta_speedup_paired_summary (ratio_summary per V),
    scta_memory_analytic_paper_config, and scta_capped_8gb on CUDA. Notes: device label, targets, exponents.
    """
    dev_type = device.type
    on_cuda = dev_type == "cuda"
    label = _device_label(device)
    methods, common = sweep_setup(P, device)
    VS, RATIO_VS = [int(V) for V in P["VS"]], [int(V) for V in P["RATIO_VS"]]
    shape = {k: common[k] for k in SHAPE_KEYS}

    # the sweep: every objective at every V (per-step time, tokens/s, NVML energy, allocator peak on CUDA)
    df = bench.sweep(methods, VS, progress_desc="speed sweep", **common)
    spd = bench.speedup_table(df).pivot(index="V", columns="label", values="speedup_vs_ce").reset_index()
    ok = df[df.status == "ok"]
    exps = {lab: bench.scaling_exponent(s["V"], s["step_s"]) for lab, s in ok.groupby("label") if len(s) > 1}

    # the paired ratios that decide SCALE and T1
    paired_rows, paired = [], {}
    for V in RATIO_VS:
        rows_V, ratios_V = bench.paired_ratios(V, [("scta", False)], batch=P["RATIO_BATCH"], seq_len=P["RATIO_SEQ"],
                                               steps=P["RATIO_STEPS"], repeats=P["RATIO_REPEATS"],
                                               warmup=P["WARMUP"], threads=P["THREADS"], device=str(device),
                                               seed=P["SEED"], **shape)
        paired_rows += rows_V
        paired[V] = ratios_V[SCTA_DENSE]
    paired_sum = pd.DataFrame([{"V": V, **ratio_summary(r)} for V, r in paired.items()])
    medians = paired_sum.set_index("V")["median"].to_dict()

    # the analytic memory at the paper's configuration, and the capped run on CUDA
    paper_mem = analytic_memory_table(PAPER_VS, methods, chunk=P["CHUNK"], batch=PAPER_BATCH, seq_len=PAPER_SEQ_LEN,
                                      emb_dim=P["EMB_DIM"], hidden=P["HIDDEN"], d_sem=P["D_SEM"], K=P["K"])
    tables = {"scta_bench_rows": df, "scta_speedup_vs_vocab": spd, "scta_speedup_paired": pd.DataFrame(paired_rows),
              "scta_speedup_paired_summary": paired_sum, "scta_memory_analytic_paper_config": paper_mem}
    frac = memory_cap_fraction(P["CAP_GB"]) if on_cuda else None
    statuses = None
    if frac is not None:
        capped = bench.sweep([m for m in methods if m[0] in _CAPPED_METHODS], [max(VS)], progress_desc="memory cap",
                             mem_fraction=frac, **common)
        tables["scta_capped_8gb"] = capped
        statuses = dict(zip(capped["label"], capped["status"]))

    # the rules, and each claim's evidence, built once
    run_shape = f"{P['RATIO_BATCH']}x{P['RATIO_SEQ']} tokens/step, {dev_type}"
    sp_sparse = [bench.step_time(df, CE_DENSE, V) / bench.step_time(df, method_label("scta", True), V) for V in VS]
    detail = (f"median of {P['RATIO_REPEATS']} side-by-side rounds at {run_shape}; sweep at {P['BATCH']}x"
              f"{P['SEQ_LEN']}: SCTA sparse " + " / ".join(f"{x:.2f}x" for x in sp_sparse) + f" at V={vocab_text(VS)}")
    Vmax = max(VS)
    t_ratio = bench.step_time(df, CE_DENSE, Vmax) / bench.step_time(df, SCTA_DENSE, Vmax)
    found = [
        (verdicts.scta_scale(paired, shape=run_shape), "table scta_speedup_paired; figure scta_speedup_vs_vocab"),
        (verdicts.t1_speedup(medians, on_cuda=on_cuda, device=label, detail=detail),
         "figure scta_speedup_vs_vocab; table scta_speedup_paired; table scta_bench_rows"),
        (verdicts.t1_throughput(paired, shape=run_shape),
         "figure scta_speedup_vs_vocab; table scta_speedup_paired_summary"),
        (verdicts.one_m_consumer(statuses, analytic=_analytic_text(paper_mem, P["CAP_GB"]),
                                 gib=_analytic_gib(paper_mem), cap_gb=P["CAP_GB"]),
         "table scta_capped_8gb; figure scta_memory_vs_vocab" if statuses
         else "figure scta_memory_vs_vocab; table scta_memory_analytic_paper_config"),
        # the time ratio beside the energy ratio: the step times of CE and SCTA dense (the figure's left panel)
        (verdicts.energy(bench.energy_ratio(df, Vmax), t_ratio, on_cuda=on_cuda, V=Vmax),
         "figure scta_speedup_vs_vocab; table scta_bench_rows"),
    ]
    notes = {"device": label, "step_exponents": exps, "targets": performance_targets(df, paper_mem, P["CAP_GB"]),
             "time_ratio_at_vmax": t_ratio if math.isfinite(t_ratio) else None}
    return Measurement(tables=tables, verdicts=[v for v, _ in found], evidence={v.claim: e for v, e in found},
                       notes=notes)
