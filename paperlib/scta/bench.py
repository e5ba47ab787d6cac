"""Speed and memory benchmark of the SCTA chapter: per-step time, tokens/s, examples/s and peak memory of every
output objective of `paperlib.scta` as the vocabulary V grows (`sweep`), interleaved paired CE/SCTA step-time
ratios (`paired_ratios`), and measured peak memory beside the analytic model (`memory_table`; the model itself is
`paperlib.scta.memory`); out-of-memory is an outcome row, not a crash.

The paper times 2 epochs of 20,000 examples (batch 16, sequence 64); we time a fixed token budget after warm-up
and also report the projected time of the paper's run (steps x median step time).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from paperlib.common.lm import batches as lm_batches
from paperlib.common.measure import is_oom, oom_reason, peak_rss_subprocess, time_callable
from paperlib.common.runtime import seed_everything
from paperlib.common.stats import fit_power_law
from paperlib.scta.data import zipf_ids
from paperlib.scta.memory import analytic_memory
from paperlib.scta.methods import CE_DENSE, SCTA_DENSE, method_label
from paperlib.scta.model import GRULM, SCTAConfig, make_optimizers, train_step
from paperlib.scta.paper import PAPER_EXAMPLES

def run_as_row(fn, **meta) -> dict:
    """Call fn() -> dict; an out-of-memory error becomes {"status": "oom", "reason": ...}; other errors propagate."""
    try:
        out = fn()
        return {**meta, "status": "ok", "reason": "", **out}
    except BaseException as exc:  # noqa: BLE001 - filtered right below
        if not is_oom(exc):
            raise
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        return {**meta, "status": "oom", "reason": oom_reason(exc)}


def _gpu_energy_j():
    """Cumulative GPU energy in joules from NVML when available, else None."""
    try:
        import pynvml  # noqa: PLC0415

        pynvml.nvmlInit()
        h = pynvml.nvmlDeviceGetHandleByIndex(torch.cuda.current_device())
        return pynvml.nvmlDeviceGetTotalEnergyConsumption(h) / 1000.0
    except Exception:  # noqa: BLE001 - energy is optional
        return None


def bench_step(method: str, V: int, batch: int = 16, seq_len: int = 64, steps: int = 5, warmup: int = 1,
               sparse: bool = False, threads: int = 1, device: str = "cpu", seed: int = 0,
               mem_fraction: float | None = None, emb_dim: int = 256, hidden: int = 256, d_sem: int = 64,
               K: int = 32, tau: float = 0.07, n_types: int = 8192, lr: float = 3e-4) -> dict:
    """Time `steps` training steps (after `warmup`) of one method at one V; return a result row (JSON-able).

    Data: a Zipf(1.1) token stream over min(V, n_types) ids (realistic id statistics; V is the output-space size).
    mem_fraction: cap the CUDA allocator (torch.cuda.set_per_process_memory_fraction) to emulate a smaller GPU.
    """

    if steps < 1 or warmup < 0:
        raise ValueError("steps must be >= 1 and warmup >= 0")
    g = seed_everything(seed)
    if device == "cpu" and threads:
        torch.set_num_threads(threads)
    dev = torch.device(device)
    meta = {"method": method, "V": V, "sparse": sparse, "batch": batch, "seq_len": seq_len, "device": device,
            "mem_fraction": mem_fraction}
    if dev.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(dev)
        if mem_fraction is not None:
            torch.cuda.set_per_process_memory_fraction(mem_fraction, dev)

    def body():
        ids = zipf_ids(max(batch * (seq_len + 1) * 4, 20_000), min(V, n_types), g)
        cfg = SCTAConfig(V=V, method=method, emb_dim=emb_dim, hidden=hidden, d_sem=d_sem, K=K, tau=tau,
                         sparse=sparse)
        model = GRULM(cfg).to(dev)
        if hasattr(model, "sampler"):
            model.sampler.to(dev)
        opts = make_optimizers(model, lr)
        gen = torch.Generator(device=dev).manual_seed(seed) if dev.type == "cuda" else g
        it = lm_batches(ids, batch, seq_len, g, device=dev)
        losses = []
        step = lambda xy: losses.append(train_step(model, opts, *xy, generator=gen))  # noqa: E731
        for _ in range(warmup):
            step(next(it))
        _sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
        _sync()
        e0 = _gpu_energy_j() if dev.type == "cuda" else None
        # the next batch is fetched untimed; each step is timed with a CUDA sync (common.measure)
        timing = time_callable(step, setup=lambda: next(it), warmup=0, repeats=steps, sync_cuda=dev.type == "cuda")
        times, loss = timing.times, losses[-1]
        e1 = _gpu_energy_j() if dev.type == "cuda" else None
        step_s = timing.median
        out = {"step_s": step_s, "step_s_min": min(times), "total_s": sum(times), "loss": loss,
               "tokens_per_s": batch * seq_len / step_s, "examples_per_s": batch / step_s,
               "paper_run_s": step_s * PAPER_EXAMPLES / batch,
               "energy_j_per_step": (e1 - e0) / steps if (e0 is not None and e1 is not None) else None}
        if dev.type == "cuda":
            out["peak_mem_mb"] = torch.cuda.max_memory_allocated(dev) / 2 ** 20
        return out

    try:
        return run_as_row(body, **meta)
    finally:
        if dev.type == "cuda" and mem_fraction is not None:
            torch.cuda.set_per_process_memory_fraction(1.0, dev)


def paired_ratios(V: int, methods: list[tuple[str, bool]], *, baseline: tuple[str, bool] = ("ce", False),
                  batch: int = 16, seq_len: int = 64, steps: int = 3, repeats: int = 5, warmup: int = 1,
                  threads: int = 1, device: str = "cpu", seed: int = 0, emb_dim: int = 256, hidden: int = 256,
                  d_sem: int = 64, K: int = 32, tau: float = 0.07, n_types: int = 8192, lr: float = 3e-4):
    """Interleaved per-step times of `baseline` and `methods` at one V: every method is built once and warmed up,
    then each of `repeats` rounds times `steps` training steps of every method in turn (the order rotates
    between rounds), so slow drifts of the machine hit all methods alike. A round's step time is the fastest of
    its `steps` steps (same shapes every step; interference from other processes only ever adds time). Returns
    (rows, ratios): one row per (round, method) with that time and the round's median, and
    {label: [baseline time / method time per round]}.
    """

    if steps < 1 or repeats < 1 or warmup < 0:
        raise ValueError("steps and repeats must be >= 1 and warmup >= 0")
    if device == "cpu" and threads:
        torch.set_num_threads(threads)
    dev = torch.device(device)
    runs = []
    for m, sp in [baseline] + [ms for ms in methods if ms != baseline]:
        g = seed_everything(seed)
        ids = zipf_ids(max(batch * (seq_len + 1) * 4, 20_000), min(V, n_types), g)
        model = GRULM(SCTAConfig(V=V, method=m, emb_dim=emb_dim, hidden=hidden, d_sem=d_sem, K=K, tau=tau,
                                 sparse=sp)).to(dev)
        if hasattr(model, "sampler"):
            model.sampler.to(dev)
        opts = make_optimizers(model, lr)
        gen = torch.Generator(device=dev).manual_seed(seed) if dev.type == "cuda" else g
        it = lm_batches(ids, batch, seq_len, g, device=dev)
        step = (lambda model, opts, gen: lambda xy: train_step(model, opts, *xy, generator=gen))(model, opts, gen)
        for _ in range(warmup):
            step(next(it))
        runs.append((method_label(m, sp), step, it))
    rows = []
    for r in range(repeats):
        k = r % len(runs)
        for label, step, it in runs[k:] + runs[:k]:
            t = time_callable(step, setup=(lambda it=it: next(it)), warmup=0, repeats=steps,
                              sync_cuda=dev.type == "cuda")
            rows.append({"V": V, "round": r, "label": label, "step_s": t.min, "step_s_median": t.median,
                         "batch": batch, "seq_len": seq_len})
    base = method_label(*baseline)
    t_base = {row["round"]: row["step_s"] for row in rows if row["label"] == base}
    ratios = {label: [t_base[row["round"]] / row["step_s"] for row in rows if row["label"] == label]
              for label, _, _ in runs[1:]}
    return rows, ratios


def bench_in_fresh_process(**kwargs) -> dict:
    """bench_step in a fresh Python process: the row plus the process's peak RSS (CPU memory) in MiB."""

    r = peak_rss_subprocess("paperlib.scta.bench:bench_step", kwargs)
    row = dict(r["result"]) if r.get("result") else {"method": kwargs.get("method"), "V": kwargs.get("V"),
                                                      "sparse": kwargs.get("sparse", False),
                                                      "status": r.get("status"), "reason": r.get("reason")}
    row["peak_rss_mb"] = r.get("peak_rss_mb")
    row["baseline_rss_mb"] = r.get("baseline_rss_mb")
    return row


def sweep(methods: list[tuple[str, bool]], Vs: list[int], fresh_process: bool = False, progress_desc=None,
          **kwargs):
    """Rows for every (method, sparse) x V; a pandas DataFrame."""
    from paperlib.common.progress import progress

    jobs = [(m, sp, V) for V in Vs for (m, sp) in methods]
    rows = []
    for m, sp, V in progress(jobs, desc=progress_desc or "scta sweep", total=len(jobs)):
        if fresh_process:
            rows.append(bench_in_fresh_process(method=m, V=V, sparse=sp, **kwargs))
        else:
            rows.append(bench_step(method=m, V=V, sparse=sp, **kwargs))
    df = pd.DataFrame(rows)
    df["label"] = [method_label(m, sp) for m, sp in zip(df["method"], df["sparse"])]
    return df


def scaling_exponent(Vs, values) -> float:
    """Slope of log(value) against log(V) (least squares): cost ~ V^slope."""
    y = np.asarray(values, float)
    if len(y) < 2 or not np.all(np.isfinite(y)):
        return float("nan")
    return fit_power_law(Vs, y)["exponent"]


def speedup_table(df, baseline: str = CE_DENSE):
    """Per V: speedup of each method over `baseline` (baseline step time / method step time); NaN where either
    is missing or failed; 'inf' where only the baseline failed (the paper's "infinite")."""
    rows = []
    for V, sub in df.groupby("V"):
        base = sub[sub["label"] == baseline]
        b_ok = len(base) and base["status"].iloc[0] == "ok"
        for _, r in sub.iterrows():
            if r["status"] != "ok":
                s = float("nan")
            elif b_ok:
                s = float(base["step_s"].iloc[0]) / float(r["step_s"])
            else:
                s = math.inf
            rows.append({"V": V, "label": r["label"], "speedup_vs_ce": s})
    return pd.DataFrame(rows)


def step_time(df, label: str, V: int) -> float:
    """Per-step seconds of the successful sweep row (label, V); nan when that run failed or is missing."""
    s = df[(df.label == label) & (df.V == V) & (df.status == "ok")]
    return float(s["step_s"].iloc[0]) if len(s) else math.nan


def memory_table(methods, *, device_type: str, V=None, results=None, bench_kwargs=None, batch: int, seq_len: int,
                 emb_dim: int, hidden: int, d_sem: int, K: int) -> pd.DataFrame:
    """Measured peak training memory beside the analytic estimate (MiB), one row per method.

    CPU: one fresh process per (method, sparse) at vocabulary V, peak RSS above the post-import baseline
    (bench_in_fresh_process with `bench_kwargs`, one step). CUDA: the allocator peaks already measured in the
    sweep's `results`. Other devices, or no V on CPU: an empty table."""
    shape = dict(batch=batch, seq_len=seq_len, emb_dim=emb_dim, hidden=hidden, d_sem=d_sem, K=K)
    rows = []
    if device_type == "cpu" and V:
        for m, sp in methods:
            r = bench_in_fresh_process(method=m, V=V, sparse=sp, **{**(bench_kwargs or {}), "steps": 1})
            a = analytic_memory(m, V, sparse=sp, **shape)
            rows.append({"label": method_label(m, sp), "V": V, "status": r["status"],
                         "measured_mib": (r["peak_rss_mb"] - r["baseline_rss_mb"]) if r["peak_rss_mb"] else None,
                         "analytic_mib": a["total_gib"] * 1024})
    elif device_type == "cuda" and results is not None:
        for _, r in results.iterrows():
            a = analytic_memory(r["method"], int(r["V"]), sparse=bool(r["sparse"]), **shape)
            rows.append({"label": r["label"], "V": r["V"], "status": r["status"],
                         "measured_mib": r.get("peak_mem_mb"), "analytic_mib": a["total_gib"] * 1024})
    return pd.DataFrame(rows)


def energy_ratio(df, V: int) -> float | None:
    """CE/SCTA (dense) energy per step at V from the sweep's NVML readings; None when either is missing."""
    if "energy_j_per_step" not in df:
        return None
    e = df.set_index(["label", "V"])["energy_j_per_step"]
    e_ce, e_sem = e.get((CE_DENSE, V)), e.get((SCTA_DENSE, V))
    if e_ce is None or e_sem is None or pd.isna(e_ce) or pd.isna(e_sem) or not e_sem > 0:
        return None
    return float(e_ce / e_sem)
