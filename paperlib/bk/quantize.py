"""Post-training weight quantization for BK-S23-QUANT (ResNet-BK Sections 1 and 2.3): this companion's own simple
fake quantization, applied alike to ResNet-BK and the Transformer baseline of notebook 16.

Per-channel symmetric INT-b: every output channel c of a weight matrix W (a row: Linear's out_features, an
Embedding's token, MultiheadAttention's packed in-projection) gets the scale s_c = max_j |W_cj| / q with
q = 2^(b-1) - 1 (127 for INT8, 7 for INT4), and W_cj is replaced by s_c * clamp(round(W_cj / s_c), -q, q): the
float value an INT-b kernel would compute with. A zero row stays zero. Biases, LayerNorm and the other 1-D
parameters (BK potential offsets, ...) stay float, as in weight-only post-training quantization; no calibration
data, no quantization-aware training. `quantized_fraction` says what share of each model's parameters was
quantized, so the two models are compared on what was actually rounded.
"""
from __future__ import annotations

import copy

import torch
import torch.nn as nn

__all__ = ["qmax", "fake_quantize", "quantize_weights", "quantized_fraction", "ppl_under_quantization"]


def qmax(bits: int) -> int:
    """Largest integer level of symmetric signed INT-`bits` (one level is left unused so the grid is symmetric)."""
    if isinstance(bits, bool) or not isinstance(bits, int) or not 2 <= bits <= 16:
        raise ValueError(f"bits must be an int in [2, 16], got {bits!r}")
    return 2 ** (bits - 1) - 1


@torch.no_grad()
def fake_quantize(w: torch.Tensor, bits: int) -> torch.Tensor:
    """Per-row (dim 0) symmetric INT-`bits` quantize-dequantize of a 2-D weight, in its dtype (see the module)."""
    if w.dim() != 2:
        raise ValueError(f"expected a 2-D weight [channels, inputs], got shape {tuple(w.shape)}")
    if not torch.isfinite(w).all():
        raise ValueError("weights must be finite")
    q = qmax(bits)
    wf = w.detach().double()
    scale = wf.abs().amax(dim=1, keepdim=True) / q
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    out = torch.clamp(torch.round(wf / safe), -q, q) * safe
    return torch.where(scale > 0, out, torch.zeros_like(out)).to(w.dtype)


def _weights(model: nn.Module):
    """(module, attribute) of every weight this module quantizes: Linear and Embedding weights and
    MultiheadAttention's packed in-projection (the Transformer's Q/K/V matrices, not an nn.Linear)."""
    for mod in model.modules():
        if isinstance(mod, (nn.Linear, nn.Embedding)):
            yield mod, "weight"
        elif isinstance(mod, nn.MultiheadAttention):
            for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
                if getattr(mod, name, None) is not None:
                    yield mod, name


@torch.no_grad()
def quantize_weights(model: nn.Module, bits: int) -> nn.Module:
    """A deep copy of `model` with every weight of `_weights` fake-quantized to INT-`bits` (tied weights once)."""
    qmax(bits)
    out = copy.deepcopy(model)
    seen: set[int] = set()
    for mod, name in _weights(out):
        p = getattr(mod, name)
        if id(p) in seen:
            continue
        seen.add(id(p))
        p.copy_(fake_quantize(p, bits))
    return out


def quantized_fraction(model: nn.Module) -> float:
    """Share of the model's parameters (elements, tied weights once) that `quantize_weights` rounds."""
    params = {id(p): p.numel() for p in model.parameters()}
    quant = {id(getattr(m, n)): getattr(m, n).numel() for m, n in _weights(model)}
    total = sum(params.values())
    return sum(v for k, v in quant.items() if k in params) / total if total else 0.0


def ppl_under_quantization(model: nn.Module, stream: torch.Tensor, seq_len: int, batch_size: int,
                           max_windows: int | None, bits=(8, 4)) -> dict:
    """Held-out PPL of `model` in float and after `quantize_weights` at each width in `bits`, on the same windows
    (``common.lm.evaluate_perplexity``): {"float": ppl, 8: ppl, 4: ppl, ...}. `model` itself is not changed."""
    from paperlib.common.lm import evaluate_perplexity

    out = {"float": evaluate_perplexity(model, stream, seq_len, batch_size, max_windows)["ppl"]}
    for b in bits:
        out[b] = evaluate_perplexity(quantize_weights(model, b), stream, seq_len, batch_size, max_windows)["ppl"]
    return out
