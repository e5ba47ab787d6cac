"""HurNet layer: a linear map whose weights are fitted in closed form by least squares (SCN paper, Eq. 3, 9-10).

The SCN paper (Section 4): X (m x n) inputs, Y (m x k) targets,

    W = (X^T X)^{-1} X^T Y                                    (Eq. 3)
    X = U S V^T,  W = X^+ Y = V S^+ U^T Y                     (Eq. 9-10)

What this module adds so the layer is usable (all documented on :class:`HurNetLayer`):

* an optional bias (an appended column of ones; the bias is never penalised by the ridge term),
* a ridge term: minimise ||XW + 1b - Y||_F^2 + ridge * ||W||_F^2,
* solvers that never form an explicit inverse: ``lstsq`` (LAPACK gelsd: min-norm solution, i.e. Eq. 10),
  ``svd`` (Eq. 10 literally), ``qr`` (Householder QR + triangular solve), ``cholesky`` (normal equations,
  Eq. 3 solved by a Cholesky factorisation, with a conditioning check),
* singular / ill-conditioned systems: ``qr`` and ``cholesky`` FALL BACK to the pseudo-inverse (Eq. 10,
  the minimum-norm least-squares solution; computed by SVD / gelsd on X itself, or from the eigendecomposition
  of the accumulated X^T X in ``partial_fit``) and emit :class:`HurNetFallbackWarning`; pass
  ``on_singular="raise"`` to get :class:`SingularSystemError` instead. ``lstsq`` and ``svd`` are already
  pseudo-inverse solvers and need no fallback.
* ``partial_fit``: incremental update accumulating the sufficient statistics G = X^T X and B = X^T Y over
  all rows seen so far, then re-solving the (n x n) normal equations — cost O(m_new n^2 + n^3), independent
  of the number of rows already seen. Equals a full refit on all rows up to rounding (cond(X)^2 * eps).
"""
from __future__ import annotations

import math
import warnings

import torch
from paperlib.common.checks import as_float_tensor, check_xy

__all__ = [
    "HurNetLayer",
    "HurNetFallbackWarning",
    "SingularSystemError",
    "SOLVERS",
    "pinv_svd_solution",
    "explicit_inverse_solution",
    "solve_least_squares",
]

SOLVERS = ("lstsq", "cholesky", "qr", "svd")


class HurNetFallbackWarning(RuntimeWarning):
    """A QR/Cholesky fit met a singular or ill-conditioned system and used the SVD pseudo-inverse instead."""


class SingularSystemError(ValueError):
    """X^T X (plus ridge) is singular or too ill-conditioned for the chosen solver and on_singular='raise'."""


# ----------------------------------------------------------------------------------------------------------
# input checking
# ----------------------------------------------------------------------------------------------------------
def _default_rcond(m: int, n: int, dtype) -> float:
    """numpy.linalg.lstsq / pinv default cut-off: eps * max(m, n) relative to sigma_1."""
    return torch.finfo(dtype).eps * max(m, n)


# ----------------------------------------------------------------------------------------------------------
# solvers (functions; the layer calls these)
# ----------------------------------------------------------------------------------------------------------
def pinv_svd_solution(X, Y, rcond: float | None = None, dtype=torch.float64) -> torch.Tensor:
    """Eq. 10: W = X^+ Y = V S^+ U^T Y, with S^+ inverting singular values above rcond * sigma_1 (others -> 0).

    This is the minimum-Frobenius-norm least-squares solution. Returns a (n x k) tensor (n x 1 for 1-D Y).
    """
    X, Y, y1 = check_xy(X, Y, dtype)
    U, S, Vh = torch.linalg.svd(X, full_matrices=False)
    rc = _default_rcond(*X.shape, X.dtype) if rcond is None else float(rcond)
    keep = S > rc * S[0] if S.numel() else S > 0
    s_inv = torch.where(keep, 1.0 / torch.where(keep, S, torch.ones_like(S)), torch.zeros_like(S))
    W = Vh.mT @ (s_inv.unsqueeze(1) * (U.mT @ Y))
    return W[:, 0] if y1 else W


def explicit_inverse_solution(X, Y, dtype=torch.float64) -> torch.Tensor:
    """Eq. 3 exactly as printed: W = (X^T X)^{-1} X^T Y with an explicit matrix inverse.

    Only for comparison (it is what the layer avoids). Raises SingularSystemError if torch detects X^T X as
    exactly singular; a numerically singular X^T X (rank-deficient X) usually is NOT detected and yields a
    meaningless W — one reason the layer never forms this inverse.
    """
    X, Y, y1 = check_xy(X, Y, dtype)
    G = X.mT @ X
    try:
        Ginv = torch.linalg.inv(G)
    except RuntimeError as exc:  # torch.linalg.LinAlgError subclasses RuntimeError
        raise SingularSystemError(f"X^T X is singular (rank(X) < n = {X.shape[1]}); Eq. 3 does not exist: {exc}") from None
    W = Ginv @ (X.mT @ Y)
    return W[:, 0] if y1 else W


def _ridge_diag(n_aug: int, ridge: float, bias: bool, like: torch.Tensor) -> torch.Tensor:
    """Diagonal of the penalty: ridge on the weights, 0 on the bias row (the bias is not shrunk)."""
    d = torch.full((n_aug,), float(ridge), dtype=like.dtype, device=like.device)
    if bias:
        d[-1] = 0.0
    return d


def _augment(X: torch.Tensor, bias: bool) -> torch.Tensor:
    if not bias:
        return X
    return torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype, device=X.device)], dim=1)


def normal_stats(X: torch.Tensor, Y: torch.Tensor, bias: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Sufficient statistics of least squares on [X, 1]: G = Xa^T Xa and B = Xa^T Y, without copying X.

    With a bias the blocks are [[X^T X, X^T 1], [1^T X, m]] and [[X^T Y], [1^T Y]].
    """
    G = X.mT @ X
    B = X.mT @ Y
    if bias:
        s = X.sum(dim=0)
        m = torch.tensor([[float(X.shape[0])]], dtype=X.dtype, device=X.device)
        G = torch.cat([torch.cat([G, s.unsqueeze(1)], 1), torch.cat([s.unsqueeze(0), m], 1)], 0)
        B = torch.cat([B, Y.sum(dim=0, keepdim=True)], 0)
    return G, B


def _pinv_from_gram(G: torch.Tensor, B: torch.Tensor, rcond: float | None) -> torch.Tensor:
    """Min-norm solution of G W = B for symmetric PSD G = A^T A (B in range(G)): W = V diag(1/lam) V^T B.

    Eigenvalues lam = sigma^2; cut-off rcond on sigma, i.e. rcond^2 on lam (but never below eps * n * lam_max).
    """
    lam, V = torch.linalg.eigh(G)
    lam_max = lam.abs().max() if lam.numel() else lam.new_tensor(0.0)
    eps = torch.finfo(G.dtype).eps
    rc = math.sqrt(eps) if rcond is None else float(rcond)
    cut = torch.clamp(lam_max * max(rc * rc, eps * G.shape[0]), min=torch.finfo(G.dtype).tiny)
    keep = lam > cut
    inv = torch.where(keep, 1.0 / torch.where(keep, lam, torch.ones_like(lam)), torch.zeros_like(lam))
    return V @ (inv.unsqueeze(1) * (V.mT @ B))


def _gram_condition(G: torch.Tensor) -> float:
    """2-norm condition number of the symmetric PSD matrix G from its eigenvalues (inf if singular)."""
    lam = torch.linalg.eigvalsh(G)
    lo, hi = float(lam[0]), float(lam[-1])
    if hi <= 0.0:
        return math.inf
    return math.inf if lo <= hi * torch.finfo(G.dtype).eps else hi / lo


def _solve_gram(G, B, *, cond_limit: float, on_singular: str, rcond, what: str, fallback=None):
    """Solve the normal equations by Cholesky after a conditioning check; otherwise fall back to the
    pseudo-inverse: `fallback()` if given (fit: gelsd on X itself, accurate to ~cond(X) eps), else the
    eigendecomposition of G (partial_fit: only G is kept, so accuracy is limited to ~cond(X)^2 eps)."""
    cond = _gram_condition(G)
    if cond <= cond_limit:
        L, info = torch.linalg.cholesky_ex(G)
        if int(info) == 0:
            return torch.cholesky_solve(B, L), "cholesky", cond
    msg = (f"{what}: X^T X{' + ridge' if what.endswith('ridge') else ''} is singular or ill-conditioned "
           f"(cond = {cond:.3g} > cond_limit = {cond_limit:.3g})")
    if on_singular == "raise":
        raise SingularSystemError(msg + "; use solver='lstsq'/'svd', a ridge > 0, or on_singular='pinv'")
    warnings.warn(msg + "; falling back to the pseudo-inverse (min-norm) solution, Eq. 10"
                  + (" via lstsq on X" if fallback is not None else " via eigh of X^T X"),
                  HurNetFallbackWarning, stacklevel=3)
    if fallback is not None:
        W, used = fallback()
        return W, used, cond
    return _pinv_from_gram(G, B, rcond), "pinv-eigh", cond


def solve_least_squares(X, Y, *, bias: bool = False, ridge: float = 0.0, solver: str = "lstsq",
                        dtype=torch.float64, rcond: float | None = None, cond_limit: float | None = None,
                        on_singular: str = "pinv") -> dict:
    """Minimise ||[X,1] Wa - Y||_F^2 + ridge * ||W||_F^2 (bias row unpenalised) with the chosen solver.

    Returns dict(W=(n_aug x k) tensor, solver_used=str, cond=float or nan, rank=int or -1).
    The ridge term is folded in as extra rows sqrt(ridge) * I (lstsq/qr/svd) or as G + ridge*I (cholesky).
    """
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; expected one of {', '.join(SOLVERS)}")
    if on_singular not in ("pinv", "raise"):
        raise ValueError(f"on_singular must be 'pinv' or 'raise', got {on_singular!r}")
    if not isinstance(ridge, (int, float)) or isinstance(ridge, bool) or not math.isfinite(ridge) or ridge < 0:
        raise ValueError(f"ridge must be a finite number >= 0, got {ridge!r}")
    X, Y, _ = check_xy(X, Y, dtype)
    n_aug = X.shape[1] + int(bias)
    eps = torch.finfo(X.dtype).eps
    cond_limit = (1.0 / math.sqrt(eps)) if cond_limit is None else float(cond_limit)

    if solver == "cholesky":
        G, B = normal_stats(X, Y, bias)
        if ridge > 0:
            G = G + torch.diag(_ridge_diag(n_aug, ridge, bias, G))

        def fallback():
            out = solve_least_squares(X, Y, bias=bias, ridge=ridge, solver="lstsq", dtype=dtype, rcond=rcond)
            return out["W"], "cholesky->" + out["solver_used"]

        W, used, cond = _solve_gram(G, B, cond_limit=cond_limit, on_singular=on_singular, rcond=rcond,
                                    what="cholesky" + (" with ridge" if ridge > 0 else ""), fallback=fallback)
        return dict(W=W, solver_used=used, cond=cond, rank=-1)

    A = _augment(X, bias)
    Yt = Y
    if ridge > 0:  # ||A W - Y||^2 + ridge ||D W||^2 == || [A; sqrt(ridge) D] W - [Y; 0] ||^2
        D = torch.diag(_ridge_diag(n_aug, ridge, bias, A).sqrt())
        keep_rows = D.diagonal() > 0
        A = torch.cat([A, D[keep_rows]], 0)
        Yt = torch.cat([Y, Y.new_zeros(int(keep_rows.sum()), Y.shape[1])], 0)
    m = A.shape[0]

    if solver == "svd":
        return dict(W=pinv_svd_solution(A, Yt, rcond=rcond, dtype=dtype), solver_used="svd", cond=float("nan"),
                    rank=-1)

    if solver == "lstsq":
        if A.device.type == "cpu":
            rc = _default_rcond(m, n_aug, A.dtype) if rcond is None else float(rcond)
            res = torch.linalg.lstsq(A, Yt, rcond=rc, driver="gelsd")
            return dict(W=res.solution, solver_used="lstsq-gelsd", cond=float("nan"), rank=int(res.rank))
        # CUDA lstsq only has 'gels' (full-rank only): use the SVD route there (same min-norm solution)
        return dict(W=pinv_svd_solution(A, Yt, rcond=rcond, dtype=dtype), solver_used="svd", cond=float("nan"),
                    rank=-1)

    # solver == "qr": A = QR (reduced), W = R^{-1} Q^T Y; needs full column rank
    if m >= n_aug:
        Q, R = torch.linalg.qr(A, mode="reduced")
        d = R.diagonal().abs()
        dmax = float(d.max())
        ok = dmax > 0 and float(d.min()) > dmax * max(eps * max(m, n_aug), 1.0 / cond_limit ** 0.5)
        if ok:
            W = torch.linalg.solve_triangular(R, Q.mT @ Yt, upper=True)
            return dict(W=W, solver_used="qr", cond=float("nan"), rank=n_aug)
        why = f"R has a (near-)zero diagonal entry (min/max |R_ii| = {float(d.min()) / max(dmax, 1e-300):.3g})"
    else:
        why = f"fewer rows ({m}) than unknowns ({n_aug}): X^T X is singular"
    msg = f"qr: X is rank-deficient, {why}"
    if on_singular == "raise":
        raise SingularSystemError(msg + "; use solver='lstsq'/'svd', a ridge > 0, or on_singular='pinv'")
    warnings.warn(msg + "; falling back to the pseudo-inverse (min-norm) solution, Eq. 10", HurNetFallbackWarning,
                  stacklevel=2)
    return dict(W=pinv_svd_solution(A, Yt, rcond=rcond, dtype=dtype), solver_used="svd", cond=float("nan"), rank=-1)


# ----------------------------------------------------------------------------------------------------------
# the layer
# ----------------------------------------------------------------------------------------------------------
class HurNetLayer(torch.nn.Module):
    """Linear layer y = x W + b whose weights are computed in closed form (Eq. 3 / Eq. 9-10), not by gradients.

    Parameters
    ----------
    in_features, out_features : sizes n and k.
    bias : add an intercept (a column of ones); it is never penalised by the ridge term.
    ridge : lambda >= 0 in ||XW + 1b - Y||_F^2 + lambda ||W||_F^2 (0 = plain least squares).
    dtype : floating dtype of the weights and of the solve (float64 by default).
    solver : 'lstsq' (default; LAPACK gelsd min-norm, rank-revealing), 'cholesky' (normal equations, fastest
        for m >> n; conditioning check cond(X^T X) <= cond_limit, else pseudo-inverse fallback), 'qr', 'svd'.
    on_singular : 'pinv' (fall back to the SVD/eigen pseudo-inverse with a HurNetFallbackWarning) or 'raise'
        (SingularSystemError) when 'cholesky'/'qr'/partial_fit meet a singular or ill-conditioned system.
    cond_limit : largest acceptable cond(X^T X) for the Cholesky route; default eps^{-1/2} (6.7e7 in float64,
        i.e. cond(X) <~ 8e3: the normal equations then lose at most about half the digits).
    rcond : singular-value cut-off (relative to sigma_1) for the pseudo-inverse solvers (numpy's default if None).

    Attributes after fitting: ``weight`` (n x k, the paper's W), ``bias`` (k,) or None, ``solver_used_``,
    ``cond_`` (cond of the Gram matrix when checked), ``n_seen_`` (rows accumulated), ``gram_``/``xty_``
    (the sufficient statistics used by :meth:`partial_fit`).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, ridge: float = 0.0,
                 dtype=torch.float64, solver: str = "lstsq", on_singular: str = "pinv",
                 cond_limit: float | None = None, rcond: float | None = None):
        super().__init__()
        for name, v in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError(f"{name} must be an int, got {type(v).__name__}")
            if v < 1:
                raise ValueError(f"{name} must be >= 1, got {v}")
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be a bool, got {type(bias).__name__}")
        if not isinstance(ridge, (int, float)) or isinstance(ridge, bool) or not math.isfinite(ridge) or ridge < 0:
            raise ValueError(f"ridge must be a finite number >= 0, got {ridge!r}")
        if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
            raise TypeError(f"dtype must be a floating torch.dtype, got {dtype!r}")
        if solver not in SOLVERS:
            raise ValueError(f"unknown solver {solver!r}; expected one of {', '.join(SOLVERS)}")
        if on_singular not in ("pinv", "raise"):
            raise ValueError(f"on_singular must be 'pinv' or 'raise', got {on_singular!r}")
        self.in_features, self.out_features = in_features, out_features
        self.use_bias, self.ridge, self.dtype = bias, float(ridge), dtype
        self.solver, self.on_singular, self.rcond = solver, on_singular, rcond
        self.cond_limit = (1.0 / math.sqrt(torch.finfo(dtype).eps)) if cond_limit is None else float(cond_limit)
        self.register_buffer("weight", torch.zeros(in_features, out_features, dtype=dtype))
        self.register_buffer("bias", torch.zeros(out_features, dtype=dtype) if bias else None)
        n_aug = in_features + int(bias)
        self.register_buffer("gram_", torch.zeros(n_aug, n_aug, dtype=dtype))
        self.register_buffer("xty_", torch.zeros(n_aug, out_features, dtype=dtype))
        self.n_seen_ = 0
        self.fitted_ = False
        self.solver_used_ = None
        self.cond_ = float("nan")

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, bias={self.use_bias}, "
                f"ridge={self.ridge:g}, dtype={self.dtype}, solver={self.solver!r}")

    # -- helpers ------------------------------------------------------------------------------------------
    def _device(self):
        return self.weight.device

    def _check(self, X, Y):
        X, Y, _ = check_xy(X, Y, self.dtype, self._device())
        if X.shape[1] != self.in_features:
            raise ValueError(f"X has {X.shape[1]} columns but the layer has in_features={self.in_features}")
        if Y.shape[1] != self.out_features:
            raise ValueError(f"Y has {Y.shape[1]} columns but the layer has out_features={self.out_features}")
        return X, Y

    def _set(self, Wa: torch.Tensor):
        with torch.no_grad():
            if self.use_bias:
                self.weight.copy_(Wa[:-1])
                self.bias.copy_(Wa[-1])
            else:
                self.weight.copy_(Wa)
        self.fitted_ = True

    @property
    def W_augmented(self) -> torch.Tensor:
        """[W; b] as one (n+1 x k) matrix (just W without a bias)."""
        return torch.cat([self.weight, self.bias.unsqueeze(0)], 0) if self.use_bias else self.weight

    # -- fitting ------------------------------------------------------------------------------------------
    @torch.no_grad()
    def fit(self, X, Y, keep_stats: bool = True) -> "HurNetLayer":
        """Closed-form fit on all rows of (X, Y), replacing any previous state (Eq. 3 / Eq. 10).

        keep_stats: also store G = X^T X and X^T Y so that later :meth:`partial_fit` calls continue from
        these rows (free for solver='cholesky'; an extra O(m n^2) otherwise).
        """
        X, Y = self._check(X, Y)
        out = solve_least_squares(X, Y, bias=self.use_bias, ridge=self.ridge, solver=self.solver, dtype=self.dtype,
                                  rcond=self.rcond, cond_limit=self.cond_limit, on_singular=self.on_singular)
        self._set(out["W"])
        self.solver_used_, self.cond_ = out["solver_used"], out["cond"]
        if keep_stats:
            G, B = normal_stats(X, Y, self.use_bias)
            self.gram_.copy_(G)
            self.xty_.copy_(B)
            self.n_seen_ = X.shape[0]
        else:
            self.gram_.zero_()
            self.xty_.zero_()
            self.n_seen_ = -1  # unknown: partial_fit cannot continue
        return self

    @torch.no_grad()
    def partial_fit(self, X, Y) -> "HurNetLayer":
        """Incremental update with new rows: G += X^T X, B += X^T Y, then solve (G + ridge D) W = B.

        Equivalent (in exact arithmetic) to refitting on every row seen since the last :meth:`fit` or
        :meth:`reset`. Cost O(m_new n^2 + n^3). Solved by Cholesky after the conditioning check, with the
        eigen pseudo-inverse fallback (min-norm solution) when the accumulated X^T X is singular.
        """
        if self.n_seen_ < 0:
            raise ValueError("partial_fit after fit(..., keep_stats=False): the earlier rows' statistics were not "
                             "kept; call fit with keep_stats=True or reset()")
        X, Y = self._check(X, Y)
        G, B = normal_stats(X, Y, self.use_bias)
        self.gram_.add_(G)
        self.xty_.add_(B)
        self.n_seen_ += X.shape[0]
        Gr = self.gram_
        if self.ridge > 0:
            Gr = Gr + torch.diag(_ridge_diag(Gr.shape[0], self.ridge, self.use_bias, Gr))
        W, used, cond = _solve_gram(Gr, self.xty_, cond_limit=self.cond_limit, on_singular=self.on_singular,
                                    rcond=self.rcond, what="partial_fit" + (" with ridge" if self.ridge > 0 else ""))
        self._set(W)
        self.solver_used_, self.cond_ = used, cond
        return self

    def reset(self) -> "HurNetLayer":
        """Forget all rows and weights."""
        with torch.no_grad():
            self.weight.zero_()
            if self.use_bias:
                self.bias.zero_()
            self.gram_.zero_()
            self.xty_.zero_()
        self.n_seen_, self.fitted_, self.solver_used_, self.cond_ = 0, False, None, float("nan")
        return self

    # -- inference ----------------------------------------------------------------------------------------
    def forward(self, X) -> torch.Tensor:
        """y = X W + b. Accepts (n,) or (..., n); returns the layer's dtype. Differentiable w.r.t. X."""
        if not isinstance(X, torch.Tensor):
            X = as_float_tensor(X, "X", self.dtype, self._device())
        if X.ndim == 0 or X.shape[-1] != self.in_features:
            raise ValueError(f"input must end in in_features={self.in_features}, got shape {tuple(X.shape)}")
        if not X.is_floating_point():
            X = X.to(self.dtype)
        X = X.to(dtype=self.dtype, device=self._device())
        out = X @ self.weight
        return out + self.bias if self.use_bias else out

    def loss(self, X, Y) -> float:
        """Training objective at the current weights: ||XW + 1b - Y||_F^2 + ridge ||W||_F^2 (sum, not mean)."""
        X, Y = self._check(X, Y)
        with torch.no_grad():
            r = self.forward(X) - Y
            return float((r * r).sum() + self.ridge * (self.weight * self.weight).sum())
