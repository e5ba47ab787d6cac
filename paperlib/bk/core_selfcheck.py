"""The Triton kernels' self-check: method="auto" uses Triton on a CUDA device only after both kernels
(paperlib.bk.core_triton, one lane per row, and paperlib.bk.core_triton_chunked) reproduced the float64 sequential
reference's values and gradients there on a tiny problem (cached per device and dtype)."""
import warnings

import torch

__all__ = ["triton_self_check", "triton_self_check_report"]

_TRITON_CHECK = {}


def _run_triton_self_check(device, dtype, bk_diag):
    """Forward values and v/off gradients of both kernels vs the float64 sequential reference on CPU (`bk_diag`:
    paperlib.bk.core's op, passed in so that this module does not import core, which imports it)."""

    tol = 1e-4 if dtype == torch.float32 else 1e-10
    g = torch.Generator().manual_seed(0)
    v = (torch.randn(3, 37, generator=g, dtype=torch.float64) * 1.5).clamp(-3, 3)
    off = 1.0 + 0.3 * torch.randn(3, 36, generator=g, dtype=torch.float64)
    w = torch.randn(3, 37, 2, generator=g, dtype=torch.float64)
    z = 0.3 + 0.8j
    worst = 0.0
    with torch.inference_mode(False), torch.enable_grad():
        for causal in (True, False):
            grads = []
            for method, dev, dt in (("sequential", torch.device("cpu"), torch.float64), ("triton", device, dtype),
                                    ("triton-chunked", device, dtype)):
                vv = v.to(dev, dt).requires_grad_()
                oo = off.to(dev, dt).requires_grad_()
                out = bk_diag(vv, z, oo, causal=causal, method=method)
                loss = (torch.view_as_real(out) * w.to(dev, dt)).sum()
                gv, go = torch.autograd.grad(loss, (vv, oo))
                grads.append([t.detach().cpu().double() for t in (torch.view_as_real(out), gv, go)])
            for kernel, result in zip(("triton", "triton-chunked"), grads[1:]):  # both kernels, or neither
                for ref, got in zip(grads[0], result):
                    err = float((got - ref).abs().max() / ref.abs().max())
                    worst = max(worst, err)
                    if not err <= tol:
                        return False, (f"{kernel} mismatch vs sequential (causal={causal}): rel err {err:.1e} "
                                       f"> {tol:.0e}")
    return True, f"ok: forward and gradients within {worst:.1e} of the sequential reference"


def triton_self_check(device, dtype, bk_diag) -> bool:
    """Whether the Triton kernel (paperlib.bk.core_triton) runs correctly on this CUDA device and dtype (tiny problem; cached per device, dtype)."""
    from paperlib.bk import core_triton as bk_core_triton

    device = torch.device(device)
    if not bk_core_triton.available() or device.type != "cuda" or not torch.cuda.is_available():
        return False
    index = device.index if device.index is not None else torch.cuda.current_device()
    key = (index, dtype)
    if key not in _TRITON_CHECK:
        try:
            _TRITON_CHECK[key] = _run_triton_self_check(torch.device("cuda", index), dtype, bk_diag)
        except Exception as exc:  # noqa: BLE001 - any failure means: do not use the kernel here
            _TRITON_CHECK[key] = (False, f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}")
        if not _TRITON_CHECK[key][0]:
            warnings.warn(f"Triton BK-Core self-check failed on cuda:{index} ({dtype}): {_TRITON_CHECK[key][1]}; "
                          "method='auto' uses the torch scan there", RuntimeWarning)
    return _TRITON_CHECK[key][0]


def triton_self_check_report() -> dict:
    """{'cuda:<i> <dtype>': (passed, reason)} for every self-check run in this process."""
    return {f"cuda:{i} {str(dt).replace('torch.', '')}": r for (i, dt), r in _TRITON_CHECK.items()}
