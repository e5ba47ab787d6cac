"""Prime-Bump potential (ResNet-BK Eq. 5) and the Hamiltonian H_eps = H0 + V_eps of Theorem 4.

Eq. 5: V_eps(x) = sum_p sum_{k=1}^{kmax} alpha_{p,k}(eps) psi_eps(x - log p),
       alpha_{p,k}(eps) = log p / p^{k(1/2 + eps)},  psi_eps(x) = eps^{-1/2} exp(-x^2 / (2 eps)).

Two readings of the grid (the paper gives none):
* ``integer``   (reference code): primes p < N, kmax = 3, eps = 1, x = integer positions 0..N-1. The bumps sit at
  log p <= log N, so V is non-negligible only on the first ~log N + few sqrt(eps) sites.
* ``stretched`` (continuous reading): the same V_eps sampled on N equispaced points covering
  [x_lo, log p_max + 4 sqrt(eps)], so every site sees the bump landscape.
H0 is the discrete 1D Laplacian as in the reference code (diagonal -2, off-diagonals +1); H_eps = H0 + diag(V).
"""
from __future__ import annotations

import numpy as np


def primes_below(n: int) -> np.ndarray:
    """All primes p < n (sieve of Eratosthenes)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if n <= 2:
        return np.zeros(0, dtype=np.int64)
    sieve = np.ones(n, dtype=bool)
    sieve[:2] = False
    for i in range(2, int(n**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = False
    return np.flatnonzero(sieve).astype(np.int64)


def _check_eps(eps) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating, np.integer)):
        raise TypeError(f"eps must be a number, got {type(eps).__name__}")
    if not eps > 0 or not np.isfinite(eps):
        raise ValueError(f"eps must be positive and finite, got {eps}")
    return float(eps)


def bump_coefficients(primes, eps: float, kmax: int = 3) -> np.ndarray:
    """alpha_p(eps) = sum_{k=1}^{kmax} log p / p^{k(1/2+eps)} (the k-sum collapses: every k uses the same psi)."""
    eps = _check_eps(eps)
    if isinstance(kmax, bool) or not isinstance(kmax, (int, np.integer)) or kmax < 1:
        raise ValueError(f"kmax must be a positive int, got {kmax!r}")
    p = np.asarray(primes, dtype=np.float64)
    k = np.arange(1, kmax + 1, dtype=np.float64)
    return np.log(p) * np.sum(p[:, None] ** (-k[None, :] * (0.5 + eps)), axis=1)


def prime_bump_potential(x, eps: float, p_max: int, kmax: int = 3) -> np.ndarray:
    """V_eps(x) of Eq. 5 at arbitrary real x, primes p < p_max."""
    eps = _check_eps(eps)
    x = np.asarray(x, dtype=np.float64)
    p = primes_below(p_max)
    if p.size == 0:
        raise ValueError(f"no primes below p_max={p_max}")
    a = bump_coefficients(p, eps, kmax)
    out = np.zeros_like(x)
    logp = np.log(p.astype(np.float64))
    for start in range(0, p.size, 512):  # chunk to bound memory
        d = x[..., None] - logp[start : start + 512]
        out += np.sum(a[start : start + 512] * np.exp(-d**2 / (2 * eps)), axis=-1)
    return out / np.sqrt(eps)


def integer_grid_potential(N: int, eps: float = 1.0, kmax: int = 3, scale: float = 1.0) -> np.ndarray:
    """Reference-code reading: V at x = 0..N-1 with primes p < N (times `scale`; the code used 0.02 for embeddings)."""
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 3:
        raise ValueError(f"N must be an int >= 3, got {N!r}")
    return scale * prime_bump_potential(np.arange(N, dtype=np.float64), eps, N, kmax)


def stretched_grid(N: int, eps: float, p_max: int, x_lo: float = 0.0) -> np.ndarray:
    """N equispaced points on [x_lo, log p_max + 4 sqrt(eps)] (continuous reading)."""
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 3:
        raise ValueError(f"N must be an int >= 3, got {N!r}")
    eps = _check_eps(eps)
    return np.linspace(x_lo, np.log(p_max) + 4 * np.sqrt(eps), N)


def stretched_grid_potential(N: int, eps: float = 1.0, p_max: int | None = None, kmax: int = 3) -> np.ndarray:
    """Continuous reading: V_eps on N points spanning the whole bump landscape (p_max defaults to N)."""
    p_max = N if p_max is None else p_max
    return prime_bump_potential(stretched_grid(N, eps, p_max), eps, p_max, kmax)


def laplacian_diagonals(N: int, sign: float = 1.0):
    """Discrete 1D Laplacian (Dirichlet): diagonal -2*sign, off-diagonal +1*sign (reference convention sign=+1)."""
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 2:
        raise ValueError(f"N must be an int >= 2, got {N!r}")
    return np.full(N, -2.0 * sign), np.full(N - 1, 1.0 * sign)


def hamiltonian_eigenvalues(V) -> np.ndarray:
    """Sorted eigenvalues of H_eps = H0 + diag(V), H0 the discrete Laplacian (tridiagonal eigensolver, float64)."""
    V = np.asarray(V, dtype=np.float64)
    if V.ndim != 1 or V.size < 2:
        raise ValueError(f"V must be a 1-D array with >= 2 entries, got shape {V.shape}")
    if not np.all(np.isfinite(V)):
        raise ValueError("V must be finite")
    from scipy.linalg import eigh_tridiagonal  # imported here: the potential itself needs numpy only (gpu_run)

    d, e = laplacian_diagonals(V.size)
    return eigh_tridiagonal(d + V, e, eigvals_only=True)


def hamiltonian_dense(V) -> np.ndarray:
    """Dense H_eps (for tests and small-N work)."""
    V = np.asarray(V, dtype=np.float64)
    d, e = laplacian_diagonals(V.size)
    return np.diag(d + V) + np.diag(e, 1) + np.diag(e, -1)


# Spectrum of H0 (diagonal -2, off-diagonals 1) on the infinite lattice: -2 + 2 cos k, k in [0, pi]. On N sites
# its eigenvalues -2 + 2 cos(j pi/(N+1)) lie strictly inside; a level of H_eps outside is split off by V_eps.
H0_BAND = (-4.0, 0.0)


def split_band(levels, band=H0_BAND):
    """(bulk, outliers): the sorted levels inside the closed band [lo, hi] and those outside it."""
    e = np.sort(np.asarray(levels, dtype=np.float64).ravel())
    lo, hi = band
    if not lo < hi:
        raise ValueError(f"band must be (lo, hi) with lo < hi, got {band!r}")
    inside = (e >= lo) & (e <= hi)
    return e[inside], e[~inside]


READINGS = ("integer", "stretched", "zero")


def h_eps_levels(N: int, eps: float = 1.0, reading: str = "integer") -> np.ndarray:
    """Eigenvalues of H_eps = H0 + V_eps under a grid reading ('zero': the V = 0 control)."""
    if reading == "integer":
        V = integer_grid_potential(N, eps)
    elif reading == "stretched":
        V = stretched_grid_potential(N, eps)
    elif reading == "zero":
        V = np.zeros(N)
    else:
        raise ValueError(f"unknown reading {reading!r}; expected one of {', '.join(READINGS)}")
    return hamiltonian_eigenvalues(V)
