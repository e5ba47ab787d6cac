"""Training ResNet-BK language models (notebook 16): the paper's recipe on the one loop of paperlib.common.lm.

Section 4.1's recipe: AdamW (lr 3e-4, betas (0.9, 0.999)), gradient clipping 1.0, cosine annealing (with an
optional linear warm-up). :func:`train_lm` supplies the step (lr schedule, forward, next-token CE plus the
model's auxiliary losses, clip, AdamW step) and the held-out evaluation to :func:`paperlib.common.lm.train_loop`;
batches are random windows drawn from a generator seeded with the run's seed, so two models trained with the
same seed see the same batches (paired comparisons). :func:`train_variant` builds a spec from the one model
registry (:func:`paperlib.bk.configs.build_model`) and trains it.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from paperlib.bk.configs import build_model
from paperlib.common.checks import pos_int
from paperlib.common.lm import batches, check_stream, evaluate_perplexity, train_loop
from paperlib.common.modules import count_params  # the one parameter count (re-exported here)

__all__ = ["TrainConfig", "TrainResult", "lr_at_step", "train_lm", "train_variant", "count_params"]




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
    eval_chunks: int | None = 16    # held-out windows per evaluation (None: the whole eval stream)
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
    aux_means: dict = field(default_factory=dict)   # mean over steps of scalar/small entries in model.aux

    @property
    def final_ppl(self) -> float:
        return float(self.final_eval["ppl"])


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


def _accumulate_aux(sums: dict, aux: dict) -> None:
    """Add this step's scalar (and small, e.g. router_util [L, E]) model.aux statistics to `sums`."""
    for k, v in (aux or {}).items():
        if isinstance(v, torch.Tensor) and v.numel() == 1:
            sums[k] = sums.get(k, 0.0) + float(v.detach())
        elif isinstance(v, torch.Tensor) and 1 < v.numel() <= 256 and not v.requires_grad:
            arr = v.detach().double().cpu().numpy()
            prev = sums.get(k)
            sums[k] = arr if prev is None else (prev + arr if np.shape(prev) == arr.shape else prev)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            sums[k] = sums.get(k, 0.0) + float(v)


def train_lm(model: nn.Module, train_stream: torch.Tensor, cfg: TrainConfig, eval_stream=None,
             device=None, desc: str = "train") -> TrainResult:
    """Train `model` (logits = model(idx)) for cfg.steps AdamW steps on random windows of `train_stream`.

    Batches come from a generator seeded with cfg.seed, so two models trained with the same cfg see the
    same token windows (paired comparisons). Weight decay applies to matrices only (dim >= 2).
    """
    if not isinstance(cfg, TrainConfig):
        raise TypeError(f"cfg must be a TrainConfig, got {type(cfg).__name__}")
    train_stream = check_stream(train_stream, "train_stream")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(device).train()
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=cfg.lr, betas=(cfg.beta1, cfg.beta2))
    aux_sums: dict = {}

    def step_fn(step, batch):
        x, y = batch
        for g in opt.param_groups:
            g["lr"] = lr_at_step(cfg, step)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), y.reshape(-1))
        if not torch.isfinite(loss):
            raise FloatingPointError(f"{desc}: non-finite training loss at step {step}")
        aux = _aux_loss(model)
        total = loss + cfg.aux_weight * aux if (aux is not None and cfg.aux_weight) else loss
        opt.zero_grad(set_to_none=True)
        total.backward()
        if cfg.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        _accumulate_aux(aux_sums, getattr(model, "aux", None))
        return loss.item()

    def eval_fn(_steps_done):
        ev = evaluate_perplexity(model, eval_stream, cfg.seq_len, cfg.batch_size, cfg.eval_chunks, device)
        model.train()
        return ev

    gen = torch.Generator().manual_seed(cfg.seed)
    loop = train_loop(step_fn, batches(train_stream, cfg.batch_size, cfg.seq_len, gen, device), cfg.steps,
                      eval_fn=eval_fn if eval_stream is not None else None, eval_every=cfg.eval_every,
                      device=device, desc=desc)
    history = [{"step": e["step"], "loss": e["loss"], "ppl": e["ppl"]} for e in loop.evals]
    final = {k: v for k, v in loop.evals[-1].items() if k not in ("step", "train_s")} if loop.evals else {}
    model.eval()
    tokens = cfg.steps * cfg.batch_size * cfg.seq_len
    return TrainResult(losses=loop.losses, eval_history=history, final_eval=final,
                       tokens_per_s=tokens / loop.train_s if loop.train_s > 0 else float("nan"),
                       train_seconds=loop.train_s, tokens_seen=tokens, n_params=count_params(model),
                       config=asdict(cfg), aux_means={k: v / cfg.steps for k, v in aux_sums.items()})


def train_variant(spec: dict, train_stream: torch.Tensor, eval_stream: torch.Tensor | None, cfg: TrainConfig,
                  seed: int, device=None, desc: str | None = None):
    """seed_everything(seed), build `spec`, train with cfg (batch order seeded by the same seed).

    Two variants trained with the same seed share their random initialisation draws (as far as their
    parameter shapes agree) and see identical batches: a paired comparison.
    """
    from paperlib import seed_everything

    seed_everything(int(seed))
    model = build_model(spec)
    if device is not None:
        model = model.to(device)
    res = train_lm(model, train_stream, replace(cfg, seed=int(seed)), eval_stream, device=device,
                   desc=desc or f"{spec.get('kind')} seed {seed}")
    return model, res


def _train_job(job: tuple):
    """One (variant, seed) run on whichever engine runs it (common.tasks), at the caller's thread count."""
    name, spec, seed, train_stream, eval_stream, cfg, device, threads = job
    torch.set_num_threads(threads)
    model, res = train_variant(spec, train_stream, eval_stream, cfg, seed, device=device, desc=f"{name}/{seed}")
    return name, seed, model, res


def train_variants(jobs, train_stream: torch.Tensor, eval_stream: torch.Tensor | None, cfg: TrainConfig,
                   device=None, client=None) -> list[tuple]:
    """[(name, seed, model, result)] for `jobs` = [(name, spec, seed), ...], in order: each run is
    :func:`train_variant` (seeded by its own seed), executed on the engine common.tasks chooses
    (PAPERLIB_SCHEDULER: in-process by default, a Dask cluster otherwise) at this process's thread count, so the
    results are a serial run's."""
    from paperlib.common.tasks import map_tasks

    threads = torch.get_num_threads()
    work = [(name, spec, int(seed), train_stream, eval_stream, cfg, device, threads) for name, spec, seed in jobs]
    return map_tasks(_train_job, work, client=client)
