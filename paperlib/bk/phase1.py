"""ResNet-BK "Phase 1" efficiency blocks (paper Sections 4.6 and 6; spec resnet-bk.md).

- HTTEmbedding: tensor-train factorised V x d embedding table ("Holographic Tensor Train").
- ARSSMLayer: adaptive-rank semiseparable mixer y = T(x) + out_proj(cumsum_t(U(x) g) * (V(x) g)) (spec "AR-SSM layer";
  T = depthwise Conv1d k=3, causal by default so the LM stays causal).
- LowRankFFN: d -> r -> d with r = max(d/64, 8).
- LowRankHead: d -> r -> V with r = max(d/128, 4).
- UltraMemoryOptimizedLM: the "Optimized" model of Tables 10/11:
  HTT(rank 4) + L x [LayerNorm -> (AR-SSM + low-rank FFN)] + final LayerNorm + low-rank head.

Each module has a closed-form ``expected_params`` static method used by the tests and by the Table 10 count.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint
from paperlib.common.checks import pos_int

__all__ = [
    "htt_factors", "HTTEmbedding", "ARSSMLayer", "LowRankFFN", "LowRankHead", "UltraMemoryOptimizedLM",
    "lowrank_ffn_rank", "lowrank_head_rank", "linear_params", "layernorm_params",
]


def linear_params(n_in: int, n_out: int, bias: bool = True) -> int:
    return n_in * n_out + (n_out if bias else 0)


def layernorm_params(d: int) -> int:
    return 2 * d


def lowrank_ffn_rank(d: int) -> int:
    """Ultra low-rank FFN rank r = max(d/64, 8) (paper Table 10 caption, "rank=d/64")."""
    return max(d // 64, 8)


def lowrank_head_rank(d: int) -> int:
    """Low-rank output head rank max(d/128, 4) (spec)."""
    return max(d // 128, 4)


def htt_factors(vocab_size: int, d_model: int) -> tuple[int, int, int, int]:
    """V ~ v1*v2 and d ~ d1*d2 with v1 = ceil(sqrt V), v2 = ceil(V/v1) (same for d); the product table is cropped."""
    pos_int(vocab_size, "vocab_size")
    pos_int(d_model, "d_model")
    v1 = math.isqrt(vocab_size - 1) + 1 if vocab_size > 1 else 1
    v2 = -(-vocab_size // v1)
    d1 = math.isqrt(d_model - 1) + 1 if d_model > 1 else 1
    d2 = -(-d_model // d1)
    return v1, v2, d1, d2


class HTTEmbedding(nn.Module):
    """Tensor-train embedding: token i -> (i1, i2) = (i // v2, i % v2),
    E[i] = crop_d( reshape( sum_r core1[i1, r, :] (x) core2[i2, r, :] ) ) (outer product d1 x d2 -> d1*d2).
    Cores have shapes (v1, 1, r, d1) and (v2, r, 1, d2) in TT notation; the unit bond dims are dropped here.
    The reference code's per-rank phase cos(theta_r) is a per-rank scale and is absorbed into core1."""

    def __init__(self, vocab_size: int, d_model: int, rank: int = 16, init_std: float = 0.02):
        super().__init__()
        pos_int(rank, "rank")
        self.vocab_size, self.d_model, self.rank = vocab_size, d_model, rank
        self.v1, self.v2, self.d1, self.d2 = htt_factors(vocab_size, d_model)
        # entry variance = rank * s^4 -> choose s so the embedding entries have std init_std
        s = (init_std ** 2 / rank) ** 0.25
        self.core1 = nn.Parameter(torch.randn(self.v1, rank, self.d1) * s)
        self.core2 = nn.Parameter(torch.randn(self.v2, rank, self.d2) * s)

    @staticmethod
    def expected_params(vocab_size: int, d_model: int, rank: int) -> int:
        v1, v2, d1, d2 = htt_factors(vocab_size, d_model)
        return rank * (v1 * d1 + v2 * d2)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        if idx.dtype not in (torch.int64, torch.int32):
            raise TypeError(f"HTTEmbedding expects integer token ids, got {idx.dtype}")
        i1 = torch.div(idx, self.v2, rounding_mode="floor")
        i2 = idx % self.v2
        a = self.core1[i1]  # (..., r, d1)
        b = self.core2[i2]  # (..., r, d2)
        e = torch.einsum("...ri,...rj->...ij", a, b)
        return e.reshape(*idx.shape, self.d1 * self.d2)[..., : self.d_model]

    def dense_weight(self) -> torch.Tensor:
        """The full (V, d) table the TT cores represent (for tests / inspection)."""
        full = torch.einsum("ari,brj->abij", self.core1, self.core2)
        full = full.reshape(self.v1 * self.v2, self.d1 * self.d2)
        return full[: self.vocab_size, : self.d_model]


class ARSSMLayer(nn.Module):
    """Adaptive-rank semiseparable layer (spec "AR-SSM layer"):
    y = T(x) + out_proj( cumsum_t(U(x) * g) * (V(x) * g) ),   g = sigmoid(MLP_{d -> h -> r_max}(x)).
    T is a depthwise Conv1d (kernel k); causal=True pads on the left only so y_t depends on x_{<=t}.
    The cumsum over t is the rank-r_max semiseparable (lower-triangular U V^T) part."""

    def __init__(self, d_model: int, r_max: int = 8, gate_hidden: int | None = None, kernel_size: int = 3,
                 causal: bool = True):
        super().__init__()
        pos_int(d_model, "d_model")
        pos_int(r_max, "r_max")
        pos_int(kernel_size, "kernel_size")
        gate_hidden = max(d_model // 4, 1) if gate_hidden is None else gate_hidden
        pos_int(gate_hidden, "gate_hidden")
        self.d_model, self.r_max, self.gate_hidden, self.kernel_size, self.causal = (
            d_model, r_max, gate_hidden, kernel_size, causal)
        self.conv = nn.Conv1d(d_model, d_model, kernel_size, groups=d_model)
        self.U = nn.Linear(d_model, r_max)
        self.V = nn.Linear(d_model, r_max)
        self.out_proj = nn.Linear(r_max, d_model)
        self.gate = nn.Sequential(nn.Linear(d_model, gate_hidden), nn.GELU(), nn.Linear(gate_hidden, r_max))

    @staticmethod
    def expected_params(d_model: int, r_max: int = 8, gate_hidden: int | None = None, kernel_size: int = 3) -> int:
        h = max(d_model // 4, 1) if gate_hidden is None else gate_hidden
        conv = d_model * kernel_size + d_model
        return (conv + 2 * linear_params(d_model, r_max) + linear_params(r_max, d_model)
                + linear_params(d_model, h) + linear_params(h, r_max))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, T, d)
        if x.dim() != 3 or x.shape[-1] != self.d_model:
            raise ValueError(f"ARSSMLayer expects (B, T, {self.d_model}), got {tuple(x.shape)}")
        xc = x.transpose(1, 2)
        k = self.kernel_size
        if self.causal:
            xc = F.pad(xc, (k - 1, 0))
        else:
            xc = F.pad(xc, ((k - 1) // 2, k - 1 - (k - 1) // 2))
        t_part = self.conv(xc).transpose(1, 2)
        g = torch.sigmoid(self.gate(x))
        ss = torch.cumsum(self.U(x) * g, dim=1) * (self.V(x) * g)
        return t_part + self.out_proj(ss)


class LowRankFFN(nn.Module):
    """Ultra low-rank FFN d -> r -> d (GELU), r = max(d/64, 8)."""

    def __init__(self, d_model: int, rank: int | None = None):
        super().__init__()
        pos_int(d_model, "d_model")
        self.rank = lowrank_ffn_rank(d_model) if rank is None else rank
        pos_int(self.rank, "rank")
        self.down = nn.Linear(d_model, self.rank)
        self.up = nn.Linear(self.rank, d_model)

    @staticmethod
    def expected_params(d_model: int, rank: int | None = None) -> int:
        r = lowrank_ffn_rank(d_model) if rank is None else rank
        return linear_params(d_model, r) + linear_params(r, d_model)

    def forward(self, x):
        return self.up(F.gelu(self.down(x)))


class LowRankHead(nn.Module):
    """Low-rank output head d -> r -> V, r = max(d/128, 4); bias on both factors (nn.Linear default)."""

    def __init__(self, d_model: int, vocab_size: int, rank: int | None = None):
        super().__init__()
        pos_int(vocab_size, "vocab_size")
        self.rank = lowrank_head_rank(d_model) if rank is None else rank
        pos_int(self.rank, "rank")
        self.down = nn.Linear(d_model, self.rank)
        self.up = nn.Linear(self.rank, vocab_size)

    @staticmethod
    def expected_params(d_model: int, vocab_size: int, rank: int | None = None) -> int:
        r = lowrank_head_rank(d_model) if rank is None else rank
        return linear_params(d_model, r) + linear_params(r, vocab_size)

    def forward(self, x):
        return self.up(self.down(x))


class _UltraBlock(nn.Module):
    """One optimized layer: x + ARSSM(LN x) + LowRankFFN(LN x) (single LayerNorm, parallel sublayers)."""

    def __init__(self, d_model, r_max, gate_hidden, causal):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.mixer = ARSSMLayer(d_model, r_max=r_max, gate_hidden=gate_hidden, causal=causal)
        self.ffn = LowRankFFN(d_model)

    def forward(self, x):
        h = self.norm(x)
        return x + self.mixer(h) + self.ffn(h)


class UltraMemoryOptimizedLM(nn.Module):
    """Table 10/11 "Optimized" model: HTT(rank) embedding + n_layers x [AR-SSM + low-rank FFN + LayerNorm]
    + final LayerNorm + low-rank head. No positional embedding (the causal conv / cumsum carry order)."""

    def __init__(self, vocab_size: int, d_model: int = 512, n_layers: int = 6, htt_rank: int = 4, r_max: int = 8,
                 gate_hidden: int = 128, causal: bool = True, checkpointing: bool = False, seq_len: int = 512):
        super().__init__()
        pos_int(n_layers, "n_layers")
        pos_int(seq_len, "seq_len")
        self.vocab_size, self.d_model, self.n_layers, self.seq_len = vocab_size, d_model, n_layers, seq_len
        self.checkpointing = checkpointing
        self.embed = HTTEmbedding(vocab_size, d_model, rank=htt_rank)
        self.blocks = nn.ModuleList(_UltraBlock(d_model, r_max, gate_hidden, causal) for _ in range(n_layers))
        self.norm = nn.LayerNorm(d_model)
        self.head = LowRankHead(d_model, vocab_size)
        self.aux: dict = {}

    @staticmethod
    def expected_params(vocab_size, d_model=512, n_layers=6, htt_rank=4, r_max=8, gate_hidden=128) -> dict:
        block = (layernorm_params(d_model) + ARSSMLayer.expected_params(d_model, r_max, gate_hidden)
                 + LowRankFFN.expected_params(d_model))
        rows = {"embedding": HTTEmbedding.expected_params(vocab_size, d_model, htt_rank),
                "layers": n_layers * block,
                "final_norm": layernorm_params(d_model),
                "head": LowRankHead.expected_params(d_model, vocab_size)}
        rows["total"] = sum(rows.values())
        return rows

    def num_params(self) -> int:
        """common.modules.count_params of this model."""
        from paperlib.common.modules import count_params

        return count_params(self)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        _check_idx(idx, self.vocab_size)
        x = self.embed(idx)
        for blk in self.blocks:
            if self.checkpointing and self.training and torch.is_grad_enabled():
                x = checkpoint(blk, x, use_reentrant=False)
            else:
                x = blk(x)
        return self.head(self.norm(x))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None):
        return generate_tokens(self, idx, max_new_tokens, temperature, top_k, generator, self.seq_len)


def _check_idx(idx, vocab_size):
    if not isinstance(idx, torch.Tensor):
        raise TypeError(f"idx must be a torch.Tensor, got {type(idx).__name__}")
    if idx.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"idx must be an integer (long) tensor, got {idx.dtype}")
    if idx.dim() != 2:
        raise ValueError(f"idx must have shape (B, T), got {tuple(idx.shape)}")
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= vocab_size):
        raise ValueError(f"token ids must lie in [0, {vocab_size}), got range [{int(idx.min())}, {int(idx.max())}]")


@torch.no_grad()
def generate_tokens(model, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None, context=None):
    """Shared autoregressive sampler: crop to the last `context` tokens, sample from softmax(logits/temperature),
    optionally restricted to the top_k logits. temperature == 0 -> greedy."""
    _check_idx(idx, model.vocab_size)
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be a non-negative int, got {max_new_tokens!r}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if top_k is not None and (not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be a positive int or None, got {top_k!r}")
    was_training = model.training
    model.eval()
    try:
        for _ in range(max_new_tokens):
            ctx = idx if context is None else idx[:, -context:]
            logits = model(ctx)[:, -1, :].float()
            if temperature == 0:
                nxt = logits.argmax(-1, keepdim=True)
            else:
                logits = logits / temperature
                if top_k is not None:
                    kth = torch.topk(logits, min(top_k, logits.shape[-1]), dim=-1).values[:, -1:]
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                probs = torch.softmax(logits, dim=-1)
                nxt = torch.multinomial(probs.cpu(), 1, generator=generator).to(idx.device)
            idx = torch.cat([idx, nxt.to(idx.dtype)], dim=1)
    finally:
        model.train(was_training)
    return idx
