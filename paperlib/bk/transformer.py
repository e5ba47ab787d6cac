"""Transformer baseline of the ResNet-BK tables (Table 10/11; "standard Transformer encoder, 8 heads, FFN 4d, no
positional embedding, + embedding + output head with bias"), with a causal mask for LM use. Same interface as
ResNetBKLM: forward(idx[B,T]) -> logits[B,T,V], .aux, .generate(...), .num_params()."""
from __future__ import annotations

import torch
import torch.nn as nn
from torch.utils.checkpoint import checkpoint

from paperlib.bk.phase1 import _check_idx, generate_tokens, linear_params, layernorm_params

__all__ = ["TransformerLM"]


class TransformerLM(nn.Module):
    def __init__(self, vocab_size: int, d_model: int = 512, n_layers: int = 6, n_heads: int = 8,
                 ffn_mult: int = 4, seq_len: int = 512, dropout: float = 0.0, pos_embedding: bool = False,
                 causal: bool = True, checkpointing: bool = False, norm_first: bool = False):
        super().__init__()
        for name, val in (("vocab_size", vocab_size), ("d_model", d_model), ("n_layers", n_layers),
                          ("n_heads", n_heads), ("ffn_mult", ffn_mult), ("seq_len", seq_len)):
            if isinstance(val, bool) or not isinstance(val, int):
                raise TypeError(f"{name} must be an int, got {type(val).__name__}")
            if val < 1:
                raise ValueError(f"{name} must be >= 1, got {val}")
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")
        self.vocab_size, self.d_model, self.n_layers, self.n_heads = vocab_size, d_model, n_layers, n_heads
        self.ffn_mult, self.seq_len, self.causal, self.checkpointing = ffn_mult, seq_len, causal, checkpointing
        self.embed = nn.Embedding(vocab_size, d_model)
        self.pos_emb = nn.Embedding(seq_len, d_model) if pos_embedding else None
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=ffn_mult * d_model, dropout=dropout,
                                       batch_first=True, norm_first=norm_first) for _ in range(n_layers))
        self.head = nn.Linear(d_model, vocab_size, bias=True)
        self.aux: dict = {}

    @staticmethod
    def expected_params(vocab_size, d_model=512, n_layers=6, ffn_mult=4, seq_len=512, pos_embedding=False) -> dict:
        d = d_model
        layer = (linear_params(d, 3 * d) + linear_params(d, d)            # MHA in_proj + out_proj
                 + linear_params(d, ffn_mult * d) + linear_params(ffn_mult * d, d) + 2 * layernorm_params(d))
        rows = {"embedding": vocab_size * d, "pos_embedding": seq_len * d if pos_embedding else 0,
                "layers": n_layers * layer, "head": linear_params(d, vocab_size)}
        rows["total"] = sum(rows.values())
        return rows

    def num_params(self) -> int:
        """common.modules.count_params of this model."""
        from paperlib.common.modules import count_params

        return count_params(self)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        _check_idx(idx, self.vocab_size)
        T = idx.shape[1]
        if self.pos_emb is not None and T > self.seq_len:
            raise ValueError(f"sequence length {T} exceeds seq_len={self.seq_len}")
        x = self.embed(idx)
        if self.pos_emb is not None:
            x = x + self.pos_emb(torch.arange(T, device=idx.device))[None]
        mask = (torch.triu(torch.full((T, T), float("-inf"), device=idx.device, dtype=x.dtype), diagonal=1)
                if self.causal else None)
        for layer in self.layers:
            if self.checkpointing and self.training and torch.is_grad_enabled():
                x = checkpoint(layer, x, mask, use_reentrant=False)
            else:
                x = layer(x, src_mask=mask)
        self.aux = {}
        return self.head(x)

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None):
        return generate_tokens(self, idx, max_new_tokens, temperature, top_k, generator, self.seq_len)
