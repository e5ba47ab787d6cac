"""The two Triton paths of the BK-Core recurrence side by side (issue 23, section 1): the per-row kernel
(:mod:`paperlib.bk.core_triton`, one serial lane per row) and the chunked kernel
(:mod:`paperlib.bk.core_triton_chunked`, the sequence split across the lanes of tiles), timed on the same inputs at
each (rows, N) of a sweep, forward and backward, with the achieved bandwidth against the device's peak and the
choice ``bk_diag(method="auto")`` makes for that shape beside, so that the first GPU slot settles which path is
faster where (``make gpu``'s op section, :func:`paperlib.bk.core_bench.op_sweep` with ``kernel_paths``).

What is timed is one recurrence (one direction: the causal op, half of the two-sided one) through the backends'
own entry points, ``recurrence_forward(d_r, b2, reverse=False)`` and ``recurrence_backward(g_r, b2, gout_r,
False)``, on prepared contiguous inputs (d_r real (R, N, 2), b2 (R, N-1)): the kernels alone, without bk_diag's
input preparation or the two-sided combination, whose traffic is the same for both paths.

Bytes moved per element (per step of one row), fp32 (4 B per real; a complex value is 8 B), as the kernel code
reads and writes them (each unique DRAM byte once; re-reads that hit a line loaded a step earlier are not counted):

* forward, per-row: read d (8 B) and b2 (4 B), write g (8 B): **20 B**.
* forward, chunked: phase 1 reads d and b2 (12 B) to build each chunk's transfer product; phase 3 reads them
  again (12 B) and writes g (8 B): **32 B** (d and b2 read twice). The per-chunk products and carries (8 + 2
  reals per chunk, written and read once) add 40/L B per element, under 1 B at the default L >= 64.
* backward, per-row: read the cotangent (8 B), g (8 B; g at the neighbouring step is the line just read) and b2
  (4 B); write gd (8 B) and gb2 (4 B): **about 32 B** (plus the 4 B zero-fill of gb2 by torch, not counted).
* backward, chunked: phase 1 reads g at the next step (8 B), b2 (4 B) and the cotangent (8 B): 20 B; phase 3
  reads the same 20 B again (g at the step itself and its predecessor are the same lines) and writes gd (8 B) and
  gb2 (4 B): 32 B; **about 52 B** in all.

A float64 element moves twice these bytes (:func:`bytes_per_element` scales by the element size).

Budget (`make gpu`, paper sweep: rows in {2, 8, 4096}, N in {1024, 4096, 16384, 65536}, 5 timed calls after
one warm-up per cell): compilation of the kernels' variants (per-row: BLOCK 16 and 32, forward and backward;
chunked: the tile kernel at L = 1024 for FINAL 0/1 and the carry kernel at BLOCK 16/32, forward and backward:
about 12 variants at 1-3 s) about 15-40 s; the calls themselves are bounded by the per-row kernel's serial chain,
at most ~65,536 dependent steps of ~0.1-0.3 us, i.e. ~7-20 ms forward and ~2x that backward per call, 12 shapes x
2 paths x 2 passes x 6 calls, under ~15 s; inputs of the largest shape (4096 x 64K: ~11 GB with the backward's)
are made on the device in well under a second. About 30-60 s in all, within the op section's share of the
8 minutes. Under ``--tiny`` (CPU, Triton's interpreter) the sweep is rows {2, 8} x N {16, 64}, one call each:
about 10-20 s (the interpreter runs a chunked tile program in ~0.1 s).
"""
from __future__ import annotations

import math

import pandas as pd
import torch

from paperlib.common.measure import time_callable

__all__ = ["BYTES_PER_ELEMENT_FP32", "PATHS", "PASSES", "SWEEPS", "REFERENCE_SMS", "bytes_per_element",
           "sweep_config", "paths_sweep", "paths_comparison", "paths_summary"]

PATHS = ("per-row", "chunked")
PASSES = ("forward", "backward")
BYTES_PER_ELEMENT_FP32 = {  # (path, pass) -> DRAM bytes per element of one recurrence (module docstring)
    ("per-row", "forward"): 20, ("chunked", "forward"): 32,
    ("per-row", "backward"): 32, ("chunked", "backward"): 52,
}
SWEEPS = {  # the sweep of make gpu (paper) and of its CPU rehearsal (tiny); budget in the module docstring
    "paper": dict(rows=(2, 8, 4096), ns=(1024, 4096, 16384, 65536), warmup=1, repeats=5),
    "tiny": dict(rows=(2, 8), ns=(16, 64), warmup=0, repeats=1),
}
REFERENCE_SMS = 132
"""The SM count the shape rule is evaluated at off CUDA (an H100 SXM's), so a CPU rehearsal shows the choice the
rule would make on the first lent GPU; on CUDA the device's own count is used."""
MEMORY_SHARE = 0.5  # a shape whose inputs and outputs exceed this share of free device memory is skipped


def bytes_per_element(path: str, pass_: str, dtype=torch.float32) -> float:
    """DRAM bytes one element of one recurrence moves on `path` in `pass_` (fp32 table scaled to `dtype`)."""
    item = torch.empty((), dtype=dtype).element_size()
    return BYTES_PER_ELEMENT_FP32[(path, pass_)] * item / 4


def sweep_config(profile: str) -> dict:
    """The sweep for `profile`: "paper" (make gpu) or "tiny" (the CPU rehearsal, also the smoke profile)."""
    return dict(SWEEPS["tiny" if profile in ("tiny", "smoke") else "paper"])


def _backend(path: str):
    from paperlib.bk import core_triton, core_triton_chunked

    return core_triton if path == "per-row" else core_triton_chunked


def _engine(path: str, device) -> tuple[str, str]:
    """(engine, reason not runnable or ''): how `path` runs on `device` here."""
    mod = _backend(path)
    try:
        mod.ensure_usable(device)
    except ValueError as exc:
        return "unavailable", str(exc)
    if torch.device(device).type == "cuda":
        return "triton", ""
    if mod.available() and mod.interpreting():
        return "triton interpreter", ""
    return "torch (core_chunked_ref)", ""  # the chunked path's CPU fallback


def _auto_choice(rows: int, n: int, device, v) -> str:
    """What bk_diag(method="auto") runs at this shape: on CUDA with Triton, the kernel it chose
    (paperlib.bk.core.triton_choice_report, after one call at this shape); else the method it resolves to."""
    from paperlib.bk.core import bk_diag, resolve_method, triton_choice_report

    method = resolve_method(device, v.dtype)
    if method != "triton":
        return method
    with torch.no_grad():
        bk_diag(v, 1j, 1.0, causal=True, method="auto", check_finite=False)
    kind = triton_choice_report().get((rows, n))
    return {"rows": "per-row", "chunked": "chunked"}.get(kind, str(kind))


def _sm_count(device) -> int:
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_properties(device).multi_processor_count
    return REFERENCE_SMS


def _inputs(rows, n, device, dtype, gen):
    """d_r (R, N, 2), b2 (R, N-1), v (R, N) as bk_diag prepares them for z = i, off = 1 + 0.3 N(0, 1)."""
    v = (torch.randn(rows, n, generator=gen) * 1.5).clamp(-3, 3).to(device=device, dtype=dtype)
    off = (1.0 + 0.3 * torch.randn(rows, max(n - 1, 0), generator=gen)).to(device=device, dtype=dtype)
    d = torch.complex(-2.0 + v, -torch.ones_like(v))
    return torch.view_as_real(d).contiguous(), (off * off).contiguous(), v


def _fits(rows, n, device, dtype) -> bool:
    device = torch.device(device)
    if device.type != "cuda":
        return True
    item = torch.empty((), dtype=dtype).element_size()
    need = rows * n * item * 12  # d, g, cotangent, gd (2 reals each), b2 and gb2: 10 reals; 2 of slack
    free, _ = torch.cuda.mem_get_info(device)
    return need <= MEMORY_SHARE * free


def paths_sweep(rows=(2, 8), ns=(16, 64), *, device="cpu", dtype=torch.float32, warmup=1, repeats=5,
                peak_GBps=None, peak_basis="", seed=0) -> pd.DataFrame:
    """Seconds per call of each path's forward and backward recurrence at every (rows, N); one row per
    (path, pass, rows, N) with: engine (triton / triton interpreter / torch fallback / unavailable), status
    ("ok", "skipped" with a reason), chunk L, seconds (median), iqr, bytes_per_element, achieved_GBps
    (= bytes_per_element x rows x N / seconds), fraction_of_peak (of `peak_GBps`, whose source `peak_basis`
    names; nan without one), auto_choice (what bk_diag auto runs at the shape), rule_choice
    (core_triton_chunked.choose_kernel at the device's SM count, or REFERENCE_SMS off CUDA) and sm_count."""
    from paperlib.bk import core_triton_chunked

    device = torch.device(device)
    gen = torch.Generator().manual_seed(seed)
    sms = _sm_count(device)
    engines = {p: _engine(p, device) for p in PATHS}
    out = []
    for r in rows:
        for n in ns:
            rule = "per-row" if core_triton_chunked.choose_kernel(r, n, sms) == "rows" else "chunked"
            base = dict(rows=int(r), N=int(n), sm_count=sms, rule_choice=rule,
                        chunk=core_triton_chunked.default_chunk(n))
            if not _fits(r, n, device, dtype):
                for p in PATHS:
                    for ps in PASSES:
                        out.append(dict(base, path=p, **{"pass": ps}, engine=engines[p][0], status="skipped",
                                        reason="exceeds the device memory share", auto_choice=""))
                continue
            d_r, b2, v = _inputs(r, n, device, dtype, gen)
            gout = torch.randn(d_r.shape, generator=gen).to(device=device, dtype=dtype)
            auto = _auto_choice(r, n, device, v)
            for p in PATHS:
                engine, why = engines[p]
                mod = _backend(p)
                g = mod.recurrence_forward(d_r, b2, False) if not why else None
                for ps in PASSES:
                    row = dict(base, path=p, **{"pass": ps}, engine=engine, auto_choice=auto,
                               bytes_per_element=bytes_per_element(p, ps, dtype))
                    if why:
                        out.append(dict(row, status="skipped", reason=why))
                        continue
                    if ps == "forward":
                        fn = (lambda: mod.recurrence_forward(d_r, b2, False))
                    else:
                        fn = (lambda: mod.recurrence_backward(g, b2, gout, False))
                    t = time_callable(fn, warmup=warmup, repeats=repeats)
                    gbps = row["bytes_per_element"] * r * n / t.median / 1e9
                    out.append(dict(row, status="ok", reason="", seconds=t.median, iqr=t.iqr, achieved_GBps=gbps,
                                    fraction_of_peak=gbps / peak_GBps if peak_GBps else math.nan))
                del g
            del d_r, b2, v, gout
            if device.type == "cuda":
                torch.cuda.empty_cache()
    cols = ["path", "pass", "rows", "N", "chunk", "engine", "status", "seconds", "iqr", "bytes_per_element",
            "achieved_GBps", "fraction_of_peak", "auto_choice", "rule_choice", "sm_count", "reason"]
    df = pd.DataFrame(out).reindex(columns=cols)
    df.attrs.update(peak_GBps=peak_GBps, peak_basis=peak_basis, device=str(device), dtype=str(dtype))
    return df


def paths_comparison(sweep: pd.DataFrame) -> pd.DataFrame:
    """One row per (pass, rows, N) measured on both paths: each path's seconds and fraction of peak, the faster
    path, the speed-up of the faster over the slower, and whether auto's choice (on CUDA) and the shape rule
    picked the faster one. Only rows whose engine is "triton" (a GPU) say anything about the GPU: the interpreter
    and the torch fallback time Python, not the kernels."""
    ok = sweep[sweep.status == "ok"]
    rows = []
    for (ps, r, n), g in ok.groupby(["pass", "rows", "N"], sort=False):
        by = g.set_index("path")
        if not set(PATHS) <= set(by.index):
            continue
        t = {p: float(by.loc[p, "seconds"]) for p in PATHS}
        fast = min(PATHS, key=lambda p: t[p])
        slow = max(PATHS, key=lambda p: t[p])
        auto = str(by["auto_choice"].iloc[0])
        rule = str(by["rule_choice"].iloc[0])
        eng = sorted(set(by["engine"]))
        rows.append({"pass": ps, "rows": int(r), "N": int(n), "engine": " / ".join(eng),
                     "per-row s": t["per-row"], "chunked s": t["chunked"],
                     "per-row of peak": float(by.loc["per-row", "fraction_of_peak"]),
                     "chunked of peak": float(by.loc["chunked", "fraction_of_peak"]),
                     "faster": fast, "speed-up": t[slow] / t[fast],
                     "auto choice": auto, "auto picked the faster": (auto == fast) if auto in PATHS else None,
                     "rule choice": rule, "rule picked the faster": rule == fast})
    return pd.DataFrame(rows)


def paths_summary(sweep: pd.DataFrame, comparison: pd.DataFrame) -> dict:
    """The JSON-friendly gist for the GPU run's summary: where each path was faster, the best fraction of peak
    per path and pass, and how often the rule picked the faster path."""
    ok = sweep[sweep.status == "ok"]
    best = {f"{p} {ps}": float(g.fraction_of_peak.max()) for (p, ps), g in ok.groupby(["path", "pass"])
            if g.fraction_of_peak.notna().any()}
    return dict(peak_GBps=sweep.attrs.get("peak_GBps"), peak_basis=sweep.attrs.get("peak_basis", ""),
                engines=sorted(set(sweep.engine)), measured=int(len(ok)), skipped=int((sweep.status != "ok").sum()),
                faster={f"{c['pass']} rows={c['rows']} N={c['N']}": c["faster"] for _, c in comparison.iterrows()},
                best_fraction_of_peak=best,
                rule_picked_faster=f"{int(comparison['rule picked the faster'].sum())}/{len(comparison)}"
                if len(comparison) else "0/0")
