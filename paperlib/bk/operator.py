"""Birman-Schwinger operator of ResNet-BK, Section 3 (Eqs. 1-4), discretised in float64/complex128.

Kernels (all functions of the spectral parameter z and positions u, v):

* ``printed``   : Eq. 2 as printed, R0(z;u,v) = (i/2) e^{iz(u-v)} sgn(u-v).
  It solves (-i d/du - z) G = delta(u - v) (jump i at u = v, dG/du = i z G elsewhere): it is a Green's
  function of the momentum operator p = -i d/dx, namely the average of its retarded (i th(u-v) e^{iz(u-v)})
  and advanced (-i th(v-u) e^{iz(u-v)}) Green's functions. For Im z > 0 it is NOT the L2 resolvent of p,
  and |R0| = (1/2) e^{-Im z (u-v)}: the stated bound (1/2) e^{-Im z |u-v|} holds for u > v and fails
  (exponential growth) for u < v.
* ``momentum``  : the L2 resolvent of p = -i d/dx for Im z > 0, (p - z)^{-1}(u,v) = i th(u-v) e^{iz(u-v)}.
* ``laplacian`` : the textbook 1D free resolvent of H0 = -d^2/dx^2, (H0 - z)^{-1}(u,v) = (i/(2k)) e^{ik|u-v|},
  k = sqrt(z) with Im k > 0.
* ``symmetric`` : (i/2) e^{iz|u-v|} = z (-d^2/dx^2 - z^2)^{-1}(u,v); the kernel for which the printed pointwise
  bound holds with equality on both sides of the diagonal (a labelled variant, not from the paper).

K_eps(z) = |V|^{1/2} R0(z) |V|^{1/2} (Eq. 1) is discretised by Nystrom quadrature:
K_ij = sqrt(w_i |V_i|) R0(z; x_i, x_j) sqrt(w_j |V_j|), whose singular values approximate those of the
integral operator. Theorem 2: ||K||_S2 <= (1/2)(Im z)^{-1/2} ||V||_L2 (Eq. 3),
||K||_S1 <= (1/2)(Im z)^{-1} ||V||_L1 (Eq. 4).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KERNELS = ("printed", "momentum", "laplacian", "symmetric")


def _check_z(z) -> complex:
    if isinstance(z, bool) or not isinstance(z, (int, float, complex, np.number)):
        raise TypeError(f"z must be a complex number, got {type(z).__name__}")
    z = complex(z)
    if not np.isfinite(z.real) or not np.isfinite(z.imag):
        raise ValueError(f"z must be finite, got {z}")
    return z


def resolvent_kernel(z, u, v, kernel: str = "printed") -> np.ndarray:
    """R0(z; u, v) for one of KERNELS; u, v broadcast (complex128)."""
    z = _check_z(z)
    if kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}; expected one of {', '.join(KERNELS)}")
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    d = u - v
    if kernel == "printed":  # Eq. 2 as printed
        return 0.5j * np.exp(1j * z * d) * np.sign(d)
    if kernel == "momentum":  # (p - z)^{-1}, p = -i d/dx, Im z > 0
        if z.imag <= 0:
            raise ValueError("the momentum resolvent kernel i th(u-v) e^{iz(u-v)} needs Im z > 0")
        # th(0) = 1/2 (midpoint of the jump), consistent with sgn(0) = 0 in the printed kernel
        theta = np.where(d > 0, 1.0, np.where(d == 0, 0.5, 0.0))
        # evaluate the exponential only where theta > 0 (it overflows for d << 0)
        e = np.exp(1j * z * np.where(d >= 0, d, 0.0))
        return 1j * theta * e
    if kernel == "laplacian":  # (-d^2/dx^2 - z)^{-1}
        k = np.sqrt(z + 0j)
        if k.imag < 0:
            k = -k
        if k == 0:
            raise ValueError("the Laplacian resolvent is singular at z = 0")
        return 0.5j / k * np.exp(1j * k * np.abs(d))
    return 0.5j * np.exp(1j * z * np.abs(d))  # symmetric variant


def printed_pointwise_bound(z, u, v) -> np.ndarray:
    """The bound stated under Eq. 2: (1/2) e^{-Im z |u - v|}."""
    z = _check_z(z)
    return 0.5 * np.exp(-z.imag * np.abs(np.asarray(u, float) - np.asarray(v, float)))


@dataclass(frozen=True)
class Grid:
    """Quadrature nodes and weights on [a, b] (midpoint rule: no node on the boundary)."""

    x: np.ndarray
    w: np.ndarray
    a: float
    b: float


def quadrature_grid(a: float, b: float, n: int, rule: str = "midpoint") -> Grid:
    """Nodes and weights of an n-point rule on [a, b]: 'midpoint' or 'trapezoid'."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    if not (np.isfinite(a) and np.isfinite(b)) or not b > a:
        raise ValueError(f"need finite a < b, got a={a}, b={b}")
    if rule == "midpoint":
        h = (b - a) / n
        x = a + h * (np.arange(n) + 0.5)
        w = np.full(n, h)
    elif rule == "trapezoid":
        x = np.linspace(a, b, n)
        h = (b - a) / (n - 1)
        w = np.full(n, h)
        w[0] = w[-1] = h / 2
    else:
        raise ValueError(f"unknown rule {rule!r}; expected 'midpoint' or 'trapezoid'")
    return Grid(x=x, w=w, a=float(a), b=float(b))


def birman_schwinger_matrix(V, grid: Grid, z, kernel: str = "printed") -> np.ndarray:
    """Nystrom matrix of K(z) = |V|^{1/2} R0(z) |V|^{1/2} (Eq. 1): sqrt(w|V|)_i R0(x_i, x_j) sqrt(w|V|)_j."""
    V = np.asarray(V, dtype=np.float64)
    if V.shape != grid.x.shape:
        raise ValueError(f"V has shape {V.shape}, grid has {grid.x.shape}")
    if not np.all(np.isfinite(V)):
        raise ValueError("V must be finite")
    s = np.sqrt(grid.w * np.abs(V))
    R = resolvent_kernel(z, grid.x[:, None], grid.x[None, :], kernel)
    return (s[:, None] * R) * s[None, :]


def schatten_norms(K: np.ndarray) -> dict:
    """Schatten norms from the singular values: S1 = sum s, S2 = sqrt(sum s^2), Sinf = max s."""
    K = np.asarray(K)
    if K.ndim != 2:
        raise ValueError(f"K must be a matrix, got ndim={K.ndim}")
    s = np.linalg.svd(K, compute_uv=False)
    return {"S1": float(s.sum()), "S2": float(np.sqrt(np.sum(s**2))), "Sinf": float(s.max()), "sv": s}


def lp_norm(V, grid: Grid, p: float) -> float:
    """||V||_Lp by the grid's quadrature."""
    V = np.asarray(V, dtype=np.float64)
    return float(np.sum(grid.w * np.abs(V) ** p) ** (1.0 / p))


def theorem2_bounds(V, grid: Grid, z) -> dict:
    """Right-hand sides of Eq. 3 and Eq. 4 (Theorem 2)."""
    z = _check_z(z)
    if z.imag <= 0:
        raise ValueError(f"Theorem 2 needs Im z > 0, got Im z = {z.imag}")
    return {
        "S2_bound": 0.5 * z.imag**-0.5 * lp_norm(V, grid, 2),
        "S1_bound": 0.5 / z.imag * lp_norm(V, grid, 1),
    }


def theorem2_check(V, grid: Grid, z, kernel: str = "printed") -> dict:
    """Schatten norms of the discretised K(z) beside the Theorem 2 bounds; ratio > 1 means the bound fails."""
    K = birman_schwinger_matrix(V, grid, z, kernel)
    n = schatten_norms(K)
    b = theorem2_bounds(V, grid, z)
    return {
        "S1": n["S1"], "S2": n["S2"], **b,
        "S1_ratio": n["S1"] / b["S1_bound"], "S2_ratio": n["S2"] / b["S2_bound"],
    }


def hs_norm_constant_potential(c: float, L: float, z, kernel: str = "printed") -> float:
    """Closed-form ||K||_S2 for V = c on [0, L] (an oracle for the discretisation).

    printed:   ||K||_2^2 = (c^2/4) int int e^{-2 eta (u-v)} du dv = (c^2/4) (1-e^{-2 eta L})(e^{2 eta L}-1)/(4 eta^2)
    symmetric: ||K||_2^2 = (c^2/4) int int e^{-2 eta |u-v|} = (c^2/4) (2/(2 eta)) (L - (1 - e^{-2 eta L})/(2 eta))
    """
    z = _check_z(z)
    eta = z.imag
    if eta <= 0:
        raise ValueError("needs Im z > 0")
    if kernel == "printed":
        val = (c**2 / 4) * (1 - np.exp(-2 * eta * L)) * (np.exp(2 * eta * L) - 1) / (4 * eta**2)
    elif kernel == "symmetric":
        a = 2 * eta
        val = (c**2 / 4) * (2 / a) * (L - (1 - np.exp(-a * L)) / a)
    else:
        raise ValueError(f"closed form only for 'printed' and 'symmetric', got {kernel!r}")
    return float(np.sqrt(val))


def apply_kernel(grid: Grid, z, f, kernel: str = "printed") -> np.ndarray:
    """g(u) = int R0(z; u, v) f(v) dv by the grid's quadrature (to check which ODE the kernel inverts)."""
    R = resolvent_kernel(z, grid.x[:, None], grid.x[None, :], kernel)
    return R @ (grid.w * np.asarray(f, dtype=np.complex128))


def ode_residual(grid: Grid, z, f, kernel: str) -> dict:
    """Residuals of g = R0 f against the two candidate operators, by central differences at interior nodes.

    momentum: (-i d/du - z) g - f ;  laplacian: (-d^2/du^2 - z) g - f. Residuals are relative to
    max|f| + max|z g| (the size of the terms being balanced).
    """
    g = apply_kernel(grid, z, f, kernel)
    x = grid.x
    h = x[1] - x[0]
    z = complex(z)
    dg = (g[2:] - g[:-2]) / (2 * h)
    d2g = (g[2:] - 2 * g[1:-1] + g[:-2]) / h**2
    fi = np.asarray(f, dtype=np.complex128)[1:-1]
    scale = np.max(np.abs(fi)) + np.max(np.abs(z * g[1:-1]))
    return {
        "momentum": float(np.max(np.abs(-1j * dg - z * g[1:-1] - fi)) / scale),
        "laplacian": float(np.max(np.abs(-d2g - z * g[1:-1] - fi)) / scale),
    }


# ---- studies used by notebook 10 ---------------------------------------------------------------------------------
def pointwise_bound_check(z, L: float, n: int = 201, kernel: str = "printed") -> dict:
    """max |R0|/bound on u > v and on u < v over a grid of [-L/2, L/2]^2 (diagonal excluded)."""
    x = np.linspace(-L / 2, L / 2, n)
    U, Vv = np.meshgrid(x, x, indexing="ij")
    ratio = np.abs(resolvent_kernel(z, U, Vv, kernel)) / printed_pointwise_bound(z, U, Vv)
    return {"below_diag_max": float(ratio[U > Vv].max()), "above_diag_max": float(ratio[U < Vv].max())}


def prime_bump_grid(eps: float, p_max: int, n: int, pad: float) -> tuple[Grid, np.ndarray]:
    """Midpoint grid on [log 2 - pad, log p_max + pad] and V_eps (Eq. 5, primes p < p_max) on it."""
    from paperlib.bk.prime_bump import prime_bump_potential

    g = quadrature_grid(np.log(2) - pad, np.log(p_max) + pad, n)
    return g, prime_bump_potential(g.x, eps, p_max)


def theorem2_sweep(kernels, eps_list, im_z_list, n: int, pad: float, p_max: int, re_z: float = 0.5):
    """Schatten norms vs Theorem 2 bounds over kernels x eps x Im z (pandas DataFrame)."""
    import pandas as pd

    rows = []
    for eps in eps_list:
        g, V = prime_bump_grid(eps, p_max, n, pad)
        for eta in im_z_list:
            for k in kernels:
                r = theorem2_check(V, g, complex(re_z, eta), k)
                rows.append({"kernel": k, "eps": eps, "im_z": eta, "n": n, "pad": pad, **r})
    return pd.DataFrame(rows)


def refinement_study(kernels, eps: float, im_z: float, ns, pads, p_max: int, re_z: float = 0.5):
    """Theorem 2 ratios under grid refinement (for each pad) -- the convergence study."""
    import pandas as pd

    rows = []
    for pad in pads:
        for n in ns:
            g, V = prime_bump_grid(eps, p_max, n, pad)
            for k in kernels:
                r = theorem2_check(V, g, complex(re_z, im_z), k)
                rows.append({"kernel": k, "eps": eps, "im_z": im_z, "n": n, "pad": pad, "h": float(g.w[0]), **r})
    return pd.DataFrame(rows)
