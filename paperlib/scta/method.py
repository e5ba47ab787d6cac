"""SCTA / OktoSemantic training (seed 004): a GRU language model with interchangeable output objectives.

Objectives (all share one backbone: input embedding + 1-layer GRU, hidden 256):

* ``ce``       full softmax cross-entropy, logits (N x V) materialised.
* ``chunked``  the same loss with a memory-bounded linear cross-entropy: ``torch.nn.functional.linear_cross_entropy``
               with chunking options when this torch has it (feature-detected), else our own chunked autograd
               Function; logits are never materialised for more than ``chunk`` rows at a time.
* ``scta``     Stage 1 semantic contrastive loss of the paper (an InfoNCE / sampled-softmax form; van den Oord
               et al. 2018, Jean et al. 2015):
                   z = normalize(W_sem h),  e_i = normalize(E_sem[i]),
                   l = -log( exp(z.e_y/tau) / (exp(z.e_y/tau) + sum_j exp(z.e_{n_j}/tau)) ),  K negatives.
* ``sampled``  classic sampled softmax (Jean et al. 2015) with the log-Q correction on the sampled logits and
               accidental-hit removal.
* ``none``     the no-head floor: the same backbone with a trivial loss (per-step cost of everything but the head).

Stage 2 (``train_stage2``) fits a full token head W_tok with cross-entropy on top of a Stage-1 backbone (head
only, or everything at a lower learning rate); ``evaluate_full_softmax`` is the common yardstick (full-softmax
loss, perplexity, top-1/top-5) for every method.

Sparse gradient path: with ``sparse=True`` every V-row table that a step touches only partly (input embedding,
E_sem, the sampled-softmax table) is an ``nn.Embedding(sparse=True)`` and is updated by ``torch.optim.SparseAdam``;
dense parameters use AdamW. Dense AdamW over a V-row table is O(V) per step whatever the loss.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

METHODS = ("ce", "chunked", "scta", "sampled", "none")
HAS_TORCH_LCE = hasattr(F, "linear_cross_entropy") and hasattr(torch.nn, "LinearCrossEntropyOptions")


# --------------------------------------------------------------------------------------------------- data
def parse_sharegpt(source) -> list[str]:
    """Sequences "prompt \\n answer" from ShareGPT-format data.

    `source`: a path to a JSON file, a JSON string, or the already-loaded list of
    ``{"conversations": [{"from": "human", "value": ...}, {"from": "gpt", "value": ...}, ...]}``.
    Each human turn followed by a gpt turn gives one sequence.
    """
    if isinstance(source, (str, Path)):
        text = str(source)
        if not text.lstrip().startswith(("[", "{")):
            p = Path(text)
            if not p.exists():
                raise ValueError(f"ShareGPT file not found: {p}")
            text = p.read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"ShareGPT source is not valid JSON: {exc}") from None
    else:
        data = source
    if not isinstance(data, list):
        raise TypeError(f"ShareGPT data must be a list of records, got {type(data).__name__}")
    out: list[str] = []
    for i, rec in enumerate(data):
        if not isinstance(rec, dict) or "conversations" not in rec:
            raise ValueError(f"ShareGPT record {i} has no 'conversations' list")
        conv = rec["conversations"]
        if not isinstance(conv, list):
            raise ValueError(f"ShareGPT record {i}: 'conversations' must be a list")
        for j, turn in enumerate(conv):
            if not isinstance(turn, dict) or "from" not in turn or "value" not in turn:
                raise ValueError(f"ShareGPT record {i}, turn {j}: needs 'from' and 'value'")
            if not isinstance(turn["value"], str):
                raise TypeError(f"ShareGPT record {i}, turn {j}: 'value' must be a string")
        for a, b in zip(conv, conv[1:]):
            if a["from"] == "human" and b["from"] == "gpt":
                out.append(f"{a['value']}\n{b['value']}")
    return out


def dialog_texts(source: str = "chatterbot", lang: str = "english") -> list[str]:
    """Training sequences "prompt \\n answer": the embedded chatterbot corpus, or a ShareGPT JSON file path."""
    if source == "chatterbot":
        from paperlib.common.data import chatterbot_pairs

        return [f"{p}\n{a}" for p, a in chatterbot_pairs(lang=lang)]
    return parse_sharegpt(source)


@dataclass
class EncodedCorpus:
    ids: torch.Tensor          # 1-D int64 token stream, sequences separated by an end-of-sequence id
    V: int                     # size of the output space (>= tokenizer vocabulary; padded)
    tokenizer_vocab: int       # ids the tokenizer can emit
    ids_occurring: int         # distinct ids that actually occur in `ids`

    def split(self, valid_fraction: float = 0.1):
        if not 0.0 < valid_fraction < 1.0:
            raise ValueError(f"valid_fraction must be in (0, 1), got {valid_fraction}")
        n = int(len(self.ids) * (1 - valid_fraction))
        return self.ids[:n], self.ids[n:]


def encode_texts(texts: list[str], tokenizer, V: int) -> EncodedCorpus:
    """Token-id stream of `texts` (an end-of-sequence id after each), in an output space padded to V ids."""
    if not texts:
        raise ValueError("no texts to encode")
    tv = tokenizer.get_vocab_size()
    eos = tv  # one id past the tokenizer's vocabulary
    if V < tv + 1:
        raise ValueError(f"V={V} is smaller than the tokenizer vocabulary + EOS ({tv + 1})")
    stream: list[int] = []
    for enc in tokenizer.encode_batch(texts):
        stream.extend(enc.ids)
        stream.append(eos)
    ids = torch.tensor(stream, dtype=torch.long)
    return EncodedCorpus(ids=ids, V=V, tokenizer_vocab=tv + 1, ids_occurring=int(torch.unique(ids).numel()))


def zipf_ids(n: int, n_types: int, generator: torch.Generator, s: float = 1.1) -> torch.Tensor:
    """Synthetic Zipf(s) token stream over `n_types` ids (for benchmarks that only need realistic id statistics)."""
    if n_types < 1 or n < 1:
        raise ValueError("n and n_types must be >= 1")
    w = torch.arange(1, n_types + 1, dtype=torch.float64).pow(-s)
    return torch.multinomial(w / w.sum(), n, replacement=True, generator=generator)


def batch_iterator(ids: torch.Tensor, batch_size: int, seq_len: int, generator: torch.Generator,
                   device="cpu"):
    """Endless (x, y) batches of shape (batch_size, seq_len): random windows of the stream, y = x shifted by one."""
    if ids.dim() != 1 or ids.dtype != torch.long:
        raise TypeError("ids must be a 1-D int64 tensor")
    if batch_size < 1 or seq_len < 1:
        raise ValueError("batch_size and seq_len must be >= 1")
    n_win = len(ids) - seq_len - 1
    if n_win < 1:
        raise ValueError(f"token stream of {len(ids)} ids is too short for seq_len={seq_len}")
    offs = torch.arange(seq_len + 1)
    while True:
        starts = torch.randint(0, n_win + 1, (batch_size,), generator=generator)
        w = ids[starts[:, None] + offs[None, :]].to(device)
        yield w[:, :-1], w[:, 1:]


def eval_windows(ids: torch.Tensor, seq_len: int, max_windows: int | None = None):
    """Non-overlapping (x, y) windows covering the held-out stream (deterministic)."""
    n = (len(ids) - 1) // seq_len
    if max_windows is not None:
        n = min(n, max_windows)
    if n < 1:
        raise ValueError("held-out stream too short for one window")
    x = ids[: n * seq_len].view(n, seq_len)
    y = ids[1: n * seq_len + 1].view(n, seq_len)
    return x, y


# ------------------------------------------------------------------------------------------- chunked CE
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


# ------------------------------------------------------------------------------------------- sampling
class NegativeSampler:
    """Draws negative ids from a proposal q over V ids: uniform (O(K) per draw) or unigram (inverse-CDF with
    searchsorted, O(K log V) per draw; no O(V) work per step)."""

    def __init__(self, V: int, distribution: str = "uniform", counts: torch.Tensor | None = None,
                 smoothing: float = 0.0):
        if V < 2:
            raise ValueError(f"V must be >= 2, got {V}")
        if distribution not in ("uniform", "unigram"):
            raise ValueError(f"distribution must be 'uniform' or 'unigram', got {distribution!r}")
        self.V, self.distribution = V, distribution
        if distribution == "unigram":
            if counts is None or counts.numel() != V:
                raise ValueError("unigram sampling needs `counts` of length V")
            p = counts.double().clamp_min(0) + smoothing
            if p.sum() <= 0:
                raise ValueError("unigram counts sum to zero")
            self.q = p / p.sum()  # float64; cast where used
            self.cdf = torch.cumsum(p / p.sum(), 0)
            self.cdf[-1] = 1.0
        else:
            self.q = None
            self.cdf = None

    def to(self, device):
        if self.q is not None:
            self.q, self.cdf = self.q.to(device), self.cdf.to(device)
        return self

    def prob(self, ids: torch.Tensor) -> torch.Tensor:
        """q(ids)."""
        if self.q is None:
            return torch.full(ids.shape, 1.0 / self.V, dtype=torch.float64, device=ids.device)
        return self.q[ids]

    def draw(self, shape, device, generator=None) -> torch.Tensor:
        if self.cdf is None:
            return torch.randint(0, self.V, shape, device=device, generator=generator)
        u = torch.rand(shape, device=device, dtype=torch.float64, generator=generator)
        return torch.searchsorted(self.cdf, u).clamp_max(self.V - 1)


def _first_distinct(cand: torch.Tensor, k: int) -> torch.Tensor:
    """Per row, the first k distinct values of `cand` in draw order (-1 where fewer than k exist)."""
    rows, m = cand.shape
    sv, si = torch.sort(cand, dim=1, stable=True)
    dup_sorted = torch.zeros_like(sv, dtype=torch.bool)
    dup_sorted[:, 1:] = sv[:, 1:] == sv[:, :-1]
    dup = torch.zeros_like(dup_sorted).scatter_(1, si, dup_sorted)  # back to draw order
    key = torch.arange(m, device=cand.device).expand(rows, m).masked_fill(dup, m + 1)
    ks, order = torch.sort(key, dim=1, stable=True)
    pick = cand.gather(1, order[:, :k])
    return pick.masked_fill(ks[:, :k] > m, -1)


def sample_negatives(sampler: NegativeSampler, targets: torch.Tensor, K: int, shared: bool, replacement: bool,
                     exclude_positive: bool, generator=None) -> torch.Tensor:
    """Negative ids: shape (K,) when shared, else (N, K) per token.

    exclude_positive (per-token): negatives are drawn from q restricted to ids != target (by rejection);
    for shared negatives the positive is removed by masking in the loss instead (accidental-hit removal).
    replacement=False: K distinct ids, drawn sequentially from q (first K distinct of an i.i.d. stream).
    """
    if K < 1:
        raise ValueError(f"K must be >= 1, got {K}")
    need = K + (1 if (exclude_positive and not shared) else 0)
    if not replacement and need > sampler.V:
        raise ValueError(f"cannot draw {K} distinct negatives from V={sampler.V}")
    dev = targets.device
    rows = 1 if shared else targets.numel()
    if replacement:
        neg = sampler.draw((rows, K), dev, generator)
        if exclude_positive and not shared:
            t = targets.reshape(-1, 1)
            for _ in range(1000):
                hit = neg == t
                if not hit.any():
                    break
                neg = torch.where(hit, sampler.draw((rows, K), dev, generator), neg)
            else:
                raise RuntimeError("could not draw negatives different from the targets (degenerate q?)")
    else:
        m = max(4 * need, 16)
        for _ in range(100):
            cand = sampler.draw((rows, m), dev, generator)
            if exclude_positive and not shared:  # the target counts as already drawn, then is dropped
                cand = torch.cat([targets.reshape(-1, 1), cand], dim=1)
            pick = _first_distinct(cand, need)
            if (pick >= 0).all():
                break
            m *= 2
        else:
            raise RuntimeError("could not draw enough distinct negatives")
        neg = pick[:, 1:] if (exclude_positive and not shared) else pick
    return neg[0] if shared else neg


# ------------------------------------------------------------------------------------------- losses
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


# ------------------------------------------------------------------------------------------- model
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


# ------------------------------------------------------------------------------------------- training
def train(model: GRULM, batches, steps: int, lr: float = 3e-4, generator=None, eval_fn=None,
          eval_every: int = 0, opts=None) -> dict:
    """Train `steps` steps; returns per-step losses, cumulative training seconds (evaluation time excluded) and
    the evaluations made every `eval_every` steps (each tagged with the training seconds so far)."""
    if steps < 0:
        raise ValueError("steps must be >= 0")
    opts = opts if opts is not None else make_optimizers(model, lr)
    losses, evals, t_train = [], [], 0.0
    for i in range(steps):
        x, y = next(batches)
        t0 = time.perf_counter()
        losses.append(train_step(model, opts, x, y, generator))
        t_train += time.perf_counter() - t0
        if eval_fn is not None and eval_every and ((i + 1) % eval_every == 0 or i + 1 == steps):
            evals.append({"step": i + 1, "train_s": t_train, **eval_fn(model)})
    return {"losses": losses, "train_s": t_train, "evals": evals, "opts": opts}


def add_token_head(model: GRULM, init: str = "zeros") -> None:
    """Attach the Stage-2 token head W_tok (V x hidden, with bias) to an SCTA model.

    init="zeros" (uniform start), or "semantic": W_tok = normalize(E_sem) W_sem / tau, the Stage-1 scores
    without the normalisation of z (a warm start; the paper does not say how W_tok starts).
    """
    if model.cfg.method != "scta":
        raise ValueError("Stage 2 applies to SCTA models")
    V, H = model.cfg.V, model.cfg.hidden
    head = nn.Linear(H, V).to(model.E_sem.weight.device)
    with torch.no_grad():
        if init == "zeros":
            head.weight.zero_()
        elif init == "semantic":
            head.weight.copy_(F.normalize(model.E_sem.weight, dim=-1) @ model.W_sem.weight / model.cfg.tau)
        else:
            raise ValueError(f"init must be 'zeros' or 'semantic', got {init!r}")
        head.bias.zero_()
    model.W_tok = head


def train_stage2(model: GRULM, batches, steps: int, mode: str = "head", lr: float = 3e-4,
                 backbone_lr: float = 3e-5, init: str = "zeros", eval_fn=None, eval_every: int = 0,
                 chunk: int = 1024) -> dict:
    """Stage 2 of the paper: fit W_tok with (chunked) cross-entropy; mode "head" freezes the backbone,
    mode "full" trains everything with the backbone at `backbone_lr`."""
    if mode not in ("head", "full"):
        raise ValueError(f"mode must be 'head' or 'full', got {mode!r}")
    if not hasattr(model, "W_tok"):
        add_token_head(model, init)
    head_params = list(model.W_tok.parameters())
    opts = [torch.optim.AdamW(head_params, lr=lr)]
    if mode == "full":
        back = [p for n, p in model.named_parameters() if not n.startswith("W_tok")]
        dense = [p for p in back if p.layout == torch.strided and not _is_sparse_param(model, p)]
        sparse = [p for p in back if _is_sparse_param(model, p)]
        if dense:
            opts.append(torch.optim.AdamW(dense, lr=backbone_lr))
        if sparse:
            opts.append(torch.optim.SparseAdam(sparse, lr=backbone_lr))
    losses, evals, t_train = [], [], 0.0
    for i in range(steps):
        x, y = next(batches)
        t0 = time.perf_counter()
        for o in opts:
            o.zero_grad(set_to_none=True)
        if mode == "head":
            with torch.no_grad():
                h = model.hidden_states(x).reshape(-1, model.cfg.hidden)
        else:
            h = model.hidden_states(x).reshape(-1, model.cfg.hidden)
        loss = chunked_linear_cross_entropy(h, model.W_tok.weight, y.reshape(-1), model.W_tok.bias, chunk)
        loss.backward()
        for o in opts:
            o.step()
        losses.append(float(loss.detach()))
        t_train += time.perf_counter() - t0
        if eval_fn is not None and eval_every and ((i + 1) % eval_every == 0 or i + 1 == steps):
            evals.append({"step": i + 1, "train_s": t_train, **eval_fn(model)})
    return {"losses": losses, "train_s": t_train, "evals": evals}


def _is_sparse_param(model: nn.Module, p) -> bool:
    return any(isinstance(m, nn.Embedding) and m.sparse and m.weight is p for m in model.modules())


def chance_losses(V: int, K: int) -> dict:
    """Loss at chance (all scores equal): full CE = log V; SCTA / InfoNCE with K negatives = log(K + 1)."""
    return {"ce": math.log(V), "scta": math.log(K + 1)}


@torch.no_grad()
def untrained_losses(V: int, K: int = 32, tau: float = 0.07, batch: int = 4, seq_len: int = 32, seed: int = 0,
                     emb_dim: int = 64, hidden: int = 256, d_sem: int = 64) -> dict:
    """Loss of freshly initialised models (no training) for CE, SCTA and sampled softmax on random tokens at V,
    beside the closed-form chance levels log V and log(K+1)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, V, (batch, seq_len), generator=g)
    y = torch.randint(0, V, (batch, seq_len), generator=g)
    out = {"V": V, "K": K, "chance_ce": math.log(V), "chance_scta": math.log(K + 1)}
    for m in ("ce", "scta", "sampled"):
        torch.manual_seed(seed)
        model = GRULM(SCTAConfig(V=V, method=m, emb_dim=emb_dim, hidden=hidden, d_sem=d_sem, K=K, tau=tau))
        out[f"untrained_{m}"] = float(model.loss(x, y, generator=torch.Generator().manual_seed(seed)))
    return out


def quality_run(method: str, train_ids: torch.Tensor, valid_ids: torch.Tensor, V: int, steps: int,
                stage2_steps: int = 0, batch: int = 16, seq_len: int = 64, lr: float = 3e-4,
                stage2_lr: float = 3e-3, stage2_mode: str = "head", stage2_init: str = "zeros",
                eval_every: int = 50, n_eval: int = 64, seed: int = 0, sparse: bool = False,
                unigram_counts: torch.Tensor | None = None, device="cpu", **cfg_kwargs) -> dict:
    """Train one method on a token budget of `steps` x batch x seq_len, evaluating full-softmax held-out
    loss/ppl/top-k every `eval_every` steps (evaluation time excluded from the training clock).

    For SCTA: Stage 1 for `steps`, then Stage 2 (`stage2_steps`, W_tok by CE) with its time added to the clock;
    also the Stage-1-only semantic read-out (z.e_i/tau over all V) at the end of Stage 1.
    """
    from paperlib import seed_everything

    g = seed_everything(seed)
    dev = torch.device(device)
    model = GRULM(SCTAConfig(V=V, method=method, sparse=sparse, **cfg_kwargs), unigram_counts).to(dev)
    if hasattr(model, "sampler"):
        model.sampler.to(dev)
    xv, yv = (t.to(dev) for t in eval_windows(valid_ids, seq_len, n_eval))
    if dev.type == "cuda":
        g = torch.Generator(device=dev).manual_seed(seed)
        g_cpu = torch.Generator().manual_seed(seed)
    else:
        g_cpu = g
    head = "token" if method != "scta" else "semantic"
    curve = []

    def ev(phase, h):
        def f(m):
            return {"phase": phase, **evaluate_full_softmax(m, xv, yv, head=h)}
        return f

    batches = batch_iterator(train_ids, batch, seq_len, g_cpu, device=dev)
    s1 = train(model, batches, steps, lr=lr, generator=g, eval_fn=ev("stage1", head), eval_every=eval_every)
    curve += s1["evals"]
    out = {"method": method, "sparse": sparse, "train_losses": s1["losses"], "stage1_s": s1["train_s"]}
    if method == "scta" and stage2_steps > 0:
        t1 = s1["train_s"]
        s2 = train_stage2(model, batches, stage2_steps, mode=stage2_mode, lr=stage2_lr, init=stage2_init,
                          eval_fn=ev("stage2", "token"), eval_every=eval_every)
        for e in s2["evals"]:
            curve.append({**e, "step": steps + e["step"], "train_s": t1 + e["train_s"]})
        out["stage2_s"] = s2["train_s"]
        out["stage2_losses"] = s2["losses"]
    out["curve"] = curve
    out["final"] = curve[-1] if curve else None
    return out


def split_texts(texts: list[str], valid_fraction: float = 0.1, seed: int = 0, dedupe: bool = True):
    """(train, held-out) sequences: exact duplicates removed first (the dialog corpus repeats some pairs 100+
    times, which would leak into the held-out set), then a seeded random split by sequence."""
    if not 0.0 < valid_fraction < 1.0:
        raise ValueError(f"valid_fraction must be in (0, 1), got {valid_fraction}")
    uniq = list(dict.fromkeys(texts)) if dedupe else list(texts)
    if len(uniq) < 2:
        raise ValueError("need at least two distinct sequences to split")
    perm = torch.randperm(len(uniq), generator=torch.Generator().manual_seed(seed)).tolist()
    n_valid = max(1, int(round(len(uniq) * valid_fraction)))
    valid = [uniq[i] for i in perm[:n_valid]]
    train = [uniq[i] for i in perm[n_valid:]]
    return train, valid
