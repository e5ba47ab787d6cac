"""Language-model training and evaluation for the ResNet-BK experiments (notebook 16).

Everything a notebook needs to train a small causal LM on a token stream under a fixed budget and to
measure it: data batching (random windows for training, contiguous non-overlapping chunks for
evaluation), an AdamW loop with gradient clipping and cosine annealing (the paper's Section 4.1 recipe:
lr 3e-4, betas (0.9, 0.999), clip 1.0), held-out perplexity, tokens/s, a steps-to-loss helper for the
convergence claims, seed-spread statistics so a difference can be judged against seed noise, and the
closed-form expectation of an untrained model's perplexity (Table 8).

Models are described by plain dicts (``{"kind": "bk", ...BKConfig fields}`` or
``{"kind": "transformer", ...}``) so the same description can be sent to a fresh process for a memory
measurement (:func:`memory_probe` with :func:`paperlib.common.measure.peak_rss_subprocess`).
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from paperlib.bk.configs import build_model  # the one model registry (re-exported)
from paperlib.common.checks import pos_int

__all__ = [
    "LMData", "TrainConfig", "TrainResult",
    "encode_text", "prepare_lm_data", "sample_batch", "eval_chunks",
    "build_model", "evaluate_perplexity", "train_lm", "lr_at_step",
    "smooth", "steps_to_loss", "common_target_loss", "seed_stats", "compare_groups",
    "expected_untrained_ppl", "logit_stats", "sample_text", "count_params", "memory_probe",
    "train_variant", "summarize_runs", "router_timings", "forward_latency", "train_step_time",
    "init_output_difference",
]


# ----------------------------------------------------------------------------------------------- data

def _check_stream(stream, name="stream") -> torch.Tensor:
    if not isinstance(stream, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of token ids, got {type(stream).__name__}")
    if stream.dim() != 1:
        raise ValueError(f"{name} must be 1-D (a token stream), got shape {tuple(stream.shape)}")
    if stream.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
        raise TypeError(f"{name} must hold integer token ids, got dtype {stream.dtype}")
    return stream.long()


def encode_text(tokenizer, text: str, chunk_chars: int = 200_000) -> torch.Tensor:
    """Encode `text` with a `tokenizers.Tokenizer` into a 1-D int64 stream (line by line chunks)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    ids: list[int] = []
    # encode in pieces cut at newlines so very long corpora do not build one huge encoding
    start = 0
    while start < len(text):
        end = min(len(text), start + chunk_chars)
        if end < len(text):
            nl = text.rfind("\n", start, end)
            end = nl + 1 if nl > start else end
        ids.extend(tokenizer.encode(text[start:end]).ids)
        start = end
    return torch.tensor(ids, dtype=torch.long)


@dataclass
class LMData:
    """A corpus ready for LM training: token streams, the tokenizer and an honest label of the splits."""

    train: torch.Tensor
    eval: torch.Tensor
    vocab_size: int
    tokenizer: object = field(repr=False)
    corpus: str = ""
    label: str = ""           # what the corpus parts are and which two fit and evaluate
    train_split: str = "train"
    eval_split: str = "valid"

    def describe(self) -> str:
        return (f"{self.label} | tokens: train {self.train.numel():,}, eval {self.eval.numel():,} | "
                f"vocab {self.vocab_size}")


def prepare_lm_data(corpus: str = "auto", tokenizer_kind: str = "bpe", vocab_size: int = 2000,
                    max_train_chars: int | None = None, max_eval_chars: int | None = None) -> LMData:
    """Load a corpus (paperlib.common.data.load_text), train a tokenizer on the training text only, encode.

    Split rule: train on ``train`` and evaluate on ``valid`` when a train split exists; when only
    valid/test exist (the offline WikiText-2 mirror) train on ``valid`` and evaluate on ``test`` and say so
    in the label. The tokenizer never sees evaluation text.
    """
    from paperlib.common.data import load_text
    from paperlib.common.tokenize import train_tokenizer

    pos_int(vocab_size, "vocab_size")
    ct = load_text(corpus)
    splits = {"train": ct.train or "", "valid": ct.valid or "", "test": ct.test or ""}
    if splits["train"].strip():
        tr, ev = "train", ("valid" if splits["valid"].strip() else "test")
    elif splits["valid"].strip() and splits["test"].strip():
        tr, ev = "valid", "test"
    else:
        raise ValueError(f"corpus {ct.name!r} has no usable train/eval split pair")
    train_text, eval_text = splits[tr], splits[ev]
    if max_train_chars:
        train_text = train_text[:max_train_chars]
    if max_eval_chars:
        eval_text = eval_text[:max_eval_chars]
    tok = train_tokenizer([train_text], kind=tokenizer_kind, vocab_size=vocab_size)
    train_ids = encode_text(tok, train_text)
    eval_ids = encode_text(tok, eval_text)
    # the corpus label says what its train/valid/test parts are (e.g. WikiText-2's official validation split
    # serves as "train" offline); this says which two parts fit and evaluate
    label = f"{ct.label or ct.name} | fit on its {tr} part, evaluated on its {ev} part"
    return LMData(train=train_ids, eval=eval_ids, vocab_size=tok.get_vocab_size(), tokenizer=tok,
                  corpus=ct.name, label=label, train_split=tr, eval_split=ev)


def sample_batch(stream: torch.Tensor, batch_size: int, seq_len: int, generator: torch.Generator,
                 device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows of length seq_len+1 -> (inputs x[B,T], next-token targets y[B,T])."""
    stream = _check_stream(stream)
    batch_size = pos_int(batch_size, "batch_size")
    seq_len = pos_int(seq_len, "seq_len")
    if stream.numel() < seq_len + 1:
        raise ValueError(f"stream has {stream.numel()} tokens; need at least seq_len+1 = {seq_len + 1}")
    starts = torch.randint(0, stream.numel() - seq_len, (batch_size,), generator=generator)
    idx = starts[:, None] + torch.arange(seq_len + 1)[None, :]
    win = stream[idx]
    x, y = win[:, :-1], win[:, 1:]
    if device is not None:
        x, y = x.to(device), y.to(device)
    return x, y


def eval_chunks(stream: torch.Tensor, seq_len: int, max_chunks: int | None = None):
    """Contiguous non-overlapping (x, y) chunks covering the stream: every target token counted once.

    Chunk j uses tokens [j*T, j*T+T] (T+1 tokens, the last one is the first of the next chunk), like the
    paper's 513-token chunks for seq 512. Returns tensors X[n,T], Y[n,T]; a tail shorter than T+1 is dropped.
    """
    stream = _check_stream(stream)
    seq_len = pos_int(seq_len, "seq_len")
    n = (stream.numel() - 1) // seq_len
    if n < 1:
        raise ValueError(f"stream has {stream.numel()} tokens; need at least seq_len+1 = {seq_len + 1}")
    if max_chunks is not None:
        n = min(n, pos_int(max_chunks, "max_chunks"))
    x = stream[: n * seq_len].view(n, seq_len)
    y = stream[1: n * seq_len + 1].view(n, seq_len)
    return x, y


# --------------------------------------------------------------------------------------------- models

def count_params(model: nn.Module) -> int:
    if hasattr(model, "num_params"):
        return int(model.num_params())
    return sum(p.numel() for p in model.parameters())


def _aux_loss(model) -> torch.Tensor | None:
    """Sum of differentiable scalar losses the model exposes in ``model.aux`` under keys ending in 'loss'."""
    aux = getattr(model, "aux", None)
    if not isinstance(aux, dict):
        return None
    total = None
    for k, v in aux.items():
        if k.endswith("loss") and isinstance(v, torch.Tensor) and v.dim() == 0 and v.requires_grad:
            total = v if total is None else total + v
    return total


# ------------------------------------------------------------------------------------------ evaluation

@torch.no_grad()
def evaluate_perplexity(model: nn.Module, stream: torch.Tensor, seq_len: int, batch_size: int = 8,
                        max_chunks: int | None = None, device=None) -> dict:
    """Held-out next-token cross-entropy over contiguous chunks; PPL = exp(mean NLL per token)."""
    x_all, y_all = eval_chunks(stream, seq_len, max_chunks)
    batch_size = pos_int(batch_size, "batch_size")
    device = device if device is not None else next(model.parameters()).device
    was_training = model.training
    model.eval()
    nll, ntok = 0.0, 0
    aux_sum: dict[str, float] = {}
    for i in range(0, x_all.shape[0], batch_size):
        x = x_all[i:i + batch_size].to(device)
        y = y_all[i:i + batch_size].to(device)
        logits = model(x)
        nll += F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), y.reshape(-1),
                               reduction="sum").item()
        ntok += y.numel()
        for k, v in (getattr(model, "aux", None) or {}).items():   # token-weighted scalar statistics
            if isinstance(v, torch.Tensor) and v.numel() == 1:
                v = float(v)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                aux_sum[k] = aux_sum.get(k, 0.0) + float(v) * y.numel()
    model.train(was_training)
    loss = nll / ntok
    return {"loss": loss, "ppl": math.exp(loss), "bits_per_token": loss / math.log(2), "tokens": ntok,
            "chunks": int(x_all.shape[0]), "aux": {k: v / ntok for k, v in aux_sum.items()}}


# ------------------------------------------------------------------------------------------- training

@dataclass
class TrainConfig:
    """Fixed-budget training: `steps` optimiser steps of `batch_size` x `seq_len` tokens."""

    steps: int = 200
    batch_size: int = 8
    seq_len: int = 64
    lr: float = 3e-4
    weight_decay: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.999
    grad_clip: float = 1.0
    schedule: str = "cosine"        # "cosine" (annealed to min_lr_frac*lr) or "constant"
    warmup_steps: int = 0
    min_lr_frac: float = 0.1
    eval_every: int = 0             # 0: evaluate only at the end
    eval_chunks: int | None = 16    # held-out chunks per evaluation (None: the whole eval stream)
    seed: int = 0
    aux_weight: float = 0.01        # weight of model.aux["...loss"] terms (Switch load-balance alpha; 0 disables)

    def __post_init__(self):
        for name in ("steps", "batch_size", "seq_len"):
            pos_int(getattr(self, name), name)
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if self.schedule not in ("cosine", "constant"):
            raise ValueError(f"schedule must be 'cosine' or 'constant', got {self.schedule!r}")
        if self.warmup_steps < 0 or self.eval_every < 0:
            raise ValueError("warmup_steps and eval_every must be >= 0")
        if self.grad_clip is not None and self.grad_clip <= 0:
            raise ValueError("grad_clip must be positive or None")
        if not 0.0 <= self.min_lr_frac <= 1.0:
            raise ValueError("min_lr_frac must lie in [0, 1]")


def lr_at_step(cfg: TrainConfig, step: int) -> float:
    """Linear warm-up, then cosine annealing from lr to min_lr_frac*lr at the last step (or constant)."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    if cfg.schedule == "constant":
        return cfg.lr
    span = max(1, cfg.steps - cfg.warmup_steps - 1)
    frac = min(1.0, (step - cfg.warmup_steps) / span)
    lo = cfg.lr * cfg.min_lr_frac
    return lo + 0.5 * (cfg.lr - lo) * (1.0 + math.cos(math.pi * frac))


@dataclass
class TrainResult:
    losses: list[float]                 # training loss (next-token CE) per step
    eval_history: list[dict]            # [{"step":..., "loss":..., "ppl":...}]
    final_eval: dict
    tokens_per_s: float                 # training tokens / wall seconds of optimiser steps (eval excluded)
    train_seconds: float
    tokens_seen: int
    n_params: int
    config: dict
    aux_means: dict = field(default_factory=dict)   # mean over steps of scalar entries in model.aux

    @property
    def final_ppl(self) -> float:
        return float(self.final_eval["ppl"])


def _sync(device):
    if isinstance(device, torch.device) and device.type == "cuda":
        torch.cuda.synchronize(device)


def train_lm(model: nn.Module, train_stream: torch.Tensor, cfg: TrainConfig, eval_stream=None,
             device=None, desc: str = "train") -> TrainResult:
    """Train `model` (logits = model(idx)) for cfg.steps AdamW steps on random windows of `train_stream`.

    Batches come from a generator seeded with cfg.seed, so two models trained with the same cfg see the
    same token windows (paired comparisons). Weight decay applies to matrices only (dim >= 2).
    """
    from paperlib.common.progress import progress

    if not isinstance(cfg, TrainConfig):
        raise TypeError(f"cfg must be a TrainConfig, got {type(cfg).__name__}")
    train_stream = _check_stream(train_stream, "train_stream")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(device).train()
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=cfg.lr, betas=(cfg.beta1, cfg.beta2))
    gen = torch.Generator().manual_seed(cfg.seed)
    losses: list[float] = []
    history: list[dict] = []
    aux_sums: dict[str, float] = {}
    train_time = 0.0
    for step in progress(range(cfg.steps), desc=desc, total=cfg.steps):
        x, y = sample_batch(train_stream, cfg.batch_size, cfg.seq_len, gen, device)
        for g in opt.param_groups:
            g["lr"] = lr_at_step(cfg, step)
        _sync(device)
        t0 = time.perf_counter()
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), y.reshape(-1))
        if not torch.isfinite(loss):
            raise FloatingPointError(f"{desc}: non-finite training loss at step {step}")
        total = loss
        aux = _aux_loss(model)
        if aux is not None and cfg.aux_weight:
            total = total + cfg.aux_weight * aux
        opt.zero_grad(set_to_none=True)
        total.backward()
        if cfg.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        _sync(device)
        train_time += time.perf_counter() - t0
        losses.append(loss.item())
        for k, v in (getattr(model, "aux", None) or {}).items():
            if isinstance(v, torch.Tensor) and v.numel() == 1:
                aux_sums[k] = aux_sums.get(k, 0.0) + float(v.detach())
            elif isinstance(v, torch.Tensor) and 1 < v.numel() <= 256 and not v.requires_grad:
                arr = v.detach().double().cpu().numpy()   # small statistics, e.g. router_util [L, E]
                prev = aux_sums.get(k)
                aux_sums[k] = arr if prev is None else (prev + arr if np.shape(prev) == arr.shape else prev)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                aux_sums[k] = aux_sums.get(k, 0.0) + float(v)
        if eval_stream is not None and cfg.eval_every and (step + 1) % cfg.eval_every == 0 \
                and step + 1 < cfg.steps:
            ev = evaluate_perplexity(model, eval_stream, cfg.seq_len, cfg.batch_size, cfg.eval_chunks, device)
            history.append({"step": step + 1, "loss": ev["loss"], "ppl": ev["ppl"]})
    final = {}
    if eval_stream is not None:
        final = evaluate_perplexity(model, eval_stream, cfg.seq_len, cfg.batch_size, cfg.eval_chunks, device)
        history.append({"step": cfg.steps, "loss": final["loss"], "ppl": final["ppl"]})
    model.eval()
    tokens = cfg.steps * cfg.batch_size * cfg.seq_len
    return TrainResult(losses=losses, eval_history=history, final_eval=final,
                       tokens_per_s=tokens / train_time if train_time > 0 else float("nan"),
                       train_seconds=train_time, tokens_seen=tokens, n_params=count_params(model),
                       config=asdict(cfg), aux_means={k: v / cfg.steps for k, v in aux_sums.items()})


# ---------------------------------------------------------------------------- convergence & statistics

def smooth(losses, window: int = 10) -> np.ndarray:
    """Trailing moving average (window w; the first w-1 entries average what exists so far)."""
    a = np.asarray(losses, dtype=float)
    if a.ndim != 1 or a.size == 0:
        raise ValueError("losses must be a non-empty 1-D sequence")
    window = pos_int(window, "window")
    c = np.cumsum(np.insert(a, 0, 0.0))
    idx = np.arange(1, a.size + 1)
    lo = np.maximum(0, idx - window)
    return (c[idx] - c[lo]) / (idx - lo)


def steps_to_loss(losses, target: float, window: int = 10) -> float:
    """First step count (1-based) at which the smoothed training loss is <= target; nan if never."""
    s = smooth(losses, window)
    hit = np.nonzero(s <= target)[0]
    return float(hit[0] + 1) if hit.size else float("nan")


def common_target_loss(loss_curves, window: int = 10, tail: int | None = None) -> float:
    """A target every run reaches: the largest final smoothed loss among the runs.

    Fixed rule (not tuned per result): the slowest run reaches it at its last step, every other run
    earlier or at the end, so steps_to_loss is defined for all runs.
    """
    if len(loss_curves) == 0:
        raise ValueError("need at least one loss curve")
    return float(max(smooth(c, window)[-1] for c in loss_curves))


def seed_stats(values) -> dict:
    """Mean, sample std (ddof=1), min, max and n of per-seed values (nan-aware)."""
    a = np.asarray(values, dtype=float)
    a = a[np.isfinite(a)]
    n = a.size
    return {"mean": float(a.mean()) if n else float("nan"),
            "std": float(a.std(ddof=1)) if n > 1 else float("nan"),
            "min": float(a.min()) if n else float("nan"), "max": float(a.max()) if n else float("nan"),
            "n": int(n)}


def compare_groups(a, b, paired: bool = False, alpha: float = 0.05) -> dict:
    """Compare per-seed values of b against a: relative change (mean_b/mean_a - 1) and a t-test p-value.

    paired=True (same seeds, same data order for both) uses the paired t-test, else Welch's t-test. With
    fewer than two finite values per group the p-value is nan. `within_noise` is True when the difference of
    means is smaller than the larger of the two seed standard deviations; `significant` is True when the
    difference is outside that noise band *and* the t-test gives p < alpha (a real difference, not seed luck).
    """
    from scipy import stats

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if paired and a.shape != b.shape:
        raise ValueError(f"paired comparison needs equal lengths, got {a.size} and {b.size}")
    sa, sb = seed_stats(a), seed_stats(b)
    diff = sb["mean"] - sa["mean"]
    p = float("nan")
    if paired:
        ok = np.isfinite(a) & np.isfinite(b)
        if ok.sum() >= 2 and np.ptp(b[ok] - a[ok]) > 0:
            p = float(stats.ttest_rel(b[ok], a[ok]).pvalue)
    else:
        fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
        if fa.size >= 2 and fb.size >= 2 and (fa.std() > 0 or fb.std() > 0):
            p = float(stats.ttest_ind(fb, fa, equal_var=False).pvalue)
    noise = np.nanmax([sa["std"], sb["std"]]) if sa["n"] > 1 or sb["n"] > 1 else float("nan")
    within = bool(np.isfinite(noise) and abs(diff) <= noise)
    return {"mean_a": sa["mean"], "std_a": sa["std"], "mean_b": sb["mean"], "std_b": sb["std"],
            "diff": diff, "rel_change": diff / sa["mean"] if sa["mean"] else float("nan"),
            "p_value": p, "within_noise": within,
            "significant": bool(not within and np.isfinite(noise) and np.isfinite(p) and p < alpha)}


# ------------------------------------------------------------------------------ untrained perplexity

def expected_untrained_ppl(vocab_size: int, logit_std: float = 0.0) -> float:
    """E[PPL] of a model whose logits are i.i.d. N(0, s^2) and independent of the target (Table 8).

    CE = logsumexp(l) - l_target. For large V, logsumexp(l) ~= log(V E[e^l]) = log V + s^2/2 and
    E[l_target] = 0, so PPL = exp(E[CE]) ~= V exp(s^2/2). s = 0 gives exactly V (uniform prediction).
    """
    vocab_size = pos_int(vocab_size, "vocab_size")
    if logit_std < 0:
        raise ValueError("logit_std must be >= 0")
    return float(vocab_size * math.exp(logit_std ** 2 / 2))


@torch.no_grad()
def logit_stats(model: nn.Module, x: torch.Tensor) -> dict:
    """Mean over positions of the across-vocabulary std of the logits, and the mean logit."""
    model.eval()
    logits = model(x).float()
    return {"logit_std": float(logits.std(dim=-1).mean()), "logit_mean": float(logits.mean())}


# --------------------------------------------------------------------------------------- generation

@torch.no_grad()
def sample_text(model: nn.Module, tokenizer, prompt: str, max_new_tokens: int = 40, temperature: float = 0.8,
                top_k: int | None = 20, seed: int = 0) -> str:
    """Continue `prompt` with model.generate (seeded) and decode with the tokenizer."""
    ids = tokenizer.encode(prompt).ids or [0]
    device = next(model.parameters()).device
    idx = torch.tensor([ids], dtype=torch.long, device=device)
    gen = torch.Generator(device=device).manual_seed(seed)
    model.eval()
    out = model.generate(idx, max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k,
                         generator=gen)
    return tokenizer.decode(out[0].tolist())


# ------------------------------------------------------------------------------------------- memory

def memory_probe(spec: dict, batch_size: int, seq_len: int, steps: int = 2, seed: int = 0,
                 device: str = "cpu") -> dict:
    """Build `spec`, run `steps` AdamW training steps on random tokens; for peak_rss_subprocess.

    steps=0 builds the model only. On CUDA also returns the allocator's peak in MB.
    """
    torch.manual_seed(seed)
    dev = torch.device(device)
    model = build_model(spec).to(dev)
    vocab = int(spec.get("vocab_size", 0))
    out = {"n_params": count_params(model),
           "param_mb": sum(p.numel() * p.element_size() for p in model.parameters()) / 1024 ** 2}
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    if steps > 0:
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        g = torch.Generator().manual_seed(seed)
        for _ in range(steps):
            x = torch.randint(0, vocab, (batch_size, seq_len + 1), generator=g).to(dev)
            logits = model(x[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), x[:, 1:].reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
        out["cuda_peak_mb"] = torch.cuda.max_memory_allocated(dev) / 1024 ** 2
    return out


# ------------------------------------------------------------------------------------ experiment helpers

def train_variant(spec: dict, train_stream: torch.Tensor, eval_stream: torch.Tensor | None, cfg: TrainConfig,
                  seed: int, device=None, desc: str | None = None):
    """seed_everything(seed), build `spec`, train with cfg (batch order seeded by the same seed).

    Two variants trained with the same seed share their random initialisation draws (as far as their
    parameter shapes agree) and see identical batches: a paired comparison.
    """
    from dataclasses import replace

    from paperlib import seed_everything

    seed_everything(int(seed))
    model = build_model(spec)
    if device is not None:
        model = model.to(device)
    res = train_lm(model, train_stream, replace(cfg, seed=int(seed)), eval_stream, device=device,
                   desc=desc or f"{spec.get('kind')} seed {seed}")
    return model, res


def summarize_runs(runs: dict, target_loss: float | None = None, window: int = 10):
    """One row per variant from {name: [TrainResult per seed]}: params, PPL mean/std, tokens/s, steps-to-loss."""
    import pandas as pd

    rows = []
    for name, results in runs.items():
        ppl = seed_stats([r.final_ppl for r in results])
        tps = seed_stats([r.tokens_per_s for r in results])
        row = {"variant": name, "params": results[0].n_params, "seeds": len(results),
               "ppl_mean": ppl["mean"], "ppl_std": ppl["std"], "tokens_per_s": tps["mean"]}
        if target_loss is not None:
            st = seed_stats([steps_to_loss(r.losses, target_loss, window) for r in results])
            row.update(steps_to_target_mean=st["mean"], steps_to_target_std=st["std"])
        rows.append(row)
    return pd.DataFrame(rows)


def router_timings(d_model: int, n_experts: int, batch_size: int, seq_len: int, repeats: int = 20,
                   seed: int = 0, device="cpu") -> dict:
    """Median seconds of one routing decision for B*T tokens (forward, no grad), per router.

    mlp: softmax(Linear(d, E) h) + top-1 (Switch gate). scattering: Eq. 7-8 phase of the causal prefix
    (paperlib.bk.model.causal_prefix_phase) given the BK-Core output G that the mixer already computed, then the
    Eq. 8 bucketing; scattering+G also recomputes G (what the router costs without a BK mixer).
    gphase: the reference code's stand-in arg(G_ii) + bucketing. Also returns the gate's parameter count.
    """
    from paperlib.bk.core import bk_diag
    from paperlib.bk.model import causal_prefix_phase
    from paperlib.common.measure import time_callable

    dev = torch.device(device)
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(batch_size, seq_len, d_model, generator=g).to(dev)
    v = torch.clamp(torch.randn(batch_size, seq_len, generator=g), -3, 3).to(dev)
    gate = nn.Linear(d_model, n_experts).to(dev)
    G = bk_diag(v, z=1j, causal=True)
    width = math.pi / n_experts

    def bucket(phase):
        return torch.clamp((torch.remainder(phase.reshape(-1), math.pi) / width).long(), 0, n_experts - 1)

    fns = {
        "mlp": lambda: torch.softmax(gate(h.reshape(-1, d_model)), -1).max(-1),
        "scattering": lambda: bucket(causal_prefix_phase(v, G, 1j)),
        "scattering+G": lambda: bucket(causal_prefix_phase(v, None, 1j)),
        "gphase": lambda: bucket(torch.angle(G)),
    }
    out = {}
    with torch.no_grad():
        for name, fn in fns.items():
            out[name] = time_callable(fn, warmup=2, repeats=repeats).median
    out["mlp_gate_params"] = sum(p.numel() for p in gate.parameters())
    return out


def forward_latency(model: nn.Module, batch_size: int, seq_len: int, repeats: int = 10, seed: int = 0) -> float:
    """Median seconds of one inference forward pass (no grad) on random tokens."""
    from paperlib.common.measure import time_callable

    dev = next(model.parameters()).device
    x = torch.randint(0, model.vocab_size, (batch_size, seq_len), generator=torch.Generator().manual_seed(seed))
    x = x.to(dev)
    model.eval()
    with torch.no_grad():
        return time_callable(lambda: model(x), warmup=2, repeats=repeats).median


def train_step_time(model: nn.Module, batch_size: int, seq_len: int, repeats: int = 5, seed: int = 0) -> float:
    """Median seconds of one training step (forward + backward + SGD-free grad zeroing) on random tokens."""
    from paperlib.common.measure import time_callable

    dev = next(model.parameters()).device
    x = torch.randint(0, model.vocab_size, (batch_size, seq_len + 1), generator=torch.Generator().manual_seed(seed))
    x = x.to(dev)
    model.train()

    def step():
        model.zero_grad(set_to_none=True)
        logits = model(x[:, :-1])
        F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), x[:, 1:].reshape(-1)).backward()

    t = time_callable(step, warmup=1, repeats=repeats).median
    model.zero_grad(set_to_none=True)
    model.eval()
    return t


@torch.no_grad()
def init_output_difference(spec_a: dict, spec_b: dict, seed: int, tokens: torch.Tensor) -> dict:
    """Build both specs after seed_everything(seed) and compare their outputs at initialisation on `tokens`.

    Returns the largest absolute logit difference, the largest |logit| (for scale) and both losses.
    Used to show whether an initialisation change (e.g. Prime-Bump) changes the function at all.
    """
    from paperlib import seed_everything

    x = _check_stream(tokens.flatten(), "tokens").view(tokens.shape)
    if x.dim() != 2 or x.shape[1] < 2:
        raise ValueError("tokens must have shape [B, T+1] with T >= 1")
    outs = []
    for spec in (spec_a, spec_b):
        seed_everything(int(seed))
        m = build_model(spec).eval()
        logits = m(x[:, :-1]).float()
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1)).item()
        outs.append((logits, loss))
    (la, loss_a), (lb, loss_b) = outs
    return {"max_logit_diff": float((la - lb).abs().max()), "max_abs_logit": float(la.abs().max()),
            "loss_a": loss_a, "loss_b": loss_b}
