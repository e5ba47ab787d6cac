"""Checks and measurements of the BK-Core op for notebook 13 and the GPU run: exactness against the float64
oracles of :mod:`paperlib.bk.core_ref`, stability to N = 32768, gradients, the speed sweep and its scaling fit
(:func:`op_sweep`, one function for the notebook and ``gpu_run``), achieved bandwidth on CUDA, and the yardstick
comparison with the plain C loop. (The oracles import scipy where they need it, so the timing helpers also run
where scipy is missing.)"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd
import torch

from paperlib.bk.core import bk_diag, bk_diag_theta_naive, resolve_method
from paperlib.bk.core_ref import CASES, c_reference, make_case, max_elementwise_rel, oracle_causal, oracle_two_sided
from paperlib.common.measure import time_callable
from paperlib.common.runtime import on_cuda
from paperlib.common.stats import fit_power_law, fit_power_law_above, quartiles
from paperlib.common.verdicts import Measurement

__all__ = [
    "exactness_table",
    "exactness_summary",
    "stability_summary",
    "stability_table",
    "stability_worst",
    "NOMINAL_ORDER",
    "scaling_exponents",
    "guide_line",
    "gradient_check",
    "theta_growth",
    "speed_sweep",
    "power_law_fits",
    "op_sweep",
    "local_slopes",
    "device_check",
    "copy_peak_GBps",
    "cuda_bandwidth",
    "default_methods",
    "c_loop_comparison",
]


def default_methods(base=("scan", "sequential", "dense")):
    """`base` plus "compiled" when numba is available (the CPU loop path of bk_diag)."""
    from paperlib.bk import core_compiled as bk_core_compiled

    return tuple(base) + (("compiled",) if bk_core_compiled.available() and "compiled" not in base else ())


def exactness_table(ns=(64, 512), cases=CASES, methods=None, dense_max=256,
                    causal_oracle_max=512, dense_causal_max=128, seed=0):
    """Max relative error of each method (float64; default :func:`default_methods`) vs the scipy banded
    complex128 oracle. The dense method runs up to dense_max (two-sided, O(N^3)) and dense_causal_max (causal,
    O(N^4)); the causal oracle up to causal_oracle_max (O(N^2)). Missing entries are nan."""
    methods = default_methods() if methods is None else methods
    rows = []
    for n in ns:
        for kind in cases:
            v, off, z = make_case(kind, n, seed)
            ref2 = oracle_two_sided(v, off, z)
            refc = oracle_causal(v, off, z) if n <= causal_oracle_max else None
            for method in methods:
                if method == "dense" and n > dense_max:
                    continue
                vt, ot = torch.tensor(v), torch.tensor(off)
                e2 = max_elementwise_rel(bk_diag(vt, z, ot, causal=False, method=method), ref2)
                ec = float("nan")
                if refc is not None and not (method == "dense" and n > dense_causal_max):
                    ec = max_elementwise_rel(bk_diag(vt, z, ot, causal=True, method=method), refc)
                rows.append(dict(N=n, case=kind, method=method, rel_err_two_sided=e2, rel_err_causal=ec))
    return pd.DataFrame(rows)


EXACT_WELL_REL = 1e-10  # exactness bound vs the float64 oracle, well-conditioned cases (max relative error)
EXACT_NEAR_REL = 1e-8   # ... and with z within 1e-4 of the spectrum (near_spectrum case)
C_LOOP_TARGET = 2.0     # bk_diag(method="auto") should be within this factor of the plain C loop (an engineering goal)


def exactness_summary(exact: pd.DataFrame) -> dict:
    """Worst relative error of :func:`exactness_table` over the well-conditioned cases and the near-spectrum case,
    and whether both are within their bounds (EXACT_WELL_REL, EXACT_NEAR_REL): the ``exact_ok`` of BK-STAB-32K."""
    cols = ["rel_err_two_sided", "rel_err_causal"]
    well = float(exact[exact.case != "near_spectrum"][cols].max().max())
    near = float(exact[exact.case == "near_spectrum"][cols].max().max())
    return dict(worst_well=well, worst_near=near, ok=bool(well < EXACT_WELL_REL and near < EXACT_NEAR_REL))


def stability_summary(stab: pd.DataFrame) -> dict:
    """From :func:`stability_table` rows (any number of seeds): at the largest N, whether every scan output is
    finite and the worst scan error per dtype; and the smallest N where the naive theta/phi products broke."""
    n_max = int(stab.N.max())
    at_max = stab[(stab.N == n_max) & (stab.method == "scan")]
    naive = stab[stab.method == "naive-theta"]
    broken = naive[naive.finite_frac < 1.0].N
    return dict(n_max=n_max, scan_finite=bool((at_max.finite_frac == 1.0).all()),
                err64=float(at_max[at_max.dtype == "float64"].max_rel_err.max()),
                err32=float(at_max[at_max.dtype == "float32"].max_rel_err.max()),
                naive_broken_n=int(broken.min()) if len(broken) else None)


def stability_worst(stab: pd.DataFrame) -> pd.DataFrame:
    """One row per N of a :func:`stability_table` (any number of seeds, both variants): the worst case a reader
    needs, i.e. the smallest finite share and the largest relative error of the naive theta/phi products (float64)
    and of the scan per dtype, over seeds and variants. Values are the table's own, only reduced."""
    rows = []
    for n, g in stab.groupby("N", sort=True):
        naive, scan = g[g.method == "naive-theta"], g[g.method == "scan"]
        rows.append({"N": int(n),
                     "naive theta/phi f64: finite share": float(naive.finite_frac.min()) if len(naive) else math.nan,
                     "naive theta/phi f64: max rel err": float(naive.max_rel_err.max()) if len(naive) else math.nan,
                     "scan: finite share": float(scan.finite_frac.min()),
                     "scan f64: max rel err": float(scan[scan.dtype == "float64"].max_rel_err.max()),
                     "scan f32: max rel err": float(scan[scan.dtype == "float32"].max_rel_err.max())})
    return pd.DataFrame(rows)


def stability_table(ns=(256, 1024, 4096, 32768), seed=0, n_rows=8, naive_max=32768):
    """For each N: finite fraction and max relative error (vs the float64 banded oracle at n_rows sampled
    rows) of the naive theta/phi products (float64) and of the scan in float32 and float64; z = i,
    v in the model's clamp(+-3) range, off = 1 + 0.3 N(0,1). Both variants."""
    out = []
    for n in ns:
        v, off, z = make_case("random", n, seed)
        rows = sorted(set(np.linspace(0, n - 1, n_rows).round().astype(int).tolist()))
        for causal in (False, True):
            ref = oracle_causal(v, off, z, rows=rows) if causal else oracle_two_sided(v, off, z, rows=rows)
            variants = [("scan", torch.float32), ("scan", torch.float64)]
            if n <= naive_max:
                variants.insert(0, ("naive-theta", torch.float64))
            for name, dt in variants:
                vt, ot = torch.tensor(v, dtype=dt), torch.tensor(off, dtype=dt)
                if name == "naive-theta":
                    with torch.no_grad():
                        g = bk_diag_theta_naive(vt, z, ot, causal=causal)
                else:
                    g = bk_diag(vt, z, ot, causal=causal, method="scan")
                fin = torch.isfinite(torch.view_as_real(g)).all(-1)
                sel = g[rows]
                err = max_elementwise_rel(sel, ref) if bool(torch.isfinite(torch.view_as_real(sel)).all()) else float("inf")
                out.append(dict(N=n, variant="causal" if causal else "two-sided", method=name,
                                dtype=str(dt).replace("torch.", ""), finite_frac=float(fin.double().mean()),
                                max_rel_err=err))
    return pd.DataFrame(out)


def gradient_check(n=10, seed=0):
    """gradcheck (float64) for v and off, both variants, scan, sequential (and compiled); and the max deviation of the
    autograd Jacobian dG_ii/dv_j from the closed form -G_ij G_ji (two-sided, numpy inverse)."""
    g = torch.Generator().manual_seed(seed)
    rows = []
    z = 0.3 + 0.8j
    for method in default_methods(("scan", "sequential")):
        for causal in (False, True):
            v = torch.randn(2, n, dtype=torch.float64, generator=g).requires_grad_()
            off = (torch.rand(2, n - 1, dtype=torch.float64, generator=g) + 0.3).requires_grad_()
            ok = torch.autograd.gradcheck(lambda a, b: bk_diag(a, z, b, causal=causal, method=method), (v, off),
                                          raise_exception=False)
            rows.append(dict(check="gradcheck(v, off)", method=method,
                             variant="causal" if causal else "two-sided", passed=bool(ok), max_abs_dev=float("nan")))
    v = torch.randn(n, dtype=torch.float64, generator=g).requires_grad_()
    off = torch.rand(n - 1, dtype=torch.float64, generator=g) + 0.3
    jac = torch.autograd.functional.jacobian(lambda a: torch.view_as_real(bk_diag(a, z, off, causal=False)), v)
    jac = (jac[:, 0, :] + 1j * jac[:, 1, :]).numpy()  # (i, j) = dG_ii/dv_j
    Ginv = np.linalg.inv(np.diag(-2.0 + v.detach().numpy() - z) + np.diag(off.numpy(), 1) + np.diag(off.numpy(), -1))
    dev = float(np.max(np.abs(jac - (-(Ginv * Ginv.T)))))
    rows.append(dict(check="dG_ii/dv_j = -G_ij G_ji", method="scan", variant="two-sided", passed=dev < 1e-10,
                     max_abs_dev=dev))
    return pd.DataFrame(rows)


def theta_growth(n=32768, seed=0):
    """log10|theta_i| (i = 1..N) for the 'random' case, computed stably as -cumsum(log10|1/alpha_k|) from the
    scan's causal output (theta_{k+1}/theta_k = alpha_k), and the first index where the naive float64 and
    float32 theta products become non-finite (or 0: underflow is as fatal for the ratio). Returns a dict."""
    v, off, z = make_case("random", n, seed)
    g = bk_diag(torch.tensor(v), z, torch.tensor(off), causal=True, method="scan")
    log_theta = -torch.cumsum(torch.log10(g.abs()), 0).numpy()  # log10|theta_{i+1}|, i = 0..N-1
    first_bad = {}
    for dt in (torch.float64, torch.float32):
        cdt = torch.complex128 if dt == torch.float64 else torch.complex64
        d = (torch.tensor(-2.0 + v, dtype=dt).to(cdt) - z)
        b2 = torch.tensor(off, dtype=dt).to(cdt) ** 2
        th_prev, th = torch.ones((), dtype=cdt), d[0]
        bad = None
        for i in range(1, n + 1):
            if not (bool(torch.isfinite(torch.view_as_real(th)).all()) and th.abs() > 0):
                bad = i  # theta_i broken
                break
            if i == n:
                break
            th_prev, th = th, d[i] * th - b2[i - 1] * th_prev
        first_bad[str(dt).replace("torch.", "")] = bad
    return dict(log10_theta=log_theta, first_nonfinite=first_bad,
                float64_limit=float(np.log10(np.finfo(np.float64).max)),
                float32_limit=float(np.log10(np.finfo(np.float32).max)))


def speed_sweep(ns, methods=("scan", "sequential", "dense"), batch=1, dtype=torch.float32, causal=False,
                device="cpu", dense_max=1024, sequential_max=32768, repeats=3, backward=False, seed=0):
    """Seconds per call and tokens/s (batch*N/median) of each method vs N; dense stops at dense_max."""
    g = torch.Generator().manual_seed(seed)
    rows = []
    for n in ns:
        v = (torch.randn(batch, n, generator=g) * 1.5).clamp(-3, 3).to(device=device, dtype=dtype)
        for method in methods:
            if (method == "dense" and n > dense_max) or (method == "sequential" and n > sequential_max):
                continue
            if backward:
                vv = v.clone().requires_grad_()

                def fn():
                    bk_diag(vv, 1j, 1.0, causal=causal, method=method).abs().sum().backward()
            else:

                def fn():
                    with torch.no_grad():
                        bk_diag(v, 1j, 1.0, causal=causal, method=method, check_finite=False)

            fast = method in ("scan", "compiled", "triton", "auto")
            t = time_callable(fn, warmup=1 if fast else 0, repeats=repeats if fast else 1)
            rows.append(dict(method=method, N=n, batch=batch, seconds=t.median, iqr=t.iqr,
                             tokens_per_s=batch * n / t.median))
    return pd.DataFrame(rows)


def local_slopes(ns, seconds):
    """d log t / d log N between consecutive sizes (the local cost exponent); len(ns) - 1 values."""
    x = np.log(np.asarray(ns, dtype=float))
    y = np.log(np.asarray(seconds, dtype=float))
    if len(x) < 2:
        return np.array([])
    return np.diff(y) / np.diff(x)


def device_check(device, n: int, seed: int = 0) -> list[dict]:
    """The op on `device` (float64 and float32, two-sided, auto method) against the CPU float64 scan on one
    random case of length n: finiteness and max relative error per dtype. [] on CPU (nothing to compare)."""
    device = torch.device(device)
    if device.type == "cpu":
        return []
    v, off, z = make_case("random", n, seed)
    ref = bk_diag(torch.tensor(v), z, torch.tensor(off), causal=False, method="scan")
    rows = []
    for dt in (torch.float64, torch.float32):
        g = bk_diag(torch.tensor(v, dtype=dt, device=device), z, torch.tensor(off, dtype=dt, device=device),
                    causal=False)
        rows.append(dict(dtype=str(dt).replace("torch.", ""), method=resolve_method(device, dt),
                         finite=bool(torch.isfinite(torch.view_as_real(g)).all()),
                         max_rel_err=max_elementwise_rel(g, ref.numpy())))
    return rows


def copy_peak_GBps(device="cuda", repeats=10) -> float:
    """The device's practical peak bandwidth, GB/s: a 1 GiB device-to-device copy (read + write) per second."""
    big = torch.empty(256 * 2**20, dtype=torch.float32, device=device)
    t_copy = time_callable(lambda: big.clone(), warmup=2, repeats=repeats).median
    return 2 * big.numel() * 4 / t_copy / 1e9


def cuda_bandwidth(n=32768, batch=64, dtype=torch.float32, causal=False, repeats=10):
    """Achieved bandwidth of the op on CUDA = (bytes of v read + bytes of G written) / time, as a fraction of
    the device's practical peak (:func:`copy_peak_GBps`). Returns None without CUDA."""
    if not torch.cuda.is_available():
        return None
    dev = torch.device("cuda")
    v = torch.randn(batch, n, device=dev, dtype=dtype).clamp(-3, 3)

    def op():
        with torch.no_grad():
            bk_diag(v, 1j, 1.0, causal=causal, check_finite=False)

    t_op = time_callable(op, warmup=2, repeats=repeats).median
    item = torch.empty((), dtype=dtype).element_size()
    useful = batch * n * item * 3  # v (1 real) read + G (2 reals) written
    peak = copy_peak_GBps(dev, repeats=repeats)
    return dict(device=torch.cuda.get_device_name(), seconds=t_op, useful_bytes=useful,
                achieved_GBps=useful / t_op / 1e9, copy_peak_GBps=peak, fraction_of_peak=useful / t_op / 1e9 / peak,
                tokens_per_s=batch * n / t_op)


def power_law_fits(speed: pd.DataFrame, fit_min_n: int) -> dict:
    """{method: fit_power_law(N, seconds)} over the forward rows of a speed table, at N >= fit_min_n when at
    least two sizes are there (else over all sizes); methods with fewer than two sizes get no fit."""
    fits = {}
    for method, g in speed[speed["pass"] == "forward"].groupby("method"):
        if len(g) >= 2:
            fits[method] = fit_power_law_above(g.N, g.seconds, fit_min_n)
    return fits


# each method's nominal cost order in N (the slope of its guide line in bk_core_scaling)
NOMINAL_ORDER = {"scan": 1, "compiled": 1, "triton": 1, "sequential": 1, "dense": 3}


def scaling_exponents(speed: pd.DataFrame, fit_min_n: int, min_sizes: int = 4) -> dict:
    """{method: fit_power_law over the forward rows at N >= fit_min_n} only for methods measured at `min_sizes`
    or more such sizes (an exponent from two or three points says little); each fit also carries `x_from`
    (the smallest N it used) and `n_sizes`."""
    out = {}
    for method, g in speed[(speed["pass"] == "forward") & (speed.N >= fit_min_n)].groupby("method"):
        if g.N.nunique() >= min_sizes:
            out[method] = {**fit_power_law(g.N, g.seconds), "x_from": float(g.N.min()), "n_sizes": int(g.N.nunique())}
    return out


def guide_line(ns, anchor_n: float, anchor_t: float, order: float) -> np.ndarray:
    """t = anchor_t * (N / anchor_n)^order at each N: a slope guide through one measured point."""
    return anchor_t * (np.asarray(ns, dtype=float) / anchor_n) ** order


def op_sweep(P: Mapping[str, Any], *, device, kernel_paths: Mapping[str, Any] | None = None) -> Measurement:
    """Notebook 13's speed section, for the notebook and the GPU run alike: seconds per call of the two-sided op
    (float32, batch ``SPEED_BATCH``) at each N in ``SPEED_NS`` for the scan, the loop method that "auto" runs on
    `device` (compiled/triton, when it does), the sequential loop (to ``SEQUENTIAL_SPEED_MAX``) and the dense
    inverse (to ``DENSE_SPEED_MAX``); forward + backward (causal) at ``BACKWARD_NS``; power-law fits at
    N >= ``FIT_MIN_N``; on CUDA the achieved bandwidth at ``CUDA_BW_BATCH`` x ``CUDA_BW_N``. Decides no claim.

    kernel_paths (the GPU run's, not the notebook's): keyword arguments of
    :func:`paperlib.bk.core_paths_bench.paths_sweep` (rows, ns, warmup, repeats, peak_GBps, peak_basis); adds the
    tables ``bk_core_paths`` (both Triton paths, forward and backward, time and achieved bandwidth vs N, with
    auto's choice) and ``bk_core_paths_compare`` (which path is faster where), and their gist as note ``paths``."""
    auto = resolve_method(device, torch.float32)
    loop = tuple(m for m in ("compiled", "triton") if m == auto)  # the loop path auto runs on this device
    speed = speed_sweep(P["SPEED_NS"], methods=("scan",) + loop + ("sequential", "dense"), batch=P["SPEED_BATCH"],
                        device=device, dense_max=P["DENSE_SPEED_MAX"], sequential_max=P["SEQUENTIAL_SPEED_MAX"],
                        repeats=P["SPEED_REPEATS"], seed=P["SEED"])
    speed["pass"] = "forward"
    if P["BACKWARD_NS"]:
        bwd = speed_sweep(P["BACKWARD_NS"], methods=("scan",) + loop, batch=P["SPEED_BATCH"], device=device,
                          causal=True, repeats=P["SPEED_REPEATS"], backward=True, seed=P["SEED"])
        bwd["pass"] = "forward+backward (causal)"
        speed = pd.concat([speed, bwd], ignore_index=True)
    bw = cuda_bandwidth(n=P["CUDA_BW_N"], batch=P["CUDA_BW_BATCH"]) if on_cuda(device) else None
    tables = {"bk_core_speed": speed}
    notes = dict(fits=power_law_fits(speed, P["FIT_MIN_N"]), bandwidth=bw, auto=auto, loop_methods=loop)
    if kernel_paths is not None:
        from paperlib.bk import core_paths_bench

        sweep = core_paths_bench.paths_sweep(device=device, seed=P["SEED"], **kernel_paths)
        compare = core_paths_bench.paths_comparison(sweep)
        tables.update(bk_core_paths=sweep, bk_core_paths_compare=compare)
        notes["paths"] = core_paths_bench.paths_summary(sweep, compare)
    return Measurement(tables=tables, notes=notes)


def c_loop_comparison(batch=8, n=4096, repeats=20, rounds=3, warmup=3, threads=1, seed=0, z=1j,
                      extra_methods=("scan",)):
    """bk_diag(method="auto") (causal, float64, CPU) next to the plain C loop on the same data, in one process.

    Each round times every candidate (`warmup` calls, then `repeats` timed calls, paperlib.common.measure.time_callable);
    rounds interleave the candidates so drift on a shared machine hits all of them; the median and IQR are
    over the pooled calls. Candidates: the C loop, bk_diag auto (resolved method named), the compiled kernel
    alone on prepared inputs (when auto resolves to it: what remains is torch glue), and `extra_methods`.
    Rows: method, seconds (median), iqr, ratio_to_c, max_rel_diff_vs_c, status, reason.
    v ~ clamp(1.5 N(0,1), +-3), off = 1 + 0.3 N(0,1) per row (rows x (N-1)), z = i, h0 = -2, `threads` torch threads."""
    g = torch.Generator().manual_seed(seed)
    v = (torch.randn(batch, n, generator=g, dtype=torch.float64) * 1.5).clamp(-3, 3)
    off = 1.0 + 0.3 * torch.randn(batch, max(n - 1, 0), generator=g, dtype=torch.float64)
    c_fn, c_info = c_reference()
    resolved = resolve_method("cpu", torch.float64)
    cands = {}
    if c_fn is not None:
        cands["C loop (cc -O2)"] = lambda: c_fn(v, off, z)
    cands[f"bk_diag auto ({resolved})"] = lambda: bk_diag(v, z, off, causal=True, method="auto")
    if resolved == "compiled":
        from paperlib.bk import core_compiled as bk_core_compiled
        from paperlib.bk.core import _prepare

        d, b2, _ = _prepare(v, z, off, -2.0, complex_b2=False)
        dr, bb = torch.view_as_real(d).contiguous(), b2.contiguous()
        cands["compiled kernel only"] = lambda: bk_core_compiled.recurrence_forward(dr, bb, False)
    for m in extra_methods:
        if m != resolved:
            cands[f"bk_diag {m}"] = (lambda m=m: bk_diag(v, z, off, causal=True, method=m))
    old_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with torch.no_grad():
            outs = {k: f() for k, f in cands.items()}  # also compiles/loads kernels before timing
            times = {k: [] for k in cands}
            for r in range(rounds):
                for k, f in cands.items():
                    times[k] += time_callable(f, warmup=warmup if r == 0 else 1, repeats=repeats).times
    finally:
        torch.set_num_threads(old_threads)
    ref = outs.get("C loop (cc -O2)")
    rows = []
    if c_fn is None:
        rows.append(dict(method="C loop (cc -O2)", seconds=math.nan, iqr=math.nan, ratio_to_c=math.nan,
                         max_rel_diff_vs_c=math.nan, status="skipped", reason=c_info))
    quart = {k: quartiles(ts) for k, ts in times.items()}
    c_med = quart["C loop (cc -O2)"][1] if c_fn is not None else math.nan
    for k, (q1, med, q3) in quart.items():
        out = outs[k]
        if k == "compiled kernel only":
            out = torch.view_as_complex(out)
        diff = math.nan if ref is None else float(((out - ref).abs() / ref.abs()).max())
        rows.append(dict(method=k, seconds=float(med), iqr=float(q3 - q1), ratio_to_c=float(med) / c_med,
                         max_rel_diff_vs_c=diff, status="ok", reason=c_info if k.startswith("C loop") else ""))
    df = pd.DataFrame(rows)
    df.attrs.update(resolved=resolved, batch=batch, n=n, threads=threads, calls=rounds * repeats)
    return df


