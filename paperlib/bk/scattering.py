"""Scattering phase, routing, Birman-Krein and ACT halting of ResNet-BK (Eqs. 7-10), on finite matrices.

* det2(I + K) = det(I + K) exp(-tr K) (Carleman-Fredholm regularised determinant), computed from slogdet.
* Eq. 7: delta(lambda) = arg det2(I + K(lambda + i eta)), eta > 0 standing for the "+ i0".
  Discrete K(z) = |V|^{1/2} (H0 - z)^{-1} |V|^{1/2} with H0 the N x N discrete Laplacian (the sequence operator).
  Our reading of lambda_i for token i: lambda_i = v_i, the token's own potential value (the per-token scalar the
  BK-Core computes); the operator K is that of the whole sequence. Labelled variant (reference code): the phase of
  the BK-Core output G_ii = [(H - z)^{-1}]_ii at z = i.
* Eq. 8: expert e (1-based) if delta in [(e-1) pi / E, e pi / E]: this covers delta in [0, pi] only; arg lies in
  (-pi, pi], so tokens with delta < 0 are unrouted under the printed rule (returned as -1). Variants 'mod_pi'
  (delta mod pi) and 'abs' (|delta|) route everything.
* Eq. 9 (Birman-Krein): d/dlambda log D(lambda) = -Tr((H - lambda)^{-1} - (H0 - lambda)^{-1}). It holds for the
  perturbation determinant D = det(I + V (H0 - lambda)^{-1}) = det(H - lambda)/det(H0 - lambda), i.e. det(I + K)
  with K = sgn(V)|V|^{1/2} R0 |V|^{1/2}; it does not hold for det2 (extra term d/dlambda tr K = Tr(V R0^2)), nor
  for the paper's K with |V|^{1/2} on both sides when V changes sign (that is D of H0 + |V|).
* Eq. 10: p_halt = 1 if |delta| < 0.2, 0 if |delta| > 0.8, sigmoid(|delta|) otherwise.
"""
from __future__ import annotations

import numpy as np

from paperlib.bk.prime_bump import laplacian_diagonals


def _square(K) -> np.ndarray:
    K = np.asarray(K)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(f"K must be a square matrix, got shape {K.shape}")
    if not np.all(np.isfinite(K)):
        raise ValueError("K must be finite")
    return K.astype(np.complex128)


def log_det2(K) -> complex:
    """log det2(I + K) = log det(I + K) - tr K (imaginary part = phase, unwrapped only modulo 2 pi)."""
    K = _square(K)
    sign, logabs = np.linalg.slogdet(np.eye(K.shape[0]) + K)
    if sign == 0:
        raise ValueError("I + K is singular: det2 = 0, phase undefined")
    return complex(logabs, np.angle(sign)) - np.trace(K)


def det2(K) -> complex:
    return complex(np.exp(log_det2(K)))


def det2_from_eigenvalues(K) -> complex:
    """Oracle: det2(I + K) = prod (1 + mu) exp(-mu) over the eigenvalues mu of K."""
    mu = np.linalg.eigvals(_square(K))
    return complex(np.prod((1 + mu) * np.exp(-mu)))


def wrap_phase(a) -> np.ndarray:
    """Map angles to (-pi, pi]."""
    a = np.asarray(a, dtype=np.float64)
    return np.pi - np.mod(np.pi - a, 2 * np.pi)


def free_resolvent(N: int, z) -> np.ndarray:
    """(H0 - z)^{-1} for the N x N discrete Laplacian H0 (reference sign convention)."""
    d, e = laplacian_diagonals(N)
    H0 = np.diag(d) + np.diag(e, 1) + np.diag(e, -1)
    return np.linalg.inv(H0 - complex(z) * np.eye(N))


def sequence_bs_matrix(v, z, signed: bool = False) -> np.ndarray:
    """K(z) = |V|^{1/2} (H0 - z)^{-1} |V|^{1/2} on the sequence (signed=True: sgn(V)|V|^{1/2} on the left)."""
    v = np.asarray(v, dtype=np.float64)
    if v.ndim != 1 or v.size < 2:
        raise ValueError(f"v must be 1-D with >= 2 entries, got shape {v.shape}")
    s = np.sqrt(np.abs(v))
    left = np.sign(v) * s if signed else s
    return left[:, None] * free_resolvent(v.size, z) * s[None, :]


def sequence_phase(v, lam, eta: float) -> float:
    """Eq. 7, whole-sequence reading: delta(lambda) = arg det2(I + K(lambda + i eta)) in (-pi, pi], K the
    Birman-Schwinger operator of the whole sequence with |V|^{1/2} on both sides (as printed). Not causal.
    The model's router uses the other reading, :func:`paperlib.bk.model.causal_prefix_phase`."""
    if not eta > 0:
        raise ValueError(f"eta must be > 0 (the +i0 regularisation), got {eta}")
    return float(wrap_phase(log_det2(sequence_bs_matrix(v, complex(lam, eta))).imag))


def token_phases(v, eta: float, lambdas=None) -> np.ndarray:
    """Phases delta(lambda_i) for all tokens; our reading lambda_i = v_i unless lambdas are given.

    Fast exact path (same value as sequence_phase, tested): by Sylvester, det(I + |V|^{1/2} R0 |V|^{1/2}) =
    det(H0 + |V| - z)/det(H0 - z) = prod (mu_k - z)/(l_k - z) with mu, l the eigenvalues of H0 + |V| and H0, and
    tr K = sum_i |v_i| [R0(z)]_ii = sum_i |v_i| sum_k Q_ik^2/(l_k - z). One eigendecomposition per sequence, then
    O(N^2) per lambda instead of O(N^3).
    """
    from scipy.linalg import eigh_tridiagonal

    if not eta > 0:
        raise ValueError(f"eta must be > 0 (the +i0 regularisation), got {eta}")
    v = np.asarray(v, dtype=np.float64)
    lams = v if lambdas is None else np.asarray(lambdas, dtype=np.float64)
    d, e = laplacian_diagonals(v.size)
    l0, Q = eigh_tridiagonal(d, e)
    mu = eigh_tridiagonal(d + np.abs(v), e, eigvals_only=True)
    z = lams.astype(np.complex128) + 1j * eta
    logdet = np.sum(np.log(mu[None, :] - z[:, None]), axis=1) - np.sum(np.log(l0[None, :] - z[:, None]), axis=1)
    diag_r0 = (Q**2) @ (1.0 / (l0[:, None] - z[None, :]))  # (N, n_lambda)
    trK = np.abs(v) @ diag_r0
    return wrap_phase((logdet - trK).imag)


def bk_core_phases(v, z=1j) -> np.ndarray:
    """Labelled variant (reference code): arg G_ii, G = (H0 + diag(v) - z)^{-1}."""
    v = np.asarray(v, dtype=np.float64)
    d, e = laplacian_diagonals(v.size)
    H = np.diag(d + v) + np.diag(e, 1) + np.diag(e, -1)
    G = np.linalg.inv(H - complex(z) * np.eye(v.size))
    return np.angle(np.diag(G))


def route_by_phase(delta, n_experts: int, mode: str = "printed") -> np.ndarray:
    """Eq. 8: 0-based expert index floor(delta E / pi) (delta = pi goes to the last expert); -1 if unrouted."""
    if isinstance(n_experts, bool) or not isinstance(n_experts, (int, np.integer)) or n_experts < 1:
        raise ValueError(f"n_experts must be a positive int, got {n_experts!r}")
    d = np.asarray(delta, dtype=np.float64)
    if mode == "printed":
        x = d
    elif mode == "mod_pi":
        x = np.mod(d, np.pi)
    elif mode == "abs":
        x = np.abs(d)
    else:
        raise ValueError(f"unknown mode {mode!r}; expected 'printed', 'mod_pi' or 'abs'")
    e = np.minimum(np.floor(x * n_experts / np.pi), n_experts - 1).astype(np.int64)
    return np.where((x >= 0) & (x <= np.pi), e, -1)


def expert_utilisation(experts, n_experts: int) -> np.ndarray:
    """Fractions of tokens per expert (last entry: unrouted)."""
    experts = np.asarray(experts)
    counts = np.array([np.sum(experts == e) for e in range(n_experts)] + [np.sum(experts < 0)], dtype=float)
    return counts / max(experts.size, 1)


def act_halting_probability(delta) -> np.ndarray:
    """Eq. 10."""
    a = np.abs(np.asarray(delta, dtype=np.float64))
    return np.where(a < 0.2, 1.0, np.where(a > 0.8, 0.0, 1.0 / (1.0 + np.exp(-a))))


# ---- Birman-Krein (Eq. 9) ---------------------------------------------------------------------------------------
def _logdet(A) -> complex:
    sign, logabs = np.linalg.slogdet(A)
    return complex(logabs, np.angle(sign))


def log_D(H0, V, lam, which: str) -> complex:
    """log D(lam) for candidate determinants ('det', 'det2', 'abs', 'abs_det2'); V a Hermitian perturbation.

    det      : det(I + V R0)          = det(H - lam)/det(H0 - lam)
    det2     : det(I + V R0) exp(-tr V R0)
    abs      : det(I + |V|^{1/2} R0 |V|^{1/2})  (the paper's K, V diagonal)
    abs_det2 : det2 of the paper's K
    Log branches are not tracked: use small steps in derivatives.
    """
    H0 = np.asarray(H0, dtype=np.complex128)
    V = np.asarray(V, dtype=np.complex128)
    n = H0.shape[0]
    R0 = np.linalg.inv(H0 - lam * np.eye(n))
    if which in ("det", "det2"):
        K = V @ R0
    elif which in ("abs", "abs_det2"):
        if not np.allclose(V, np.diag(np.diag(V))):
            raise ValueError("'abs' variants need a diagonal V")
        s = np.sqrt(np.abs(np.diag(V)))
        K = s[:, None] * R0 * s[None, :]
    else:
        raise ValueError(f"unknown determinant {which!r}")
    out = _logdet(np.eye(n) + K)
    if which in ("det2", "abs_det2"):
        out -= np.trace(K)
    return out


def birman_krein_check(H0, V, lam: complex, which: str = "det", h: float = 1e-5) -> dict:
    """LHS d/dlam log D by a central difference (log D is analytic off the real axis) vs RHS of Eq. 9."""
    H0 = np.asarray(H0, dtype=np.complex128)
    V = np.asarray(V, dtype=np.complex128)
    if H0.shape != V.shape or H0.ndim != 2:
        raise ValueError("H0 and V must be square matrices of the same shape")
    lam = complex(lam)
    if lam.imag == 0:
        raise ValueError("take lambda off the real axis (Im lambda != 0)")
    lhs_p, lhs_m = log_D(H0, V, lam + h, which), log_D(H0, V, lam - h, which)
    d = lhs_p - lhs_m
    d = complex(d.real, float(wrap_phase(d.imag)))  # remove 2 pi jumps of the branch
    lhs = d / (2 * h)
    n = H0.shape[0]
    I = np.eye(n)
    rhs = -np.trace(np.linalg.inv(H0 + V - lam * I) - np.linalg.inv(H0 - lam * I))
    return {"lhs": complex(lhs), "rhs": complex(rhs), "rel_err": float(abs(lhs - rhs) / max(abs(rhs), 1e-300))}


def token_potentials(N: int, kind: str, seed: int) -> np.ndarray:
    """Stand-in per-token potentials: 'gaussian' = clamp(N(0,1), +-3) (the model's clamped v), 'prime_bump' =
    the stretched-grid Prime-Bump potential (non-negative)."""
    if kind == "gaussian":
        return np.clip(np.random.default_rng(seed).standard_normal(N), -3, 3)
    if kind == "prime_bump":
        from paperlib.bk.prime_bump import stretched_grid_potential

        return stretched_grid_potential(N, 1.0, max(N, 30))
    raise ValueError(f"unknown kind {kind!r}; expected 'gaussian' or 'prime_bump'")


def birman_krein_table(N: int, lams, seed: int):
    """Eq. 9 residuals for each determinant candidate, random sign-changing diagonal V and its |V| (DataFrame)."""
    import pandas as pd

    from paperlib.bk.prime_bump import hamiltonian_dense

    H0 = hamiltonian_dense(np.zeros(N))
    v = np.random.default_rng(seed).uniform(-1, 1, N)
    rows = []
    for vname, V in (("signed V", np.diag(v)), ("|V|", np.diag(np.abs(v)))):
        for lam in lams:
            for which in ("det", "det2", "abs", "abs_det2"):
                r = birman_krein_check(H0, V, complex(lam), which)
                rows.append({"V": vname, "lambda": str(complex(lam)), "D": which, "rel_err": r["rel_err"]})
    return pd.DataFrame(rows)


def phase_samples(seq_n: int, n_seqs: int, etas, seed: int) -> dict:
    """Token phases delta(lambda_i) (whole-sequence reading) for each potential kind and eta, plus the
    reference code's arg G_ii variant: {(kind, eta or variant label): phases}. `gaussian` pools n_seqs
    sequences; `prime_bump` is deterministic (one sequence)."""
    out = {}
    for kind in ("gaussian", "prime_bump"):
        seqs = [token_potentials(seq_n, kind, seed + s) for s in range(n_seqs if kind == "gaussian" else 1)]
        for eta in etas:
            out[(kind, eta)] = np.concatenate([token_phases(v, eta) for v in seqs])
        out[(kind, "BK-Core arg G_ii (z=i)")] = np.concatenate([bk_core_phases(v) for v in seqs])
    return out


def utilisation_table(phases: dict, n_experts: int):
    """Expert utilisation under each routing rule (printed, mod_pi, abs) for every phase sample."""
    import pandas as pd

    rows = []
    for (kind, eta), d in phases.items():
        for mode in ("printed", "mod_pi", "abs"):
            u = expert_utilisation(route_by_phase(d, n_experts, mode), n_experts)
            rows.append({"potential": kind, "eta / variant": str(eta), "rule": mode,
                         **{f"expert {e + 1}": u[e] for e in range(n_experts)}, "unrouted": u[-1],
                         "phase std": float(np.std(d))})
    return pd.DataFrame(rows)
