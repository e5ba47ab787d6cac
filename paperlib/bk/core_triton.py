"""BK-Core as a Triton kernel (method="triton"): the continued fraction, one program per block of rows.

Each program owns BLOCK rows (one lane per row) and walks the sequence serially (paperlib.bk.core docstring):

    forward    D_0 = d_0, D_i = d_i - b_{i-1}^2 g_{i-1}, g_i = 1/D_i          (reverse: from the right, 1/beta_i)
    backward   a = gbar_i + carry, Dbar = -a conj(g_i)^2, b2bar = Re(-Dbar conj(g_prev)), carry = -Dbar b^2

Triton has no complex type, so complex values are (re, im) pairs of real tensors: d, g and the cotangents are
the interleaved views torch.view_as_real gives (R, N, 2); b2 is real (R, N-1). Arithmetic is in the input
precision (float32 or float64); 1/(x + iy) = (x - iy)/(x^2 + y^2) (|D| must stay below ~1e19 in float32).
The autograd glue is paperlib.bk.core._Recurrence (shared with the numba path); only Triton features present
since Triton 3.1 are used (program_id, arange, masked load/store, runtime-bounded for loops), and no
@triton.jit helpers of triton.language (so the interpreter also works when triton was imported before
TRITON_INTERPRET was set).

Rows are the parallelism: few rows (a batch of 2 sequences) leave most of a GPU idle; many rows (batch x
channels) fill it. :func:`paperlib.bk.core.triton_self_check` runs the kernel once on a tiny problem per device
and dtype against the sequential reference; method="auto" uses Triton on CUDA only if that passed (the check
lives beside the dispatch in core.py, so this module imports nothing from it). On CPU the kernel runs only under
the Triton interpreter (TRITON_INTERPRET=1), which the tests use.
"""
import math
import os

import torch

__all__ = ["available", "interpreting", "ensure_usable", "recurrence_forward", "recurrence_backward"]

try:
    import triton
    import triton.language as tl
except Exception as exc:  # noqa: BLE001 - triton is optional (missing, or broken for this torch)
    triton = None
    _IMPORT_ERROR = f"triton is not importable ({type(exc).__name__}: {exc})"

    class tl:  # noqa: N801 - stand-in so that the kernel definitions below still parse
        constexpr = None
else:
    _IMPORT_ERROR = ""


def available() -> bool:
    return triton is not None


def interpreting() -> bool:
    """True when TRITON_INTERPRET=1 (kernels run in the Triton interpreter, on CPU tensors too)."""
    return os.environ.get("TRITON_INTERPRET", "0") == "1"


def ensure_usable(device) -> None:
    device = torch.device(device)
    if triton is None:
        raise ValueError(f"method 'triton' is unavailable: {_IMPORT_ERROR}; use method='scan'")
    if device.type == "cpu" and not interpreting():
        raise ValueError("method 'triton' needs a CUDA tensor (or TRITON_INTERPRET=1 to run the Triton interpreter "
                         "on CPU); on CPU use method='compiled' or 'scan'")
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"method 'triton' runs on CUDA tensors, got device {device}")


# ------------------------------------------------------------------------------------------------ kernels
# Step j (0..N-1) visits index i = j (left recurrence, rev = 0) or i = N-1-j (right, rev = 1); the step before
# it is i -/+ 1, and the b^2 between them is b2[min(i, previous)] = b2[i - 1 + rev].
def _fwd_kernel(D, B2, G, R, N, rev, BLOCK: tl.constexpr):
    rows = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    live = rows < R
    r64 = rows.to(tl.int64)
    dp = D + r64 * (2 * N)
    gp = G + r64 * (2 * N)
    bp = B2 + r64 * (N - 1)
    i = rev * (N - 1)
    x = tl.load(dp + 2 * i, mask=live, other=1.0)
    y = tl.load(dp + 2 * i + 1, mask=live, other=0.0)
    s = x * x + y * y
    gr = x / s
    gi = -y / s
    tl.store(gp + 2 * i, gr, mask=live)
    tl.store(gp + 2 * i + 1, gi, mask=live)
    for j in range(1, N):
        i = j + rev * (N - 1 - 2 * j)
        b = tl.load(bp + (i - 1 + rev), mask=live, other=0.0)
        x = tl.load(dp + 2 * i, mask=live, other=1.0) - b * gr
        y = tl.load(dp + 2 * i + 1, mask=live, other=0.0) - b * gi
        s = x * x + y * y
        gr = x / s
        gi = -y / s
        tl.store(gp + 2 * i, gr, mask=live)
        tl.store(gp + 2 * i + 1, gi, mask=live)


def _bwd_kernel(G, B2, GO, GD, GB, R, N, rev, BLOCK: tl.constexpr):
    rows = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    live = rows < R
    r64 = rows.to(tl.int64)
    gp = G + r64 * (2 * N)
    op = GO + r64 * (2 * N)
    dp = GD + r64 * (2 * N)
    bp = B2 + r64 * (N - 1)
    bq = GB + r64 * (N - 1)
    cr = (rows * 0).to(G.dtype.element_ty)  # (not tl.zeros: a @jit helper in newer Triton, which the
    ci = (rows * 0).to(G.dtype.element_ty)  # interpreter cannot call once triton was imported without it)
    for jj in range(0, N):
        j = N - 1 - jj
        i = j + rev * (N - 1 - 2 * j)
        ar = tl.load(op + 2 * i, mask=live, other=0.0) + cr
        ai = tl.load(op + 2 * i + 1, mask=live, other=0.0) + ci
        x = tl.load(gp + 2 * i, mask=live, other=0.0)
        y = tl.load(gp + 2 * i + 1, mask=live, other=0.0)
        sr = x * x - y * y  # conj(g)^2
        si = -2.0 * x * y
        dr = -(ar * sr - ai * si)
        di = -(ar * si + ai * sr)
        tl.store(dp + 2 * i, dr, mask=live)
        tl.store(dp + 2 * i + 1, di, mask=live)
        jv = rows * 0 + j  # as a block (a python int under the interpreter, a scalar when compiled)
        step = tl.minimum(jv, 1)  # 0 at the first step (no predecessor): everything below is masked off
        has = live & (jv > 0)
        p = i + step * (2 * rev - 1)
        k = step * (i - 1 + rev)
        px = tl.load(gp + 2 * p, mask=has, other=0.0)
        py = tl.load(gp + 2 * p + 1, mask=has, other=0.0)
        tl.store(bq + k, -(dr * px + di * py), mask=has)
        b = tl.load(bp + k, mask=has, other=0.0)
        cr = -dr * b
        ci = -di * b


_KERNELS = {}


def _kernels():
    """(forward, backward) jitted for the current TRITON_INTERPRET setting (Triton reads it at decoration)."""
    key = interpreting()
    if key not in _KERNELS:
        _KERNELS[key] = (triton.jit(_fwd_kernel), triton.jit(_bwd_kernel))
    return _KERNELS[key]


def _launch_shape(rows):
    block = 32 if rows >= 32 else max(16, 1 << max(rows - 1, 0).bit_length())
    return block, (math.ceil(rows / block),)


# ------------------------------------------------------------------------------------------ torch wrappers
def recurrence_forward(d_r: torch.Tensor, b2: torch.Tensor, reverse: bool) -> torch.Tensor:
    """g (R, N, 2) from d (R, N, 2) and b2 (R, N-1): contiguous real tensors of one dtype on one device."""
    rows, n = d_r.shape[0], d_r.shape[1]
    out = torch.empty_like(d_r)
    if rows:
        fwd, _ = _kernels()
        block, grid = _launch_shape(rows)
        fwd[grid](d_r, b2 if n > 1 else d_r, out, rows, n, int(bool(reverse)), BLOCK=block, num_warps=1)
    return out


def recurrence_backward(g_r, b2, gout_r, reverse):
    """(gd (R, N, 2), gb2 (R, N-1)) for the cotangent gout (R, N, 2) of g."""
    rows, n = g_r.shape[0], g_r.shape[1]
    gd = torch.empty_like(g_r)
    gb2 = torch.zeros_like(b2)
    if rows:
        _, bwd = _kernels()
        block, grid = _launch_shape(rows)
        b2_arg, gb_arg = (b2, gb2) if n > 1 else (g_r, gd)  # never touched when N = 1
        bwd[grid](g_r, b2_arg, gout_r.to(g_r.dtype).contiguous(), gd, gb_arg, rows, n, int(bool(reverse)),
                  BLOCK=block, num_warps=1)
    return gd, gb2
