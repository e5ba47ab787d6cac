"""BK-Core on CPU at compiled speed: the continued fraction as a numba loop (method="compiled").

Forward, per row (paperlib.bk.core docstring): D_0 = d_0, D_i = d_i - b_{i-1}^2 g_{i-1}, g_i = 1/D_i (the causal
output 1/alpha_i); with reverse=True the same loop runs from the right, g_i = 1/(d_i - b_i^2 g_{i+1}) = 1/beta_i.
Backward: the analytic reverse mode of that loop (bk_core docstring), one pass from the last step to the first.
The autograd glue (bk_core._Recurrence) and input validation (bk_core._prepare) live in paperlib.bk.core; this
module only runs loops over rows of real views: d (R, N, 2) = (Re, Im), b2 (R, N-1) real.

Arithmetic is float64 for float32 and float64 inputs alike (outputs keep the input precision);
1/(x + iy) = (x - iy)/(x^2 + y^2), rescaled when x^2 + y^2 would leave the float64 range.

numba is optional: without it (or if it fails to import) :func:`available` is False, method="compiled" raises
a ValueError saying why, and method="auto" falls back to the torch scan. Kernels compile on first use
(cache=True when numba's cache folder is writable, so later processes load them from disk).
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import torch

__all__ = ["available", "unavailable_reason", "ensure_usable", "recurrence_forward", "recurrence_backward"]

try:  # numba is optional; any import failure (missing, or built for another numpy) disables the path
    import numba
except Exception as exc:  # noqa: BLE001
    numba = None
    _IMPORT_ERROR = f"numba is not importable ({type(exc).__name__}: {exc})"
else:
    _IMPORT_ERROR = ""


def available() -> bool:
    return numba is not None


def unavailable_reason() -> str:
    return _IMPORT_ERROR


def ensure_usable(device) -> None:
    if numba is None:
        raise ValueError(f"method 'compiled' is unavailable: {_IMPORT_ERROR}; install numba or use method='scan'")
    if torch.device(device).type != "cpu":
        raise ValueError(f"method 'compiled' runs on CPU tensors only, got device {device}")


def _cache_writable() -> bool:
    """numba caches next to this file (__pycache__) or in NUMBA_CACHE_DIR; use the cache only if writable."""
    env = os.environ.get("NUMBA_CACHE_DIR")
    folder = Path(env) if env else Path(__file__).resolve().parent / "__pycache__"
    probe = folder if folder.exists() else folder.parent
    return os.access(probe, os.W_OK)


def _njit(fn):
    if numba is None:
        return fn  # never called: ensure_usable refuses first
    opts = dict(error_model="numpy", nogil=True)  # IEEE semantics (no ZeroDivisionError), release the GIL
    if _cache_writable():
        try:
            return numba.njit(cache=True, **opts)(fn)
        except Exception as exc:  # noqa: BLE001 - e.g. no cache locator for this file
            warnings.warn(f"numba cache unavailable ({exc}); compiling without cache", RuntimeWarning)
    return numba.njit(**opts)(fn)


# ------------------------------------------------------------------------------------------------- kernels
@_njit
def _cinv(x, y):
    """1/(x + iy) in float64 as (re, im)."""
    s = x * x + y * y
    if s > 1e300 or s < 1e-300:  # |D|^2 would overflow/underflow: scale by max(|x|, |y|) first (rare)
        m = max(abs(x), abs(y))
        x = x / m
        y = y / m
        s = (x * x + y * y) * m
    return x / s, -y / s


@_njit
def _forward_row(d, b2, out, reverse, r):
    """out[r, i] = g_i of row r; step j visits i = j (left recurrence) or i = N-1-j (right recurrence)."""
    n = d.shape[1]
    i = n - 1 if reverse else 0
    gr, gi = _cinv(np.float64(d[r, i, 0]), np.float64(d[r, i, 1]))
    out[r, i, 0] = gr
    out[r, i, 1] = gi
    for j in range(1, n):
        i = n - 1 - j if reverse else j
        b = np.float64(b2[r, i if reverse else i - 1])  # b_{min(i, previous)}^2
        gr, gi = _cinv(np.float64(d[r, i, 0]) - b * gr, np.float64(d[r, i, 1]) - b * gi)
        out[r, i, 0] = gr
        out[r, i, 1] = gi


@_njit
def _forward(d, b2, out, reverse):
    """All rows. Each row is one serial chain (latency-bound), so four rows advance together in one loop:
    independent chains overlap in the CPU pipeline; per-row arithmetic is that of _forward_row."""
    rows, n = d.shape[0], d.shape[1]
    r4 = rows - rows % 4
    for r in range(0, r4, 4):
        i = n - 1 if reverse else 0
        a0, c0 = _cinv(np.float64(d[r, i, 0]), np.float64(d[r, i, 1]))
        a1, c1 = _cinv(np.float64(d[r + 1, i, 0]), np.float64(d[r + 1, i, 1]))
        a2, c2 = _cinv(np.float64(d[r + 2, i, 0]), np.float64(d[r + 2, i, 1]))
        a3, c3 = _cinv(np.float64(d[r + 3, i, 0]), np.float64(d[r + 3, i, 1]))
        out[r, i, 0], out[r, i, 1] = a0, c0
        out[r + 1, i, 0], out[r + 1, i, 1] = a1, c1
        out[r + 2, i, 0], out[r + 2, i, 1] = a2, c2
        out[r + 3, i, 0], out[r + 3, i, 1] = a3, c3
        for j in range(1, n):
            i = n - 1 - j if reverse else j
            k = i if reverse else i - 1
            b = np.float64(b2[r, k])
            a0, c0 = _cinv(np.float64(d[r, i, 0]) - b * a0, np.float64(d[r, i, 1]) - b * c0)
            b = np.float64(b2[r + 1, k])
            a1, c1 = _cinv(np.float64(d[r + 1, i, 0]) - b * a1, np.float64(d[r + 1, i, 1]) - b * c1)
            b = np.float64(b2[r + 2, k])
            a2, c2 = _cinv(np.float64(d[r + 2, i, 0]) - b * a2, np.float64(d[r + 2, i, 1]) - b * c2)
            b = np.float64(b2[r + 3, k])
            a3, c3 = _cinv(np.float64(d[r + 3, i, 0]) - b * a3, np.float64(d[r + 3, i, 1]) - b * c3)
            out[r, i, 0], out[r, i, 1] = a0, c0
            out[r + 1, i, 0], out[r + 1, i, 1] = a1, c1
            out[r + 2, i, 0], out[r + 2, i, 1] = a2, c2
            out[r + 3, i, 0], out[r + 3, i, 1] = a3, c3
    for r in range(r4, rows):
        _forward_row(d, b2, out, reverse, r)


_BLOCK = 4  # rows advanced together by the backward loop (independent chains overlap in the pipeline)


@_njit
def _backward(g, b2, gout, gd, gb2, reverse):
    """Reverse mode of _forward: a = gbar_i + carry, Dbar = -a conj(g_i)^2 (-> gd_i),
    b2bar = Re(-Dbar conj(g_prev)), carry = -Dbar b2 (to the previous step), from the last step to the first.
    Rows go in blocks of _BLOCK, the carries of a block kept side by side."""
    rows, n = g.shape[0], g.shape[1]
    carry = np.zeros((_BLOCK, 2))
    for r0 in range(0, rows, _BLOCK):
        nb = min(_BLOCK, rows - r0)
        carry[:] = 0.0
        for j in range(n - 1, -1, -1):
            i = n - 1 - j if reverse else j
            p = i + 1 if reverse else i - 1  # the step before (the g that D_i used)
            k = i if reverse else i - 1  # its b^2
            for q in range(nb):
                r = r0 + q
                ar = np.float64(gout[r, i, 0]) + carry[q, 0]
                ai = np.float64(gout[r, i, 1]) + carry[q, 1]
                x = np.float64(g[r, i, 0])
                y = np.float64(g[r, i, 1])
                sr = x * x - y * y  # conj(g)^2 = (x^2 - y^2) - 2ixy
                si = -2.0 * x * y
                dr = -(ar * sr - ai * si)
                di = -(ar * si + ai * sr)
                gd[r, i, 0] = dr
                gd[r, i, 1] = di
                if j > 0:
                    gb2[r, k] = -(dr * np.float64(g[r, p, 0]) + di * np.float64(g[r, p, 1]))
                    b = np.float64(b2[r, k])
                    carry[q, 0] = -dr * b
                    carry[q, 1] = -di * b


# ------------------------------------------------------------------------------------------ torch wrappers
def _np(t):
    return t.detach().numpy()


def recurrence_forward(d_r: torch.Tensor, b2: torch.Tensor, reverse: bool) -> torch.Tensor:
    """g (R, N, 2) from d (R, N, 2) and b2 (R, N-1), contiguous real CPU tensors of one dtype."""
    out = torch.empty_like(d_r)
    if d_r.shape[0]:
        _forward(_np(d_r), _np(b2), _np(out), bool(reverse))
    return out


def recurrence_backward(g_r, b2, gout_r, reverse):
    """(gd (R, N, 2), gb2 (R, N-1)) for the cotangent gout (R, N, 2) of g."""
    gd = torch.empty_like(g_r)
    gb2 = torch.zeros_like(b2)
    if g_r.shape[0]:
        _backward(_np(g_r), _np(b2), _np(gout_r.to(g_r.dtype)), _np(gd), _np(gb2), bool(reverse))
    return gd, gb2
