"""Checks and measurements of the BK-Core op for notebook 13: exactness against float64 banded/dense
oracles (scipy/numpy, independent of the op), stability to N = 32768, gradients, speed and scaling."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.linalg
import torch

from .bk_core import bk_diag, bk_diag_theta_naive
from .measure import time_callable

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
]

CASES = ("random", "large_v", "near_spectrum", "small_off")


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
            lam = scipy.linalg.eigvalsh_tridiagonal(-2.0 + v, off) if n > 1 else -2.0 + v
            z = complex(lam[n // 2], 1e-4)
        else:
            z = 0.01j
    return v, off, z


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
        return np.diag(scipy.linalg.solve_banded((1, 1), ab, np.eye(n, dtype=np.complex128)))
    out = []
    for i in rows:
        e = np.zeros(n, dtype=np.complex128)
        e[i] = 1.0
        out.append(scipy.linalg.solve_banded((1, 1), ab, e)[i])
    return np.array(out)


def oracle_causal(v, off, z, h0=-2.0, rows=None):
    """Last diagonal entry of the leading-(i+1)-block resolvent, by banded solves on each block."""
    rows = range(len(v)) if rows is None else rows
    return np.array([oracle_two_sided(v[: i + 1], off[:i], z, h0, rows=[i])[0] for i in rows])


def _rel(got, ref):
    got = got.detach().cpu().to(torch.complex128).numpy()
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(got - ref) / np.abs(ref)))


def exactness_table(ns=(64, 512), cases=CASES, methods=("scan", "sequential", "dense"), dense_max=256,
                    causal_oracle_max=512, dense_causal_max=128, seed=0):
    """Max relative error of each method (float64) vs the scipy banded complex128 oracle. The dense method
    runs up to dense_max (two-sided, O(N^3)) and dense_causal_max (causal, O(N^4)); the causal oracle up
    to causal_oracle_max (O(N^2)). Missing entries are nan."""
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
                e2 = _rel(bk_diag(vt, z, ot, causal=False, method=method), ref2)
                ec = float("nan")
                if refc is not None and not (method == "dense" and n > dense_causal_max):
                    ec = _rel(bk_diag(vt, z, ot, causal=True, method=method), refc)
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
                err = _rel(sel, ref) if bool(torch.isfinite(torch.view_as_real(sel)).all()) else float("inf")
                out.append(dict(N=n, variant="causal" if causal else "two-sided", method=name,
                                dtype=str(dt).replace("torch.", ""), finite_frac=float(fin.double().mean()),
                                max_rel_err=err))
    return pd.DataFrame(out)


def gradient_check(n=10, seed=0):
    """gradcheck (float64) for v and off, both variants, scan and sequential; and the max deviation of the
    autograd Jacobian dG_ii/dv_j from the closed form -G_ij G_ji (two-sided, numpy inverse)."""
    g = torch.Generator().manual_seed(seed)
    rows = []
    z = 0.3 + 0.8j
    for method in ("scan", "sequential"):
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

            reps = repeats if method == "scan" else 1
            t = time_callable(fn, warmup=1 if method == "scan" else 0, repeats=reps)
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


def fit_power_law(ns, seconds):
    """Least-squares fit log t = log c + p log N; returns dict(exponent p, prefactor c, r2)."""
    x = np.log(np.asarray(ns, dtype=float))
    y = np.log(np.asarray(seconds, dtype=float))
    if len(x) < 2:
        raise ValueError("need at least two points to fit a power law")
    p, logc = np.polyfit(x, y, 1)
    resid = y - (p * x + logc)
    r2 = 1.0 - float(np.sum(resid**2)) / max(float(np.sum((y - y.mean()) ** 2)), 1e-300)
    return dict(exponent=float(p), prefactor=float(math.exp(logc)), r2=r2)


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
