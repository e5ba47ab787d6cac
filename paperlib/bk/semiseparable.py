"""Algorithm 1 of ResNet-BK: semiseparable matvec y = T x + U (V^T x).

T is tridiagonal (stored as its three diagonals, O(N)), U, V are N x r with r = ceil(log2 N) (stored O(N log N)).
Flop count: T x costs 5N, V^T x costs 2Nr, U z costs 2Nr: O(N r) = O(N log N) when r = ceil(log2 N) -- not O(N)
unless r is held fixed. (Algorithm 1's comment "O(N) using tridiagonal solver" is a product, not a solve.)
Numpy (float64 reference) and torch (any device) paths.
"""
from __future__ import annotations

import math
import tracemalloc

import numpy as np
from paperlib.common import stats


def rank_for(N: int) -> int:
    """r = ceil(log2 N)."""
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 2:
        raise ValueError(f"N must be an int >= 2, got {N!r}")
    return int(math.ceil(math.log2(N)))


def _check(d, dl, du, U, V, x):
    N = d.shape[0]
    if d.ndim != 1 or dl.shape != (N - 1,) or du.shape != (N - 1,):
        raise ValueError(f"tridiagonal parts must have shapes (N,), (N-1,), (N-1,); got {d.shape}, {dl.shape}, {du.shape}")
    if U.ndim != 2 or U.shape[0] != N or V.shape != U.shape:
        raise ValueError(f"U and V must both be (N, r) with N={N}; got {U.shape}, {V.shape}")
    if x.shape[0] != N or x.ndim not in (1, 2):
        raise ValueError(f"x must be (N,) or (N, B) with N={N}; got {x.shape}")


def tridiag_matvec(d, dl, du, x):
    """T x with T = diag(d) + diag(du, +1) + diag(dl, -1); works for numpy arrays and torch tensors."""
    y = d[:, None] * x if x.ndim == 2 else d * x
    if x.ndim == 2:
        dl, du = dl[:, None], du[:, None]
    y[:-1] += du * x[1:]
    y[1:] += dl * x[:-1]
    return y


def semiseparable_matvec(d, dl, du, U, V, x):
    """Algorithm 1: y1 = T x; z = V^T x; y2 = U z; y = y1 + y2 (numpy or torch inputs)."""
    if type(x).__module__.startswith("torch"):
        import torch

        tensors = (d, dl, du, U, V, x)
        if not all(isinstance(t, torch.Tensor) for t in tensors):
            raise TypeError("mix of torch and non-torch inputs")
    else:
        d, dl, du, U, V, x = (np.asarray(a) for a in (d, dl, du, U, V, x))
    _check(d, dl, du, U, V, x)
    y = tridiag_matvec(d, dl, du, x)
    z = V.T @ x
    return y + U @ z


def dense_matrix(d, dl, du, U, V) -> np.ndarray:
    """Dense T + U V^T (the oracle)."""
    d, dl, du, U, V = (np.asarray(a) for a in (d, dl, du, U, V))
    return np.diag(d) + np.diag(du, 1) + np.diag(dl, -1) + U @ V.T


def random_factors(N: int, r: int | None = None, seed: int = 0, dtype=np.float64):
    """Random T diagonals, U, V (r = ceil(log2 N) by default) and x."""
    r = rank_for(N) if r is None else r
    g = np.random.default_rng(seed)
    d, dl, du = g.standard_normal(N), g.standard_normal(N - 1), g.standard_normal(N - 1)
    U, V = g.standard_normal((N, r)) / math.sqrt(r), g.standard_normal((N, r)) / math.sqrt(r)
    x = g.standard_normal(N)
    return tuple(a.astype(dtype) for a in (d, dl, du, U, V, x))


def flops(N: int, r: int) -> int:
    """Multiply-adds counted as 2 flops: T x (5N - 4), V^T x (2Nr), U z (2Nr), final add (N)."""
    return 5 * N - 4 + 4 * N * r + N


def storage_bytes(N: int, r: int, itemsize: int = 8) -> int:
    """Bytes of the operator: 3N - 2 tridiagonal entries + 2Nr factor entries."""
    return itemsize * (3 * N - 2 + 2 * N * r)


def matvec_peak_bytes(N: int, seed: int = 0) -> int:
    """Peak extra bytes allocated by one numpy matvec (tracemalloc; inputs allocated beforehand)."""
    args = random_factors(N, seed=seed)
    tracemalloc.start()
    tracemalloc.reset_peak()
    y = semiseparable_matvec(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del y
    return int(peak)


def time_matvec(N: int, seed: int = 0, repeats: int = 7) -> float:
    """Median seconds of one numpy matvec at size N (paperlib.common.measure.time_callable; calls batched to >= ~1 ms)."""
    from paperlib.common.measure import time_callable

    args = random_factors(N, seed=seed)
    inner = max(1, int(2e5 // N))  # batch tiny calls so timer resolution does not dominate

    def run():
        for _ in range(inner):
            semiseparable_matvec(*args)

    return time_callable(run, warmup=1, repeats=repeats, sync_cuda=False).median / inner


def fit_scaling_models(N, y) -> dict:
    """common.stats.fit_power_law's power-law fit (exponent, prefactor, R^2 in log-log) plus R^2 and rms log
    residual of the models y = c N and y = c N log2 N (each constant fitted in log space)."""
    N = np.asarray(N, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if N.size < 3 or N.shape != y.shape or np.any(N <= 0) or np.any(y <= 0):
        raise ValueError("need >= 3 positive (N, y) pairs of equal length")
    out = stats.fit_power_law(N, y)
    for name, f in (("N", N), ("NlogN", N * np.log2(N))):
        k = np.exp(np.mean(np.log(y / f)))  # best constant in log space
        res = np.log(y) - np.log(k * f)
        tot = np.log(y) - np.log(y).mean()
        out[f"rms_log_{name}"] = float(np.sqrt(np.mean(res**2)))
        out[f"r2_{name}"] = float(1 - np.sum(res**2) / np.sum(tot**2))
    return out
