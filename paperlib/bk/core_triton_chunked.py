"""BK-Core as chunked Triton kernels: the sequence split across lanes (issue 23, section 1).

:mod:`paperlib.bk.core_triton` gives each row one lane that walks all N steps, so a few rows (the model calls the
op with one row per sequence) leave a GPU idle and every step waits on the previous division. Here a row's N
steps are cut into chunks of L = ``chunk`` steps (a power of two), and each chunk is a tile of L lanes:

    phase 1  (grid rows x chunks)  each tile builds its L transfer matrices and runs ``tl.associative_scan`` over
             them with a normalised 2x2 complex product; the last lane stores the chunk's product T_c;
    phase 2  (one lane per row)    the carries, serially over the N/L chunks of a row: g_in_{c+1} = T_c(g_in_c);
    phase 3  (grid rows x chunks)  the same tile scan again, its prefix products applied to the chunk's carry
             give every g of the chunk.

The maths (transfer matrices [[d_i, -b2_{i-1}], [1, 0]] acting on (p, q) with D = p/q, normalised after every
product by the largest |Re|/|Im| entry; the backward as homogeneous affine maps x -> (A x + B)/C so that long
chunks neither overflow nor underflow) is written out in :mod:`paperlib.bk.core_chunked_ref`, the pure-torch
version of the same three phases, which is also this module's path on CPU without the Triton interpreter.

Memory layout: loads are coalesced by construction. A tile is L *consecutive* steps of one row, so the lanes of a
warp read consecutive elements (for reverse=True, consecutive in descending order: the same sectors). This is
why the in-chunk phases are tile scans and not one serial lane per chunk: lanes walking chunks serially would
read addresses L elements apart at every step (the per-row kernel's problem, at a smaller stride), and a
chunk-major copy of the input to fix that would cost a full extra read and write of d and g. Complex values stay
interleaved (R, N, 2): the Re and Im loads of a tile are two stride-2 loads that touch the same sectors. Only
phase 2 reads strided memory (the (R, N/L, 8) chunk products, L times smaller than the input), and its serial
depth is N/L steps per row. Traffic: d and b2 are read twice (phases 1 and 3), g written once; in the backward
g, b2 and the cotangent are read twice and gd, gb2 written once.

The cost of the scan is work: about 2 x 32 multiply-adds per step and phase for the 2x2 complex products and a
log2(L)-deep tree, against one division per step in the serial kernel; that is the trade for using the whole
device when rows are few. :func:`choose_kernel` picks per shape. Same signatures as core_triton
(``recurrence_forward(d_r, b2, reverse, chunk=None)``, ``recurrence_backward(g_r, b2, gout_r, reverse,
chunk=None)``), so paperlib.bk.core._Recurrence can use this module as its backend unchanged.
"""
import math

import torch

from paperlib.bk import core_chunked_ref
# one place imports Triton (or its stand-in) and decides whether it is there and whether it interprets
from paperlib.bk.core_triton import _IMPORT_ERROR, available, interpreting, tl, triton  # noqa: F401

__all__ = ["available", "interpreting", "ensure_usable", "recurrence_forward", "recurrence_backward",
           "choose_kernel", "default_chunk", "ROWS_PER_SM_FOR_PER_ROW", "LONG_N", "MAX_CHUNK"]

# --------------------------------------------------------------------------------------------- the choice
ROWS_PER_SM_FOR_PER_ROW = 256
"""Rows per SM from which the per-row kernel fills the device: it runs 32 rows (lanes) per single-warp program,
and an SM needs about 8 resident warps, each stalled on its own serial chain of divisions and loads, to hide
memory latency; 8 x 32 = 256 rows per SM (33,792 on a 132-SM H100)."""

LONG_N = 1 << 16
"""Sequence length from which the chunked path is used whatever the row count: the per-row kernel's run time is
at least N dependent steps (a division and a load each, ~0.1 us), ~6.5 ms at N = 64K, longer than streaming
even a full device's worth of rows."""

MAX_CHUNK = 1024
"""The largest default tile (lanes per chunk): 8 warps' worth of a 2x2 complex scan per program."""


def choose_kernel(rows: int, n: int, sm_count: int) -> str:
    """Which Triton path suits R = `rows` sequences of length `n` on a device with `sm_count` SMs.

    "rows" (paperlib.bk.core_triton, one serial lane per row) when the rows alone fill the device, i.e.
    rows >= ROWS_PER_SM_FOR_PER_ROW * sm_count, and n < LONG_N: then every lane does the minimal work (one
    division per step) and latency is hidden by the other resident warps. "chunked" (this module) otherwise:
    few rows (the model's one row per sequence, 2-8 lanes on a whole device with the per-row kernel) or long N,
    where the chunked tiles give R * N / L programs of L lanes and a serial depth of only N / L carry steps.
    """
    if rows < 0 or n < 0 or sm_count < 1:
        raise ValueError(f"need rows >= 0, n >= 0 and sm_count >= 1, got {rows}, {n}, {sm_count}")
    if rows >= ROWS_PER_SM_FOR_PER_ROW * sm_count and n < LONG_N:
        return "rows"
    return "chunked"


def default_chunk(n: int) -> int:
    """The tile length for a row of n steps: the next power of two >= n, between 16 and MAX_CHUNK."""
    return min(MAX_CHUNK, max(16, 1 << max(n - 1, 0).bit_length()))


def _chunk_of(chunk, n):
    L = default_chunk(n) if chunk is None else int(chunk)
    if L < 1 or L & (L - 1):
        raise ValueError(f"chunk must be a power of two >= 1 (a Triton tile), got {chunk}")
    return L


# ------------------------------------------------------------------------------------------------ plumbing
def ensure_usable(device) -> None:
    """Like core_triton.ensure_usable, except that CPU without the interpreter is fine (the torch path runs)."""
    device = torch.device(device)
    if device.type == "cuda" and triton is None:
        raise ValueError(f"the chunked Triton path is unavailable: {_IMPORT_ERROR}; use method='scan'")
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"the chunked path runs on CUDA (or CPU) tensors, got device {device}")


def _use_triton(t):
    return triton is not None and (t.device.type == "cuda" or interpreting())


# ------------------------------------------------------------------------------------------------ kernels
# Step j (0..N-1) is memory index i = j (rev = 0) or N-1-j (rev = 1); the b^2 between steps j-1 and j is
# b2[i - 1 + rev]. Complex numbers are (re, im) pairs of real tensors.
def _mat_combine(a00r, a00i, a01r, a01i, a10r, a10i, a11r, a11i,
                 b00r, b00i, b01r, b01i, b10r, b10i, b11r, b11i):
    """Scan combine: B @ A (A = the product so far, B = the later matrices), divided by its largest entry."""
    c00r = b00r * a00r - b00i * a00i + b01r * a10r - b01i * a10i
    c00i = b00r * a00i + b00i * a00r + b01r * a10i + b01i * a10r
    c01r = b00r * a01r - b00i * a01i + b01r * a11r - b01i * a11i
    c01i = b00r * a01i + b00i * a01r + b01r * a11i + b01i * a11r
    c10r = b10r * a00r - b10i * a00i + b11r * a10r - b11i * a10i
    c10i = b10r * a00i + b10i * a00r + b11r * a10i + b11i * a10r
    c11r = b10r * a01r - b10i * a01i + b11r * a11r - b11i * a11i
    c11i = b10r * a01i + b10i * a01r + b11r * a11i + b11i * a11r
    s = tl.maximum(tl.maximum(tl.maximum(tl.abs(c00r), tl.abs(c00i)), tl.maximum(tl.abs(c01r), tl.abs(c01i))),
                   tl.maximum(tl.maximum(tl.abs(c10r), tl.abs(c10i)), tl.maximum(tl.abs(c11r), tl.abs(c11i))))
    k = 1.0 / tl.where(s > 0, s, 1.0)
    return c00r * k, c00i * k, c01r * k, c01i * k, c10r * k, c10i * k, c11r * k, c11i * k


def _aff_combine(far, fai, fbr, fbi, fc, gar, gai, gbr, gbi, gc):
    """Scan combine of homogeneous affine maps x -> (A x + B)/C: G after F, divided by its largest part."""
    ar = gar * far - gai * fai
    ai = gar * fai + gai * far
    br = gar * fbr - gai * fbi + gbr * fc
    bi = gar * fbi + gai * fbr + gbi * fc
    c = gc * fc
    s = tl.maximum(tl.maximum(tl.maximum(tl.abs(ar), tl.abs(ai)), tl.maximum(tl.abs(br), tl.abs(bi))), tl.abs(c))
    k = 1.0 / tl.where(s > 0, s, 1.0)
    return ar * k, ai * k, br * k, bi * k, c * k


def _fwd_tile_kernel(D, B2, G, T, CARRY, N, NC, rev, L: tl.constexpr, FINAL: tl.constexpr):
    """Phase 1 (FINAL = 0: store the chunk's product) or phase 3 (FINAL = 1: store g) for tile (row, chunk)."""
    row = tl.program_id(0).to(tl.int64)
    c = tl.program_id(1)
    t = tl.arange(0, L)
    j = c * L + t
    live = j < N
    i = j + rev * (N - 1 - 2 * j)
    dp = D + row * (2 * N)
    x = tl.load(dp + 2 * i, mask=live, other=1.0)
    y = tl.load(dp + 2 * i + 1, mask=live, other=0.0)
    b = tl.load(B2 + row * (N - 1) + (i - 1 + rev), mask=live & (j > 0), other=0.0)
    zero = x * 0.0
    one = zero + 1.0
    m10 = tl.where(live, one, zero)
    p00r, p00i, p01r, p01i, p10r, p10i, p11r, p11i = tl.associative_scan(
        (x, y, -b, zero, m10, zero, one - m10, zero), 0, _mat_combine)
    cp = CARRY + (row * NC + c) * 2
    if FINAL:
        gr = tl.load(cp + t * 0)  # the carry g_in of this chunk, broadcast over the tile
        gi = tl.load(cp + 1 + t * 0)
        pr = p00r + p01r * gr - p01i * gi
        pi = p00i + p01r * gi + p01i * gr
        qr = p10r + p11r * gr - p11i * gi
        qi = p10i + p11r * gi + p11i * gr
        s = pr * pr + pi * pi
        gp = G + row * (2 * N)
        tl.store(gp + 2 * i, (qr * pr + qi * pi) / s, mask=live)
        tl.store(gp + 2 * i + 1, (qi * pr - qr * pi) / s, mask=live)
    else:
        last = t == L - 1
        tp = T + (row * NC + c) * 8
        tl.store(tp + 0 + t * 0, p00r, mask=last)
        tl.store(tp + 1 + t * 0, p00i, mask=last)
        tl.store(tp + 2 + t * 0, p01r, mask=last)
        tl.store(tp + 3 + t * 0, p01i, mask=last)
        tl.store(tp + 4 + t * 0, p10r, mask=last)
        tl.store(tp + 5 + t * 0, p10i, mask=last)
        tl.store(tp + 6 + t * 0, p11r, mask=last)
        tl.store(tp + 7 + t * 0, p11i, mask=last)


def _fwd_carry_kernel(T, CARRY, R, NC, BLOCK: tl.constexpr):
    """Phase 2: g_in of every chunk, one lane per row, serially over the row's chunks."""
    rows = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    live = rows < R
    r64 = rows.to(tl.int64)
    gr = (rows * 0).to(T.dtype.element_ty)
    gi = (rows * 0).to(T.dtype.element_ty)
    for c in range(0, NC):
        tl.store(CARRY + (r64 * NC + c) * 2, gr, mask=live)
        tl.store(CARRY + (r64 * NC + c) * 2 + 1, gi, mask=live)
        tp = T + (r64 * NC + c) * 8
        t00r = tl.load(tp + 0, mask=live, other=1.0)
        t00i = tl.load(tp + 1, mask=live, other=0.0)
        t01r = tl.load(tp + 2, mask=live, other=0.0)
        t01i = tl.load(tp + 3, mask=live, other=0.0)
        t10r = tl.load(tp + 4, mask=live, other=0.0)
        t10i = tl.load(tp + 5, mask=live, other=0.0)
        t11r = tl.load(tp + 6, mask=live, other=1.0)
        t11i = tl.load(tp + 7, mask=live, other=0.0)
        pr = t00r + t01r * gr - t01i * gi
        pi = t00i + t01r * gi + t01i * gr
        qr = t10r + t11r * gr - t11i * gi
        qi = t10i + t11r * gi + t11i * gr
        s = pr * pr + pi * pi
        gr = (qr * pr + qi * pi) / s
        gi = (qi * pr - qr * pi) / s


def _bwd_tile_kernel(G, B2, GO, GD, GB, T, CARRY, N, NC, rev, L: tl.constexpr, FINAL: tl.constexpr):
    """Backward phase 1 (store the chunk's affine map) or 3 (store gd, gb2); lane t is step j = cL + L-1-t."""
    row = tl.program_id(0).to(tl.int64)
    c = tl.program_id(1)
    t = tl.arange(0, L)
    j = c * L + (L - 1 - t)  # descending steps along the scan
    live = j < N
    nxt = live & (j + 1 < N)
    i = j + rev * (N - 1 - 2 * j)
    gp = G + row * (2 * N)
    bp = B2 + row * (N - 1)
    i1 = i + 1 - 2 * rev  # memory index of step j+1; b2 between j and j+1 is b2[i - rev]
    ur = tl.load(gp + 2 * i1, mask=nxt, other=0.0)
    ui = tl.load(gp + 2 * i1 + 1, mask=nxt, other=0.0)
    b = tl.load(bp + (i - rev), mask=nxt, other=0.0)
    ar = (ur * ur - ui * ui) * b  # alpha_{j+1} = conj(g_{j+1})^2 b2
    ai = -2.0 * ur * ui * b
    op = GO + row * (2 * N)
    br = tl.load(op + 2 * i, mask=live, other=0.0)
    bi = tl.load(op + 2 * i + 1, mask=live, other=0.0)
    one = br * 0.0 + 1.0
    ar = tl.where(live, ar, one)  # pads (j >= N) are the identity map
    fa_r, fa_i, fb_r, fb_i, fc = tl.associative_scan((ar, ai, br, bi, one), 0, _aff_combine)
    cp = CARRY + (row * NC + c) * 2
    if FINAL:
        xr = tl.load(cp + t * 0)  # a at the first step of the next chunk
        xi = tl.load(cp + 1 + t * 0)
        vr = (fa_r * xr - fa_i * xi + fb_r) / fc  # a_j, the total adjoint of g_j
        vi = (fa_r * xi + fa_i * xr + fb_i) / fc
        gr = tl.load(gp + 2 * i, mask=live, other=0.0)
        gi = tl.load(gp + 2 * i + 1, mask=live, other=0.0)
        sr = gr * gr - gi * gi  # conj(g)^2
        si = -2.0 * gr * gi
        dr = -(vr * sr - vi * si)
        di = -(vr * si + vi * sr)
        dp = GD + row * (2 * N)
        tl.store(dp + 2 * i, dr, mask=live)
        tl.store(dp + 2 * i + 1, di, mask=live)
        has = live & (j > 0)
        p = i - 1 + 2 * rev  # memory index of step j-1
        px = tl.load(gp + 2 * p, mask=has, other=0.0)
        py = tl.load(gp + 2 * p + 1, mask=has, other=0.0)
        tl.store(GB + row * (N - 1) + (i - 1 + rev), -(dr * px + di * py), mask=has)
    else:
        last = t == L - 1
        tp = T + (row * NC + c) * 8
        tl.store(tp + 0 + t * 0, fa_r, mask=last)
        tl.store(tp + 1 + t * 0, fa_i, mask=last)
        tl.store(tp + 2 + t * 0, fb_r, mask=last)
        tl.store(tp + 3 + t * 0, fb_i, mask=last)
        tl.store(tp + 4 + t * 0, fc, mask=last)


def _bwd_carry_kernel(T, CARRY, R, NC, BLOCK: tl.constexpr):
    """Backward phase 2: a at the first step after each chunk, from the last chunk down (a_N = 0)."""
    rows = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    live = rows < R
    r64 = rows.to(tl.int64)
    xr = (rows * 0).to(T.dtype.element_ty)
    xi = (rows * 0).to(T.dtype.element_ty)
    for cc in range(0, NC):
        c = NC - 1 - cc
        tl.store(CARRY + (r64 * NC + c) * 2, xr, mask=live)
        tl.store(CARRY + (r64 * NC + c) * 2 + 1, xi, mask=live)
        tp = T + (r64 * NC + c) * 8
        far = tl.load(tp + 0, mask=live, other=1.0)
        fai = tl.load(tp + 1, mask=live, other=0.0)
        fbr = tl.load(tp + 2, mask=live, other=0.0)
        fbi = tl.load(tp + 3, mask=live, other=0.0)
        fc = tl.load(tp + 4, mask=live, other=1.0)
        nr = (far * xr - fai * xi + fbr) / fc
        xi = (far * xi + fai * xr + fbi) / fc
        xr = nr


if triton is not None:  # combine functions are called by the scan, compiled or (their .fn) interpreted
    _mat_combine = triton.jit(_mat_combine)
    _aff_combine = triton.jit(_aff_combine)

_KERNELS = {}


def _kernels():
    """The four kernels jitted for the current TRITON_INTERPRET setting (Triton reads it at decoration)."""
    key = interpreting()
    if key not in _KERNELS:
        _KERNELS[key] = tuple(triton.jit(k) for k in (_fwd_tile_kernel, _fwd_carry_kernel,
                                                       _bwd_tile_kernel, _bwd_carry_kernel))
    return _KERNELS[key]


def _warps(L):
    return max(1, min(8, L // 128))


def _carry_launch(rows):
    block = 32 if rows >= 32 else max(16, 1 << max(rows - 1, 0).bit_length())
    return block, (math.ceil(rows / block),)


# ------------------------------------------------------------------------------------------ torch wrappers
def recurrence_forward(d_r: torch.Tensor, b2: torch.Tensor, reverse: bool, chunk=None) -> torch.Tensor:
    """g (R, N, 2) from d (R, N, 2) and b2 (R, N-1): contiguous real tensors of one dtype on one device.
    `chunk` is the tile length L (a power of two; default :func:`default_chunk`). On CPU without the Triton
    interpreter this runs the torch version of the same three phases (paperlib.bk.core_chunked_ref)."""
    rows, n = d_r.shape[0], d_r.shape[1]
    L = _chunk_of(chunk, n)
    if not _use_triton(d_r):
        return core_chunked_ref.recurrence_forward(d_r, b2, reverse, chunk=L)
    out = torch.empty_like(d_r)
    if rows == 0:
        return out
    tile, carry_k = _kernels()[:2]
    nc = -(-n // L)
    T = torch.empty(rows, nc, 8, dtype=d_r.dtype, device=d_r.device)
    carry = torch.empty(rows, nc, 2, dtype=d_r.dtype, device=d_r.device)
    b2_arg = b2 if n > 1 else d_r  # never read when N = 1
    rev = int(bool(reverse))
    tile[(rows, nc)](d_r, b2_arg, out, T, carry, n, nc, rev, L=L, FINAL=0, num_warps=_warps(L))
    block, grid = _carry_launch(rows)
    carry_k[grid](T, carry, rows, nc, BLOCK=block, num_warps=1)
    tile[(rows, nc)](d_r, b2_arg, out, T, carry, n, nc, rev, L=L, FINAL=1, num_warps=_warps(L))
    return out


def recurrence_backward(g_r, b2, gout_r, reverse, chunk=None):
    """(gd (R, N, 2), gb2 (R, N-1)) for the cotangent gout (R, N, 2) of g (the analytic reverse mode of
    paperlib.bk.core._Recurrence, as three phases over chunks)."""
    rows, n = g_r.shape[0], g_r.shape[1]
    L = _chunk_of(chunk, n)
    if not _use_triton(g_r):
        return core_chunked_ref.recurrence_backward(g_r, b2, gout_r, reverse, chunk=L)
    gd = torch.empty_like(g_r)
    gb2 = torch.zeros_like(b2)
    if rows == 0:
        return gd, gb2
    tile, carry_k = _kernels()[2:]
    nc = -(-n // L)
    T = torch.empty(rows, nc, 8, dtype=g_r.dtype, device=g_r.device)
    carry = torch.empty(rows, nc, 2, dtype=g_r.dtype, device=g_r.device)
    b2_arg, gb_arg = (b2, gb2) if n > 1 else (g_r, gd)  # never touched when N = 1
    go = gout_r.to(g_r.dtype).contiguous()
    rev = int(bool(reverse))
    tile[(rows, nc)](g_r, b2_arg, go, gd, gb_arg, T, carry, n, nc, rev, L=L, FINAL=0, num_warps=_warps(L))
    block, grid = _carry_launch(rows)
    carry_k[grid](T, carry, rows, nc, BLOCK=block, num_warps=1)
    tile[(rows, nc)](g_r, b2_arg, go, gd, gb_arg, T, carry, n, nc, rev, L=L, FINAL=1, num_warps=_warps(L))
    return gd, gb2
