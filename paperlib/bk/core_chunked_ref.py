"""The chunked three-phase BK-Core recurrence in plain torch: the CPU reference of :mod:`paperlib.bk.core_triton_chunked`.

Same maths as the Triton kernels, written with complex torch tensors so that it runs in float64 on CPU and tests
the chunk algebra without Triton. Step space: the left recurrence walks i = 0..N-1, the right one (reverse=True)
is the left one on the flipped sequence (d and b2 flipped), so everything below is written for the left one.

Forward. g_j = 1/D_j with D_j = d_j - b_j g_{j-1} (b_j = b2_{j-1}, b_0 = 0). With D = p/q the step is the linear
map (p, q) -> M_j (p, q), M_j = [[d_j, -b_j], [1, 0]], so g_j = q'/p' for (p', q') = M_j ... M_0 (1, 0). Chunks of
L consecutive steps (the last one padded with identity matrices):

1. per chunk, the transfer product T_c = M_{e-1} ... M_s, divided after every step by its largest |Re|/|Im|
   entry (a positive scale: the ratio q/p is unchanged, and entries stay in [-1, 1], so nothing overflows);
2. the carries, serially over the chunks of a row: g_in_0 = 0, g_in_{c+1} = (T10 + T11 g)/(T00 + T01 g) at
   g = g_in_c (the Moebius map of T_c);
3. inside each chunk, the (normalised) prefix products P_t of its matrices applied to (1, g_in):
   g = (P10 + P11 g_in)/(P00 + P01 g_in) (the kernel runs this as Triton's associative scan over a tile).

Backward (the analytic reverse mode of paperlib.bk.core._Recurrence). With a_j = gbar_j + carry_j the total
adjoint of g_j, a_j = gbar_j + alpha_{j+1} a_{j+1}, alpha_{j+1} = conj(g_{j+1})^2 b_{j+1} (alpha_N = 0), run from
j = N-1 down: an affine map x -> alpha x + gbar per step, composed in descending j. An affine map is kept
homogeneous, x -> (A x + B)/C, as the triple (A, B, C) (A, B complex, C > 0 real) divided after every step by
max(|Re A|, |Im A|, |Re B|, |Im B|, C). |A| is the product of |alpha| over the chunk, which over thousands of
steps under- or overflows (|alpha| < 1 where the continued fraction contracts); in the triple the largest of
the three is 1 and a vanishing A only means the carry from the right no longer matters, so neither happens.
Then dL/dd_j = -a_j conj(g_j)^2 and dL/db2_{j-1} = Re(a_j conj(g_j)^2 conj(g_{j-1})).
"""
from __future__ import annotations

import math

import torch

__all__ = ["recurrence_forward", "recurrence_backward", "default_chunk"]


def default_chunk(n: int) -> int:
    """A power of two near sqrt(n) (>= 2): the python loops below take about L + N/L steps."""
    return max(2, 1 << max(0, math.ceil(math.log2(max(n, 1)) / 2)))


def _scale(*parts):
    """1 / the largest |Re|/|Im| over complex (and real) tensors of one shape; 1 where all are 0."""
    s = torch.stack([torch.view_as_real(p).abs().amax(-1) if p.is_complex() else p.abs() for p in parts]).amax(0)
    return torch.where(s > 0, s, torch.ones_like(s)).reciprocal()


def _chunks(x, n, L, pad):
    """(R, N) -> (R, C, L), padded at the end with `pad`."""
    c = -(-n // L)
    if c * L > n:
        x = torch.cat([x, torch.full(x.shape[:-1] + (c * L - n,), pad, dtype=x.dtype, device=x.device)], -1)
    return x.reshape(x.shape[0], c, L)


def _as_complex(r):
    return torch.view_as_complex(r.contiguous())


def _steps(x, reverse):
    return x.flip(-1) if reverse else x


def _check_chunk(chunk, n):
    L = default_chunk(n) if chunk is None else int(chunk)
    if L < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    return L


# ------------------------------------------------------------------------------------------------ forward
def _forward_left(d, b2, L):
    """g (R, N) complex of the left recurrence, in three phases over chunks of L steps."""
    rows, n = d.shape
    bb = torch.cat([torch.zeros_like(d[:, :1].real), b2], -1).to(d.dtype)
    # the matrices of each chunk, (R, C, L) each, pads = identity
    m00, m01 = _chunks(d, n, L, 1.0), -_chunks(bb, n, L, 0.0)
    live = _chunks(torch.ones_like(d.real), n, L, 0.0).to(d.dtype)
    m10, m11 = live, 1.0 - live
    # phases 1 and 3 share the in-chunk prefix products P_t = M_t ... M_0 (normalised); T_c = the last one
    one, zero = torch.ones_like(m00[..., 0]), torch.zeros_like(m00[..., 0])
    p00, p01, p10, p11 = one, zero, zero, one
    prefix = []
    for t in range(L):
        a00, a01, a10, a11 = m00[..., t], m01[..., t], m10[..., t], m11[..., t]
        p00, p01, p10, p11 = (a00 * p00 + a01 * p10, a00 * p01 + a01 * p11,
                              a10 * p00 + a11 * p10, a10 * p01 + a11 * p11)
        s = _scale(p00, p01, p10, p11)
        p00, p01, p10, p11 = p00 * s, p01 * s, p10 * s, p11 * s
        prefix.append((p00, p01, p10, p11))
    t00, t01, t10, t11 = prefix[-1]  # phase 1: (R, C)
    # phase 2: carries g_in (R, C), serially over chunks
    g = torch.zeros_like(d[:, 0])
    carries = []
    for c in range(t00.shape[1]):
        carries.append(g)
        g = (t10[:, c] + t11[:, c] * g) / (t00[:, c] + t01[:, c] * g)
    gin = torch.stack(carries, 1)
    # phase 3
    P = [torch.stack(e, -1) for e in zip(*prefix)]  # 4 x (R, C, L)
    gin = gin.unsqueeze(-1)
    out = (P[2] + P[3] * gin) / (P[0] + P[1] * gin)
    return out.reshape(rows, -1)[:, :n]


def recurrence_forward(d_r: torch.Tensor, b2: torch.Tensor, reverse: bool, chunk=None) -> torch.Tensor:
    """g (R, N, 2) from d (R, N, 2) and b2 (R, N-1) (real, interleaved), like paperlib.bk.core_triton."""
    rows, n = d_r.shape[0], d_r.shape[1]
    if rows == 0:
        return torch.empty_like(d_r)
    d = _steps(_as_complex(d_r), reverse)
    g = _forward_left(d, _steps(b2, reverse), _check_chunk(chunk, n))
    return torch.view_as_real(_steps(g, reverse).contiguous()).contiguous()


# ----------------------------------------------------------------------------------------------- backward
def _backward_left(g, b2, gbar, L):
    """(gd (R, N) complex, gb2 (R, N-1) real) of the left recurrence, three phases over chunks of L steps."""
    rows, n = g.shape
    cg2 = g.conj() ** 2
    alpha = torch.zeros_like(g)
    if n > 1:
        alpha[:, :-1] = cg2[:, 1:] * b2  # alpha_{j+1} = conj(g_{j+1})^2 b2_j
    # descending j: work on the flipped sequences, chunked from the right end (pads = identity maps)
    A = _chunks(alpha.flip(-1), n, L, 1.0)
    B = _chunks(gbar.flip(-1), n, L, 0.0)
    fa, fb, fc = torch.ones_like(A[..., 0]), torch.zeros_like(A[..., 0]), torch.ones_like(A[..., 0].real)
    prefix = []
    for t in range(L):  # compose x -> A_t x + B_t after (fa x + fb)/fc
        fa, fb = A[..., t] * fa, A[..., t] * fb + B[..., t] * fc
        s = _scale(fa, fb, fc)
        fa, fb, fc = fa * s, fb * s, fc * s
        prefix.append((fa, fb, fc))
    ta, tb, tc = prefix[-1]  # phase 1: each chunk's map (R, C)
    x = torch.zeros_like(g[:, 0])  # phase 2: a_N (any value: alpha_N = 0)
    carries = []
    for c in range(ta.shape[1]):
        carries.append(x)
        x = (ta[:, c] * x + tb[:, c]) / tc[:, c]
    xin = torch.stack(carries, 1).unsqueeze(-1)
    fa, fb, fc = (torch.stack(e, -1) for e in zip(*prefix))  # phase 3
    a = ((fa * xin + fb) / fc).reshape(rows, -1)[:, :n].flip(-1)
    dbar = -a * cg2
    gb2 = (-dbar[:, 1:] * g[:, :-1].conj()).real
    return dbar, gb2


def recurrence_backward(g_r, b2, gout_r, reverse, chunk=None):
    """(gd (R, N, 2), gb2 (R, N-1)) for the cotangent gout (R, N, 2) of g, like paperlib.bk.core_triton."""
    rows, n = g_r.shape[0], g_r.shape[1]
    if rows == 0:
        return torch.empty_like(g_r), torch.zeros_like(b2)
    g = _steps(_as_complex(g_r), reverse)
    gbar = _steps(_as_complex(gout_r.to(g_r.dtype)), reverse)
    gd, gb2 = _backward_left(g, _steps(b2, reverse), gbar, _check_chunk(chunk, n))
    return (torch.view_as_real(_steps(gd, reverse).contiguous()).contiguous(),
            _steps(gb2, reverse).to(b2.dtype).contiguous())
