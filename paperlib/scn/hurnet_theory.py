"""Checks of the SCN paper's mathematical claims about the HurNet least-squares fit (Sections 7, 8, 10).

* Eq. 7-8 as typed: T(x) = int_0^inf k(t, s) <x_s, x> ds, "T : H -> H" -> :func:`eq7_as_typed`.
* Eq. 8 / representer claim: "solutions to the closed-form fitting reside in the span of training embeddings"
  -> :func:`row_space_residual`, :func:`least_squares_family` (min-norm, ridge, other minimisers).
* Eq. 11: ||X_m W - Y||_F <= sigma_{r+1} ||Y||_F -> :func:`eq11_bound_check`.
* Section 8: "as m -> infinity, sigma_{r+1} -> 0" -> :func:`singular_values_by_rows`.
* Eq. 14-15: L(W, mu) = ||XW - Y||^2 + lambda * Omega(mu), Omega(mu) = int Phi(||x||) dmu(x)
  -> :func:`eq15_loss`, :func:`eq15_minimizers` (printed reading vs the ridge reading).

All computations are float64 torch; inputs may be tensors, numpy arrays or lists.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from paperlib.common.checks import as_float_tensor, check_xy
from paperlib.scn.hurnet import pinv_svd_solution

__all__ = [
    "eq7_as_typed",
    "singular_values",
    "numerical_rank",
    "row_space_residual",
    "least_squares_family",
    "eq11_bound_check",
    "eq11_worst_case",
    "eq11_r_grid",
    "singular_values_by_rows",
    "interlacing_violation",
    "eq15_loss",
    "ridge_loss",
    "eq15_minimizers",
    "matrix_with_condition",
]


def singular_values(X) -> torch.Tensor:
    X = as_float_tensor(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {tuple(X.shape)}")
    return torch.linalg.svdvals(X)


def numerical_rank(S: torch.Tensor, m: int, n: int, rcond: float | None = None) -> int:
    """Number of singular values above rcond * sigma_1 (numpy's matrix_rank default rcond = eps * max(m, n))."""
    if S.numel() == 0 or float(S[0]) == 0.0:
        return 0
    rc = torch.finfo(S.dtype).eps * max(m, n) if rcond is None else float(rcond)
    return int((S > rc * S[0]).sum())


def matrix_with_condition(m: int, n: int, cond: float, seed: int = 0, rank: int | None = None) -> torch.Tensor:
    """m x n float64 matrix U diag(s) V^T with log-spaced singular values from 1 down to 1/cond.

    rank < min(m, n) sets the trailing singular values to exactly 0 (a rank-deficient X).
    """
    if cond < 1:
        raise ValueError(f"cond must be >= 1, got {cond}")
    g = torch.Generator().manual_seed(seed)
    p = min(m, n)
    U, _ = torch.linalg.qr(torch.randn(m, p, generator=g, dtype=torch.float64))
    V, _ = torch.linalg.qr(torch.randn(n, p, generator=g, dtype=torch.float64))
    s = torch.logspace(0.0, -math.log10(cond), p, dtype=torch.float64)
    if rank is not None:
        if not 0 <= rank <= p:
            raise ValueError(f"rank must be in [0, {p}], got {rank}")
        s[rank:] = 0.0
    return (U * s) @ V.mT


# ----------------------------------------------------------------------------------------------------------
# Eq. 8: span of the training embeddings (= row space of X, since the x_i are the rows of X)
# ----------------------------------------------------------------------------------------------------------
def row_space_residual(X, W, rcond: float | None = None) -> float:
    """||(I - P) W||_F / ||W||_F with P the orthogonal projector onto span{x_1..x_m} = row space of X.

    0 means every column of W is a linear combination of training embeddings. (W may include no bias row.)
    """
    X = as_float_tensor(X, "X")
    W = as_float_tensor(W, "W")
    if W.ndim == 1:
        W = W.unsqueeze(1)
    if X.ndim != 2 or W.shape[0] != X.shape[1]:
        raise ValueError(f"W must have X.shape[1] = {X.shape[1]} rows, got shape {tuple(W.shape)}")
    _, S, Vh = torch.linalg.svd(X, full_matrices=False)
    r = numerical_rank(S, *X.shape, rcond)
    Vr = Vh[:r].mT
    resid = W - Vr @ (Vr.mT @ W)
    nw = float(torch.linalg.norm(W))
    return float(torch.linalg.norm(resid)) / nw if nw > 0 else 0.0


def least_squares_family(X, Y, ridge: float = 1e-2, seed: int = 0, gd_steps: int = 2000) -> dict:
    """Several weight matrices for the same data, to test where 'closed-form solutions' live (Eq. 8).

    Returns {name: dict(W, ls_loss, span_residual)} for
      min-norm (Eq. 10 pinv), lstsq (gelsd), ridge (X^T X + ridge I)^{-1} X^T Y (scipy-free: torch solve),
      min-norm + null-space part (another exact least-squares minimiser when rank(X) < n),
      gradient descent from 0 and from a random start (plain full-batch GD, step 1/sigma_1^2).
    """
    X, Y, _ = check_xy(X, Y, torch.float64)
    m, n = X.shape
    g = torch.Generator().manual_seed(seed)
    out = {}
    W_pinv = pinv_svd_solution(X, Y)
    out["min-norm pinv (Eq. 10)"] = W_pinv
    out["lstsq gelsd"] = torch.linalg.lstsq(X, Y, driver="gelsd").solution
    out[f"ridge lambda={ridge:g}"] = torch.linalg.solve(X.mT @ X + ridge * torch.eye(n, dtype=X.dtype), X.mT @ Y)
    _, S, Vh = torch.linalg.svd(X, full_matrices=True)
    r = numerical_rank(S, m, n)
    N = Vh[r:].mT  # basis of null(X)
    if N.shape[1] > 0:
        C = torch.randn(N.shape[1], Y.shape[1], generator=g, dtype=X.dtype)
        Z = N @ C
        Z = Z * (float(torch.linalg.norm(W_pinv)) / max(float(torch.linalg.norm(Z)), 1e-300))
        out["min-norm + null-space part"] = W_pinv + Z
    step = 1.0 / float(S[0]) ** 2
    for name, W0 in (("GD from zero", torch.zeros(n, Y.shape[1], dtype=X.dtype)),
                     ("GD from random init", torch.randn(n, Y.shape[1], generator=g, dtype=X.dtype)
                      * float(torch.linalg.norm(W_pinv)) / math.sqrt(n * Y.shape[1]))):
        W = W0.clone()
        for _ in range(gd_steps):
            W = W - step * (X.mT @ (X @ W - Y))
        out[name] = W
    res = {}
    for name, W in out.items():
        res[name] = dict(W=W, ls_loss=float(torch.linalg.norm(X @ W - Y) ** 2), span_residual=row_space_residual(X, W),
                         norm=float(torch.linalg.norm(W)))
    return res


# ----------------------------------------------------------------------------------------------------------
# Eq. 11 and Section 8
# ----------------------------------------------------------------------------------------------------------
def eq11_bound_check(X, Y, r: int | None = None, rcond: float | None = None, tol: float = 1e-8) -> dict:
    """Test ||X W - Y||_F <= sigma_{r+1} ||Y||_F (Eq. 11) for one data set.

    r : index in Eq. 9 (Sigma = diag(sigma_1..sigma_r)); None -> the numerical rank of X, as in Eq. 9.
        sigma_{r+1} := 0 when r >= min(m, n) (X has no (r+1)-th singular value).
    Two readings of W: 'full' = X^+ Y (Eq. 10 as printed), 'truncated' = rank-r pseudo-inverse
    V_r S_r^{-1} U_r^T Y. The bound 'holds' if residual <= sigma_{r+1} ||Y||_F + tol * ||Y||_F (tol absorbs
    rounding in a residual that is exactly 0 in exact arithmetic).
    Returns a dict of floats/ints/bools.
    """
    X, Y, _ = check_xy(X, Y, torch.float64)
    m, n = X.shape
    U, S, Vh = torch.linalg.svd(X, full_matrices=False)
    rank = numerical_rank(S, m, n, rcond)
    if r is None:
        r = rank
    if not isinstance(r, (int, np.integer)) or isinstance(r, bool) or r < 0:
        raise ValueError(f"r must be a non-negative int (or None for the rank), got {r!r}")
    r = int(r)
    sigma_r1 = float(S[r]) if r < S.numel() else 0.0
    ynorm = float(torch.linalg.norm(Y))
    W_full = pinv_svd_solution(X, Y, rcond=rcond)
    rr = min(r, rank)
    W_trunc = Vh[:rr].mT @ ((U[:, :rr].mT @ Y) / S[:rr].unsqueeze(1))
    res_full = float(torch.linalg.norm(X @ W_full - Y))
    res_trunc = float(torch.linalg.norm(X @ W_trunc - Y))
    bound = sigma_r1 * ynorm
    slack = tol * ynorm
    return dict(m=m, n=n, rank=rank, r=r, sigma_r1=sigma_r1, y_norm=ynorm, bound=bound,
                residual_full=res_full, residual_trunc=res_trunc,
                holds_full=res_full <= bound + slack, holds_trunc=res_trunc <= bound + slack,
                ratio_full=res_full / bound if bound > 0 else (math.inf if res_full > slack else 0.0),
                ratio_trunc=res_trunc / bound if bound > 0 else (math.inf if res_trunc > slack else 0.0))


def eq11_r_grid(X, r_points: int) -> list[int]:
    """`r_points` values of r spread over [0, min(m, n)] (distinct integers, sorted)."""
    import numpy as np

    return sorted(set(np.linspace(0, min(np.shape(X)), r_points).round().astype(int).tolist()))


def eq11_worst_case(X, Y, r_points: int, scale: float = 1e-3) -> dict:
    """Eq. 11 stress test: X rescaled by `scale` (the residuals do not change, sigma_{r+1} shrinks), every r on a
    grid of `r_points` values in [0, min(m, n)], both readings of W. Returns the worst case (largest
    residual/bound ratio) and how many (r, reading) cases violate the bound."""
    import numpy as np

    checks = [eq11_bound_check(scale * np.asarray(X), Y, r=r) for r in eq11_r_grid(X, r_points)]
    cases = [(c["ratio_full"], c["residual_full"], c["bound"], c["r"], "X+Y") for c in checks] + \
            [(c["ratio_trunc"], c["residual_trunc"], c["bound"], c["r"], "W_r") for c in checks]
    violations = sum(1 for c in checks for h in (c["holds_full"], c["holds_trunc"]) if not h)
    ratio, residual, bound, r, reading = max(cases, key=lambda c: c[0])
    return dict(r=r, reading=reading, residual=residual, bound=bound, ratio=ratio, violations=violations,
                n_cases=len(cases))


def singular_values_by_rows(X, ms, r: int) -> dict:
    """sigma_{r+1}(X_m) for the row prefixes X_m = X[:m] (Section 8: 'as m -> infinity, sigma_{r+1} -> 0').

    Returns dict(ms, sigma_r1 (array), sigma_r1_over_sqrt_m, sigma_1, monotone (bool: never decreases)).
    """
    X = as_float_tensor(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {tuple(X.shape)}")
    ms = [int(m) for m in ms]
    if any(m < 1 or m > X.shape[0] for m in ms) or ms != sorted(ms):
        raise ValueError(f"ms must be increasing and within [1, {X.shape[0]}], got {ms}")
    s_r1, s_1 = [], []
    for m in ms:
        S = torch.linalg.svdvals(X[:m])
        s_r1.append(float(S[r]) if r < S.numel() else 0.0)
        s_1.append(float(S[0]))
    s_r1 = np.array(s_r1)
    return dict(ms=np.array(ms), sigma_r1=s_r1, sigma_1=np.array(s_1),
                sigma_r1_over_sqrt_m=s_r1 / np.sqrt(np.array(ms)),
                monotone=bool(np.all(np.diff(s_r1) >= -1e-12 * max(1.0, float(np.max(s_r1))))))


def interlacing_violation(X, extra_rows) -> float:
    """max_i (sigma_i(X) - sigma_i([X; extra])) — Cauchy interlacing says adding rows never lowers any sigma_i,
    so this is <= 0 up to rounding."""
    X = as_float_tensor(X, "X")
    E = as_float_tensor(extra_rows, "extra_rows")
    if E.ndim == 1:
        E = E.unsqueeze(0)
    if X.ndim != 2 or E.shape[1] != X.shape[1]:
        raise ValueError("extra_rows must have as many columns as X")
    s0 = torch.linalg.svdvals(X)
    s1 = torch.linalg.svdvals(torch.cat([X, E], 0))[: s0.numel()]
    return float((s0 - s1).max())


# ----------------------------------------------------------------------------------------------------------
# Eq. 14-15
# ----------------------------------------------------------------------------------------------------------
def _phi_default(t: torch.Tensor) -> torch.Tensor:
    return t * t  # convex and coercive, as Eq. 14 requires


def eq15_loss(W, X, Y, lam: float, mu_support, mu_weights=None, phi=_phi_default) -> torch.Tensor:
    """Eq. 15 as printed: ||XW - Y||_F^2 + lam * Omega(mu), Omega(mu) = sum_j w_j Phi(||s_j||) (Eq. 14 for the
    discrete measure mu = sum_j w_j delta_{s_j}; uniform weights if None). Differentiable in W (a tensor)."""
    X = as_float_tensor(X, "X")
    Y = as_float_tensor(Y, "Y")
    Sup = as_float_tensor(mu_support, "mu_support")
    if Sup.ndim == 1:
        Sup = Sup.unsqueeze(0)
    w = (torch.full((Sup.shape[0],), 1.0 / Sup.shape[0], dtype=torch.float64) if mu_weights is None
         else as_float_tensor(mu_weights, "mu_weights"))
    if w.shape != (Sup.shape[0],) or bool((w < 0).any()):
        raise ValueError("mu_weights must be non-negative, one per support point")
    omega = (w * phi(torch.linalg.norm(Sup, dim=1))).sum()
    r = X @ W - Y
    return (r * r).sum() + lam * omega


def ridge_loss(W, X, Y, lam: float) -> torch.Tensor:
    """The standard ridge reading of Eq. 15: ||XW - Y||_F^2 + lam ||W||_F^2."""
    X = as_float_tensor(X, "X")
    Y = as_float_tensor(Y, "Y")
    r = X @ W - Y
    return (r * r).sum() + lam * (W * W).sum()


def eq15_minimizers(X, Y, lams, mu_support, seed: int = 0, gd_steps: int = 200) -> list[dict]:
    """For each lambda: the minimiser over W of Eq. 15 as printed and of the ridge reading.

    Printed: the autograd gradient of the printed loss at a random W (compared across lambdas), its gradient at
    the min-norm least-squares solution (stationarity: a minimiser is attained there), and the W that
    `gd_steps` of gradient descent on the printed loss (autograd, step 1/L, from W = 0) finds for this lambda,
    compared with the one found for the first lambda (printed_gd_shift: does the term move the minimiser?).
    Ridge: W = (X^T X + lam I)^{-1} X^T Y (unique for lam > 0).
    """
    X, Y, _ = check_xy(X, Y, torch.float64)
    n = X.shape[1]
    g = torch.Generator().manual_seed(seed)
    W_rand = torch.randn(n, Y.shape[1], generator=g, dtype=torch.float64)
    W_ls = pinv_svd_solution(X, Y)
    step = 1.0 / (2.0 * float(torch.linalg.matrix_norm(X, 2)) ** 2)  # 1/L, L = 2 sigma_1^2

    def descend(lam):
        W = torch.zeros(n, Y.shape[1], dtype=torch.float64, requires_grad=True)
        for _ in range(gd_steps):
            (gr,) = torch.autograd.grad(eq15_loss(W, X, Y, lam, mu_support), W)
            with torch.no_grad():
                W -= step * gr
        return W.detach()

    grads0 = W_gd0 = None
    rows = []
    for lam in lams:
        W_gd = descend(lam)
        if W_gd0 is None:
            W_gd0 = W_gd
        Wt = W_rand.clone().requires_grad_(True)
        eq15_loss(Wt, X, Y, lam, mu_support).backward()
        grad = Wt.grad.detach()
        if grads0 is None:
            grads0 = grad
        Wl = W_ls.clone().requires_grad_(True)
        eq15_loss(Wl, X, Y, lam, mu_support).backward()
        W_ridge = (torch.linalg.solve(X.mT @ X + lam * torch.eye(n, dtype=X.dtype), X.mT @ Y) if lam > 0
                   else W_ls)
        rows.append(dict(
            lam=float(lam),
            printed_grad_change=float(torch.linalg.norm(grad - grads0) / torch.linalg.norm(grads0)),
            printed_grad_at_ls=float(torch.linalg.norm(Wl.grad)),
            printed_grad_at_ls_rel=float(torch.linalg.norm(Wl.grad) / (2 * torch.linalg.norm(X.mT @ Y))),
            printed_gd_norm=float(torch.linalg.norm(W_gd)),
            printed_gd_shift=float(torch.linalg.norm(W_gd - W_gd0) / torch.linalg.norm(W_gd0)),
            printed_min_norm=float(torch.linalg.norm(W_ls)),
            printed_min_loss=float(eq15_loss(W_ls, X, Y, lam, mu_support)),
            ridge_min_norm=float(torch.linalg.norm(W_ridge)),
            ridge_fit_residual=float(torch.linalg.norm(X @ W_ridge - Y)),
        ))
    return rows


def eq7_as_typed(dim: int = 8, horizons=(10.0, 100.0, 1000.0), t: float = 0.0, grid: int = 40) -> dict:
    """Eq. 7 evaluated exactly as typed, on the domain it gives (s in [0, inf), a stream bounded as in Eq. 4).

    Stream x_s = e_1 for all s (sup ||x_s|| = 1 < M), query x = e_1 in H = R^dim, kernel k(t, s) = 1 +
    exp(-(t - s)^2): symmetric and positive-definite (a constant kernel plus a Gaussian one; the smallest
    eigenvalue of its Gram matrix on `grid` points is returned). The integrand k(t, s) <x_s, x> is a real number,
    so T(x) is a real number for each t (out_dim 0, i.e. a scalar), not an element of H (dim). Its partial
    integrals over [0, S] have the closed form S + sqrt(pi)/2 (erf(S - t) + erf(t)), which grows without bound;
    Mercer's trace int_0^S k(s, s) ds = 2S diverges too (Mercer's theorem needs a finite trace/compact domain).
    """
    x = torch.zeros(dim, dtype=torch.float64)
    x[0] = 1.0
    inner = float(x @ x)                      # <x_s, x>, the same for every s: a scalar
    integrand = torch.tensor(1.0 + math.exp(0.0)) * inner
    out_dim = integrand.dim()                 # 0: T(x) as typed is a number, not a vector of H
    partial = {float(S): (S + math.sqrt(math.pi) / 2 * (math.erf(S - t) + math.erf(t))) * inner for S in horizons}
    pts = torch.linspace(0.0, 10.0, grid, dtype=torch.float64)
    gram = 1.0 + torch.exp(-(pts[:, None] - pts[None, :]) ** 2)
    return dict(out_dim=out_dim, h_dim=dim, partial=partial, trace={float(S): 2.0 * S for S in horizons},
                min_gram_eig=float(torch.linalg.eigvalsh(gram).min()), symmetric=bool(torch.equal(gram, gram.T)))
