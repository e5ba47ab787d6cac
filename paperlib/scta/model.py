"""SCTA's model: the GRU language model with interchangeable output objectives, its optimisers (SparseAdam for
sparse V-row tables, AdamW otherwise), one training step and the full-softmax yardstick.

Part of paperlib.scta (the method is described in the package docstring)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from paperlib.scta.losses import chunked_linear_cross_entropy, sampled_softmax_loss, scta_loss
from paperlib.scta.sampling import NegativeSampler, sample_negatives

METHODS = ("ce", "chunked", "scta", "sampled", "none")


@dataclass
class SCTAConfig:
    V: int
    method: str = "scta"
    emb_dim: int = 256
    hidden: int = 256
    d_sem: int = 64
    K: int = 32
    tau: float = 0.07
    sampling: str = "uniform"          # uniform | unigram (negatives' proposal)
    shared_negatives: bool = False     # one set of K negatives for the whole batch vs K per token
    replacement: bool = True
    exclude_positive: bool = True
    sparse: bool = False               # sparse-gradient path for partly-touched V-row tables
    chunk: int = 1024                  # rows per chunk for the chunked CE
    chunk_impl: str = "auto"
    sampled_K: int | None = None       # negatives for sampled softmax (default: K)

    def validate(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        for name in ("V", "emb_dim", "hidden", "d_sem", "K", "chunk"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        if self.V < 2:
            raise ValueError("V must be >= 2")
        if not self.tau > 0:
            raise ValueError(f"tau must be > 0, got {self.tau}")
        if self.sampling not in ("uniform", "unigram"):
            raise ValueError(f"sampling must be uniform|unigram, got {self.sampling!r}")
        return self


class GRULM(nn.Module):
    """Input embedding + 1-layer GRU (hidden 256) with one of the output objectives (see module docstring)."""

    def __init__(self, cfg: SCTAConfig, unigram_counts: torch.Tensor | None = None):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        V = cfg.V
        self.emb = nn.Embedding(V, cfg.emb_dim, sparse=cfg.sparse)
        self.gru = nn.GRU(cfg.emb_dim, cfg.hidden, num_layers=1, batch_first=True)
        m = cfg.method
        if m in ("ce", "chunked"):
            self.W_tok = nn.Linear(cfg.hidden, V)
        elif m == "scta":
            self.W_sem = nn.Linear(cfg.hidden, cfg.d_sem, bias=False)
            self.E_sem = nn.Embedding(V, cfg.d_sem, sparse=cfg.sparse)
        elif m == "sampled":
            self.W_out = nn.Embedding(V, cfg.hidden, sparse=cfg.sparse)
            self.b_out = nn.Embedding(V, 1, sparse=cfg.sparse)
            nn.init.normal_(self.W_out.weight, std=cfg.hidden ** -0.5)
            nn.init.zeros_(self.b_out.weight)
        if m in ("scta", "sampled"):
            self.sampler = NegativeSampler(V, cfg.sampling, unigram_counts)

    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.gru(self.emb(x))
        return h

    def loss(self, x: torch.Tensor, y: torch.Tensor, generator=None) -> torch.Tensor:
        cfg = self.cfg
        h = self.hidden_states(x).reshape(-1, cfg.hidden)
        y = y.reshape(-1)
        m = cfg.method
        if m == "ce":
            return F.cross_entropy(self.W_tok(h), y)
        if m == "chunked":
            return chunked_linear_cross_entropy(h, self.W_tok.weight, y, self.W_tok.bias, cfg.chunk,
                                                cfg.chunk_impl)
        if m == "scta":
            neg = sample_negatives(self.sampler, y, cfg.K, cfg.shared_negatives, cfg.replacement,
                                   cfg.exclude_positive, generator)
            mask = (neg[None, :] == y[:, None]) if (cfg.shared_negatives and cfg.exclude_positive) else None
            return scta_loss(self.W_sem(h), self.E_sem(y), self.E_sem(neg), cfg.tau, mask)
        if m == "sampled":
            K = cfg.sampled_K or cfg.K
            neg = self.sampler.draw((K,), y.device, generator)
            hit = neg[None, :] == y[:, None]
            return sampled_softmax_loss(h, self.W_out(y), self.b_out(y).squeeze(-1), self.W_out(neg),
                                        self.b_out(neg).squeeze(-1), self.sampler.prob(neg), K, hit)
        return h.pow(2).mean()  # "none": no output head, the floor

    # full output head (W, b) for full-softmax evaluation; None for SCTA before Stage 2
    def token_head(self):
        m = self.cfg.method
        if m in ("ce", "chunked"):
            return self.W_tok.weight, self.W_tok.bias
        if m == "sampled":
            return self.W_out.weight, self.b_out.weight.squeeze(-1)
        if hasattr(self, "W_tok"):
            return self.W_tok.weight, self.W_tok.bias
        return None

    def semantic_head(self):
        """SCTA read-out used without Stage 2: logits_i = z . e_i / tau over all V (z normalized input)."""
        if self.cfg.method != "scta":
            raise ValueError("semantic_head exists only for method 'scta'")
        E = F.normalize(self.E_sem.weight, dim=-1) / self.cfg.tau
        return E, self.W_sem


def make_optimizers(model: nn.Module, lr: float = 3e-4, weight_decay: float = 0.01, params=None) -> list:
    """AdamW for dense parameters; SparseAdam for parameters of sparse=True embeddings."""
    sparse_ids = set()
    for mod in model.modules():
        if isinstance(mod, nn.Embedding) and mod.sparse:
            sparse_ids.add(id(mod.weight))
    ps = [p for p in (params if params is not None else model.parameters()) if p.requires_grad]
    dense = [p for p in ps if id(p) not in sparse_ids]
    sparse = [p for p in ps if id(p) in sparse_ids]
    opts = []
    if dense:
        opts.append(torch.optim.AdamW(dense, lr=lr, weight_decay=weight_decay))
    if sparse:
        opts.append(torch.optim.SparseAdam(sparse, lr=lr))
    return opts


def train_step(model: GRULM, opts: list, x, y, generator=None) -> float:
    for o in opts:
        o.zero_grad(set_to_none=True)
    loss = model.loss(x, y, generator)
    loss.backward()
    for o in opts:
        o.step()
    return float(loss.detach())


# ------------------------------------------------------------------------------------------- evaluation
@torch.no_grad()
def evaluate_full_softmax(model: GRULM, x: torch.Tensor, y: torch.Tensor, head: str = "token",
                          batch: int = 32, chunk: int = 2048) -> dict:
    """Full-softmax held-out loss (nats/token), perplexity, top-1 and top-5 accuracy over all V ids.

    head="token": the model's full token head (W_tok, or the sampled-softmax table); head="semantic": SCTA's
    z.e_i/tau scores over the whole vocabulary (a Stage-1-only read-out).
    """
    model.eval()
    tot_loss, tot_top1, tot_top5, n = 0.0, 0, 0, 0
    for s in range(0, x.shape[0], batch):
        h = model.hidden_states(x[s:s + batch]).reshape(-1, model.cfg.hidden)
        t = y[s:s + batch].reshape(-1)
        if head == "token":
            wb = model.token_head()
            if wb is None:
                raise ValueError("this model has no full token head yet (run Stage 2 first)")
            W, b = wb
            q = h
        elif head == "semantic":
            W, Wsem = model.semantic_head()
            b, q = None, F.normalize(Wsem(h), dim=-1)
        else:
            raise ValueError(f"head must be 'token' or 'semantic', got {head!r}")
        for r in range(0, q.shape[0], chunk):
            logits = q[r:r + chunk] @ W.t()
            if b is not None:
                logits = logits + b
            tt = t[r:r + chunk]
            tot_loss += float(F.cross_entropy(logits, tt, reduction="sum"))
            top5 = logits.topk(min(5, logits.shape[1]), dim=1).indices
            tot_top1 += int((top5[:, 0] == tt).sum())
            tot_top5 += int((top5 == tt[:, None]).any(1).sum())
            n += tt.numel()
    model.train()
    loss = tot_loss / n
    return {"loss": loss, "ppl": math.exp(min(loss, 700.0)), "top1": tot_top1 / n, "top5": tot_top5 / n,
            "tokens": n}
