"""Checks and measurements of the BK-Core op for notebook 13: exactness against float64 banded/dense
oracles (scipy/numpy, independent of the op), stability to N = 32768, gradients, speed and scaling, the
yardstick comparison with a plain C loop (paperlib/bk/core_ref.c) and a training step per BK-Core method.
(scipy is imported where the oracles need it, so the timing helpers also run where scipy is missing.)"""
from __future__ import annotations

import ctypes
import hashlib
import math
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from paperlib.common import paths
from paperlib.bk.core import bk_diag, bk_diag_theta_naive, resolve_method
from paperlib.common.measure import time_callable
from paperlib.common.stats import fit_power_law  # re-exported: notebook 13 fits through bench

__all__ = [
    "make_case",
    "oracle_two_sided",
    "oracle_causal",
    "exactness_table",
    "stability_table",
    "gradient_check",
    "speed_sweep",
    "fit_power_law",
    "local_slopes",
    "cuda_bandwidth",
    "theta_growth",
    "default_methods",
    "c_reference",
    "c_loop_comparison",
    "train_step_comparison",
]

CASES = ("random", "large_v", "near_spectrum", "small_off")


def default_methods(base=("scan", "sequential", "dense")):
    """`base` plus "compiled" when numba is available (the CPU loop path of bk_diag)."""
    from paperlib.bk import core_compiled as bk_core_compiled

    return tuple(base) + (("compiled",) if bk_core_compiled.available() and "compiled" not in base else ())


def make_case(kind: str, n: int, seed: int):
    """(v, off, z) as numpy float64 arrays / complex for a named input family.

    random: v ~ N(0, 1.5^2) clamped to +-3 (the model's range), off = 1 + 0.3 N(0,1), z = i.
    large_v: v ~ N(0, 1e3^2), random off, z = 0.1 + 0.5i.
    near_spectrum: random v/off, z = (an eigenvalue of H from the middle of the spectrum) + 1e-4 i
                   (computed only for n <= 4096; beyond that z = 0.01 i inside the band).
    small_off: off of random sign and size 1e-4..1e-2, z = 0.1 + 0.01i.
    """
    if kind not in CASES:
        raise ValueError(f"unknown case {kind!r}; expected one of {', '.join(CASES)}")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    g = np.random.default_rng(seed)
    m = max(n - 1, 0)
    v = np.clip(g.normal(size=n) * 1.5, -3, 3)
    off = 1.0 + 0.3 * g.normal(size=m)
    z = 1j
    if kind == "large_v":
        v = g.normal(size=n) * 1e3
        z = 0.1 + 0.5j
    elif kind == "small_off":
        off = g.uniform(1e-4, 1e-2, size=m) * g.choice([-1.0, 1.0], size=m)
        z = 0.1 + 0.01j
    elif kind == "near_spectrum":
        if n <= 4096:
            lam = _scipy_linalg().eigvalsh_tridiagonal(-2.0 + v, off) if n > 1 else -2.0 + v
            z = complex(lam[n // 2], 1e-4)
        else:
            z = 0.01j
    return v, off, z


def _scipy_linalg():
    import scipy.linalg

    return scipy.linalg


def _banded(v, off, z, h0=-2.0):
    n = len(v)
    ab = np.zeros((3, n), dtype=np.complex128)
    if n > 1:
        ab[0, 1:] = off
        ab[2, :-1] = off
    ab[1] = h0 + v - z
    return ab


def oracle_two_sided(v, off, z, h0=-2.0, rows=None):
    """Diagonal of (H - zI)^{-1} by scipy banded solves, complex128 (all rows: one solve with N right-hand
    sides, O(N^2) memory; rows: one O(N) solve per selected row)."""
    ab = _banded(v, off, z, h0)
    n = len(v)
    if rows is None:
        return np.diag(_scipy_linalg().solve_banded((1, 1), ab, np.eye(n, dtype=np.complex128)))
    out = []
    for i in rows:
        e = np.zeros(n, dtype=np.complex128)
        e[i] = 1.0
        out.append(_scipy_linalg().solve_banded((1, 1), ab, e)[i])
    return np.array(out)


def oracle_causal(v, off, z, h0=-2.0, rows=None):
    """Last diagonal entry of the leading-(i+1)-block resolvent, by banded solves on each block."""
    rows = range(len(v)) if rows is None else rows
    return np.array([oracle_two_sided(v[: i + 1], off[:i], z, h0, rows=[i])[0] for i in rows])


def _max_elementwise_rel(got, ref):
    # max_i |got_i - ref_i| / |ref_i| (complex; an op's worst entry), unlike common.checks.relative_error's norm ratio
    got = got.detach().cpu().to(torch.complex128).numpy()
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(got - ref) / np.abs(ref)))


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
                e2 = _max_elementwise_rel(bk_diag(vt, z, ot, causal=False, method=method), ref2)
                ec = float("nan")
                if refc is not None and not (method == "dense" and n > dense_causal_max):
                    ec = _max_elementwise_rel(bk_diag(vt, z, ot, causal=True, method=method), refc)
                rows.append(dict(N=n, case=kind, method=method, rel_err_two_sided=e2, rel_err_causal=ec))
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
                err = _max_elementwise_rel(sel, ref) if bool(torch.isfinite(torch.view_as_real(sel)).all()) else float("inf")
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
                         max_rel_err=_max_elementwise_rel(g, ref.numpy())))
    return rows


def cuda_bandwidth(n=32768, batch=64, dtype=torch.float32, causal=False, repeats=10):
    """Achieved bandwidth of the op on CUDA = (bytes of v read + bytes of G written) / time, as a fraction of
    the device's practical peak (a large device-to-device copy, read + write). Returns None without CUDA."""
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
    big = torch.empty(256 * 2**20, dtype=torch.float32, device=dev)  # 1 GiB
    t_copy = time_callable(lambda: big.clone(), warmup=2, repeats=repeats).median
    peak = 2 * big.numel() * 4 / t_copy
    return dict(device=torch.cuda.get_device_name(), seconds=t_op, useful_bytes=useful,
                achieved_GBps=useful / t_op / 1e9, copy_peak_GBps=peak / 1e9, fraction_of_peak=useful / t_op / peak,
                tokens_per_s=batch * n / t_op)


# ------------------------------------------------------------------------------- the plain C yardstick
REF_C = Path(__file__).with_name("core_ref.c")


def _compiler():
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    return cc if cc and (os.path.isabs(cc) and os.path.exists(cc) or shutil.which(cc)) else None


def c_reference(folder=None):
    """The plain C causal loop (paperlib/bk/core_ref.c) built with `cc -O2 -shared -fPIC` into build/cext/
    (cached by source hash; a temporary folder if build/ is not writable) and wrapped for torch.

    Returns (fn, info): fn(v, off, z=1j, h0=-2.0) -> complex128 (rows, N) for float64 v (rows, N) and off
    (rows, N-1); or (None, reason) when there is no compiler or the build fails."""
    cc = _compiler()
    if cc is None:
        return None, "no C compiler (cc/gcc or $CC) found"
    src = REF_C.read_bytes()
    tag = hashlib.sha256(src + cc.encode()).hexdigest()[:12]
    folder = Path(folder) if folder is not None else paths.BUILD / "cext"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise OSError(f"{folder} is not writable")
    except OSError:
        folder = Path(tempfile.gettempdir()) / "paperlib-cext"
        folder.mkdir(parents=True, exist_ok=True)
    lib_path = folder / f"bk_core_ref-{tag}.so"
    if not lib_path.exists():
        tmp = folder / f".{lib_path.name}.{os.getpid()}.tmp"
        cmd = [cc, "-O2", "-shared", "-fPIC", "-o", str(tmp), str(REF_C)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as exc:
            return None, f"C build failed to run ({' '.join(cmd)}): {exc}"
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            return None, f"C build failed ({' '.join(cmd)}): {tail}"
        os.replace(tmp, lib_path)
    lib = ctypes.CDLL(str(lib_path))
    f = lib.bk_causal_ref
    f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_double, ctypes.c_double, ctypes.c_double,
                  ctypes.c_long, ctypes.c_long, ctypes.c_void_p]
    f.restype = None

    def fn(v, off, z=1j, h0=-2.0):
        if v.dtype != torch.float64 or v.dim() != 2 or v.device.type != "cpu":
            raise ValueError("the C loop takes a float64 CPU tensor v of shape (rows, N)")
        rows, n = v.shape
        if off.shape != (rows, max(n - 1, 0)) or off.dtype != torch.float64:
            raise ValueError(f"off must be float64 of shape {(rows, max(n - 1, 0))}, got {tuple(off.shape)}")
        v, off = v.contiguous(), off.contiguous()
        out = torch.empty(rows, n, dtype=torch.complex128)
        z = complex(z)
        f(v.data_ptr(), off.data_ptr(), float(h0), z.real, z.imag, rows, n, out.data_ptr())
        return out

    return fn, f"{Path(cc).name} -O2 -shared -fPIC -> {Path(lib_path).name}"  # no machine paths in outputs


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
    c_med = float(np.median(times["C loop (cc -O2)"])) if c_fn is not None else math.nan
    for k, ts in times.items():
        q1, med, q3 = np.percentile(ts, [25, 50, 75])
        out = outs[k]
        if k == "compiled kernel only":
            out = torch.view_as_complex(out)
        diff = math.nan if ref is None else float(((out - ref).abs() / ref.abs()).max())
        rows.append(dict(method=k, seconds=float(med), iqr=float(q3 - q1), ratio_to_c=float(med) / c_med,
                         max_rel_diff_vs_c=diff, status="ok", reason=c_info if k.startswith("C loop") else ""))
    df = pd.DataFrame(rows)
    df.attrs.update(resolved=resolved, batch=batch, n=n, threads=threads, calls=rounds * repeats)
    return df


def train_step_comparison(name="table5_baseline", methods=("scan", "auto"), batch=2, seq_len=512, steps=3,
                          warmup=1, rounds=1, threads=1, overrides=None, device="cpu", seed=0):
    """Training tokens/s (forward + cross-entropy + backward + AdamW, paperlib.bk.bench.train_throughput) of one
    BK model per BK-Core method (BKConfig.bk_method); 'auto' rows name what it resolved to. With rounds > 1 the
    methods alternate (drift on a shared machine hits all) and each row is the median over rounds.
    Columns: bk_method, resolved, train_tokens_per_s, step_s, step_iqr_s, forward_s, rounds, speedup (vs row 0)."""
    from paperlib.bk.bench import train_throughput

    if rounds < 1:
        raise ValueError("rounds must be >= 1")
    old_threads = torch.get_num_threads()
    if torch.device(device).type == "cpu":
        torch.set_num_threads(threads)
    runs = {m: [] for m in methods}
    try:
        for _ in range(rounds):
            for m in methods:
                runs[m].append(train_throughput(name, batch=batch, seq_len=seq_len, steps=steps, warmup=warmup,
                                                device=device, seed=seed,
                                                overrides={**(overrides or {}), "seq_len": seq_len, "bk_method": m}))
    finally:
        torch.set_num_threads(old_threads)
    rows = []
    for m, rs in runs.items():
        med = {k: float(np.median([r[k] for r in rs])) for k in ("train_tokens_per_s", "step_s", "step_iqr_s",
                                                                  "forward_s")}
        resolved = resolve_method(device, torch.float32) if m == "auto" else m
        rows.append(dict(bk_method=m, resolved=resolved, seq_len=rs[0]["seq_len"], batch=batch, **med,
                         n_params=rs[0]["n_params"], rounds=rounds))
    df = pd.DataFrame(rows)
    df["speedup"] = df.train_tokens_per_s / df.train_tokens_per_s.iloc[0]
    return df
