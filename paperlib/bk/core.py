"""BK-Core: the diagonal of the resolvent of a tridiagonal "Hamiltonian", exact, stable and parallel in N.

ResNet-BK (the paper, Sections 3-4) mixes tokens through G_ii = [(H - zI)^{-1}]_ii, where H is tridiagonal
with main diagonal a_i = h0_diag + v_i (v: the per-token potential) and symmetric off-diagonals b_i.
Write d_i = a_i - z. The paper's theta/phi recurrences are

    theta_0 = 1, theta_1 = d_0,  theta_{i+1} = d_i theta_i - b_{i-1}^2 theta_{i-1}        (leading minors)
    phi_N   = 1, phi_{N-1} = d_{N-1}, phi_i = d_i phi_{i+1} - b_i^2 phi_{i+2}              (trailing minors)
    G_ii    = theta_i phi_{i+1} / theta_N.

theta and phi grow (or shrink) geometrically, so the products overflow/underflow long before N = 32768
(:func:`bk_diag_theta_naive` keeps that naive form for the notebook to show it). Only *ratios* matter:

    alpha_i = theta_{i+1}/theta_i = d_i - b_{i-1}^2 / alpha_{i-1}      (continued fraction, alpha_0 = d_0)
    beta_i  = phi_i / phi_{i+1}   = d_i - b_i^2 / beta_{i+1}            (beta_{N-1} = d_{N-1})
    G_ii    = 1 / (d_i - b_{i-1}^2 / alpha_{i-1} - b_i^2 / beta_{i+1})  (Schur complement of row i)

and the causal (prefix-only) quantity is the last diagonal entry of the resolvent of the leading
(i+1) x (i+1) block, theta_i / theta_{i+1} = 1 / alpha_i (depends on v_0..v_i only).

Parallel form: (theta_{i+1}, theta_i)^T = M_i (theta_i, theta_{i-1})^T with the 2x2 transfer matrix
M_i = [[d_i, -b_{i-1}^2], [1, 0]] (b_{-1} = 0), so (theta_{i+1}, theta_i) is the first column of the prefix
product P_i = M_i M_{i-1} ... M_0 -- an associative scan over 2x2 matrices (Moebius maps). The ratio
P_i[1,0]/P_i[0,0] is invariant under rescaling P_i, so every partial product is divided by its largest
entry (a detached scalar: the result is scale-invariant, so gradients stay exact). Entries then stay in
[2^-1, 2] and nothing overflows for any N. The scan is the work-efficient odd/even recursion: O(N) work,
O(log N) depth.

Methods: "scan" (torch, any device, autograd), "sequential" (python loop over the ratio recurrences;
reference), "dense" (torch.linalg on the dense matrix; small-N oracle), "compiled" (the continued fraction as a
numba loop on CPU, :mod:`paperlib.bk.core_compiled`), "triton" (the same loop as a Triton kernel, one lane per
row, :mod:`paperlib.bk.core_triton`; CUDA, or CPU under TRITON_INTERPRET=1), "triton-chunked" (the sequence split
into chunks across lanes: per-chunk transfer-matrix scans, a scan over chunk carries, then each chunk from its
carry, :mod:`paperlib.bk.core_triton_chunked`; without Triton on CPU its torch version) and "auto", which
:func:`resolve_method` turns into: "triton" on CUDA once both kernels have passed a tiny self-check on that device
(cached per device and dtype), with the kernel chosen per shape (rows that fill the device: per row; few rows or
long N: chunked; :func:`triton_choice_report`), else "scan"; "compiled" on CPU when numba imports, else "scan".
"auto" never picks "triton" without CUDA.

The two loop methods ("compiled", "triton") share one autograd.Function (:class:`_Recurrence`) with the analytic
reverse-mode of g_i = 1/D_i, D_i = d_i - b_{i-1}^2 g_{i-1} (torch's convention: the gradient of a complex
tensor is dL/dRe + i dL/dIm, so a holomorphic step w = f(u) sends gbar_u = gbar_w conj(f'(u))):

    a_i      = gbar_i + carry_i                       (total adjoint of g_i; carry from g_{i+1})
    Dbar_i   = -a_i conj(g_i)^2                       (dg/dD = -g^2)      -> dbar_i = Dbar_i
    b2bar_{i-1} = Re(-Dbar_i conj(g_{i-1}))           (b^2 is real)
    carry_{i-1} = -Dbar_i b_{i-1}^2                   (dD_i/dg_{i-1} = -b_{i-1}^2)

run from i = N-1 down to 0. The right recurrence (1/beta_i) is the same loop over the reversed sequence; the
two-sided G_ii combines both in torch (so autograd differentiates that closed-form step). Gradients w.r.t. v,
off, z and h0_diag then follow from d = h0_diag + v - z and b2 = off^2 through torch.
"""
from __future__ import annotations

import numbers

import torch

__all__ = [
    "METHODS",
    "bk_diag",
    "resolve_method",
    "triton_self_check",
    "triton_self_check_report",
    "triton_choice_report",
    "bk_features",
    "bk_diag_theta_naive",
    "tridiagonal_dense",
    "transfer_matrices",
    "prefix_products",
]

METHODS = ("auto", "scan", "sequential", "dense", "compiled", "triton", "triton-chunked")
_REAL_OK = (torch.float32, torch.float64)
_REAL_UPCAST = (torch.float16, torch.bfloat16)


# --------------------------------------------------------------------------------------------- validation
def _all_finite(t):
    """No nan/inf in the real tensor t: one aminmax pass (nan propagates to both extremes, +-inf shows in one)."""
    if t.numel() == 0:
        return True
    lo, hi = torch.aminmax(t)
    return bool(torch.isfinite(lo) & torch.isfinite(hi))


def _broadcast(a, b):
    """numpy/torch broadcast of two shapes, or None when they do not broadcast (cheaper than torch's helper)."""
    a, b = tuple(a), tuple(b)
    k = max(len(a), len(b))
    a, b = (1,) * (k - len(a)) + a, (1,) * (k - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            return None
        out.append(y if x == 1 else x)
    return tuple(out)


def _prepare(v, z, off, h0_diag, check_finite=True, complex_b2=True):
    """Validate inputs; return (d, b2, n) with d = a - z (complex, (..., N)) and b2 = off^2 ((..., N-1)),
    complex like d, or real (possibly an expanded view) when complex_b2=False."""
    if not isinstance(v, torch.Tensor):
        raise TypeError(f"v must be a torch.Tensor, got {type(v).__name__}")
    if v.is_complex() or not v.is_floating_point():
        raise TypeError(f"v must be a real floating tensor (float32/float64), got dtype {v.dtype}")
    if v.dim() < 1:
        raise ValueError("v must have at least one dimension (..., N); got a 0-d tensor")
    n = v.shape[-1]
    if n < 1:
        raise ValueError(f"sequence length N = v.shape[-1] must be >= 1, got {n}")
    if v.dtype in _REAL_UPCAST:  # half precision: computed in float32 (complex64 output)
        v = v.float()
    rdt = v.dtype
    cdt = torch.complex64 if rdt == torch.float32 else torch.complex128
    if check_finite and not _all_finite(v):
        raise ValueError("v contains non-finite values (nan or inf)")

    # h0_diag: real scalar or real tensor broadcastable to v
    if isinstance(h0_diag, torch.Tensor):
        if h0_diag.is_complex() or not h0_diag.is_floating_point():
            raise TypeError(f"h0_diag must be real floating, got dtype {h0_diag.dtype}")
        h0 = h0_diag.to(device=v.device, dtype=rdt)
    elif isinstance(h0_diag, numbers.Real) and not isinstance(h0_diag, bool):
        h0 = float(h0_diag)
    else:
        raise TypeError(f"h0_diag must be a real number or real tensor, got {type(h0_diag).__name__}")
    if check_finite and not (_all_finite(h0) if isinstance(h0, torch.Tensor) else h0 == h0 and abs(h0) != float("inf")):
        raise ValueError("h0_diag is not finite")

    # z: complex (python number or tensor broadcastable to the batch shape v.shape[:-1])
    if isinstance(z, torch.Tensor):
        if not (z.is_complex() or z.is_floating_point()):
            raise TypeError(f"z must be a complex/real floating tensor, got dtype {z.dtype}")
        zt = z.to(device=v.device, dtype=cdt)
        if _broadcast(zt.shape, v.shape[:-1]) is None:
            raise ValueError(f"z of shape {tuple(zt.shape)} is not broadcastable to the batch shape {tuple(v.shape[:-1])}")
        zt = zt.unsqueeze(-1)
        if check_finite and not bool(torch.isfinite(torch.view_as_real(zt)).all()):
            raise ValueError("z is not finite")
    elif isinstance(z, numbers.Complex) and not isinstance(z, bool):
        zt = complex(z)
        if check_finite and not (abs(zt) < float("inf")):
            raise ValueError("z is not finite")
    else:
        raise TypeError(f"z must be a complex number or tensor, got {type(z).__name__}")

    # off: real scalar or real tensor (..., N-1) (or broadcastable to it)
    if isinstance(off, torch.Tensor):
        if off.is_complex() or not off.is_floating_point():
            raise TypeError(f"off must be a real floating tensor, got dtype {off.dtype}")
        offt = off.to(device=v.device, dtype=rdt)
        if offt.dim() >= 1 and offt.shape[-1] not in (1, max(n - 1, 1)) and n > 1:
            raise ValueError(f"off must have last dimension N-1 = {n - 1} (or 1), got shape {tuple(offt.shape)}")
        if n > 1:
            target = tuple(v.shape[:-1]) + (n - 1,)
            if _broadcast(offt.shape, target) != target:
                raise ValueError(f"off of shape {tuple(offt.shape)} is not broadcastable to {target}")
        if check_finite and not _all_finite(offt):
            raise ValueError("off contains non-finite values (nan or inf)")
    elif isinstance(off, numbers.Real) and not isinstance(off, bool):
        offt = float(off)
        if check_finite and not (offt == offt and abs(offt) != float("inf")):
            raise ValueError("off is not finite")
    else:
        raise TypeError(f"off must be a real number or real tensor, got {type(off).__name__}")

    a = v + h0
    d = a.to(cdt) - zt  # (..., N) complex
    if n > 1:
        b2 = offt * offt
        if isinstance(b2, torch.Tensor):
            b2 = b2.expand(v.shape[:-1] + (n - 1,))
        else:
            b2 = torch.full(v.shape[:-1] + (n - 1,), b2, dtype=rdt, device=v.device)
        if complex_b2:
            b2 = b2.to(cdt)
    else:
        b2 = torch.zeros(v.shape[:-1] + (0,), dtype=cdt if complex_b2 else rdt, device=v.device)
    if d.shape != v.shape:
        raise ValueError(f"h0_diag/z broadcast v to {tuple(d.shape)}; the output must keep v's shape {tuple(v.shape)}")
    return d, b2, n


# ----------------------------------------------------------------------------------------- the 2x2 scan
# A batch of 2x2 complex matrices is one tensor of shape (2, 2, ..., N): entry [r, c] first.
def _mul(A, B):
    """Batched 2x2 product A @ B (elementwise over the trailing dims): C[r,c] = sum_k A[r,k] B[k,c]."""
    return (A.unsqueeze(2) * B.unsqueeze(0)).sum(1)


def _normalize(M):
    """Divide each 2x2 matrix by its largest |Re|/|Im| entry (detached; the Moebius map is projective)."""
    with torch.no_grad():
        r = torch.view_as_real(M).abs()  # (2, 2, ..., N, 2)
        s = r.reshape((4,) + r.shape[2:]).amax(0).amax(-1)  # (this reduction order is the fast one on CPU)
        inv = s.clamp_min(torch.finfo(s.dtype).tiny).reciprocal()
    return M * inv


def transfer_matrices(d, b2):
    """The 2x2 transfer matrices M_i = [[d_i, -b_{i-1}^2], [1, 0]] (b_{-1} = 0): tensor (2, 2, ..., N)."""
    zero = torch.zeros_like(d[..., :1])
    m01 = -torch.cat([zero, b2], dim=-1)
    row1 = torch.stack([torch.ones_like(d), torch.zeros_like(d)], 0)
    return torch.stack([torch.stack([d, m01], 0), row1], 0)


def prefix_products(M):
    """Inclusive prefix products P_i = M_i M_{i-1} ... M_0 (each up to a positive scale), O(N) work.

    Odd/even recursion: pair Q_j = M_{2j+1} M_{2j}; scan the pairs; then P_{2j+1} = Qscan_j and
    P_{2j} = M_{2j} Qscan_{j-1}. Every product is rescaled by :func:`_normalize`.
    """
    return _scan(_normalize(M))


def _scan(M):
    """prefix_products for already-normalized inputs M (2, 2, ..., n)."""
    n = M.shape[-1]
    if n == 1:
        return M
    half = n // 2
    even = M[..., 0 : 2 * half : 2]
    Qs = _scan(_normalize(_mul(M[..., 1 : 2 * half : 2], even)))  # P_{2j+1}, j = 0..half-1
    n_even = (n + 1) // 2
    # P_{2j} = M_{2j} @ P_{2j-1} for j = 1..n_even-1; P_0 = M_0
    rest = _normalize(_mul(M[..., 2:n:2], Qs[..., : n_even - 1]))
    P_even = torch.cat([M[..., :1], rest], dim=-1)
    inter = torch.stack([P_even[..., :half], Qs], dim=-1).reshape(M.shape[:-1] + (2 * half,))
    if n % 2:
        inter = torch.cat([inter, P_even[..., half:]], dim=-1)
    return inter


def _causal_scan(d, b2):
    """theta_i / theta_{i+1} = 1/alpha_i for all i by the normalized 2x2 scan."""
    P = prefix_products(transfer_matrices(d, b2))
    # first column of P_i is (theta_{i+1}, theta_i) up to scale
    return P[1, 0] / P[0, 0]


def _causal_sequential(d, b2):
    """1/alpha_i by the continued-fraction recurrence alpha_i = d_i - b_{i-1}^2 / alpha_{i-1} (python loop)."""
    n = d.shape[-1]
    out = []
    g = 1.0 / d[..., 0]
    out.append(g)
    for i in range(1, n):
        g = 1.0 / (d[..., i] - b2[..., i - 1] * g)
        out.append(g)
    return torch.stack(out, dim=-1)


def tridiagonal_dense(v, z=1j, off=1.0, h0_diag=-2.0):
    """Dense A = H - zI, complex (..., N, N); for oracles and the dense method."""
    d, b2, n = _prepare(v, z, off, h0_diag, check_finite=False)
    return _dense_from(d, b2, off, v)


def _dense_from(d, b2, off, v):
    n = d.shape[-1]
    A = torch.diag_embed(d)
    if n > 1:
        if isinstance(off, torch.Tensor):
            o = off.to(device=v.device, dtype=d.real.dtype).expand(v.shape[:-1] + (n - 1,)).to(d.dtype)
        else:
            o = torch.full(v.shape[:-1] + (n - 1,), float(off), dtype=d.dtype, device=d.device)
        A = A + torch.diag_embed(o, offset=1) + torch.diag_embed(o, offset=-1)
    return A


def _two_sided_from_causal(d, b2, gl, gr):
    """G_ii = 1/(d_i - b_{i-1}^2 gl_{i-1} - b_i^2 gr_{i+1}): gl = 1/alpha (from the left), gr = 1/beta (right)."""
    if d.shape[-1] == 1:
        return 1.0 / d
    pad = torch.zeros_like(d[..., :1])
    left = torch.cat([pad, b2 * gl[..., :-1]], dim=-1)
    right = torch.cat([b2 * gr[..., 1:], pad], dim=-1)
    return 1.0 / (d - left - right)


# ------------------------------------------------------------------------- compiled / Triton loop paths
class _Recurrence(torch.autograd.Function):
    """g = the continued fraction g_i = 1/(d_i - b2_{i-1} g_{i-1}) run by a loop backend (reverse=True: the
    right recurrence g_i = 1/(d_i - b2_i g_{i+1}), i.e. 1/beta_i); analytic backward (module docstring).

    d: complex (..., N); b2: real (..., N-1). A backend (module) provides
    recurrence_forward(d_r, b2, reverse) -> g_r and recurrence_backward(g_r, b2, gout_r, reverse) -> (gd_r, gb2),
    on rows: d_r, g_r, gout_r, gd_r real (R, N, 2) (view_as_real), b2, gb2 real (R, N-1), all contiguous."""

    @staticmethod
    def forward(ctx, d, b2, reverse, backend):
        n = d.shape[-1]
        rows = d.numel() // n
        dr = torch.view_as_real(d.reshape(rows, n).contiguous())
        bb = b2.reshape(rows, n - 1).contiguous()
        g = backend.recurrence_forward(dr, bb, reverse)
        ctx.save_for_backward(g, bb)
        ctx.meta = (reverse, backend, d.shape, b2.shape)
        return torch.view_as_complex(g).reshape(d.shape)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, gout):
        g, bb = ctx.saved_tensors
        reverse, backend, dshape, bshape = ctx.meta
        n = dshape[-1]
        go = torch.view_as_real(gout.resolve_conj().resolve_neg().reshape(g.shape[0], n).contiguous())
        gd, gb = backend.recurrence_backward(g, bb, go, reverse)
        gd = torch.view_as_complex(gd).reshape(dshape) if ctx.needs_input_grad[0] else None
        gb = gb.reshape(bshape) if ctx.needs_input_grad[1] else None
        return gd, gb, None, None


_TRITON_CHOICE: dict = {}  # (rows, n) -> "rows" | "chunked": what method="auto" chose on CUDA


def _backend(method, device, rows: int = 0, n: int = 0, auto: bool = False):
    """The loop backend module for method 'compiled'/'triton'/'triton-chunked' on `device`; ValueError saying
    why not. Under method="auto" on CUDA the Triton kernel is chosen per shape (core_triton_chunked.choose_kernel:
    rows that fill the device -> one lane per row; few rows or long N -> chunks across lanes), and the choice is
    recorded (triton_choice_report)."""
    if method == "compiled":
        from paperlib.bk import core_compiled as backend

        if device.type != "cpu":
            raise ValueError(f"method 'compiled' runs on CPU tensors only (got device {device}); "
                             "use 'triton' or 'scan' on CUDA")
    elif method == "triton-chunked":
        from paperlib.bk import core_triton_chunked as backend
    else:
        from paperlib.bk import core_triton as backend

        if auto and device.type == "cuda":
            from paperlib.bk import core_triton_chunked

            sms = torch.cuda.get_device_properties(device).multi_processor_count
            kind = core_triton_chunked.choose_kernel(rows, n, sms)
            _TRITON_CHOICE[(rows, n)] = kind
            if kind == "chunked":
                backend = core_triton_chunked
    backend.ensure_usable(device)
    return backend


def triton_choice_report() -> dict:
    """{(rows, N): "rows" | "chunked"}: the Triton kernel method="auto" chose for each shape in this process."""
    return dict(_TRITON_CHOICE)


def resolve_method(device=None, dtype=torch.float32) -> str:
    """The method that method="auto" runs for tensors on `device` with real dtype `dtype`:
    "triton" on CUDA after the kernel passed its self-check there (cached per device and dtype), "compiled" on
    CPU when numba is importable, "scan" otherwise. Never "triton" without CUDA."""
    device = torch.device("cpu" if device is None else device)
    if not isinstance(dtype, torch.dtype) or dtype.is_complex or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a real floating torch.dtype, got {dtype!r}")
    if dtype in _REAL_UPCAST:
        dtype = torch.float32
    if device.type == "cuda":
        return "triton" if triton_self_check(device, dtype) else "scan"
    if device.type == "cpu":
        from paperlib.bk import core_compiled as bk_core_compiled

        if bk_core_compiled.available():
            return "compiled"
    return "scan"


# ------------------------------------------------------------------ the Triton self-check (bk.core_selfcheck)
def triton_self_check(device, dtype=torch.float32) -> bool:
    """Whether both Triton kernels run correctly on this CUDA device and dtype (paperlib.bk.core_selfcheck)."""
    from paperlib.bk.core_selfcheck import triton_self_check as check

    return check(device, dtype, bk_diag)


def triton_self_check_report() -> dict:
    """{'cuda:<i> <dtype>': (passed, reason)} for every self-check run in this process."""
    from paperlib.bk.core_selfcheck import triton_self_check_report as report

    return report()


# ------------------------------------------------------------------------------------------- public op
def bk_diag(v, z=1j, off=1.0, h0_diag=-2.0, causal=True, method="auto", check_finite=True):
    """Diagonal resolvent of the tridiagonal H = diag(h0_diag + v) + off (sub/super-diagonals).

    Args:
        v: real tensor (..., N), the potential (float32 -> complex64 output, float64 -> complex128;
           float16/bfloat16 are computed in float32).
        z: spectral parameter, python complex or complex tensor broadcastable to v.shape[:-1].
        off: off-diagonal, real scalar or real tensor (..., N-1) (gradients flow to it).
        h0_diag: the free Hamiltonian's main diagonal (discrete Laplacian: -2).
        causal: True -> 1/alpha_i = [(H_{0:i+1} - z)^{-1}]_{ii} (prefix only, causal);
                False -> G_ii = [(H - z)^{-1}]_{ii} (two-sided: depends on all tokens).
        method: "auto" | "scan" | "sequential" | "dense" | "compiled" | "triton" | "triton-chunked" (module docstring;
           :func:`resolve_method` says what "auto" runs).
        check_finite: raise ValueError on nan/inf inputs (one device sync).
    Returns: complex tensor (..., N).
    """
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if not isinstance(causal, bool):
        raise TypeError(f"causal must be a bool, got {type(causal).__name__}")
    auto = method == "auto"
    if auto and isinstance(v, torch.Tensor):  # (a non-tensor v gets its TypeError from _prepare)
        method = resolve_method(v.device, v.dtype if v.is_floating_point() and not v.is_complex() else torch.float32)
    if method in ("compiled", "triton", "triton-chunked"):
        d, b2, n = _prepare(v, z, off, h0_diag, check_finite=check_finite, complex_b2=False)
        backend = _backend(method, d.device, rows=d.numel() // max(n, 1), n=n, auto=auto)
        gl = _Recurrence.apply(d, b2, False, backend)
        if causal:
            return gl
        return _two_sided_from_causal(d, b2, gl, _Recurrence.apply(d, b2, True, backend))
    d, b2, n = _prepare(v, z, off, h0_diag, check_finite=check_finite)
    if method in ("auto", "scan"):
        if causal:
            return _causal_scan(d, b2)
        # run left and right recurrences as one batched scan: stack the flipped problem
        dd = torch.stack([d, d.flip(-1)], dim=0)
        bb = torch.stack([b2, b2.flip(-1)], dim=0)
        g = _causal_scan(dd, bb)
        return _two_sided_from_causal(d, b2, g[0], g[1].flip(-1))
    if method == "sequential":
        gl = _causal_sequential(d, b2)
        if causal:
            return gl
        gr = _causal_sequential(d.flip(-1), b2.flip(-1)).flip(-1)
        return _two_sided_from_causal(d, b2, gl, gr)
    # dense oracle
    A = _dense_from(d, b2, off, v)
    if not causal:
        return torch.diagonal(torch.linalg.inv(A), dim1=-2, dim2=-1)
    # causal: for block size k = i+1, embed the leading block in an identity-padded N x N matrix (block
    # diagonal, so its inverse's leading block is the block's inverse) and solve for column i. O(N^4).
    eye = torch.eye(n, dtype=A.dtype, device=A.device)
    idx = torch.arange(n, device=A.device)
    keep = (idx[:, None, None] >= idx[None, :, None]) & (idx[:, None, None] >= idx[None, None, :])  # (k, r, c)
    Ab = torch.where(keep, A.unsqueeze(-3), eye)  # (..., N, N, N)
    rhs = eye.expand(A.shape[:-2] + (n, n)).unsqueeze(-1)  # e_i for block i
    x = torch.linalg.solve(Ab, rhs).squeeze(-1)  # (..., N, N)
    return torch.diagonal(x, dim1=-2, dim2=-1)


def bk_features(G):
    """Real features [Re G, Im G] of shape (..., N, 2) for the model's Linear(2, d)."""
    if not isinstance(G, torch.Tensor):
        raise TypeError(f"G must be a torch.Tensor, got {type(G).__name__}")
    if not G.is_complex():
        raise TypeError(f"G must be a complex tensor (the output of bk_diag), got dtype {G.dtype}")
    return torch.stack([G.real, G.imag], dim=-1)


# ------------------------------------------------------------------------------------ naive theta/phi
def bk_diag_theta_naive(v, z=1j, off=1.0, h0_diag=-2.0, causal=False):
    """The paper's unnormalized theta/phi recurrences (G_ii = theta_i phi_{i+1} / theta_N; causal
    theta_i/theta_{i+1}), kept only to show that they overflow. Python loop; no input checks beyond _prepare."""
    d, b2, n = _prepare(v, z, off, h0_diag, check_finite=False)
    one = torch.ones_like(d[..., 0])
    theta = [one, d[..., 0]]
    for i in range(1, n):
        theta.append(d[..., i] * theta[i] - b2[..., i - 1] * theta[i - 1])
    th = torch.stack(theta, dim=-1)  # (..., N+1)
    if causal:
        return th[..., :-1] / th[..., 1:]
    phi = [None] * (n + 1)
    phi[n] = one
    phi[n - 1] = d[..., n - 1]
    for i in range(n - 2, -1, -1):
        phi[i] = d[..., i] * phi[i + 1] - b2[..., i] * phi[i + 2]
    ph = torch.stack(phi, dim=-1)
    return th[..., :-1] * ph[..., 1:] / th[..., -1:]
