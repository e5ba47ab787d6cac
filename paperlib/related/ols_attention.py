"""OLS as a single-layer linear Transformer (the related-theory feed's paper "Ordinary Least Squares is a
Special Case of Transformer"). Our own construction from the abstract's recipe; no authors' code.

Tokens. Context token i is z_i = [x_i; y_i] in R^{d+k}; the query token is z_q = [x_q; 0].
One linear-attention layer (no softmax), normalised by the context length n:

    attn(z_q) = (1/n) sum_i  (W_V z_i) * <W_K z_i, W_Q z_q>                                   (LA)
              = (1/n) (Z_q W_Q^T)(Z W_K^T)^T (Z W_V^T)            (all queries at once, one pass)

Construction via the spectral decomposition of the empirical covariance

    Sigma = X^T X / n = U Lambda U^T,   P = Lambda_r^{-1/2} U_r^T    (r eigen-pairs above a cut-off)
    W_K = W_Q = [P, 0_{r x k}],   W_V = [[0, 0], [0, I_k]]                                    (C)

so that <W_K z_i, W_Q z_q> = x_i^T U_r Lambda_r^{-1} U_r^T x_q = x_i^T Sigma^+ x_q and the y-slot of
attn(z_q) is

    (1/n) sum_i y_i x_i^T Sigma^+ x_q = x_q^T (X^T X)^+ X^T Y,                                (OLS)

the OLS prediction (min-norm least squares when X^T X is singular, since (X^T X)^+ X^T = X^+). With a
residual connection the y-slot is unchanged because the query's y-slot is 0.

Slow vs fast memory. The weights (C) depend only on Sigma_A = X_A^T X_A / n_A of the data set A they were
built from (never on y_A): they are the *slow* memory (input geometry). The context carries everything
about the task, (1/n_B) X_B^T Y_B: the *fast* memory. Weights from A applied to context B give

    y-slot = x_q^T Sigma_A^+ (X_B^T Y_B / n_B) = x_q^T (Sigma_A^+ Sigma_B) beta_B,             (SF)

beta_B = OLS solution on B. This equals B's OLS prediction exactly when Sigma_A^+ Sigma_B acts as the
identity (e.g. X_B = X_A with any new targets Y_B: exact in-context OLS for a new task), approximately when
X_B is drawn from the same distribution as X_A (error ~ ||Sigma_A^{-1} Sigma_B - I||), and is biased by the
mismatch operator Sigma_A^+ Sigma_B otherwise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from paperlib.common.checks import as_float_tensor, check_xy, relative_error  # noqa: F401 (re-exported)

__all__ = [
    "LinearAttentionOLS",
    "build_ols_attention",
    "linear_attention",
    "make_context_tokens",
    "make_query_tokens",
    "ols_lstsq_predict",
    "empirical_covariance",
    "slow_fast_theory",
    "mismatch_operator",
    "make_conditioned_problem",
    "relative_error",
    "error_vs_condition",
    "slow_fast_sweep",
]

METHODS = ("eigh", "svd")


# ----------------------------------------------------------------------------------------------------------
# input checking
# ----------------------------------------------------------------------------------------------------------
def _as_tensor(a, name: str, dtype=torch.float64, ndim: tuple[int, ...] = (2,)) -> torch.Tensor:
    t = as_float_tensor(a, name, dtype)  # numeric, real and finite
    if t.ndim not in ndim:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndim))} dimensions, got shape {tuple(t.shape)}")
    if any(s == 0 for s in t.shape):
        raise ValueError(f"{name} is empty (shape {tuple(t.shape)})")
    return t


def _check_dtype(dtype) -> None:
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")


def _check_queries(Xq, d: int, dtype) -> tuple[torch.Tensor, bool]:
    Xq = _as_tensor(Xq, "Xq", dtype, ndim=(1, 2))
    single = Xq.ndim == 1
    if single:
        Xq = Xq.unsqueeze(0)
    if Xq.shape[1] != d:
        raise ValueError(f"queries have {Xq.shape[1]} features but the construction expects d={d}")
    return Xq, single


def _check_rcond(rcond) -> None:
    if rcond is None:
        return
    if not isinstance(rcond, (int, float)) or isinstance(rcond, bool) or not math.isfinite(rcond) or not 0 <= rcond < 1:
        raise ValueError(f"rcond must be a number in [0, 1) or None, got {rcond!r}")


# ----------------------------------------------------------------------------------------------------------
# tokens and the layer
# ----------------------------------------------------------------------------------------------------------
def make_context_tokens(X, Y, dtype=torch.float64) -> torch.Tensor:
    """Z = [X, Y] (n x (d+k)): context token i is z_i = [x_i; y_i]."""
    _check_dtype(dtype)
    X, Y, _ = check_xy(X, Y, dtype)
    return torch.cat([X, Y], dim=1)


def make_query_tokens(Xq, k: int, dtype=torch.float64) -> torch.Tensor:
    """Z_q = [X_q, 0] (m x (d+k)): the query tokens carry a zero y-slot of width k."""
    _check_dtype(dtype)
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k (number of outputs) must be an int >= 1, got {k!r}")
    Xq = _as_tensor(Xq, "Xq", dtype, ndim=(1, 2))
    if Xq.ndim == 1:
        Xq = Xq.unsqueeze(0)
    return torch.cat([Xq, Xq.new_zeros(Xq.shape[0], k)], dim=1)


def linear_attention(Z_ctx: torch.Tensor, Z_q: torch.Tensor, W_K: torch.Tensor, W_Q: torch.Tensor,
                     W_V: torch.Tensor, normalize: bool = True) -> torch.Tensor:
    """Single-layer linear attention (no softmax), Eq. (LA): (1/n)(Z_q W_Q^T)(Z W_K^T)^T (Z W_V^T).

    Z_ctx (n x p) context tokens, Z_q (m x p) queries, W_K/W_Q (r x p), W_V (p_out x p).
    Returns (m x p_out). One forward pass: three matrix products, no iteration.
    """
    for name, t, nd in (("Z_ctx", Z_ctx, 2), ("Z_q", Z_q, 2), ("W_K", W_K, 2), ("W_Q", W_Q, 2), ("W_V", W_V, 2)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.ndim != nd:
            raise ValueError(f"{name} must be 2-D, got shape {tuple(t.shape)}")
    p = Z_ctx.shape[1]
    if Z_q.shape[1] != p or W_K.shape[1] != p or W_Q.shape[1] != p or W_V.shape[1] != p:
        raise ValueError(f"token width mismatch: Z_ctx {tuple(Z_ctx.shape)}, Z_q {tuple(Z_q.shape)}, "
                         f"W_K {tuple(W_K.shape)}, W_Q {tuple(W_Q.shape)}, W_V {tuple(W_V.shape)}")
    if W_K.shape[0] != W_Q.shape[0]:
        raise ValueError(f"W_K and W_Q must map to the same key dimension, got {W_K.shape[0]} and {W_Q.shape[0]}")
    keys = Z_ctx @ W_K.T                # n x r
    queries = Z_q @ W_Q.T               # m x r
    values = Z_ctx @ W_V.T              # n x p_out
    scores = queries @ keys.T           # m x n, no softmax
    out = scores @ values
    return out / Z_ctx.shape[0] if normalize else out


@dataclass
class LinearAttentionOLS:
    """The explicit parameter setting (C) of a single-layer linear Transformer that computes OLS.

    Attributes: W_K, W_Q (r x (d+k)), W_V ((d+k) x (d+k)), eigvals (all d eigenvalues of Sigma, ascending),
    eigvecs (d x d), rank r, d, k, n_build (rows of the data set the weights were built from), method,
    eig_rcond (eigen-pairs with lambda <= eig_rcond * lambda_max were dropped).
    """

    W_K: torch.Tensor
    W_Q: torch.Tensor
    W_V: torch.Tensor
    eigvals: torch.Tensor
    eigvecs: torch.Tensor
    rank: int
    d: int
    k: int
    n_build: int
    method: str
    eig_rcond: float

    @property
    def sv_rcond(self) -> float:
        """The same cut-off on singular values of X relative to sigma_1 (sqrt(eig_rcond)): pass it to
        numpy.linalg.lstsq(rcond=...) to get the reference solution with the same truncation."""
        return math.sqrt(self.eig_rcond)

    @property
    def kept_cond(self) -> float:
        """Condition number of X restricted to the kept directions: sqrt(lambda_max / smallest kept lambda)."""
        kept = self.eigvals[self.eigvals > self.eig_rcond * self.eigvals.max()]
        return math.sqrt(float(kept.max() / kept.min()))

    @property
    def covariance_pinv(self) -> torch.Tensor:
        """W_K^T W_Q restricted to the x-block: Sigma^+ (the slow memory)."""
        return self.W_K[:, : self.d].T @ self.W_Q[:, : self.d]

    def forward_tokens(self, Z_ctx: torch.Tensor, Z_q: torch.Tensor) -> torch.Tensor:
        """Full layer output (m x (d+k)) over token matrices; the x-block is 0, the y-block the prediction."""
        return linear_attention(Z_ctx, Z_q, self.W_K, self.W_Q, self.W_V)

    def predict(self, X_ctx, Y_ctx, Xq) -> torch.Tensor:
        """Read the y-slot of the attention output for queries Xq given context (X_ctx, Y_ctx).

        Y_ctx may be 1-D (k = 1; the result is then 1-D) or (n x k). A 1-D Xq gives one query.
        """
        dtype = self.W_K.dtype
        X, Y, squeeze = check_xy(X_ctx, Y_ctx, dtype)
        if X.shape[1] != self.d:
            raise ValueError(f"context X has {X.shape[1]} features but the weights were built for d={self.d}")
        if Y.shape[1] != self.k:
            raise ValueError(f"context Y has {Y.shape[1]} outputs but the weights were built for k={self.k}")
        Xq, single = _check_queries(Xq, self.d, dtype)
        X, Y, Xq = (t.to(self.W_K.device) for t in (X, Y, Xq))
        out = self.forward_tokens(torch.cat([X, Y], 1), torch.cat([Xq, Xq.new_zeros(Xq.shape[0], self.k)], 1))
        pred = out[:, self.d:]
        if squeeze:
            pred = pred[:, 0]
        return pred[0] if single else pred

    def implied_weight(self, X_ctx, Y_ctx) -> torch.Tensor:
        """The linear map the layer applies to x_q given this context: Sigma_build^+ X^T Y / n (d x k)."""
        dtype = self.W_K.dtype
        X, Y, _ = check_xy(X_ctx, Y_ctx, dtype)
        if X.shape[1] != self.d or Y.shape[1] != self.k:
            raise ValueError(f"context shapes {tuple(X.shape)}, {tuple(Y.shape)} do not match d={self.d}, k={self.k}")
        return self.covariance_pinv @ (X.T @ Y) / X.shape[0]


def empirical_covariance(X, dtype=torch.float64) -> torch.Tensor:
    """Sigma = X^T X / n (uncentred second moment, as in the OLS normal equations)."""
    _check_dtype(dtype)
    X = _as_tensor(X, "X", dtype)
    return X.T @ X / X.shape[0]


def build_ols_attention(X, k: int = 1, *, rcond: float | None = None, method: str = "eigh",
                        dtype=torch.float64) -> LinearAttentionOLS:
    """Construct W_K, W_Q, W_V of Eq. (C) from the inputs X (n x d) of a data set; k = number of targets.

    method: 'eigh' -- eigen-decomposition of Sigma = X^T X / n (the paper's spectral decomposition);
            'svd'  -- the same decomposition obtained from the SVD of X / sqrt(n) (Sigma = V S^2 V^T), which
                      keeps the small eigenvalues accurate (no squaring of cond(X) before the decomposition).
    rcond: eigen-pairs with lambda_i <= rcond * lambda_max are dropped (pseudo-inverse, rank r < d).
           Default: eps * max(n, d) for 'eigh' (eigenvalues of Sigma below that are rounding noise) and
           (eps * max(n, d))^2 for 'svd' (numpy.linalg.lstsq's default cut-off on singular values, squared).
    Note: the weights use only X, never the targets -- Y arrives through the context at inference.
    """
    _check_dtype(dtype)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k (number of outputs) must be an int >= 1, got {k!r}")
    _check_rcond(rcond)
    X = _as_tensor(X, "X", dtype)
    n, d = X.shape
    eps = torch.finfo(dtype).eps
    if method == "eigh":
        lam, U = torch.linalg.eigh(X.T @ X / n)              # ascending
        cut = (eps * max(n, d)) if rcond is None else rcond
    else:
        _, s, Vh = torch.linalg.svd(X / math.sqrt(n), full_matrices=True)
        s_full = torch.zeros(d, dtype=dtype, device=X.device)
        s_full[: s.shape[0]] = s
        lam, U = (s_full ** 2).flip(0), Vh.T.flip(1)         # ascending, like eigh
        cut = (eps * max(n, d)) ** 2 if rcond is None else rcond
    lam_max = float(lam.max()) if lam.numel() else 0.0
    keep = lam > cut * lam_max if lam_max > 0 else torch.zeros_like(lam, dtype=torch.bool)
    r = int(keep.sum())
    if r == 0:
        raise ValueError("X is zero (or numerically zero): the empirical covariance has no usable eigenvalue")
    P = lam[keep].rsqrt().unsqueeze(1) * U[:, keep].T        # r x d: Lambda_r^{-1/2} U_r^T
    W_K = torch.cat([P, P.new_zeros(r, k)], dim=1)
    W_Q = W_K.clone()
    W_V = torch.zeros(d + k, d + k, dtype=dtype, device=X.device)
    W_V[d:, d:] = torch.eye(k, dtype=dtype, device=X.device)
    return LinearAttentionOLS(W_K=W_K, W_Q=W_Q, W_V=W_V, eigvals=lam, eigvecs=U, rank=r, d=d, k=k,
                              n_build=n, method=method, eig_rcond=float(cut))


# ----------------------------------------------------------------------------------------------------------
# references and the slow/fast reading
# ----------------------------------------------------------------------------------------------------------
def ols_lstsq_predict(X, Y, Xq, rcond: float | None = None) -> np.ndarray:
    """Independent oracle: x_q^T beta with beta = numpy.linalg.lstsq(X, Y) (LAPACK gelsd, min-norm), float64."""
    Xn = _as_tensor(X, "X").cpu().numpy()
    Yn = _as_tensor(Y, "Y", ndim=(1, 2)).cpu().numpy()
    Xqn = _as_tensor(Xq, "Xq", ndim=(1, 2)).cpu().numpy()
    if Yn.shape[0] != Xn.shape[0]:
        raise ValueError(f"X has {Xn.shape[0]} rows but Y has {Yn.shape[0]}")
    if Xqn.shape[-1] != Xn.shape[1]:
        raise ValueError(f"queries have {Xqn.shape[-1]} features, X has {Xn.shape[1]}")
    beta = np.linalg.lstsq(Xn, Yn, rcond=rcond)[0]
    return Xqn @ beta


def mismatch_operator(X_A, X_B, rcond: float | None = None, dtype=torch.float64) -> torch.Tensor:
    """M = Sigma_A^+ Sigma_B (d x d): how weights built on A distort B's OLS solution (Eq. SF)."""
    params = build_ols_attention(X_A, 1, rcond=rcond, dtype=dtype)
    S_B = empirical_covariance(X_B, dtype).to(params.W_K.device)
    if S_B.shape[0] != params.d:
        raise ValueError(f"X_A has {params.d} features but X_B has {S_B.shape[0]}")
    return params.covariance_pinv @ S_B


def slow_fast_theory(X_A, X_B, Y_B, Xq, rcond: float | None = None, dtype=torch.float64) -> torch.Tensor:
    """Closed form (SF) of the prediction when weights come from A and context from B:
    x_q^T (Sigma_A^+ Sigma_B) beta_B, with beta_B = lstsq(X_B, Y_B) computed independently (numpy).

    Valid when B's residual is orthogonal to range(X_B) -- always true for the least-squares residual, so
    X_B^T Y_B = X_B^T X_B beta_B exactly and the formula is an identity.
    """
    Xb, Yb, squeeze = check_xy(X_B, Y_B, dtype)
    Xq, single = _check_queries(Xq, Xb.shape[1], dtype)
    beta = torch.from_numpy(np.linalg.lstsq(Xb.cpu().numpy(), Yb.cpu().numpy(), rcond=None)[0]).to(dtype=dtype, device=Xb.device)
    out = Xq @ mismatch_operator(X_A, Xb, rcond=rcond, dtype=dtype) @ beta
    if squeeze:
        out = out[:, 0]
    return out[0] if single else out


def make_conditioned_problem(n: int, d: int, k: int = 1, cond: float = 10.0, noise: float = 0.1,
                             n_query: int = 8, rank: int | None = None, seed: int = 0) -> dict:
    """A random regression problem with prescribed cond(X) (singular values log-spaced from 1 to 1/cond).

    X = U diag(s) V^T (U, V Haar-random orthonormal), Y = X beta + noise * N(0, 1), queries drawn like rows
    of X (x_q = g diag(s) V^T with g ~ N(0, I/n)). rank < min(n, d) zeroes the trailing singular values
    (exactly singular X^T X). Returns dict(X, Y, Xq, beta, cond) of float64 numpy arrays.
    """
    for name, v in (("n", n), ("d", d), ("k", k), ("n_query", n_query), ("seed", seed)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError(f"{name} must be an int, got {type(v).__name__}")
    if n < 1 or d < 1 or k < 1 or n_query < 1:
        raise ValueError(f"n, d, k, n_query must be >= 1, got {n}, {d}, {k}, {n_query}")
    if not (isinstance(cond, (int, float)) and math.isfinite(cond) and cond >= 1):
        raise ValueError(f"cond must be a finite number >= 1, got {cond!r}")
    p = min(n, d)
    if rank is not None and (not isinstance(rank, int) or not 1 <= rank <= p):
        raise ValueError(f"rank must be an int in [1, min(n, d)={p}], got {rank!r}")
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((n, p)))
    V, _ = np.linalg.qr(rng.standard_normal((d, p)))
    s = np.logspace(0, -math.log10(cond), p) if p > 1 else np.ones(1)
    if rank is not None:
        s[rank:] = 0.0
    X = (U * s) @ V.T
    beta = rng.standard_normal((d, k))
    Y = X @ beta + noise * rng.standard_normal((n, k))
    Xq = (rng.standard_normal((n_query, p)) / math.sqrt(n) * s) @ V.T
    return {"X": X, "Y": Y, "Xq": Xq, "beta": beta, "cond": float(cond)}


# ----------------------------------------------------------------------------------------------------------
# sweeps used by notebook 30 (kept here so that the notebook only calls them)
# ----------------------------------------------------------------------------------------------------------
def error_vs_condition(conds, n: int, d: int, k: int = 1, n_instances: int = 5, seed: int = 0,
                       noise: float = 0.1) -> list[dict]:
    """For each prescribed cond(X) and instance: relative error of the attention prediction (both
    constructions) vs numpy.linalg.lstsq, the construction's rank, the measured cond(X) and d*cond^2*eps."""
    eps = float(np.finfo(np.float64).eps)
    rows = []
    for ci, cond in enumerate(conds):
        for i in range(n_instances):
            P = make_conditioned_problem(n, d, k, cond=float(cond), noise=noise, seed=seed + 1000 * ci + i)
            ref = ols_lstsq_predict(P["X"], P["Y"], P["Xq"])
            kappa = float(np.linalg.cond(P["X"]))
            for method in METHODS:
                params = build_ols_attention(P["X"], k, method=method)
                err = relative_error(params.predict(P["X"], P["Y"], P["Xq"]), ref)
                rows.append({"cond_target": float(cond), "cond_X": kappa, "instance": i, "method": method,
                             "rank": params.rank, "d": d, "rel_err": err, "bound": d * kappa ** 2 * eps})
    return rows


def slow_fast_sweep(n_bs, d: int = 8, n_A: int = 4000, shift_scale: float = 2.0, n_query: int = 64,
                    noise: float = 0.1, seed: int = 0) -> list[dict]:
    """Weights built from data set A (X_A ~ N(0, I)), context from data set B; for each n_B and scenario:

    * 'same inputs, new task': X_B = first n_B rows of a fixed design with the weights built on that design;
    * 'same distribution': X_B ~ N(0, I) fresh (weights from A);
    * 'shifted distribution': X_B ~ N(0, D^2), D = diag(shift_scale ** linspace(-1, 1, d)) (weights from A).

    Reports the relative deviation from B's own OLS prediction, the deviation from the closed form (SF)
    and ||Sigma_A^+ Sigma_B - I||_2.
    """
    rng = np.random.default_rng(seed)
    XA = rng.standard_normal((n_A, d))
    params_A = build_ols_attention(XA, 1)
    Xq = rng.standard_normal((n_query, d))
    if not (isinstance(shift_scale, (int, float)) and shift_scale > 0):
        raise ValueError(f"shift_scale must be > 0, got {shift_scale!r}")
    D = float(shift_scale) ** np.linspace(-1, 1, d)
    rows = []
    for nB in n_bs:
        beta = rng.standard_normal((d, 1))                       # a new task for every context
        cases = {
            "same inputs, new task": (rng.standard_normal((nB, d)), None),
            "same distribution": (rng.standard_normal((nB, d)), params_A),
            "shifted distribution": (rng.standard_normal((nB, d)) * D, params_A),
        }
        for name, (XB, params) in cases.items():
            if params is None:                                   # weights built on exactly these inputs
                params = build_ols_attention(XB, 1)
                XA_used = XB
            else:
                XA_used = XA
            YB = XB @ beta + noise * rng.standard_normal((nB, 1))
            pred = params.predict(XB, YB, Xq)
            M = mismatch_operator(XA_used, XB).numpy()
            rows.append({"n_B": int(nB), "scenario": name,
                         "dev_from_ols_B": relative_error(pred, ols_lstsq_predict(XB, YB, Xq)),
                         "dev_from_SF": relative_error(pred, slow_fast_theory(XA_used, XB, YB, Xq)),
                         "mismatch_norm": float(np.linalg.norm(M - np.eye(d), 2))})
    return rows
