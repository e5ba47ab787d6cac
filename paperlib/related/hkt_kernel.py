"""The Hierarchical Kernel Transformer's score matrix (the related-theory feed's HKT abstract), for Proposition
3.1: "the hierarchical score matrix defines a positive semidefinite kernel under a sufficient condition on the
symmetrised bilinear form".

The abstract gives no equations; our reading (numpy, float64). Level l = 0..L-1 holds the sequence downsampled
2^l times by causal block means (``downsample``: token i of level l is the mean of tokens i*2^l..(i+1)*2^l - 1);
its score matrix is the bilinear form S_l = X_l A_l X_l^T (A_l = W_Q W_K^T, asymmetric in general); the coarse
scores are broadcast back to full resolution (U_l: each coarse token covers its 2^l positions) and combined with
convex weights alpha: S = sum_l alpha_l U_l S_l U_l^T. The quadratic form v^T S v only sees the symmetric part
(S + S^T)/2 = sum_l alpha_l (U_l X_l) sym(A_l) (U_l X_l)^T, so the sufficient condition read here is: every
symmetrised bilinear form sym(A_l) = (A_l + A_l^T)/2 is positive semidefinite (alpha_l >= 0). The kernel is that
of the scores before the causal mask (a mask breaks symmetry).
"""
from __future__ import annotations

import numpy as np

__all__ = ["bilinear_form", "downsample", "hierarchical_scores", "psd_trials", "upsample"]


def downsample(X: np.ndarray, level: int) -> np.ndarray:
    """Causal block means: (T, d) -> (ceil(T / 2^level), d); the last block may be shorter."""
    k = 2 ** level
    T = X.shape[0]
    return np.stack([X[i:i + k].mean(axis=0) for i in range(0, T, k)])


def upsample(level: int, T: int) -> np.ndarray:
    """U_l (T, ceil(T / 2^l)): position t reads coarse token t // 2^l."""
    k = 2 ** level
    U = np.zeros((T, -(-T // k)))
    U[np.arange(T), np.arange(T) // k] = 1.0
    return U


def hierarchical_scores(X: np.ndarray, forms, alphas) -> np.ndarray:
    """S = sum_l alpha_l U_l (X_l A_l X_l^T) U_l^T for the bilinear forms A_l (d, d) and convex weights alpha."""
    T = X.shape[0]
    S = np.zeros((T, T))
    for level, (A, a) in enumerate(zip(forms, alphas)):
        U, Xl = upsample(level, T), downsample(X, level)
        S += a * U @ (Xl @ A @ Xl.T) @ U.T
    return S


def bilinear_form(rng: np.random.Generator, d: int, *, psd_symmetric_part: bool) -> np.ndarray:
    """A random asymmetric A = P + K with K antisymmetric: sym(A) = P is PSD (B B^T) when `psd_symmetric_part`,
    otherwise indefinite (B B^T - 2 C C^T, generically with negative eigenvalues)."""
    B = rng.standard_normal((d, d))
    Kr = rng.standard_normal((d, d))
    P = B @ B.T / d
    if not psd_symmetric_part:
        C = rng.standard_normal((d, d))
        P = P - 2 * C @ C.T / d
    return P + (Kr - Kr.T) / 2


def psd_trials(seed: int, n: int, *, T: int, d: int, L: int, condition: bool) -> list[float]:
    """Smallest eigenvalue of sym(S) over its largest absolute eigenvalue, for n random instances (X, A_l, alpha)
    with (condition=True) or without (False) PSD symmetrised forms."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        X = rng.standard_normal((T, d))
        forms = [bilinear_form(rng, d, psd_symmetric_part=condition) for _ in range(L)]
        alphas = rng.dirichlet(np.ones(L))
        S = hierarchical_scores(X, forms, alphas)
        ev = np.linalg.eigvalsh((S + S.T) / 2)
        out.append(float(ev[0] / np.abs(ev).max()))
    return out
