"""SCTA's objectives' losses: chunked linear cross-entropy (never more than `chunk` rows of logits), the
Stage-1 semantic contrastive loss and the sampled softmax with the log-Q correction.

Part of paperlib.scta (the method is described in the package docstring)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

HAS_TORCH_LCE = hasattr(F, "linear_cross_entropy") and hasattr(torch.nn, "LinearCrossEntropyOptions")


class _ChunkedLinearCE(torch.autograd.Function):
    """Mean CE of logits = h W^T + b computed `chunk` rows at a time; backward recomputes each chunk's logits.

    d loss / d logits = (softmax(logits) - onehot(y)) / N, so grad_h = G W, grad_W = G^T h, grad_b = sum G.
    Peak extra memory O(chunk * V) instead of O(N * V).
    """

    @staticmethod
    def forward(ctx, h, W, b, y, chunk):
        N = h.shape[0]
        lse = torch.empty(N, dtype=h.dtype, device=h.device)
        tgt = torch.empty(N, dtype=h.dtype, device=h.device)
        for s in range(0, N, chunk):
            logits = h[s:s + chunk] @ W.t()
            if b is not None:
                logits = logits + b
            lse[s:s + chunk] = torch.logsumexp(logits, dim=1)
            tgt[s:s + chunk] = logits.gather(1, y[s:s + chunk, None]).squeeze(1)
        ctx.save_for_backward(h, W, b if b is not None else torch.empty(0), y, lse)
        ctx.chunk = chunk
        ctx.has_b = b is not None
        return (lse - tgt).mean()

    @staticmethod
    def backward(ctx, g):
        h, W, b, y, lse = ctx.saved_tensors
        N, chunk = h.shape[0], ctx.chunk
        gh = torch.empty_like(h) if ctx.needs_input_grad[0] else None
        gW = torch.zeros_like(W) if ctx.needs_input_grad[1] else None
        gb = torch.zeros_like(b) if (ctx.has_b and ctx.needs_input_grad[2]) else None
        scale = g / N
        for s in range(0, N, chunk):
            hc = h[s:s + chunk]
            logits = hc @ W.t()
            if ctx.has_b:
                logits = logits + b
            G = torch.exp(logits - lse[s:s + chunk, None])
            G[torch.arange(hc.shape[0], device=h.device), y[s:s + chunk]] -= 1.0
            G = G * scale
            if gh is not None:
                gh[s:s + chunk] = G @ W
            if gW is not None:
                gW.addmm_(G.t(), hc)
            if gb is not None:
                gb += G.sum(0)
        return gh, gW, gb, None, None


def chunked_linear_cross_entropy(h, W, y, b=None, chunk: int = 1024, impl: str = "auto"):
    """Mean cross-entropy of (h W^T + b) against y without materialising all N x V logits.

    impl: "torch" = torch.nn.functional.linear_cross_entropy with LinearCrossEntropyOptions (torch >= 2.13),
    "own" = our chunked autograd Function, "auto" = torch when available, else own.
    """
    if h.dim() != 2 or W.dim() != 2 or h.shape[1] != W.shape[1]:
        raise ValueError(f"need h (N, d) and W (V, d); got {tuple(h.shape)} and {tuple(W.shape)}")
    if y.shape != (h.shape[0],):
        raise ValueError(f"targets must have shape ({h.shape[0]},), got {tuple(y.shape)}")
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    if impl not in ("auto", "torch", "own"):
        raise ValueError(f"impl must be auto|torch|own, got {impl!r}")
    if impl == "torch" and not HAS_TORCH_LCE:
        raise RuntimeError("this torch has no torch.nn.functional.linear_cross_entropy")
    if impl == "torch" or (impl == "auto" and HAS_TORCH_LCE):
        opts = torch.nn.LinearCrossEntropyOptions(batch_chunk_size=chunk)
        return F.linear_cross_entropy(h, W, y, linear_bias=b, options=opts)
    return _ChunkedLinearCE.apply(h, W, b, y, chunk)


def scta_loss(z_raw: torch.Tensor, e_pos_raw: torch.Tensor, e_neg_raw: torch.Tensor, tau: float,
              neg_mask: torch.Tensor | None = None) -> torch.Tensor:
    """SCTA Stage-1 loss (mean over tokens), the paper's equation with z = normalize(W_sem h), e = normalize(E_sem[.]).

    z_raw (N, D); e_pos_raw (N, D); e_neg_raw (K, D) shared or (N, K, D) per token; neg_mask (N, K) True = drop.
    """
    if tau <= 0:
        raise ValueError(f"tau must be > 0, got {tau}")
    z = F.normalize(z_raw, dim=-1)
    ep = F.normalize(e_pos_raw, dim=-1)
    en = F.normalize(e_neg_raw, dim=-1)
    pos = (z * ep).sum(-1, keepdim=True) / tau
    neg = (z @ en.t() if en.dim() == 2 else torch.einsum("nd,nkd->nk", z, en)) / tau
    if neg_mask is not None:
        neg = neg.masked_fill(neg_mask, float("-inf"))
    logits = torch.cat([pos, neg], dim=1)
    return (torch.logsumexp(logits, dim=1) - pos.squeeze(1)).mean()


def sampled_softmax_loss(h: torch.Tensor, W_pos: torch.Tensor, b_pos: torch.Tensor, W_neg: torch.Tensor,
                         b_neg: torch.Tensor, q_neg: torch.Tensor, K: int, hit_mask: torch.Tensor | None,
                         q_pos: torch.Tensor | None = None) -> torch.Tensor:
    """Sampled softmax with the log-Q correction (Jean et al. 2015), shared negatives drawn with replacement.

    Sampled logits are corrected o_j - log(K q(j)) (K q(j) = expected count of j in the sample); accidental hits
    (sampled j == target) are removed. Then exp(loss) = (e^{o_y} + (1/K) sum_{j != y} e^{o_j}/q(j)) / e^{o_y},
    whose expectation is exactly exp(full CE) = Z / e^{o_y}: the estimator of the partition function is unbiased.
    Passing q_pos also corrects the positive logit (the TensorFlow convention); then the value is not CE-consistent.
    """
    pos = (h * W_pos).sum(-1) + b_pos
    if q_pos is not None:
        pos = pos - torch.log(K * q_pos).to(pos.dtype)
    neg = h @ W_neg.t() + b_neg - torch.log(K * q_neg).to(h.dtype)
    if hit_mask is not None:
        neg = neg.masked_fill(hit_mask, float("-inf"))
    logits = torch.cat([pos[:, None], neg], dim=1)
    return (torch.logsumexp(logits, dim=1) - pos).mean()
